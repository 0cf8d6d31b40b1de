//! The consumer's side of the group protocol (Kafka's `ConsumerCoordinator` and
//! `AbstractCoordinator`): find the coordinator, join, sync, heartbeat, revoke and assign.
use super::*;
use crate::kafka::assignor::{self, MemberSubscription, Strategy};
use crate::kafka::message::{GroupMemberMetadata, Msg};
use crate::kafka::message::{HeartbeatRequest, JoinGroupRequest, SyncGroupRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::Ctx;
use std::collections::BTreeMap;
use std::rc::Rc;

impl Consumer {
    pub(super) fn find_coordinator(&mut self, ctx: &mut Ctx<World>) {
        if self.find_in_flight.is_some() {
            return;
        }
        let broker = self.any_broker(ctx.now);
        let correlation = self.next();
        self.find_in_flight = Some((correlation, broker));
        self.send_to(
            ctx,
            broker,
            Msg::FindCoordinator { correlation, group: self.group.clone(), transaction: false },
            correlation,
        );
    }

    /// Kafka's rebalance protocol: cooperative only if every configured assignor supports it.
    pub(super) fn cooperative(&self) -> bool {
        self.strategies.iter().all(|s| s.is_cooperative())
    }

    /// The group gave this member a new assignment that its application has not taken yet
    /// (it arrived mid-batch; the next `poll()` takes it).
    pub fn assignment_pending(&self) -> bool {
        self.pending_assignment.is_some()
    }

    /// In a rebalance (joining or syncing) with partitions still owned: a cooperative member,
    /// which goes on consuming them meanwhile (an eager one revoked everything first).
    pub(super) fn rejoining_with_partitions(&self) -> bool {
        matches!(self.join_state, JoinState::Joining(_) | JoinState::Syncing(_)) && !self.assignment.is_empty()
    }

    pub(super) fn join(&mut self, ctx: &mut Ctx<World>, _env: &Env, coordinator: BrokerId) {
        let cooperative = self.cooperative();
        // onJoinPrepare: with auto-commit, commit what was consumed first, under either
        // protocol (the partitions may move); eager protocols then give up everything, and
        // so does a member whose generation was reset (onPartitionsLost).
        if !self.assignment.is_empty() {
            if self.config.enable_auto_commit {
                self.commit(ctx, true);
            }
            if !cooperative || self.generation < 0 {
                self.revoke(ctx, self.assignment.clone());
            }
        }
        let correlation = self.next();
        self.join_state = JoinState::Joining(correlation);
        self.needs_rejoin = false;
        self.pending_assignment = None;
        let msg = Msg::JoinGroup(JoinGroupRequest {
            correlation,
            group: self.group.clone(),
            member_id: self.member_id.clone(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms: self.config.max_poll_interval_ms,
            protocols: self.strategies.iter().map(|s| s.name()).collect(),
            metadata: GroupMemberMetadata {
                member_id: self.member_id.clone(),
                group_instance_id: self.config.group_instance_id.as_deref().map(Rc::from),
                topics: self.topics.clone(),
                owned: self.assignment.clone(),
                generation: self.generation,
                sticky: if self.strategies.contains(&Strategy::Sticky) { self.sticky_previous.clone() } else { None },
            },
        });
        ctx.send(self.node, broker_node(coordinator), msg);
        // A join may wait for the whole rebalance: allow the rebalance timeout too.
        ctx.set_timer(self.node, self.config.max_poll_interval_ms + 5_000, Timer::ClientRequestTimeout(correlation));
    }

    pub(super) fn revoke(&mut self, ctx: &mut Ctx<World>, partitions: Vec<Tp>) {
        if partitions.is_empty() {
            return;
        }
        self.assignment.retain(|tp| !partitions.contains(tp));
        for tp in &partitions {
            self.positions.remove(tp);
            self.fetch_positions.remove(tp);
        }
        self.buffer.retain(|f| !partitions.contains(&f.tp));
        ctx.note(Note::ConsumerRevoked { consumer: self.index, partitions });
    }

    /// Forget the generation (and the member id): the next poll joins anew.
    pub(super) fn reset_generation(&mut self, ctx: &mut Ctx<World>, forget_member: bool) {
        self.generation = -1;
        self.pending_assignment = None;
        if forget_member {
            self.member_id = Rc::from("");
        }
        self.join_state = JoinState::NotMember;
        self.needs_rejoin = true;
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<World>) {
        self.heartbeat_armed = false;
        if self.join_state != JoinState::Member {
            return;
        }
        // The heartbeat thread enforces max.poll.interval.ms (AbstractCoordinator).
        if ctx.now.saturating_sub(self.last_poll) > self.config.max_poll_interval_ms {
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "poll timeout",
                detail: format!(
                    "no poll() within max.poll.interval.ms ({} ms): leaving the group",
                    self.config.max_poll_interval_ms
                ),
            });
            if let Some(c) = self.coordinator {
                let correlation = self.next();
                ctx.send(
                    self.node,
                    broker_node(c),
                    Msg::LeaveGroup { correlation, group: self.group.clone(), member_id: self.member_id.clone() },
                );
            }
            self.reset_generation(ctx, true);
            return;
        }
        if let (Some(c), None) = (self.coordinator, self.heartbeat_in_flight) {
            let correlation = self.next();
            self.heartbeat_in_flight = Some(correlation);
            let msg = Msg::Heartbeat(HeartbeatRequest {
                correlation,
                group: self.group.clone(),
                member_id: self.member_id.clone(),
                generation: self.generation,
            });
            self.send_to(ctx, c, msg, correlation);
        }
        self.arm_heartbeat(ctx);
    }

    pub(super) fn arm_heartbeat(&mut self, ctx: &mut Ctx<World>) {
        if !self.heartbeat_armed {
            self.heartbeat_armed = true;
            ctx.set_timer(self.node, self.config.heartbeat_interval_ms, Timer::ConsumerHeartbeat);
        }
    }

    /// The coordinator is gone or moved: find it again.
    pub(super) fn coordinator_lost(&mut self, ctx: &mut Ctx<World>) {
        self.coordinator = None;
        // Everything in flight to the coordinator fails with it (Kafka: DisconnectException).
        self.heartbeat_in_flight = None;
        self.offset_fetch_in_flight = None;
        self.commits_in_flight.clear();
        if let App::Committing { then_process, .. } = &mut self.app {
            // commitSync() retries a retriable failure until default.api.timeout.ms.
            let then_process = std::mem::take(then_process);
            self.app = App::Polling;
            self.commit_deadline.get_or_insert(ctx.now + self.config.default_api_timeout_ms);
            self.commit_retry = Some(then_process);
        }
        if matches!(self.join_state, JoinState::Joining(_) | JoinState::Syncing(_)) {
            self.join_state = JoinState::NotMember;
        }
        if self.app == App::Polling {
            self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
        }
    }

    /// Partition counts of the subscribed topics, as the metadata says.
    pub(super) fn counts(&self) -> BTreeMap<u32, u32> {
        let mut counts = BTreeMap::new();
        for tp in self.metadata.keys().filter(|tp| self.topics.contains(&tp.topic)) {
            *counts.entry(tp.topic).or_insert(0) += 1;
        }
        counts
    }

    /// The leader's assignor, run on this member (the group leader).
    pub(super) fn assign(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        protocol: Option<&'static str>,
        members: &[GroupMemberMetadata],
    ) -> Vec<(Rc<str>, Vec<Tp>)> {
        let strategy = protocol.and_then(Strategy::from_name).unwrap_or(self.strategies[0]);
        let topic_name = |t: u32| env.spec.topics[t as usize].name.clone();
        let topic_index = |name: &str| env.spec.topics.iter().position(|t| t.name == name).map(|i| i as u32);
        let mut partitions_per_topic = BTreeMap::new();
        for m in members {
            for t in &m.topics {
                partitions_per_topic.insert(topic_name(*t), env.spec.topics[*t as usize].partitions);
            }
        }
        let subs: Vec<MemberSubscription> = members
            .iter()
            .map(|m| {
                // StickyAssignor.memberData reads only its user data; cooperative-sticky the
                // protocol's fields (range and roundrobin ignore both).
                let (owned, generation) = match (strategy, &m.sticky) {
                    (Strategy::Sticky, Some((tps, generation))) => (tps.as_slice(), *generation),
                    (Strategy::Sticky, None) => (&[][..], -1),
                    _ => (m.owned.as_slice(), m.generation),
                };
                MemberSubscription {
                    member_id: m.member_id.to_string(),
                    group_instance_id: m.group_instance_id.as_deref().map(String::from),
                    topics: m.topics.iter().map(|t| topic_name(*t)).collect(),
                    owned: owned.iter().map(|tp| (topic_name(tp.topic), tp.partition)).collect(),
                    generation: (generation >= 0).then_some(generation),
                }
            })
            .collect();
        match assignor::assign(strategy, &partitions_per_topic, &subs) {
            Ok(result) => result
                .into_iter()
                .map(|(member, tps)| {
                    let tps = tps
                        .into_iter()
                        .filter_map(|(t, p)| topic_index(&t).map(|topic| Tp { topic, partition: p }))
                        .collect();
                    (Rc::from(member.as_str()), tps)
                })
                .collect(),
            Err(e) => {
                ctx.note(Note::ConsumerError { consumer: self.index, error: "assignor failed", detail: e.to_string() });
                Vec::new()
            }
        }
    }

    pub(super) fn on_assignment(&mut self, ctx: &mut Ctx<World>, assignment: Vec<Tp>) {
        // Cooperative: give up what moved away, keep the rest; a revocation means one more
        // rebalance, so the new owner can get it.
        let revoked: Vec<Tp> = self.assignment.iter().copied().filter(|tp| !assignment.contains(tp)).collect();
        if !revoked.is_empty() {
            self.revoke(ctx, revoked);
            if self.cooperative() {
                self.needs_rejoin = true;
            }
        }
        self.assignment = assignment.clone();
        self.join_state = JoinState::Member;
        self.joined_counts = self.counts();
        // consumer.groupMetadata() changes only here (onJoinComplete): a member that was
        // dropped from the group keeps its old generation in what it sends to a
        // transaction, so the coordinator can fence it.
        self.group_metadata = (self.member_id.clone(), self.generation);
        self.sticky_previous = Some((assignment.clone(), self.generation));
        // onJoinComplete restarts the auto-commit timer.
        self.auto_commit_deadline = ctx.now + self.config.auto_commit_interval_ms;
        ctx.note(Note::ConsumerAssigned { consumer: self.index, generation: self.generation, partitions: assignment });
        self.arm_heartbeat(ctx);
        self.ensure_positions(ctx);
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    // ----- the coordinator's answers ---------------------------------------------------------

    pub(super) fn on_find_coordinator_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    ) {
        if self.find_in_flight.map(|(c, _)| c) != Some(correlation) {
            return;
        }
        self.find_in_flight = None;
        if error == ErrorCode::None {
            self.coordinator = coordinator;
        }
        if self.app == App::Polling {
            self.schedule_poll(ctx, if coordinator.is_some() { 0 } else { retry_delay(self.config.retry_backoff_ms) });
        }
    }

    /// `msg` is a JoinGroupResponse (Kafka's `JoinGroupResponseHandler`): the leader runs
    /// the assignor; every member then sends SyncGroup.
    pub(super) fn on_join_group_response(&mut self, ctx: &mut Ctx<World>, env: &Env, msg: Msg) {
        let Msg::JoinGroupResponse { correlation, error, generation, protocol, leader, member_id, members } = msg
        else {
            return;
        };
        if self.join_state != JoinState::Joining(correlation) {
            return;
        }
        match error {
            ErrorCode::None => {
                self.generation = generation;
                self.member_id = member_id.clone();
                let assignments =
                    if *leader == *member_id { self.assign(ctx, env, protocol, &members) } else { Vec::new() };
                let correlation = self.next();
                self.join_state = JoinState::Syncing(correlation);
                let msg = Msg::SyncGroup(SyncGroupRequest {
                    correlation,
                    group: self.group.clone(),
                    member_id,
                    generation,
                    assignments,
                });
                if let Some(c) = self.coordinator {
                    self.send_to(ctx, c, msg, correlation);
                }
            }
            ErrorCode::MemberIdRequired => {
                self.member_id = member_id;
                self.join_state = JoinState::NotMember;
                if let Some(c) = self.coordinator {
                    self.join(ctx, env, c);
                }
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => {
                self.reset_generation(ctx, error == ErrorCode::UnknownMemberId)
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_lost(ctx),
            _ => {
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: error.name(),
                    detail: "JoinGroup failed".into(),
                });
                self.join_state = JoinState::NotMember;
                self.needs_rejoin = true;
            }
        }
    }

    pub(super) fn on_sync_group_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        error: ErrorCode,
        assignment: Vec<Tp>,
    ) {
        if self.join_state != JoinState::Syncing(correlation) {
            return;
        }
        match error {
            // The member is stable now (the SyncGroup handler); its application takes
            // the assignment at its next poll().
            ErrorCode::None if self.app != App::Polling => {
                self.join_state = JoinState::Member;
                self.arm_heartbeat(ctx);
                self.pending_assignment = Some(assignment);
            }
            ErrorCode::None => self.on_assignment(ctx, assignment),
            ErrorCode::RebalanceInProgress => {
                self.join_state = JoinState::NotMember;
                self.needs_rejoin = true;
                self.schedule_poll(ctx, 0);
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_lost(ctx),
            _ => self.reset_generation(ctx, error == ErrorCode::UnknownMemberId),
        }
    }

    pub(super) fn on_heartbeat_response(&mut self, ctx: &mut Ctx<World>, correlation: u64, error: ErrorCode) {
        if self.heartbeat_in_flight != Some(correlation) {
            return;
        }
        self.heartbeat_in_flight = None;
        match error {
            ErrorCode::None => {}
            ErrorCode::RebalanceInProgress => {
                self.needs_rejoin = true;
                if self.app == App::Polling {
                    self.schedule_poll(ctx, 0);
                }
            }
            ErrorCode::IllegalGeneration => self.reset_generation(ctx, false),
            ErrorCode::UnknownMemberId => self.reset_generation(ctx, true),
            _ => self.coordinator_lost(ctx),
        }
    }
}
