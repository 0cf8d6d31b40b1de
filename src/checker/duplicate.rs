//! `duplicate`: the same record twice in one primary's copy of a stream. A writer retried
//! a batch whose first attempt had been stored (a retry without idempotence): readers see
//! the write applied twice, which is exactly-once delivery broken at the source.
//!
//! Judged on each store: the record's previous stored offset still holds it in this
//! primary's copy.
use super::history::{RecordTrack, Report};
use super::observation::{Lookup, Stored};
use super::AnomalyKind;
use crate::checker::Detail;

/// Remember where `s.record` is now; report if an earlier copy is still in the log.
/// Returns whether it is a second copy (then it is not judged as a reordering).
pub(super) fn stored(track: &mut RecordTrack, out: &mut Report, lookup: &impl Lookup, s: &Stored) -> bool {
    let Some(p) = track.primary_offset.replace(s.offset) else { return false };
    if p == s.offset || lookup.record_at(s.primary, s.stream, p) != Some(s.record) {
        return false;
    }
    let stream = lookup.stream_name(s.stream);
    let detail = Detail::new(
        format!("record #{} is at offsets {p} and {} of {stream}: the producer retried a batch whose first attempt had been written (a retry without idempotence)", s.record.0, s.offset),
        format!("消息 #{} 同时位于 {stream} 的 offset {p} 和 {}：生产者重试了一个第一次已写入的批次（没有幂等性的重试）", s.record.0, s.offset),
    );
    out.push(AnomalyKind::Duplicate, s.stream, vec![s.record], detail);
    true
}

#[cfg(test)]
mod tests {
    use super::super::observation::{Observation, RecordRef, Stored};
    use super::super::testing::{kinds, log, run, Fake, S0};
    use super::AnomalyKind;

    fn history(stores: &[(u64, u64)]) -> Vec<Observation<'static>> {
        let mut h: Vec<Observation> =
            stores.iter().map(|(_, r)| Observation::Sent { record: RecordRef(*r), stream: S0 }).collect();
        h.extend(stores.iter().map(|(offset, r)| {
            Observation::Stored(Stored { primary: 1, stream: S0, offset: *offset, record: RecordRef(*r), writer: 0 })
        }));
        h
    }

    #[test]
    fn fires_when_a_primary_holds_a_record_twice() {
        let mut fake = Fake::default();
        fake.logs.insert((1, S0), log(&[1, 1]));
        let found = run(&fake, &history(&[(0, 1), (1, 1)]));
        assert_eq!(kinds(&found), [AnomalyKind::Duplicate]);
        assert_eq!(found[0].records, [RecordRef(1)]);
        assert!(found[0].detail.starts_with("record #1 is at offsets 0 and 1 of orders-0: the producer retried"));
    }

    #[test]
    fn silent_when_the_first_copy_is_gone_or_records_differ() {
        let mut fake = Fake::default();
        // The first copy was truncated before the retry landed at offset 1.
        fake.logs.insert((1, S0), log(&[9, 1]));
        assert!(run(&fake, &history(&[(0, 1), (1, 1)])).is_empty());
        fake.logs.insert((1, S0), log(&[1, 2]));
        assert!(run(&fake, &history(&[(0, 1), (1, 2)])).is_empty());
    }
}
