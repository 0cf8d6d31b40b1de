//! A broker: the partitions it hosts (as leader or follower), produce and fetch handling,
//! the follower's replica fetchers, ISR maintenance, and its lifecycle (crash, power loss,
//! restart). Modelled on Kafka's `Partition`, `ReplicaManager`, `DelayedProduce`,
//! `DelayedFetch` and `AbstractFetcherThread`; each rule cites where it comes from.

pub mod controller;
pub mod group_coordinator;
pub mod log;
pub mod txn_coordinator;
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::kafka::broker::log::{PartitionLog, SequenceCheck};
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::{ControlType, InternalRecord};
use crate::kafka::message::{
    FetchPartition, FetchPartitionResponse, LogRecord, Msg, PartitionState, ProduceBatch, ProducePartitionResponse,
};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

/// Whether the broker's process and host are running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BrokerStatus {
    Running,
    /// The process died; the host is up (connections are refused; the page cache survives).
    Crashed,
    /// The host lost power: silence on the network, the page cache is gone.
    PoweredOff,
}

/// What a leader knows of one follower (Kafka's `Replica` state).
#[derive(Clone, Debug, Default)]
pub struct FollowerState {
    /// The follower's LEO: the fetch offset of its latest fetch. None until it fetched.
    pub log_end_offset: Option<u64>,
    pub last_fetch_time: u64,
    pub last_fetch_leader_log_end_offset: u64,
    pub last_caught_up_time: u64,
}

/// One replica of a partition on this broker.
#[derive(Clone, Debug)]
pub struct Replica {
    pub log: PartitionLog,
    /// The latest partition state this broker learned from the controller.
    pub state: PartitionState,
    pub is_leader: bool,
    /// Leader only: the other replicas' fetch state.
    pub followers: BTreeMap<BrokerId, FollowerState>,
    /// Leader only: its LEO when it became leader in the current epoch.
    pub epoch_start_offset: u64,
    /// Leader only: the ISR proposed in an AlterPartition not yet answered.
    pub pending_isr: Option<Vec<BrokerId>>,
}

impl Replica {
    /// An empty replica that knows its partition's assignment but not yet its leader.
    pub fn new(state: &PartitionState) -> Replica {
        let mut initial = state.clone();
        initial.leader = None;
        Replica {
            log: PartitionLog::default(),
            state: initial,
            is_leader: false,
            followers: BTreeMap::new(),
            epoch_start_offset: 0,
            pending_isr: None,
        }
    }

    /// Kafka's "maximal ISR": the committed ISR plus replicas being added (KIP-497).
    pub fn maximal_isr(&self) -> Vec<BrokerId> {
        let mut isr = self.state.isr.clone();
        if let Some(pending) = &self.pending_isr {
            for b in pending {
                if !isr.contains(b) {
                    isr.push(*b);
                }
            }
        }
        isr
    }
}

#[derive(Clone, Debug)]
struct ParkedFetch {
    from: NodeId,
    correlation: u64,
    replica: Option<BrokerId>,
    isolation: IsolationLevel,
    partitions: Vec<FetchPartition>,
}

#[derive(Clone, Debug)]
pub(crate) struct DelayedProduce {
    pub(crate) from: NodeId,
    pub(crate) correlation: u64,
    /// (response so far, required offset: last appended + 1; None = already decided)
    pub(crate) partitions: Vec<(ProducePartitionResponse, Option<u64>)>,
    /// Who waits for it: a producer, or the group coordinator's own writes.
    pub(crate) reply: Reply,
}

/// What to do when a delayed append completes.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    Produce,
    OffsetCommit(crate::kafka::broker::group_coordinator::PendingCommit),
    GroupStored {
        group: Rc<str>,
        generation: i32,
    },
    /// TxnOffsetCommit: offsets written inside a transaction (pending until its marker).
    TxnOffsetCommit(crate::kafka::broker::group_coordinator::PendingCommit, i64),
    /// The transaction coordinator's state write, and what to do once it is replicated.
    TxnStored {
        transactional_id: Rc<str>,
        then: crate::kafka::broker::txn_coordinator::AfterWrite,
    },
    /// WriteTxnMarkers from the transaction coordinator.
    TxnMarkers {
        producer_id: i64,
        commit: bool,
    },
}

#[derive(Clone, Debug, Default)]
struct Fetcher {
    partitions: BTreeSet<Tp>,
    in_flight: Option<u64>,
    /// A retry is scheduled (after an error or a refused connection).
    backing_off: bool,
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub status: BrokerStatus,
    /// Bumped at every start: a new process.
    pub incarnation: u32,
    /// Given by the controller at registration; None until registered.
    pub broker_epoch: Option<u64>,
    pub replicas: BTreeMap<Tp, Replica>,
    /// Every partition's state as this broker last heard (answers Metadata requests).
    pub metadata: BTreeMap<Tp, PartitionState>,
    /// Brokers the controller has fenced, as last heard: not ISR-eligible.
    pub fenced_brokers: BTreeSet<BrokerId>,
    fetchers: BTreeMap<BrokerId, Fetcher>,
    parked_fetches: BTreeMap<u64, ParkedFetch>,
    delayed_produces: BTreeMap<u64, DelayedProduce>,
    next_id: u64,
    next_producer_id: i64,
    next_internal_id: u64,
    /// The group coordinator's state for the groups whose offsets partition this broker leads.
    pub coordinator: crate::kafka::broker::group_coordinator::Coordinator,
    /// The transaction coordinator's state for the `__transaction_state` partitions it leads.
    pub txn_coordinator: crate::kafka::broker::txn_coordinator::TxnCoordinator,
    /// When the group timer is armed to fire.
    pub(crate) group_tick_at: Option<u64>,
}

impl Broker {
    pub fn new(id: BrokerId, replicas: BTreeMap<Tp, Replica>) -> Broker {
        Broker {
            id,
            status: BrokerStatus::Running,
            incarnation: 0,
            broker_epoch: None,
            replicas,
            metadata: BTreeMap::new(),
            fenced_brokers: BTreeSet::new(),
            fetchers: BTreeMap::new(),
            parked_fetches: BTreeMap::new(),
            delayed_produces: BTreeMap::new(),
            next_id: 0,
            next_producer_id: 0,
            next_internal_id: 0,
            coordinator: Default::default(),
            txn_coordinator: Default::default(),
            group_tick_at: None,
        }
    }

    pub fn node(&self) -> NodeId {
        broker_node(self.id)
    }

    pub fn is_running(&self) -> bool {
        self.status == BrokerStatus::Running
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Start the process: arm the periodic tasks. (A restarted broker also registers.)
    pub fn start(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        let node = self.node();
        ctx.set_timer(node, env.broker.replica_lag_time_max_ms / 2, Timer::IsrExpiration);
        ctx.set_timer(node, env.broker.replica_high_watermark_checkpoint_interval_ms, Timer::HwCheckpoint);
        ctx.set_timer(node, 5_000, Timer::Writeback);
    }

    /// The process dies (or the power goes). The logs stay on disk; everything in memory is gone.
    pub fn crash(&mut self, power_loss: bool) {
        self.status = if power_loss { BrokerStatus::PoweredOff } else { BrokerStatus::Crashed };
        self.broker_epoch = None;
        self.fetchers.clear();
        self.parked_fetches.clear();
        self.delayed_produces.clear();
        self.metadata.clear();
        self.coordinator = Default::default();
        self.txn_coordinator = Default::default();
        self.group_tick_at = None;
        for r in self.replicas.values_mut() {
            r.is_leader = false;
            r.followers.clear();
            r.pending_isr = None;
            r.state.leader = None;
        }
    }

    /// Log recovery at restart. Returns the records lost with the page cache per partition.
    pub fn recover(&mut self, ctx: &mut Ctx<World>) -> u64 {
        let power_loss = self.status == BrokerStatus::PoweredOff;
        self.status = BrokerStatus::Running;
        self.incarnation += 1;
        let mut lost_total = 0;
        for (tp, r) in self.replicas.iter_mut() {
            let before = r.log.log_end_offset();
            let lost = r.log.recover(power_loss);
            if !lost.is_empty() {
                lost_total += lost.len() as u64;
                ctx.note(Note::Truncated {
                    broker: self.id,
                    tp: *tp,
                    offset: before - lost.len() as u64,
                    removed: lost.iter().map(|r| r.id).collect(),
                });
            }
        }
        lost_total
    }

    pub fn has_delayed_produce(&self, id: u64) -> bool {
        self.delayed_produces.contains_key(&id)
    }
    pub fn has_parked_fetch(&self, id: u64) -> bool {
        self.parked_fetches.contains_key(&id)
    }
    pub fn fetch_in_flight(&self, leader: BrokerId, correlation: u64) -> bool {
        self.fetchers.get(&leader).is_some_and(|f| f.in_flight == Some(correlation))
    }
    pub fn alter_partition_pending(&self, tp: Tp, partition_epoch: u32) -> bool {
        self.replicas.get(&tp).is_some_and(|r| r.pending_isr.is_some() && r.state.partition_epoch == partition_epoch)
    }

    // ----- periodic tasks -------------------------------------------------------------

    /// `maybeShrinkIsr`: drop followers that have not caught up within replica.lag.time.max.ms.
    pub fn on_isr_expiration(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        ctx.set_timer(self.node(), env.broker.replica_lag_time_max_ms / 2, Timer::IsrExpiration);
        let Some(epoch) = self.broker_epoch else { return };
        let now = ctx.now;
        let mut proposals = Vec::new();
        for (tp, r) in &self.replicas {
            if !r.is_leader || r.pending_isr.is_some() {
                continue;
            }
            let leo = r.log.log_end_offset();
            let out: Vec<BrokerId> = r
                .state
                .isr
                .iter()
                .copied()
                .filter(|b| *b != self.id)
                .filter(|b| !is_caught_up(r.followers.get(b), leo, now, env.broker.replica_lag_time_max_ms))
                .collect();
            if !out.is_empty() {
                let isr: Vec<BrokerId> = r.state.isr.iter().copied().filter(|b| !out.contains(b)).collect();
                proposals.push((*tp, isr));
            }
        }
        for (tp, isr) in proposals {
            self.propose_isr(ctx, env, tp, isr, epoch, false);
        }
    }

    pub fn on_hw_checkpoint(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        ctx.set_timer(self.node(), env.broker.replica_high_watermark_checkpoint_interval_ms, Timer::HwCheckpoint);
        for r in self.replicas.values_mut() {
            r.log.checkpoint_high_watermark();
        }
    }

    /// The simulated OS writes back old dirty pages; Kafka's own time-based flush too.
    pub fn on_writeback(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        ctx.set_timer(self.node(), 5_000, Timer::Writeback);
        for r in self.replicas.values_mut() {
            r.log.writeback(ctx.now, env.broker.os_dirty_expire_ms.min(env.broker.log_flush_interval_ms));
        }
    }

    // ----- metadata from the controller -------------------------------------------------

    pub fn on_registered(&mut self, broker_epoch: u64) {
        self.broker_epoch = Some(broker_epoch);
    }

    /// Apply partition states from the controller: become leader or follower as told.
    pub fn on_leader_and_isr(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        states: &[PartitionState],
        fenced: Vec<BrokerId>,
    ) {
        if self.broker_epoch.is_none() {
            return;
        }
        self.fenced_brokers = fenced.into_iter().btree_set();
        for st in states {
            let known = self.metadata.get(&st.tp);
            if known.is_some_and(|k| (k.leader_epoch, k.partition_epoch) >= (st.leader_epoch, st.partition_epoch)) {
                continue;
            }
            self.metadata.insert(st.tp, st.clone());
            if !self.replicas.contains_key(&st.tp) && st.replicas.contains(&self.id) {
                // A partition created after start (CreatePartitions): an empty replica.
                self.replicas.insert(st.tp, Replica::new(st));
            }
            if self.replicas.contains_key(&st.tp) {
                self.apply_partition_state(ctx, env, st.clone());
            }
        }
        self.restart_fetchers(ctx, env);
    }

    fn apply_partition_state(&mut self, ctx: &mut Ctx<World>, env: &Env, st: PartitionState) {
        let me = self.id;
        let now = ctx.now;
        let tp = st.tp;
        let r = self.replicas.get_mut(&tp).expect("hosted replica");
        let new_epoch = st.leader_epoch > r.state.leader_epoch || r.state.leader.is_none();
        let mut became_leader = false;
        if st.leader == Some(me) {
            if !r.is_leader || new_epoch {
                // Partition.makeLeader: start the epoch at our LEO; reset follower state.
                r.log.assign_epoch(st.leader_epoch);
                r.epoch_start_offset = r.log.log_end_offset();
                r.followers = st
                    .replicas
                    .iter()
                    .filter(|b| **b != me)
                    .map(|b| {
                        let caught_up = if st.isr.contains(b) { now } else { 0 };
                        (*b, FollowerState { last_caught_up_time: caught_up, ..Default::default() })
                    })
                    .btree_map();
                r.is_leader = true;
                r.pending_isr = None;
                ctx.note(Note::BecameLeader { broker: me, tp, leader_epoch: st.leader_epoch });
                became_leader = true;
            }
            r.state = st;
            r.pending_isr = None;
            if became_leader && env.spec.offsets_topic == Some(tp.topic) {
                self.load_groups(ctx, tp);
                self.arm_group_tick(ctx);
            }
            if became_leader && env.spec.transaction_topic == Some(tp.topic) {
                self.load_transactions(ctx, env, tp);
            }
            for f in self.fetchers.values_mut() {
                f.partitions.remove(&tp);
            }
            self.maybe_increment_high_watermark(ctx, env, tp);
        } else {
            let was_leader = r.is_leader;
            let changed = was_leader || new_epoch || r.state.leader != st.leader;
            r.is_leader = false;
            r.followers.clear();
            r.pending_isr = None;
            r.state = st.clone();
            if changed {
                ctx.note(Note::BecameFollower { broker: me, tp, leader: st.leader, leader_epoch: st.leader_epoch });
            }
            for f in self.fetchers.values_mut() {
                f.partitions.remove(&tp);
            }
            if let Some(leader) = st.leader {
                self.fetchers.entry(leader).or_default().partitions.insert(tp);
            }
            if was_leader {
                // Answers NOT_LEADER_OR_FOLLOWER to produces waiting on this partition.
                self.try_complete_delayed_produces(ctx, env, tp);
                if env.spec.offsets_topic == Some(tp.topic) {
                    self.unload_groups(ctx, tp);
                }
                if env.spec.transaction_topic == Some(tp.topic) {
                    self.unload_transactions(tp);
                }
            }
        }
    }

    fn restart_fetchers(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        let leaders: Vec<BrokerId> = self.fetchers.keys().copied().collect();
        for l in leaders {
            let f = &self.fetchers[&l];
            if !f.partitions.is_empty() && f.in_flight.is_none() && !f.backing_off {
                self.send_fetch(ctx, env, l);
            }
        }
        self.fetchers.retain(|_, f| !f.partitions.is_empty() || f.in_flight.is_some());
    }

    // ----- ISR changes ------------------------------------------------------------------

    fn propose_isr(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        tp: Tp,
        isr: Vec<BrokerId>,
        broker_epoch: u64,
        expand: bool,
    ) {
        let r = self.replicas.get_mut(&tp).expect("leader replica");
        let mut state = r.state.clone();
        state.isr = isr.clone();
        // Shrinking, the maximal ISR stays the current one until the controller commits.
        r.pending_isr = Some(if expand { isr } else { r.state.isr.clone() });
        let controller = env.controller;
        if let Some(c) = controller {
            ctx.send(
                self.node(),
                broker_node(c),
                Msg::AlterPartition { broker: self.id, broker_epoch, state: state.clone() },
            );
        }
        ctx.set_timer(self.node(), 5_000, Timer::AlterPartitionTimeout(tp, state.partition_epoch));
    }

    pub fn on_alter_partition_timeout(&mut self, tp: Tp, partition_epoch: u32) {
        if let Some(r) = self.replicas.get_mut(&tp) {
            if r.state.partition_epoch == partition_epoch {
                r.pending_isr = None;
            }
        }
    }

    pub fn on_alter_partition_response(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        tp: Tp,
        error: ErrorCode,
        state: Option<PartitionState>,
    ) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        r.pending_isr = None;
        if error != ErrorCode::None {
            return;
        }
        if let Some(st) = state {
            if st.partition_epoch > r.state.partition_epoch && st.leader == Some(self.id) {
                self.metadata.insert(tp, st.clone());
                r.state = st;
                self.maybe_increment_high_watermark(ctx, env, tp);
            }
        }
    }

    // ----- high watermark ---------------------------------------------------------------

    /// `Partition.maybeIncrementLeaderHW`.
    pub(crate) fn maybe_increment_high_watermark(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let now = ctx.now;
        let min_isr = env.spec.min_insync_replicas(tp.topic);
        let r = self.replicas.get_mut(&tp).expect("replica");
        if !r.is_leader {
            return;
        }
        let effective_min_isr = min_isr.min(r.state.replicas.len() as u32);
        // KAFKA-15583 (3.7+): under min ISR the HW does not move at all.
        if !env.broker.legacy_hw_advances_under_min_isr && (r.state.isr.len() as u32) < effective_min_isr {
            return;
        }
        let leo = r.log.log_end_offset();
        let maximal = r.maximal_isr();
        let mut new_hw = leo;
        for (b, f) in &r.followers {
            let in_isr = maximal.contains(b);
            // A caught-up follower outside the ISR counts too, if it is ISR-eligible
            // (not fenced), so that it can reach the HW and join.
            let eligible = !self.fenced_brokers.contains(b);
            if in_isr || (eligible && is_caught_up(Some(f), leo, now, env.broker.replica_lag_time_max_ms)) {
                match f.log_end_offset {
                    Some(l) => new_hw = new_hw.min(l),
                    // An ISR follower that has not fetched since we became leader: wait.
                    None if in_isr => return,
                    None => {}
                }
            }
        }
        if r.log.advance_high_watermark(new_hw) {
            let hw = r.log.high_watermark();
            ctx.note(Note::HighWatermark { broker: self.id, tp, high_watermark: hw });
            self.try_complete_delayed_produces(ctx, env, tp);
            self.try_complete_parked_fetches(ctx, env, tp);
        }
    }

    // ----- produce ----------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)] // one argument per field of the Produce request
    pub fn on_produce(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        acks: i8,
        timeout_ms: u64,
        batches: Vec<ProduceBatch>,
    ) {
        let mut partitions = Vec::new();
        for batch in batches {
            let (resp, required) = self.append_as_leader(ctx, env, acks, batch);
            partitions.push((resp, required));
        }
        match acks {
            0 => {}
            1 | -1 if acks == 1 => {
                let partitions = partitions.into_iter().map(|(r, _)| r).collect();
                ctx.send(self.node(), from, Msg::ProduceResponse { correlation, partitions });
            }
            _ => {
                let id = self.next();
                self.delayed_produces
                    .insert(id, DelayedProduce { from, correlation, partitions, reply: Reply::Produce });
                ctx.set_timer(self.node(), timeout_ms, Timer::ProduceExpire(id));
                self.try_complete_delayed(ctx, env, id);
            }
        }
    }

    fn append_as_leader(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        acks: i8,
        batch: ProduceBatch,
    ) -> (ProducePartitionResponse, Option<u64>) {
        let tp = batch.tp;
        let min_isr = env.spec.min_insync_replicas(tp.topic);
        let fail = |error| (ProducePartitionResponse { tp, error, base_offset: -1 }, None);
        if !(-1..=1).contains(&acks) {
            return fail(ErrorCode::InvalidRequiredAcks);
        }
        let Some(r) = self.replicas.get_mut(&tp) else { return fail(ErrorCode::NotLeaderOrFollower) };
        if !r.is_leader {
            return fail(ErrorCode::NotLeaderOrFollower);
        }
        let effective_min_isr = min_isr.min(r.state.replicas.len() as u32);
        if acks == -1 && (r.state.isr.len() as u32) < effective_min_isr {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let count = batch.records.len() as i32;
        let last_seq = if batch.producer_id >= 0 { batch.base_sequence.wrapping_add(count - 1) } else { -1 };
        match r.log.check_sequence(batch.producer_id, batch.producer_epoch, batch.base_sequence, last_seq) {
            SequenceCheck::Reject(e) => return fail(e),
            SequenceCheck::Duplicate { first_offset } => {
                ctx.note(Note::DuplicateBatchIgnored { broker: self.id, tp, producer_id: batch.producer_id });
                let required = first_offset + count as u64;
                let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: first_offset as i64 };
                return (resp, if acks == -1 { Some(required) } else { None });
            }
            SequenceCheck::Append => {}
        }
        let base = r.log.log_end_offset();
        let epoch = r.state.leader_epoch;
        let records: Vec<LogRecord> = batch
            .records
            .iter()
            .map(|id| LogRecord {
                id: *id,
                leader_epoch: epoch,
                producer_id: batch.producer_id,
                producer_epoch: batch.producer_epoch,
                batch_first_seq: if batch.producer_id >= 0 { batch.base_sequence } else { -1 },
                batch_last_seq: last_seq,
                append_time: ctx.now,
                payload: None,
                transactional: batch.transactional && batch.producer_id >= 0,
                control: None,
            })
            .collect();
        r.log.append(&records);
        if r.log.unflushed() >= env.broker.log_flush_interval_messages {
            r.log.flush();
        }
        ctx.note(Note::Appended { broker: self.id, tp, first_offset: base, count: count as u32, as_leader: true });
        let required = base + count as u64;
        self.maybe_increment_high_watermark(ctx, env, tp);
        self.try_complete_parked_fetches(ctx, env, tp);
        let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: base as i64 };
        (resp, if acks == -1 { Some(required) } else { None })
    }

    /// `DelayedProduce` / `Partition.checkEnoughReplicasReachOffset`.
    pub(crate) fn try_complete_delayed(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(mut d) = self.delayed_produces.remove(&id) else { return };
        for (resp, required) in d.partitions.iter_mut() {
            let Some(req) = *required else { continue };
            let min_isr = env.spec.min_insync_replicas(resp.tp.topic);
            match self.replicas.get(&resp.tp) {
                Some(r) if r.is_leader => {
                    if r.log.high_watermark() >= req {
                        let effective = min_isr.min(r.state.replicas.len() as u32);
                        if (r.maximal_isr().len() as u32) < effective {
                            resp.error = ErrorCode::NotEnoughReplicasAfterAppend;
                        }
                        *required = None;
                    }
                }
                _ => {
                    resp.error = ErrorCode::NotLeaderOrFollower;
                    *required = None;
                }
            }
        }
        if d.partitions.iter().all(|(_, r)| r.is_none()) {
            self.complete_delayed(ctx, env, d);
        } else {
            self.delayed_produces.insert(id, d);
        }
    }

    fn try_complete_delayed_produces(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let ids: Vec<u64> = self
            .delayed_produces
            .iter()
            .filter(|(_, d)| d.partitions.iter().any(|(p, req)| p.tp == tp && req.is_some()))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.try_complete_delayed(ctx, env, id);
        }
    }

    pub fn on_produce_expire(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(mut d) = self.delayed_produces.remove(&id) else { return };
        for (r, req) in d.partitions.iter_mut() {
            if req.take().is_some() {
                r.error = ErrorCode::RequestTimedOut;
            }
        }
        self.complete_delayed(ctx, env, d);
    }

    /// Answer whoever waited for a delayed append.
    fn complete_delayed(&mut self, ctx: &mut Ctx<World>, env: &Env, d: DelayedProduce) {
        let partitions: Vec<ProducePartitionResponse> = d.partitions.into_iter().map(|(r, _)| r).collect();
        match d.reply {
            Reply::Produce => {
                ctx.send(self.node(), d.from, Msg::ProduceResponse { correlation: d.correlation, partitions })
            }
            Reply::OffsetCommit(pending) => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_commit_stored(ctx, env, pending, error);
            }
            Reply::GroupStored { group, generation } => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_group_stored(ctx, env, group, generation, error);
            }
            Reply::TxnOffsetCommit(pending, producer_id) => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_txn_offsets_stored(ctx, pending, producer_id, error);
            }
            Reply::TxnStored { transactional_id, then } => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_txn_stored(ctx, env, transactional_id, then, error);
            }
            Reply::TxnMarkers { producer_id, commit } => {
                // The markers are replicated: pending transactional offsets of the
                // groups on these partitions now count, or are dropped.
                for p in partitions
                    .iter()
                    .filter(|p| p.error == ErrorCode::None && env.spec.offsets_topic == Some(p.tp.topic))
                {
                    self.complete_txn_offsets(ctx, p.tp, producer_id, commit);
                }
                let partitions = partitions.into_iter().map(|p| (p.tp, p.error)).collect();
                ctx.send(
                    self.node(),
                    d.from,
                    Msg::WriteTxnMarkersResponse { correlation: d.correlation, producer_id, partitions },
                );
            }
        }
    }

    /// WriteTxnMarkers: append a COMMIT or ABORT control record to each partition this
    /// broker leads, and answer once they are replicated (acks=all).
    #[allow(clippy::too_many_arguments)] // one argument per field of the request
    pub fn on_write_txn_markers(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        producer_id: i64,
        producer_epoch: u16,
        commit: bool,
        partitions: Vec<Tp>,
    ) {
        let mut waits = Vec::new();
        for tp in partitions {
            let fail = |error| (ProducePartitionResponse { tp, error, base_offset: -1 }, None);
            let Some(r) = self.replicas.get_mut(&tp).filter(|r| r.is_leader) else {
                waits.push(fail(ErrorCode::NotLeaderOrFollower));
                continue;
            };
            let offset = r.log.log_end_offset();
            // The records of the transaction this marker ends (for the trace and checker).
            let records: Vec<crate::kafka::types::RecordId> =
                match r.log.producer(producer_id).and_then(|p| p.current_txn_first_offset) {
                    Some(first) => r
                        .log
                        .records_from(first)
                        .filter(|x| x.producer_id == producer_id && x.control.is_none() && x.payload.is_none())
                        .map(|x| x.id)
                        .collect(),
                    None => Vec::new(),
                };
            self.next_internal_id += 1;
            let marker = LogRecord {
                id: crate::kafka::types::RecordId(
                    crate::kafka::message::INTERNAL_RECORD_BIT | (u64::from(self.id.0) << 40) | self.next_internal_id,
                ),
                leader_epoch: r.state.leader_epoch,
                producer_id,
                producer_epoch,
                batch_first_seq: -1,
                batch_last_seq: -1,
                append_time: ctx.now,
                payload: None,
                transactional: true,
                control: Some(if commit { ControlType::Commit } else { ControlType::Abort }),
            };
            r.log.append(&[marker]);
            ctx.note(Note::Appended { broker: self.id, tp, first_offset: offset, count: 1, as_leader: true });
            ctx.note(Note::TxnMarker { broker: self.id, tp, offset, producer_id, producer_epoch, commit, records });
            waits.push((
                ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: offset as i64 },
                Some(offset + 1),
            ));
            self.maybe_increment_high_watermark(ctx, env, tp);
            self.try_complete_parked_fetches(ctx, env, tp);
        }
        let id = self.next();
        self.delayed_produces.insert(
            id,
            DelayedProduce { from, correlation, partitions: waits, reply: Reply::TxnMarkers { producer_id, commit } },
        );
        ctx.set_timer(self.node(), env.broker.offsets_commit_timeout_ms, Timer::ProduceExpire(id));
        self.try_complete_delayed(ctx, env, id);
    }

    /// The group coordinator writes to its `__consumer_offsets` partition like a producer
    /// with acks=all (`offsets.commit.required.acks`), and hears back through `reply`.
    /// `txn`: (producer id, epoch) when the records belong to a transaction (TxnOffsetCommit).
    pub(crate) fn append_internal(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        tp: Tp,
        payloads: Vec<InternalRecord>,
        txn: Option<(i64, u16)>,
        reply: Reply,
    ) -> Result<(), ErrorCode> {
        let r = self.replicas.get_mut(&tp).ok_or(ErrorCode::NotCoordinator)?;
        if !r.is_leader {
            return Err(ErrorCode::NotCoordinator);
        }
        let effective_min_isr = env.spec.min_insync_replicas(tp.topic).min(r.state.replicas.len() as u32);
        if (r.state.isr.len() as u32) < effective_min_isr {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        let base = r.log.log_end_offset();
        let epoch = r.state.leader_epoch;
        let records: Vec<LogRecord> = payloads
            .into_iter()
            .map(|p| {
                self.next_internal_id += 1;
                LogRecord {
                    id: crate::kafka::types::RecordId(
                        crate::kafka::message::INTERNAL_RECORD_BIT
                            | (u64::from(self.id.0) << 40)
                            | self.next_internal_id,
                    ),
                    leader_epoch: epoch,
                    producer_id: txn.map(|t| t.0).unwrap_or(-1),
                    producer_epoch: txn.map(|t| t.1).unwrap_or(0),
                    batch_first_seq: -1,
                    batch_last_seq: -1,
                    append_time: ctx.now,
                    payload: Some(Rc::new(p)),
                    transactional: txn.is_some(),
                    control: None,
                }
            })
            .collect();
        let count = records.len() as u64;
        r.log.append(&records);
        ctx.note(Note::Appended { broker: self.id, tp, first_offset: base, count: count as u32, as_leader: true });
        let id = self.next();
        let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: base as i64 };
        self.delayed_produces.insert(
            id,
            DelayedProduce { from: self.node(), correlation: 0, partitions: vec![(resp, Some(base + count))], reply },
        );
        ctx.set_timer(self.node(), env.broker.offsets_commit_timeout_ms, Timer::ProduceExpire(id));
        self.maybe_increment_high_watermark(ctx, env, tp);
        self.try_complete_parked_fetches(ctx, env, tp);
        self.try_complete_delayed(ctx, env, id);
        Ok(())
    }

    // ----- fetch (leader side) ----------------------------------------------------------

    #[allow(clippy::too_many_arguments)] // one argument per field of the Fetch request
    pub fn on_fetch(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        replica: Option<BrokerId>,
        max_wait_ms: u64,
        isolation: IsolationLevel,
        partitions: Vec<FetchPartition>,
    ) {
        let mut responses = Vec::with_capacity(partitions.len());
        let mut anything = false;
        for p in &partitions {
            let resp = self.read_partition(ctx, env, replica, isolation, p);
            anything |= resp.error != ErrorCode::None || resp.diverging_epoch.is_some() || !resp.records.is_empty();
            responses.push(resp);
        }
        if let Some(b) = replica {
            for p in &partitions {
                self.after_follower_fetch(ctx, env, b, p.tp);
            }
        }
        if anything || max_wait_ms == 0 {
            ctx.send(self.node(), from, Msg::FetchResponse { correlation, partitions: responses });
        } else {
            // DelayedFetch: hold it until data arrives or max wait passes.
            let id = self.next();
            self.parked_fetches.insert(id, ParkedFetch { from, correlation, replica, isolation, partitions });
            ctx.set_timer(self.node(), max_wait_ms, Timer::FetchExpire(id));
        }
    }

    fn read_partition(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        replica: Option<BrokerId>,
        isolation: IsolationLevel,
        p: &FetchPartition,
    ) -> FetchPartitionResponse {
        let now = ctx.now;
        let mut resp = FetchPartitionResponse {
            tp: p.tp,
            error: ErrorCode::None,
            high_watermark: 0,
            log_start_offset: 0,
            diverging_epoch: None,
            fetch_offset: p.fetch_offset,
            log_end_offset: 0,
            last_stable_offset: 0,
            aborted_transactions: Vec::new(),
            records: Rc::from(Vec::new()),
        };
        let Some(r) = self.replicas.get_mut(&p.tp) else {
            resp.error = ErrorCode::NotLeaderOrFollower;
            return resp;
        };
        if !r.is_leader {
            resp.error = ErrorCode::NotLeaderOrFollower;
            return resp;
        }
        if p.current_leader_epoch < r.state.leader_epoch {
            resp.error = ErrorCode::FencedLeaderEpoch;
            return resp;
        }
        if p.current_leader_epoch > r.state.leader_epoch {
            resp.error = ErrorCode::UnknownLeaderEpoch;
            return resp;
        }
        resp.high_watermark = r.log.high_watermark();
        resp.log_end_offset = r.log.log_end_offset();
        resp.last_stable_offset = r.log.last_stable_offset();
        // Partition.fetchRecords: check the follower's last fetched epoch (KIP-320/595).
        if let Some(last_epoch) = p.last_fetched_epoch {
            let (e, end) = match r.log.end_offset_for_epoch(last_epoch) {
                Some((e, end)) => (e as i64, end as i64),
                None => (-1, -1),
            };
            if e < last_epoch as i64 || end < p.fetch_offset as i64 {
                resp.diverging_epoch = Some((e, end));
                return resp;
            }
        }
        let leo = r.log.log_end_offset();
        if p.fetch_offset > leo {
            resp.error = ErrorCode::OffsetOutOfRange;
            return resp;
        }
        if let Some(b) = replica {
            if let Some(f) = r.followers.get_mut(&b) {
                // Replica.updateFetchStateOrThrow.
                if p.fetch_offset >= leo {
                    f.last_caught_up_time = f.last_caught_up_time.max(now);
                } else if p.fetch_offset >= f.last_fetch_leader_log_end_offset {
                    f.last_caught_up_time = f.last_caught_up_time.max(f.last_fetch_time);
                }
                f.log_end_offset = Some(p.fetch_offset);
                f.last_fetch_leader_log_end_offset = leo;
                f.last_fetch_time = now;
            }
        }
        // Followers read to the LEO; consumers below the HW (read_uncommitted) or the
        // LSO (read_committed), which also get the aborted transactions in range.
        let limit = read_limit(r, replica, isolation);
        resp.records = Rc::from(r.log.read(p.fetch_offset, limit, env.broker.fetch_max_records));
        if isolation == IsolationLevel::ReadCommitted && !resp.records.is_empty() {
            resp.aborted_transactions =
                r.log.aborted_between(p.fetch_offset, p.fetch_offset + resp.records.len() as u64);
        }
        resp
    }

    /// After a follower fetch: maybe expand the ISR, maybe move the HW.
    fn after_follower_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, follower: BrokerId, tp: Tp) {
        let Some(r) = self.replicas.get(&tp) else { return };
        if !r.is_leader {
            return;
        }
        let f_leo = r.followers.get(&follower).and_then(|f| f.log_end_offset);
        // Partition.maybeExpandIsr.
        if let (Some(leo), None, Some(epoch)) = (f_leo, &r.pending_isr, self.broker_epoch) {
            let eligible = !self.fenced_brokers.contains(&follower);
            if eligible
                && !r.state.isr.contains(&follower)
                && leo >= r.log.high_watermark()
                && leo >= r.epoch_start_offset
            {
                let mut isr = r.state.isr.clone();
                isr.push(follower);
                self.propose_isr(ctx, env, tp, isr, epoch, true);
            }
        }
        self.maybe_increment_high_watermark(ctx, env, tp);
    }

    pub(crate) fn try_complete_parked_fetches(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let ids: Vec<u64> = self
            .parked_fetches
            .iter()
            .filter(|(_, f)| f.partitions.iter().any(|p| p.tp == tp))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let f = &self.parked_fetches[&id];
            let ready = f.partitions.iter().any(|p| match self.replicas.get(&p.tp) {
                Some(r) if r.is_leader => read_limit(r, f.replica, f.isolation) > p.fetch_offset,
                _ => true,
            });
            if ready {
                self.answer_parked(ctx, env, id);
            }
        }
    }

    pub fn on_fetch_expire(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        self.answer_parked(ctx, env, id);
    }

    fn answer_parked(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(f) = self.parked_fetches.remove(&id) else { return };
        let mut responses = Vec::new();
        for p in &f.partitions {
            responses.push(self.read_partition(ctx, env, f.replica, f.isolation, p));
        }
        if let Some(b) = f.replica {
            for p in &f.partitions {
                self.after_follower_fetch(ctx, env, b, p.tp);
            }
        }
        ctx.send(self.node(), f.from, Msg::FetchResponse { correlation: f.correlation, partitions: responses });
    }

    // ----- fetch (follower side) --------------------------------------------------------

    fn send_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        let correlation = self.next();
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        let partitions: Vec<FetchPartition> = f
            .partitions
            .iter()
            .map(|tp| {
                let r = &self.replicas[tp];
                FetchPartition {
                    tp: *tp,
                    fetch_offset: r.log.log_end_offset(),
                    last_fetched_epoch: r.log.latest_epoch(),
                    current_leader_epoch: r.state.leader_epoch,
                }
            })
            .collect();
        if partitions.is_empty() {
            return;
        }
        f.in_flight = Some(correlation);
        let cfg_wait = env.broker.replica_fetch_wait_max_ms;
        let timeout = env.broker.replica_socket_timeout_ms;
        ctx.send(
            self.node(),
            broker_node(leader),
            Msg::Fetch {
                correlation,
                replica: Some(self.id),
                max_wait_ms: cfg_wait,
                isolation: IsolationLevel::ReadUncommitted,
                partitions,
            },
        );
        ctx.set_timer(self.node(), timeout, Timer::FetcherTimeout(leader, correlation));
    }

    pub fn on_fetcher_timeout(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId, correlation: u64) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            if f.in_flight == Some(correlation) {
                f.in_flight = None;
                self.send_fetch(ctx, env, leader);
            }
        }
    }

    /// The leader's host refused the connection: back off, then try again.
    pub fn on_fetch_refused(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.in_flight = None;
            if !f.backing_off {
                f.backing_off = true;
                ctx.set_timer(self.node(), env.broker.replica_fetch_backoff_ms, Timer::FetcherRetry(leader));
            }
        }
    }

    pub fn on_fetcher_retry(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.backing_off = false;
            if f.in_flight.is_none() {
                self.send_fetch(ctx, env, leader);
            }
        }
    }

    pub fn on_fetch_response_as_follower(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        leader: BrokerId,
        correlation: u64,
        partitions: Vec<FetchPartitionResponse>,
    ) {
        match self.fetchers.get_mut(&leader) {
            Some(f) if f.in_flight == Some(correlation) => f.in_flight = None,
            _ => return,
        }
        let mut errors = 0;
        for p in partitions {
            if !self.fetchers[&leader].partitions.contains(&p.tp) {
                continue;
            }
            if p.error != ErrorCode::None {
                errors += 1;
                continue;
            }
            self.process_partition_data(ctx, env, p);
        }
        let f = self.fetchers.get_mut(&leader).expect("fetcher");
        if f.partitions.is_empty() {
            self.fetchers.remove(&leader);
        } else if errors > 0 {
            f.backing_off = true;
            ctx.set_timer(self.node(), env.broker.replica_fetch_backoff_ms, Timer::FetcherRetry(leader));
        } else {
            self.send_fetch(ctx, env, leader);
        }
    }

    fn process_partition_data(&mut self, ctx: &mut Ctx<World>, env: &Env, p: FetchPartitionResponse) {
        let me = self.id;
        let r = self.replicas.get_mut(&p.tp).expect("followed replica");
        if let Some((epoch, end)) = p.diverging_epoch {
            // AbstractFetcherThread.getOffsetTruncationState.
            let leo = r.log.log_end_offset();
            let target = if epoch < 0 || end < 0 {
                r.log.high_watermark().min(leo)
            } else {
                match r.log.end_offset_for_epoch(epoch as u32) {
                    None => r.log.high_watermark().min(leo),
                    Some((own_epoch, own_end)) if own_epoch as i64 != epoch => own_end.min(leo),
                    Some((_, own_end)) => (end as u64).min(own_end).min(leo),
                }
            };
            let removed = r.log.truncate_to(target);
            if !removed.is_empty() {
                ctx.note(Note::Truncated {
                    broker: me,
                    tp: p.tp,
                    offset: target,
                    removed: removed.iter().map(|x| x.id).collect(),
                });
            }
            return;
        }
        if p.fetch_offset != r.log.log_end_offset() {
            return; // a response to an older fetch position
        }
        if !p.records.is_empty() {
            let first = r.log.log_end_offset();
            r.log.append(&p.records);
            if r.log.unflushed() >= env.broker.log_flush_interval_messages {
                r.log.flush();
            }
            ctx.note(Note::Appended {
                broker: me,
                tp: p.tp,
                first_offset: first,
                count: p.records.len() as u32,
                as_leader: false,
            });
        }
        if r.log.set_follower_high_watermark(p.high_watermark) {
            ctx.note(Note::HighWatermark { broker: me, tp: p.tp, high_watermark: r.log.high_watermark() });
        }
    }

    // ----- misc -------------------------------------------------------------------------

    /// InitProducerId: hand out a producer id (unique per broker; Kafka gets blocks of ids
    /// from the controller, which gives the same uniqueness).
    pub fn on_init_producer_id(&mut self, ctx: &mut Ctx<World>, from: NodeId, correlation: u64) {
        let producer_id = self.new_producer_id();
        ctx.send(
            self.node(),
            from,
            Msg::InitProducerIdResponse { correlation, error: ErrorCode::None, producer_id, producer_epoch: 0 },
        );
    }

    pub(crate) fn new_producer_id(&mut self) -> i64 {
        self.next_producer_id += 1;
        i64::from(self.id.0) * 1_000_000 + self.next_producer_id + i64::from(self.incarnation) * 10_000
    }

    pub fn on_metadata(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, correlation: u64) {
        let partitions = self.metadata.values().cloned().collect();
        let controller = env.controller;
        ctx.send(self.node(), from, Msg::MetadataResponse { correlation, controller, partitions });
    }
}

/// How far a fetch may read: followers to the LEO, consumers to the HW or the LSO.
fn read_limit(r: &Replica, replica: Option<BrokerId>, isolation: IsolationLevel) -> u64 {
    match (replica, isolation) {
        (Some(_), _) => r.log.log_end_offset(),
        (None, IsolationLevel::ReadUncommitted) => r.log.high_watermark(),
        (None, IsolationLevel::ReadCommitted) => r.log.last_stable_offset(),
    }
}

/// `Replica.isCaughtUp`.
fn is_caught_up(f: Option<&FollowerState>, leader_leo: u64, now: u64, max_lag: u64) -> bool {
    match f {
        None => false,
        Some(f) => f.log_end_offset == Some(leader_leo) || now.saturating_sub(f.last_caught_up_time) <= max_lag,
    }
}
