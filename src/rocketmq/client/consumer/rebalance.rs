//! `C/impl/consumer/RebalanceImpl` and `RebalancePushImpl`: each client computes its own
//! share of every subscribed topic (CLUSTERING: from the group's consumer ids, fetched from
//! one broker; BROADCASTING: every queue), drops queues it lost (persisting their offset)
//! and starts pulling queues it gained from the offset `computePullFromWhere` gives.

use std::collections::BTreeSet;

use super::{Consumer, Pending, ProcessQueue, PullRequest};
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::allocate::{allocate, MessageQueue};
use crate::rocketmq::client::find_broker_address_in_subscribe;
use crate::rocketmq::config::ConsumeFromWhere;
use crate::rocketmq::message::{Msg, ResponseCode};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{Mq, OffsetKey, MASTER_ID};
use crate::rocketmq::world::{Spec, Timer, World};

/// Client RPC timeout for the small requests of a rebalance (`timeoutMillis` 3000).
pub const REQUEST_TIMEOUT: u64 = 3_000;

impl Consumer {
    /// `doRebalance` for every subscribed topic.
    pub fn rebalance(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        for topic in self.topics.clone() {
            if !self.routes.contains_key(&topic) {
                continue;
            }
            if self.clustering() {
                self.request_consumer_list(ctx, spec, topic);
            } else {
                let all = self.queues_of(topic);
                self.apply_assignment(ctx, spec, topic, all);
            }
        }
    }

    /// `topicSubscribeInfoTable`: every readable queue of every group in the route.
    fn queues_of(&self, topic: u32) -> Vec<Mq> {
        let Some(route) = self.routes.get(&topic) else { return Vec::new() };
        route
            .groups
            .iter()
            .flat_map(|g| (0..g.read_queue_nums).map(move |q| Mq { topic, group: g.group, queue_id: q }))
            .collect()
    }

    /// `findConsumerIdList`: GET_CONSUMER_LIST_BY_GROUP to one broker of the topic (a random
    /// group; its master, else any address).
    fn request_consumer_list(&mut self, ctx: &mut Ctx<World>, _spec: &Spec, topic: u32) {
        let Some(route) = self.routes.get(&topic) else { return };
        if route.groups.is_empty() {
            return;
        }
        let g = &route.groups[ctx.prng.below(route.groups.len() as u64) as usize];
        let node: NodeId = g.addr(MASTER_ID).unwrap_or(g.addrs[0].1);
        let opaque = self.opaque(Pending::ConsumerList { topic });
        ctx.send(self.node, node, Msg::GetConsumerListByGroup { opaque, consumer_group: self.group.clone() });
        ctx.set_timer(self.node, REQUEST_TIMEOUT, Timer::RequestTimeout(opaque));
    }

    pub fn on_consumer_list(&mut self, ctx: &mut Ctx<World>, spec: &Spec, opaque: u64, ids: Vec<String>) {
        let Some(Pending::ConsumerList { topic }) = self.pending.remove(&opaque) else { return };
        if ids.is_empty() {
            return; // "get consumer id list failed": nothing changes.
        }
        let mqs = self.queues_of(topic);
        let named: Vec<MessageQueue> = mqs.iter().map(|mq| named_queue(spec, *mq)).collect();
        let strategy = self.config.allocate_message_queue_strategy;
        let Ok(mine) = allocate(strategy, Some(&self.client_id), &named, &ids) else { return };
        let mine: Vec<Mq> =
            mine.iter().filter_map(|m| mqs.iter().copied().find(|q| named_queue(spec, *q) == *m)).collect();
        self.apply_assignment(ctx, spec, topic, mine);
    }

    /// `updateProcessQueueTableInRebalance`.
    fn apply_assignment(&mut self, ctx: &mut Ctx<World>, spec: &Spec, topic: u32, mine: Vec<Mq>) {
        let wanted: BTreeSet<Mq> = mine.iter().copied().collect();
        let lost: Vec<Mq> =
            self.pull_requests.keys().filter(|mq| mq.topic == topic && !wanted.contains(mq)).copied().collect();
        let gained: Vec<Mq> = mine.iter().filter(|mq| !self.pull_requests.contains_key(mq)).copied().collect();
        if lost.is_empty() && gained.is_empty() {
            return;
        }
        for mq in lost {
            // `removeUnnecessaryMessageQueue`: persist, then forget the offset.
            self.persist(ctx, mq);
            self.offset_store.remove(mq);
            self.pull_requests.remove(&mq);
        }
        for mq in gained {
            self.take_queue(ctx, spec, mq);
        }
        ctx.note(Note::Rebalanced {
            consumer: self.index,
            topic,
            queues: self.pull_requests.keys().copied().filter(|m| m.topic == topic).collect(),
        });
    }

    /// A new queue: `computePullFromWhere` (READ_FROM_STORE: the broker's offset for
    /// CLUSTERING, the local file for BROADCASTING).
    fn take_queue(&mut self, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq) {
        let generation = self.generation();
        let pr = PullRequest { generation, next_offset: None, process_queue: ProcessQueue::default(), pulling: false };
        self.pull_requests.insert(mq, pr);
        self.offset_store.remove(mq);
        if !self.clustering() {
            match self.offset_store.file.get(&mq).copied() {
                Some(o) => self.start_pulling(ctx, spec, mq, generation, o),
                None => self.compute_pull_from_where(ctx, spec, mq, generation),
            }
            return;
        }
        // `fetchConsumeOffsetFromBroker`: the master, else (it is missing) a slave.
        let Some((node, _)) = find_broker_address_in_subscribe(&self.routes, mq.group, MASTER_ID, false) else {
            self.pull_requests.remove(&mq);
            return;
        };
        let opaque = self.opaque(Pending::QueryOffset { mq, generation });
        let key = OffsetKey { group: self.group.clone(), mq };
        ctx.send(self.node, node, Msg::QueryConsumerOffset { opaque, key });
        ctx.set_timer(self.node, REQUEST_TIMEOUT, Timer::RequestTimeout(opaque));
    }

    pub fn on_query_offset(
        &mut self,
        ctx: &mut Ctx<World>,
        spec: &Spec,
        opaque: u64,
        offset: Result<u64, ResponseCode>,
    ) {
        let Some(Pending::QueryOffset { mq, generation }) = self.pending.remove(&opaque) else { return };
        match offset {
            Ok(o) => self.start_pulling(ctx, spec, mq, generation, o),
            Err(_) => self.compute_pull_from_where(ctx, spec, mq, generation),
        }
    }

    /// No stored offset: CONSUME_FROM_LAST_OFFSET asks the queue's max offset
    /// (GET_MAX_OFFSET); FIRST starts at 0. CONSUME_FROM_TIMESTAMP is treated as FIRST (no
    /// message timestamps in this model).
    fn compute_pull_from_where(&mut self, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq, generation: u64) {
        if self.config.consume_from_where != ConsumeFromWhere::ConsumeFromLastOffset {
            self.start_pulling(ctx, spec, mq, generation, 0);
            return;
        }
        let Some((node, _)) = find_broker_address_in_subscribe(&self.routes, mq.group, MASTER_ID, false) else {
            self.pull_requests.remove(&mq);
            return;
        };
        let opaque = self.opaque(Pending::MaxOffset { mq, generation });
        ctx.send(self.node, node, Msg::GetMaxOffset { opaque, mq });
        ctx.set_timer(self.node, REQUEST_TIMEOUT, Timer::RequestTimeout(opaque));
    }

    pub fn on_max_offset(&mut self, ctx: &mut Ctx<World>, spec: &Spec, opaque: u64, offset: u64) {
        let Some(Pending::MaxOffset { mq, generation }) = self.pending.remove(&opaque) else { return };
        self.start_pulling(ctx, spec, mq, generation, offset);
    }

    fn start_pulling(&mut self, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq, generation: u64, offset: u64) {
        let Some(pr) = self.pull_requests.get_mut(&mq).filter(|p| p.generation == generation) else { return };
        pr.next_offset = Some(offset);
        if self.offset_store.update(mq, offset, false) {
            ctx.note(Note::ClientOffset { consumer: self.index, mq, offset });
        }
        self.pull(ctx, spec, mq);
    }
}

/// The `MessageQueue` RocketMQ would sort: topic and broker names.
fn named_queue(spec: &Spec, mq: Mq) -> MessageQueue {
    MessageQueue::new(&spec.topics[mq.topic as usize].name, &spec.groups[mq.group as usize], mq.queue_id as i32)
}
