//! `DefaultMQPushConsumer`: push built on pull. The client refreshes routes, heartbeats
//! every broker, rebalances ([`rebalance`]), pulls each assigned queue and hands what it
//! gets to the listener ([`pulling`]), and reports progress ([`offset_store`]).
//!
//! The listener returns CONSUME_SUCCESS unless told to fail ([`Consumer::fail_next`]); a
//! failed batch is handled as RocketMQ does when sending it back fails (retry topics are
//! not modelled yet): CLUSTERING keeps it in the ProcessQueue and consumes it again after
//! 5 s, BROADCASTING drops it. Each batch runs on its own thread (no pool limit).
pub mod offset_store;
pub mod pulling;
pub mod rebalance;
pub mod rebalance_service;

use std::collections::BTreeMap;

use super::{find_broker_address_in_subscribe, request_route, Routes};
use crate::kernel::{Ctx, NodeId, Time};
use crate::rocketmq::config::{ConsumerConfig, MessageModel};
use crate::rocketmq::message::{Msg, TopicRouteData};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{Mq, OffsetKey, RecordId, MASTER_ID};
use crate::rocketmq::world::{Spec, Timer, World};

pub use offset_store::OffsetStore;

/// `ProcessQueue`: the messages pulled and not yet consumed, by queue offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessQueue {
    pub msgs: BTreeMap<u64, RecordId>,
    /// Largest queue offset ever put in (`queueOffsetMax`).
    pub queue_offset_max: Option<u64>,
}

impl ProcessQueue {
    /// `removeMessage`: the offset to commit afterwards: the smallest still held, or the
    /// largest seen + 1 when none is.
    pub fn remove(&mut self, offsets: &[u64]) -> Option<u64> {
        for o in offsets {
            self.msgs.remove(o);
        }
        match self.msgs.keys().next() {
            Some(first) => Some(*first),
            None => self.queue_offset_max.map(|m| m + 1),
        }
    }
}

/// `PullRequest`: one per assigned queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRequest {
    /// Which assignment this is (a queue dropped and taken again gets a new one, so late
    /// replies for the old one are ignored, as a dropped ProcessQueue's are).
    pub generation: u64,
    /// None while the start offset is being looked up.
    pub next_offset: Option<u64>,
    pub process_queue: ProcessQueue,
    /// A pull is in flight.
    pub pulling: bool,
}

/// What a request in flight was for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Route,
    ConsumerList { topic: u32 },
    QueryOffset { mq: Mq, generation: u64 },
    MaxOffset { mq: Mq, generation: u64 },
    Pull { mq: Mq, generation: u64, node: NodeId },
}

/// A batch handed to the listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumeBatch {
    pub mq: Mq,
    pub generation: u64,
    pub msgs: Vec<(u64, RecordId)>,
    /// Submitted again after RECONSUME_LATER: skipped if its ProcessQueue was dropped since.
    pub again: bool,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub index: u32,
    pub node: NodeId,
    pub client_id: String,
    pub group: String,
    pub topics: Vec<u32>,
    pub config: ConsumerConfig,
    pub consume_ms: u64,
    pub running: bool,
    pub routes: Routes,
    pub pull_requests: BTreeMap<Mq, PullRequest>,
    pub offset_store: OffsetStore,
    /// `PullAPIWrapper.pullFromWhichNodeTable`: the broker id each queue pulls from next.
    pub pull_from_which_node: BTreeMap<Mq, i64>,
    pub pending: BTreeMap<u64, Pending>,
    pub consuming: BTreeMap<u64, ConsumeBatch>,
    /// The listener returns RECONSUME_LATER for this many more batches.
    pub fail_next: u32,
    /// When the RebalanceService's current wait ends, and when it last ran.
    pub rebalance_due: Option<Time>,
    pub last_rebalance: Option<Time>,
    next_opaque: u64,
    next_generation: u64,
    next_batch: u64,
}

impl Consumer {
    pub fn new(spec: &Spec, index: u32) -> Consumer {
        let c = &spec.consumers[index as usize];
        Consumer {
            index,
            node: spec.consumer_node(index),
            client_id: c.client_id.clone(),
            group: c.group.clone(),
            topics: c.topics.clone(),
            config: c.config.clone(),
            consume_ms: c.consume_ms,
            running: true,
            routes: Routes::new(),
            pull_requests: BTreeMap::new(),
            offset_store: OffsetStore::default(),
            pull_from_which_node: BTreeMap::new(),
            pending: BTreeMap::new(),
            consuming: BTreeMap::new(),
            fail_next: 0,
            rebalance_due: None,
            last_rebalance: None,
            next_opaque: 0,
            next_generation: 0,
            next_batch: 0,
        }
    }

    pub fn clustering(&self) -> bool {
        self.config.message_model == MessageModel::Clustering
    }

    pub(crate) fn opaque(&mut self, pending: Pending) -> u64 {
        self.next_opaque += 1;
        self.pending.insert(self.next_opaque, pending);
        self.next_opaque
    }

    pub(crate) fn next_batch_id(&mut self) -> u64 {
        self.next_batch += 1;
        self.next_batch
    }

    pub(crate) fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// `start()`: routes first (10 ms), heartbeats (1 s), offsets persisted from 10 s on,
    /// and a rebalance as soon as routes are in.
    pub fn start(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        ctx.note(Note::ConsumerStarted { consumer: self.index });
        self.update_routes(ctx, spec);
        ctx.set_timer(self.node, 1_000, Timer::HeartBeat);
        ctx.set_timer(self.node, 10_000, Timer::PersistAll);
        self.start_rebalance_service(ctx);
    }

    pub fn update_routes(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        for t in self.topics.clone() {
            let opaque = self.opaque(Pending::Route);
            request_route(ctx, spec, self.node, opaque, t);
        }
        ctx.set_timer(self.node, self.config.poll_name_server_interval as u64, Timer::UpdateRoute);
    }

    pub fn on_route(&mut self, ctx: &mut Ctx<World>, spec: &Spec, topic: u32, route: Option<TopicRouteData>) {
        let first = !self.routes.contains_key(&topic);
        // TOPIC_NOT_EXIST keeps the route the client had.
        let Some(route) = route else { return };
        if self.routes.get(&topic) != Some(&route) {
            let masters = route.groups.iter().filter(|g| g.addr(MASTER_ID).is_some()).count() as u32;
            ctx.note(Note::RouteUpdated { client: self.node, topic, groups_with_master: masters });
            self.routes.insert(topic, route);
        }
        if first {
            self.heartbeat(ctx);
            self.wakeup_rebalance(ctx, spec);
        }
    }

    /// HEART_BEAT to every broker address of every route.
    pub fn heartbeat(&mut self, ctx: &mut Ctx<World>) {
        let mut nodes: Vec<NodeId> =
            self.routes.values().flat_map(|r| r.groups.iter()).flat_map(|g| g.addrs.iter().map(|(_, n)| *n)).collect();
        nodes.sort();
        nodes.dedup();
        for n in nodes {
            let msg = Msg::HeartBeat { client_id: self.client_id.clone(), consumer_group: Some(self.group.clone()) };
            ctx.send(self.node, n, msg);
        }
    }

    /// `persistAllConsumerOffset`: CLUSTERING sends each assigned queue's offset (oneway)
    /// to the master, or the first address of the group when the master is missing;
    /// BROADCASTING writes its file.
    pub fn persist_all(&mut self, ctx: &mut Ctx<World>) {
        let mqs: Vec<Mq> = self.pull_requests.keys().copied().collect();
        for mq in mqs {
            self.persist(ctx, mq);
        }
    }

    pub(crate) fn persist(&mut self, ctx: &mut Ctx<World>, mq: Mq) {
        let Some(offset) = self.offset_store.read(mq) else { return };
        if !self.clustering() {
            self.offset_store.file.insert(mq, offset);
            return;
        }
        if let Some((node, _)) = find_broker_address_in_subscribe(&self.routes, mq.group, MASTER_ID, false) {
            let key = OffsetKey { group: self.group.clone(), mq };
            ctx.send(self.node, node, Msg::UpdateConsumerOffset { key, offset });
        }
    }

    /// A request to `node` failed (refused connection or timeout).
    pub fn on_request_failed(&mut self, ctx: &mut Ctx<World>, opaque: u64) {
        let Some(p) = self.pending.remove(&opaque) else { return };
        match p {
            Pending::Pull { mq, generation, node } => {
                ctx.note(Note::PullFailed { consumer: self.index, mq, to: node });
                self.pull_later_after_exception(ctx, mq, generation)
            }
            // The queue is taken again at the next rebalance.
            Pending::QueryOffset { mq, generation } | Pending::MaxOffset { mq, generation } => {
                if self.pull_requests.get(&mq).is_some_and(|p| p.generation == generation) {
                    self.pull_requests.remove(&mq);
                }
            }
            Pending::Route | Pending::ConsumerList { .. } => {}
        }
    }

    /// Requests in flight to `node` fail at once (its process died, closing the connection).
    pub fn on_connection_failed(&mut self, ctx: &mut Ctx<World>, node: NodeId) {
        let failed: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| matches!(p, Pending::Pull { node: n, .. } if *n == node))
            .map(|(o, _)| *o)
            .collect();
        for opaque in failed {
            self.on_request_failed(ctx, opaque);
        }
    }
}
