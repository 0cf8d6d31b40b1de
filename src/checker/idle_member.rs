//! `idle-member` (a notice, not a failure): a group member got no stream in a generation
//! because the group has more members than its topics have streams. It breaks no
//! guarantee, but the member consumes nothing until the group changes.
//!
//! Not reported for a member that is idle for one generation because a cooperative
//! rebalance withholds its streams (then there are enough streams to go round).
use super::history::Report;
use super::observation::{MemberAssigned, StreamId};
use super::AnomalyKind;

pub(super) fn assigned(out: &mut Report, m: &MemberAssigned) {
    if m.assigned == 0 && m.members as u32 > m.streams {
        let detail = format!(
            "group {} generation {}: member {} got no partition (more consumers than partitions)",
            m.group, m.generation, m.member
        );
        out.push(AnomalyKind::IdleMember, StreamId::default(), vec![], detail);
    }
}
