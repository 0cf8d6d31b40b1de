//! A consumer in a group (Kafka's `KafkaConsumer` with the classic `ConsumerCoordinator`)
//! and the application around it: a poll loop that processes each record for
//! `sim.processing.ms.per.record` and commits by `enable.auto.commit` and/or `sim.commit`.
//!
//! What runs where, as in Kafka: `poll()` finds the coordinator, (re)joins the group,
//! auto-commits, and returns fetched records; a heartbeat thread sends heartbeats every
//! `heartbeat.interval.ms` and, if the application has not called `poll()` within
//! `max.poll.interval.ms`, leaves the group. A GC pause freezes both; slow processing
//! blocks only the application.
//!
//! One file per concern: the poll loop and processing (`app.rs`), commits (`commit.rs`),
//! positions and fetches (`fetching.rs`), the group protocol (`membership.rs`), and the
//! process itself: pauses, crash, restart, close (`lifecycle.rs`).
mod app;
mod commit;
mod fetching;
mod lifecycle;
mod membership;

use crate::kafka::message::MetadataCache;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use crate::kafka::assignor::Strategy;
use crate::kafka::client::producer::Producer;
use crate::kafka::client::retry_delay;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::ConsumerConfig;
use crate::kafka::message::{Msg, OffsetCommitPartition};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, RecordId, Tp};
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
    metadata: MetadataCache,
    metadata_in_flight: Option<(u64, BrokerId)>,
    metadata_backoff: crate::kafka::client::MetadataBackoff,
    /// A refresh was asked for during that backoff: the next poll timer sends it.
    metadata_wanted: bool,
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
    /// The eager `StickyAssignor`'s memory (`memberAssignment` and `generation`, set in
    /// `onAssignment`): it survives an eager rejoin's revoke-everything and travels in the
    /// subscription's user data, which is what keeps `sticky` sticky in a running group.
    sticky_previous: Option<(Vec<Tp>, i32)>,
    /// A commitSync() that failed with a retriable error and will be sent again (with the
    /// records to process after it), until `commit_deadline`.
    commit_retry: Option<VecDeque<(Tp, u64, RecordId)>>,
    commit_deadline: Option<u64>,
    /// The last poll() moved a position past records it never returns (markers, aborted).
    skipped_past: bool,
    /// A SyncGroup answer that came while the application was processing: Kafka applies an
    /// assignment (`onJoinComplete`) inside the next `poll()`, never in the middle of a batch.
    pending_assignment: Option<Vec<Tp>>,
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
            sticky_previous: None,
            commit_retry: None,
            commit_deadline: None,
            skipped_past: false,
            pending_assignment: None,
            fetches: BTreeMap::new(),
            metadata: MetadataCache::default(),
            metadata_in_flight: None,
            metadata_backoff: Default::default(),
            metadata_wanted: false,
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
        ctx.set_timer(
            self.node,
            crate::kafka::client::request_timeout_delay(self.config.request_timeout_ms),
            Timer::ClientRequestTimeout(correlation),
        );
    }

    fn any_broker(&mut self, now: u64) -> BrokerId {
        self.conns.pick(now)
    }

    fn usable(&self, broker: BrokerId, now: u64) -> bool {
        self.conns.usable(broker, now)
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
                if self.metadata_wanted {
                    self.request_metadata(ctx);
                }
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

    // ----- responses and failed requests --------------------------------------------------------

    /// Each answer goes to the part of the consumer that asked: the group protocol
    /// (`membership.rs`), commits (`commit.rs`), positions and fetches (`fetching.rs`).
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
                self.on_find_coordinator_response(ctx, correlation, error, coordinator)
            }
            Msg::JoinGroupResponse { .. } => self.on_join_group_response(ctx, env, msg),
            Msg::SyncGroupResponse { correlation, error, assignment } => {
                self.on_sync_group_response(ctx, correlation, error, assignment)
            }
            Msg::HeartbeatResponse { correlation, error } => self.on_heartbeat_response(ctx, correlation, error),
            Msg::OffsetCommitResponse { correlation, error, offsets } => {
                self.on_offset_commit_response(ctx, env, correlation, error, offsets)
            }
            Msg::OffsetFetchResponse { correlation, error, offsets } => {
                self.on_offset_fetch_response(ctx, correlation, error, offsets)
            }
            Msg::ListOffsetsResponse { correlation, offsets } => {
                self.on_list_offsets_response(ctx, correlation, offsets)
            }
            Msg::MetadataResponse { correlation, partitions, .. } => {
                self.on_metadata_response(ctx, correlation, partitions)
            }
            Msg::FetchResponse { correlation, partitions, .. } => self.on_fetch_response(ctx, correlation, partitions),
            _ => {}
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
            self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
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
                self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
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
            self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
        }
        self.request_metadata(ctx);
    }
}
