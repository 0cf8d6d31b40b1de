//! `nonmonotonic-commit`: a group's committed position in a stream went backwards (Jepsen's
//! nonmonotonic commit). A member that restarts from it re-processes records the group had
//! already counted as done.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::history::Report;
use super::observation::{Lookup, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct NonmonotonicCommit {
    /// Per (group, stream): the committed offset.
    committed: BTreeMap<(Rc<str>, StreamId), u64>,
}

impl NonmonotonicCommit {
    pub(super) fn committed(
        &mut self,
        out: &mut Report,
        lookup: &impl Lookup,
        group: &Rc<str>,
        (stream, offset): (StreamId, u64),
        by: &str,
    ) {
        if let Some(prev) = self.committed.insert((group.clone(), stream), offset) {
            if offset < prev {
                let detail = format!(
                    "group {group} committed {} offset {offset} after {prev} (by {by})",
                    lookup.stream_name(stream)
                );
                out.push(AnomalyKind::NonmonotonicCommit, stream, vec![], detail);
            }
        }
    }
}
