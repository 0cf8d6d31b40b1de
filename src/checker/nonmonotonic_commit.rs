//! `nonmonotonic-commit`: a group's committed position in a stream went backwards (Jepsen's
//! nonmonotonic commit). A member that restarts from it re-processes records the group had
//! already counted as done.
use crate::checker::Detail;
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
                let stream_name = lookup.stream_name(stream);
                let detail = Detail::new(
                    format!("group {group} committed {stream_name} offset {offset} after {prev} (by {by})"),
                    format!("消费组 {group} 在提交 {prev} 之后又提交了 {stream_name} 的 offset {offset}（由 {by}）"),
                );
                out.push(AnomalyKind::NonmonotonicCommit, stream, vec![], detail);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::observation::Observation;
    use super::super::testing::{kinds, run, Fake, S0};
    use super::AnomalyKind;

    fn commits<'a>(group: &'a Rc<str>, offsets: &[u64]) -> Vec<Observation<'a>> {
        offsets.iter().map(|o| Observation::CommittedPast { group, stream: S0, offset: *o, by: "c1-1" }).collect()
    }

    #[test]
    fn fires_when_the_committed_offset_goes_back() {
        let g: Rc<str> = "billing".into();
        let found = run(&Fake::default(), &commits(&g, &[3, 5, 4]));
        assert_eq!(kinds(&found), [AnomalyKind::NonmonotonicCommit]);
        assert_eq!(found[0].step, 3);
        assert_eq!(found[0].detail, "group billing committed orders-0 offset 4 after 5 (by c1-1)");
    }

    #[test]
    fn silent_while_commits_grow_or_repeat() {
        let g: Rc<str> = "billing".into();
        assert!(run(&Fake::default(), &commits(&g, &[3, 5, 5, 9])).is_empty());
    }
}
