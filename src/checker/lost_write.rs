//! `lost-write`: a write the application counts as done is gone (Jepsen's lost update of
//! an append-only log). A record counts as done once it was acknowledged, or sent with no
//! acknowledgement to come (acks=0), or sent fire-and-forget and failed unseen. It is gone
//! when a primary stored another record at its acknowledged offset, when the last copy
//! that held it was truncated, or when the send failed behind the application's back.
//!
//! Reported once per record, at the step where the loss became visible.
use crate::checker::Detail;
use std::collections::BTreeMap;

use super::history::{track_mut, RecordTrack, Report};
use super::observation::{Lookup, RecordRef, Stored, StreamId};
use super::AnomalyKind;
use crate::kernel::ChunkedVec;

/// An offset with no acknowledged record.
const NONE: u64 = u64::MAX;

#[derive(Clone, Debug, Default)]
pub(super) struct LostWrite {
    /// Per stream, by offset: the acknowledged record there (`NONE` if none).
    acked_at: BTreeMap<StreamId, ChunkedVec<u64>>,
}

/// A record at an offset of a stream.
type Placed = (RecordRef, StreamId, u64);

impl LostWrite {
    fn acked_record_at(&self, stream: StreamId, offset: u64) -> Option<RecordRef> {
        let v = self.acked_at.get(&stream)?.get(offset as usize).copied()?;
        (v != NONE).then_some(RecordRef(v))
    }

    /// The acknowledged records at offsets `from..to` of `stream`, in offset order.
    pub(super) fn acked_between(&self, stream: StreamId, from: u64, to: u64) -> Vec<RecordRef> {
        (from..to).filter_map(|o| self.acked_record_at(stream, o)).collect()
    }

    /// Offsets of `stream` below `offset` can no longer matter (see `forget.rs`).
    pub(super) fn forget_before(&mut self, stream: StreamId, offset: u64) {
        if let Some(v) = self.acked_at.get_mut(&stream) {
            v.drop_before(offset as usize);
        }
    }

    fn set_acked_at(&mut self, stream: StreamId, offset: u64, r: RecordRef) {
        let v = self.acked_at.entry(stream).or_default();
        while v.len() <= offset as usize {
            v.push(NONE);
        }
        *v.get_mut(offset as usize).expect("grown above") = r.0;
    }

    /// The writer learned where its record is; was it already overwritten by then?
    pub(super) fn acknowledged(
        &mut self,
        records: &mut ChunkedVec<RecordTrack>,
        out: &mut Report,
        lookup: &impl Lookup,
        (record, stream, offset): Placed,
        overwritten: bool,
    ) {
        let Some(t) = track_mut(records, record) else { return };
        if t.acked_offset.is_some() {
            return;
        }
        t.acked_offset = Some(offset);
        self.set_acked_at(stream, offset, record);
        if overwritten {
            let why = (
                "it was acknowledged, but the current leader has another record there",
                "它已被确认，但当前 leader 在那个位置上是另一条消息",
            );
            mark_lost(records, out, lookup, (record, stream, offset), (why.0.into(), why.1.into()));
        }
    }

    /// A primary stored a record: someone else's acknowledged record at that offset is gone.
    pub(super) fn stored(
        &mut self,
        records: &mut ChunkedVec<RecordTrack>,
        out: &mut Report,
        lookup: &impl Lookup,
        s: &Stored,
    ) {
        if let Some(acked) = self.acked_record_at(s.stream, s.offset) {
            if acked != s.record {
                let primary = lookup.primary_name(s.primary);
                let why = (
                    format!("it was acknowledged, then {primary} wrote record #{} at that offset", s.record.0),
                    format!("它已被确认，随后 {primary} 在同一 offset 写入了消息 #{}", s.record.0),
                );
                mark_lost(records, out, lookup, (acked, s.stream, s.offset), why);
            }
        }
    }

    /// A copy dropped a record: was it the last copy of a record counted as delivered?
    pub(super) fn removed(
        records: &mut ChunkedVec<RecordTrack>,
        out: &mut Report,
        lookup: &impl Lookup,
        (record, stream, offset): Placed,
    ) {
        let Some(track) = record.index().and_then(|i| records.get(i)) else { return };
        // acks=0: the producer counted it as delivered the moment it was sent.
        let counted_delivered =
            track.acked_offset == Some(offset) || (track.sent_without_ack && track.acked_offset.is_none());
        if !counted_delivered {
            return;
        }
        // An acknowledged record is looked for at its offset; an acks=0 one anywhere.
        let sent_without_ack = track.sent_without_ack;
        if lookup.held(stream, record, track.acked_offset.map(|_| offset)) {
            return;
        }
        let why = if sent_without_ack {
            (
                "it was sent with acks=0 (so counted as delivered), and the last replica that had it truncated it",
                "它以 acks=0 发送（因此被算作已送达），而最后一个持有它的副本截断了它",
            )
        } else {
            (
                "it was acknowledged, and the last replica that had it truncated it",
                "它已被确认，而最后一个持有它的副本截断了它",
            )
        };
        mark_lost(records, out, lookup, (record, stream, offset), (why.0.into(), why.1.into()));
    }

    /// The writer gave up; fire-and-forget, the application never noticed.
    pub(super) fn send_failed(
        records: &mut ChunkedVec<RecordTrack>,
        out: &mut Report,
        lookup: &impl Lookup,
        (record, stream): (RecordRef, StreamId),
        error: &str,
        unchecked: bool,
    ) {
        let Some(t) = track_mut(records, record) else { return };
        t.failed = true;
        // Fire-and-forget: the application never looks at the result, so as far as it
        // knows the record was written.
        if !unchecked || t.lost {
            return;
        }
        t.lost = true;
        let stream_name = lookup.stream_name(stream);
        let detail = Detail::new(
            format!("record #{} (for {stream_name}): the send failed ({error}), and the application, sending fire-and-forget, never checked the result; it counts the record as sent", record.0),
            format!("消息 #{}（发往 {stream_name}）：发送失败（{error}），而以“发后即忘”方式发送的应用从不检查结果，仍把它算作已发送", record.0),
        );
        out.push(AnomalyKind::LostWrite, stream, vec![record], detail);
    }
}

fn mark_lost(
    records: &mut ChunkedVec<RecordTrack>,
    out: &mut Report,
    lookup: &impl Lookup,
    (r, stream, offset): Placed,
    (why, why_zh): (String, String),
) {
    let Some(t) = track_mut(records, r) else { return };
    if t.lost {
        return;
    }
    t.lost = true;
    let stream_name = lookup.stream_name(stream);
    let detail = Detail::new(
        format!("record #{} ({stream_name} offset {offset}) is gone: {why}", r.0),
        format!("消息 #{}（{stream_name} offset {offset}）已丢失：{why_zh}", r.0),
    );
    out.push(AnomalyKind::LostWrite, stream, vec![r], detail);
}

#[cfg(test)]
mod tests {
    use super::super::observation::{Observation, RecordRef, Stored};
    use super::super::testing::{acked, kinds, log, run, Fake, S0};
    use super::AnomalyKind;

    fn stored(primary: u32, offset: u64, record: u64) -> Observation<'static> {
        Observation::Stored(Stored { primary, stream: S0, offset, record: RecordRef(record), writer: 0 })
    }

    #[test]
    fn fires_when_a_primary_overwrites_an_acknowledged_record() {
        let [sent, ack] = acked(1, 0);
        let found = run(&Fake::default(), &[sent, ack, stored(2, 0, 5)]);
        assert_eq!(kinds(&found), [AnomalyKind::LostWrite]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (3, &[RecordRef(1)][..]));
        assert_eq!(
            found[0].detail,
            "record #1 (orders-0 offset 0) is gone: it was acknowledged, then broker 2 wrote record #5 at that offset"
        );
    }

    #[test]
    fn fires_when_the_last_copy_is_truncated_and_not_while_one_survives() {
        let [sent, ack] = acked(1, 0);
        let removed = Observation::Removed { stream: S0, offset: 0, record: RecordRef(1) };
        let found = run(&Fake::default(), &[sent, ack, removed]);
        assert_eq!(kinds(&found), [AnomalyKind::LostWrite]);
        assert!(found[0].detail.ends_with("it was acknowledged, and the last replica that had it truncated it"));

        let mut survivor = Fake::default();
        survivor.logs.insert((3, S0), log(&[1]));
        assert!(run(&survivor, &[sent, ack, removed]).is_empty());
    }

    #[test]
    fn fires_for_acks0_and_fire_and_forget_records() {
        let r = RecordRef(1);
        let acks0 = [
            Observation::Sent { record: r, stream: S0 },
            Observation::SentUnacknowledged { record: r },
            Observation::Removed { stream: S0, offset: 4, record: r },
        ];
        let found = run(&Fake::default(), &acks0);
        assert_eq!(kinds(&found), [AnomalyKind::LostWrite]);
        assert!(found[0].detail.contains("sent with acks=0"));

        let failed = |unchecked| Observation::SendFailed { record: r, stream: S0, error: "TIMEOUT", unchecked };
        let found = run(&Fake::default(), &[acks0[0], failed(true)]);
        assert_eq!(kinds(&found), [AnomalyKind::LostWrite]);
        assert!(found[0].detail.starts_with("record #1 (for orders-0): the send failed (TIMEOUT)"));
        // The application saw the failure: nothing it counts as written is gone.
        assert!(run(&Fake::default(), &[acks0[0], failed(false)]).is_empty());
    }

    #[test]
    fn silent_on_a_correct_history() {
        let mut fake = Fake::default();
        fake.logs.insert((1, S0), log(&[1, 2]));
        fake.logs.insert((2, S0), log(&[1, 2]));
        let [s1, a1] = acked(1, 0);
        let [s2, a2] = acked(2, 1);
        // Stored where acknowledged; a follower's stale copy of record 2 truncated (the
        // others still hold it); re-acknowledged (a retry) changes nothing.
        let history = [
            s1,
            s2,
            stored(1, 0, 1),
            stored(1, 1, 2),
            a1,
            a2,
            Observation::Removed { stream: S0, offset: 1, record: RecordRef(2) },
            a2,
        ];
        assert!(run(&fake, &history).is_empty());
    }
}
