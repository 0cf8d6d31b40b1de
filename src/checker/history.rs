//! The record-history checker: follows every record end to end through model-neutral
//! [`Observation`]s and hands each to the checks that judge it, in a fixed order (the
//! order anomalies are reported in). The checks themselves live one per file.
//!
//! It owns what the checks share: one compact track per record (a copy-on-write table, as
//! the whole checker is cloned at every time-travel checkpoint) and the list of anomalies,
//! which a model's own checks (Kafka's replica checks) append to as well.
use super::observation::{Lookup, Observation, ReadBy, RecordRef, StreamId};
use super::{
    aborted_read, duplicate, duplicate_output::DuplicateOutput, duplicate_processing::DuplicateProcessing, idle_member,
    lost_write::LostWrite, nonmonotonic_commit::NonmonotonicCommit, nonmonotonic_poll::NonmonotonicPoll,
    nonmonotonic_send::NonmonotonicSend, poll_skip::PollSkip, Anomaly, AnomalyKind,
};
use crate::kernel::ChunkedVec;

/// What the checker knows of one record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordTrack {
    pub stream: Option<StreamId>,
    pub acked_offset: Option<u64>,
    pub failed: bool,
    pub sent_without_ack: bool,
    /// Where a primary last stored it.
    pub primary_offset: Option<u64>,
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

/// When an observation happened: the step and its simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub step: u64,
    pub time_ms: u64,
}

/// Where checks write what they find: the run's anomaly list, stamped with the step.
pub struct Report<'a> {
    pub at: At,
    pub anomalies: &'a mut ChunkedVec<Anomaly>,
}

impl Report<'_> {
    pub fn push(&mut self, kind: AnomalyKind, stream: StreamId, records: Vec<RecordRef>, detail: super::Detail) {
        let At { step, time_ms } = self.at;
        let super::Detail { en: detail, zh: detail_zh } = detail;
        self.anomalies.push(Anomaly { kind, step, time_ms, stream, records, detail, detail_zh });
    }
}

/// The track of a record, if it is an application record the checker follows.
pub(super) fn track_mut(records: &mut ChunkedVec<RecordTrack>, r: RecordRef) -> Option<&mut RecordTrack> {
    r.index().and_then(|i| records.get_mut(i))
}

#[derive(Clone, Debug, Default)]
pub struct History {
    pub records: ChunkedVec<RecordTrack>,
    pub anomalies: ChunkedVec<Anomaly>,
    lost_write: LostWrite,
    nonmonotonic_send: NonmonotonicSend,
    nonmonotonic_poll: NonmonotonicPoll,
    duplicate_output: DuplicateOutput,
    duplicate_processing: DuplicateProcessing,
    poll_skip: PollSkip,
    key_order: super::key_order::KeyOrder,
    nonmonotonic_commit: NonmonotonicCommit,
    forget: super::forget::Forget,
}

impl History {
    pub fn anomalies(&self) -> impl Iterator<Item = &Anomaly> {
        self.anomalies.iter()
    }

    pub fn track(&self, r: RecordRef) -> Option<&RecordTrack> {
        r.index().and_then(|i| self.records.get(i))
    }

    /// Who last processed `record` in `group` (consumer, incarnation), if anyone did: lets a
    /// model's adapter explain a duplicate in its own words.
    pub fn processed_by(&self, group: &std::rc::Rc<str>, record: RecordRef) -> Option<(u32, u32)> {
        self.duplicate_processing.last(group, record)
    }

    /// Report an anomaly a model's own check found (in order with the history's).
    pub fn report(
        &mut self,
        at: At,
        kind: AnomalyKind,
        stream: StreamId,
        records: Vec<RecordRef>,
        detail: super::Detail,
    ) {
        Report { at, anomalies: &mut self.anomalies }.push(kind, stream, records, detail);
    }

    /// Judge one observation.
    pub fn observe(&mut self, at: At, obs: &Observation, lookup: &impl Lookup) {
        let records = &mut self.records;
        let out = &mut Report { at, anomalies: &mut self.anomalies };
        match *obs {
            Observation::Sent { record, stream } => {
                let Some(i) = record.index() else { return };
                while records.len() <= i {
                    records.push(RecordTrack::default());
                }
                records.get_mut(i).expect("grown above").stream = Some(stream);
            }
            Observation::Acknowledged { record, stream, offset, overwritten } => {
                self.lost_write.acknowledged(records, out, lookup, (record, stream, offset), overwritten)
            }
            Observation::SentUnacknowledged { record } => {
                if let Some(t) = track_mut(records, record) {
                    t.sent_without_ack = true;
                }
            }
            Observation::SendFailed { record, stream, error, unchecked } => {
                LostWrite::send_failed(records, out, lookup, (record, stream), error, unchecked)
            }
            Observation::Stored(s) => {
                self.lost_write.stored(records, out, lookup, &s);
                let Some(track) = track_mut(records, s.record) else { return };
                // A second copy is a duplicate, not a reordering of the send.
                if !duplicate::stored(track, out, lookup, &s) {
                    self.nonmonotonic_send.stored(out, lookup, &s);
                }
            }
            Observation::Removed { stream, offset, record } => {
                LostWrite::removed(records, out, lookup, (record, stream, offset))
            }
            Observation::Read(r) => {
                aborted_read::read(records, out, lookup, ReadBy::Reader(r.reader), r.stream, r.record);
                self.duplicate_output.read(out, lookup, &r);
            }
            Observation::ReadAdvanced { reader, stream, offset, record } => {
                self.nonmonotonic_poll.advanced(out, lookup, reader, (record, stream, offset))
            }
            Observation::Processed(p) => {
                self.forget.moved(p.group, p.stream, p.offset + 1);
                aborted_read::read(records, out, lookup, ReadBy::Consumer(p.consumer), p.stream, p.record);
                let first = !self.duplicate_processing.has_processed(p.group, p.record);
                self.key_order.processed(out, lookup, &p, first);
                self.duplicate_processing.processed(out, lookup, &p);
            }
            Observation::TransactionEnded { stream, record, committed, transaction } => {
                aborted_read::transaction_ended(records, out, lookup, (record, stream), committed, transaction)
            }
            Observation::CommittedPast { group, stream, offset, by } => {
                self.nonmonotonic_commit.committed(out, lookup, group, (stream, offset), by)
            }
            Observation::PositionSet(p) => {
                self.forget.moved(p.group, p.stream, p.offset);
                self.poll_skip.position_set(out, lookup, &self.duplicate_processing, &p)
            }
            Observation::Expired { stream, start } => {
                let below = self.forget.expired(stream, start, records);
                records.drop_before(below);
                self.duplicate_processing.forget_before(below);
                self.lost_write.forget_before(stream, self.forget.horizon(stream));
            }
            Observation::PositionDeleted { group, stream, offset, start } => {
                self.forget.moved(group, stream, start);
                let deleted = self.lost_write.acked_between(stream, offset, start);
                self.poll_skip.position_deleted(
                    out,
                    lookup,
                    &self.duplicate_processing,
                    (group, stream),
                    deleted,
                    start,
                )
            }
            Observation::MemberAssigned(m) => idle_member::assigned(out, &m),
        }
    }
}
