//! The group coordinator (classic protocol), as Kafka's `GroupMetadataManager` and
//! `ClassicGroup` run it on the broker that leads the group's `__consumer_offsets`
//! partition: JoinGroup (with KIP-394's MEMBER_ID_REQUIRED), SyncGroup, Heartbeat,
//! LeaveGroup, session expiry, OffsetCommit (with generation fencing) and OffsetFetch.
//!
//! Group metadata and committed offsets are records in `__consumer_offsets`, replicated
//! like any data; a broker that becomes leader of such a partition rebuilds its groups
//! from its own log. So coordinator failover keeps exactly what was replicated.
//!
//! Simplifications: member ids are `<client>-<8 hex digits>` (seeded) instead of `<client>-<UUID>`; static
//! membership (`group.instance.id`) is accepted and ordered as Kafka does, but a static
//! member's rejoin is handled like a dynamic one.
mod membership;
mod offsets;
use membership::join_error;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::kafka::assignor::java_hashmap::string_hash;
use crate::kafka::broker::Broker;
use crate::kafka::message::{GroupMemberMetadata, InternalRecord, Msg, OffsetCommitPartition, StoredMember};
use crate::kafka::notes::Note;
use crate::kafka::types::{ErrorCode, Tp};
use crate::kafka::world::{Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Member {
    pub id: Rc<str>,
    pub client: NodeId,
    pub group_instance_id: Option<Rc<str>>,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<&'static str>,
    pub metadata: GroupMemberMetadata,
    pub assignment: Vec<Tp>,
    /// The member's JoinGroup waiting for the join phase to complete.
    pub awaiting_join: Option<u64>,
    /// The member's SyncGroup waiting for the leader's assignment.
    pub awaiting_sync: Option<u64>,
    /// The session ends at this time unless a heartbeat (or join/sync) comes first.
    pub session_deadline: u64,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: Rc<str>,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<&'static str>,
    pub leader: Option<Rc<str>>,
    pub members: BTreeMap<Rc<str>, Member>,
    /// Member ids in the order they joined: the first still present leads.
    pub join_order: Vec<Rc<str>>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, not yet joined: id -> deadline.
    pub pending: BTreeMap<Rc<str>, u64>,
    /// Committed offsets (next offset to consume) with the generation that committed them.
    pub offsets: BTreeMap<Tp, (u64, i32)>,
    /// Offsets committed inside transactions not yet ended: producer id -> offsets (with
    /// the generation and member). They count once the COMMIT marker is written.
    pub pending_txn_offsets: BTreeMap<i64, PendingTxnOffsets>,
    /// When the join phase ends at the latest.
    pub join_deadline: Option<u64>,
    /// The initial rebalance of an empty group waits at least until then (KIP-134).
    pub initial_delay_until: Option<u64>,
    pub offsets_partition: Tp,
}

impl Group {
    fn new(id: Rc<str>, offsets_partition: Tp) -> Group {
        Group {
            id,
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            join_order: Vec::new(),
            pending: BTreeMap::new(),
            offsets: BTreeMap::new(),
            pending_txn_offsets: BTreeMap::new(),
            join_deadline: None,
            initial_delay_until: None,
            offsets_partition,
        }
    }

    fn all_joined(&self) -> bool {
        self.members.values().all(|m| m.awaiting_join.is_some())
    }

    fn rebalance_timeout(&self) -> u64 {
        self.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0)
    }
}

/// A transaction's offsets for a group: partition -> (offset, generation, member).
pub type PendingTxnOffsets = BTreeMap<Tp, (u64, i32, Rc<str>)>;

/// An offset commit waiting for its records to be replicated.
#[derive(Clone, Debug)]
pub struct PendingCommit {
    pub group: Rc<str>,
    pub from: NodeId,
    pub correlation: u64,
    pub member: Rc<str>,
    pub generation: i32,
    pub offsets: Vec<OffsetCommitPartition>,
}

#[derive(Clone, Debug, Default)]
pub struct Coordinator {
    pub groups: BTreeMap<Rc<str>, Group>,
}

/// `__consumer_offsets` partition of a group: `Utils.abs(groupId.hashCode()) % partitions`.
pub fn offsets_partition_for(group: &str, partitions: u32) -> u32 {
    let h = string_hash(group);
    let abs = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    abs % partitions
}

impl Broker {
    fn coordinates(&self, env: &Env, group: &str) -> Option<Tp> {
        let topic = env.spec.offsets_topic?;
        let tp = Tp { topic, partition: offsets_partition_for(group, env.spec.topics[topic as usize].partitions) };
        self.replicas.get(&tp).filter(|r| r.is_leader).map(|_| tp)
    }

    /// The group if this broker coordinates it (created empty on first use).
    fn group_mut(&mut self, env: &Env, group: &Rc<str>) -> Result<&mut Group, ErrorCode> {
        let tp = self.coordinates(env, group).ok_or(ErrorCode::NotCoordinator)?;
        Ok(self.coordinator.groups.entry(group.clone()).or_insert_with(|| Group::new(group.clone(), tp)))
    }

    pub fn on_find_coordinator(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        group: &str,
        transaction: bool,
    ) {
        let coordinator = if transaction {
            self.txn_coordinator_for(env, group)
        } else {
            env.spec.offsets_topic.and_then(|topic| {
                let tp =
                    Tp { topic, partition: offsets_partition_for(group, env.spec.topics[topic as usize].partitions) };
                self.metadata.get(&tp).and_then(|s| s.leader)
            })
        };
        let error = if coordinator.is_some() { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
        ctx.send(self.node(), from, Msg::FindCoordinatorResponse { correlation, error, coordinator });
    }

    /// This broker became leader of an offsets partition: load its groups from the log.
    pub(crate) fn load_groups(&mut self, ctx: &mut Ctx<World>, tp: Tp) {
        let now = ctx.now;
        let mut loaded: BTreeMap<Rc<str>, Group> = BTreeMap::new();
        let r = &self.replicas[&tp];
        for rec in r.log.records() {
            if let Some(kind) = rec.control {
                // A transaction marker: the producer's pending offsets count, or not.
                for g in loaded.values_mut() {
                    if let Some(pending) = g.pending_txn_offsets.remove(&rec.producer_id) {
                        if kind == crate::kafka::message::ControlType::Commit {
                            for (part, (offset, generation, _)) in pending {
                                g.offsets.insert(part, (offset, generation));
                            }
                        }
                    }
                }
                continue;
            }
            let Some(p) = &rec.payload else { continue };
            match p.as_ref() {
                InternalRecord::OffsetCommit { group, tp: part, offset, generation, member } if rec.transactional => {
                    let g = loaded.entry(group.clone()).or_insert_with(|| Group::new(group.clone(), tp));
                    g.pending_txn_offsets
                        .entry(rec.producer_id)
                        .or_default()
                        .insert(*part, (*offset, *generation, member.clone()));
                }
                InternalRecord::OffsetCommit { group, tp: part, offset, generation, .. } => {
                    let g = loaded.entry(group.clone()).or_insert_with(|| Group::new(group.clone(), tp));
                    g.offsets.insert(*part, (*offset, *generation));
                }
                InternalRecord::GroupMetadata { group, generation, protocol, leader, members } => {
                    let g = loaded.entry(group.clone()).or_insert_with(|| Group::new(group.clone(), tp));
                    g.generation = *generation;
                    g.protocol = *protocol;
                    g.leader = leader.clone();
                    g.state = if members.is_empty() { GroupState::Empty } else { GroupState::Stable };
                    g.join_order = members.iter().map(|m| m.member_id.clone()).collect();
                    g.members = members
                        .iter()
                        .map(|m| {
                            let member = Member {
                                id: m.member_id.clone(),
                                client: m.client,
                                group_instance_id: m.group_instance_id.clone(),
                                session_timeout_ms: m.session_timeout_ms,
                                rebalance_timeout_ms: m.rebalance_timeout_ms,
                                protocols: m.protocols.clone(),
                                metadata: GroupMemberMetadata {
                                    member_id: m.member_id.clone(),
                                    group_instance_id: m.group_instance_id.clone(),
                                    topics: m.topics.clone(),
                                    owned: m.assignment.clone(),
                                    generation: *generation,
                                    sticky: Some((m.assignment.clone(), *generation)),
                                },
                                assignment: m.assignment.clone(),
                                awaiting_join: None,
                                awaiting_sync: None,
                                // Loaded members get a fresh session, as Kafka schedules
                                // their heartbeat expiration anew.
                                session_deadline: now + m.session_timeout_ms,
                            };
                            (m.member_id.clone(), member)
                        })
                        .collect();
                }
                InternalRecord::TxnState(_) => {}
            }
        }
        for (id, g) in loaded {
            ctx.note(Note::GroupLoaded {
                broker: self.id,
                group: id.clone(),
                generation: g.generation,
                members: g.members.len() as u32,
            });
            self.coordinator.groups.insert(id, g);
        }
    }

    /// This broker lost the leadership of an offsets partition: its groups move away.
    pub(crate) fn unload_groups(&mut self, ctx: &mut Ctx<World>, tp: Tp) {
        let ids: Vec<Rc<str>> =
            self.coordinator.groups.iter().filter(|(_, g)| g.offsets_partition == tp).map(|(k, _)| k.clone()).collect();
        for id in ids {
            let g = self.coordinator.groups.remove(&id).expect("listed");
            for m in g.members.values() {
                if let Some(c) = m.awaiting_join {
                    ctx.send(self.node(), m.client, join_error(c, ErrorCode::NotCoordinator, &m.id));
                }
                if let Some(c) = m.awaiting_sync {
                    ctx.send(
                        self.node(),
                        m.client,
                        Msg::SyncGroupResponse { correlation: c, error: ErrorCode::NotCoordinator, assignment: vec![] },
                    );
                }
            }
        }
    }

    /// The next moment a session may expire or a join phase may end.
    fn next_group_deadline(&self) -> Option<u64> {
        self.coordinator
            .groups
            .values()
            .flat_map(|g| {
                let members = g.members.values().filter(|m| m.awaiting_join.is_none()).map(|m| m.session_deadline);
                let pending = g.pending.values().copied();
                let join = (g.state == GroupState::PreparingRebalance)
                    .then_some([g.join_deadline, g.initial_delay_until])
                    .into_iter()
                    .flatten()
                    .flatten();
                members.chain(pending).chain(join).collect::<Vec<_>>()
            })
            .min()
    }

    /// The group timer fires at the next deadline (stale firings are skipped by the kernel).
    pub(crate) fn arm_group_tick(&mut self, ctx: &mut Ctx<World>) {
        let Some(at) = self.next_group_deadline() else { return };
        let at = at.max(ctx.now);
        if self.group_tick_at.is_none_or(|t| t > at || t < ctx.now) {
            self.group_tick_at = Some(at);
            ctx.set_timer(self.node(), at - ctx.now, Timer::GroupTick);
        }
    }

    /// Whether a group timer firing at `now` is the one we wait for.
    pub fn group_tick_live(&self, now: u64) -> bool {
        self.group_tick_at == Some(now)
    }

    /// Expire sessions and finish join phases whose time has come.
    pub fn on_group_tick(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        self.group_tick_at = None;
        let now = ctx.now;
        let ids: Vec<Rc<str>> = self.coordinator.groups.keys().cloned().collect();
        for id in &ids {
            let g = self.coordinator.groups.get_mut(id).expect("group");
            g.pending.retain(|_, d| *d > now);
            let expired: Vec<Rc<str>> = g
                .members
                .values()
                .filter(|m| m.session_deadline <= now && m.awaiting_join.is_none())
                .map(|m| m.id.clone())
                .collect();
            for m in expired {
                self.remove_member(ctx, env, id, &m, "session timeout (no heartbeat within session.timeout.ms)");
            }
            self.maybe_complete_join(ctx, env, id);
        }
        self.arm_group_tick(ctx);
    }
}

/// Append errors reach clients as coordinator errors, as in Kafka.
pub(crate) fn coordinator_error(error: ErrorCode) -> ErrorCode {
    match error {
        ErrorCode::None => ErrorCode::None,
        ErrorCode::NotLeaderOrFollower | ErrorCode::NotCoordinator => ErrorCode::NotCoordinator,
        _ => ErrorCode::CoordinatorNotAvailable,
    }
}

fn broker_node_of(b: crate::kafka::types::BrokerId) -> NodeId {
    crate::kafka::world::broker_node(b)
}

fn client_name(env: &Env, node: NodeId) -> String {
    env.spec.node_name(node)
}

fn stored_group(g: &Group) -> InternalRecord {
    InternalRecord::GroupMetadata {
        group: g.id.clone(),
        generation: g.generation,
        protocol: g.protocol,
        leader: g.leader.clone(),
        members: g
            .join_order
            .iter()
            .filter_map(|id| g.members.get(id))
            .map(|m| StoredMember {
                member_id: m.id.clone(),
                client: m.client,
                group_instance_id: m.group_instance_id.clone(),
                session_timeout_ms: m.session_timeout_ms,
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                protocols: m.protocols.clone(),
                topics: m.metadata.topics.clone(),
                assignment: m.assignment.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_partition_is_kafkas_abs_hash_mod_partitions() {
        // "my-group".hashCode() computed as Java does.
        let h = string_hash("my-group");
        assert_eq!(offsets_partition_for("my-group", 50), h.unsigned_abs() % 50);
        assert!(offsets_partition_for("g", 3) < 3);
    }
}
