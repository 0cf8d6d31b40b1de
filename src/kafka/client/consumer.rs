//! A consumer in a group (Kafka's `KafkaConsumer` with the classic `ConsumerCoordinator`)
//! and the application around it: a poll loop that processes each record for
//! `sim.processing.ms.per.record` and commits by `enable.auto.commit` and/or `sim.commit`.
//!
//! What runs where, as in Kafka: `poll()` finds the coordinator, (re)joins the group,
//! auto-commits, and returns fetched records; a heartbeat thread sends heartbeats every
//! `heartbeat.interval.ms` and, if the application has not called `poll()` within
//! `max.poll.interval.ms`, leaves the group. A GC pause freezes both; slow processing
//! blocks only the application.
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use crate::kafka::assignor::{self, MemberSubscription, Strategy};
use crate::kafka::client::fetch::{fetches_by_leader, send_fetches, FetchSettings};
use crate::kafka::client::producer::Producer;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::{AutoOffsetReset, CommitPolicy, ConsumerConfig};
use crate::kafka::message::{FetchPartitionResponse, GroupMemberMetadata, Msg, OffsetCommitPartition, PartitionState};
use crate::kafka::message::{HeartbeatRequest, JoinGroupRequest, OffsetCommitRequest, SyncGroupRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerStatus {
    Running,
    Crashed,
    Closed,
    /// The application died of an exception (e.g. auto.offset.reset=none).
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinState {
    NotMember,
    Joining(u64),
    Syncing(u64),
    Member,
}

/// What the application is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
enum App {
    /// Inside `poll()`, waiting for records (until the poll timeout).
    Polling,
    /// Processing the records the last poll returned.
    Processing(VecDeque<(Tp, u64, RecordId)>),
    /// Waiting for a `commitSync()`; then process (`true`) or poll again.
    Committing { correlation: u64, then_process: VecDeque<(Tp, u64, RecordId)> },
    /// A transactional pipeline waits for sendOffsetsToTransaction() and
    /// commitTransaction() (or abortTransaction()) to return.
    TxnCommitting { offsets: Vec<OffsetCommitPartition> },
}

/// What a consume-transform-produce application asks of its producer, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipelineOp {
    /// Write the output of this processed input record.
    Output(RecordId),
    Txn(TxnOp),
}

/// A fetched entry waiting for poll(): a record at `from`, or (no record) a stretch the
/// application never sees (transaction markers, aborted data) that moves the position
/// from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fetched {
    tp: Tp,
    from: u64,
    record: Option<RecordId>,
    to: u64,
}

/// Something a GC pause held back, replayed when the pause ends.
#[derive(Clone, Debug)]
enum Held {
    Message(NodeId, Msg),
    Timer(Timer),
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub index: u32,
    pub node: NodeId,
    pub name: String,
    pub group: Rc<str>,
    pub topics: Vec<u32>,
    pub config: ConsumerConfig,
    strategies: Vec<Strategy>,
    pub status: ConsumerStatus,
    /// Bumped at every restart: a new process.
    pub incarnation: u32,
    conns: crate::kafka::client::Connections,
    pub coordinator: Option<BrokerId>,
    /// FindCoordinator in flight: correlation and the broker asked.
    find_in_flight: Option<(u64, BrokerId)>,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub join_state: JoinState,
    pub needs_rejoin: bool,
    pub assignment: Vec<Tp>,
    /// Next offset the application will get, per assigned partition (its position).
    pub positions: BTreeMap<Tp, u64>,
    /// Next offset to fetch (position + records already buffered).
    fetch_positions: BTreeMap<Tp, u64>,
    /// The last committed offsets this consumer heard of.
    pub committed: BTreeMap<Tp, u64>,
    offset_fetch_in_flight: Option<u64>,
    /// ListOffsets in flight: correlation -> (broker asked, partitions).
    list_offsets_in_flight: BTreeMap<u64, (BrokerId, Vec<Tp>)>,
    buffer: VecDeque<Fetched>,
    fetches: BTreeMap<u64, BrokerId>,
    metadata: BTreeMap<Tp, PartitionState>,
    metadata_in_flight: Option<(u64, BrokerId)>,
    app: App,
    pub last_poll: u64,
    auto_commit_deadline: u64,
    commits_in_flight: BTreeMap<u64, Vec<OffsetCommitPartition>>,
    heartbeat_in_flight: Option<u64>,
    heartbeat_armed: bool,
    poll_armed_at: Option<u64>,
    /// A GC pause: nothing of this process runs until then.
    pub frozen_until: Option<u64>,
    held: Vec<Held>,
    /// Slow processing: the application is stuck until then (heartbeats go on).
    pub blocked_until: Option<u64>,
    next_correlation: u64,
    pub processed: u64,
    /// Partition counts of the subscribed topics when this member last joined.
    joined_counts: BTreeMap<u32, u32>,
    /// A consume-transform-produce application's producer (same process, same node).
    pub producer: Option<Box<Producer>>,
    /// Requests for the producer, handed over by the world after each step.
    pipeline_ops: Vec<PipelineOp>,
    /// `groupMetadata()`: member id and generation as of the last completed join.
    pub group_metadata: (Rc<str>, i32),
    /// A commitSync() that failed with a retriable error and will be sent again (with the
    /// records to process after it), until `commit_deadline`.
    commit_retry: Option<VecDeque<(Tp, u64, RecordId)>>,
    commit_deadline: Option<u64>,
    /// The last poll() moved a position past records it never returns (markers, aborted).
    skipped_past: bool,
}

impl Consumer {
    pub fn new(
        index: u32,
        node: NodeId,
        name: String,
        group: Rc<str>,
        topics: Vec<u32>,
        config: ConsumerConfig,
        bootstrap: Vec<BrokerId>,
    ) -> Self {
        let strategies = config.strategies().expect("validated");
        Consumer {
            index,
            node,
            name,
            group,
            topics,
            config,
            strategies,
            status: ConsumerStatus::Running,
            incarnation: 0,
            conns: crate::kafka::client::Connections::new(bootstrap),
            coordinator: None,
            find_in_flight: None,
            member_id: Rc::from(""),
            generation: -1,
            join_state: JoinState::NotMember,
            needs_rejoin: false,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            fetch_positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            offset_fetch_in_flight: None,
            list_offsets_in_flight: BTreeMap::new(),
            buffer: VecDeque::new(),
            producer: None,
            pipeline_ops: Vec::new(),
            group_metadata: (Rc::from(""), -1),
            commit_retry: None,
            commit_deadline: None,
            skipped_past: false,
            fetches: BTreeMap::new(),
            metadata: BTreeMap::new(),
            metadata_in_flight: None,
            app: App::Polling,
            last_poll: 0,
            auto_commit_deadline: 0,
            commits_in_flight: BTreeMap::new(),
            heartbeat_in_flight: None,
            heartbeat_armed: false,
            poll_armed_at: None,
            frozen_until: None,
            held: Vec::new(),
            blocked_until: None,
            next_correlation: 0,
            processed: 0,
            joined_counts: BTreeMap::new(),
        }
    }

    fn next(&mut self) -> u64 {
        self.next_correlation += 1;
        self.next_correlation
    }

    pub fn is_running(&self) -> bool {
        self.status == ConsumerStatus::Running
    }

    /// Whether request `c` still waits for an answer.
    pub fn has_in_flight(&self, c: u64) -> bool {
        self.find_in_flight.is_some_and(|(x, _)| x == c)
            || self.metadata_in_flight.is_some_and(|(x, _)| x == c)
            || self.offset_fetch_in_flight == Some(c)
            || self.list_offsets_in_flight.contains_key(&c)
            || self.fetches.contains_key(&c)
            || self.commits_in_flight.contains_key(&c)
            || self.heartbeat_in_flight == Some(c)
            || matches!(self.join_state, JoinState::Joining(x) | JoinState::Syncing(x) if x == c)
    }

    /// Lag per assigned partition is computed by the session from these.
    pub fn start(&mut self, ctx: &mut Ctx<World>) {
        self.last_poll = ctx.now;
        self.auto_commit_deadline = ctx.now + self.config.auto_commit_interval_ms;
        self.schedule_poll(ctx, 0);
        ctx.set_timer(self.node, self.config.metadata_max_age_ms, Timer::ConsumerMetadataRefresh);
    }

    /// `subscribe()` with a new topic list: the member rejoins with the new subscription.
    pub fn subscribe(&mut self, ctx: &mut Ctx<World>, topics: Vec<u32>) {
        if topics == self.topics {
            return;
        }
        self.topics = topics;
        let gone: Vec<Tp> = self.assignment.iter().copied().filter(|tp| !self.topics.contains(&tp.topic)).collect();
        self.revoke(ctx, gone);
        self.request_rejoin(ctx, "subscription changed");
    }

    fn request_rejoin(&mut self, ctx: &mut Ctx<World>, reason: &'static str) {
        ctx.note(Note::RejoinRequested { consumer: self.index, reason });
        self.needs_rejoin = true;
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    /// Whether a poll timer firing at `now` is the one the consumer waits for (a frozen
    /// consumer holds every timer, so they all count then).
    pub fn poll_due(&self, now: u64) -> bool {
        self.poll_armed_at == Some(now) || self.frozen_until.is_some_and(|t| t > now)
    }

    fn schedule_poll(&mut self, ctx: &mut Ctx<World>, delay: u64) {
        let at = ctx.now + delay;
        if self.poll_armed_at.is_none_or(|t| t > at) {
            self.poll_armed_at = Some(at);
            ctx.set_timer(self.node, delay, Timer::ConsumerPoll);
        }
    }

    fn send_to(&mut self, ctx: &mut Ctx<World>, broker: BrokerId, msg: Msg, correlation: u64) {
        ctx.send(self.node, broker_node(broker), msg);
        ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
    }

    fn any_broker(&mut self, now: u64) -> BrokerId {
        self.conns.pick(now)
    }

    fn usable(&self, broker: BrokerId, now: u64) -> bool {
        self.conns.usable(broker, now)
    }

    // ----- GC pause: hold everything -----------------------------------------------------

    /// While frozen, a message or timer is held back. Returns true if it was.
    pub fn hold_message(&mut self, from: NodeId, msg: &Msg, now: u64) -> bool {
        if self.frozen_until.is_some_and(|t| t > now) {
            self.held.push(Held::Message(from, msg.clone()));
            return true;
        }
        false
    }

    pub fn hold_timer(&mut self, timer: &Timer, now: u64) -> bool {
        if self.frozen_until.is_some_and(|t| t > now) && *timer != Timer::ConsumerResume {
            self.held.push(Held::Timer(timer.clone()));
            return true;
        }
        false
    }

    pub fn pause(&mut self, ctx: &mut Ctx<World>, ms: u64, gc: bool) {
        let until = ctx.now + ms;
        if gc {
            self.frozen_until = Some(until);
            ctx.set_timer(self.node, ms, Timer::ConsumerResume);
        } else {
            self.blocked_until = Some(until);
        }
        ctx.note(Note::ConsumerPaused { consumer: self.index, until, gc });
    }

    /// End a pause now (or when its timer fires): replay what was held, in order.
    pub fn resume(&mut self, ctx: &mut Ctx<World>, env: &Env) -> Vec<(NodeId, Msg)> {
        self.blocked_until = None;
        if self.frozen_until.take().is_none() {
            self.schedule_poll(ctx, 0);
            return Vec::new();
        }
        let held = std::mem::take(&mut self.held);
        let mut messages = Vec::new();
        for h in held {
            match h {
                Held::Message(from, m) => messages.push((from, m)),
                Held::Timer(t) => self.on_timer(ctx, env, t),
            }
        }
        self.schedule_poll(ctx, 0);
        messages
    }

    // ----- lifecycle -----------------------------------------------------------------------

    pub fn crash(&mut self, ctx: &mut Ctx<World>) {
        self.status = ConsumerStatus::Crashed;
        ctx.note(Note::ConsumerCrashed { consumer: self.index });
    }

    /// A new process of the same application: it joins as a new member.
    pub fn restart(&mut self, ctx: &mut Ctx<World>) {
        let keep = (
            self.index,
            self.node,
            self.name.clone(),
            self.group.clone(),
            self.topics.clone(),
            self.config.clone(),
            self.conns.brokers().to_vec(),
        );
        let incarnation = self.incarnation + 1;
        let producer = self.producer.take();
        // Correlation ids keep growing: an answer to the old process that arrives late
        // must not match a request of the new one.
        let next_correlation = self.next_correlation;
        *self = Consumer::new(keep.0, keep.1, keep.2, keep.3, keep.4, keep.5, keep.6);
        self.incarnation = incarnation;
        self.producer = producer;
        self.next_correlation = next_correlation;
        ctx.note(Note::ConsumerRestarted { consumer: self.index });
        self.start(ctx);
    }

    /// `close()`: commit (with auto-commit), leave the group, stop.
    pub fn close(&mut self, ctx: &mut Ctx<World>) {
        if self.config.enable_auto_commit && self.join_state == JoinState::Member {
            self.commit(ctx, false);
        }
        if let (Some(c), false) = (self.coordinator, self.member_id.is_empty()) {
            let correlation = self.next();
            let msg = Msg::LeaveGroup { correlation, group: self.group.clone(), member_id: self.member_id.clone() };
            ctx.send(self.node, broker_node(c), msg);
        }
        self.status = ConsumerStatus::Closed;
        ctx.note(Note::ConsumerClosed { consumer: self.index });
    }

    // ----- timers --------------------------------------------------------------------------

    pub fn on_timer(&mut self, ctx: &mut Ctx<World>, env: &Env, timer: Timer) {
        if !self.is_running() {
            return;
        }
        match timer {
            Timer::ClientStart => self.start(ctx),
            Timer::ConsumerPoll => {
                self.poll_armed_at = None;
                self.poll(ctx, env);
            }
            Timer::ConsumerProcess => self.process_next(ctx, env),
            Timer::ConsumerHeartbeat => self.heartbeat(ctx),
            Timer::ConsumerMetadataRefresh => {
                ctx.set_timer(self.node, self.config.metadata_max_age_ms, Timer::ConsumerMetadataRefresh);
                self.metadata_in_flight = None;
                self.request_metadata(ctx);
            }
            Timer::ClientRequestTimeout(c) => self.on_request_failed(ctx, c),
            _ => {}
        }
    }

    // ----- the application's poll loop -------------------------------------------------------

    fn poll(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        if let Some(until) = self.blocked_until {
            if until > ctx.now {
                self.schedule_poll(ctx, until - ctx.now);
                return;
            }
            self.blocked_until = None;
        }
        if self.app != App::Polling {
            return;
        }
        self.last_poll = ctx.now;
        // ConsumerCoordinator.poll: coordinator, join, auto-commit.
        let Some(coordinator) = self.coordinator else {
            self.find_coordinator(ctx);
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        };
        if !self.usable(coordinator, ctx.now) {
            self.schedule_poll(ctx, self.config.retry_backoff_ms);
            return;
        }
        if self.join_state == JoinState::NotMember || (self.needs_rejoin && self.join_state == JoinState::Member) {
            self.join(ctx, env, coordinator);
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        }
        if self.join_state != JoinState::Member {
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        }
        if let Some(then_process) = self.commit_retry.take() {
            // The application is still inside commitSync(): try again, or give up.
            if self.commit_deadline.is_some_and(|d| ctx.now >= d) {
                self.commit_deadline = None;
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: "TimeoutException",
                    detail: format!(
                        "commitSync() could not commit within default.api.timeout.ms ({} ms)",
                        self.config.default_api_timeout_ms
                    ),
                });
            } else if let Some(correlation) = self.commit(ctx, true) {
                self.app = App::Committing { correlation, then_process };
                return;
            } else {
                self.commit_deadline = None;
            }
            if !then_process.is_empty() {
                self.start_processing(ctx, env, then_process);
                return;
            }
        }
        if self.config.enable_auto_commit && ctx.now >= self.auto_commit_deadline {
            self.auto_commit_deadline = ctx.now + self.config.auto_commit_interval_ms;
            self.commit(ctx, false);
        }
        self.ensure_positions(ctx);
        let mut records = VecDeque::new();
        while records.len() < self.config.max_poll_records as usize {
            let Some(f) = self.buffer.pop_front() else { break };
            if self.positions.get(&f.tp) != Some(&f.from) {
                continue; // stale: revoked or repositioned meanwhile
            }
            self.positions.insert(f.tp, f.to);
            match f.record {
                Some(id) => records.push_back((f.tp, f.from, id)),
                None => self.skipped_past = true,
            }
        }
        self.send_fetches(ctx);
        if records.is_empty() {
            // poll() returned nothing, but the position may have moved past transaction
            // markers and aborted records: the application's loop commits after every
            // poll, so that is committed too (nothing is sent if nothing moved).
            let moved = self.skipped_past && self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o));
            self.skipped_past = false;
            if moved && !self.transactional() {
                match self.config.commit {
                    CommitPolicy::SyncAfterProcessing => return self.commit_sync(ctx, env, VecDeque::new()),
                    CommitPolicy::AsyncAfterProcessing => {
                        self.commit(ctx, false);
                    }
                    CommitPolicy::None | CommitPolicy::SyncBeforeProcessing => {}
                }
            }
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        }
        if self.config.commit == CommitPolicy::SyncBeforeProcessing {
            self.commit_sync(ctx, env, records);
        } else {
            self.start_processing(ctx, env, records);
        }
    }

    fn start_processing(&mut self, ctx: &mut Ctx<World>, env: &Env, records: VecDeque<(Tp, u64, RecordId)>) {
        if self.transactional() {
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::Begin));
        }
        self.app = App::Processing(records);
        if self.config.processing_ms_per_record == 0 {
            self.process_next(ctx, env);
        } else {
            ctx.set_timer(self.node, self.config.processing_ms_per_record, Timer::ConsumerProcess);
        }
    }

    /// One record finished processing (all of them at once without a processing time).
    fn process_next(&mut self, ctx: &mut Ctx<World>, _env: &Env) {
        if let Some(until) = self.blocked_until.filter(|u| *u > ctx.now) {
            ctx.set_timer(self.node, until - ctx.now, Timer::ConsumerProcess);
            return;
        }
        let App::Processing(queue) = &mut self.app else { return };
        while let Some((tp, offset, record)) = queue.pop_front() {
            self.processed += 1;
            ctx.note(Note::RecordProcessed {
                consumer: self.index,
                tp,
                offset,
                record,
                generation: self.generation,
                incarnation: self.incarnation,
            });
            if self.producer.is_some() {
                self.pipeline_ops.push(PipelineOp::Output(record));
            }
            if self.config.processing_ms_per_record > 0 {
                if !queue.is_empty() {
                    ctx.set_timer(self.node, self.config.processing_ms_per_record, Timer::ConsumerProcess);
                    return;
                }
                break;
            }
        }
        self.app = App::Polling;
        if self.transactional() {
            // Exactly-once: the input offsets go into the transaction, which commits them
            // together with the outputs (sendOffsetsToTransaction + commitTransaction).
            let offsets: Vec<OffsetCommitPartition> =
                self.positions.iter().map(|(tp, o)| OffsetCommitPartition { tp: *tp, offset: *o }).collect();
            let (member_id, generation) = self.group_metadata.clone();
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::SendOffsets {
                group: self.group.clone(),
                member_id,
                generation,
                offsets: offsets.clone(),
            }));
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::Commit));
            self.app = App::TxnCommitting { offsets };
            return;
        }
        match self.config.commit {
            CommitPolicy::SyncAfterProcessing => return self.commit_sync(ctx, _env, VecDeque::new()),
            CommitPolicy::AsyncAfterProcessing => {
                self.commit(ctx, false);
            }
            CommitPolicy::None | CommitPolicy::SyncBeforeProcessing => {}
        }
        self.schedule_poll(ctx, 0);
    }

    /// `commitSync()`, then process `then_process` (or poll). With no coordinator known it
    /// finds one first; retriable failures are retried until `default.api.timeout.ms`.
    fn commit_sync(&mut self, ctx: &mut Ctx<World>, env: &Env, then_process: VecDeque<(Tp, u64, RecordId)>) {
        let uncommitted = self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o));
        if self.coordinator.is_none() && self.generation >= 0 && uncommitted {
            self.commit_deadline.get_or_insert(ctx.now + self.config.default_api_timeout_ms);
            self.commit_retry = Some(then_process);
            self.app = App::Polling;
            self.schedule_poll(ctx, 0);
            return;
        }
        match self.commit(ctx, true) {
            Some(correlation) => self.app = App::Committing { correlation, then_process },
            None if then_process.is_empty() => {
                self.app = App::Polling;
                self.schedule_poll(ctx, 0);
            }
            None => self.start_processing(ctx, env, then_process),
        }
    }

    /// Commit the application's positions. Returns the correlation (None: nothing to do).
    fn commit(&mut self, ctx: &mut Ctx<World>, _sync: bool) -> Option<u64> {
        let coordinator = self.coordinator?;
        if self.generation < 0 || self.member_id.is_empty() {
            // Kafka's client refuses before sending: the consumer is not part of an active
            // group (its generation was reset) (ConsumerCoordinator.sendOffsetCommitRequest).
            if self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o)) {
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: "CommitFailedException",
                    detail: "not part of an active group: the commit is not sent".into(),
                });
            }
            return None;
        }
        let offsets: Vec<OffsetCommitPartition> = self
            .positions
            .iter()
            .filter(|(tp, o)| self.committed.get(tp) != Some(o))
            .map(|(tp, o)| OffsetCommitPartition { tp: *tp, offset: *o })
            .collect();
        if offsets.is_empty() {
            return None;
        }
        let correlation = self.next();
        self.commits_in_flight.insert(correlation, offsets.clone());
        let msg = Msg::OffsetCommit(OffsetCommitRequest {
            correlation,
            group: self.group.clone(),
            member_id: self.member_id.clone(),
            generation: self.generation,
            offsets,
        });
        self.send_to(ctx, coordinator, msg, correlation);
        Some(correlation)
    }

    /// New settings from now on (SetConfig); the assignors are read again.
    pub fn set_config(&mut self, config: ConsumerConfig) {
        self.strategies = config.strategies().expect("validated");
        self.config = config;
    }

    // ----- consume-transform-produce ---------------------------------------------------------

    /// A pipeline whose producer has a `transactional.id`.
    pub fn transactional(&self) -> bool {
        self.producer.as_ref().is_some_and(|p| p.txn.is_some())
    }

    pub fn take_pipeline_ops(&mut self) -> Vec<PipelineOp> {
        std::mem::take(&mut self.pipeline_ops)
    }

    /// The producer may have finished a commit or abort: go on. Returns true if there
    /// are new requests for the producer.
    pub fn after_producer(&mut self, ctx: &mut Ctx<World>) -> bool {
        if !self.is_running() {
            return false;
        }
        let Some(outcome) = self.producer.as_mut().and_then(|p| p.take_txn_outcome()) else { return false };
        let App::TxnCommitting { offsets } = std::mem::replace(&mut self.app, App::Polling) else { return false };
        if outcome.committed {
            for o in offsets {
                self.committed.insert(o.tp, o.offset);
            }
        } else if self.producer.as_ref().is_some_and(|p| {
            matches!(p.txn.as_ref().map(|t| t.state), Some(crate::kafka::client::txn_manager::TxnClientState::Fatal(_)))
        }) {
            // Fenced: the application closes (a newer instance owns the transactional.id).
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "ProducerFencedException",
                detail: "the pipeline's producer was fenced: the application stops".into(),
            });
            self.status = ConsumerStatus::Failed;
            return false;
        } else {
            // Aborted: the outputs are gone, so process the batch again from the last
            // committed offsets (the application seeks back).
            for tp in self.assignment.clone() {
                self.positions.remove(&tp);
                self.fetch_positions.remove(&tp);
            }
            self.buffer.clear();
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "TransactionAborted",
                detail: "the transaction was aborted: the consumer rewinds to its committed offsets".into(),
            });
        }
        self.schedule_poll(ctx, 0);
        !self.pipeline_ops.is_empty()
    }

    // ----- group membership ------------------------------------------------------------------

    fn find_coordinator(&mut self, ctx: &mut Ctx<World>) {
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
    fn cooperative(&self) -> bool {
        self.strategies.iter().all(|s| s.is_cooperative())
    }

    fn join(&mut self, ctx: &mut Ctx<World>, _env: &Env, coordinator: BrokerId) {
        let cooperative = self.cooperative();
        // onJoinPrepare: eager protocols give up everything (committing first with auto-commit).
        if !cooperative && !self.assignment.is_empty() {
            if self.config.enable_auto_commit {
                self.commit(ctx, true);
            }
            self.revoke(ctx, self.assignment.clone());
        }
        let correlation = self.next();
        self.join_state = JoinState::Joining(correlation);
        self.needs_rejoin = false;
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
            },
        });
        ctx.send(self.node, broker_node(coordinator), msg);
        // A join may wait for the whole rebalance: allow the rebalance timeout too.
        ctx.set_timer(self.node, self.config.max_poll_interval_ms + 5_000, Timer::ClientRequestTimeout(correlation));
    }

    fn revoke(&mut self, ctx: &mut Ctx<World>, partitions: Vec<Tp>) {
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
    fn reset_generation(&mut self, ctx: &mut Ctx<World>, forget_member: bool) {
        self.generation = -1;
        if forget_member {
            self.member_id = Rc::from("");
        }
        self.join_state = JoinState::NotMember;
        self.needs_rejoin = true;
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    fn heartbeat(&mut self, ctx: &mut Ctx<World>) {
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

    fn arm_heartbeat(&mut self, ctx: &mut Ctx<World>) {
        if !self.heartbeat_armed {
            self.heartbeat_armed = true;
            ctx.set_timer(self.node, self.config.heartbeat_interval_ms, Timer::ConsumerHeartbeat);
        }
    }

    /// The coordinator is gone or moved: find it again.
    fn coordinator_lost(&mut self, ctx: &mut Ctx<World>) {
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
            self.schedule_poll(ctx, self.config.retry_backoff_ms);
        }
    }

    // ----- responses ---------------------------------------------------------------------------

    pub fn on_message(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, msg: Msg) {
        if !self.is_running() {
            return;
        }
        // An answer from a broker: the connection works again.
        if from.0 < env.spec.broker_count {
            self.conns.succeeded(BrokerId(from.0 + 1));
        }
        match msg {
            Msg::FindCoordinatorResponse { correlation, error, coordinator } => {
                if self.find_in_flight.map(|(c, _)| c) != Some(correlation) {
                    return;
                }
                self.find_in_flight = None;
                if error == ErrorCode::None {
                    self.coordinator = coordinator;
                }
                if self.app == App::Polling {
                    self.schedule_poll(ctx, if coordinator.is_some() { 0 } else { self.config.retry_backoff_ms });
                }
            }
            Msg::JoinGroupResponse { correlation, error, generation, protocol, leader, member_id, members } => {
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
            Msg::SyncGroupResponse { correlation, error, assignment } => {
                if self.join_state != JoinState::Syncing(correlation) {
                    return;
                }
                match error {
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
            Msg::HeartbeatResponse { correlation, error } => {
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
            Msg::OffsetCommitResponse { correlation, error, offsets } => {
                if self.commits_in_flight.remove(&correlation).is_none() {
                    return;
                }
                match error {
                    ErrorCode::None => {
                        self.commit_deadline = None;
                        for o in offsets {
                            self.committed.insert(o.tp, o.offset);
                        }
                    }
                    ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::RebalanceInProgress => {
                        // CommitFailedException / RebalanceInProgressException to the application.
                        ctx.note(Note::ConsumerError {
                            consumer: self.index,
                            error: if error == ErrorCode::RebalanceInProgress {
                                "RebalanceInProgressException"
                            } else {
                                "CommitFailedException"
                            },
                            detail: format!("commit rejected with {}: the group has rebalanced", error.name()),
                        });
                        if error != ErrorCode::RebalanceInProgress {
                            self.reset_generation(ctx, error == ErrorCode::UnknownMemberId);
                        } else {
                            self.needs_rejoin = true;
                        }
                    }
                    _ => self.coordinator_lost(ctx),
                }
                if let App::Committing { correlation: c, then_process } = &self.app {
                    if *c == correlation {
                        let records = then_process.clone();
                        self.app = App::Polling;
                        if records.is_empty() {
                            self.schedule_poll(ctx, 0);
                        } else {
                            self.start_processing(ctx, env, records);
                        }
                    }
                }
            }
            Msg::OffsetFetchResponse { correlation, error, offsets } => {
                if self.offset_fetch_in_flight != Some(correlation) {
                    return;
                }
                self.offset_fetch_in_flight = None;
                if error == ErrorCode::UnstableOffsetCommit {
                    // A transaction holds offsets for these partitions: ask again after
                    // retry.backoff.ms, until it commits or aborts.
                    if self.app == App::Polling {
                        self.schedule_poll(ctx, self.config.retry_backoff_ms);
                    }
                    return;
                }
                if error != ErrorCode::None {
                    self.coordinator_lost(ctx);
                    return;
                }
                let mut reset = Vec::new();
                for (tp, committed) in offsets {
                    if !self.assignment.contains(&tp) || self.positions.contains_key(&tp) {
                        continue;
                    }
                    match committed {
                        Some(o) => {
                            self.committed.insert(tp, o);
                            self.set_position(ctx, tp, o, "committed");
                        }
                        None => reset.push(tp),
                    }
                }
                self.reset_positions(ctx, reset);
                if self.app == App::Polling {
                    self.schedule_poll(ctx, 0);
                }
            }
            Msg::ListOffsetsResponse { correlation, offsets } => {
                if self.list_offsets_in_flight.remove(&correlation).is_none() {
                    return;
                }
                let from =
                    if self.config.auto_offset_reset == AutoOffsetReset::Earliest { "earliest" } else { "latest" };
                let mut failed = false;
                for (tp, error, offset) in offsets {
                    if error == ErrorCode::None && self.assignment.contains(&tp) && !self.positions.contains_key(&tp) {
                        self.set_position(ctx, tp, offset, from);
                    }
                    failed |= error != ErrorCode::None;
                }
                if failed {
                    // The leader moved (NOT_LEADER_OR_FOLLOWER): new metadata, and ask again
                    // after retry.backoff.ms (Kafka's OffsetFetcher does the same).
                    self.metadata_in_flight = None;
                    self.request_metadata(ctx);
                }
                if self.app == App::Polling {
                    self.schedule_poll(ctx, if failed { self.config.retry_backoff_ms } else { 0 });
                }
            }
            Msg::MetadataResponse { correlation, partitions, .. } => {
                if self.metadata_in_flight.map(|(c, _)| c) != Some(correlation) {
                    return;
                }
                self.metadata_in_flight = None;
                for st in partitions {
                    if self.metadata.get(&st.tp).is_none_or(|o| st.leader_epoch >= o.leader_epoch) {
                        self.metadata.insert(st.tp, st);
                    }
                }
                // A subscribed topic with a new partition count needs a new assignment.
                if self.join_state == JoinState::Member {
                    let counts = self.counts();
                    if self.joined_counts.is_empty() {
                        // First metadata since joining: that is the snapshot to compare with.
                        self.joined_counts = counts;
                    } else if counts != self.joined_counts {
                        self.request_rejoin(ctx, "the partition count of a subscribed topic changed");
                    }
                }
                self.send_fetches(ctx);
            }
            Msg::FetchResponse { correlation, partitions } => self.on_fetch_response(ctx, correlation, partitions),
            _ => {}
        }
    }

    /// Partition counts of the subscribed topics, as the metadata says.
    fn counts(&self) -> BTreeMap<u32, u32> {
        let mut counts = BTreeMap::new();
        for tp in self.metadata.keys().filter(|tp| self.topics.contains(&tp.topic)) {
            *counts.entry(tp.topic).or_insert(0) += 1;
        }
        counts
    }

    /// The leader's assignor, run on this member (the group leader).
    fn assign(
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
            .map(|m| MemberSubscription {
                member_id: m.member_id.to_string(),
                group_instance_id: m.group_instance_id.as_deref().map(String::from),
                topics: m.topics.iter().map(|t| topic_name(*t)).collect(),
                owned: m.owned.iter().map(|tp| (topic_name(tp.topic), tp.partition)).collect(),
                generation: (m.generation >= 0).then_some(m.generation),
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

    fn on_assignment(&mut self, ctx: &mut Ctx<World>, assignment: Vec<Tp>) {
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
        // onJoinComplete restarts the auto-commit timer.
        self.auto_commit_deadline = ctx.now + self.config.auto_commit_interval_ms;
        ctx.note(Note::ConsumerAssigned { consumer: self.index, generation: self.generation, partitions: assignment });
        self.arm_heartbeat(ctx);
        self.ensure_positions(ctx);
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    fn ensure_positions(&mut self, ctx: &mut Ctx<World>) {
        let missing: Vec<Tp> = self.assignment.iter().copied().filter(|tp| !self.positions.contains_key(tp)).collect();
        if missing.is_empty() || self.offset_fetch_in_flight.is_some() || !self.list_offsets_in_flight.is_empty() {
            return;
        }
        let Some(c) = self.coordinator else { return };
        let correlation = self.next();
        self.offset_fetch_in_flight = Some(correlation);
        self.send_to(
            ctx,
            c,
            Msg::OffsetFetch { correlation, group: self.group.clone(), partitions: missing },
            correlation,
        );
    }

    fn set_position(&mut self, ctx: &mut Ctx<World>, tp: Tp, offset: u64, from: &'static str) {
        self.positions.insert(tp, offset);
        self.fetch_positions.insert(tp, offset);
        ctx.note(Note::ConsumerPosition { consumer: self.index, tp, offset, from });
    }

    /// No committed offset: apply `auto.offset.reset`.
    fn reset_positions(&mut self, ctx: &mut Ctx<World>, tps: Vec<Tp>) {
        if tps.is_empty() {
            return;
        }
        if self.config.auto_offset_reset == AutoOffsetReset::None {
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "NoOffsetForPartitionException",
                detail: "no committed offset and auto.offset.reset=none: the application stops".into(),
            });
            self.status = ConsumerStatus::Failed;
            return;
        }
        let latest = self.config.auto_offset_reset == AutoOffsetReset::Latest;
        let mut per_leader: BTreeMap<BrokerId, Vec<Tp>> = BTreeMap::new();
        for tp in tps {
            match self.metadata.get(&tp).and_then(|s| s.leader) {
                Some(l) => per_leader.entry(l).or_default().push(tp),
                None => self.request_metadata(ctx),
            }
        }
        for (leader, partitions) in per_leader {
            let correlation = self.next();
            self.list_offsets_in_flight.insert(correlation, (leader, partitions.clone()));
            self.send_to(
                ctx,
                leader,
                Msg::ListOffsets { correlation, partitions, latest, isolation: self.config.isolation_level },
                correlation,
            );
        }
    }

    fn request_metadata(&mut self, ctx: &mut Ctx<World>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        let broker = self.any_broker(ctx.now);
        let correlation = self.next();
        self.metadata_in_flight = Some((correlation, broker));
        self.send_to(ctx, broker, Msg::Metadata { correlation }, correlation);
    }

    /// One long-polling fetch per leader for the assigned partitions it leads.
    fn send_fetches(&mut self, ctx: &mut Ctx<World>) {
        if self.join_state != JoinState::Member {
            return;
        }
        let now = ctx.now;
        let positions = self.assignment.iter().filter_map(|tp| self.fetch_positions.get(tp).map(|p| (*tp, *p)));
        let busy = |leader: BrokerId| self.fetches.values().any(|b| *b == leader) || !self.usable(leader, now);
        let (per_leader, missing_leader) = fetches_by_leader(positions, &self.metadata, busy);
        let settings = FetchSettings {
            max_wait_ms: self.config.fetch_max_wait_ms,
            isolation: self.config.isolation_level,
            request_timeout_ms: self.config.request_timeout_ms,
        };
        send_fetches(ctx, self.node, per_leader, &mut self.fetches, &mut self.next_correlation, &settings);
        if missing_leader {
            self.request_metadata(ctx);
        }
    }

    fn on_fetch_response(&mut self, ctx: &mut Ctx<World>, correlation: u64, partitions: Vec<FetchPartitionResponse>) {
        if self.fetches.remove(&correlation).is_none() {
            return;
        }
        let mut errors = false;
        let mut got = false;
        for p in partitions {
            if p.error == ErrorCode::OffsetOutOfRange {
                // The position is beyond the log (after a truncation): reset it.
                self.positions.remove(&p.tp);
                self.fetch_positions.remove(&p.tp);
                self.reset_positions(ctx, vec![p.tp]);
                continue;
            }
            if p.error != ErrorCode::None {
                errors = true;
                continue;
            }
            if self.fetch_positions.get(&p.tp) != Some(&p.fetch_offset) {
                continue;
            }
            let mut cursor = p.fetch_offset;
            for (offset, r) in crate::kafka::client::visible_records(&p, self.config.isolation_level) {
                if offset > cursor {
                    self.buffer.push_back(Fetched { tp: p.tp, from: cursor, record: None, to: offset });
                }
                self.buffer.push_back(Fetched { tp: p.tp, from: offset, record: Some(r.id), to: offset + 1 });
                cursor = offset + 1;
            }
            let end = p.fetch_offset + p.records.len() as u64;
            if end > cursor {
                self.buffer.push_back(Fetched { tp: p.tp, from: cursor, record: None, to: end });
            }
            got |= !p.records.is_empty();
            self.fetch_positions.insert(p.tp, p.fetch_offset + p.records.len() as u64);
        }
        if errors {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
        } else if !got {
            self.send_fetches(ctx);
        }
        if got && self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    fn on_request_failed(&mut self, ctx: &mut Ctx<World>, c: u64) {
        if self.find_in_flight.is_some_and(|(x, _)| x == c) {
            self.find_in_flight = None;
        } else if self.metadata_in_flight.is_some_and(|(x, _)| x == c) {
            self.metadata_in_flight = None;
        } else if self.fetches.remove(&c).is_some() {
            self.request_metadata(ctx);
        } else if self.heartbeat_in_flight == Some(c)
            || self.offset_fetch_in_flight == Some(c)
            || self.commits_in_flight.contains_key(&c)
        {
            self.heartbeat_in_flight = None;
            self.offset_fetch_in_flight = None;
            self.commits_in_flight.remove(&c);
            if let App::Committing { correlation, .. } = &self.app {
                if *correlation == c {
                    self.app = App::Polling;
                }
            }
            self.coordinator_lost(ctx);
        } else if matches!(self.join_state, JoinState::Joining(x) | JoinState::Syncing(x) if x == c) {
            self.coordinator_lost(ctx);
            self.join_state = JoinState::NotMember;
        } else {
            self.list_offsets_in_flight.remove(&c);
        }
        if self.app == App::Polling {
            self.schedule_poll(ctx, self.config.retry_backoff_ms);
        }
    }

    /// The connection to a broker closed (its process crashed) or was refused: every
    /// request in flight to it fails now (fetches, metadata, coordinator lookups, offset
    /// lookups; and if it is the coordinator, heartbeats, joins, commits and offset fetches).
    pub fn on_connection_closed(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        self.conns.failed(broker, ctx.now);
        let dead: Vec<u64> = self.fetches.iter().filter(|(_, b)| **b == broker).map(|(c, _)| *c).collect();
        for c in dead {
            self.fetches.remove(&c);
        }
        if self.find_in_flight.is_some_and(|(_, b)| b == broker) {
            self.find_in_flight = None;
            if self.app == App::Polling {
                self.schedule_poll(ctx, self.config.retry_backoff_ms);
            }
        }
        if self.metadata_in_flight.is_some_and(|(_, b)| b == broker) {
            self.metadata_in_flight = None;
        }
        let lost: Vec<Tp> = self
            .list_offsets_in_flight
            .values()
            .filter(|(b, _)| *b == broker)
            .flat_map(|(_, tps)| tps.clone())
            .collect();
        self.list_offsets_in_flight.retain(|_, (b, _)| *b != broker);
        if self.coordinator == Some(broker) {
            self.coordinator_lost(ctx);
        }
        if !lost.is_empty() && self.app == App::Polling {
            // Their positions are still unknown: the next poll asks again.
            self.schedule_poll(ctx, self.config.retry_backoff_ms);
        }
        self.request_metadata(ctx);
    }

    /// The records behind the position, per assigned partition.
    pub fn lag(&self, high_watermark: impl Fn(Tp) -> u64) -> Vec<(Tp, u64)> {
        self.assignment
            .iter()
            .map(|tp| (*tp, high_watermark(*tp).saturating_sub(self.committed.get(tp).copied().unwrap_or(0))))
            .collect()
    }
}
