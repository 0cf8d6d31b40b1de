//! The group coordinator's membership protocol (classic, Kafka's `ClassicGroup` and
//! `GroupCoordinator`): JoinGroup, the rebalance and its generation, SyncGroup, Heartbeat and
//! LeaveGroup.
use super::*;
use crate::kafka::assignor::java_hashmap::JavaHashMap;
use crate::kafka::broker::{Broker, Reply};
use crate::kafka::message::Msg;
use crate::kafka::message::{HeartbeatRequest, JoinGroupRequest, SyncGroupRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{ErrorCode, Tp};
use crate::kafka::world::{Env, World};
use crate::kernel::{Ctx, NodeId};
use std::collections::BTreeMap;
use std::rc::Rc;

impl Broker {
    pub fn on_join_group(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: JoinGroupRequest) {
        let (correlation, group_id, member_id) = (req.correlation, req.group.clone(), req.member_id.clone());
        let node = self.node();
        let now = ctx.now;
        let cfg = env.broker;
        if req.session_timeout_ms < cfg.group_min_session_timeout_ms
            || req.session_timeout_ms > cfg.group_max_session_timeout_ms
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
        let known = match admit_member(group, &req, fresh_id, now) {
            Ok(known) => known,
            Err((error, id)) => return ctx.send(node, from, join_error(correlation, error, &id)),
        };
        let is_leader = group.leader.as_deref() == Some(&*member_id);
        let changed = join_member(group, from, req, now);
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

    pub(super) fn prepare_rebalance(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        group_id: &Rc<str>,
        reason: &'static str,
    ) {
        self.prepare_rebalance_inner(ctx, env, group_id, reason);
        self.arm_group_tick(ctx);
    }

    pub(super) fn prepare_rebalance_inner(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        group_id: &Rc<str>,
        reason: &'static str,
    ) {
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
    pub(super) fn maybe_complete_join(&mut self, ctx: &mut Ctx<World>, env: &Env, group_id: &Rc<str>) {
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

    pub(super) fn complete_join(&mut self, ctx: &mut Ctx<World>, _env: &Env, group_id: &Rc<str>) {
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

    pub(super) fn remove_member(
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
}

/// Whether the group takes this JoinGroup (the checks of Kafka's `handleJoinGroup`): Ok with
/// whether the member is known, or the error to answer with and the member id to put in it.
fn admit_member(
    group: &mut Group,
    req: &JoinGroupRequest,
    fresh_id: Rc<str>,
    now: u64,
) -> Result<bool, (ErrorCode, Rc<str>)> {
    let member_id = &req.member_id;
    if group.state == GroupState::Dead {
        return Err((ErrorCode::CoordinatorNotAvailable, member_id.clone()));
    }
    // The group's protocols must overlap with the member's.
    if !group.members.is_empty()
        && !group.members.values().all(|m| m.protocols.iter().any(|p| req.protocols.contains(p)))
    {
        return Err((ErrorCode::InconsistentGroupProtocol, member_id.clone()));
    }
    if member_id.is_empty() {
        // KIP-394: hand out an id and ask the member to join again with it.
        group.pending.insert(fresh_id.clone(), now + req.session_timeout_ms);
        return Err((ErrorCode::MemberIdRequired, fresh_id));
    }
    let known = group.members.contains_key(member_id);
    if !known && group.pending.remove(member_id).is_none() {
        return Err((ErrorCode::UnknownMemberId, member_id.clone()));
    }
    Ok(known)
}

/// Add the member, or take its new protocols, subscription and timeouts; either way it
/// now waits for the join phase to complete. Returns whether its protocols or
/// subscription changed (a new member counts as a change).
fn join_member(group: &mut Group, from: NodeId, req: JoinGroupRequest, now: u64) -> bool {
    let JoinGroupRequest {
        correlation, member_id, session_timeout_ms, rebalance_timeout_ms, protocols, metadata, ..
    } = req;
    let mut meta = metadata;
    meta.member_id = member_id.clone();
    let changed = match group.members.get(&member_id) {
        Some(m) => m.protocols != protocols || m.metadata.topics != meta.topics,
        None => true,
    };
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
    changed
}

pub(super) fn join_error(correlation: u64, error: ErrorCode, member_id: &Rc<str>) -> Msg {
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

pub(super) fn join_response(g: &Group, member_id: &Rc<str>, correlation: u64) -> Msg {
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
pub(super) fn select_protocol(g: &Group) -> Option<&'static str> {
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
