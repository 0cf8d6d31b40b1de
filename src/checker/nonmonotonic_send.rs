//! `nonmonotonic-send`: one writer's records stored in a stream out of the order it sent
//! them. A retried batch was overtaken by a later one (several requests in flight, no
//! idempotence): the log's order is not the writer's, so per-key ordering is broken.
//!
//! Within one primary's copy only: a new primary's log is checked afresh. Ids grow in send
//! order, so a record stored after a later-sent one of the same writer is reordered, as
//! long as that later one is still where it was stored.
use std::collections::BTreeMap;

use super::history::Report;
use super::observation::{Lookup, RecordRef, Stored, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct NonmonotonicSend {
    /// Per (stream, writer): the latest record (in send order) a primary stored, where,
    /// and which primary's copy it is in.
    last_stored: BTreeMap<(StreamId, u32), (RecordRef, u64, u32)>,
}

impl NonmonotonicSend {
    pub(super) fn stored(&mut self, out: &mut Report, lookup: &impl Lookup, s: &Stored) {
        let (id, o) = (s.record, s.offset);
        // Only compare within one primary's log.
        let last = self.last_stored.get(&(s.stream, s.writer)).copied().filter(|l| l.2 == s.primary);
        match last {
            Some((last, last_offset, _)) if last > id && last_offset < o => {
                if lookup.record_at(s.primary, s.stream, last_offset) == Some(last) {
                    let detail = format!(
                        "record #{} (sent earlier) landed at offset {o}, after record #{} at offset {last_offset}: a retried batch overtaken by a later one (several requests in flight, no idempotence)",
                        id.0, last.0
                    );
                    out.push(AnomalyKind::NonmonotonicSend, s.stream, vec![id, last], detail);
                }
            }
            _ => {
                self.last_stored.insert((s.stream, s.writer), (id, o, s.primary));
            }
        }
    }
}
