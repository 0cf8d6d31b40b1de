//! The KRaft-style controller: broker registrations and fencing, leader elections, ISR
//! changes (AlterPartition), and the controller quorum's own failover.
//!
//! Simplifications, said plainly (the UI repeats them):
//! - Controllers run in combined mode on the first brokers (`controller.quorum.voters`,
//!   up to three). The quorum's Raft traffic is not drawn: the committed metadata is one
//!   shared value, and a controller acts only while it can reach a majority of voters.
//! - When the active controller is gone (down, or cut off from a voter) for
//!   `controller.quorum.fetch.timeout.ms`, the lowest-id voter that can reach a majority
//!   takes over with a higher epoch (Raft's randomised vote, made deterministic).
//! - Brokers find the active controller at once, and metadata changes are pushed as
//!   `LeaderAndIsr` messages instead of brokers fetching the metadata log.
//! - A registered broker is unfenced at its first heartbeat (Kafka waits until it has
//!   caught up with the metadata log, which here is immediate).
//!
//! Elections follow `PartitionChangeBuilder`: keep the leader if still in the ISR, else the
//! first replica in assignment order that is in the ISR and unfenced; else, only with
//! `unclean.leader.election.enable`, the first unfenced replica (ISR reset to it); else none.
//! The ISR is never emptied: its last member stays, with no leader.
use crate::kernel::sort::CollectBTree;
use std::collections::BTreeMap;

use crate::kafka::message::{MetadataOffset, Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::Ctx;

/// How often voters check on the quorum and the active controller checks sessions.
pub const QUORUM_TICK_MS: u64 = 500;
/// How long the controller waits before it reconnects to a broker whose connection broke:
/// Kafka's `NetworkClient` waits `reconnect.backoff.ms` (default 50 ms) before it connects
/// to a node again, on the brokers' channels as on the clients'.
pub const RECONNECT_BACKOFF_MS: u64 = crate::kafka::client::RECONNECT_BACKOFF_MS;

#[derive(Clone, Debug)]
pub struct Registration {
    pub broker_epoch: u64,
    pub incarnation: u32,
    pub fenced: bool,
    pub last_heartbeat: u64,
}

#[derive(Clone, Debug)]
pub struct Controller {
    pub voters: Vec<BrokerId>,
    pub active: Option<BrokerId>,
    pub epoch: u32,
    pub brokers: BTreeMap<BrokerId, Registration>,
    pub partitions: BTreeMap<Tp, PartitionState>,
    next_broker_epoch: u64,
    /// Per voter: since when it has not seen an active controller.
    missing_since: BTreeMap<BrokerId, u64>,
    /// Since when the active controller has not reached a majority.
    lost_majority_since: Option<u64>,
    /// Per broker: when a resend of the metadata after a broken connection is due (one at
    /// a time; a due time in the past is a resend whose controller crashed meanwhile).
    resync_due: BTreeMap<BrokerId, u64>,
    /// The end of the metadata log: one more for each change sent to the brokers.
    pub metadata_offset: u64,
    /// Per broker: the metadata offset its last heartbeat reported, while behind. Behind
    /// at two heartbeats in a row with no progress means it missed a change (lost on a cut
    /// link): it gets the whole state again, as a KRaft broker would re-fetch the log.
    behind: BTreeMap<BrokerId, u64>,
}

impl Controller {
    /// A freshly bootstrapped cluster: every broker registered and unfenced, every
    /// partition led by its first (preferred) replica with the full ISR.
    pub fn bootstrap(voters: Vec<BrokerId>, brokers: &[BrokerId], partitions: BTreeMap<Tp, PartitionState>) -> Self {
        let regs = brokers
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (*b, Registration { broker_epoch: i as u64 + 1, incarnation: 0, fenced: false, last_heartbeat: 0 })
            })
            .btree_map();
        Controller {
            active: voters.first().copied(),
            voters,
            epoch: 1,
            brokers: regs,
            partitions,
            next_broker_epoch: brokers.len() as u64 + 1,
            missing_since: BTreeMap::new(),
            lost_majority_since: None,
            resync_due: BTreeMap::new(),
            metadata_offset: 1,
            behind: BTreeMap::new(),
        }
    }

    fn reachable(ctx: &Ctx<World>, from: BrokerId, to: BrokerId) -> bool {
        from == to
            || (ctx.is_up(broker_node(to))
                && ctx.link_up(broker_node(from), broker_node(to))
                && ctx.link_up(broker_node(to), broker_node(from)))
    }

    fn has_majority(&self, ctx: &Ctx<World>, voter: BrokerId) -> bool {
        let n = self.voters.iter().filter(|v| Self::reachable(ctx, voter, **v)).count();
        n * 2 > self.voters.len()
    }

    /// Whether `me` may act as controller now.
    pub fn is_active(&self, ctx: &Ctx<World>, me: BrokerId) -> bool {
        self.active == Some(me) && self.has_majority(ctx, me)
    }

    pub fn on_quorum_tick(&mut self, ctx: &mut Ctx<World>, env: &Env, me: BrokerId) {
        ctx.set_timer(broker_node(me), QUORUM_TICK_MS, Timer::QuorumTick);
        let now = ctx.now;
        let timeout = env.broker.controller_quorum_fetch_timeout_ms;
        if self.active == Some(me) {
            if self.has_majority(ctx, me) {
                self.lost_majority_since = None;
                self.check_sessions(ctx, env, me);
            } else {
                let since = *self.lost_majority_since.get_or_insert(now);
                if now - since >= timeout {
                    self.active = None;
                    self.lost_majority_since = None;
                }
            }
            return;
        }
        let sees_active = self.active.is_some_and(|a| Self::reachable(ctx, me, a));
        if sees_active {
            self.missing_since.remove(&me);
            return;
        }
        let since = *self.missing_since.entry(me).or_insert(now);
        if now - since < timeout || !self.has_majority(ctx, me) {
            return;
        }
        let lowest = self.voters.iter().copied().filter(|v| Self::reachable(ctx, me, *v)).min();
        if lowest != Some(me) {
            return;
        }
        self.active = Some(me);
        self.epoch += 1;
        self.missing_since.clear();
        self.lost_majority_since = None;
        // A new controller gives every registered broker a fresh session.
        for r in self.brokers.values_mut() {
            r.last_heartbeat = now;
        }
        ctx.note(Note::ControllerElected { broker: me, epoch: self.epoch });
    }

    fn check_sessions(&mut self, ctx: &mut Ctx<World>, env: &Env, me: BrokerId) {
        let now = ctx.now;
        let expired: Vec<BrokerId> = self
            .brokers
            .iter()
            .filter(|(_, r)| !r.fenced && now.saturating_sub(r.last_heartbeat) > env.broker.broker_session_timeout_ms)
            .map(|(b, _)| *b)
            .collect();
        for b in expired {
            self.fence(ctx, env, me, b);
        }
    }

    pub fn on_registration(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        me: BrokerId,
        broker: BrokerId,
        incarnation: u32,
    ) {
        if !self.is_active(ctx, me) {
            ctx.send(
                broker_node(me),
                broker_node(broker),
                Msg::BrokerRegistrationResponse { error: ErrorCode::NotController, broker_epoch: 0 },
            );
            return;
        }
        // A new incarnation means the old process is gone: fence it now rather than
        // waiting for its session to expire.
        if self.brokers.get(&broker).is_some_and(|r| !r.fenced && r.incarnation != incarnation) {
            self.fence(ctx, env, me, broker);
        }
        let broker_epoch = self.next_broker_epoch;
        self.next_broker_epoch += 1;
        self.brokers.insert(broker, Registration { broker_epoch, incarnation, fenced: true, last_heartbeat: ctx.now });
        ctx.send(
            broker_node(me),
            broker_node(broker),
            Msg::BrokerRegistrationResponse { error: ErrorCode::None, broker_epoch },
        );
    }

    pub fn on_heartbeat(&mut self, ctx: &mut Ctx<World>, env: &Env, me: BrokerId, hb: (BrokerId, u64, u64)) {
        let (broker, broker_epoch, metadata_offset) = hb;
        let reply = |ctx: &mut Ctx<World>, error, fenced| {
            ctx.send(broker_node(me), broker_node(broker), Msg::BrokerHeartbeatResponse { error, fenced });
        };
        if !self.is_active(ctx, me) {
            return reply(ctx, ErrorCode::NotController, true);
        }
        let Some(reg) = self.brokers.get_mut(&broker) else { return reply(ctx, ErrorCode::StaleBrokerEpoch, true) };
        if reg.broker_epoch != broker_epoch {
            return reply(ctx, ErrorCode::StaleBrokerEpoch, true);
        }
        reg.last_heartbeat = ctx.now;
        if reg.fenced {
            reg.fenced = false;
            ctx.note(Note::BrokerUnfenced { broker });
            self.unfence(ctx, env, me, broker);
        } else {
            self.check_metadata_progress(ctx, me, broker, metadata_offset);
        }
        reply(ctx, ErrorCode::None, false);
    }

    /// Every partition's state, at the end of the metadata log.
    pub fn full_state(&self) -> Msg {
        Msg::LeaderAndIsr {
            controller_epoch: self.epoch,
            partitions: self.partitions.values().cloned().collect(),
            fenced: self.fenced(),
            offset: MetadataOffset { previous: None, offset: self.metadata_offset },
        }
    }

    /// A heartbeat said how far the broker has applied the metadata log.
    fn check_metadata_progress(&mut self, ctx: &mut Ctx<World>, me: BrokerId, broker: BrokerId, applied: u64) {
        if applied >= self.metadata_offset {
            self.behind.remove(&broker);
        } else if self.behind.insert(broker, applied) == Some(applied) {
            self.behind.remove(&broker);
            self.resync(ctx, me, broker);
        }
    }

    /// Brokers currently fenced (not eligible to lead or join an ISR).
    pub fn fenced(&self) -> Vec<BrokerId> {
        self.brokers.iter().filter(|(_, r)| r.fenced).map(|(b, _)| *b).collect()
    }

    fn acceptable(&self, b: BrokerId) -> bool {
        self.brokers.get(&b).is_some_and(|r| !r.fenced)
    }

    /// `PartitionChangeBuilder.electAnyLeader`: (leader, isr, unclean).
    fn elect(
        &self,
        st: &PartitionState,
        isr: Vec<BrokerId>,
        unclean_enabled: bool,
    ) -> (Option<BrokerId>, Vec<BrokerId>, bool) {
        if let Some(l) = st.leader {
            if isr.contains(&l) && self.acceptable(l) {
                return (Some(l), isr, false);
            }
        }
        if let Some(b) = st.replicas.iter().copied().find(|b| isr.contains(b) && self.acceptable(*b)) {
            return (Some(b), isr, false);
        }
        if unclean_enabled {
            if let Some(b) = st.replicas.iter().copied().find(|b| self.acceptable(*b)) {
                return (Some(b), vec![b], true);
            }
        }
        (None, isr, false)
    }

    fn commit_change(
        &mut self,
        ctx: &mut Ctx<World>,
        old: &PartitionState,
        leader: Option<BrokerId>,
        isr: Vec<BrokerId>,
        unclean: bool,
    ) -> PartitionState {
        let mut st = old.clone();
        let leader_changed = leader != old.leader;
        st.leader = leader;
        st.isr = isr;
        st.partition_epoch += 1;
        if leader_changed {
            st.leader_epoch += 1;
            ctx.note(Note::LeaderElected {
                tp: st.tp,
                leader,
                leader_epoch: st.leader_epoch,
                isr: st.isr.clone(),
                unclean,
            });
        } else {
            ctx.note(Note::IsrChanged { tp: st.tp, isr: st.isr.clone(), partition_epoch: st.partition_epoch });
        }
        self.partitions.insert(st.tp, st.clone());
        st
    }

    fn fence(&mut self, ctx: &mut Ctx<World>, env: &Env, me: BrokerId, broker: BrokerId) {
        if let Some(r) = self.brokers.get_mut(&broker) {
            r.fenced = true;
        }
        ctx.note(Note::BrokerFenced { broker });
        let mut changed = Vec::new();
        let affected: Vec<PartitionState> = self
            .partitions
            .values()
            .filter(|st| st.isr.contains(&broker) || st.leader == Some(broker))
            .cloned()
            .collect();
        for st in affected {
            let mut isr: Vec<BrokerId> = st.isr.iter().copied().filter(|b| *b != broker).collect();
            if isr.is_empty() {
                isr = st.isr.clone(); // never empty the ISR
            }
            let (leader, isr, unclean) = self.elect(&st, isr, env.spec.unclean_leader_election(st.tp.topic));
            if leader == st.leader && isr == st.isr {
                continue;
            }
            changed.push(self.commit_change(ctx, &st, leader, isr, unclean));
        }
        self.broadcast(ctx, me, changed, None, true);
    }

    fn unfence(&mut self, ctx: &mut Ctx<World>, env: &Env, me: BrokerId, broker: BrokerId) {
        let mut changed = Vec::new();
        let offline: Vec<PartitionState> = self
            .partitions
            .values()
            .filter(|st| st.leader.is_none() && st.replicas.contains(&broker))
            .cloned()
            .collect();
        for st in offline {
            let (leader, isr, unclean) = self.elect(&st, st.isr.clone(), env.spec.unclean_leader_election(st.tp.topic));
            if leader.is_some() {
                changed.push(self.commit_change(ctx, &st, leader, isr, unclean));
            }
        }
        self.broadcast(ctx, me, changed, Some(broker), true);
        // The broker needs the whole picture: which partitions it leads or follows.
        ctx.send(broker_node(me), broker_node(broker), self.full_state());
    }

    pub fn on_alter_partition(
        &mut self,
        ctx: &mut Ctx<World>,
        _env: &Env,
        me: BrokerId,
        broker: BrokerId,
        broker_epoch: u64,
        proposed: PartitionState,
    ) {
        let tp = proposed.tp;
        let respond = |ctx: &mut Ctx<World>, error, state, offset| {
            ctx.send(broker_node(me), broker_node(broker), Msg::AlterPartitionResponse { tp, error, state, offset });
        };
        if !self.is_active(ctx, me) {
            return respond(ctx, ErrorCode::NotController, None, None);
        }
        if self.brokers.get(&broker).is_none_or(|r| r.broker_epoch != broker_epoch || r.fenced) {
            return respond(ctx, ErrorCode::StaleBrokerEpoch, None, None);
        }
        let Some(current) = self.partitions.get(&tp).cloned() else {
            return respond(ctx, ErrorCode::UnknownTopicOrPartition, None, None);
        };
        if current.leader != Some(broker) || current.leader_epoch != proposed.leader_epoch {
            return respond(ctx, ErrorCode::FencedLeaderEpoch, None, None);
        }
        if current.partition_epoch != proposed.partition_epoch {
            return respond(ctx, ErrorCode::InvalidUpdateVersion, None, None);
        }
        if proposed.isr.iter().any(|b| !current.isr.contains(b) && !self.acceptable(*b)) {
            return respond(ctx, ErrorCode::IneligibleReplica, None, None);
        }
        let st = self.commit_change(ctx, &current, current.leader, proposed.isr, false);
        let offset = self.next_metadata_offset();
        respond(ctx, ErrorCode::None, Some(st.clone()), Some(offset));
        self.send_change(ctx, me, vec![st], Some(broker), offset);
    }

    /// Send a broker the whole metadata again after the reconnect backoff (its connection
    /// broke). One resend per broker is pending at a time.
    pub fn resync_after_backoff(&mut self, ctx: &mut Ctx<World>, me: BrokerId, broker: BrokerId) {
        if self.resync_due.get(&broker).is_some_and(|due| *due >= ctx.now) {
            return;
        }
        self.resync_due.insert(broker, ctx.now + RECONNECT_BACKOFF_MS);
        ctx.set_timer(broker_node(me), RECONNECT_BACKOFF_MS, Timer::ControllerResync(broker));
    }

    /// The reconnect backoff is over: resend, if `me` is still the active controller.
    pub fn on_resync_backoff(&mut self, ctx: &mut Ctx<World>, me: BrokerId, broker: BrokerId) {
        self.resync_due.remove(&broker);
        if self.active == Some(me) && self.is_active(ctx, me) {
            self.resync(ctx, me, broker);
        }
    }

    /// Send a broker the whole metadata again (after its connection broke).
    pub fn resync(&self, ctx: &mut Ctx<World>, me: BrokerId, broker: BrokerId) {
        if self.brokers.get(&broker).is_some_and(|r| !r.fenced) {
            ctx.send(broker_node(me), broker_node(broker), self.full_state());
        }
    }

    /// CreatePartitions: new partitions of a topic, led by their first unfenced replica.
    /// Returns false when no controller can act now.
    pub fn create_partitions(&mut self, ctx: &mut Ctx<World>, tp_replicas: Vec<(Tp, Vec<BrokerId>)>) -> bool {
        let Some(me) = self.active.filter(|c| self.is_active(ctx, *c)) else { return false };
        let mut created = Vec::new();
        for (tp, replicas) in tp_replicas {
            let isr: Vec<BrokerId> = replicas.iter().copied().filter(|b| self.acceptable(*b)).collect();
            let leader = isr.first().copied();
            let isr = if isr.is_empty() { replicas.clone() } else { isr };
            let st = PartitionState { tp, leader, leader_epoch: 0, partition_epoch: 0, replicas, isr: isr.clone() };
            ctx.note(Note::LeaderElected { tp, leader, leader_epoch: 0, isr, unclean: false });
            self.partitions.insert(tp, st.clone());
            created.push(st);
        }
        self.broadcast(ctx, me, created, None, false);
        true
    }

    /// Push changed partition states to every unfenced broker (but `skip`). A change in
    /// who is fenced is news too (`registration_changed`), even with no partition change.
    fn broadcast(
        &mut self,
        ctx: &mut Ctx<World>,
        me: BrokerId,
        changed: Vec<PartitionState>,
        skip: Option<BrokerId>,
        registration_changed: bool,
    ) {
        if changed.is_empty() && !registration_changed {
            return;
        }
        let offset = self.next_metadata_offset();
        self.send_change(ctx, me, changed, skip, offset);
    }

    /// One change appended to the metadata log: its place in it.
    fn next_metadata_offset(&mut self) -> MetadataOffset {
        self.metadata_offset += 1;
        MetadataOffset { previous: Some(self.metadata_offset - 1), offset: self.metadata_offset }
    }

    fn send_change(
        &self,
        ctx: &mut Ctx<World>,
        me: BrokerId,
        changed: Vec<PartitionState>,
        skip: Option<BrokerId>,
        offset: MetadataOffset,
    ) {
        for (b, r) in &self.brokers {
            if r.fenced || Some(*b) == skip {
                continue;
            }
            ctx.send(
                broker_node(me),
                broker_node(*b),
                Msg::LeaderAndIsr {
                    controller_epoch: self.epoch,
                    partitions: changed.clone(),
                    fenced: self.fenced(),
                    offset,
                },
            );
        }
    }
}
