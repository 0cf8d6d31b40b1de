//! A broker: the partitions it hosts (as leader or follower), produce and fetch handling,
//! the follower's replica fetchers, ISR maintenance, and its lifecycle (crash, power loss,
//! restart). Modelled on Kafka's `Partition`, `ReplicaManager`, `DelayedProduce`,
//! `DelayedFetch` and `AbstractFetcherThread`; each rule cites where it comes from.

pub mod controller;
mod fetch;
mod fetch_session;
mod fetcher;
use crate::kafka::message::MetadataCache;
use fetch::{is_caught_up, read_limit};
use fetcher::Fetcher;
pub use fetcher::FollowerFetchResponse;
pub mod group_coordinator;
pub mod log;
mod produce;
mod replication;
mod retention;
pub mod txn_coordinator;
mod waiting;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::kafka::broker::log::PartitionLog;
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::InternalRecord;
use crate::kafka::message::{FetchPartition, LogRecord, Msg, PartitionState, ProducePartitionResponse};
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
#[derive(Clone, Copy, Debug, Default)]
pub struct FollowerState {
    /// The follower's LEO: the fetch offset of its latest fetch. None until it fetched.
    pub log_end_offset: Option<u64>,
    pub last_fetch_time: u64,
    pub last_fetch_leader_log_end_offset: u64,
    pub last_caught_up_time: u64,
    /// The follower was at the leader's LEO when its fetch session last read this
    /// partition, and nothing changed here since: every later fetch of the session would
    /// have stamped `last_fetch_time` and `last_caught_up_time` with its own time, so they
    /// are read as the session's last fetch time (`effective`) instead of being written.
    pub lazy: bool,
}

impl FollowerState {
    /// The state as Kafka's leader would hold it, given the follower session's last fetch.
    pub fn effective(&self, session_last_fetch: Option<u64>) -> FollowerState {
        match session_last_fetch {
            Some(t) if self.lazy => FollowerState {
                last_fetch_time: t,
                last_caught_up_time: self.last_caught_up_time.max(t),
                lazy: false,
                ..*self
            },
            _ => FollowerState { lazy: false, ..*self },
        }
    }
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

/// A broker's replicas by partition. Boxed so that the map's nodes hold only keys and
/// pointers: with thousands of partitions a lookup (several per partition per fetch) then
/// walks a few small nodes instead of nodes of large replicas spread over the cache.
pub type Replicas = BTreeMap<Tp, Box<Replica>>;

#[derive(Clone, Debug)]
struct ParkedFetch {
    from: NodeId,
    correlation: u64,
    replica: Option<BrokerId>,
    isolation: IsolationLevel,
    /// Empty for a session's fetch: the session holds its positions.
    partitions: Vec<FetchPartition>,
    /// Positions of the partitions that changed since the fetch was last checked.
    dirty: Vec<u32>,
    /// The fetch session (KIP-227) of a follower's fetch.
    session: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct DelayedProduce {
    pub(crate) from: NodeId,
    pub(crate) correlation: u64,
    /// (response so far, required offset: last appended + 1; None = already decided)
    pub(crate) partitions: Vec<(ProducePartitionResponse, Option<u64>)>,
    /// Who waits for it: a producer, or the group coordinator's own writes.
    pub(crate) reply: Reply,
    /// Positions of the undecided partitions that changed since it was last checked.
    pub(crate) dirty: Vec<u32>,
    /// How many partitions are undecided.
    pub(crate) pending: u32,
}

impl DelayedProduce {
    pub(crate) fn new(
        from: NodeId,
        correlation: u64,
        partitions: Vec<(ProducePartitionResponse, Option<u64>)>,
        reply: Reply,
    ) -> DelayedProduce {
        DelayedProduce { from, correlation, partitions, reply, dirty: Vec::new(), pending: 0 }
    }
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

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub status: BrokerStatus,
    /// Bumped at every start: a new process.
    pub incarnation: u32,
    /// Given by the controller at registration; None until registered.
    pub broker_epoch: Option<u64>,
    /// How far this broker has applied the controller's metadata log with no gap (its
    /// heartbeat reports it; 0 for a process that has heard nothing yet).
    pub metadata_offset: u64,
    pub replicas: Replicas,
    /// Every partition's state as this broker last heard (answers Metadata requests).
    pub metadata: MetadataCache,
    /// Brokers the controller has fenced, as last heard: not ISR-eligible.
    pub fenced_brokers: BTreeSet<BrokerId>,
    fetchers: BTreeMap<BrokerId, Fetcher>,
    parked_fetches: BTreeMap<u64, ParkedFetch>,
    parked_index: waiting::WaitIndex,
    fetch_sessions: fetch_session::FetchSessions,
    delayed_produces: BTreeMap<u64, DelayedProduce>,
    delayed_index: waiting::WaitIndex,
    next_id: u64,
    next_producer_id: i64,
    next_internal_id: u64,
    /// The group coordinator's state for the groups whose offsets partition this broker leads.
    pub coordinator: crate::kafka::broker::group_coordinator::Coordinator,
    /// The transaction coordinator's state for the `__transaction_state` partitions it leads.
    pub txn_coordinator: crate::kafka::broker::txn_coordinator::TxnCoordinator,
    /// When the group timer is armed to fire.
    pub(crate) group_tick_at: Option<u64>,
    /// Shared by every fetch answer without records (most of them, with many partitions),
    /// so that they allocate nothing.
    no_records: Rc<[LogRecord]>,
    /// When this process started (the retention schedule counts from it).
    started_at: u64,
    /// The retention tick the timer is armed for, if any.
    retention_check_at: Option<u64>,
}

impl Broker {
    pub fn new(id: BrokerId, replicas: Replicas) -> Broker {
        Broker {
            id,
            status: BrokerStatus::Running,
            incarnation: 0,
            broker_epoch: None,
            metadata_offset: 0,
            replicas,
            metadata: MetadataCache::default(),
            fenced_brokers: BTreeSet::new(),
            fetchers: BTreeMap::new(),
            parked_fetches: BTreeMap::new(),
            parked_index: Default::default(),
            fetch_sessions: Default::default(),
            delayed_produces: BTreeMap::new(),
            delayed_index: Default::default(),
            next_id: 0,
            next_producer_id: 0,
            next_internal_id: 0,
            coordinator: Default::default(),
            txn_coordinator: Default::default(),
            group_tick_at: None,
            no_records: Rc::from(Vec::new()),
            started_at: 0,
            retention_check_at: None,
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
        self.started_at = ctx.now;
        self.maybe_schedule_retention(ctx, env, None);
    }

    /// A metadata message arrived: the whole state, or the change right after what this
    /// broker has. After a gap (a change lost on a cut link) the offset stays behind, so the
    /// heartbeat tells the controller (the change itself still applies: it is newer).
    pub fn applied_metadata(&mut self, m: crate::kafka::message::MetadataOffset) {
        if m.previous.is_none_or(|p| p == self.metadata_offset) {
            self.metadata_offset = self.metadata_offset.max(m.offset);
        }
    }

    /// The process dies (or the power goes). The logs stay on disk; everything in memory is gone.
    pub fn crash(&mut self, power_loss: bool) {
        self.status = if power_loss { BrokerStatus::PoweredOff } else { BrokerStatus::Crashed };
        self.broker_epoch = None;
        self.metadata_offset = 0;
        self.fetchers.clear();
        self.parked_fetches.clear();
        self.parked_index.clear();
        self.fetch_sessions = Default::default();
        self.delayed_produces.clear();
        self.delayed_index.clear();
        self.metadata = MetadataCache::default();
        self.coordinator = Default::default();
        self.txn_coordinator = Default::default();
        self.group_tick_at = None;
        self.retention_check_at = None;
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

    /// A broker or topic setting changed: what a follower fetch decides (the HW, the ISR)
    /// may differ for any partition, so fetch sessions read every partition again.
    pub fn settings_changed(&mut self) {
        self.fetch_sessions.all_changed();
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

    // ----- ISR changes ------------------------------------------------------------------

    // ----- high watermark ---------------------------------------------------------------

    /// `Partition.maybeIncrementLeaderHW`.
    pub(crate) fn maybe_increment_high_watermark(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let now = ctx.now;
        let min_isr = env.spec.min_insync_replicas(tp.topic);
        let r = self.replicas.get_mut(&tp).expect("replica");
        // With the HW at the LEO there is nothing to advance (the common case of a follower
        // fetch on an idle partition): return before the work below.
        if !r.is_leader || r.log.high_watermark() >= r.log.log_end_offset() {
            return;
        }
        let effective_min_isr = min_isr.min(r.state.replicas.len() as u32);
        // KAFKA-15583 (3.7+): under min ISR the HW does not move at all.
        if !env.broker.legacy_hw_advances_under_min_isr && (r.state.isr.len() as u32) < effective_min_isr {
            return;
        }
        let leo = r.log.log_end_offset();
        let mut new_hw = leo;
        for (b, f) in &r.followers {
            let f = &f.effective(self.fetch_sessions.last_fetch(*b));
            // In the maximal ISR (`Replica::maximal_isr`, without building it).
            let in_isr = r.state.isr.contains(b) || r.pending_isr.as_ref().is_some_and(|p| p.contains(b));
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
            self.parked_partition_changed(tp);
            ctx.note(Note::HighWatermark { broker: self.id, tp, high_watermark: hw });
            self.try_complete_delayed_produces(ctx, env, tp);
            self.try_complete_parked_fetches(ctx, env, tp);
        }
    }

    // ----- produce ----------------------------------------------------------------------

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
        self.parked_partition_changed(tp);
        ctx.note(Note::Appended { broker: self.id, tp, first_offset: base, count: count as u32, as_leader: true });
        let id = self.next();
        let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: base as i64 };
        self.delay_produce(id, DelayedProduce::new(self.node(), 0, vec![(resp, Some(base + count))], reply));
        ctx.set_timer(self.node(), env.broker.offsets_commit_timeout_ms, Timer::ProduceExpire(id));
        self.maybe_increment_high_watermark(ctx, env, tp);
        self.try_complete_parked_fetches(ctx, env, tp);
        self.try_complete_delayed(ctx, env, id);
        Ok(())
    }

    // ----- fetch (leader side) ----------------------------------------------------------

    // ----- fetch (follower side) --------------------------------------------------------

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
