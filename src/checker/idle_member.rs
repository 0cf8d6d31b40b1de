//! `idle-member` (a notice, not a failure): a group member got no stream in a generation
//! because the group has more members than its topics have streams. It breaks no
//! guarantee, but the member consumes nothing until the group changes.
//!
//! Not reported for a member that is idle for one generation because a cooperative
//! rebalance withholds its streams (then there are enough streams to go round).
use super::history::Report;
use super::observation::{MemberAssigned, StreamId};
use super::AnomalyKind;
use crate::checker::Detail;

pub(super) fn assigned(out: &mut Report, m: &MemberAssigned) {
    if m.assigned == 0 && m.members as u32 > m.streams {
        let detail = Detail::new(
            format!(
                "group {} generation {}: member {} got no partition (more consumers than partitions)",
                m.group, m.generation, m.member
            ),
            format!("消费组 {} 第 {} 代：成员 {} 没有分到分区（消费者多于分区）", m.group, m.generation, m.member),
        );
        out.push(AnomalyKind::IdleMember, StreamId::default(), vec![], detail);
    }
}

#[cfg(test)]
mod tests {
    use super::super::observation::{MemberAssigned, Observation, StreamId};
    use super::super::testing::{kinds, run, Fake};
    use super::AnomalyKind;

    fn assigned(member: &'static str, assigned: usize, members: usize) -> Observation<'static> {
        let m = MemberAssigned { group: "billing", generation: 2, member, assigned, members, streams: 2 };
        Observation::MemberAssigned(m)
    }

    #[test]
    fn fires_for_a_member_left_without_a_stream() {
        let found = run(&Fake::default(), &[assigned("a", 1, 3), assigned("b", 1, 3), assigned("c", 0, 3)]);
        assert_eq!(kinds(&found), [AnomalyKind::IdleMember]);
        assert!(found[0].kind.is_notice());
        assert_eq!((found[0].step, found[0].stream), (3, StreamId::default()));
        assert_eq!(
            found[0].detail,
            "group billing generation 2: member c got no partition (more consumers than partitions)"
        );
    }

    #[test]
    fn silent_when_streams_go_round() {
        // A cooperative rebalance may withhold a stream for a generation: not idle.
        assert!(run(&Fake::default(), &[assigned("a", 2, 2), assigned("b", 0, 2)]).is_empty());
    }
}
