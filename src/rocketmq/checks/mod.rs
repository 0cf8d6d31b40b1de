//! The RocketMQ side of the checker: the adapter that turns the RocketMQ trace (notes, and
//! reads of the [`World`]) into the model-neutral observations the record-history checks
//! judge (`crate::checker`).
//!
//! Words: a *stream* is a message queue. A topic has queues on every broker group, so a
//! stream is (broker group, topic, queue id), numbered by [`stream_of`]: the topic's index,
//! and `group * QUEUES_PER_GROUP + queue_id`. Its *primary* is the group's master; a slave
//! holds a byte-for-byte copy (same queue offsets). Offsets are queue (logical) offsets.
//!
//! What reaches the neutral checks:
//! - sent: a producer's call (announced once its first attempt is in flight or a note names it);
//! - acknowledged: `SendFinished` with SEND_OK, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT or
//!   SLAVE_NOT_AVAILABLE (all four mean "stored on the master"), at the queue offset the
//!   master stored it at; failed: `SendFinished` with an error (the application sees it);
//! - stored: `MessageStored` on a master; removed: a power loss's restart dropping the
//!   unflushed CommitLog tail (the model never truncates a slave);
//! - processed: `Consumed` (CONSUME_SUCCESS) by a member of a consumer group (a
//!   BROADCASTING consumer counts as a group of its own: each member gets every message);
//! - committed: `OffsetCommitted` at a master's or a slave's table by a consumer (a pull's
//!   piggyback or UPDATE_CONSUMER_OFFSET), never the slave's one-way copy of its master's
//!   table (`SlaveSynchronize`): that copy moving back is the lesson, but it is replication
//!   of a table, not the group committing; what it costs shows as `duplicate-processing`
//!   when a consumer then starts a queue from it.
//!
//! So `lost-write`, `duplicate`, `nonmonotonic-send`, `duplicate-processing` and
//! `nonmonotonic-commit` judge RocketMQ runs. Not fed: reads by standalone readers (the
//! model has none: `nonmonotonic-poll`, `read-above-hw`), the position a consumer starts a
//! queue from (no note tells a stored offset from a reset: `poll-skip`), transactions,
//! oneway sends (no result: nothing the application counts on), and Kafka's replica checks.
use std::ops::Deref;

use crate::checker::{At, History, StreamId};
use crate::kernel::{Checker, StepRecord};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::Mq;
use crate::rocketmq::world::{Spec, World};

mod adapter;
mod explain;

pub use adapter::WorldLookup;

/// Queue ids per broker group in a stream number: a queue id must stay below it.
pub const QUEUES_PER_GROUP: u32 = 1024;

/// The index of a stream whose queue is unknown (a send that never had a route).
pub const NO_QUEUE: u32 = u32::MAX;

/// The stream of a message queue.
pub fn stream_of(mq: Mq) -> StreamId {
    debug_assert!(mq.queue_id < QUEUES_PER_GROUP, "queue id {} too large for a stream number", mq.queue_id);
    StreamId { topic: mq.topic, index: mq.group * QUEUES_PER_GROUP + mq.queue_id }
}

/// The message queue of a stream (None for [`NO_QUEUE`]).
pub fn mq_of(stream: StreamId) -> Option<Mq> {
    (stream.index != NO_QUEUE).then_some(Mq {
        topic: stream.topic,
        group: stream.index / QUEUES_PER_GROUP,
        queue_id: stream.index % QUEUES_PER_GROUP,
    })
}

/// Display name of a stream: `broker-a:TopicTest:0` (broker name, topic, queue id).
pub fn stream_name(spec: &Spec, stream: StreamId) -> String {
    let topic = spec.topics.get(stream.topic as usize).map_or("?", |t| t.name.as_str());
    match mq_of(stream) {
        Some(mq) => {
            let group = spec.groups.get(mq.group as usize).map_or("?", |g| g.as_str());
            format!("{group}:{topic}:{}", mq.queue_id)
        }
        None => format!("{topic} (no queue)"),
    }
}

/// The checker a RocketMQ simulation runs. It reads through to the neutral [`History`]
/// (records, anomalies) it feeds: `checker.anomalies()`, `checker.track(record)`.
#[derive(Clone, Debug, Default)]
pub struct RocketMqChecker {
    history: History,
    adapter: adapter::Adapter,
}

impl Deref for RocketMqChecker {
    type Target = History;
    fn deref(&self) -> &History {
        &self.history
    }
}

impl Checker<World> for RocketMqChecker {
    fn observe(&mut self, world: &World, step: &StepRecord, notes: &[Note]) {
        let at = At { step: step.index, time_ms: step.time };
        for note in notes {
            self.adapter.observe_note(&mut self.history, at, world, note);
        }
        self.adapter.announce_in_flight(&mut self.history, at, world);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::AnomalyKind;
    use crate::kernel::{StepKind, StepRecord};
    use crate::rocketmq::config::{BrokerRole, FlushDiskType, Version};
    use crate::rocketmq::world::RecordInfo;
    use crate::rocketmq::SendMode;

    const MQ: Mq = Mq { topic: 0, group: 0, queue_id: 0 };

    #[test]
    fn streams_number_a_queue_of_each_group_apart() {
        let mq = Mq { topic: 2, group: 1, queue_id: 3 };
        assert_eq!(stream_of(mq), StreamId { topic: 2, index: 1027 });
        assert_eq!(mq_of(stream_of(mq)), Some(mq));
        assert_ne!(stream_of(mq), stream_of(Mq { group: 0, ..mq }));
        assert_eq!(mq_of(StreamId { topic: 0, index: NO_QUEUE }), None);
    }

    /// A lone master whose one queue stores records 0 and 1 of producer p in `order`,
    /// each `MessageStored` observed at its own step.
    fn stored_in(order: [u64; 2]) -> RocketMqChecker {
        let mut spec = Spec::classic(Version::V5, &["broker-a"], BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0)
            .expect("valid topology");
        spec.topic("t", 1);
        spec.producer("p");
        let mut world = World::new(spec);
        for _ in 0..2 {
            world.records.push(RecordInfo { producer: 0, topic: 0, mode: SendMode::Async, sent_at: 0 });
        }
        let mut checker = RocketMqChecker::default();
        for (i, record) in order.into_iter().enumerate() {
            let e = world.brokers[0].store.append(record, MQ, 256);
            let (queue_offset, phys_offset) = (e.queue_offset, e.phys_offset);
            let note = Note::MessageStored { broker: 0, record, mq: MQ, queue_offset, phys_offset };
            let step = StepRecord { index: i as u64 + 1, time: 0, kind: StepKind::Action { label: String::new() } };
            checker.observe(&world, &step, &[note]);
        }
        checker
    }

    #[test]
    fn nonmonotonic_send_when_a_queue_stores_a_producers_messages_out_of_send_order() {
        let checker = stored_in([1, 0]);
        let found: Vec<_> = checker.anomalies().collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, AnomalyKind::NonmonotonicSend);
        assert!(found[0]
            .detail
            .starts_with("record #0 (sent earlier) landed at offset 1, after record #1 at offset 0"));
    }

    #[test]
    fn no_nonmonotonic_send_in_send_order() {
        assert_eq!(stored_in([0, 1]).anomalies().count(), 0);
    }
}
