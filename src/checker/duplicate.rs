//! `duplicate`: the same record twice in one primary's copy of a stream. A writer retried
//! a batch whose first attempt had been stored (a retry without idempotence): readers see
//! the write applied twice, which is exactly-once delivery broken at the source.
//!
//! Judged on each store: the record's previous stored offset still holds it in this
//! primary's copy.
use super::history::{RecordTrack, Report};
use super::observation::{Lookup, Stored};
use super::AnomalyKind;

/// Remember where `s.record` is now; report if an earlier copy is still in the log.
/// Returns whether it is a second copy (then it is not judged as a reordering).
pub(super) fn stored(track: &mut RecordTrack, out: &mut Report, lookup: &impl Lookup, s: &Stored) -> bool {
    let Some(p) = track.primary_offset.replace(s.offset) else { return false };
    if p == s.offset || lookup.record_at(s.primary, s.stream, p) != Some(s.record) {
        return false;
    }
    let detail = format!(
        "record #{} is at offsets {p} and {} of {}: the producer retried a batch whose first attempt had been written (a retry without idempotence)",
        s.record.0,
        s.offset,
        lookup.stream_name(s.stream)
    );
    out.push(AnomalyKind::Duplicate, s.stream, vec![s.record], detail);
    true
}
