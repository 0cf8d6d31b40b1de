//! The RocketMQ adapter: each note becomes the model-neutral observations the
//! record-history checks judge. What a note lacks is kept here: the queue offset each
//! master stored a message at (a `SendFinished` does not say), the unflushed CommitLog
//! tail of a broker that lost power (its restart names only the records it lost), and
//! what explains a duplicate in RocketMQ's words (the group's highest commit per queue,
//! the offset tables that went back). Names and store searches are answered lazily
//! through [`WorldLookup`].
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{explain, mq_of, stream_of, NO_QUEUE};
use crate::checker::observation::{Processed, Stored};
use crate::checker::{AnomalyKind, At, History, Lookup, Observation, ReadBy, RecordRef, StreamId};
use crate::rocketmq::message::{LogEntry, SendStatus};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{BrokerIndex, Mq, OffsetKey, RecordId, SendMode};
use crate::rocketmq::world::World;

/// The entry at queue offset `offset` of `mq` in broker `b`'s store: through its
/// ConsumeQueue, or in the CommitLog tail not dispatched yet.
pub(super) fn entry_at(world: &World, b: BrokerIndex, mq: Mq, offset: u64) -> Option<&LogEntry> {
    let store = &world.brokers.get(b)?.store;
    let is = |e: &&LogEntry| e.mq == mq && e.queue_offset == offset;
    if let Some((phys, _)) = store.consume_queues.get(&mq).and_then(|cq| cq.get(offset)) {
        return store.commit_log.entry_at(phys).filter(is);
    }
    store.commit_log.entries_from(store.reput_offset).iter().find(is)
}

/// The world, as the neutral checks may ask it. A primary is a broker index.
pub struct WorldLookup<'a>(pub &'a World);

impl Lookup for WorldLookup<'_> {
    fn stream_name(&self, stream: StreamId) -> String {
        super::stream_name(&self.0.spec, stream)
    }
    fn client_name(&self, who: ReadBy) -> &str {
        match who {
            ReadBy::Consumer(c) => self.0.spec.consumers.get(c as usize).map_or("?", |c| c.name.as_str()),
            ReadBy::Reader(_) => "reader",
        }
    }
    fn writer_name(&self, writer: u32) -> String {
        self.0.spec.producers.get(writer as usize).map_or_else(|| format!("producer {writer}"), |p| p.name.clone())
    }
    fn transaction_name(&self, transaction: i64) -> String {
        format!("transaction {transaction}")
    }
    fn primary_name(&self, primary: u32) -> String {
        let spec = &self.0.spec;
        match spec.brokers.get(primary as usize) {
            Some(_) => spec.node_name(spec.broker_node(primary as usize)),
            None => format!("broker {primary}"),
        }
    }
    fn record_at(&self, primary: u32, stream: StreamId, offset: u64) -> Option<RecordRef> {
        entry_at(self.0, primary as usize, mq_of(stream)?, offset).map(|e| RecordRef(e.record))
    }
    fn held(&self, stream: StreamId, record: RecordRef, offset: Option<u64>) -> bool {
        let Some(mq) = mq_of(stream) else { return false };
        self.0.spec.members(mq.group).into_iter().any(|b| match offset {
            Some(o) => entry_at(self.0, b, mq, o).is_some_and(|e| e.record == record.0),
            None => self.0.brokers[b].store.commit_log.entries().iter().any(|e| e.mq == mq && e.record == record.0),
        })
    }
    fn deliverable(&self, stream: StreamId, from: u64, to: u64, _read_committed: bool) -> Vec<RecordRef> {
        let Some(mq) = mq_of(stream) else { return Vec::new() };
        let master = self.0.spec.master_of(mq.group);
        (from..to).filter_map(|o| entry_at(self.0, master, mq, o).map(|e| RecordRef(e.record))).collect()
    }
}

/// What the adapter remembers between notes.
#[derive(Clone, Debug, Default)]
pub(super) struct Adapter {
    /// Where masters stored each message whose send has not finished: (record, queue) →
    /// queue offset.
    stored_at: BTreeMap<(RecordId, Mq), u64>,
    /// A broker that lost power: its CommitLog tail not flushed then (lost at its restart).
    unflushed: BTreeMap<BrokerIndex, Vec<LogEntry>>,
    /// Consumer group names, shared with the checks.
    groups: BTreeMap<String, Rc<str>>,
    /// How many times each consumer's process started.
    incarnations: BTreeMap<u32, u32>,
    /// The step each consumer took each queue it holds at.
    took: BTreeMap<(u32, Mq), u64>,
    stale: explain::Stale,
}

impl Adapter {
    pub(super) fn observe_note(&mut self, history: &mut History, at: At, world: &World, note: &Note) {
        match note {
            Note::MessageStored { broker, record, mq, queue_offset, .. } => {
                self.stored(history, at, world, (*broker, *record, *mq, *queue_offset))
            }
            Note::SendFinished { record, status, mq, .. } => self.finished(history, at, world, *record, status, *mq),
            Note::BrokerCrashed { broker, power_loss: true } => {
                let log = &world.brokers[*broker].store.commit_log;
                self.unflushed.insert(*broker, log.entries_from(log.flushed).to_vec());
            }
            Note::BrokerRestarted { broker, lost } => {
                self.stale.restarted(world, at, *broker);
                self.removed(history, at, world, *broker, lost)
            }
            Note::Consumed { consumer, record, mq, queue_offset } => {
                self.consumed(history, at, world, *consumer, (*record, *mq, *queue_offset))
            }
            Note::ConsumerStarted { consumer } => {
                *self.incarnations.entry(*consumer).or_default() += 1;
                self.took.retain(|(c, _), _| c != consumer);
            }
            Note::Rebalanced { consumer, topic, queues } => {
                self.took.retain(|(c, mq), _| c != consumer || mq.topic != *topic || queues.contains(mq));
                for mq in queues {
                    self.took.entry((*consumer, *mq)).or_insert(at.step);
                }
            }
            Note::OffsetCommitted { broker, key, offset, via, .. } => {
                self.committed(history, at, world, (*broker, key, *offset, via))
            }
            Note::OffsetsSynced { slave, regressed, .. } => {
                for (key, old, new) in regressed {
                    let group = self.group(&key.group);
                    self.stale.regressed(at, group, stream_of(key.mq), (*slave, *old, *new));
                }
            }
            _ => {}
        }
    }

    /// Announce every message with an attempt in flight (the sends of this step).
    pub(super) fn announce_in_flight(&mut self, history: &mut History, at: At, world: &World) {
        for p in &world.producers {
            for a in p.in_flight.values() {
                announce(history, at, world, RecordRef(a.call.record), stream_of(a.mq), false);
            }
        }
    }

    fn group(&mut self, name: &str) -> Rc<str> {
        self.groups.entry(name.to_string()).or_insert_with(|| name.into()).clone()
    }

    /// The group a consumer processes for: its consumer group, or (BROADCASTING, where
    /// every member gets every message) a group of its own.
    fn group_of(&mut self, world: &World, consumer: u32) -> Rc<str> {
        let c = &world.consumers[consumer as usize];
        if c.clustering() {
            self.group(&c.group)
        } else {
            self.group(&format!("{} ({})", c.group, c.client_id))
        }
    }

    fn stored(&mut self, history: &mut History, at: At, world: &World, (b, record, mq, offset): (usize, u64, Mq, u64)) {
        let (r, stream) = (RecordRef(record), stream_of(mq));
        announce(history, at, world, r, stream, false);
        let info = world.record(record);
        // A oneway send finished when it left (no result to wait for).
        if info.is_some_and(|i| i.mode != SendMode::Oneway) {
            self.stored_at.insert((record, mq), offset);
        }
        let writer = info.map_or(0, |i| i.producer);
        let s = Stored { primary: b as u32, stream, offset, record: r, writer };
        history.observe(at, &Observation::Stored(s), &WorldLookup(world));
    }

    /// The send's result reached the application.
    fn finished(
        &mut self,
        history: &mut History,
        at: At,
        world: &World,
        record: RecordId,
        status: &Result<SendStatus, String>,
        mq: Option<Mq>,
    ) {
        let lo = Mq { topic: 0, group: 0, queue_id: 0 };
        let hi = Mq { topic: u32::MAX, group: u32::MAX, queue_id: u32::MAX };
        let places: Vec<(Mq, u64)> =
            self.stored_at.range((record, lo)..=(record, hi)).map(|((_, m), o)| (*m, *o)).collect();
        for (m, _) in &places {
            self.stored_at.remove(&(record, *m));
        }
        let info = world.record(record);
        let topic = mq.map_or_else(|| info.map_or(0, |i| i.topic), |m| m.topic);
        let stream = mq.map_or(StreamId { topic, index: NO_QUEUE }, stream_of);
        let (r, lookup) = (RecordRef(record), &WorldLookup(world));
        match status {
            // All four statuses mean "stored on the master".
            Ok(_) => {
                // The track's stream is where the application was told the message is.
                announce(history, at, world, r, stream, true);
                let Some(mq) = mq else { return };
                let Some(offset) = places.iter().find(|(m, _)| *m == mq).map(|(_, o)| *o) else { return };
                let master = world.spec.master_of(mq.group);
                let overwritten = entry_at(world, master, mq, offset).is_some_and(|e| e.record != record);
                history.observe(at, &Observation::Acknowledged { record: r, stream, offset, overwritten }, lookup)
            }
            // Oneway: no result at all (nothing the application counts on).
            Err(_) if info.is_some_and(|i| i.mode == SendMode::Oneway) => {}
            Err(_) => {
                announce(history, at, world, r, stream, false);
                let obs = Observation::SendFailed { record: r, stream, error: "send failed", unchecked: false };
                history.observe(at, &obs, lookup)
            }
        }
    }

    /// A broker restarted after a power loss without its unflushed CommitLog tail.
    fn removed(&mut self, history: &mut History, at: At, world: &World, broker: BrokerIndex, lost: &[RecordId]) {
        let Some(tail) = self.unflushed.remove(&broker) else { return };
        for e in tail.iter().filter(|e| lost.contains(&e.record)) {
            let (record, stream) = (RecordRef(e.record), stream_of(e.mq));
            // A copy a retry left elsewhere is not where the application was told it is.
            if history.track(record).and_then(|t| t.stream) != Some(stream) {
                continue;
            }
            let before = history.anomalies.len();
            let obs = Observation::Removed { stream, offset: e.queue_offset, record };
            history.observe(at, &obs, &WorldLookup(world));
            explain::lost_at_restart(history, before, world, broker);
        }
    }

    fn consumed(&mut self, history: &mut History, at: At, world: &World, consumer: u32, place: (RecordId, Mq, u64)) {
        let (record, mq, offset) = place;
        let group = self.group_of(world, consumer);
        let (r, stream) = (RecordRef(record), stream_of(mq));
        let prev = history.processed_by(&group, r);
        let before = history.anomalies.len();
        let incarnation = self.incarnations.get(&consumer).copied().unwrap_or(0);
        // RocketMQ has no group generations: each client rebalances on its own.
        let p = Processed {
            consumer,
            group: &group,
            stream,
            offset,
            record: r,
            generation: 0,
            incarnation,
            transactional: false,
            // No message keys in the RocketMQ model yet: ordered sends come with issue 11.
            key: None,
        };
        history.observe(at, &Observation::Processed(p), &WorldLookup(world));
        if history.anomalies.len() > before {
            let took = self.took.get(&(consumer, mq)).copied();
            let d = explain::Duplicate { consumer, incarnation, prev, record, mq, offset, took };
            let cause = explain::duplicate_cause(world, &self.stale, &group, &d);
            explain::replace_cause(history, AnomalyKind::DuplicateProcessing, &cause);
        }
    }

    /// A consumer's offset reached a broker's table (never the slave's copy of its master's).
    fn committed(
        &mut self,
        history: &mut History,
        at: At,
        world: &World,
        (broker, key, offset, via): (BrokerIndex, &OffsetKey, u64, &str),
    ) {
        if via == "sync" {
            return;
        }
        let (group, stream) = (self.group(&key.group), stream_of(key.mq));
        self.stale.committed(at, group.clone(), stream, (offset, broker));
        let by = format!("{via} at {}", world.spec.node_name(world.spec.broker_node(broker)));
        history.observe(at, &Observation::CommittedPast { group: &group, stream, offset, by: &by }, &WorldLookup(world))
    }
}

/// Tell the history a record was sent, to `stream`: only if it has no stream yet, or
/// (`moved`) whenever it names another one.
fn announce(history: &mut History, at: At, world: &World, record: RecordRef, stream: StreamId, moved: bool) {
    let now = history.track(record).and_then(|t| t.stream);
    if now.is_none() || (moved && now != Some(stream)) {
        history.observe(at, &Observation::Sent { record, stream }, &WorldLookup(world));
    }
}
