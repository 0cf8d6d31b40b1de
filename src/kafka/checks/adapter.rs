//! The Kafka adapter: each note becomes the model-neutral observations the record-history
//! checks judge, in the order the checker has always reported in; the Kafka-only replica
//! checks run on the notes they need. Facts a check needs cheaply (is this consumer
//! transactional, which producer wrote a record) go into the observation; names and log
//! searches are answered lazily through [`WorldLookup`], when a rule is about to fire.
use std::collections::BTreeSet;

use super::KafkaChecker;
use crate::checker::observation::{MemberAssigned, PositionSet, Processed, Read, Stored};
use crate::checker::{At, Lookup, Observation, ReadBy, RecordRef, StreamId};
use crate::kafka::config::{IsolationLevel, SendStyle};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, RecordId, Tp};
use crate::kafka::world::World;
use crate::kernel::sort::CollectBTree;

/// The brokers that host a partition (its assignment).
pub(super) fn replicas_of(world: &World, tp: Tp) -> impl Iterator<Item = BrokerId> + '_ {
    world.spec.topics[tp.topic as usize].assignment[tp.partition as usize].iter().copied()
}

fn rec(r: RecordId) -> RecordRef {
    RecordRef(r.0)
}

/// The world, as the neutral checks may ask it.
pub(super) struct WorldLookup<'a>(pub &'a World);

impl Lookup for WorldLookup<'_> {
    fn stream_name(&self, stream: StreamId) -> String {
        self.0.spec.tp_name(stream.into())
    }
    fn client_name(&self, who: ReadBy) -> &str {
        match who {
            ReadBy::Reader(r) => &self.0.readers[r as usize].name,
            ReadBy::Consumer(c) => &self.0.consumers[c as usize].name,
        }
    }
    fn writer_name(&self, writer: u32) -> String {
        self.0.spec.producer_name(writer)
    }
    fn transaction_name(&self, transaction: i64) -> String {
        format!("producer id {transaction}")
    }
    fn record_at(&self, primary: u32, stream: StreamId, offset: u64) -> Option<RecordRef> {
        let replica = self.0.broker(BrokerId(primary)).replicas.get(&stream.into())?;
        replica.log.get(offset).map(|r| rec(r.id))
    }
    fn held(&self, stream: StreamId, record: RecordRef, offset: Option<u64>) -> bool {
        let (tp, id) = (Tp::from(stream), RecordId(record.0));
        replicas_of(self.0, tp).any(|b| {
            self.0.broker(b).replicas.get(&tp).is_some_and(|x| match offset {
                Some(o) => x.log.get(o).is_some_and(|r| r.id == id),
                None => x.log.records().any(|r| r.id == id),
            })
        })
    }
    fn deliverable(&self, stream: StreamId, from: u64, to: u64, read_committed: bool) -> Vec<RecordRef> {
        let Some(log) = self.0.leader_log(stream.into()) else { return Vec::new() };
        // Transaction markers are never returned to an application, and a read_committed
        // group never gets aborted records.
        (from..to)
            .filter_map(|o| {
                log.get(o).filter(|r| r.control.is_none() && !(read_committed && log.is_aborted(o))).map(|r| rec(r.id))
            })
            .collect()
    }
}

impl KafkaChecker {
    pub(super) fn observe_note(&mut self, at: At, world: &World, note: &Note) {
        match note {
            Note::RecordSent { .. }
            | Note::RecordAcked { .. }
            | Note::RecordFailed { .. }
            | Note::RecordSentNoAck { .. } => self.writes(at, world, note),
            Note::Appended { as_leader: true, .. }
            | Note::Truncated { .. }
            | Note::HighWatermark { .. }
            | Note::TxnMarker { .. } => self.logs(at, world, note),
            Note::SegmentsDeleted { tp, .. } => {
                // Forgettable once deleted from every replica (the lowest log start offset).
                let start = replicas_of(world, *tp)
                    .filter_map(|b| world.broker(b).replicas.get(tp).map(|r| r.log.log_start_offset()))
                    .min()
                    .unwrap_or(0);
                let lookup = &WorldLookup(world);
                self.history.observe(at, &Observation::Expired { stream: (*tp).into(), start }, lookup)
            }
            Note::Read { .. } | Note::ReaderHighWatermark { .. } => self.reads(at, world, note),
            Note::RecordProcessed { .. }
            | Note::OffsetCommitted { .. }
            | Note::ConsumerPosition { .. }
            | Note::ConsumerOffsetOutOfRange { .. }
            | Note::Assignment { .. } => self.groups(at, world, note),
            _ => {}
        }
    }

    /// What producers learned of their records.
    fn writes(&mut self, at: At, world: &World, note: &Note) {
        let lookup = &WorldLookup(world);
        let history = &mut self.history;
        match note {
            Note::RecordSent { record, tp, .. } => {
                history.observe(at, &Observation::Sent { record: rec(*record), stream: (*tp).into() }, lookup)
            }
            Note::RecordAcked { record, tp, offset } => {
                // Acknowledged, but already overwritten by the time the answer came?
                let overwritten = !replicas_of(world, *tp)
                    .filter_map(|b| world.broker(b).replicas.get(tp))
                    .filter(|r| r.is_leader)
                    .all(|r| r.log.get(*offset).is_none_or(|x| x.id == *record));
                let stream = (*tp).into();
                let obs = Observation::Acknowledged { record: rec(*record), stream, offset: *offset, overwritten };
                history.observe(at, &obs, lookup)
            }
            Note::RecordFailed { record, tp, error } => {
                let producer = record.index().and_then(|i| world.records.get(i)).map(|i| i.producer);
                let style = producer.and_then(|p| world.spec.producer_config(p)).map(|c| c.send_style);
                let unchecked = style == Some(SendStyle::FireAndForget);
                let stream = (*tp).into();
                let obs = Observation::SendFailed { record: rec(*record), stream, error: error.name(), unchecked };
                history.observe(at, &obs, lookup)
            }
            Note::RecordSentNoAck { record, .. } => {
                history.observe(at, &Observation::SentUnacknowledged { record: rec(*record) }, lookup)
            }
            _ => {}
        }
    }

    /// What leaders wrote, replicas removed, and transaction markers ended.
    fn logs(&mut self, at: At, world: &World, note: &Note) {
        let lookup = &WorldLookup(world);
        let history = &mut self.history;
        match note {
            Note::Appended { broker, tp, first_offset, count, as_leader: true } => {
                let Some(replica) = world.broker(*broker).replicas.get(tp) else { return };
                for offset in *first_offset..first_offset + u64::from(*count) {
                    let Some(r) = replica.log.get(offset) else { continue };
                    let writer = r.id.index().and_then(|i| world.records.get(i)).map(|i| i.producer).unwrap_or(0);
                    let stored = Stored { primary: broker.0, stream: (*tp).into(), offset, record: rec(r.id), writer };
                    history.observe(at, &Observation::Stored(stored), lookup);
                }
            }
            Note::Truncated { tp, offset, removed, .. } => {
                for (i, r) in removed.iter().enumerate() {
                    let obs = Observation::Removed { stream: (*tp).into(), offset: offset + i as u64, record: rec(*r) };
                    history.observe(at, &obs, lookup);
                }
            }
            Note::HighWatermark { broker, tp, high_watermark } => {
                self.divergence.high_watermark(history, at, world, (*broker, *tp), *high_watermark)
            }
            Note::TxnMarker { tp, commit, records, producer_id, .. } => {
                for r in records {
                    let obs = Observation::TransactionEnded {
                        stream: (*tp).into(),
                        record: rec(*r),
                        committed: *commit,
                        transaction: *producer_id,
                    };
                    history.observe(at, &obs, lookup);
                }
            }
            _ => {}
        }
    }

    /// What readers got, and the high watermarks they were told.
    fn reads(&mut self, at: At, world: &World, note: &Note) {
        let lookup = &WorldLookup(world);
        let history = &mut self.history;
        match note {
            Note::Read { reader, tp, offset, record, high_watermark } => {
                let info = record.index().and_then(|i| world.records.get(i));
                let (stream, record) = ((*tp).into(), rec(*record));
                let read = Read {
                    reader: *reader,
                    stream,
                    offset: *offset,
                    record,
                    writer: info.map(|i| i.producer).unwrap_or(0),
                    source: info.and_then(|i| i.source).map(rec),
                };
                history.observe(at, &Observation::Read(read), lookup);
                super::read_above_hw::read(history, at, lookup, &read, *high_watermark);
                let advanced = Observation::ReadAdvanced { reader: *reader, stream, offset: *offset, record };
                history.observe(at, &advanced, lookup);
            }
            Note::ReaderHighWatermark { reader, tp, high_watermark } => {
                self.nonmonotonic_hw.reader_high_watermark(history, at, lookup, (*reader, *tp), *high_watermark)
            }
            _ => {}
        }
    }

    /// What consumer groups processed, committed, started from and were assigned.
    fn groups(&mut self, at: At, world: &World, note: &Note) {
        let lookup = &WorldLookup(world);
        let history = &mut self.history;
        match note {
            Note::RecordProcessed { consumer, tp, offset, record, generation, incarnation } => {
                let c = &world.consumers[*consumer as usize];
                let info = world.records.get(record.0 as usize);
                let key = info.and_then(|r| r.key.as_ref().map(|k| (r.producer, k)));
                let processed = Processed {
                    consumer: *consumer,
                    group: &c.group,
                    stream: (*tp).into(),
                    offset: *offset,
                    record: rec(*record),
                    generation: *generation,
                    incarnation: *incarnation,
                    transactional: c.transactional(),
                    key,
                };
                history.observe(at, &Observation::Processed(processed), lookup)
            }
            Note::OffsetCommitted { group, tp, offset, member, .. } => {
                let obs = Observation::CommittedPast { group, stream: (*tp).into(), offset: *offset, by: member };
                history.observe(at, &obs, lookup)
            }
            Note::ConsumerPosition { consumer, tp, offset, from } => {
                let group = &world.consumers[*consumer as usize].group;
                let from_committed = *from == "committed";
                let read_committed = from_committed
                    && world
                        .consumers
                        .iter()
                        .any(|c| c.group == *group && c.config.isolation_level == IsolationLevel::ReadCommitted);
                let p = PositionSet { group, stream: (*tp).into(), offset: *offset, from_committed, read_committed };
                history.observe(at, &Observation::PositionSet(p), lookup)
            }
            Note::ConsumerOffsetOutOfRange { consumer, tp, offset, log_start_offset } => {
                let group = &world.consumers[*consumer as usize].group;
                let obs = Observation::PositionDeleted {
                    group,
                    stream: (*tp).into(),
                    offset: *offset,
                    start: *log_start_offset,
                };
                history.observe(at, &obs, lookup)
            }
            Note::Assignment { group, generation, assignment, .. } => {
                // Idle because there are more members than partitions (not because a
                // cooperative rebalance withholds partitions for one generation).
                let topics: BTreeSet<u32> = world
                    .consumers
                    .iter()
                    .filter(|c| c.group == *group)
                    .flat_map(|c| c.topics.iter().copied())
                    .btree_set();
                let streams: u32 = topics.iter().map(|t| world.spec.topics[*t as usize].partitions).sum();
                for (member, tps) in assignment {
                    let m = MemberAssigned {
                        group,
                        generation: *generation,
                        member,
                        assigned: tps.len(),
                        members: assignment.len(),
                        streams,
                    };
                    history.observe(at, &Observation::MemberAssigned(m), lookup);
                }
            }
            _ => {}
        }
    }
}
