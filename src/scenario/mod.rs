//! The scenario format: a JSON file that says everything a run needs: the cluster, its
//! configuration, topics, clients, the seed, a timeline of actions and narration, and
//! optionally the checker verdict the scenario expects. Documented in docs/scenarios.md.
//!
//! Loading never panics: a syntax or type error names the path of the bad field and its
//! line and column; a semantic error (an unknown producer, a replication factor larger
//! than the cluster, ...) names the path of the field.
use std::fmt;

mod json_path;
mod timeline_de;

use serde::{Deserialize, Serialize};

use crate::kafka::config::{Acks, BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use crate::kafka::types::BrokerId;
use crate::kafka::world::{
    place_replicas, ConsumerSpec, KafkaAction, ProducerSpec, ReaderSpec, Spec, TopicSpec, TransformSpec,
};
use crate::kernel::sim::Action;
use crate::kernel::{NetFault, NetworkConfig, NodeId, Ratio, Time};

/// Text in English and, optionally, Simplified Chinese.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Text {
    pub fn get(&self, lang: &str) -> &str {
        match (lang, &self.zh) {
            ("zh", Some(zh)) => zh,
            _ => &self.en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short stable id (used in URLs), e.g. "acks1-leader-failure".
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The run stops after this much simulated time.
    pub duration_ms: u64,
    pub cluster: ClusterSection,
    #[serde(default)]
    pub network: NetworkConfig,
    pub topics: Vec<TopicSection>,
    #[serde(default)]
    pub producers: Vec<ProducerSection>,
    #[serde(default)]
    pub readers: Vec<ReaderSection>,
    /// Consumers in groups (each with its `group.id`).
    #[serde(default)]
    pub consumers: Vec<ConsumerSection>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// The checker verdict this scenario demonstrates (for tests and lessons).
    #[serde(default)]
    pub expect: Option<Expectation>,
}

fn default_seed() -> u64 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSection {
    pub brokers: u32,
    /// Brokers that are KRaft controller voters (combined mode); default: the first three.
    #[serde(default)]
    pub controller_voters: Option<Vec<u32>>,
    #[serde(default)]
    pub config: BrokerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSection {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    #[serde(default)]
    pub config: TopicOverrides,
    /// Explicit replica lists per partition; default: Kafka's placement.
    #[serde(default)]
    pub assignment: Option<Vec<Vec<u32>>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSection {
    pub name: String,
    #[serde(default)]
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderSection {
    pub name: String,
    pub topic: String,
    #[serde(default)]
    pub start_ms: u64,
    #[serde(default)]
    pub config: ReaderConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSection {
    pub name: String,
    /// Kafka's `group.id`.
    pub group: String,
    /// Topics it subscribes to.
    pub topics: Vec<String>,
    #[serde(default)]
    pub start_ms: u64,
    #[serde(default)]
    pub config: ConsumerConfig,
    /// A consume-transform-produce application: each processed record is written to
    /// `to` by a producer in the same process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<TransformSection>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformSection {
    /// The output topic.
    pub to: String,
    /// The producer's settings; with `transactional.id`, the input offsets are committed
    /// in the same transaction as the outputs (exactly-once).
    #[serde(default)]
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Anomaly kinds the checker must report (Jepsen names, e.g. "lost-write"); empty = none.
    pub anomalies: Vec<String>,
}

/// One timed action. Nodes are named "b1".."bN" for brokers, or by client name.
/// (Read by `timeline_de`, written by the derived serializer.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TimelineEntry {
    Produce {
        at_ms: u64,
        producer: String,
        topic: String,
        #[serde(default)]
        key: Option<String>,
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        partition: Option<u32>,
    },
    Crash {
        at_ms: u64,
        broker: u32,
    },
    PowerLoss {
        at_ms: u64,
        broker: u32,
    },
    Restart {
        at_ms: u64,
        broker: u32,
    },
    /// Cut both directions between two nodes.
    Cut {
        at_ms: u64,
        between: [String; 2],
    },
    /// Cut one direction: `from` can no longer reach `to`.
    CutOneWay {
        at_ms: u64,
        from: String,
        to: String,
    },
    Heal {
        at_ms: u64,
        between: [String; 2],
    },
    Isolate {
        at_ms: u64,
        node: String,
    },
    Partition {
        at_ms: u64,
        groups: Vec<Vec<String>>,
    },
    HealAll {
        at_ms: u64,
    },
    /// Add `extra_ms` of latency to everything a node sends or receives; 0 restores it.
    Slow {
        at_ms: u64,
        node: String,
        extra_ms: u64,
    },
    /// Change the message drop probability of every link.
    Drop {
        at_ms: u64,
        probability: Ratio,
    },
    /// Lose the next `count` messages from `from` to `to`, only of `kind` if given
    /// (e.g. "ProduceResponse"): a lost response, a lost request.
    DropNext {
        at_ms: u64,
        from: String,
        to: String,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default = "one")]
        count: u32,
    },
    SetAcks {
        at_ms: u64,
        producer: String,
        acks: Acks,
    },
    /// A caption shown from this moment on.
    Narrate {
        at_ms: u64,
        text: Text,
    },
    /// The consumer's process dies (no LeaveGroup, no commit).
    ConsumerCrash {
        at_ms: u64,
        consumer: String,
    },
    /// A crashed consumer starts again, as a new member.
    ConsumerRestart {
        at_ms: u64,
        consumer: String,
    },
    /// `gc: true`: a stop-the-world pause (no heartbeats either); false: slow processing
    /// (the heartbeat thread goes on, `poll()` is late).
    ConsumerPause {
        at_ms: u64,
        consumer: String,
        ms: u64,
        #[serde(default)]
        gc: bool,
    },
    ConsumerResume {
        at_ms: u64,
        consumer: String,
    },
    /// `close()`: commit (with auto-commit) and leave the group.
    ConsumerClose {
        at_ms: u64,
        consumer: String,
    },
    /// `subscribe()` with a new list of topics.
    ConsumerSubscribe {
        at_ms: u64,
        consumer: String,
        topics: Vec<String>,
    },
    /// Grow a topic to `partitions` partitions (Kafka's CreatePartitions; never shrinks).
    AddPartitions {
        at_ms: u64,
        topic: String,
        partitions: u32,
    },
    /// A transactional producer's application calls beginTransaction() (the first call
    /// also runs initTransactions()).
    BeginTransaction {
        at_ms: u64,
        producer: String,
    },
    CommitTransaction {
        at_ms: u64,
        producer: String,
    },
    AbortTransaction {
        at_ms: u64,
        producer: String,
    },
    /// The producer's process dies: what it had not sent is gone, its transaction stays open.
    ProducerCrash {
        at_ms: u64,
        producer: String,
    },
    ProducerRestart {
        at_ms: u64,
        producer: String,
    },
    /// Change one setting from now on: `target` is "brokers", "topic:<name>", or a
    /// producer, consumer or reader name; `key` and `value` as in the config sections.
    SetConfig {
        at_ms: u64,
        target: String,
        key: String,
        value: serde_json::Value,
    },
}

fn one() -> u32 {
    1
}

impl TimelineEntry {
    pub fn at_ms(&self) -> u64 {
        match self {
            TimelineEntry::Produce { at_ms, .. }
            | TimelineEntry::Crash { at_ms, .. }
            | TimelineEntry::PowerLoss { at_ms, .. }
            | TimelineEntry::Restart { at_ms, .. }
            | TimelineEntry::Cut { at_ms, .. }
            | TimelineEntry::CutOneWay { at_ms, .. }
            | TimelineEntry::Heal { at_ms, .. }
            | TimelineEntry::Isolate { at_ms, .. }
            | TimelineEntry::Partition { at_ms, .. }
            | TimelineEntry::HealAll { at_ms }
            | TimelineEntry::Slow { at_ms, .. }
            | TimelineEntry::Drop { at_ms, .. }
            | TimelineEntry::DropNext { at_ms, .. }
            | TimelineEntry::SetAcks { at_ms, .. }
            | TimelineEntry::Narrate { at_ms, .. }
            | TimelineEntry::ConsumerCrash { at_ms, .. }
            | TimelineEntry::ConsumerRestart { at_ms, .. }
            | TimelineEntry::ConsumerPause { at_ms, .. }
            | TimelineEntry::ConsumerResume { at_ms, .. }
            | TimelineEntry::ConsumerClose { at_ms, .. }
            | TimelineEntry::ConsumerSubscribe { at_ms, .. }
            | TimelineEntry::AddPartitions { at_ms, .. }
            | TimelineEntry::BeginTransaction { at_ms, .. }
            | TimelineEntry::CommitTransaction { at_ms, .. }
            | TimelineEntry::AbortTransaction { at_ms, .. }
            | TimelineEntry::ProducerCrash { at_ms, .. }
            | TimelineEntry::ProducerRestart { at_ms, .. }
            | TimelineEntry::SetConfig { at_ms, .. } => *at_ms,
        }
    }
}

/// A bad scenario: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Path of the bad field, e.g. `timeline[2].broker`; empty for the whole file.
    pub path: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
            _ => String::new(),
        };
        if self.path.is_empty() || self.path == "." || self.path == "?" {
            write!(f, "{}{at}", self.message)
        } else {
            write!(f, "{}: {}{at}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

fn semantic(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError { path: path.into(), line: None, column: None, message: message.into() }
}

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
];

/// Limits that keep a run bounded (and a browser tab alive).
pub const MAX_BROKERS: u32 = 64;
pub const MAX_PARTITIONS_TOTAL: u32 = 4_096;
pub const MAX_CLIENTS: usize = 64;
pub const MAX_DURATION_MS: u64 = 24 * 3_600_000;

impl Scenario {
    /// Parse and validate a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|inner: serde_json::Error| {
            let (line, column) = (inner.line(), inner.column());
            let message = inner.to_string();
            let path = if line > 0 {
                json_path::path_at(text, line, column, message.starts_with("missing field"))
            } else {
                String::new()
            };
            // serde_json appends " at line L column C"; we report those separately.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            ScenarioError { path, line: (line > 0).then_some(line), column: (line > 0).then_some(column), message }
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let c = &self.cluster;
        if c.brokers == 0 || c.brokers > MAX_BROKERS {
            return Err(semantic("cluster.brokers", format!("must be between 1 and {MAX_BROKERS}, got {}", c.brokers)));
        }
        if self.duration_ms == 0 || self.duration_ms > MAX_DURATION_MS {
            return Err(semantic("duration_ms", format!("must be between 1 and {MAX_DURATION_MS}")));
        }
        if let Some(v) = &c.controller_voters {
            if v.is_empty() {
                return Err(semantic("cluster.controller_voters", "needs at least one broker"));
            }
            for (i, b) in v.iter().enumerate() {
                if v[..i].contains(b) {
                    return Err(semantic(
                        format!("cluster.controller_voters[{i}]"),
                        format!("broker {b} is listed twice"),
                    ));
                }
                if *b == 0 || *b > c.brokers {
                    return Err(semantic(
                        format!("cluster.controller_voters[{i}]"),
                        format!("no broker {b} (brokers are 1..={})", c.brokers),
                    ));
                }
            }
        }
        let cfg = &c.config;
        cfg.validate().map_err(|(key, m)| semantic(format!("cluster.config.{key}"), m))?;
        if self.network.drop.denominator == 0 {
            return Err(semantic("network.drop.denominator", "must not be 0"));
        }
        if self.topics.is_empty() {
            return Err(semantic("topics", "needs at least one topic"));
        }
        let mut total = 0;
        for (i, t) in self.topics.iter().enumerate() {
            let p = format!("topics[{i}]");
            if t.name.is_empty() {
                return Err(semantic(format!("{p}.name"), "must not be empty"));
            }
            if t.name.starts_with("__") {
                return Err(semantic(format!("{p}.name"), "names starting with __ are Kafka's internal topics"));
            }
            if self.topics[..i].iter().any(|o| o.name == t.name) {
                return Err(semantic(format!("{p}.name"), format!("topic \"{}\" is defined twice", t.name)));
            }
            if t.partitions == 0 {
                return Err(semantic(format!("{p}.partitions"), "must be at least 1"));
            }
            total += t.partitions;
            if t.replication_factor == 0 || t.replication_factor > c.brokers {
                return Err(semantic(
                    format!("{p}.replication_factor"),
                    format!(
                        "must be between 1 and the number of brokers ({}), got {}",
                        c.brokers, t.replication_factor
                    ),
                ));
            }
            if t.config.min_insync_replicas == Some(0) {
                return Err(semantic(format!("{p}.config.min.insync.replicas"), "must be at least 1"));
            }
            if let Some(a) = &t.assignment {
                if a.len() != t.partitions as usize {
                    return Err(semantic(
                        format!("{p}.assignment"),
                        format!("needs one replica list per partition ({})", t.partitions),
                    ));
                }
                for (j, replicas) in a.iter().enumerate() {
                    if replicas.len() != t.replication_factor as usize {
                        return Err(semantic(format!("{p}.assignment[{j}]"), "needs replication_factor brokers"));
                    }
                    for (k, b) in replicas.iter().enumerate() {
                        if *b == 0 || *b > c.brokers || replicas[..k].contains(b) {
                            return Err(semantic(
                                format!("{p}.assignment[{j}][{k}]"),
                                format!("broker {b} is unknown or repeated"),
                            ));
                        }
                    }
                }
            }
        }
        if total > MAX_PARTITIONS_TOTAL {
            return Err(semantic("topics", format!("at most {MAX_PARTITIONS_TOTAL} partitions in all")));
        }
        if self.producers.len() + self.readers.len() + self.consumers.len() > MAX_CLIENTS {
            return Err(semantic("producers", format!("at most {MAX_CLIENTS} clients")));
        }
        let mut names: Vec<&str> = Vec::new();
        for (i, p) in self.producers.iter().enumerate() {
            self.check_client_name(&names, &p.name, format!("producers[{i}].name"))?;
            names.push(&p.name);
            p.config.validate().map_err(|m| semantic(format!("producers[{i}].config"), m))?;
        }
        for (i, r) in self.readers.iter().enumerate() {
            self.check_client_name(&names, &r.name, format!("readers[{i}].name"))?;
            names.push(&r.name);
            self.topic_index(&r.topic)
                .ok_or_else(|| semantic(format!("readers[{i}].topic"), format!("unknown topic \"{}\"", r.topic)))?;
        }
        for (i, c) in self.consumers.iter().enumerate() {
            self.check_client_name(&names, &c.name, format!("consumers[{i}].name"))?;
            names.push(&c.name);
            if c.group.is_empty() {
                return Err(semantic(format!("consumers[{i}].group"), "group.id must not be empty"));
            }
            if c.topics.is_empty() {
                return Err(semantic(format!("consumers[{i}].topics"), "subscribe to at least one topic"));
            }
            for (j, t) in c.topics.iter().enumerate() {
                self.topic_index(t)
                    .ok_or_else(|| semantic(format!("consumers[{i}].topics[{j}]"), format!("unknown topic \"{t}\"")))?;
            }
            c.config.validate().map_err(|m| semantic(format!("consumers[{i}].config"), m))?;
            if let Some(t) = &c.transform {
                self.topic_index(&t.to).ok_or_else(|| {
                    semantic(format!("consumers[{i}].transform.to"), format!("unknown topic \"{}\"", t.to))
                })?;
                t.config.validate().map_err(|m| semantic(format!("consumers[{i}].transform.config"), m))?;
                if t.config.transactional_id.is_some() && c.config.enable_auto_commit {
                    return Err(semantic(
                        format!("consumers[{i}].config.enable.auto.commit"),
                        "a transactional pipeline commits its offsets in the transaction (sendOffsetsToTransaction): set enable.auto.commit=false",
                    ));
                }
            }
            if c.config.session_timeout_ms < cfg.group_min_session_timeout_ms
                || c.config.session_timeout_ms > cfg.group_max_session_timeout_ms
            {
                return Err(semantic(
                    format!("consumers[{i}].config.session.timeout.ms"),
                    format!(
                        "must be within group.min.session.timeout.ms ({}) and group.max.session.timeout.ms ({})",
                        cfg.group_min_session_timeout_ms, cfg.group_max_session_timeout_ms
                    ),
                ));
            }
        }
        if !self.consumers.is_empty() && cfg.offsets_topic_num_partitions == 0 {
            return Err(semantic("cluster.config.offsets.topic.num.partitions", "must be at least 1"));
        }
        for (i, e) in self.timeline.iter().enumerate() {
            self.convert_entry(e, &format!("timeline[{i}]"))?;
        }
        if let Some(exp) = &self.expect {
            for (i, a) in exp.anomalies.iter().enumerate() {
                if crate::checker::AnomalyKind::parse(a).is_none() {
                    return Err(semantic(format!("expect.anomalies[{i}]"), format!("unknown anomaly \"{a}\"")));
                }
            }
        }
        Ok(())
    }

    fn check_client_name(&self, seen: &[&str], name: &str, path: String) -> Result<(), ScenarioError> {
        if name.is_empty() || seen.contains(&name) {
            return Err(semantic(path, format!("client name \"{name}\" is empty or used twice")));
        }
        if parse_broker_ref(name).is_some() {
            return Err(semantic(path, format!("\"{name}\" looks like a broker (b1, b2, ...); pick another name")));
        }
        Ok(())
    }

    /// A SetConfig target by name.
    pub fn config_target(&self, name: &str) -> Option<crate::kafka::settings::ConfigTarget> {
        use crate::kafka::settings::ConfigTarget;
        if name == "brokers" {
            return Some(ConfigTarget::Brokers);
        }
        if let Some(t) = name.strip_prefix("topic:") {
            return self.topic_index(t).map(ConfigTarget::Topic);
        }
        if let Some(i) = self.producer_index(name) {
            return Some(ConfigTarget::Producer(i));
        }
        if let Some(i) = self.readers.iter().position(|r| r.name == name) {
            return Some(ConfigTarget::Reader(i as u32));
        }
        self.consumers.iter().position(|c| c.name == name).map(|i| ConfigTarget::Consumer(i as u32))
    }

    fn topic_index(&self, name: &str) -> Option<u32> {
        self.topics.iter().position(|t| t.name == name).map(|i| i as u32)
    }

    fn producer_index(&self, name: &str) -> Option<u32> {
        self.producers.iter().position(|p| p.name == name).map(|i| i as u32)
    }

    /// Network node of "b3" or a client name.
    pub fn node(&self, name: &str) -> Option<NodeId> {
        if let Some(b) = parse_broker_ref(name) {
            return (b >= 1 && b <= self.cluster.brokers).then_some(NodeId(b - 1));
        }
        let n = self.cluster.brokers;
        if let Some(i) = self.producers.iter().position(|p| p.name == name) {
            return Some(NodeId(n + i as u32));
        }
        if let Some(i) = self.readers.iter().position(|r| r.name == name) {
            return Some(NodeId(n + self.producers.len() as u32 + i as u32));
        }
        self.consumers
            .iter()
            .position(|c| c.name == name)
            .map(|i| NodeId(n + self.producers.len() as u32 + self.readers.len() as u32 + i as u32))
    }

    fn node_at(&self, name: &str, path: String) -> Result<NodeId, ScenarioError> {
        self.node(name).ok_or_else(|| {
            semantic(
                path,
                format!("unknown node \"{name}\" (brokers are b1..b{}, or a client name)", self.cluster.brokers),
            )
        })
    }

    fn consumer_at(&self, name: &str, path: String) -> Result<u32, ScenarioError> {
        self.consumers
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as u32)
            .ok_or_else(|| semantic(path, format!("unknown consumer \"{name}\"")))
    }

    fn broker_at(&self, b: u32, path: String) -> Result<BrokerId, ScenarioError> {
        if b == 0 || b > self.cluster.brokers {
            return Err(semantic(path, format!("no broker {b} (brokers are 1..={})", self.cluster.brokers)));
        }
        Ok(BrokerId(b))
    }

    /// Turn one timeline entry into a kernel action.
    fn convert_entry(&self, e: &TimelineEntry, path: &str) -> Result<Action<KafkaAction>, ScenarioError> {
        let p = |f: &str| format!("{path}.{f}");
        Ok(match e {
            TimelineEntry::Produce { producer, topic, key, count, partition, .. } => {
                let producer = self
                    .producer_index(producer)
                    .ok_or_else(|| semantic(p("producer"), format!("unknown producer \"{producer}\"")))?;
                let t = self
                    .topic_index(topic)
                    .ok_or_else(|| semantic(p("topic"), format!("unknown topic \"{topic}\"")))?;
                if *count == 0 || *count > 100_000 {
                    return Err(semantic(p("count"), "must be between 1 and 100000"));
                }
                if let Some(part) = partition {
                    if *part >= self.topics[t as usize].partitions {
                        return Err(semantic(
                            p("partition"),
                            format!("topic \"{topic}\" has {} partitions", self.topics[t as usize].partitions),
                        ));
                    }
                }
                Action::Model(KafkaAction::Produce {
                    producer,
                    topic: t,
                    key: key.clone(),
                    count: *count,
                    partition: *partition,
                })
            }
            TimelineEntry::Crash { broker, .. } => {
                Action::Model(KafkaAction::Crash(self.broker_at(*broker, p("broker"))?))
            }
            TimelineEntry::PowerLoss { broker, .. } => {
                Action::Model(KafkaAction::PowerLoss(self.broker_at(*broker, p("broker"))?))
            }
            TimelineEntry::Restart { broker, .. } => {
                Action::Model(KafkaAction::Restart(self.broker_at(*broker, p("broker"))?))
            }
            TimelineEntry::Cut { between, .. } => Action::Net(NetFault::Cut(
                self.node_at(&between[0], p("between[0]"))?,
                self.node_at(&between[1], p("between[1]"))?,
            )),
            TimelineEntry::CutOneWay { from, to, .. } => {
                Action::Net(NetFault::CutOneWay(self.node_at(from, p("from"))?, self.node_at(to, p("to"))?))
            }
            TimelineEntry::Heal { between, .. } => Action::Net(NetFault::Heal(
                self.node_at(&between[0], p("between[0]"))?,
                self.node_at(&between[1], p("between[1]"))?,
            )),
            TimelineEntry::Isolate { node, .. } => Action::Net(NetFault::Isolate(self.node_at(node, p("node"))?)),
            TimelineEntry::Partition { groups, .. } => {
                let mut out = Vec::new();
                for (i, g) in groups.iter().enumerate() {
                    let mut group = Vec::new();
                    for (j, n) in g.iter().enumerate() {
                        group.push(self.node_at(n, format!("{path}.groups[{i}][{j}]"))?);
                    }
                    out.push(group);
                }
                Action::Net(NetFault::Partition(out))
            }
            TimelineEntry::HealAll { .. } => Action::Net(NetFault::HealAll),
            TimelineEntry::Slow { node, extra_ms, .. } => {
                Action::Net(NetFault::Slow(self.node_at(node, p("node"))?, *extra_ms))
            }
            TimelineEntry::Drop { probability, .. } => {
                if probability.denominator == 0 {
                    return Err(semantic(p("probability.denominator"), "must not be 0"));
                }
                Action::Net(NetFault::SetDrop(*probability))
            }
            TimelineEntry::DropNext { from, to, kind, count, .. } => {
                if *count == 0 {
                    return Err(semantic(p("count"), "must be at least 1"));
                }
                if let Some(k) = kind {
                    if !KNOWN_MESSAGE_KINDS.contains(&k.as_str()) {
                        return Err(semantic(
                            p("kind"),
                            format!(
                                "unknown message kind \"{k}\" (e.g. Produce, ProduceResponse, Fetch, FetchResponse)"
                            ),
                        ));
                    }
                }
                Action::Net(NetFault::DropNext {
                    from: self.node_at(from, p("from"))?,
                    to: self.node_at(to, p("to"))?,
                    kind: kind.clone(),
                    count: *count,
                })
            }
            TimelineEntry::SetAcks { producer, acks, .. } => {
                let producer = self
                    .producer_index(producer)
                    .ok_or_else(|| semantic(p("producer"), format!("unknown producer \"{producer}\"")))?;
                Action::Model(KafkaAction::SetAcks { producer, acks: *acks })
            }
            TimelineEntry::Narrate { .. } => Action::Model(KafkaAction::Narrate(0)),
            TimelineEntry::ConsumerCrash { consumer, .. } => {
                Action::Model(KafkaAction::ConsumerCrash(self.consumer_at(consumer, p("consumer"))?))
            }
            TimelineEntry::ConsumerRestart { consumer, .. } => {
                Action::Model(KafkaAction::ConsumerRestart(self.consumer_at(consumer, p("consumer"))?))
            }
            TimelineEntry::ConsumerPause { consumer, ms, gc, .. } => Action::Model(KafkaAction::ConsumerPause {
                consumer: self.consumer_at(consumer, p("consumer"))?,
                ms: *ms,
                gc: *gc,
            }),
            TimelineEntry::ConsumerResume { consumer, .. } => {
                Action::Model(KafkaAction::ConsumerResume(self.consumer_at(consumer, p("consumer"))?))
            }
            TimelineEntry::ConsumerClose { consumer, .. } => {
                Action::Model(KafkaAction::ConsumerClose(self.consumer_at(consumer, p("consumer"))?))
            }
            TimelineEntry::ConsumerSubscribe { consumer, topics, .. } => {
                let consumer = self.consumer_at(consumer, p("consumer"))?;
                if topics.is_empty() {
                    return Err(semantic(p("topics"), "subscribe to at least one topic"));
                }
                let mut ids = Vec::new();
                for (j, t) in topics.iter().enumerate() {
                    ids.push(
                        self.topic_index(t)
                            .ok_or_else(|| semantic(format!("{path}.topics[{j}]"), format!("unknown topic \"{t}\"")))?,
                    );
                }
                Action::Model(KafkaAction::ConsumerSubscribe { consumer, topics: ids })
            }
            TimelineEntry::AddPartitions { topic, partitions, .. } => {
                let t = self
                    .topic_index(topic)
                    .ok_or_else(|| semantic(p("topic"), format!("unknown topic \"{topic}\"")))?;
                let now = self.topics[t as usize].partitions;
                if *partitions <= now || *partitions > MAX_PARTITIONS_TOTAL {
                    return Err(semantic(
                        p("partitions"),
                        format!("must be more than the topic's {now} partitions (Kafka never shrinks a topic)"),
                    ));
                }
                Action::Model(KafkaAction::AddPartitions { topic: t, partitions: *partitions })
            }
            TimelineEntry::BeginTransaction { producer, .. }
            | TimelineEntry::CommitTransaction { producer, .. }
            | TimelineEntry::AbortTransaction { producer, .. } => {
                let i = self
                    .producer_index(producer)
                    .ok_or_else(|| semantic(p("producer"), format!("unknown producer \"{producer}\"")))?;
                if self.producers[i as usize].config.transactional_id.is_none() {
                    return Err(semantic(p("producer"), format!("producer \"{producer}\" has no transactional.id")));
                }
                Action::Model(match e {
                    TimelineEntry::BeginTransaction { .. } => KafkaAction::BeginTransaction(i),
                    TimelineEntry::CommitTransaction { .. } => KafkaAction::CommitTransaction(i),
                    _ => KafkaAction::AbortTransaction(i),
                })
            }
            TimelineEntry::SetConfig { target, key, value, .. } => {
                let target = self.config_target(target).ok_or_else(|| {
                    semantic(p("target"), format!("unknown target \"{target}\" (\"brokers\", \"topic:<name>\", or a producer, consumer or reader name)"))
                })?;
                let value = value.to_string();
                crate::kafka::settings::check(&self.spec(), &target, key, &value)
                    .map_err(|m| semantic(p("value"), m))?;
                Action::Model(KafkaAction::SetConfig { target, key: key.clone(), value })
            }
            TimelineEntry::ProducerCrash { producer, .. } | TimelineEntry::ProducerRestart { producer, .. } => {
                let i = self
                    .producer_index(producer)
                    .ok_or_else(|| semantic(p("producer"), format!("unknown producer \"{producer}\"")))?;
                Action::Model(if matches!(e, TimelineEntry::ProducerCrash { .. }) {
                    KafkaAction::ProducerCrash(i)
                } else {
                    KafkaAction::ProducerRestart(i)
                })
            }
        })
    }

    /// The cluster's static description.
    pub fn spec(&self) -> Spec {
        let c = &self.cluster;
        let voters = match &c.controller_voters {
            Some(v) => v.iter().map(|b| BrokerId(*b)).collect(),
            None => (1..=c.brokers.min(3)).map(BrokerId).collect(),
        };
        let mut spec = Spec {
            broker_count: c.brokers,
            broker: c.config.clone(),
            topics: self
                .topics
                .iter()
                .map(|t| TopicSpec {
                    name: t.name.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                    overrides: t.config.clone(),
                    assignment: match &t.assignment {
                        Some(a) => a.iter().map(|r| r.iter().map(|b| BrokerId(*b)).collect()).collect(),
                        None => place_replicas(c.brokers, t.partitions, t.replication_factor, 0),
                    },
                })
                .collect(),
            producers: self
                .producers
                .iter()
                .map(|p| ProducerSpec { name: p.name.clone(), config: p.config.clone() })
                .collect(),
            readers: self
                .readers
                .iter()
                .map(|r| ReaderSpec {
                    name: r.name.clone(),
                    topic: self.topic_index(&r.topic).expect("validated"),
                    config: r.config.clone(),
                    start_ms: r.start_ms,
                })
                .collect(),
            voters,
            offsets_topic: None,
            consumers: self
                .consumers
                .iter()
                .map(|x| ConsumerSpec {
                    name: x.name.clone(),
                    group: x.group.clone(),
                    topics: x.topics.iter().map(|t| self.topic_index(t).expect("validated")).collect(),
                    config: x.config.clone(),
                    start_ms: x.start_ms,
                    transform: x.transform.as_ref().map(|t| TransformSpec {
                        topic: self.topic_index(&t.to).expect("validated"),
                        producer: t.config.clone(),
                    }),
                })
                .collect(),
            transaction_topic: None,
        };
        if !self.consumers.is_empty() {
            // Groups need Kafka's internal topic for their metadata and committed offsets.
            let rf = c.config.offsets_topic_replication_factor.clamp(1, c.brokers);
            spec.offsets_topic = Some(spec.topics.len() as u32);
            spec.topics.push(internal_topic(
                c.brokers,
                "__consumer_offsets",
                c.config.offsets_topic_num_partitions,
                rf,
                TopicOverrides::default(),
            ));
        }
        let transactional = self.producers.iter().any(|p| p.config.transactional_id.is_some())
            || self.consumers.iter().any(|x| x.transform.as_ref().is_some_and(|t| t.config.transactional_id.is_some()));
        if transactional {
            // The transaction coordinator keeps its state in this internal topic.
            let rf = c.config.transaction_state_log_replication_factor.clamp(1, c.brokers);
            spec.transaction_topic = Some(spec.topics.len() as u32);
            let overrides = TopicOverrides {
                min_insync_replicas: Some(c.config.transaction_state_log_min_isr.min(rf)),
                ..Default::default()
            };
            spec.topics.push(internal_topic(
                c.brokers,
                "__transaction_state",
                c.config.transaction_state_log_num_partitions,
                rf,
                overrides,
            ));
        }
        spec
    }

    /// The timed actions, in timeline order (ties keep file order), and the narration
    /// texts the `Narrate` actions refer to.
    pub fn script(&self) -> (Vec<(Time, Action<KafkaAction>)>, Vec<Text>) {
        let mut narrations = Vec::new();
        let mut script: Vec<(Time, Action<KafkaAction>)> = Vec::new();
        for (i, e) in self.timeline.iter().enumerate() {
            let mut action = self.convert_entry(e, &format!("timeline[{i}]")).expect("validated");
            if let TimelineEntry::Narrate { text, .. } = e {
                action = Action::Model(KafkaAction::Narrate(narrations.len() as u32));
                narrations.push(text.clone());
            }
            script.push((e.at_ms(), action));
        }
        crate::kernel::sort::stable_sort_by(&mut script, &|a, b| a.0.cmp(&b.0));
        (script, narrations)
    }
}

/// An internal topic (`__consumer_offsets`, `__transaction_state`), placed like any other.
fn internal_topic(
    brokers: u32,
    name: &str,
    partitions: u32,
    replication_factor: u32,
    overrides: TopicOverrides,
) -> TopicSpec {
    TopicSpec {
        name: name.into(),
        partitions,
        replication_factor,
        overrides,
        assignment: place_replicas(brokers, partitions, replication_factor, 0),
    }
}

/// "b3" -> 3.
fn parse_broker_ref(name: &str) -> Option<u32> {
    name.strip_prefix('b').and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
      "id": "t", "title": {"en": "t"}, "duration_ms": 1000,
      "cluster": {"brokers": 3},
      "topics": [{"name": "orders", "partitions": 2, "replication_factor": 3}],
      "producers": [{"name": "app"}],
      "timeline": [{"at_ms": 10, "action": "produce", "producer": "app", "topic": "orders", "count": 2}]
    }"#;

    #[test]
    fn minimal_scenario_parses_with_kafka_defaults() {
        let s = Scenario::from_json(MINIMAL).unwrap();
        assert_eq!(s.cluster.config.replica_lag_time_max_ms, 30_000);
        assert_eq!(s.producers[0].config.acks, Acks::All);
        assert!(s.producers[0].config.idempotent());
        assert_eq!(s.spec().voters.len(), 3);
    }

    #[test]
    fn type_error_names_path_line_and_column() {
        let bad = MINIMAL.replace(r#""brokers": 3"#, r#""brokers": "three""#);
        let e = Scenario::from_json(&bad).unwrap_err();
        assert_eq!(e.path, "cluster.brokers");
        assert_eq!(e.line, Some(3));
        assert!(e.column.is_some());
        assert!(e.to_string().contains("cluster.brokers"), "{e}");
    }

    #[test]
    fn unknown_field_is_rejected_by_name() {
        let bad = MINIMAL.replace(r#""partitions": 2"#, r#""partitions": 2, "replicas": 3"#);
        let e = Scenario::from_json(&bad).unwrap_err();
        assert!(e.message.contains("replicas"), "{e}");
        assert_eq!(e.path, "topics[0].replicas");
    }

    #[test]
    fn semantic_errors_name_the_field() {
        let bad = MINIMAL.replace(r#""producer": "app""#, r#""producer": "nobody""#);
        let e = Scenario::from_json(&bad).unwrap_err();
        assert_eq!(e.path, "timeline[0].producer");
        assert!(e.message.contains("nobody"));
        let bad = MINIMAL.replace(r#""replication_factor": 3"#, r#""replication_factor": 4"#);
        assert_eq!(Scenario::from_json(&bad).unwrap_err().path, "topics[0].replication_factor");
        let bad = MINIMAL.replace(
            r#""producers": [{"name": "app"}]"#,
            r#""producers": [{"name": "app", "config": {"acks": "1", "enable.idempotence": true}}]"#,
        );
        let e = Scenario::from_json(&bad).unwrap_err();
        assert_eq!(e.path, "producers[0].config");
        assert!(e.message.contains("acks=all"));
    }

    #[test]
    fn acks_1_quietly_turns_idempotence_off_like_kafka() {
        let s =
            Scenario::from_json(&MINIMAL.replace(r#"{"name": "app"}"#, r#"{"name": "app", "config": {"acks": "1"}}"#))
                .unwrap();
        assert!(!s.producers[0].config.idempotent());
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let e = Scenario::from_json("{\n  \"id\": \"x\",,\n}").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
