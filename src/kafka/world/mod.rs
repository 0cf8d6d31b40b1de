//! The Kafka model as a kernel [`Model`]: brokers, the controller, producers and readers,
//! how network nodes map to them, their timers, and the actions a scenario or a user can take.
//!
//! The run's shape is in `spec.rs`, the actions in `actions.rs`; `dispatch.rs` routes
//! messages and timers, and `clients.rs` holds what the world does for and across clients.
mod actions;
mod clients;
mod dispatch;
mod spec;

pub use actions::KafkaAction;
pub use spec::{place_replicas, ConsumerSpec, ProducerSpec, ReaderSpec, Spec, TopicSpec, TransformSpec};

use crate::kafka::message::FetchRequest;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::kafka::broker::controller::{Controller, QUORUM_TICK_MS};
use crate::kafka::broker::{Broker, BrokerStatus, Replica};
use crate::kafka::client::consumer::Consumer;
use crate::kafka::client::producer::Producer;
use crate::kafka::client::reader::Reader;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::BrokerConfig;
use crate::kafka::message::{Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, RecordId, Tp};
use crate::kernel::{ChunkedVec, Ctx, Model, NodeId};

/// How long a starting broker waits for a registration answer before it asks again.
pub const REGISTRATION_RETRY_MS: u64 = 3_000;

/// Broker `b` is network node `b - 1`; clients come after the brokers.
pub fn broker_node(b: BrokerId) -> NodeId {
    NodeId(b.0 - 1)
}

/// What handlers need besides their own state.
pub struct Env<'a> {
    pub spec: &'a Spec,
    pub broker: &'a BrokerConfig,
    pub controller: Option<BrokerId>,
    /// The applications' own database (not Kafka's): what `sim.dedup` keeps.
    pub app_db: &'a RefCell<AppDb>,
}

/// State the simulated applications keep outside Kafka, which survives their crashes.
#[derive(Clone, Debug, Default)]
pub struct AppDb {
    /// Per consumer group: the ids of the records its application processed
    /// (`sim.dedup: processed-ids`), one table shared by every member.
    pub processed_ids: BTreeMap<Rc<str>, BTreeSet<RecordId>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    Register,
    Heartbeat,
    IsrExpiration,
    HwCheckpoint,
    Writeback,
    QuorumTick,
    FetchExpire(u64),
    ProduceExpire(u64),
    FetcherRetry(BrokerId),
    TxnMarkerRetry,
    TxnTimeoutCheck,
    FetcherTimeout(BrokerId, u64),
    AlterPartitionTimeout(Tp, u32),
    ClientStart,
    ClientRequestTimeout(u64),
    GroupTick,
    ConsumerPoll,
    ConsumerProcess,
    ConsumerHeartbeat,
    ConsumerResume,
    ConsumerMetadataRefresh,
    ProducerRetry,
    ProducerLinger,
    ReaderPoll,
    /// The active controller re-sends a broker its metadata after the backoff.
    ControllerResync(BrokerId),
    /// The log retention check armed for this tick (ms).
    RetentionCheck(u64),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordInfo {
    /// Client index of the producer (see `Spec::producer_name`).
    pub producer: u32,
    pub key: Option<Rc<str>>,
    /// For a pipeline's output: the input record it was made from.
    pub source: Option<RecordId>,
}

#[derive(Clone)]
pub struct World {
    pub spec: Rc<Spec>,
    pub brokers: Vec<Broker>,
    pub controller: Controller,
    pub producers: Vec<Producer>,
    pub readers: Vec<Reader>,
    pub consumers: Vec<Consumer>,
    /// Every record ever produced, by id.
    pub records: ChunkedVec<RecordInfo>,
    pub app_db: RefCell<AppDb>,
}

impl World {
    pub fn new(spec: Spec) -> World {
        let (replicas, states) = initial_partitions(&spec);
        let broker_ids: Vec<BrokerId> = spec.brokers().collect();
        let mut brokers: Vec<Broker> =
            replicas.into_iter().enumerate().map(|(i, r)| Broker::new(BrokerId(i as u32 + 1), r)).collect();
        for (i, b) in brokers.iter_mut().enumerate() {
            b.on_registered(i as u64 + 1);
        }
        let controller = Controller::bootstrap(spec.voters.clone(), &broker_ids, states);
        let producers = clients::new_producers(&spec, &broker_ids);
        let readers = clients::new_readers(&spec, &broker_ids);
        let consumers = clients::new_consumers(&spec, &broker_ids);
        World {
            spec: Rc::new(spec),
            brokers,
            controller,
            producers,
            readers,
            consumers,
            records: ChunkedVec::new(),
            app_db: RefCell::default(),
        }
    }

    pub fn broker(&self, b: BrokerId) -> &Broker {
        &self.brokers[(b.0 - 1) as usize]
    }

    /// The log of a partition's current leader (as the controller knows it), if it has one.
    pub fn leader_log(&self, tp: Tp) -> Option<&crate::kafka::broker::log::PartitionLog> {
        let leader = self.controller.partitions.get(&tp)?.leader?;
        self.broker(leader).replicas.get(&tp).map(|r| &r.log)
    }

    fn env_parts(&self) -> (Rc<Spec>, Option<BrokerId>) {
        (self.spec.clone(), self.controller.active)
    }

    fn start_broker_tasks(&mut self, ctx: &mut Ctx<World>, b: BrokerId) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
        self.brokers[(b.0 - 1) as usize].start(ctx, &env);
        if spec.voters.contains(&b) {
            ctx.set_timer(broker_node(b), QUORUM_TICK_MS, Timer::QuorumTick);
        }
    }

    fn broker_index(&self, node: NodeId) -> Option<usize> {
        (node.0 < self.spec.broker_count).then_some(node.0 as usize)
    }

    fn client(&self, node: NodeId) -> Client {
        let n = node.0 - self.spec.broker_count;
        let producers = self.producers.len() as u32;
        let readers = self.readers.len() as u32;
        if n < producers {
            Client::Producer(n as usize)
        } else if n < producers + readers {
            Client::Reader((n - producers) as usize)
        } else {
            Client::Consumer((n - producers - readers) as usize)
        }
    }
}

enum Client {
    Producer(usize),
    Reader(usize),
    Consumer(usize),
}

/// Every partition as the cluster starts: its replicas on each broker, and its state
/// (led by its first replica, all replicas in the ISR, epochs 0).
fn initial_partitions(spec: &Spec) -> (Vec<crate::kafka::broker::Replicas>, BTreeMap<Tp, PartitionState>) {
    let mut replicas: Vec<crate::kafka::broker::Replicas> = vec![BTreeMap::new(); spec.broker_count as usize];
    let mut states = BTreeMap::new();
    for (t, topic) in spec.topics.iter().enumerate() {
        for (p, assignment) in topic.assignment.iter().enumerate() {
            let tp = Tp { topic: t as u32, partition: p as u32 };
            let state = PartitionState {
                tp,
                leader: assignment.first().copied(),
                leader_epoch: 0,
                partition_epoch: 0,
                replicas: assignment.clone(),
                isr: assignment.clone(),
            };
            for b in assignment {
                let mut r = Replica::new(&state);
                r.log.set_config(spec.log_config(tp.topic));
                replicas[(b.0 - 1) as usize].insert(tp, Box::new(r));
            }
            states.insert(tp, state);
        }
    }
    (replicas, states)
}

impl Model for World {
    type Msg = Msg;
    type Timer = Timer;
    type Action = KafkaAction;
    type Note = Note;
    type InvariantMemory = super::invariants::Memory;

    fn check_invariants(&self, memory: &mut Self::InvariantMemory) -> Result<(), crate::kernel::InvariantViolation> {
        super::invariants::check(self, memory)
    }

    /// The record table is kept for the checker and the views, except that a pipeline
    /// (consume-transform-produce) looks up its input's key in it when it writes the output:
    /// with a pipeline nothing is dropped, since a member may still process a buffered
    /// input after the checker's rule let it go.
    fn forget_before(&mut self, index: u64) {
        if self.spec.consumers.iter().all(|c| c.transform.is_none()) {
            self.records.drop_before(usize::try_from(index).unwrap_or(usize::MAX));
        }
    }

    fn invariants_affordable_every_step(&self) -> bool {
        super::invariants::affordable_every_step(self)
    }

    fn node_count(&self) -> u32 {
        self.spec.broker_count + self.producers.len() as u32 + self.readers.len() as u32 + self.consumers.len() as u32
    }

    fn start(&mut self, ctx: &mut Ctx<Self>) {
        let ids: Vec<BrokerId> = self.spec.brokers().collect();
        for b in &ids {
            self.start_broker_tasks(ctx, *b);
            // Already registered at bootstrap: heartbeat from the first interval on.
            ctx.set_timer(broker_node(*b), self.spec.broker.broker_heartbeat_interval_ms, Timer::Heartbeat);
        }
        if let Some(c) = self.controller.active {
            let all: Vec<PartitionState> = self.controller.partitions.values().cloned().collect();
            for b in &ids {
                ctx.send(
                    broker_node(c),
                    broker_node(*b),
                    Msg::LeaderAndIsr {
                        controller_epoch: self.controller.epoch,
                        partitions: all.clone(),
                        fenced: Vec::new(),
                        offset: crate::kafka::message::MetadataOffset {
                            previous: None,
                            offset: self.controller.metadata_offset,
                        },
                    },
                );
            }
        }
        for (i, r) in self.spec.readers.iter().enumerate() {
            ctx.set_timer(self.spec.reader_node(i as u32), r.start_ms, Timer::ClientStart);
        }
        for (i, c) in self.spec.consumers.iter().enumerate() {
            ctx.set_timer(self.spec.consumer_node(i as u32), c.start_ms, Timer::ClientStart);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Self>, from: NodeId, to: NodeId, msg: Msg) {
        match self.broker_index(to) {
            Some(i) => self.on_broker_message(ctx, from, i, msg),
            None => self.on_client_message(ctx, from, to, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Self>, node: NodeId, timer: Timer) {
        match self.broker_index(node) {
            Some(i) => self.on_broker_timer(ctx, i, timer),
            None => self.on_client_timer(ctx, node, timer),
        }
    }

    fn on_undeliverable(&mut self, ctx: &mut Ctx<Self>, from: NodeId, to: NodeId, msg: Msg) {
        // Only a crashed process refuses connections; a powered-off host is just silent.
        let Some(j) = self.broker_index(to) else { return };
        if self.brokers[j].status != BrokerStatus::Crashed {
            return;
        }
        let target = BrokerId(j as u32 + 1);
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
        match (self.broker_index(from), msg) {
            (Some(i), Msg::Fetch(FetchRequest { .. })) => self.brokers[i].on_fetch_refused(ctx, &env, target),
            (Some(_), _) => {}
            (None, _) => match self.client(from) {
                Client::Producer(p) => self.producers[p].on_connection_refused(ctx, target),
                Client::Reader(r) => self.readers[r].on_connection_refused(ctx, target),
                Client::Consumer(c) => {
                    self.consumers[c].on_connection_closed(ctx, target);
                    self.run_pipeline(ctx, c);
                }
            },
        }
    }

    fn on_connection_lost(&mut self, ctx: &mut Ctx<Self>, a: NodeId, b: NodeId) {
        let (spec, controller) = self.env_parts();
        // Lent out while brokers handle the loss (they never read it), so `self` stays free.
        let app_db = std::mem::take(&mut self.app_db);
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &app_db };
        // A node's connection to itself is one connection, not two.
        let pairs = if a == b { &[(a, b)][..] } else { &[(a, b), (b, a)][..] };
        for &(x, y) in pairs {
            let (Some(i), peer) = (self.broker_index(x), y) else { continue };
            let broker = BrokerId(i as u32 + 1);
            match self.broker_index(peer) {
                Some(j) => {
                    // Between brokers: the follower's fetch fails (it backs off and retries);
                    // the active controller re-sends the metadata the other may have missed
                    // (KRaft brokers would re-fetch the metadata log), once it has reconnected,
                    // after the reconnect backoff: at once, a lost resend (a network that drops
                    // everything, even the controller's message to its own broker) would be
                    // resent at the same instant forever.
                    let other = BrokerId(j as u32 + 1);
                    self.brokers[j].on_fetch_refused(ctx, &env, broker);
                    self.brokers[j].on_txn_marker_connection_lost(ctx, broker);
                    if self.controller.active == Some(broker) && self.controller.is_active(ctx, broker) {
                        self.controller.resync_after_backoff(ctx, broker, other);
                    }
                }
                None => match self.client(peer) {
                    Client::Producer(p) => self.producers[p].on_connection_closed(ctx, broker),
                    Client::Reader(r) => self.readers[r].on_connection_closed(ctx, broker),
                    Client::Consumer(c) => {
                        if self.consumers[c].is_running() {
                            self.consumers[c].on_connection_closed(ctx, broker);
                            self.run_pipeline(ctx, c);
                        }
                    }
                },
            }
        }
        self.app_db = app_db;
    }

    fn on_action(&mut self, ctx: &mut Ctx<Self>, action: &KafkaAction) {
        match action {
            KafkaAction::Produce { producer, topic, key, count, partition } => {
                if self.producers[*producer as usize].running {
                    self.produce(ctx, *producer, *topic, key.clone(), *count, *partition)
                }
            }
            KafkaAction::BeginTransaction(p) => self.transaction_call(ctx, *p, TxnOp::Begin),
            KafkaAction::CommitTransaction(p) => self.transaction_call(ctx, *p, TxnOp::Commit),
            KafkaAction::AbortTransaction(p) => self.transaction_call(ctx, *p, TxnOp::Abort),
            KafkaAction::ProducerCrash(p) => self.crash_producer(ctx, *p),
            KafkaAction::SetConfig { target, key, value } => self.set_config(ctx, target, key, value),
            KafkaAction::ProducerRestart(p) => self.restart_producer(ctx, *p),
            KafkaAction::Crash(b) => self.crash_broker(ctx, *b, false),
            KafkaAction::PowerLoss(b) => self.crash_broker(ctx, *b, true),
            KafkaAction::Restart(b) => self.restart_broker(ctx, *b),
            KafkaAction::SetAcks { producer, acks } => self.producers[*producer as usize].set_acks(*acks),
            KafkaAction::Narrate(i) => ctx.note(Note::Narration { index: *i }),
            KafkaAction::ConsumerCrash(c) => self.crash_consumer(ctx, *c),
            KafkaAction::ConsumerRestart(c) => self.restart_consumer(ctx, *c),
            KafkaAction::ConsumerPause { consumer, ms, gc } => {
                let c = &mut self.consumers[*consumer as usize];
                if c.is_running() {
                    c.pause(ctx, *ms, *gc);
                }
            }
            KafkaAction::ConsumerResume(c) => {
                if self.consumers[*c as usize].is_running() {
                    self.resume_consumer(ctx, *c as usize);
                }
            }
            KafkaAction::ConsumerClose(c) => {
                let consumer = &mut self.consumers[*c as usize];
                if consumer.is_running() {
                    consumer.close(ctx);
                }
            }
            KafkaAction::AddPartitions { topic, partitions } => self.add_partitions(ctx, *topic, *partitions),
            KafkaAction::ConsumerSubscribe { consumer, topics } => {
                let c = &mut self.consumers[*consumer as usize];
                if c.is_running() {
                    c.subscribe(ctx, topics.clone());
                }
            }
        }
    }

    fn timer_is_live(&self, node: NodeId, timer: &Timer, now: u64) -> bool {
        match (self.broker_index(node), timer) {
            (Some(i), Timer::ProduceExpire(id)) => self.brokers[i].has_delayed_produce(*id),
            (Some(i), Timer::FetchExpire(id)) => self.brokers[i].has_parked_fetch(*id),
            (Some(i), Timer::FetcherTimeout(leader, c)) => self.brokers[i].fetch_in_flight(*leader, *c),
            (Some(i), Timer::AlterPartitionTimeout(tp, epoch)) => self.brokers[i].alter_partition_pending(*tp, *epoch),
            (None, Timer::ClientRequestTimeout(c)) => match self.client(node) {
                Client::Producer(p) => self.producers[p].has_in_flight(*c),
                Client::Reader(r) => self.readers[r].has_in_flight(*c),
                Client::Consumer(x) => {
                    self.consumers[x].has_in_flight(*c)
                        || self.consumers[x].producer.as_ref().is_some_and(|p| p.has_in_flight(*c))
                }
            },
            (Some(i), Timer::GroupTick) => self.brokers[i].group_tick_live(now),
            (Some(i), Timer::TxnMarkerRetry) => self.brokers[i].txn_coordinator.retry_live(now),
            (Some(i), Timer::TxnTimeoutCheck) => self.brokers[i].txn_coordinator.timeout_check_live(now),
            // Only the earliest pending poll() counts; later ones were superseded.
            (None, Timer::ConsumerPoll) => match self.client(node) {
                Client::Consumer(x) => self.consumers[x].poll_due(now),
                _ => true,
            },
            _ => true,
        }
    }

    fn timer_never_fires(&self, node: NodeId, timer: &Timer) -> bool {
        // Final only where the key is never reused: delayed-operation ids and request
        // correlation ids grow within a process (a restart is a new incarnation, whose old
        // timers the kernel drops anyway). Time-dependent timers stay.
        match timer {
            Timer::ProduceExpire(_) | Timer::FetchExpire(_) | Timer::FetcherTimeout(_, _) => {
                !self.timer_is_live(node, timer, 0)
            }
            // Not a consumer's: it numbers its requests apart from its pipeline producer's,
            // so one number can come back.
            Timer::ClientRequestTimeout(_) => {
                !matches!(self.client(node), Client::Consumer(_)) && !self.timer_is_live(node, timer, 0)
            }
            _ => false,
        }
    }

    fn timer_name(timer: &Timer) -> &'static str {
        match timer {
            Timer::Register => "Register",
            Timer::Heartbeat => "Heartbeat",
            Timer::IsrExpiration => "IsrExpiration",
            Timer::HwCheckpoint => "HighWatermarkCheckpoint",
            Timer::Writeback => "PageCacheWriteback",
            Timer::RetentionCheck(_) => "LogRetentionCheck",
            Timer::QuorumTick => "QuorumTick",
            Timer::FetchExpire(_) => "DelayedFetchExpired",
            Timer::ProduceExpire(_) => "DelayedProduceExpired",
            Timer::FetcherRetry(_) => "FetcherBackoff",
            Timer::TxnMarkerRetry => "TxnMarkerRetry",
            Timer::TxnTimeoutCheck => "AbortTimedOutTransactions",
            Timer::FetcherTimeout(_, _) => "FetchTimeout",
            Timer::AlterPartitionTimeout(_, _) => "AlterPartitionTimeout",
            Timer::ClientStart => "ClientStart",
            Timer::ClientRequestTimeout(_) => "RequestTimeout",
            Timer::ProducerRetry => "RetryBackoff",
            Timer::ProducerLinger => "Linger",
            Timer::ReaderPoll => "Poll",
            Timer::GroupTick => "GroupDeadline",
            Timer::ConsumerPoll => "poll()",
            Timer::ConsumerProcess => "RecordProcessed",
            Timer::ConsumerHeartbeat => "HeartbeatThread",
            Timer::ConsumerResume => "PauseEnds",
            Timer::ConsumerMetadataRefresh => "MetadataRefresh",
            Timer::ControllerResync(_) => "ReconnectBackoff",
        }
    }

    fn action_label(action: &KafkaAction) -> String {
        action.label()
    }
}
