//! The Kafka model's resolver: a [`Command`] (names) becomes a kernel action on the Kafka
//! world (indices), or a [`CommandError`] that names the field. The scenario timeline and
//! the UI both come through here, so they share every limit and every message.
use crate::kafka::config::Acks;
use crate::kafka::settings::ConfigTarget;
use crate::kafka::types::BrokerId;
use crate::kafka::world::{KafkaAction, Spec};
use crate::kernel::sim::Action;
use crate::kernel::NodeId;
use crate::scenario::MAX_PARTITIONS_TOTAL;
use crate::session::command::{Command, CommandError, MAX_PAUSE_MS, MAX_PRODUCE_COUNT};
use crate::session::network::NodeLookup;

type Resolved = Result<Action<KafkaAction>, CommandError>;

/// Message kinds a `drop_next` may name (`MessageInfo::kind` of the Kafka model).
pub const KNOWN_MESSAGE_KINDS: &[&str] = &[
    "Produce",
    "ProduceResponse",
    "Fetch",
    "FetchResponse",
    "Metadata",
    "MetadataResponse",
    "InitProducerId",
    "InitProducerIdResponse",
    "BrokerRegistration",
    "BrokerRegistrationResponse",
    "BrokerHeartbeat",
    "BrokerHeartbeatResponse",
    "AlterPartition",
    "AlterPartitionResponse",
    "LeaderAndIsr",
    "FindCoordinator",
    "FindCoordinatorResponse",
    "JoinGroup",
    "JoinGroupResponse",
    "SyncGroup",
    "SyncGroupResponse",
    "Heartbeat",
    "HeartbeatResponse",
    "LeaveGroup",
    "LeaveGroupResponse",
    "OffsetCommit",
    "OffsetCommitResponse",
    "OffsetFetch",
    "OffsetFetchResponse",
    "ListOffsets",
    "ListOffsetsResponse",
    "AddPartitionsToTxn",
    "AddPartitionsToTxnResponse",
    "AddOffsetsToTxn",
    "AddOffsetsToTxnResponse",
    "TxnOffsetCommit",
    "TxnOffsetCommitResponse",
    "EndTxn",
    "EndTxnResponse",
    "WriteTxnMarkers",
    "WriteTxnMarkersResponse",
    "ConnectionClosed",
];

/// The kernel action of `command` on a cluster described by `spec`. A `Narrate` resolves
/// to narration 0: the caller, who owns the texts, sets the index.
pub fn resolve(spec: &Spec, command: &Command) -> Resolved {
    let r = Names { spec };
    match command {
        Command::Crash(b) => Ok(Action::Model(KafkaAction::Crash(r.broker(*b)?))),
        Command::PowerLoss(b) => Ok(Action::Model(KafkaAction::PowerLoss(r.broker(*b)?))),
        Command::Restart(b) => Ok(Action::Model(KafkaAction::Restart(r.broker(*b)?))),
        Command::Isolate(_)
        | Command::Cut(..)
        | Command::CutOneWay(..)
        | Command::Heal(..)
        | Command::HealAll
        | Command::Partition(_)
        | Command::Slow(..)
        | Command::Drop(_)
        | Command::DropNext { .. } => crate::session::network::resolve(&r, command).map(Action::Net),
        Command::Narrate(_) => Ok(Action::Model(KafkaAction::Narrate(0))),
        Command::Produce { .. }
        | Command::SetAcks { .. }
        | Command::BeginTransaction(_)
        | Command::CommitTransaction(_)
        | Command::AbortTransaction(_)
        | Command::ProducerCrash(_)
        | Command::ProducerRestart(_) => r.producer_action(command).map(Action::Model),
        Command::ConsumerCrash(_)
        | Command::ConsumerRestart(_)
        | Command::ConsumerPause { .. }
        | Command::ConsumerResume(_)
        | Command::ConsumerClose(_)
        | Command::ConsumerSubscribe { .. } => r.consumer_action(command).map(Action::Model),
        Command::AddPartitions { topic, partitions } => r.add_partitions(topic, *partitions).map(Action::Model),
        Command::SetConfig { target, key, value } => r.set_config(target, key, value).map(Action::Model),
        Command::Send { .. } | Command::DiskStall { .. } | Command::ConsumerFail { .. } => {
            Err(CommandError::new("", "a RocketMQ action, and this is a Kafka cluster"))
        }
    }
}

/// A node's key in commands and views: "b3" for broker 3, else the client's name.
pub fn node_key(spec: &Spec, node: NodeId) -> String {
    if node.0 < spec.broker_count {
        format!("b{}", node.0 + 1)
    } else {
        spec.node_name(node)
    }
}

/// The network node of a key ("b3" or a client name).
pub fn node_of(spec: &Spec, name: &str) -> Option<NodeId> {
    if let Some(rest) = name.strip_prefix('b') {
        if let Ok(b) = rest.parse::<u32>() {
            return (b >= 1 && b <= spec.broker_count).then_some(NodeId(b - 1));
        }
    }
    if let Some(i) = spec.producers.iter().position(|p| p.name == name) {
        return Some(spec.producer_node(i as u32));
    }
    if let Some(i) = spec.readers.iter().position(|r| r.name == name) {
        return Some(spec.reader_node(i as u32));
    }
    spec.consumers.iter().position(|c| c.name == name).map(|i| spec.consumer_node(i as u32))
}

/// Names to indices, each failure naming its field.
struct Names<'a> {
    spec: &'a Spec,
}

fn err<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::new(field, message))
}

impl NodeLookup for Names<'_> {
    fn node(&self, name: &str, field: &str) -> Result<NodeId, CommandError> {
        node_of(self.spec, name).ok_or_else(|| {
            let n = self.spec.broker_count;
            CommandError::new(field, format!("unknown node \"{name}\" (brokers are b1..b{n}, or a client name)"))
        })
    }
    fn message_kinds(&self) -> &'static [&'static str] {
        KNOWN_MESSAGE_KINDS
    }
}

impl Names<'_> {
    fn broker(&self, b: u32) -> Result<BrokerId, CommandError> {
        let n = self.spec.broker_count;
        if b >= 1 && b <= n {
            Ok(BrokerId(b))
        } else {
            err("broker", format!("no broker {b} (brokers are 1..={n})"))
        }
    }

    fn producer(&self, name: &str) -> Result<u32, CommandError> {
        match self.spec.producers.iter().position(|p| p.name == name) {
            Some(i) => Ok(i as u32),
            None => err("producer", format!("unknown producer \"{name}\"")),
        }
    }

    fn consumer(&self, name: &str) -> Result<u32, CommandError> {
        match self.spec.consumers.iter().position(|c| c.name == name) {
            Some(i) => Ok(i as u32),
            None => err("consumer", format!("unknown consumer \"{name}\"")),
        }
    }

    /// A topic of the scenario (Kafka's internal topics are not for applications).
    fn topic(&self, name: &str, field: impl Into<String>) -> Result<u32, CommandError> {
        let s = self.spec;
        let i = s.topics.iter().position(|t| t.name == name).map(|i| i as u32);
        match i.filter(|i| Some(*i) != s.offsets_topic && Some(*i) != s.transaction_topic) {
            Some(i) => Ok(i),
            None => err(field, format!("unknown topic \"{name}\"")),
        }
    }

    fn producer_action(&self, command: &Command) -> Result<KafkaAction, CommandError> {
        Ok(match command {
            Command::Produce { producer, topic, key, count, partition } => {
                let producer = self.producer(producer)?;
                let t = self.topic(topic, "topic")?;
                if *count == 0 || *count > MAX_PRODUCE_COUNT {
                    return err("count", format!("must be between 1 and {MAX_PRODUCE_COUNT}"));
                }
                let partitions = self.spec.topics[t as usize].partitions;
                if partition.is_some_and(|p| p >= partitions) {
                    return err("partition", format!("topic \"{topic}\" has {partitions} partitions"));
                }
                KafkaAction::Produce { producer, topic: t, key: key.clone(), count: *count, partition: *partition }
            }
            Command::SetAcks { producer, acks } => self.set_acks(producer, acks)?,
            Command::BeginTransaction(p) | Command::CommitTransaction(p) | Command::AbortTransaction(p) => {
                let i = self.producer(p)?;
                if self.spec.producers[i as usize].config.transactional_id.is_none() {
                    return err("producer", format!("producer \"{p}\" has no transactional.id"));
                }
                match command {
                    Command::BeginTransaction(_) => KafkaAction::BeginTransaction(i),
                    Command::CommitTransaction(_) => KafkaAction::CommitTransaction(i),
                    _ => KafkaAction::AbortTransaction(i),
                }
            }
            Command::ProducerCrash(p) => KafkaAction::ProducerCrash(self.producer(p)?),
            Command::ProducerRestart(p) => KafkaAction::ProducerRestart(self.producer(p)?),
            _ => unreachable!("resolve sends only producer commands here"),
        })
    }

    fn set_acks(&self, producer: &str, acks: &str) -> Result<KafkaAction, CommandError> {
        let p = self.producer(producer)?;
        let acks = match acks {
            "0" => Acks::Zero,
            "1" => Acks::Leader,
            "all" | "-1" => Acks::All,
            other => return err("acks", format!("must be 0, 1 or all, got \"{other}\"")),
        };
        // Kafka refuses to build such a producer (ConfigException); no change mid-run either.
        let config = &self.spec.producers[p as usize].config;
        if config.enable_idempotence == Some(true) && acks != Acks::All {
            return err("acks", "this producer sets enable.idempotence=true, which requires acks=all");
        }
        Ok(KafkaAction::SetAcks { producer: p, acks })
    }

    fn consumer_action(&self, command: &Command) -> Result<KafkaAction, CommandError> {
        Ok(match command {
            Command::ConsumerCrash(c) => KafkaAction::ConsumerCrash(self.consumer(c)?),
            Command::ConsumerRestart(c) => KafkaAction::ConsumerRestart(self.consumer(c)?),
            Command::ConsumerPause { consumer, ms, gc } => {
                let consumer = self.consumer(consumer)?;
                if *ms == 0 || *ms > MAX_PAUSE_MS {
                    return err("ms", format!("must be between 1 and {MAX_PAUSE_MS}"));
                }
                KafkaAction::ConsumerPause { consumer, ms: *ms, gc: *gc }
            }
            Command::ConsumerResume(c) => KafkaAction::ConsumerResume(self.consumer(c)?),
            Command::ConsumerClose(c) => KafkaAction::ConsumerClose(self.consumer(c)?),
            Command::ConsumerSubscribe { consumer, topics } => {
                let consumer = self.consumer(consumer)?;
                if topics.is_empty() {
                    return err("topics", "subscribe to at least one topic");
                }
                let mut ids = Vec::new();
                for (j, t) in topics.iter().enumerate() {
                    ids.push(self.topic(t, format!("topics[{j}]"))?);
                }
                KafkaAction::ConsumerSubscribe { consumer, topics: ids }
            }
            _ => unreachable!("resolve sends only consumer commands here"),
        })
    }

    fn add_partitions(&self, topic: &str, partitions: u32) -> Result<KafkaAction, CommandError> {
        let t = self.topic(topic, "topic")?;
        let s = self.spec;
        let now = s.topics[t as usize].partitions;
        if partitions <= now {
            return err(
                "partitions",
                format!("must be more than the topic's {now} partitions (Kafka never shrinks a topic)"),
            );
        }
        // The scenario's limit counts the application's topics, not Kafka's internal ones.
        let internal = |i: usize| Some(i as u32) == s.offsets_topic || Some(i as u32) == s.transaction_topic;
        let total: u32 = s.topics.iter().enumerate().filter(|(i, _)| !internal(*i)).map(|(_, x)| x.partitions).sum();
        if total - now + partitions > MAX_PARTITIONS_TOTAL {
            return err("partitions", format!("at most {MAX_PARTITIONS_TOTAL} partitions in all"));
        }
        Ok(KafkaAction::AddPartitions { topic: t, partitions })
    }

    fn set_config(&self, target: &str, key: &str, value: &serde_json::Value) -> Result<KafkaAction, CommandError> {
        let Some(t) = self.config_target(target) else {
            let m = format!(
                "unknown target \"{target}\" (\"brokers\", \"topic:<name>\", or a producer, consumer or reader name)"
            );
            return err("target", m);
        };
        let value = value.to_string();
        crate::kafka::settings::check(self.spec, &t, key, &value).map_err(|m| CommandError::new("value", m))?;
        Ok(KafkaAction::SetConfig { target: t, key: key.to_string(), value })
    }

    /// A SetConfig target by name.
    fn config_target(&self, name: &str) -> Option<ConfigTarget> {
        let s = self.spec;
        if name == "brokers" {
            return Some(ConfigTarget::Brokers);
        }
        if let Some(t) = name.strip_prefix("topic:") {
            return self.topic(t, "").ok().map(ConfigTarget::Topic);
        }
        if let Some(i) = s.producers.iter().position(|p| p.name == name) {
            return Some(ConfigTarget::Producer(i as u32));
        }
        if let Some(i) = s.readers.iter().position(|r| r.name == name) {
            return Some(ConfigTarget::Reader(i as u32));
        }
        s.consumers.iter().position(|c| c.name == name).map(|i| ConfigTarget::Consumer(i as u32))
    }
}
