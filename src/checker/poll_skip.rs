//! `poll-skip`: a group member started a stream from the group's committed position, past
//! records the group never processed (Jepsen's poll skip; at-most-once delivery showing).
//! The group committed before processing, then a failure lost the uncommitted work.
//!
//! Records the group is never handed do not count: control records, and aborted records
//! for a group that reads committed data only. A reset to the start or the end marks where
//! the group began: records below it were never meant for it.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::duplicate_processing::DuplicateProcessing;
use super::history::Report;
use super::observation::{Lookup, PositionSet, RecordRef, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct PollSkip {
    /// Per (group, stream): offsets below this were checked for skips.
    checked: BTreeMap<(Rc<str>, StreamId), u64>,
}

impl PollSkip {
    pub(super) fn position_set(
        &mut self,
        out: &mut Report,
        lookup: &impl Lookup,
        processing: &DuplicateProcessing,
        p: &PositionSet,
    ) {
        let key = (p.group.clone(), p.stream);
        if !p.from_committed {
            self.checked.entry(key).or_insert(p.offset);
            return;
        }
        let (from, committed) = (self.checked.get(&key).copied().unwrap_or(0), p.offset);
        if committed <= from {
            return;
        }
        self.checked.insert(key, committed);
        let mut skipped: Vec<RecordRef> = lookup.deliverable(p.stream, from, committed, p.read_committed);
        skipped.retain(|id| !processing.has_processed(p.group, *id));
        if !skipped.is_empty() {
            let detail = format!(
                "group {} resumes {} at committed offset {committed}, past {} record(s) it never processed (committed before processing, then a failure)",
                p.group,
                lookup.stream_name(p.stream),
                skipped.len()
            );
            out.push(AnomalyKind::PollSkip, p.stream, skipped, detail);
        }
    }
}
