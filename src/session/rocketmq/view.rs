//! The RocketMQ run's view model at the cursor (see [`crate::session::rocketmq_view`]).
use super::resolve::{broker_name, node_key};
use super::text::{mq_name, step_event};
use super::{RocketMqRun, RocketMqSimulation};
use crate::kernel::NodeId;
use crate::rocketmq::broker::Broker;
use crate::rocketmq::client::consumer::Consumer;
use crate::rocketmq::client::find_broker_address_in_subscribe;
use crate::rocketmq::world::{Spec, World};
use crate::scenario::Text;
use crate::session::rocketmq_view::*;
use crate::session::view::{ClusterView, ViewOptions};
use crate::session::wire::{self, Naming};

struct Ctx<'a> {
    sim: &'a RocketMqSimulation,
    world: &'a World,
    spec: &'a Spec,
    opts: &'a ViewOptions,
}

impl RocketMqRun {
    pub fn view(&self, opts: &ViewOptions, narrations: &[Text], narration: Option<String>) -> ClusterView {
        let sim = self.timeline.current();
        let c = Ctx { sim, world: &sim.model, spec: &sim.model.spec, opts };
        let key = |n: NodeId| node_key(c.spec, n);
        let naming = Naming { key: &key, name: &key };
        let cursor = sim.steps();
        let rocketmq = RocketMqView {
            version: c.spec.version.label().to_string(),
            name_servers: name_servers(&c),
            groups: groups(&c),
            producers: producers(&c),
            consumers: c.world.consumers.iter().map(|x| consumer(&c, x, self.consumed(x.index, cursor))).collect(),
        };
        ClusterView {
            step: cursor,
            time_ms: sim.now(),
            in_flight: wire::in_flight(sim, &naming, opts.max_messages, opts.summaries),
            in_flight_total: sim.in_flight().count(),
            narration,
            cuts: wire::cuts(sim, &naming),
            slow: wire::slow(sim, &naming),
            event: step_event(self, narrations, cursor, opts.lang),
            dropped: wire::dropped(&self.timeline, cursor, &naming),
            rocketmq: Some(rocketmq),
            ..ClusterView::default()
        }
    }
}

fn name_servers(c: &Ctx) -> Vec<NameServerView> {
    c.world
        .name_servers
        .iter()
        .map(|n| NameServerView {
            key: node_key(c.spec, n.node),
            up: true,
            brokers: n.live.keys().map(|b| broker_name(c.spec, *b)).collect(),
        })
        .collect()
}

fn groups(c: &Ctx) -> Vec<BrokerGroupView> {
    (0..c.spec.groups.len() as u32)
        .map(|g| {
            let members = c.spec.members(g);
            BrokerGroupView {
                name: c.spec.groups[g as usize].clone(),
                writable: c.world.master(g).running,
                brokers: members.iter().map(|b| broker(c, &c.world.brokers[*b])).collect(),
            }
        })
        .collect()
}

fn status(c: &Ctx, b: &Broker) -> &'static str {
    match (b.running, c.world.power_lost[b.index]) {
        (true, _) => "up",
        (false, false) => "crashed",
        (false, true) => "powered-off",
    }
}

fn broker(c: &Ctx, b: &Broker) -> RmqBrokerView {
    let log = &b.store.commit_log;
    let cells = c.opts.cells as usize;
    let entries = log.entries();
    let tail = &entries[entries.len().saturating_sub(cells)..];
    let queue = |mq| {
        let name = mq_name(c.spec, mq);
        name.split_once(':').map_or(name.clone(), |(_, rest)| rest.to_string())
    };
    let now = c.sim.now();
    RmqBrokerView {
        key: broker_name(c.spec, b.index),
        broker_id: b.config.broker_id,
        role: b.config.broker_role.java_name().to_string(),
        flush: b.config.flush_disk_type.java_name().to_string(),
        status: status(c, b).to_string(),
        max_offset: log.max_offset(),
        flushed: log.flushed,
        messages: log.len(),
        commit_log: tail
            .iter()
            .map(|e| CommitLogEntryView {
                phys_offset: e.phys_offset,
                record: e.record,
                queue: queue(e.mq),
                queue_offset: e.queue_offset,
                dirty: e.end() > log.flushed,
            })
            .collect(),
        consume_queues: b
            .store
            .consume_queues
            .iter()
            .map(|(mq, q)| ConsumeQueueView {
                topic: c.spec.topics[mq.topic as usize].name.clone(),
                queue_id: mq.queue_id,
                max_offset: q.len(),
            })
            .collect(),
        slaves: b.slaves.iter().map(|(n, s)| (node_key(c.spec, *n), s.ack)).collect(),
        master: b.master_addr.map(|n| node_key(c.spec, n)),
        held: b
            .held
            .iter()
            .map(|h| HeldPullView {
                consumer: node_key(c.spec, h.consumer),
                queue: mq_name(c.spec, h.req.mq),
                offset: h.req.queue_offset,
                remaining_ms: h.deadline().saturating_sub(now),
            })
            .collect(),
        offsets: offsets(c, b),
        slow_ms: c.sim.network().slowness(b.node),
    }
}

fn producers(c: &Ctx) -> Vec<RmqProducerView> {
    // (sent, stored, failed) per producer, in one pass over the messages and their tracks.
    let mut counts = vec![(0u64, 0u64, 0u64); c.spec.producers.len()];
    for (i, r) in c.world.records.iter().enumerate() {
        let n = &mut counts[r.producer as usize];
        n.0 += 1;
        if let Some(t) = c.sim.checker.records.get(i) {
            n.1 += u64::from(t.acked_offset.is_some());
            n.2 += u64::from(t.failed);
        }
    }
    c.spec
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = &c.world.producers[i];
            let (sent, stored, failed) = counts[i];
            RmqProducerView {
                key: p.name.clone(),
                up: x.running,
                sent,
                stored,
                failed,
                in_flight: x.in_flight.len() + x.waiting.len(),
            }
        })
        .collect()
}

fn consumer(c: &Ctx, x: &Consumer, consumed: u64) -> RmqConsumerView {
    let queues = x
        .pull_requests
        .iter()
        .map(|(mq, pr)| {
            // Where its next pull goes: the suggested broker if its route has it, else as
            // findBrokerAddressInSubscribe falls back.
            let id = x.pull_from_which_node.get(mq).copied().unwrap_or(0);
            let to = find_broker_address_in_subscribe(&x.routes, mq.group, id, false);
            let from = to.and_then(|(_, id)| c.world.broker_index(mq.group, id));
            RmqQueueView {
                queue: mq_name(c.spec, *mq),
                next_offset: pr.next_offset,
                process_queue: pr.process_queue.msgs.keys().copied().collect(),
                offset: x.offset_store.table.get(mq).copied(),
                pulls_from: from.map_or_else(String::new, |b| broker_name(c.spec, b)),
            }
        })
        .collect();
    RmqConsumerView {
        key: x.client_id.clone(),
        group: x.group.clone(),
        up: x.running,
        message_model: x.config.message_model.java_name().to_string(),
        queues,
        consumed,
    }
}

/// The consumerOffset table: every key in memory or in consumerOffset.json.
fn offsets(c: &Ctx, b: &Broker) -> Vec<OffsetRowView> {
    let mut keys: Vec<&crate::rocketmq::OffsetKey> = b.offsets.persisted.keys().collect();
    if b.running {
        keys.extend(b.offsets.table.keys());
    }
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| OffsetRowView {
            group: k.group.clone(),
            queue: mq_name(c.spec, k.mq),
            offset: if b.running { b.offsets.table.get(k).copied() } else { None },
            persisted: b.offsets.persisted.get(k).copied(),
        })
        .collect()
}
