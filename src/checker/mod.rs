//! The checker: follows every record end to end and names what goes wrong, in Jepsen's
//! vocabulary, at the step where it became visible.
//!
//! It observes the trace's notes (and reads the cluster's logs through the model, never
//! changing them). It is part of the simulation value, so time travel restores it too.
//!
//! What it reports:
//! - `lost-write`: an acknowledged record is gone: a leader wrote another record at its
//!   offset, or the last replica holding it truncated it.
//! - `duplicate`: the same record twice in a leader's log (a retry appended it again).
//! - `nonmonotonic-send`: one producer's records appear in a partition out of send order.
//! - `divergence`: two replicas hold different records at an offset below both their HWs.
//! - `nonmonotonic-hw`: a reader saw a partition's high watermark go backwards.
//! - `read-above-hw`: a reader got a record at or above the high watermark it was told.
//! - `nonmonotonic-poll`: a reader got an offset lower than one it had already read.
//! - `duplicate-processing`: a consumer group processed a record more than once, with the
//!   cause (a rebalance, a crash before the commit, the record twice in the log).
//! - `poll-skip`: a consumer started a partition from a committed offset past records the
//!   group never processed (at-most-once loss).
//! - `nonmonotonic-commit`: a group's committed offset for a partition went backwards.
//! - `aborted-read`: a reader or a consumer got a record of a transaction that aborted
//!   (Jepsen's G1a); read_committed never does, read_uncommitted may.
//! - `duplicate-output`: a reader saw two outputs of one input record of a
//!   consume-transform-produce pipeline (exactly-once broken end to end).
//! - `idle-member` (a notice, not a failure): a member got no partition in a generation.
//!
//! A transactional pipeline may process a record twice (an aborted attempt, then the
//! one that commits): exactly-once is about effects, so it is judged by its outputs
//! (`duplicate-output`), not by `duplicate-processing`.
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::Serialize;

use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, RecordId, Tp};
use crate::kafka::world::World;
use crate::kernel::{Checker, ChunkedVec, StepRecord};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    LostWrite,
    Duplicate,
    NonmonotonicSend,
    Divergence,
    NonmonotonicHw,
    ReadAboveHw,
    NonmonotonicPoll,
    DuplicateProcessing,
    PollSkip,
    NonmonotonicCommit,
    AbortedRead,
    DuplicateOutput,
    IdleMember,
}

impl AnomalyKind {
    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::LostWrite => "lost-write",
            AnomalyKind::Duplicate => "duplicate",
            AnomalyKind::NonmonotonicSend => "nonmonotonic-send",
            AnomalyKind::Divergence => "divergence",
            AnomalyKind::NonmonotonicHw => "nonmonotonic-hw",
            AnomalyKind::ReadAboveHw => "read-above-hw",
            AnomalyKind::NonmonotonicPoll => "nonmonotonic-poll",
            AnomalyKind::DuplicateProcessing => "duplicate-processing",
            AnomalyKind::PollSkip => "poll-skip",
            AnomalyKind::NonmonotonicCommit => "nonmonotonic-commit",
            AnomalyKind::AbortedRead => "aborted-read",
            AnomalyKind::DuplicateOutput => "duplicate-output",
            AnomalyKind::IdleMember => "idle-member",
        }
    }

    /// Notices describe a situation worth seeing (an idle consumer), not a broken guarantee:
    /// they do not make a run fail.
    pub fn is_notice(self) -> bool {
        self == AnomalyKind::IdleMember
    }

    pub fn parse(s: &str) -> Option<AnomalyKind> {
        ALL_KINDS.iter().copied().find(|k| k.name() == s)
    }
}

pub const ALL_KINDS: [AnomalyKind; 13] = [
    AnomalyKind::LostWrite,
    AnomalyKind::Duplicate,
    AnomalyKind::NonmonotonicSend,
    AnomalyKind::Divergence,
    AnomalyKind::NonmonotonicHw,
    AnomalyKind::ReadAboveHw,
    AnomalyKind::NonmonotonicPoll,
    AnomalyKind::DuplicateProcessing,
    AnomalyKind::PollSkip,
    AnomalyKind::NonmonotonicCommit,
    AnomalyKind::AbortedRead,
    AnomalyKind::DuplicateOutput,
    AnomalyKind::IdleMember,
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    /// The step at which it became visible.
    pub step: u64,
    pub time_ms: u64,
    pub tp: Tp,
    pub records: Vec<RecordId>,
    pub detail: String,
}

/// What the checker knows of one record.
/// A client that read a record (named only when a report needs it: records are many).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadBy {
    Reader(u32),
    Consumer(u32),
}

impl ReadBy {
    fn name(self, world: &World) -> &str {
        match self {
            ReadBy::Reader(r) => &world.readers[r as usize].name,
            ReadBy::Consumer(c) => &world.consumers[c as usize].name,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordTrack {
    pub tp: Option<Tp>,
    pub acked_offset: Option<u64>,
    pub failed: bool,
    pub sent_without_ack: bool,
    /// Where the leader last appended it.
    pub leader_offset: Option<u64>,
    pub reads: u32,
    pub lost: bool,
    /// Its transaction aborted (or committed).
    pub aborted: bool,
    pub committed: bool,
    /// Who first read or processed it, for reports.
    pub first_reader: Option<ReadBy>,
    /// An aborted-read was reported for it.
    pub aborted_read_reported: bool,
}

#[derive(Clone, Debug, Default)]
pub struct KafkaChecker {
    pub records: ChunkedVec<RecordTrack>,
    /// Per partition, by offset: the acknowledged record there (`NONE` if none).
    acked_at: BTreeMap<Tp, ChunkedVec<u64>>,
    pub anomalies: ChunkedVec<Anomaly>,
    /// Per (partition, producer): the latest record (in send order) a leader appended,
    /// where, and which broker's log it is in.
    last_appended: BTreeMap<(Tp, u32), (RecordId, u64, BrokerId)>,
    /// Per (broker, partition): the HW up to which replicas were compared.
    hw_compared: BTreeMap<(BrokerId, Tp), u64>,
    reader_hw: BTreeMap<(u32, Tp), u64>,
    reader_last_offset: BTreeMap<(u32, Tp), u64>,
    diverged: BTreeSet<Tp>,
    /// Per (group, record): how the group last processed it.
    processing: BTreeMap<(Rc<str>, RecordId), Processing>,
    /// Per (group, partition): the committed offset.
    committed: BTreeMap<(Rc<str>, Tp), u64>,
    /// Per (group, partition): offsets below this were checked for skips.
    skip_checked: BTreeMap<(Rc<str>, Tp), u64>,
    /// Per (reader, input record): the pipeline output the reader saw for it.
    outputs_seen: BTreeMap<(u32, RecordId), RecordId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Processing {
    count: u32,
    consumer: u32,
    incarnation: u32,
    generation: i32,
    offset: u64,
}

const NONE: u64 = u64::MAX;

struct At {
    step: u64,
    time: u64,
}

impl KafkaChecker {
    fn acked_record_at(&self, tp: Tp, offset: u64) -> Option<RecordId> {
        let v = self.acked_at.get(&tp)?.get(offset as usize).copied()?;
        (v != NONE).then_some(RecordId(v))
    }

    fn set_acked_at(&mut self, tp: Tp, offset: u64, r: RecordId) {
        let v = self.acked_at.entry(tp).or_default();
        while v.len() <= offset as usize {
            v.push(NONE);
        }
        *v.get_mut(offset as usize).expect("grown above") = r.0;
    }

    pub fn anomalies(&self) -> impl Iterator<Item = &Anomaly> {
        self.anomalies.iter()
    }

    pub fn track(&self, r: RecordId) -> Option<&RecordTrack> {
        r.index().and_then(|i| self.records.get(i))
    }

    fn report(&mut self, at: &At, kind: AnomalyKind, tp: Tp, records: Vec<RecordId>, detail: String) {
        self.anomalies.push(Anomaly { kind, step: at.step, time_ms: at.time, tp, records, detail });
    }

    fn mark_lost(&mut self, at: &At, world: &World, r: RecordId, tp: Tp, offset: u64, why: &str) {
        let Some(t) = r.index().and_then(|i| self.records.get_mut(i)) else { return };
        if t.lost {
            return;
        }
        t.lost = true;
        let detail = format!("record #{} ({} offset {offset}) is gone: {why}", r.0, world.spec.tp_name(tp));
        self.report(at, AnomalyKind::LostWrite, tp, vec![r], detail);
    }

    fn on_leader_append(&mut self, at: &At, world: &World, broker: BrokerId, tp: Tp, first: u64, count: u32) {
        let Some(replica) = world.broker(broker).replicas.get(&tp) else { return };
        for o in first..first + u64::from(count) {
            let Some(rec) = replica.log.get(o) else { continue };
            let id = rec.id;
            // Someone else's acknowledged record was at this offset: it is overwritten.
            if let Some(acked) = self.acked_record_at(tp, o) {
                if acked != id {
                    let why =
                        format!("it was acknowledged, then broker {} wrote record #{} at that offset", broker.0, id.0);
                    self.mark_lost(at, world, acked, tp, o, &why);
                }
            }
            let Some(track) = id.index().and_then(|i| self.records.get_mut(i)) else { continue };
            let previous = track.leader_offset.replace(o);
            if let Some(p) = previous {
                if p != o && replica.log.get(p).is_some_and(|x| x.id == id) {
                    let detail = format!(
                        "record #{} is at offsets {p} and {o} of {}: the producer retried a batch whose first attempt had been written (a retry without idempotence)",
                        id.0,
                        world.spec.tp_name(tp)
                    );
                    self.report(at, AnomalyKind::Duplicate, tp, vec![id], detail);
                    // A second copy is a duplicate, not a reordering of the send.
                    continue;
                }
            }
            let producer = id.index().and_then(|i| world.records.get(i)).map(|i| i.producer).unwrap_or(0);
            // Only compare within one leader's log: a new leader's log is checked afresh.
            let last = self.last_appended.get(&(tp, producer)).copied().filter(|l| l.2 == broker);
            match last {
                Some((last, last_offset, _))
                    if last > id && last_offset < o && replica.log.get(last_offset).is_some_and(|x| x.id == last) =>
                {
                    let detail = format!(
                        "record #{} (sent earlier) landed at offset {o}, after record #{} at offset {last_offset}: a retried batch overtaken by a later one (several requests in flight, no idempotence)",
                        id.0, last.0
                    );
                    self.report(at, AnomalyKind::NonmonotonicSend, tp, vec![id, last], detail);
                }
                Some((last, last_offset, _)) if last > id && last_offset < o => {}
                _ => {
                    self.last_appended.insert((tp, producer), (id, o, broker));
                }
            }
        }
    }

    fn on_truncated(&mut self, at: &At, world: &World, tp: Tp, offset: u64, removed: &[RecordId]) {
        for (i, r) in removed.iter().enumerate() {
            let o = offset + i as u64;
            let Some(track) = r.index().and_then(|i| self.records.get(i)) else { continue };
            // acks=0: the producer counted it as delivered the moment it was sent.
            let counted_delivered =
                track.acked_offset == Some(o) || (track.sent_without_ack && track.acked_offset.is_none());
            if !counted_delivered {
                continue;
            }
            // An acknowledged record is looked for at its offset; an acks=0 one anywhere.
            let held = replicas_of(world, tp).any(|b| {
                world.broker(b).replicas.get(&tp).is_some_and(|x| match track.acked_offset {
                    Some(_) => x.log.get(o).is_some_and(|rec| rec.id == *r),
                    None => x.log.records().any(|rec| rec.id == *r),
                })
            });
            if !held {
                let why = if track.sent_without_ack {
                    "it was sent with acks=0 (so counted as delivered), and the last replica that had it truncated it"
                } else {
                    "it was acknowledged, and the last replica that had it truncated it"
                };
                self.mark_lost(at, world, *r, tp, o, why);
            }
        }
    }

    fn on_high_watermark(&mut self, at: &At, world: &World, broker: BrokerId, tp: Tp, hw: u64) {
        let from = self.hw_compared.get(&(broker, tp)).copied().unwrap_or(0).min(hw);
        self.hw_compared.insert((broker, tp), hw);
        if self.diverged.contains(&tp) {
            return;
        }
        let Some(mine) = world.broker(broker).replicas.get(&tp) else { return };
        let others: Vec<(BrokerId, &crate::kafka::log::PartitionLog)> = replicas_of(world, tp)
            .filter(|b| *b != broker)
            .filter_map(|b| world.broker(b).replicas.get(&tp).map(|r| (b, &r.log)))
            .filter(|(_, log)| log.high_watermark() > from)
            .collect();
        if others.is_empty() {
            return;
        }
        for (o, a) in (from..hw).zip(mine.log.records_from(from)) {
            for (other, theirs) in &others {
                if theirs.high_watermark() <= o {
                    continue;
                }
                if let Some(b) = theirs.get(o) {
                    if b.id != a.id {
                        let detail = format!(
                            "{} offset {o}: broker {} has record #{}, broker {} has record #{}, both below their high watermarks",
                            world.spec.tp_name(tp),
                            broker.0,
                            a.id.0,
                            other.0,
                            b.id.0
                        );
                        self.report(at, AnomalyKind::Divergence, tp, vec![a.id, b.id], detail);
                        self.diverged.insert(tp);
                        return;
                    }
                }
            }
        }
    }

    fn observe_note(&mut self, at: &At, world: &World, note: &Note) {
        match note {
            Note::RecordSent { record, tp, .. } => {
                let Some(i) = record.index() else { return };
                while self.records.len() <= i {
                    self.records.push(RecordTrack::default());
                }
                self.records.get_mut(i).expect("grown above").tp = Some(*tp);
            }
            Note::RecordAcked { record, tp, offset } => {
                if let Some(t) = record.index().and_then(|i| self.records.get_mut(i)) {
                    if t.acked_offset.is_none() {
                        t.acked_offset = Some(*offset);
                        self.set_acked_at(*tp, *offset, *record);
                        // Acknowledged, but already overwritten by the time the answer came?
                        let leader_has = replicas_of(world, *tp)
                            .filter_map(|b| world.broker(b).replicas.get(tp))
                            .filter(|r| r.is_leader)
                            .all(|r| r.log.get(*offset).is_none_or(|x| x.id == *record));
                        if !leader_has {
                            self.mark_lost(
                                at,
                                world,
                                *record,
                                *tp,
                                *offset,
                                "it was acknowledged, but the current leader has another record there",
                            );
                        }
                    }
                }
            }
            Note::RecordFailed { record, tp, error } => {
                if let Some(t) = record.index().and_then(|i| self.records.get_mut(i)) {
                    t.failed = true;
                }
                // Fire-and-forget: the application never looks at the result, so as far as
                // it knows the record was written.
                let producer = record.index().and_then(|i| world.records.get(i)).map(|i| i.producer);
                let style = producer.and_then(|p| world.spec.producer_config(p)).map(|c| c.send_style);
                if style == Some(crate::kafka::config::SendStyle::FireAndForget) {
                    if let Some(t) = record.index().and_then(|i| self.records.get_mut(i)).filter(|t| !t.lost) {
                        t.lost = true;
                        let detail = format!(
                            "record #{} (for {}): the send failed ({}), and the application, sending fire-and-forget, never checked the result; it counts the record as sent",
                            record.0,
                            world.spec.tp_name(*tp),
                            error.name()
                        );
                        self.report(at, AnomalyKind::LostWrite, *tp, vec![*record], detail);
                    }
                }
            }
            Note::RecordSentNoAck { record, .. } => {
                if let Some(t) = record.index().and_then(|i| self.records.get_mut(i)) {
                    t.sent_without_ack = true;
                }
            }
            Note::Appended { broker, tp, first_offset, count, as_leader: true } => {
                self.on_leader_append(at, world, *broker, *tp, *first_offset, *count)
            }
            Note::Truncated { tp, offset, removed, .. } => self.on_truncated(at, world, *tp, *offset, removed),
            Note::HighWatermark { broker, tp, high_watermark } => {
                self.on_high_watermark(at, world, *broker, *tp, *high_watermark)
            }
            Note::Read { reader, tp, offset, record, high_watermark } => {
                self.on_read(at, world, ReadBy::Reader(*reader), *tp, *record);
                self.check_output(at, world, *reader, *tp, *record);
                if offset >= high_watermark {
                    let detail = format!(
                        "{} read offset {offset} of {} at high watermark {high_watermark}",
                        world.readers[*reader as usize].name,
                        world.spec.tp_name(*tp)
                    );
                    self.report(at, AnomalyKind::ReadAboveHw, *tp, vec![*record], detail);
                }
                if let Some(last) = self.reader_last_offset.get(&(*reader, *tp)).copied() {
                    if *offset <= last {
                        let detail = format!(
                            "{} read offset {offset} of {} after offset {last}",
                            world.readers[*reader as usize].name,
                            world.spec.tp_name(*tp)
                        );
                        self.report(at, AnomalyKind::NonmonotonicPoll, *tp, vec![*record], detail);
                    }
                }
                self.reader_last_offset.insert((*reader, *tp), *offset);
            }
            Note::ReaderHighWatermark { reader, tp, high_watermark } => {
                if let Some(last) = self.reader_hw.get(&(*reader, *tp)).copied() {
                    if *high_watermark < last {
                        let detail = format!(
                            "{} saw the high watermark of {} go from {last} back to {high_watermark}",
                            world.readers[*reader as usize].name,
                            world.spec.tp_name(*tp)
                        );
                        self.report(at, AnomalyKind::NonmonotonicHw, *tp, vec![], detail);
                    }
                }
                self.reader_hw.insert((*reader, *tp), *high_watermark);
            }
            Note::RecordProcessed { consumer, tp, offset, record, generation, incarnation } => {
                self.on_read(at, world, ReadBy::Consumer(*consumer), *tp, *record);
                self.on_processed(at, world, *consumer, *tp, *offset, *record, *generation, *incarnation)
            }
            Note::TxnMarker { tp, commit, records, producer_id, .. } => {
                for r in records {
                    let Some(t) = r.index().and_then(|i| self.records.get_mut(i)) else { continue };
                    if *commit {
                        t.committed = true;
                        continue;
                    }
                    t.aborted = true;
                    if let (Some(reader), false) = (t.first_reader, t.aborted_read_reported) {
                        t.aborted_read_reported = true;
                        let detail = format!(
                            "{} read record #{} of {} before its transaction (producer id {producer_id}) aborted: it saw data that never committed (read_uncommitted)",
                            reader.name(world),
                            r.0,
                            world.spec.tp_name(*tp)
                        );
                        self.report(at, AnomalyKind::AbortedRead, *tp, vec![*r], detail);
                    }
                }
            }
            Note::OffsetCommitted { group, tp, offset, member, .. } => {
                let key = (group.clone(), *tp);
                if let Some(prev) = self.committed.get(&key).copied() {
                    if *offset < prev {
                        let detail = format!(
                            "group {group} committed {} offset {offset} after {prev} (by {member})",
                            world.spec.tp_name(*tp)
                        );
                        self.report(at, AnomalyKind::NonmonotonicCommit, *tp, vec![], detail);
                    }
                }
                self.committed.insert(key, *offset);
            }
            Note::ConsumerPosition { consumer, tp, offset, from: "committed" } => {
                self.check_skips(at, world, *consumer, *tp, *offset)
            }
            Note::ConsumerPosition { consumer, tp, offset, .. } => {
                // Reset to earliest/latest: records below were never meant for this group.
                let key = (world.consumers[*consumer as usize].group.clone(), *tp);
                self.skip_checked.entry(key).or_insert(*offset);
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
                let partitions: u32 = topics.iter().map(|t| world.spec.topics[*t as usize].partitions).sum();
                for (member, tps) in assignment {
                    if tps.is_empty() && assignment.len() as u32 > partitions {
                        let detail = format!("group {group} generation {generation}: member {member} got no partition (more consumers than partitions)");
                        let tp = Tp { topic: 0, partition: 0 };
                        self.report(at, AnomalyKind::IdleMember, tp, vec![], detail);
                    }
                }
            }
            _ => {}
        }
    }

    /// A reader got a record, or a consumer processed one.
    fn on_read(&mut self, at: &At, world: &World, who: ReadBy, tp: Tp, record: RecordId) {
        let Some(t) = record.index().and_then(|i| self.records.get_mut(i)) else { return };
        t.reads += 1;
        if t.first_reader.is_none() {
            t.first_reader = Some(who);
        }
        if t.aborted && !t.aborted_read_reported {
            t.aborted_read_reported = true;
            let detail = format!(
                "{} read record #{} of {}, whose transaction aborted",
                who.name(world),
                record.0,
                world.spec.tp_name(tp)
            );
            self.report(at, AnomalyKind::AbortedRead, tp, vec![record], detail);
        }
    }

    /// A reader read a pipeline output: was another output of the same input seen before?
    fn check_output(&mut self, at: &At, world: &World, reader: u32, tp: Tp, record: RecordId) {
        let Some(source) = record.index().and_then(|i| world.records.get(i)).and_then(|i| i.source) else { return };
        match self.outputs_seen.get(&(reader, source)).copied() {
            Some(first) if first != record => {
                let producer = record
                    .index()
                    .and_then(|i| world.records.get(i))
                    .map(|i| world.spec.producer_name(i.producer))
                    .unwrap_or_default();
                let detail = format!(
                    "{} saw records #{} and #{}: two outputs of input record #{} written by {producer} (the input was processed twice and both results are visible: exactly-once is broken)",
                    world.readers[reader as usize].name, first.0, record.0, source.0
                );
                self.report(at, AnomalyKind::DuplicateOutput, tp, vec![first, record], detail);
            }
            Some(_) => {}
            None => {
                self.outputs_seen.insert((reader, source), record);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_processed(
        &mut self,
        at: &At,
        world: &World,
        consumer: u32,
        tp: Tp,
        offset: u64,
        record: RecordId,
        generation: i32,
        incarnation: u32,
    ) {
        let c = &world.consumers[consumer as usize];
        let key = (c.group.clone(), record);
        let now = Processing { count: 1, consumer, incarnation, generation, offset };
        match self.processing.get(&key).copied() {
            None => {
                self.processing.insert(key, now);
            }
            Some(prev) if c.transactional() => {
                // A transactional pipeline's retried processing is expected (see above).
                self.processing.insert(key, Processing { count: prev.count + 1, ..now });
            }
            Some(prev) => {
                let cause = if prev.offset != offset {
                    "the record is in the log twice (a producer retry without idempotence)".to_string()
                } else if generation < prev.generation {
                    format!(
                        "zombie: {} processed it with generation {generation}, after the group had moved on to generation {} (the fenced member still processes what it fetched)",
                        c.name, prev.generation
                    )
                } else if prev.consumer != consumer {
                    format!(
                        "rebalance: {} processed it in generation {}, then the partition moved to {} which restarted from the committed offset",
                        world.consumers[prev.consumer as usize].name, prev.generation, c.name
                    )
                } else if prev.incarnation != incarnation {
                    format!("crash before commit: {} processed it, crashed before committing, and restarted from the committed offset", c.name)
                } else {
                    format!(
                        "rebalance: {} lost the partition in generation {} and got it back from the committed offset",
                        c.name, prev.generation
                    )
                };
                let detail = format!(
                    "group {} processed record #{} ({} offset {offset}) {} times: {cause}",
                    c.group,
                    record.0,
                    world.spec.tp_name(tp),
                    prev.count + 1
                );
                self.report(at, AnomalyKind::DuplicateProcessing, tp, vec![record], detail);
                self.processing.insert(key, Processing { count: prev.count + 1, ..now });
            }
        }
    }

    /// A member starts `tp` at its group's committed offset: were records below it skipped?
    fn check_skips(&mut self, at: &At, world: &World, consumer: u32, tp: Tp, committed: u64) {
        let group = world.consumers[consumer as usize].group.clone();
        let key = (group.clone(), tp);
        let from = self.skip_checked.get(&key).copied().unwrap_or(0);
        if committed <= from {
            return;
        }
        self.skip_checked.insert(key, committed);
        let Some(log) = world.leader_log(tp) else { return };
        // Transaction markers are never returned to an application, and a read_committed
        // group never gets aborted records: neither is skipped by a commit.
        let read_committed = world.consumers.iter().any(|c| {
            c.group == group && c.config.isolation_level == crate::kafka::config::IsolationLevel::ReadCommitted
        });
        let skipped: Vec<RecordId> = (from..committed)
            .filter_map(|o| {
                log.get(o).filter(|r| r.control.is_none() && !(read_committed && log.is_aborted(o))).map(|r| r.id)
            })
            .filter(|id| !self.processing.contains_key(&(group.clone(), *id)))
            .collect();
        if !skipped.is_empty() {
            let detail = format!(
                "group {group} resumes {} at committed offset {committed}, past {} record(s) it never processed (committed before processing, then a failure)",
                world.spec.tp_name(tp),
                skipped.len()
            );
            self.report(at, AnomalyKind::PollSkip, tp, skipped, detail);
        }
    }
}

/// The brokers that host a partition (its assignment).
fn replicas_of(world: &World, tp: Tp) -> impl Iterator<Item = BrokerId> + '_ {
    world.spec.topics[tp.topic as usize].assignment[tp.partition as usize].iter().copied()
}

impl Checker<World> for KafkaChecker {
    fn observe(&mut self, world: &World, step: &StepRecord, notes: &[Note]) {
        let at = At { step: step.index, time: step.time };
        for note in notes {
            self.observe_note(&at, world, note);
        }
    }
}
