//! Partitions, topics and consumer groups in the view.
use super::Ctx;
use crate::kafka::message::PartitionState;
use crate::kafka::types::Tp;
use crate::kernel::NodeId;
use crate::session::view::{GroupOffsetView, GroupView, MemberView, PartitionView, TopicView};

/// Every partition, with the offsets of the groups that read it (when
/// `opts.partitions` asks for them).
pub(super) fn partitions(c: &Ctx, groups: &[GroupView]) -> Vec<PartitionView> {
    if !c.opts.partitions {
        return Vec::new();
    }
    c.world.controller.partitions.values().map(|st| partition(c, groups, st)).collect()
}

fn partition(c: &Ctx, groups: &[GroupView], st: &PartitionState) -> PartitionView {
    let leader_log = c.world.leader_log(st.tp);
    let hw = leader_log.map(|l| l.high_watermark()).unwrap_or(0);
    let topic = c.topic_name(st.tp.topic);
    let internal = c.is_internal(st.tp.topic);
    let group_offsets = if internal {
        Vec::new()
    } else {
        groups
            .iter()
            .filter(|g| group_reads(c, &g.id, st.tp.topic))
            .map(|g| {
                let committed = g.offsets.iter().find(|o| o.0 == topic && o.1 == st.tp.partition).map(|o| o.2);
                let member = g
                    .members
                    .iter()
                    .find(|m| m.assignment.iter().any(|a| a.0 == topic && a.1 == st.tp.partition))
                    .map(|m| m.client.clone());
                let position = member.as_deref().and_then(|m| member_position(c, m, st.tp));
                GroupOffsetView {
                    group: g.id.clone(),
                    committed,
                    lag: committed.or(position).map(|o| hw.saturating_sub(o)),
                    lag_from_position: committed.is_none() && position.is_some(),
                    member,
                }
            })
            .collect()
    };
    PartitionView {
        topic,
        partition: st.tp.partition,
        leader: st.leader.map(|b| b.0),
        leader_epoch: st.leader_epoch,
        replicas: st.replicas.iter().map(|b| b.0).collect(),
        isr: st.isr.iter().map(|b| b.0).collect(),
        high_watermark: hw,
        log_end_offset: leader_log.map(|l| l.log_end_offset()).unwrap_or(0),
        last_stable_offset: leader_log.map(|l| l.last_stable_offset()).unwrap_or(0),
        internal,
        groups: group_offsets,
    }
}

/// The position of the consumer named `client` in `tp` (what it has consumed, committed or
/// not), if it has one.
pub(super) fn member_position(c: &Ctx, client: &str, tp: Tp) -> Option<u64> {
    c.world.consumers.iter().find(|x| x.name == client).and_then(|x| x.positions.get(&tp).copied())
}

/// Whether any consumer of `group` subscribes to `topic`.
fn group_reads(c: &Ctx, group: &str, topic: u32) -> bool {
    c.spec.consumers.iter().any(|x| x.group == group && x.topics.contains(&topic))
}

/// Every topic, with counts over its partitions.
pub(super) fn topics(c: &Ctx) -> Vec<TopicView> {
    c.spec
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let first = Tp { topic: i as u32, partition: 0 };
            let last = Tp { topic: i as u32, partition: u32::MAX };
            let mut view = TopicView {
                name: t.name.clone(),
                partitions: t.partitions,
                replication_factor: t.replication_factor,
                internal: c.is_internal(i as u32),
                ..TopicView::default()
            };
            for st in c.world.controller.partitions.range(first..=last).map(|(_, st)| st) {
                view.offline += u32::from(st.leader.is_none());
                view.under_replicated += u32::from(st.isr.len() < st.replicas.len());
                view.records += c.world.leader_log(st.tp).map(|l| l.high_watermark()).unwrap_or(0);
            }
            view
        })
        .collect()
}

/// Every group, as its coordinator sees it ("Unknown" while it has none running).
pub(super) fn groups(c: &Ctx) -> Vec<GroupView> {
    let (world, spec) = (c.world, c.spec);
    let tp_key = |tp: &Tp| (c.topic_name(tp.topic), tp.partition);
    let hw_of = |tp: &Tp| -> u64 {
        c.leader_of(*tp).and_then(|l| world.broker(l).replicas.get(tp)).map(|r| r.log.high_watermark()).unwrap_or(0)
    };
    let client_name = |n: NodeId| spec.node_name(n);
    c.run
        .groups
        .iter()
        .map(|g| {
            let coordinator = c.coordinator_of(g);
            let state = coordinator.and_then(|b| {
                let broker = world.broker(b);
                if !broker.is_running() {
                    return None;
                }
                broker.coordinator.groups.get(g.as_str())
            });
            match state {
                Some(st) => GroupView {
                    id: g.clone(),
                    state: st.state.name().to_string(),
                    generation: st.generation,
                    protocol: st.protocol.map(str::to_string),
                    leader: st.leader.as_ref().map(|l| l.to_string()),
                    coordinator: coordinator.map(|b| b.0),
                    members: st
                        .members
                        .values()
                        .map(|m| MemberView {
                            member_id: m.id.to_string(),
                            client: client_name(m.client),
                            assignment: m.assignment.iter().map(tp_key).collect(),
                        })
                        .collect(),
                    offsets: st.offsets.iter().map(|(tp, (o, _))| (tp_key(tp).0, tp.partition, *o)).collect(),
                    lag: {
                        // Committed partitions from their offset, the others from the
                        // position of the member that owns them (as the partition table).
                        let committed: u64 = st.offsets.iter().map(|(tp, (o, _))| hw_of(tp).saturating_sub(*o)).sum();
                        let uncommitted: u64 = st
                            .members
                            .values()
                            .flat_map(|m| m.assignment.iter().map(move |tp| (m.client, tp)))
                            .filter(|(_, tp)| !st.offsets.contains_key(*tp))
                            .filter_map(|(n, tp)| {
                                member_position(c, &client_name(n), *tp).map(|p| hw_of(tp).saturating_sub(p))
                            })
                            .sum();
                        committed + uncommitted
                    },
                },
                None => GroupView {
                    id: g.clone(),
                    state: "Unknown".into(),
                    generation: -1,
                    coordinator: coordinator.map(|b| b.0),
                    ..GroupView::default()
                },
            }
        })
        .collect()
}
