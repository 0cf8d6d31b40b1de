//! The transaction coordinator, as Kafka's `TransactionCoordinator`,
//! `TransactionStateManager` and `TransactionMarkerChannelManager` run it on the broker
//! that leads the transactional id's `__transaction_state` partition.
//!
//! Its state is records in `__transaction_state`, replicated like any data; a broker
//! that becomes leader of such a partition rebuilds the transactions from its log and
//! finishes any commit or abort that was half done (it writes the markers again).
//!
//! The protocol is Kafka's classic one (transaction version 1): InitProducerId bumps the
//! epoch and aborts what an older producer left open (zombie fencing);
//! AddPartitionsToTxn and AddOffsetsToTxn add partitions; EndTxn writes PrepareCommit
//! or PrepareAbort, answers, then has every partition's leader write a control record
//! (WriteTxnMarkers) and finally writes CompleteCommit or CompleteAbort. Transactions
//! open longer than `transaction.timeout.ms` are aborted with a bumped epoch.
//! Simplification: KIP-890's transaction version 2 (an epoch bump at every commit and
//! partitions added by the produce request itself) is not modelled.
use crate::kafka::message::{AddPartitionsToTxnRequest, EndTxnRequest, WriteTxnMarkersRequest};
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::kafka::broker::group_coordinator::coordinator_error;
use crate::kafka::broker::{Broker, Reply};
use crate::kafka::message::{InternalRecord, Msg, TxnMetadata, TxnState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

/// How soon markers that could not be written are tried again (the marker channel's
/// retry backoff).
pub const TXN_MARKER_RETRY_MS: u64 = 500;
/// A WriteTxnMarkers request unanswered this long is sent again (inter-broker
/// `request.timeout.ms`).
pub const TXN_MARKER_REQUEST_TIMEOUT_MS: u64 = 30_000;

/// What the coordinator does once a state write is replicated.
#[derive(Clone, Debug)]
pub enum AfterWrite {
    /// Answer an InitProducerId with the producer id and the new epoch.
    InitProducerId { from: NodeId, correlation: u64 },
    /// InitProducerId found a transaction still open: the older producer is fenced and
    /// its transaction aborted; the new one is told CONCURRENT_TRANSACTIONS and retries.
    FenceThenRetry { from: NodeId, correlation: u64 },
    /// Answer an AddPartitionsToTxn (or AddOffsetsToTxn, `offsets`).
    AddPartitions { from: NodeId, correlation: u64, offsets: bool },
    /// PrepareCommit/PrepareAbort is stored: answer the EndTxn (if a client asked) and
    /// write the markers.
    Prepared { reply_to: Option<(NodeId, u64)> },
    /// CompleteCommit/CompleteAbort is stored.
    Completed,
}

#[derive(Clone, Debug)]
pub struct TxnEntry {
    /// The state as last replicated.
    pub meta: TxnMetadata,
    /// A write in progress (`pendingTransitionInProgress`): the state it will set.
    pub pending: Option<TxnMetadata>,
    /// The `__transaction_state` partition that holds it.
    pub partition: Tp,
    /// While preparing a commit or abort: partitions still without their marker.
    pub markers_pending: BTreeSet<Tp>,
}

#[derive(Clone, Debug)]
struct MarkerRequest {
    transactional_id: Rc<str>,
    broker: BrokerId,
    partitions: Vec<Tp>,
    sent_at: u64,
}

#[derive(Clone, Debug, Default)]
pub struct TxnCoordinator {
    pub txns: BTreeMap<Rc<str>, TxnEntry>,
    marker_requests: BTreeMap<u64, MarkerRequest>,
    /// When the marker retry timer is armed to fire.
    retry_at: Option<u64>,
    /// When the timed-out-transaction check is armed to fire.
    timeout_check_at: Option<u64>,
}

impl TxnCoordinator {
    pub fn retry_live(&self, now: u64) -> bool {
        self.retry_at == Some(now)
    }
    pub fn timeout_check_live(&self, now: u64) -> bool {
        self.timeout_check_at == Some(now)
    }
}

/// `__transaction_state` partition of a transactional id: `abs(hashCode) % partitions`.
pub fn txn_partition_for(transactional_id: &str, partitions: u32) -> u32 {
    crate::kafka::broker::group_coordinator::offsets_partition_for(transactional_id, partitions)
}

fn init_error(correlation: u64, error: ErrorCode) -> Msg {
    Msg::InitProducerIdResponse { correlation, error, producer_id: -1, producer_epoch: 0 }
}

impl Broker {
    fn txn_tp(&self, env: &Env, transactional_id: &str) -> Option<Tp> {
        let topic = env.spec.transaction_topic?;
        Some(Tp { topic, partition: txn_partition_for(transactional_id, env.spec.topics[topic as usize].partitions) })
    }

    /// The partition if this broker coordinates the transactional id.
    fn coordinates_txn(&self, env: &Env, transactional_id: &str) -> Option<Tp> {
        let tp = self.txn_tp(env, transactional_id)?;
        self.replicas.get(&tp).filter(|r| r.is_leader).map(|_| tp)
    }

    /// FindCoordinator with key type TRANSACTION.
    pub(crate) fn txn_coordinator_for(&self, env: &Env, transactional_id: &str) -> Option<BrokerId> {
        let tp = self.txn_tp(env, transactional_id)?;
        self.metadata.get(&tp).and_then(|s| s.leader)
    }

    /// Write a transactional id's next state; `then` runs once it is replicated.
    fn write_txn(&mut self, ctx: &mut Ctx<World>, env: &Env, next: TxnMetadata, then: AfterWrite) {
        let id = next.transactional_id.clone();
        let Some(e) = self.txn_coordinator.txns.get_mut(&id) else { return };
        let tp = e.partition;
        e.pending = Some(next.clone());
        let reply = Reply::TxnStored { transactional_id: id.clone(), then: then.clone() };
        if let Err(error) = self.append_internal(ctx, env, tp, vec![InternalRecord::TxnState(next)], None, reply) {
            if let Some(e) = self.txn_coordinator.txns.get_mut(&id) {
                e.pending = None;
            }
            self.write_failed(ctx, &then, coordinator_error(error));
        }
    }

    fn write_failed(&mut self, ctx: &mut Ctx<World>, then: &AfterWrite, error: ErrorCode) {
        if matches!(then, AfterWrite::Completed) && error != ErrorCode::NotCoordinator {
            // The markers are written; only the final state is missing. Kafka's marker
            // channel retries this append (`tryAppendToLog`); here the retry tick does.
            self.arm_marker_retry(ctx);
        }
        self.answer_after_write(ctx, then, error, None);
    }

    fn answer_after_write(
        &mut self,
        ctx: &mut Ctx<World>,
        then: &AfterWrite,
        error: ErrorCode,
        meta: Option<&TxnMetadata>,
    ) {
        let node = self.node();
        match then {
            AfterWrite::InitProducerId { from, correlation } => match (error, meta) {
                (ErrorCode::None, Some(m)) => ctx.send(
                    node,
                    *from,
                    Msg::InitProducerIdResponse {
                        correlation: *correlation,
                        error,
                        producer_id: m.producer_id,
                        producer_epoch: m.producer_epoch,
                    },
                ),
                _ => ctx.send(node, *from, init_error(*correlation, error)),
            },
            AfterWrite::FenceThenRetry { from, correlation } => {
                let error = if error == ErrorCode::None { ErrorCode::ConcurrentTransactions } else { error };
                ctx.send(node, *from, init_error(*correlation, error));
            }
            AfterWrite::AddPartitions { from, correlation, offsets: false } => {
                ctx.send(node, *from, Msg::AddPartitionsToTxnResponse { correlation: *correlation, error })
            }
            AfterWrite::AddPartitions { from, correlation, offsets: true } => {
                ctx.send(node, *from, Msg::AddOffsetsToTxnResponse { correlation: *correlation, error })
            }
            AfterWrite::Prepared { reply_to: Some((from, correlation)) } => {
                ctx.send(node, *from, Msg::EndTxnResponse { correlation: *correlation, error })
            }
            AfterWrite::Prepared { reply_to: None } | AfterWrite::Completed => {}
        }
    }

    /// InitProducerId with a transactional id (`handleInitProducerId`).
    pub fn on_init_transactional_producer_id(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        transactional_id: Rc<str>,
        timeout_ms: u64,
    ) {
        let node = self.node();
        let Some(tp) = self.coordinates_txn(env, &transactional_id) else {
            return ctx.send(node, from, init_error(correlation, ErrorCode::NotCoordinator));
        };
        if timeout_ms > env.broker.transaction_max_timeout_ms {
            return ctx.send(node, from, init_error(correlation, ErrorCode::InvalidTransactionTimeout));
        }
        let now = ctx.now;
        if !self.txn_coordinator.txns.contains_key(&transactional_id) {
            let meta = TxnMetadata {
                transactional_id: transactional_id.clone(),
                producer_id: self.new_producer_id(),
                // The first InitProducerId moves the epoch from "none" to 0.
                producer_epoch: 0,
                timeout_ms,
                state: TxnState::Empty,
                partitions: Vec::new(),
                start_ms: now,
            };
            let mut unborn = meta.clone();
            unborn.producer_epoch = u16::MAX;
            self.txn_coordinator.txns.insert(
                transactional_id,
                TxnEntry { meta: unborn, pending: None, partition: tp, markers_pending: BTreeSet::new() },
            );
            return self.write_txn(ctx, env, meta, AfterWrite::InitProducerId { from, correlation });
        }
        let e = &self.txn_coordinator.txns[&transactional_id];
        if e.pending.is_some() || matches!(e.meta.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            return ctx.send(node, from, init_error(correlation, ErrorCode::ConcurrentTransactions));
        }
        let mut next = e.meta.clone();
        next.producer_epoch = next.producer_epoch.wrapping_add(1);
        next.timeout_ms = timeout_ms;
        if e.meta.state == TxnState::Ongoing {
            // The previous producer left a transaction open: fence it (the bumped epoch
            // goes into the markers) and abort the transaction first.
            next.state = TxnState::PrepareAbort;
            ctx.note(Note::TxnFenced {
                transactional_id: next.transactional_id.clone(),
                producer_epoch: next.producer_epoch,
                reason: "a new producer with this transactional.id called initTransactions()",
            });
            self.write_txn(ctx, env, next, AfterWrite::FenceThenRetry { from, correlation });
        } else {
            next.state = TxnState::Empty;
            next.partitions.clear();
            next.start_ms = now;
            self.write_txn(ctx, env, next, AfterWrite::InitProducerId { from, correlation });
        }
    }

    /// Checks shared by AddPartitionsToTxn, AddOffsetsToTxn and EndTxn.
    fn check_txn_request(
        &self,
        env: &Env,
        transactional_id: &Rc<str>,
        producer_id: i64,
        producer_epoch: u16,
    ) -> Result<&TxnEntry, ErrorCode> {
        self.coordinates_txn(env, transactional_id).ok_or(ErrorCode::NotCoordinator)?;
        let e = self.txn_coordinator.txns.get(transactional_id).ok_or(ErrorCode::InvalidProducerIdMapping)?;
        if e.meta.producer_id != producer_id {
            return Err(ErrorCode::InvalidProducerIdMapping);
        }
        if e.meta.producer_epoch != producer_epoch {
            return Err(ErrorCode::ProducerFenced);
        }
        if e.pending.is_some() {
            return Err(ErrorCode::ConcurrentTransactions);
        }
        Ok(e)
    }

    /// AddPartitionsToTxn (`offsets`: AddOffsetsToTxn, whose partition is the group's
    /// `__consumer_offsets` partition).
    pub fn on_add_partitions_to_txn(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        req: AddPartitionsToTxnRequest,
        offsets: bool,
    ) {
        let AddPartitionsToTxnRequest { correlation, transactional_id, producer_id, producer_epoch, partitions } = req;
        let then = AfterWrite::AddPartitions { from, correlation, offsets };
        let e = match self.check_txn_request(env, &transactional_id, producer_id, producer_epoch) {
            Ok(e) => e,
            Err(error) => return self.answer_after_write(ctx, &then, error, None),
        };
        if matches!(e.meta.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            return self.answer_after_write(ctx, &then, ErrorCode::ConcurrentTransactions, None);
        }
        if e.meta.state == TxnState::Ongoing && partitions.iter().all(|tp| e.meta.partitions.contains(tp)) {
            return self.answer_after_write(ctx, &then, ErrorCode::None, None);
        }
        let mut next = e.meta.clone();
        if next.state != TxnState::Ongoing {
            next.partitions.clear();
            next.start_ms = ctx.now;
        }
        next.state = TxnState::Ongoing;
        let set: BTreeSet<Tp> = next.partitions.iter().chain(partitions.iter()).copied().btree_set();
        next.partitions = set.into_iter().collect();
        self.write_txn(ctx, env, next, then);
    }

    /// EndTxn (`handleEndTransaction`).
    pub fn on_end_txn(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: EndTxnRequest) {
        let EndTxnRequest { correlation, transactional_id, producer_id, producer_epoch, commit } = req;
        let then = AfterWrite::Prepared { reply_to: Some((from, correlation)) };
        let e = match self.check_txn_request(env, &transactional_id, producer_id, producer_epoch) {
            Ok(e) => e,
            Err(error) => return self.answer_after_write(ctx, &then, error, None),
        };
        let error = match (e.meta.state, commit) {
            (TxnState::Ongoing, _) => None,
            // A retry of an EndTxn that already went through.
            (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) => Some(ErrorCode::None),
            (TxnState::PrepareCommit, true) | (TxnState::PrepareAbort, false) => {
                Some(ErrorCode::ConcurrentTransactions)
            }
            _ => Some(ErrorCode::InvalidTxnState),
        };
        if let Some(error) = error {
            return self.answer_after_write(ctx, &then, error, None);
        }
        let mut next = e.meta.clone();
        next.state = if commit { TxnState::PrepareCommit } else { TxnState::PrepareAbort };
        self.write_txn(ctx, env, next, then);
    }

    /// A state write is replicated (or failed).
    pub(crate) fn on_txn_stored(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        transactional_id: Rc<str>,
        then: AfterWrite,
        error: ErrorCode,
    ) {
        let error = coordinator_error(error);
        let Some(e) = self.txn_coordinator.txns.get_mut(&transactional_id) else {
            // The partition moved away meanwhile.
            return self.answer_after_write(ctx, &then, ErrorCode::NotCoordinator, None);
        };
        let Some(next) = e.pending.take() else { return };
        if error != ErrorCode::None {
            if e.meta.producer_epoch == u16::MAX {
                self.txn_coordinator.txns.remove(&transactional_id);
            }
            return self.write_failed(ctx, &then, error);
        }
        e.meta = next.clone();
        ctx.note(Note::TxnStateChanged {
            broker: self.id,
            transactional_id: transactional_id.clone(),
            producer_id: next.producer_id,
            producer_epoch: next.producer_epoch,
            state: next.state.name(),
            partitions: next.partitions.clone(),
        });
        self.answer_after_write(ctx, &then, ErrorCode::None, Some(&next));
        if matches!(then, AfterWrite::Prepared { .. } | AfterWrite::FenceThenRetry { .. }) {
            self.start_markers(ctx, env, &transactional_id);
        }
    }

    /// Have every partition of the transaction get its marker.
    fn start_markers(&mut self, ctx: &mut Ctx<World>, env: &Env, transactional_id: &Rc<str>) {
        let Some(e) = self.txn_coordinator.txns.get_mut(transactional_id) else { return };
        e.markers_pending = e.meta.partitions.iter().copied().btree_set();
        self.send_markers(ctx, env, transactional_id);
    }

    fn send_markers(&mut self, ctx: &mut Ctx<World>, env: &Env, transactional_id: &Rc<str>) {
        let Some(e) = self.txn_coordinator.txns.get(transactional_id) else { return };
        if e.pending.is_some() {
            return;
        }
        if e.markers_pending.is_empty() {
            return self.complete_txn(ctx, env, transactional_id);
        }
        let in_flight: BTreeSet<Tp> = self
            .txn_coordinator
            .marker_requests
            .values()
            .filter(|r| r.transactional_id == *transactional_id)
            .flat_map(|r| r.partitions.iter().copied())
            .btree_set();
        let mut per_leader: BTreeMap<BrokerId, Vec<Tp>> = BTreeMap::new();
        let mut waiting = false;
        for tp in e.markers_pending.iter().filter(|tp| !in_flight.contains(tp)) {
            match self.metadata.get(tp).and_then(|s| s.leader) {
                Some(l) => per_leader.entry(l).or_default().push(*tp),
                None => waiting = true,
            }
        }
        let (producer_id, producer_epoch, commit) =
            (e.meta.producer_id, e.meta.producer_epoch, e.meta.state == TxnState::PrepareCommit);
        for (leader, partitions) in per_leader {
            let correlation = self.next();
            self.txn_coordinator.marker_requests.insert(
                correlation,
                MarkerRequest {
                    transactional_id: transactional_id.clone(),
                    broker: leader,
                    partitions: partitions.clone(),
                    sent_at: ctx.now,
                },
            );
            ctx.send(
                self.node(),
                broker_node(leader),
                Msg::WriteTxnMarkers(WriteTxnMarkersRequest {
                    correlation,
                    producer_id,
                    producer_epoch,
                    commit,
                    partitions,
                }),
            );
        }
        // Check back while anything is outstanding (a leader may change or die, or be
        // unknown for now: `waiting`).
        if waiting || !self.txn_coordinator.marker_requests.is_empty() {
            self.arm_marker_retry(ctx);
        }
    }

    fn arm_marker_retry(&mut self, ctx: &mut Ctx<World>) {
        if self.txn_coordinator.retry_at.is_none_or(|t| t < ctx.now) {
            self.txn_coordinator.retry_at = Some(ctx.now + TXN_MARKER_RETRY_MS);
            ctx.set_timer(self.node(), TXN_MARKER_RETRY_MS, Timer::TxnMarkerRetry);
        }
    }

    /// All markers are written: CompleteCommit or CompleteAbort.
    fn complete_txn(&mut self, ctx: &mut Ctx<World>, env: &Env, transactional_id: &Rc<str>) {
        let Some(e) = self.txn_coordinator.txns.get(transactional_id) else { return };
        let mut next = e.meta.clone();
        next.state = match e.meta.state {
            TxnState::PrepareCommit => TxnState::CompleteCommit,
            TxnState::PrepareAbort => TxnState::CompleteAbort,
            _ => return,
        };
        next.partitions.clear();
        self.write_txn(ctx, env, next, AfterWrite::Completed);
    }

    pub fn on_write_txn_markers_response(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        correlation: u64,
        partitions: Vec<(Tp, ErrorCode)>,
    ) {
        let Some(req) = self.txn_coordinator.marker_requests.remove(&correlation) else { return };
        let id = req.transactional_id;
        let Some(e) = self.txn_coordinator.txns.get_mut(&id) else { return };
        for (tp, error) in partitions {
            if error == ErrorCode::None {
                e.markers_pending.remove(&tp);
            }
        }
        if e.markers_pending.is_empty() {
            self.complete_txn(ctx, env, &id);
        } else {
            self.arm_marker_retry(ctx);
        }
    }

    /// A connection to `broker` broke: its marker requests will get no answer.
    pub fn on_txn_marker_connection_lost(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        let before = self.txn_coordinator.marker_requests.len();
        self.txn_coordinator.marker_requests.retain(|_, r| r.broker != broker);
        if self.txn_coordinator.marker_requests.len() != before {
            self.arm_marker_retry(ctx);
        }
    }

    /// Send again the markers whose request is lost, timed out, or went to a broker that
    /// is no longer the leader.
    pub fn on_txn_marker_retry(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        self.txn_coordinator.retry_at = None;
        let now = ctx.now;
        let metadata = &self.metadata;
        self.txn_coordinator.marker_requests.retain(|_, r| {
            let fresh = r.sent_at + TXN_MARKER_REQUEST_TIMEOUT_MS > now;
            fresh && r.partitions.iter().all(|tp| metadata.get(tp).and_then(|s| s.leader) == Some(r.broker))
        });
        let ids: Vec<Rc<str>> = self
            .txn_coordinator
            .txns
            .iter()
            .filter(|(_, e)| {
                !e.markers_pending.is_empty()
                    || matches!(e.meta.state, TxnState::PrepareCommit | TxnState::PrepareAbort)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for id in &ids {
            self.send_markers(ctx, env, id);
        }
        if !self.txn_coordinator.marker_requests.is_empty() {
            self.arm_marker_retry(ctx);
        }
    }

    /// Abort transactions open longer than their `transaction.timeout.ms`, fencing the
    /// producer with a bumped epoch (`abortTimedOutTransactions`).
    pub fn on_txn_timeout_check(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        self.txn_coordinator.timeout_check_at = None;
        let now = ctx.now;
        let expired: Vec<TxnMetadata> = self
            .txn_coordinator
            .txns
            .values()
            .filter(|e| {
                e.meta.state == TxnState::Ongoing && e.pending.is_none() && e.meta.start_ms + e.meta.timeout_ms < now
            })
            .map(|e| e.meta.clone())
            .collect();
        for meta in expired {
            let mut next = meta;
            next.producer_epoch = next.producer_epoch.wrapping_add(1);
            next.state = TxnState::PrepareAbort;
            ctx.note(Note::TxnFenced {
                transactional_id: next.transactional_id.clone(),
                producer_epoch: next.producer_epoch,
                reason: "transaction.timeout.ms passed with the transaction still open",
            });
            self.write_txn(ctx, env, next, AfterWrite::Prepared { reply_to: None });
        }
        self.arm_txn_timeout_check(ctx, env);
    }

    fn arm_txn_timeout_check(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        if self.txn_coordinator.txns.is_empty() && !self.leads_txn_partition(env) {
            return;
        }
        let interval = env.broker.transaction_abort_timed_out_transaction_cleanup_interval_ms;
        if self.txn_coordinator.timeout_check_at.is_none_or(|t| t < ctx.now) {
            self.txn_coordinator.timeout_check_at = Some(ctx.now + interval);
            ctx.set_timer(self.node(), interval, Timer::TxnTimeoutCheck);
        }
    }

    fn leads_txn_partition(&self, env: &Env) -> bool {
        env.spec.transaction_topic.is_some_and(|t| self.replicas.iter().any(|(tp, r)| tp.topic == t && r.is_leader))
    }

    /// This broker became leader of a `__transaction_state` partition: load its
    /// transactions and finish any commit or abort that was under way.
    pub(crate) fn load_transactions(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let mut loaded: BTreeMap<Rc<str>, TxnMetadata> = BTreeMap::new();
        for rec in self.replicas[&tp].log.records() {
            if let Some(InternalRecord::TxnState(m)) = rec.payload.as_deref() {
                loaded.insert(m.transactional_id.clone(), m.clone());
            }
        }
        let mut resume = Vec::new();
        for (id, meta) in loaded {
            ctx.note(Note::TxnLoaded {
                broker: self.id,
                transactional_id: id.clone(),
                state: meta.state.name(),
                producer_epoch: meta.producer_epoch,
            });
            if matches!(meta.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
                resume.push(id.clone());
            }
            self.txn_coordinator
                .txns
                .insert(id, TxnEntry { meta, pending: None, partition: tp, markers_pending: BTreeSet::new() });
        }
        for id in resume {
            self.start_markers(ctx, env, &id);
        }
        self.arm_txn_timeout_check(ctx, env);
    }

    /// This broker lost the leadership of a `__transaction_state` partition.
    pub(crate) fn unload_transactions(&mut self, tp: Tp) {
        let c = &mut self.txn_coordinator;
        let gone: BTreeSet<Rc<str>> =
            c.txns.iter().filter(|(_, e)| e.partition == tp).map(|(k, _)| k.clone()).btree_set();
        c.txns.retain(|k, _| !gone.contains(k));
        c.marker_requests.retain(|_, r| !gone.contains(&r.transactional_id));
    }
}
