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
use crate::kafka::message::{
    HeartbeatRequest, JoinGroupRequest, OffsetCommitRequest, SyncGroupRequest, TxnOffsetCommitRequest,
};
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::kafka::assignor::java_hashmap::{string_hash, JavaHashMap};
use crate::kafka::broker::{Broker, Reply};
use crate::kafka::config::IsolationLevel;
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

    pub fn on_join_group(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: JoinGroupRequest) {
        let JoinGroupRequest {
            correlation,
            group: group_id,
            member_id,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
            metadata,
        } = req;
        let node = self.node();
        let now = ctx.now;
        let cfg = env.broker;
        if session_timeout_ms < cfg.group_min_session_timeout_ms
            || session_timeout_ms > cfg.group_max_session_timeout_ms
        {
            return ctx.send(node, from, join_error(correlation, ErrorCode::InvalidSessionTimeout, &member_id));
        }
        // Kafka appends a random UUID; a seeded draw keeps ids unique across coordinators
        // (a coordinator that takes over must never hand out an id a zombie still uses).
        let fresh_id: Rc<str> = Rc::from(format!("{}-{:08x}", client_name(env, from), ctx.prng.next_u64() as u32));
        let group = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return ctx.send(node, from, join_error(correlation, e, &member_id)),
        };
        if group.state == GroupState::Dead {
            return ctx.send(node, from, join_error(correlation, ErrorCode::CoordinatorNotAvailable, &member_id));
        }
        // The group's protocols must overlap with the member's.
        if !group.members.is_empty()
            && !group.members.values().all(|m| m.protocols.iter().any(|p| protocols.contains(p)))
        {
            return ctx.send(node, from, join_error(correlation, ErrorCode::InconsistentGroupProtocol, &member_id));
        }
        if member_id.is_empty() {
            // KIP-394: hand out an id and ask the member to join again with it.
            group.pending.insert(fresh_id.clone(), now + session_timeout_ms);
            return ctx.send(node, from, join_error(correlation, ErrorCode::MemberIdRequired, &fresh_id));
        }
        let known = group.members.contains_key(&member_id);
        if !known && group.pending.remove(&member_id).is_none() {
            return ctx.send(node, from, join_error(correlation, ErrorCode::UnknownMemberId, &member_id));
        }
        let mut meta = metadata;
        meta.member_id = member_id.clone();
        let changed = match group.members.get(&member_id) {
            Some(m) => m.protocols != protocols || m.metadata.topics != meta.topics,
            None => true,
        };
        let is_leader = group.leader.as_deref() == Some(&*member_id);
        let member = group.members.entry(member_id.clone()).or_insert_with(|| Member {
            id: member_id.clone(),
            client: from,
            group_instance_id: meta.group_instance_id.clone(),
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols: protocols.clone(),
            metadata: meta.clone(),
            assignment: Vec::new(),
            awaiting_join: None,
            awaiting_sync: None,
            session_deadline: now + session_timeout_ms,
        });
        member.client = from;
        member.protocols = protocols;
        member.metadata = meta;
        member.session_timeout_ms = session_timeout_ms;
        member.rebalance_timeout_ms = rebalance_timeout_ms;
        member.session_deadline = now + session_timeout_ms;
        member.awaiting_join = Some(correlation);
        if !group.join_order.contains(&member_id) {
            group.join_order.push(member_id.clone());
        }
        if !known {
            ctx.note(Note::MemberJoined { group: group_id.clone(), member: member_id.clone() });
        }
        match group.state {
            GroupState::Stable | GroupState::CompletingRebalance if known && !changed && !is_leader => {
                // Nothing changed: answer with the current generation (no rebalance).
                let m = group.members.get_mut(&member_id).expect("member");
                m.awaiting_join = None;
                let resp = join_response(group, &member_id, correlation);
                ctx.send(node, from, resp);
            }
            GroupState::PreparingRebalance => {
                if group.initial_delay_until.is_some() {
                    // A new member during the initial delay extends it (up to the rebalance timeout).
                    let extended = now + cfg.group_initial_rebalance_delay_ms;
                    let cap = group.join_deadline.unwrap_or(extended);
                    group.initial_delay_until = Some(extended.min(cap));
                }
                self.maybe_complete_join(ctx, env, &group_id);
            }
            _ => {
                self.prepare_rebalance(
                    ctx,
                    env,
                    &group_id,
                    if known { "member rejoined with new metadata" } else { "member joined" },
                );
                self.maybe_complete_join(ctx, env, &group_id);
            }
        }
        self.arm_group_tick(ctx);
    }

    fn prepare_rebalance(&mut self, ctx: &mut Ctx<World>, env: &Env, group_id: &Rc<str>, reason: &'static str) {
        self.prepare_rebalance_inner(ctx, env, group_id, reason);
        self.arm_group_tick(ctx);
    }

    fn prepare_rebalance_inner(&mut self, ctx: &mut Ctx<World>, env: &Env, group_id: &Rc<str>, reason: &'static str) {
        let now = ctx.now;
        let g = self.coordinator.groups.get_mut(group_id).expect("group");
        let was_empty = g.state == GroupState::Empty;
        // Members waiting for an assignment of the old generation get told to rejoin.
        for m in g.members.values_mut() {
            if let Some(c) = m.awaiting_sync.take() {
                ctx.send(
                    broker_node_of(self.id),
                    m.client,
                    Msg::SyncGroupResponse {
                        correlation: c,
                        error: ErrorCode::RebalanceInProgress,
                        assignment: vec![],
                    },
                );
            }
        }
        g.state = GroupState::PreparingRebalance;
        g.join_deadline = Some(now + g.rebalance_timeout());
        g.initial_delay_until = was_empty.then_some(now + env.broker.group_initial_rebalance_delay_ms);
        ctx.note(Note::GroupState { group: group_id.clone(), state: g.state.name(), generation: g.generation, reason });
    }

    /// Complete the join phase if everyone is in (or the deadline passed).
    fn maybe_complete_join(&mut self, ctx: &mut Ctx<World>, env: &Env, group_id: &Rc<str>) {
        let now = ctx.now;
        let Some(g) = self.coordinator.groups.get(group_id) else { return };
        if g.state != GroupState::PreparingRebalance {
            return;
        }
        let deadline_passed = g.join_deadline.is_some_and(|d| now >= d);
        let delay_over = g.initial_delay_until.is_none_or(|d| now >= d);
        if !(deadline_passed || (delay_over && g.all_joined())) {
            return;
        }
        self.complete_join(ctx, env, group_id);
    }

    fn complete_join(&mut self, ctx: &mut Ctx<World>, _env: &Env, group_id: &Rc<str>) {
        let node = self.node();
        let g = self.coordinator.groups.get_mut(group_id).expect("group");
        // Members that did not rejoin in time are removed.
        let gone: Vec<Rc<str>> =
            g.members.values().filter(|m| m.awaiting_join.is_none()).map(|m| m.id.clone()).collect();
        for id in gone {
            g.members.remove(&id);
            ctx.note(Note::MemberRemoved { group: group_id.clone(), member: id, reason: "did not rejoin in time" });
        }
        g.join_order.retain(|id| g.members.contains_key(id));
        g.generation += 1;
        g.join_deadline = None;
        g.initial_delay_until = None;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.protocol = None;
            g.leader = None;
            ctx.note(Note::GroupState {
                group: group_id.clone(),
                state: g.state.name(),
                generation: g.generation,
                reason: "no members",
            });
            return;
        }
        g.protocol = select_protocol(g);
        if g.leader.as_ref().is_none_or(|l| !g.members.contains_key(l)) {
            g.leader = g.join_order.first().cloned();
        }
        g.state = GroupState::CompletingRebalance;
        ctx.note(Note::GroupState {
            group: group_id.clone(),
            state: g.state.name(),
            generation: g.generation,
            reason: "all members joined",
        });
        let ids: Vec<Rc<str>> = g.members.keys().cloned().collect();
        for id in ids {
            let correlation = g.members[&id].awaiting_join.expect("joined");
            let resp = join_response(g, &id, correlation);
            let m = g.members.get_mut(&id).expect("member");
            m.awaiting_join = None;
            m.session_deadline = ctx.now + m.session_timeout_ms;
            ctx.send(node, m.client, resp);
        }
        self.arm_group_tick(ctx);
    }

    pub fn on_sync_group(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: SyncGroupRequest) {
        let SyncGroupRequest { correlation, group: group_id, member_id, generation, assignments } = req;
        let node = self.node();
        let now = ctx.now;
        let reply = |ctx: &mut Ctx<World>, error, assignment| {
            ctx.send(node, from, Msg::SyncGroupResponse { correlation, error, assignment })
        };
        let g = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return reply(ctx, e, vec![]),
        };
        let Some(m) = g.members.get_mut(&member_id) else { return reply(ctx, ErrorCode::UnknownMemberId, vec![]) };
        if generation != g.generation {
            return reply(ctx, ErrorCode::IllegalGeneration, vec![]);
        }
        m.session_deadline = now + m.session_timeout_ms;
        match g.state {
            GroupState::Empty | GroupState::Dead => reply(ctx, ErrorCode::UnknownMemberId, vec![]),
            GroupState::PreparingRebalance => reply(ctx, ErrorCode::RebalanceInProgress, vec![]),
            GroupState::Stable => {
                let a = m.assignment.clone();
                reply(ctx, ErrorCode::None, a)
            }
            GroupState::CompletingRebalance => {
                m.awaiting_sync = Some(correlation);
                if g.leader.as_deref() == Some(&*member_id) {
                    for mem in g.members.values_mut() {
                        mem.assignment = assignments
                            .iter()
                            .find(|(id, _)| *id == mem.id)
                            .map(|(_, a)| a.clone())
                            .unwrap_or_default();
                    }
                    let record = stored_group(g);
                    let tp = g.offsets_partition;
                    let reply_to = Reply::GroupStored { group: group_id.clone(), generation };
                    if let Err(e) = self.append_internal(ctx, env, tp, vec![record], None, reply_to) {
                        self.on_group_stored(ctx, env, group_id, generation, e);
                    }
                }
            }
        }
    }

    /// The group's metadata record is replicated (or failed): answer the SyncGroups.
    pub(crate) fn on_group_stored(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        group_id: Rc<str>,
        generation: i32,
        error: ErrorCode,
    ) {
        let node = self.node();
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else { return };
        if g.generation != generation || g.state != GroupState::CompletingRebalance {
            return;
        }
        if error != ErrorCode::None {
            // Kafka resets and rebalances when the group cannot be stored.
            for m in g.members.values_mut() {
                m.assignment.clear();
            }
            self.prepare_rebalance(ctx, env, &group_id, "storing the group failed");
            return;
        }
        g.state = GroupState::Stable;
        ctx.note(Note::GroupState {
            group: group_id.clone(),
            state: g.state.name(),
            generation,
            reason: "leader's assignment stored",
        });
        let assignment: Vec<(Rc<str>, Vec<Tp>)> =
            g.members.values().map(|m| (m.id.clone(), m.assignment.clone())).collect();
        ctx.note(Note::Assignment {
            group: group_id.clone(),
            generation,
            protocol: g.protocol.unwrap_or("-"),
            assignment,
        });
        for m in g.members.values_mut() {
            if let Some(c) = m.awaiting_sync.take() {
                ctx.send(
                    node,
                    m.client,
                    Msg::SyncGroupResponse { correlation: c, error: ErrorCode::None, assignment: m.assignment.clone() },
                );
            }
        }
    }

    pub fn on_heartbeat(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: HeartbeatRequest) {
        let HeartbeatRequest { correlation, group: group_id, member_id, generation } = req;
        let node = self.node();
        let now = ctx.now;
        let error = match self.group_mut(env, &group_id) {
            Err(e) => e,
            Ok(g) => match g.members.get_mut(&member_id) {
                None => ErrorCode::UnknownMemberId,
                Some(_) if g.state == GroupState::Empty || g.state == GroupState::Dead => ErrorCode::UnknownMemberId,
                Some(_) if generation != g.generation => ErrorCode::IllegalGeneration,
                Some(m) => {
                    m.session_deadline = now + m.session_timeout_ms;
                    if g.state == GroupState::PreparingRebalance {
                        ErrorCode::RebalanceInProgress
                    } else {
                        ErrorCode::None
                    }
                }
            },
        };
        ctx.send(node, from, Msg::HeartbeatResponse { correlation, error });
        self.arm_group_tick(ctx);
    }

    pub fn on_leave_group(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        group_id: Rc<str>,
        member_id: Rc<str>,
    ) {
        let node = self.node();
        let error = match self.group_mut(env, &group_id) {
            Err(e) => e,
            Ok(g) if !g.members.contains_key(&member_id) => ErrorCode::UnknownMemberId,
            Ok(_) => {
                self.remove_member(ctx, env, &group_id, &member_id, "left the group (LeaveGroup)");
                ErrorCode::None
            }
        };
        ctx.send(node, from, Msg::LeaveGroupResponse { correlation, error });
    }

    fn remove_member(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        group_id: &Rc<str>,
        member_id: &Rc<str>,
        reason: &'static str,
    ) {
        let g = self.coordinator.groups.get_mut(group_id).expect("group");
        g.members.remove(member_id);
        g.join_order.retain(|id| id != member_id);
        ctx.note(Note::MemberRemoved { group: group_id.clone(), member: member_id.clone(), reason });
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => self.prepare_rebalance(ctx, env, group_id, reason),
            GroupState::PreparingRebalance => self.maybe_complete_join(ctx, env, group_id),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    pub fn on_offset_commit(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: OffsetCommitRequest) {
        let OffsetCommitRequest { correlation, group: group_id, member_id, generation, offsets } = req;
        let node = self.node();
        let respond = |ctx: &mut Ctx<World>, error: ErrorCode, offsets: Vec<OffsetCommitPartition>| {
            if error != ErrorCode::None {
                ctx.note(Note::CommitRejected {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    generation,
                    error,
                });
            }
            ctx.send(node, from, Msg::OffsetCommitResponse { correlation, error, offsets });
        };
        let g = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return respond(ctx, e, offsets),
        };
        // ClassicGroup.validateOffsetCommit.
        let error = if g.state == GroupState::Dead {
            ErrorCode::CoordinatorNotAvailable
        } else if generation < 0 && g.state == GroupState::Empty {
            ErrorCode::None
        } else if !g.members.contains_key(&member_id) {
            ErrorCode::UnknownMemberId
        } else if generation != g.generation {
            ErrorCode::IllegalGeneration
        } else if g.state == GroupState::CompletingRebalance {
            ErrorCode::RebalanceInProgress
        } else {
            ErrorCode::None
        };
        if error != ErrorCode::None {
            return respond(ctx, error, offsets);
        }
        let tp = g.offsets_partition;
        let records = commit_records(&group_id, &member_id, generation, &offsets);
        let pending = PendingCommit {
            group: group_id.clone(),
            from,
            correlation,
            member: member_id.clone(),
            generation,
            offsets: offsets.clone(),
        };
        if let Err(e) = self.append_internal(ctx, env, tp, records, None, Reply::OffsetCommit(pending)) {
            respond(ctx, e, offsets);
        }
    }

    /// The commit's records are replicated (or failed): apply it and answer.
    pub(crate) fn on_commit_stored(&mut self, ctx: &mut Ctx<World>, _env: &Env, p: PendingCommit, error: ErrorCode) {
        let node = self.node();
        let error = coordinator_error(error);
        if error == ErrorCode::None {
            if let Some(g) = self.coordinator.groups.get_mut(&p.group) {
                for o in &p.offsets {
                    g.offsets.insert(o.tp, (o.offset, p.generation));
                    ctx.note(Note::OffsetCommitted {
                        group: p.group.clone(),
                        tp: o.tp,
                        offset: o.offset,
                        generation: p.generation,
                        member: p.member.clone(),
                    });
                }
            }
        } else {
            ctx.note(Note::CommitRejected {
                group: p.group.clone(),
                member: p.member.clone(),
                generation: p.generation,
                error,
            });
        }
        ctx.send(node, p.from, Msg::OffsetCommitResponse { correlation: p.correlation, error, offsets: p.offsets });
    }

    pub fn on_offset_fetch(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        group_id: Rc<str>,
        partitions: Vec<Tp>,
    ) {
        let node = self.node();
        let (error, offsets) = match self.group_mut(env, &group_id) {
            Err(e) => (e, vec![]),
            // The consumer asks with require_stable (KIP-447): while a transaction holds
            // offsets for these partitions, the answer is UNSTABLE_OFFSET_COMMIT (retriable).
            Ok(g) if g.pending_txn_offsets.values().any(|p| partitions.iter().any(|tp| p.contains_key(tp))) => {
                (ErrorCode::UnstableOffsetCommit, vec![])
            }
            Ok(g) => (ErrorCode::None, partitions.iter().map(|tp| (*tp, g.offsets.get(tp).map(|o| o.0))).collect()),
        };
        ctx.send(node, from, Msg::OffsetFetchResponse { correlation, error, offsets });
    }

    pub fn on_list_offsets(
        &mut self,
        ctx: &mut Ctx<World>,
        from: NodeId,
        correlation: u64,
        partitions: Vec<Tp>,
        latest: bool,
        isolation: IsolationLevel,
    ) {
        let offsets = partitions
            .into_iter()
            .map(|tp| match self.replicas.get(&tp) {
                // "latest" is the high watermark for read_uncommitted, the LSO for read_committed.
                Some(r) if r.is_leader => {
                    let end = match isolation {
                        IsolationLevel::ReadUncommitted => r.log.high_watermark(),
                        IsolationLevel::ReadCommitted => r.log.last_stable_offset(),
                    };
                    (tp, ErrorCode::None, if latest { end } else { r.log.log_start_offset() })
                }
                _ => (tp, ErrorCode::NotLeaderOrFollower, 0),
            })
            .collect();
        ctx.send(self.node(), from, Msg::ListOffsetsResponse { correlation, offsets });
    }

    /// TxnOffsetCommit: offsets committed inside a transaction. The member and generation
    /// are checked as for a plain commit (KIP-447 fences zombie consumers this way); the
    /// offsets are written as transactional records and count only after the COMMIT marker.
    pub fn on_txn_offset_commit(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: TxnOffsetCommitRequest) {
        let TxnOffsetCommitRequest {
            correlation,
            group: group_id,
            producer_id,
            producer_epoch,
            member_id,
            generation,
            offsets,
            ..
        } = req;
        let node = self.node();
        let respond = |ctx: &mut Ctx<World>, error: ErrorCode| {
            if error != ErrorCode::None {
                ctx.note(Note::CommitRejected {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    generation,
                    error,
                });
            }
            ctx.send(node, from, Msg::TxnOffsetCommitResponse { correlation, error });
        };
        let g = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return respond(ctx, e),
        };
        let error = if generation < 0 {
            ErrorCode::None
        } else if !g.members.contains_key(&member_id) {
            ErrorCode::UnknownMemberId
        } else if generation != g.generation {
            ErrorCode::IllegalGeneration
        } else {
            ErrorCode::None
        };
        if error != ErrorCode::None {
            return respond(ctx, error);
        }
        let tp = g.offsets_partition;
        let records = commit_records(&group_id, &member_id, generation, &offsets);
        let pending = PendingCommit {
            group: group_id.clone(),
            from,
            correlation,
            member: member_id.clone(),
            generation,
            offsets,
        };
        if let Err(e) = self.append_internal(
            ctx,
            env,
            tp,
            records,
            Some((producer_id, producer_epoch)),
            Reply::TxnOffsetCommit(pending, producer_id),
        ) {
            respond(ctx, e);
        }
    }

    /// The transactional offsets are replicated: they wait for the transaction's end.
    pub(crate) fn on_txn_offsets_stored(
        &mut self,
        ctx: &mut Ctx<World>,
        p: PendingCommit,
        producer_id: i64,
        error: ErrorCode,
    ) {
        let error = coordinator_error(error);
        if error == ErrorCode::None {
            if let Some(g) = self.coordinator.groups.get_mut(&p.group) {
                let pending = g.pending_txn_offsets.entry(producer_id).or_default();
                for o in &p.offsets {
                    pending.insert(o.tp, (o.offset, p.generation, p.member.clone()));
                }
            }
        }
        ctx.send(self.node(), p.from, Msg::TxnOffsetCommitResponse { correlation: p.correlation, error });
    }

    /// A transaction marker reached `offsets_tp`: the producer's pending offsets in groups
    /// of that partition become committed (COMMIT) or are dropped (ABORT).
    pub(crate) fn complete_txn_offsets(
        &mut self,
        ctx: &mut Ctx<World>,
        offsets_tp: Tp,
        producer_id: i64,
        commit: bool,
    ) {
        for g in self.coordinator.groups.values_mut().filter(|g| g.offsets_partition == offsets_tp) {
            let Some(pending) = g.pending_txn_offsets.remove(&producer_id) else { continue };
            if !commit {
                continue;
            }
            for (tp, (offset, generation, member)) in pending {
                g.offsets.insert(tp, (offset, generation));
                ctx.note(Note::OffsetCommitted { group: g.id.clone(), tp, offset, generation, member });
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

/// The `__consumer_offsets` records of a commit, one per partition.
fn commit_records(
    group: &Rc<str>,
    member: &Rc<str>,
    generation: i32,
    offsets: &[OffsetCommitPartition],
) -> Vec<InternalRecord> {
    offsets
        .iter()
        .map(|o| InternalRecord::OffsetCommit {
            group: group.clone(),
            tp: o.tp,
            offset: o.offset,
            generation,
            member: member.clone(),
        })
        .collect()
}

fn broker_node_of(b: crate::kafka::types::BrokerId) -> NodeId {
    crate::kafka::world::broker_node(b)
}

fn client_name(env: &Env, node: NodeId) -> String {
    env.spec.node_name(node)
}

fn join_error(correlation: u64, error: ErrorCode, member_id: &Rc<str>) -> Msg {
    Msg::JoinGroupResponse {
        correlation,
        error,
        generation: -1,
        protocol: None,
        leader: Rc::from(""),
        member_id: member_id.clone(),
        members: vec![],
    }
}

fn join_response(g: &Group, member_id: &Rc<str>, correlation: u64) -> Msg {
    let leader = g.leader.clone().unwrap_or_else(|| Rc::from(""));
    let members = if *leader == **member_id {
        g.join_order
            .iter()
            .filter_map(|id| g.members.get(id))
            .map(|m| {
                let mut meta = m.metadata.clone();
                meta.member_id = m.id.clone();
                meta
            })
            .collect()
    } else {
        vec![]
    };
    Msg::JoinGroupResponse {
        correlation,
        error: ErrorCode::None,
        generation: g.generation,
        protocol: g.protocol,
        leader,
        member_id: member_id.clone(),
        members,
    }
}

/// `ClassicGroup.selectProtocol`: among protocols every member supports, each member votes
/// for the first of its own list; most votes wins; ties go to the first candidate in
/// java.util.HashMap order of the names.
fn select_protocol(g: &Group) -> Option<&'static str> {
    let first = g.members.values().next()?;
    let candidates: Vec<&'static str> =
        first.protocols.iter().copied().filter(|p| g.members.values().all(|m| m.protocols.contains(p))).collect();
    let mut order = JavaHashMap::new();
    for c in &candidates {
        order.put(c.to_string());
    }
    let mut votes: BTreeMap<&'static str, u32> = BTreeMap::new();
    for m in g.members.values() {
        if let Some(p) = m.protocols.iter().find(|p| candidates.contains(p)) {
            *votes.entry(p).or_default() += 1;
        }
    }
    let max = votes.values().copied().max()?;
    let winner =
        order.keys().find_map(|k| candidates.iter().copied().find(|c| *c == k.as_str() && votes.get(c) == Some(&max)));
    winner
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
