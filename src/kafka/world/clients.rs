//! What the world does for and across clients: producing on a timeline's request, live
//! config changes, the consume-transform-produce pipelines, added partitions, and telling
//! clients a broker's connections closed.
use super::*;
use crate::kafka::client::consumer::PipelineOp;
use crate::kafka::client::producer::SendCall;
use crate::kafka::notes::Note;
use crate::kafka::settings::{ConfigTarget, NewConfig};
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kernel::{Ctx, NodeId};
use std::rc::Rc;

impl World {
    pub(super) fn produce(
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
            let id = RecordId(self.records.len() as u64);
            self.records.push(RecordInfo { producer, key: key.clone(), source: None });
            let call = SendCall { record: id, topic, partitions, key: key.clone(), explicit: partition };
            p.send_call(ctx, call);
        }
    }

    /// Every replica's log takes its topic's current log settings (`LogConfig` is per log
    /// in Kafka too, updated when the topic's or the broker's config changes).
    fn refresh_log_configs(&mut self) {
        for b in &mut self.brokers {
            for (tp, r) in b.replicas.iter_mut() {
                r.log.set_config(self.spec.log_config(tp.topic));
            }
            b.settings_changed();
        }
    }

    /// Change a setting from now on. A refused value changes nothing (the note says why).
    pub(super) fn set_config(&mut self, ctx: &mut Ctx<World>, target: &ConfigTarget, key: &str, value: &str) {
        let label = target.label(&self.spec);
        let new = match crate::kafka::settings::check(&self.spec, target, key, value) {
            Ok(n) => n,
            Err(error) => return ctx.note(Note::ConfigRejected { target: label, key: key.to_string(), error }),
        };
        let spec = Rc::make_mut(&mut self.spec);
        match (target, new) {
            (_, NewConfig::Brokers(c)) => {
                spec.broker = c;
                self.refresh_log_configs();
            }
            (ConfigTarget::Topic(t), NewConfig::Topic(c)) => {
                spec.topics[*t as usize].overrides = c;
                self.refresh_log_configs();
            }
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
    pub(super) fn run_pipeline(&mut self, ctx: &mut Ctx<World>, c: usize) {
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
                        self.records.push(RecordInfo { producer: index, key: key.clone(), source: Some(source) });
                        // Not through send_call: the pipeline's calls do not wait for metadata.
                        let call = SendCall { record: id, topic: out_topic, partitions, key, explicit: None };
                        p.partition_and_send(ctx, call);
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

    /// A crashed process's host closes its sockets: every peer gets a FIN on its connection,
    /// behind whatever the broker had sent before it died, so answers already on their way
    /// arrive and count first. (A host that lost power says nothing: peers wait for timeouts.)
    pub(super) fn connections_closed(&mut self, ctx: &mut Ctx<World>, dead: BrokerId) {
        let from = broker_node(dead);
        for node in (0..crate::kernel::Model::node_count(self)).map(NodeId) {
            if node != from && ctx.is_up(node) {
                ctx.send_last_word(from, node, Msg::ConnectionClosed);
            }
        }
    }

    /// A peer of a crashed broker reads its FIN: requests in flight to it fail now.
    pub(super) fn on_connection_closed(&mut self, ctx: &mut Ctx<World>, to: NodeId, dead: BrokerId) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
        if let Some(i) = self.broker_index(to) {
            self.brokers[i].on_fetch_refused(ctx, &env, dead);
            self.brokers[i].on_txn_marker_connection_lost(ctx, dead);
            return;
        }
        match self.client(to) {
            Client::Producer(p) => self.producers[p].on_connection_closed(ctx, dead),
            Client::Reader(r) => self.readers[r].on_connection_closed(ctx, dead),
            Client::Consumer(c) if self.consumers[c].is_running() => {
                self.consumers[c].on_connection_closed(ctx, dead);
                // The process's producer had its own connection to the broker.
                if let Some(p) = self.consumers[c].producer.as_mut() {
                    p.on_connection_closed(ctx, dead);
                }
            }
            Client::Consumer(_) => {}
        }
    }

    /// Grow a topic (Kafka's CreatePartitions): the new partitions are placed as Kafka
    /// places them, created by the controller, and become visible to clients through
    /// metadata (producers on their next send, consumers at their next metadata refresh).
    pub(super) fn add_partitions(&mut self, ctx: &mut Ctx<World>, topic: u32, partitions: u32) {
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
    pub(super) fn resume_consumer(&mut self, ctx: &mut Ctx<World>, c: usize) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
        let held = self.consumers[c].resume(ctx, &env);
        for (from, msg) in held {
            self.consumer_message(ctx, c, from, msg);
        }
        self.run_pipeline(ctx, c);
    }
}

// ----- the clients of a run, as it starts ---------------------------------------------------

pub(super) fn new_producers(spec: &Spec, broker_ids: &[BrokerId]) -> Vec<Producer> {
    spec.producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Producer::new(i as u32, spec.producer_node(i as u32), p.name.clone(), p.config.clone(), broker_ids.to_vec())
        })
        .collect()
}

pub(super) fn new_readers(spec: &Spec, broker_ids: &[BrokerId]) -> Vec<Reader> {
    spec.readers
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
                broker_ids.to_vec(),
            )
        })
        .collect()
}

/// Consumers, each with its pipeline's producer (in the same process) if it transforms.
pub(super) fn new_consumers(spec: &Spec, broker_ids: &[BrokerId]) -> Vec<Consumer> {
    spec.consumers
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
                broker_ids.to_vec(),
            );
            if let Some(t) = &c.transform {
                consumer.producer = Some(Box::new(Producer::embedded(
                    spec.embedded_producer_index(i as u32),
                    spec.consumer_node(i as u32),
                    c.name.clone(),
                    t.producer.clone(),
                    broker_ids.to_vec(),
                )));
            }
            consumer
        })
        .collect()
}
