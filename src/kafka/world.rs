//! The Kafka model as a kernel [`Model`]: brokers, the controller, producers and readers,
//! how network nodes map to them, their timers, and the actions a scenario or a user can take.
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::broker::{Broker, BrokerStatus, Replica};
use super::config::{Acks, BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use super::consumer::{Consumer, PipelineOp};
use super::controller::{Controller, QUORUM_TICK_MS};
use super::message::{Msg, PartitionState};
use super::notes::Note;
use super::producer::Producer;
use super::reader::Reader;
use super::settings::{ConfigTarget, NewConfig};
use super::txn_client::TxnOp;
use super::types::{BrokerId, ErrorCode, RecordId, Tp};
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
        target: super::settings::ConfigTarget,
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
    pub fn leader_log(&self, tp: Tp) -> Option<&super::log::PartitionLog> {
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

    fn produce(
        &mut self,
        ctx: &mut Ctx<World>,
        producer: u32,
        topic: u32,
        key: Option<String>,
        count: u32,
        partition: Option<u32>,
    ) {
        let partitions = self.spec.topics[topic as usize].partitions;
        let key: Option<Rc<str>> = key.map(Rc::from);
        for _ in 0..count {
            let p = &mut self.producers[producer as usize];
            let (partition, rule) = p.partition_for(ctx, topic, partitions, key.as_deref(), partition);
            let tp = Tp { topic, partition };
            let id = RecordId(self.records.len() as u64);
            self.records.push(RecordInfo { producer, key: key.clone(), tp, source: None });
            p.send(ctx, id, tp, rule);
        }
    }

    /// Change a setting from now on. A refused value changes nothing (the note says why).
    fn set_config(&mut self, ctx: &mut Ctx<World>, target: &ConfigTarget, key: &str, value: &str) {
        let label = target.label(&self.spec);
        let new = match super::settings::check(&self.spec, target, key, value) {
            Ok(n) => n,
            Err(error) => return ctx.note(Note::ConfigRejected { target: label, key: key.to_string(), error }),
        };
        let spec = Rc::make_mut(&mut self.spec);
        match (target, new) {
            (_, NewConfig::Brokers(c)) => spec.broker = c,
            (ConfigTarget::Topic(t), NewConfig::Topic(c)) => spec.topics[*t as usize].overrides = c,
            (ConfigTarget::Producer(p), NewConfig::Producer(c)) => {
                let p = *p as usize;
                if p < spec.producers.len() {
                    spec.producers[p].config = c.clone();
                    self.producers[p].config = c;
                } else {
                    let i = p - spec.producers.len();
                    if let Some(t) = spec.consumers[i].transform.as_mut() {
                        t.producer = c.clone();
                    }
                    if let Some(prod) = self.consumers[i].producer.as_mut() {
                        prod.config = c;
                    }
                }
            }
            (ConfigTarget::Consumer(i), NewConfig::Consumer(c)) => {
                spec.consumers[*i as usize].config = c.clone();
                self.consumers[*i as usize].set_config(c);
            }
            (ConfigTarget::Reader(r), NewConfig::Reader(c)) => {
                spec.readers[*r as usize].config = c.clone();
                self.readers[*r as usize].config = c;
            }
            _ => return,
        }
        ctx.note(Note::ConfigChanged { target: label, key: key.to_string(), value: value.to_string() });
    }

    /// Hand a pipeline consumer's requests to its producer: outputs of processed records
    /// (keyed like their input) and transaction calls, in the order the application made them.
    fn run_pipeline(&mut self, ctx: &mut Ctx<World>, c: usize) {
        loop {
            let ops = self.consumers[c].take_pipeline_ops();
            if ops.is_empty() {
                break;
            }
            let Some(out_topic) = self.spec.consumers[c].transform.as_ref().map(|t| t.topic) else { break };
            let partitions = self.spec.topics[out_topic as usize].partitions;
            for op in ops {
                match op {
                    PipelineOp::Output(source) => {
                        let key = source.index().and_then(|i| self.records.get(i)).and_then(|r| r.key.clone());
                        let index = self.spec.embedded_producer_index(c as u32);
                        let id = RecordId(self.records.len() as u64);
                        let p = self.consumers[c].producer.as_mut().expect("pipeline producer");
                        let (partition, rule) = p.partition_for(ctx, out_topic, partitions, key.as_deref(), None);
                        let tp = Tp { topic: out_topic, partition };
                        self.records.push(RecordInfo { producer: index, key, tp, source: Some(source) });
                        p.send(ctx, id, tp, rule);
                    }
                    PipelineOp::Txn(op) => {
                        self.consumers[c].producer.as_mut().expect("pipeline producer").txn_call(ctx, op)
                    }
                }
            }
        }
        if self.consumers[c].after_producer(ctx) {
            self.run_pipeline(ctx, c);
        }
    }

    /// A crashed process's host closes its sockets: everyone with a request in flight to
    /// it learns at once. (A host that lost power says nothing: those wait for timeouts.)
    fn connections_closed(&mut self, ctx: &mut Ctx<World>, dead: BrokerId) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller };
        for b in self.brokers.iter_mut().filter(|b| b.id != dead && b.is_running()) {
            b.on_fetch_refused(ctx, &env, dead);
        }
        for p in &mut self.producers {
            p.on_connection_closed(ctx, dead);
        }
        for r in &mut self.readers {
            r.on_connection_closed(ctx, dead);
        }
        for c in self.consumers.iter_mut().filter(|c| c.is_running()) {
            c.on_connection_closed(ctx, dead);
        }
        for b in self.brokers.iter_mut().filter(|b| b.id != dead && b.is_running()) {
            b.on_txn_marker_connection_lost(ctx, dead);
        }
        self.run_pipelines(ctx);
    }

    fn run_pipelines(&mut self, ctx: &mut Ctx<World>) {
        for c in 0..self.consumers.len() {
            if self.consumers[c].producer.is_some() {
                self.run_pipeline(ctx, c);
            }
        }
    }

    /// Grow a topic (Kafka's CreatePartitions): the new partitions are placed as Kafka
    /// places them, created by the controller, and become visible to clients through
    /// metadata (producers on their next send, consumers at their next metadata refresh).
    fn add_partitions(&mut self, ctx: &mut Ctx<World>, topic: u32, partitions: u32) {
        let old = self.spec.topics[topic as usize].partitions;
        if partitions <= old {
            return;
        }
        let t = &self.spec.topics[topic as usize];
        let all = place_replicas(self.spec.broker_count, partitions, t.replication_factor, 0);
        let new: Vec<(Tp, Vec<BrokerId>)> =
            (old..partitions).map(|p| (Tp { topic, partition: p }, all[p as usize].clone())).collect();
        if !self.controller.create_partitions(ctx, new.clone()) {
            ctx.note(Note::AdminError { operation: "CreatePartitions", error: ErrorCode::NotController });
            return;
        }
        let spec = Rc::make_mut(&mut self.spec);
        let t = &mut spec.topics[topic as usize];
        t.partitions = partitions;
        t.assignment.extend(new.into_iter().map(|(_, r)| r));
        for r in self.readers.iter_mut().filter(|r| r.topic == topic) {
            for p in old..partitions {
                r.positions.insert(Tp { topic, partition: p }, 0);
            }
        }
    }

    /// End a consumer's pause and replay what it held back.
    fn resume_consumer(&mut self, ctx: &mut Ctx<World>, c: usize) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller };
        let held = self.consumers[c].resume(ctx, &env);
        for (from, msg) in held {
            self.consumers[c].on_message(ctx, &env, from, msg);
        }
        self.run_pipeline(ctx, c);
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

    fn on_broker_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, i: usize, msg: Msg) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller };
        let me = self.brokers[i].id;
        let from_broker = self.broker_index(from).map(|j| BrokerId(j as u32 + 1));
        match msg {
            Msg::Produce { correlation, acks, timeout_ms, batches } => {
                self.brokers[i].on_produce(ctx, &env, from, correlation, acks, timeout_ms, batches)
            }
            Msg::Fetch { correlation, replica, max_wait_ms, isolation, partitions } => {
                self.brokers[i].on_fetch(ctx, &env, from, correlation, replica, max_wait_ms, isolation, partitions)
            }
            Msg::FetchResponse { correlation, partitions } => {
                if let Some(leader) = from_broker {
                    self.brokers[i].on_fetch_response_as_follower(ctx, &env, leader, correlation, partitions);
                }
            }
            Msg::Metadata { correlation } => self.brokers[i].on_metadata(ctx, &env, from, correlation),
            Msg::InitProducerId { correlation, transactional_id: None, .. } => {
                self.brokers[i].on_init_producer_id(ctx, from, correlation)
            }
            Msg::InitProducerId { correlation, transactional_id: Some(id), transaction_timeout_ms } => self.brokers[i]
                .on_init_transactional_producer_id(ctx, &env, from, correlation, id, transaction_timeout_ms),
            Msg::AddPartitionsToTxn { correlation, transactional_id, producer_id, producer_epoch, partitions } => {
                self.brokers[i].on_add_partitions_to_txn(
                    ctx,
                    &env,
                    from,
                    correlation,
                    transactional_id,
                    producer_id,
                    producer_epoch,
                    partitions,
                    false,
                )
            }
            Msg::AddOffsetsToTxn { correlation, transactional_id, producer_id, producer_epoch, group } => {
                let topic = spec.offsets_topic.unwrap_or(0);
                let partition = super::group::offsets_partition_for(
                    &group,
                    spec.topics.get(topic as usize).map(|t| t.partitions).unwrap_or(1),
                );
                let tps = vec![Tp { topic, partition }];
                self.brokers[i].on_add_partitions_to_txn(
                    ctx,
                    &env,
                    from,
                    correlation,
                    transactional_id,
                    producer_id,
                    producer_epoch,
                    tps,
                    true,
                )
            }
            Msg::TxnOffsetCommit {
                correlation,
                group,
                producer_id,
                producer_epoch,
                member_id,
                generation,
                offsets,
                ..
            } => self.brokers[i].on_txn_offset_commit(
                ctx,
                &env,
                from,
                correlation,
                group,
                producer_id,
                producer_epoch,
                member_id,
                generation,
                offsets,
            ),
            Msg::EndTxn { correlation, transactional_id, producer_id, producer_epoch, commit } => self.brokers[i]
                .on_end_txn(ctx, &env, from, correlation, transactional_id, producer_id, producer_epoch, commit),
            Msg::WriteTxnMarkers { correlation, producer_id, producer_epoch, commit, partitions } => self.brokers[i]
                .on_write_txn_markers(ctx, &env, from, correlation, producer_id, producer_epoch, commit, partitions),
            Msg::WriteTxnMarkersResponse { correlation, partitions, .. } => {
                self.brokers[i].on_write_txn_markers_response(ctx, &env, correlation, partitions)
            }
            Msg::BrokerRegistration { broker, incarnation } => {
                self.controller.on_registration(ctx, &env, me, broker, incarnation)
            }
            Msg::BrokerHeartbeat { broker, broker_epoch } => {
                self.controller.on_heartbeat(ctx, &env, me, broker, broker_epoch)
            }
            Msg::AlterPartition { broker, broker_epoch, state } => {
                self.controller.on_alter_partition(ctx, &env, me, broker, broker_epoch, state)
            }
            Msg::BrokerRegistrationResponse { error, broker_epoch } => {
                // Only the first answer counts: a late duplicate must neither replace the
                // epoch nor start a second heartbeat chain.
                if error == ErrorCode::None && self.brokers[i].broker_epoch.is_none() {
                    self.brokers[i].on_registered(broker_epoch);
                    ctx.set_timer(broker_node(me), 0, Timer::Heartbeat);
                }
            }
            Msg::BrokerHeartbeatResponse { error, .. } => {
                if error == ErrorCode::StaleBrokerEpoch {
                    self.brokers[i].broker_epoch = None;
                    ctx.set_timer(broker_node(me), 0, Timer::Register);
                }
            }
            Msg::AlterPartitionResponse { tp, error, state } => {
                self.brokers[i].on_alter_partition_response(ctx, &env, tp, error, state)
            }
            Msg::LeaderAndIsr { partitions, fenced, .. } => {
                self.brokers[i].on_leader_and_isr(ctx, &env, &partitions, fenced)
            }
            Msg::FindCoordinator { correlation, group, transaction } => {
                self.brokers[i].on_find_coordinator(ctx, &env, from, correlation, &group, transaction)
            }
            Msg::JoinGroup {
                correlation,
                group,
                member_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                metadata,
            } => self.brokers[i].on_join_group(
                ctx,
                &env,
                from,
                correlation,
                group,
                member_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                metadata,
            ),
            Msg::SyncGroup { correlation, group, member_id, generation, assignments } => {
                self.brokers[i].on_sync_group(ctx, &env, from, correlation, group, member_id, generation, assignments)
            }
            Msg::Heartbeat { correlation, group, member_id, generation } => {
                self.brokers[i].on_heartbeat(ctx, &env, from, correlation, group, member_id, generation)
            }
            Msg::LeaveGroup { correlation, group, member_id } => {
                self.brokers[i].on_leave_group(ctx, &env, from, correlation, group, member_id)
            }
            Msg::OffsetCommit { correlation, group, member_id, generation, offsets } => {
                self.brokers[i].on_offset_commit(ctx, &env, from, correlation, group, member_id, generation, offsets)
            }
            Msg::OffsetFetch { correlation, group, partitions } => {
                self.brokers[i].on_offset_fetch(ctx, &env, from, correlation, group, partitions)
            }
            Msg::ListOffsets { correlation, partitions, latest, isolation } => {
                self.brokers[i].on_list_offsets(ctx, from, correlation, partitions, latest, isolation)
            }
            Msg::ProduceResponse { .. }
            | Msg::MetadataResponse { .. }
            | Msg::InitProducerIdResponse { .. }
            | Msg::FindCoordinatorResponse { .. }
            | Msg::JoinGroupResponse { .. }
            | Msg::SyncGroupResponse { .. }
            | Msg::HeartbeatResponse { .. }
            | Msg::LeaveGroupResponse { .. }
            | Msg::OffsetCommitResponse { .. }
            | Msg::OffsetFetchResponse { .. }
            | Msg::ListOffsetsResponse { .. }
            | Msg::AddPartitionsToTxnResponse { .. }
            | Msg::AddOffsetsToTxnResponse { .. }
            | Msg::TxnOffsetCommitResponse { .. }
            | Msg::EndTxnResponse { .. } => {}
        }
    }

    fn on_client_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, to: NodeId, msg: Msg) {
        if let Client::Consumer(c) = self.client(to) {
            if self.consumers[c].hold_message(from, &msg, ctx.now) {
                return;
            }
            let (spec, controller) = self.env_parts();
            let env = Env { spec: &spec, broker: &spec.broker, controller };
            let for_producer = self.consumers[c]
                .producer
                .as_ref()
                .is_some_and(|p| msg.correlation().is_some_and(|x| p.owns_correlation(x)));
            if for_producer {
                self.consumers[c].producer.as_mut().expect("checked").on_message(ctx, msg);
            } else {
                self.consumers[c].on_message(ctx, &env, from, msg);
            }
            self.run_pipeline(ctx, c);
            return;
        }
        match (self.client(to), msg) {
            (Client::Producer(p), msg) => {
                self.producers[p].on_message(ctx, msg);
            }
            (Client::Reader(r), Msg::MetadataResponse { correlation, partitions, .. }) => {
                self.readers[r].on_metadata_response(ctx, correlation, partitions)
            }
            (Client::Reader(r), Msg::FetchResponse { correlation, partitions }) => {
                self.readers[r].on_fetch_response(ctx, correlation, partitions)
            }
            _ => {}
        }
    }

    fn on_broker_timer(&mut self, ctx: &mut Ctx<World>, i: usize, timer: Timer) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller };
        let me = self.brokers[i].id;
        let node = broker_node(me);
        let b = &mut self.brokers[i];
        match timer {
            Timer::Register => {
                if b.broker_epoch.is_some() {
                    return; // registered meanwhile
                }
                if let Some(c) = controller {
                    ctx.send(node, broker_node(c), Msg::BrokerRegistration { broker: me, incarnation: b.incarnation });
                }
                // No answer (the controller may be gone): try again.
                ctx.set_timer(node, REGISTRATION_RETRY_MS, Timer::Register);
            }
            Timer::Heartbeat => {
                ctx.set_timer(node, spec.broker.broker_heartbeat_interval_ms, Timer::Heartbeat);
                if let (Some(c), Some(epoch)) = (controller, b.broker_epoch) {
                    ctx.send(node, broker_node(c), Msg::BrokerHeartbeat { broker: me, broker_epoch: epoch });
                }
            }
            Timer::IsrExpiration => b.on_isr_expiration(ctx, &env),
            Timer::HwCheckpoint => b.on_hw_checkpoint(ctx, &env),
            Timer::Writeback => b.on_writeback(ctx, &env),
            Timer::QuorumTick => self.controller.on_quorum_tick(ctx, &env, me),
            Timer::FetchExpire(id) => b.on_fetch_expire(ctx, &env, id),
            Timer::ProduceExpire(id) => b.on_produce_expire(ctx, &env, id),
            Timer::FetcherRetry(leader) => b.on_fetcher_retry(ctx, &env, leader),
            Timer::TxnMarkerRetry => b.on_txn_marker_retry(ctx, &env),
            Timer::TxnTimeoutCheck => b.on_txn_timeout_check(ctx, &env),
            Timer::FetcherTimeout(leader, c) => b.on_fetcher_timeout(ctx, &env, leader, c),
            Timer::AlterPartitionTimeout(tp, epoch) => b.on_alter_partition_timeout(tp, epoch),
            Timer::GroupTick => b.on_group_tick(ctx, &env),
            Timer::ClientStart
            | Timer::ClientRequestTimeout(_)
            | Timer::ProducerRetry
            | Timer::ProducerLinger
            | Timer::ReaderPoll
            | Timer::ConsumerPoll
            | Timer::ConsumerProcess
            | Timer::ConsumerHeartbeat
            | Timer::ConsumerResume
            | Timer::ConsumerMetadataRefresh => {}
        }
    }

    fn on_client_timer(&mut self, ctx: &mut Ctx<World>, node: NodeId, timer: Timer) {
        if let Client::Consumer(c) = self.client(node) {
            if self.consumers[c].hold_timer(&timer, ctx.now) {
                return;
            }
            let (spec, controller) = self.env_parts();
            let env = Env { spec: &spec, broker: &spec.broker, controller };
            let producer_timer = match &timer {
                Timer::ProducerRetry | Timer::ProducerLinger => true,
                Timer::ClientRequestTimeout(x) => {
                    self.consumers[c].producer.as_ref().is_some_and(|p| p.owns_correlation(*x))
                }
                _ => false,
            };
            if timer == Timer::ConsumerResume {
                self.resume_consumer(ctx, c);
            } else if producer_timer {
                let running = self.consumers[c].is_running();
                if let Some(p) = self.consumers[c].producer.as_mut().filter(|_| running) {
                    match timer {
                        Timer::ProducerRetry => p.on_retry_timer(ctx),
                        Timer::ProducerLinger => p.on_linger_timer(ctx),
                        Timer::ClientRequestTimeout(x) => p.on_request_failed(ctx, x),
                        _ => {}
                    }
                }
                self.run_pipeline(ctx, c);
            } else {
                self.consumers[c].on_timer(ctx, &env, timer);
                self.run_pipeline(ctx, c);
            }
            return;
        }
        match (self.client(node), timer) {
            (Client::Producer(p), Timer::ClientRequestTimeout(c)) => self.producers[p].on_request_failed(ctx, c),
            (Client::Producer(p), Timer::ProducerRetry) => self.producers[p].on_retry_timer(ctx),
            (Client::Producer(p), Timer::ProducerLinger) => self.producers[p].on_linger_timer(ctx),
            (Client::Reader(r), Timer::ClientStart) => self.readers[r].start(ctx),
            (Client::Reader(r), Timer::ClientRequestTimeout(c)) => self.readers[r].on_request_failed(ctx, c),
            (Client::Reader(r), Timer::ReaderPoll) => self.readers[r].on_backoff_timer(ctx),
            _ => {}
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
            (Some(i), Msg::Fetch { .. }) => self.brokers[i].on_fetch_refused(ctx, &env, target),
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
