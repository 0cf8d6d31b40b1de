//! The Kafka model as a kernel [`Model`]: brokers, the controller, producers and readers,
//! how network nodes map to them, their timers, and the actions a scenario or a user can take.
mod clients;
mod dispatch;

use crate::kafka::message::FetchRequest;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::kafka::broker::controller::{Controller, QUORUM_TICK_MS};
use crate::kafka::broker::{Broker, BrokerStatus, Replica};
use crate::kafka::client::consumer::Consumer;
use crate::kafka::client::producer::Producer;
use crate::kafka::client::reader::Reader;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::{Acks, BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use crate::kafka::message::{Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::settings::ConfigTarget;
use crate::kafka::types::{BrokerId, RecordId, Tp};
use crate::kernel::{ChunkedVec, Ctx, Model, NodeId};

/// How long a starting broker waits for a registration answer before it asks again.
pub const REGISTRATION_RETRY_MS: u64 = 3_000;

/// Broker `b` is network node `b - 1`; clients come after the brokers.
pub fn broker_node(b: BrokerId) -> NodeId {
    NodeId(b.0 - 1)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub overrides: TopicOverrides,
    /// Replica list per partition, in assignment order (the first is the preferred leader).
    pub assignment: Vec<Vec<BrokerId>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducerSpec {
    pub name: String,
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConsumerSpec {
    pub name: String,
    pub group: String,
    pub topics: Vec<u32>,
    pub config: ConsumerConfig,
    pub start_ms: u64,
    /// A consume-transform-produce application: every processed record is written to
    /// this topic by a producer in the same process (transactional if it has a
    /// `transactional.id`, then the input offsets are committed in the transaction).
    pub transform: Option<TransformSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransformSpec {
    pub topic: u32,
    pub producer: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReaderSpec {
    pub name: String,
    pub topic: u32,
    pub config: ReaderConfig,
    pub start_ms: u64,
}

/// What does not change during a run: the cluster's shape and configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    pub broker_count: u32,
    pub broker: BrokerConfig,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub readers: Vec<ReaderSpec>,
    pub consumers: Vec<ConsumerSpec>,
    pub voters: Vec<BrokerId>,
    /// Index of `__consumer_offsets` in `topics`, when the scenario has consumer groups.
    pub offsets_topic: Option<u32>,
    /// Index of `__transaction_state` in `topics`, when some producer is transactional.
    pub transaction_topic: Option<u32>,
}

impl Spec {
    pub fn min_insync_replicas(&self, topic: u32) -> u32 {
        self.topics[topic as usize].overrides.min_insync_replicas.unwrap_or(self.broker.min_insync_replicas)
    }
    pub fn unclean_leader_election(&self, topic: u32) -> bool {
        self.topics[topic as usize]
            .overrides
            .unclean_leader_election_enable
            .unwrap_or(self.broker.unclean_leader_election_enable)
    }
    pub fn producer_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + i)
    }
    pub fn reader_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + self.producers.len() as u32 + i)
    }
    pub fn consumer_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + self.producers.len() as u32 + self.readers.len() as u32 + i)
    }
    pub fn brokers(&self) -> impl Iterator<Item = BrokerId> {
        (1..=self.broker_count).map(BrokerId)
    }
    pub fn tp_name(&self, tp: Tp) -> String {
        format!("{}-{}", self.topics[tp.topic as usize].name, tp.partition)
    }
    /// Client index of the producer inside consumer `c` (after the plain producers).
    pub fn embedded_producer_index(&self, c: u32) -> u32 {
        self.producers.len() as u32 + c
    }
    /// The settings of a producer by client index (embedded ones included).
    pub fn producer_config(&self, i: u32) -> Option<&ProducerConfig> {
        match self.producers.get(i as usize) {
            Some(p) => Some(&p.config),
            None => self.consumers.get(i as usize - self.producers.len())?.transform.as_ref().map(|t| &t.producer),
        }
    }
    /// Display name of a producer by client index (embedded ones are named after their consumer).
    pub fn producer_name(&self, i: u32) -> String {
        match self.producers.get(i as usize) {
            Some(p) => p.name.clone(),
            None => self
                .consumers
                .get(i as usize - self.producers.len())
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("producer {i}")),
        }
    }
    /// Display name of a network node.
    pub fn node_name(&self, node: NodeId) -> String {
        let n = node.0;
        if n < self.broker_count {
            format!("broker {}", n + 1)
        } else if n < self.broker_count + self.producers.len() as u32 {
            self.producers[(n - self.broker_count) as usize].name.clone()
        } else {
            let i = (n - self.broker_count - self.producers.len() as u32) as usize;
            match self.readers.get(i) {
                Some(r) => r.name.clone(),
                None => self
                    .consumers
                    .get(i - self.readers.len())
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| format!("node {n}")),
            }
        }
    }
}

/// Kafka's rack-unaware replica placement (`AdminUtils.assignReplicasToBrokers`) with a
/// fixed start index and replica shift, so the same topic is placed the same way every run.
pub fn place_replicas(brokers: u32, partitions: u32, replication_factor: u32, start_index: u32) -> Vec<Vec<BrokerId>> {
    assert!(replication_factor >= 1 && replication_factor <= brokers);
    let n = brokers;
    let mut shift = start_index;
    (0..partitions)
        .map(|p| {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = (p + start_index) % n;
            let mut replicas = vec![BrokerId(first + 1)];
            for j in 0..replication_factor - 1 {
                let s = 1 + (shift + j) % (n - 1);
                replicas.push(BrokerId((first + s) % n + 1));
            }
            replicas
        })
        .collect()
}

/// What handlers need besides their own state.
pub struct Env<'a> {
    pub spec: &'a Spec,
    pub broker: &'a BrokerConfig,
    pub controller: Option<BrokerId>,
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
}

/// Things a scenario or a user can do to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KafkaAction {
    Produce {
        producer: u32,
        topic: u32,
        key: Option<String>,
        count: u32,
        partition: Option<u32>,
    },
    /// The broker process dies; its host stays up and its disk keeps everything.
    Crash(BrokerId),
    /// The broker's host loses power: unflushed data is gone.
    PowerLoss(BrokerId),
    Restart(BrokerId),
    SetAcks {
        producer: u32,
        acks: Acks,
    },
    /// Show narration `index` of the scenario.
    Narrate(u32),
    ConsumerCrash(u32),
    ConsumerRestart(u32),
    /// A long GC pause (`gc`: everything stops) or slow processing (only the application).
    ConsumerPause {
        consumer: u32,
        ms: u64,
        gc: bool,
    },
    ConsumerResume(u32),
    ConsumerClose(u32),
    /// CreatePartitions: grow a topic to `partitions` partitions.
    AddPartitions {
        topic: u32,
        partitions: u32,
    },
    /// The application calls `subscribe()` with a new topic list.
    ConsumerSubscribe {
        consumer: u32,
        topics: Vec<u32>,
    },
    /// A transactional producer's application calls beginTransaction().
    BeginTransaction(u32),
    CommitTransaction(u32),
    AbortTransaction(u32),
    /// A producer's process dies (everything in memory is gone) / starts again.
    ProducerCrash(u32),
    ProducerRestart(u32),
    /// Change one setting from now on (`value` is JSON, checked as in a scenario file).
    SetConfig {
        target: crate::kafka::settings::ConfigTarget,
        key: String,
        value: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordInfo {
    /// Client index of the producer (see `Spec::producer_name`).
    pub producer: u32,
    pub key: Option<Rc<str>>,
    pub tp: Tp,
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
}

impl World {
    pub fn new(spec: Spec) -> World {
        let mut replicas: Vec<BTreeMap<Tp, Replica>> = vec![BTreeMap::new(); spec.broker_count as usize];
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
                    replicas[(b.0 - 1) as usize].insert(tp, Replica::new(&state));
                }
                states.insert(tp, state);
            }
        }
        let broker_ids: Vec<BrokerId> = spec.brokers().collect();
        let mut brokers: Vec<Broker> =
            replicas.into_iter().enumerate().map(|(i, r)| Broker::new(BrokerId(i as u32 + 1), r)).collect();
        for (i, b) in brokers.iter_mut().enumerate() {
            b.on_registered(i as u64 + 1);
        }
        let controller = Controller::bootstrap(spec.voters.clone(), &broker_ids, states);
        let producers = spec
            .producers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Producer::new(
                    i as u32,
                    spec.producer_node(i as u32),
                    p.name.clone(),
                    p.config.clone(),
                    broker_ids.clone(),
                )
            })
            .collect();
        let readers = spec
            .readers
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let partitions = spec.topics[r.topic as usize].partitions;
                Reader::new(
                    i as u32,
                    spec.reader_node(i as u32),
                    r.name.clone(),
                    r.topic,
                    partitions,
                    r.config.clone(),
                    broker_ids.clone(),
                )
            })
            .collect();
        let consumers = spec
            .consumers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut consumer = Consumer::new(
                    i as u32,
                    spec.consumer_node(i as u32),
                    c.name.clone(),
                    Rc::from(c.group.as_str()),
                    c.topics.clone(),
                    c.config.clone(),
                    broker_ids.clone(),
                );
                if let Some(t) = &c.transform {
                    consumer.producer = Some(Box::new(Producer::embedded(
                        spec.embedded_producer_index(i as u32),
                        spec.consumer_node(i as u32),
                        c.name.clone(),
                        t.producer.clone(),
                        broker_ids.clone(),
                    )));
                }
                consumer
            })
            .collect();
        World { spec: Rc::new(spec), brokers, controller, producers, readers, consumers, records: ChunkedVec::new() }
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
        let env = Env { spec: &spec, broker: &spec.broker, controller };
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

impl Model for World {
    type Msg = Msg;
    type Timer = Timer;
    type Action = KafkaAction;
    type Note = Note;
    type InvariantMemory = super::invariants::Memory;

    fn check_invariants(&self, memory: &mut Self::InvariantMemory) -> Result<(), crate::kernel::InvariantViolation> {
        super::invariants::check(self, memory)
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
        let env = Env { spec: &spec, broker: &spec.broker, controller };
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
        let env = Env { spec: &spec, broker: &spec.broker, controller };
        for (x, y) in [(a, b), (b, a)] {
            let (Some(i), peer) = (self.broker_index(x), y) else { continue };
            let broker = BrokerId(i as u32 + 1);
            match self.broker_index(peer) {
                Some(j) => {
                    // Between brokers: the follower's fetch fails (it backs off and retries);
                    // the active controller re-sends the metadata the other may have missed
                    // (KRaft brokers would re-fetch the metadata log).
                    let other = BrokerId(j as u32 + 1);
                    self.brokers[j].on_fetch_refused(ctx, &env, broker);
                    self.brokers[j].on_txn_marker_connection_lost(ctx, broker);
                    if self.controller.active == Some(broker) && self.controller.is_active(ctx, broker) {
                        self.controller.resync(ctx, broker, other);
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
    }

    fn on_action(&mut self, ctx: &mut Ctx<Self>, action: &KafkaAction) {
        match action {
            KafkaAction::Produce { producer, topic, key, count, partition } => {
                if self.producers[*producer as usize].running {
                    self.produce(ctx, *producer, *topic, key.clone(), *count, *partition)
                }
            }
            KafkaAction::BeginTransaction(p) | KafkaAction::CommitTransaction(p) | KafkaAction::AbortTransaction(p) => {
                let op = match action {
                    KafkaAction::BeginTransaction(_) => TxnOp::Begin,
                    KafkaAction::CommitTransaction(_) => TxnOp::Commit,
                    _ => TxnOp::Abort,
                };
                let producer = &mut self.producers[*p as usize];
                if producer.running && producer.txn.is_some() {
                    producer.txn_call(ctx, op);
                }
            }
            KafkaAction::ProducerCrash(p) => {
                let producer = &mut self.producers[*p as usize];
                if producer.running {
                    let mut fresh = producer.restarted();
                    fresh.config = self.spec.producers[*p as usize].config.clone();
                    fresh.running = false;
                    *producer = fresh;
                    ctx.node_down(producer.node);
                    ctx.note(Note::ProducerCrashed { producer: *p });
                }
            }
            KafkaAction::SetConfig { target, key, value } => self.set_config(ctx, target, key, value),
            KafkaAction::ProducerRestart(p) => {
                let producer = &mut self.producers[*p as usize];
                if !producer.running {
                    producer.running = true;
                    ctx.node_up(producer.node);
                    ctx.note(Note::ProducerRestarted { producer: *p });
                }
            }
            KafkaAction::Crash(b) | KafkaAction::PowerLoss(b) => {
                let power_loss = matches!(action, KafkaAction::PowerLoss(_));
                let broker = &mut self.brokers[(b.0 - 1) as usize];
                if broker.is_running() {
                    broker.crash(power_loss);
                    ctx.node_down(broker_node(*b));
                    ctx.note(Note::BrokerCrashed { broker: *b, power_loss });
                    if !power_loss {
                        self.connections_closed(ctx, *b);
                    }
                }
            }
            KafkaAction::Restart(b) => {
                let broker = &mut self.brokers[(b.0 - 1) as usize];
                if !broker.is_running() {
                    let lost = broker.recover(ctx);
                    ctx.node_up(broker_node(*b));
                    ctx.note(Note::BrokerRestarted { broker: *b, lost_unflushed: lost });
                    self.start_broker_tasks(ctx, *b);
                    ctx.set_timer(broker_node(*b), 0, Timer::Register);
                }
            }
            KafkaAction::SetAcks { producer, acks } => self.producers[*producer as usize].set_acks(*acks),
            KafkaAction::Narrate(i) => ctx.note(Note::Narration { index: *i }),
            KafkaAction::ConsumerCrash(c) => {
                let consumer = &mut self.consumers[*c as usize];
                if consumer.is_running() {
                    consumer.crash(ctx);
                    ctx.node_down(consumer.node);
                    // Its producer dies with the process.
                    if let Some(p) = consumer.producer.as_mut() {
                        **p = p.restarted();
                    }
                }
            }
            KafkaAction::ConsumerRestart(c) => {
                let consumer = &mut self.consumers[*c as usize];
                if !consumer.is_running() {
                    ctx.node_up(consumer.node);
                    // A new process: a pipeline's producer starts afresh too (after a close
                    // or a fatal error as after a crash).
                    if let Some(p) = consumer.producer.as_mut() {
                        **p = p.restarted();
                    }
                    consumer.restart(ctx);
                }
            }
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

    fn timer_name(timer: &Timer) -> &'static str {
        match timer {
            Timer::Register => "Register",
            Timer::Heartbeat => "Heartbeat",
            Timer::IsrExpiration => "IsrExpiration",
            Timer::HwCheckpoint => "HighWatermarkCheckpoint",
            Timer::Writeback => "PageCacheWriteback",
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
        }
    }

    fn action_label(action: &KafkaAction) -> String {
        match action {
            KafkaAction::Produce { producer, key, count, .. } => {
                format!(
                    "producer {producer} sends {count} record(s){}",
                    key.as_ref().map(|k| format!(" key={k}")).unwrap_or_default()
                )
            }
            KafkaAction::Crash(b) => format!("crash broker {}", b.0),
            KafkaAction::PowerLoss(b) => format!("power loss on broker {}", b.0),
            KafkaAction::Restart(b) => format!("restart broker {}", b.0),
            KafkaAction::SetAcks { producer, acks } => format!("producer {producer} acks={}", acks.as_str()),
            KafkaAction::Narrate(i) => format!("narration {i}"),
            KafkaAction::ConsumerCrash(c) => format!("crash consumer {c}"),
            KafkaAction::ConsumerRestart(c) => format!("restart consumer {c}"),
            KafkaAction::ConsumerPause { consumer, ms, gc } => {
                format!(
                    "consumer {consumer} {} for {ms} ms",
                    if *gc { "freezes (GC pause)" } else { "processes slowly" }
                )
            }
            KafkaAction::ConsumerResume(c) => format!("resume consumer {c}"),
            KafkaAction::ConsumerClose(c) => format!("close consumer {c}"),
            KafkaAction::AddPartitions { topic, partitions } => {
                format!("topic {topic} grows to {partitions} partitions")
            }
            KafkaAction::ConsumerSubscribe { consumer, topics } => {
                format!("consumer {consumer} subscribes to {topics:?}")
            }
            KafkaAction::BeginTransaction(p) => format!("producer {p} beginTransaction()"),
            KafkaAction::CommitTransaction(p) => format!("producer {p} commitTransaction()"),
            KafkaAction::AbortTransaction(p) => format!("producer {p} abortTransaction()"),
            KafkaAction::ProducerCrash(p) => format!("crash producer {p}"),
            KafkaAction::ProducerRestart(p) => format!("restart producer {p}"),
            KafkaAction::SetConfig { target, key, value } => {
                let who = match target {
                    ConfigTarget::Brokers => "brokers".to_string(),
                    ConfigTarget::Topic(t) => format!("topic {t}"),
                    ConfigTarget::Producer(p) => format!("producer {p}"),
                    ConfigTarget::Consumer(c) => format!("consumer {c}"),
                    ConfigTarget::Reader(r) => format!("reader {r}"),
                };
                format!("{who}: {key}={value}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[Vec<BrokerId>]) -> Vec<Vec<u32>> {
        v.iter().map(|r| r.iter().map(|b| b.0).collect()).collect()
    }

    #[test]
    fn placement_matches_kafkas_admin_utils_with_fixed_start() {
        assert_eq!(ids(&place_replicas(3, 3, 3, 0)), vec![vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2]]);
        // After a full round, the second replica shifts by one more.
        assert_eq!(ids(&place_replicas(3, 4, 2, 0))[3], vec![1, 3]);
        assert_eq!(ids(&place_replicas(5, 2, 3, 0)), vec![vec![1, 2, 3], vec![2, 3, 4]]);
    }
}
