//! The scenario format: a JSON file that says everything a run needs: the cluster, its
//! configuration, topics, clients, the seed, a timeline of actions and narration, and
//! optionally the checker verdict the scenario expects. Documented in docs/scenarios.md.
//!
//! Loading never panics: a syntax or type error names the path of the bad field and its
//! line and column; a semantic error (an unknown producer, a replication factor larger
//! than the cluster, ...) names the path of the field.
use std::fmt;

pub(crate) mod json_path;
pub mod rocketmq;
mod timeline_de;

use serde::{Deserialize, Serialize};

use crate::kafka::config::{BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use crate::kafka::types::BrokerId;
use crate::kafka::world::{
    place_replicas, ConsumerSpec, KafkaAction, ProducerSpec, ReaderSpec, Spec, TopicSpec, TransformSpec,
};
use crate::kernel::sim::Action;
use crate::kernel::{NetworkConfig, Time};
use crate::lang::Lang;
use crate::session::command::Command;

pub use model::Model;

mod model;
mod validate;

/// Text in English and, optionally, Simplified Chinese.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Text {
    /// The text in `lang`; English when there is no translation.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => self.zh.as_deref().unwrap_or(&self.en),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The broker model the run is of; `kafka` when absent.
    #[serde(default, skip_serializing_if = "Model::is_default")]
    pub model: Model,
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
    /// A RocketMQ scenario's own document (`model` is then `RocketMq`; the fields above
    /// that both models share are copied from it, the Kafka ones stay empty).
    #[serde(skip)]
    pub rocketmq: Option<Box<rocketmq::RocketMqScenario>>,
    /// A run saved by the app's Export: what the user did and where they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplaySection>,
}

/// A run as the app's Export writes it: the seed, the hand-made actions (each `STEP:ACTION`,
/// as in a share link's `do=`) and the step it was at. The app's Import replays them;
/// `highwater run` runs the scenario as written and says it left them out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaySection {
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub step: u64,
    #[serde(default)]
    pub actions: Vec<String>,
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

/// One timed action: at `at_ms`, a [`Command`] of the one action vocabulary (nodes are
/// named "b1".."bN" for brokers, or by client name). Read and written as a flat JSON
/// object, `{"at_ms": 100, "action": "crash", "broker": 1}`, by `timeline_de`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at_ms: u64,
    pub action: Command,
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

/// A timeline entry's error: `timeline[i].FIELD: MESSAGE`.
fn entry_error(i: usize, e: &crate::session::command::CommandError) -> ScenarioError {
    let path = if e.field.is_empty() { format!("timeline[{i}]") } else { format!("timeline[{i}].{}", e.field) };
    semantic(path, e.message.clone())
}

/// What a file holds when it is JSON but not an object ("an array", ...), by its first
/// character (a whole parse would read a large file twice); None for an object and for
/// anything else (the parser then says where it breaks).
fn not_an_object(text: &str) -> Option<&'static str> {
    match text.trim_start_matches('\u{feff}').trim_start().chars().next()? {
        '[' => Some("an array"),
        '"' => Some("a string"),
        '0'..='9' | '-' => Some("a number"),
        't' | 'f' => Some("true or false"),
        'n' => Some("null"),
        _ => None,
    }
}

/// Only the `model` field, to pick the format before reading the rest.
#[derive(Deserialize)]
struct ModelPeek {
    #[serde(default)]
    model: Option<serde_json::Value>,
}

pub use crate::session::kafka::KNOWN_MESSAGE_KINDS;

/// Limits that keep a run bounded (and a browser tab alive).
pub const MAX_BROKERS: u32 = 64;
pub const MAX_PARTITIONS_TOTAL: u32 = 4_096;
pub const MAX_CLIENTS: usize = 64;
pub const MAX_DURATION_MS: u64 = 24 * 3_600_000;

impl Scenario {
    /// Parse and validate a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if let Some(kind) = not_an_object(text) {
            let message =
                format!("a scenario file holds one JSON object ({{\"id\": ..., \"cluster\": ...}}), not {kind}");
            return Err(ScenarioError { path: String::new(), line: Some(1), column: Some(1), message });
        }
        let peek: Option<ModelPeek> = serde_json::from_str(text).ok();
        if peek.and_then(|p| p.model).is_some_and(|m| m == "rocketmq") {
            let doc: rocketmq::RocketMqScenario = serde_json::from_str(text).map_err(|e| parse_error(text, e))?;
            doc.validate()?;
            return Ok(Scenario::of_rocketmq(doc));
        }
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| parse_error(text, e))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// A RocketMQ document under the shared fields.
    fn of_rocketmq(doc: rocketmq::RocketMqScenario) -> Scenario {
        Scenario {
            model: Model::RocketMq,
            id: doc.id.clone(),
            title: doc.title.clone(),
            description: doc.description.clone(),
            seed: doc.seed,
            duration_ms: doc.duration_ms,
            cluster: ClusterSection { brokers: 0, controller_voters: None, config: BrokerConfig::default() },
            network: doc.network.clone(),
            topics: Vec::new(),
            producers: Vec::new(),
            readers: Vec::new(),
            consumers: Vec::new(),
            timeline: Vec::new(),
            expect: doc.expect.clone(),
            replay: doc.replay.clone(),
            rocketmq: Some(Box::new(doc)),
        }
    }

    /// The shared fields written back into the RocketMQ document (a seed or a title
    /// changed on the shared fields is kept).
    fn rocketmq_doc(&self) -> Option<rocketmq::RocketMqScenario> {
        let mut doc = (**self.rocketmq.as_ref()?).clone();
        doc.id = self.id.clone();
        doc.title = self.title.clone();
        doc.description = self.description.clone();
        doc.seed = self.seed;
        doc.replay = self.replay.clone();
        doc.duration_ms = self.duration_ms;
        doc.network = self.network.clone();
        doc.expect = self.expect.clone();
        Some(doc)
    }
}

/// A serde error with the path, line and column of the bad field.
fn parse_error(text: &str, inner: serde_json::Error) -> ScenarioError {
    let message = inner.to_string();
    let (path, line, column) = match inner.line() {
        0 => (String::new(), 0, 0),
        line => {
            let at = json_path::locate(text, line, inner.column(), &message);
            (at.path, at.line, at.column)
        }
    };
    // serde_json appends " at line L column C"; we report those separately.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    ScenarioError { path, line: (line > 0).then_some(line), column: (line > 0).then_some(column), message }
}

impl Scenario {
    pub fn to_json(&self) -> String {
        match self.rocketmq_doc() {
            Some(doc) => serde_json::to_string_pretty(&doc),
            None => serde_json::to_string_pretty(self),
        }
        .expect("a scenario always serialises")
    }

    fn topic_index(&self, name: &str) -> Option<u32> {
        self.topics.iter().position(|t| t.name == name).map(|i| i as u32)
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
        self.add_internal_topics(&mut spec);
        spec
    }

    /// Kafka's internal topics, after the scenario's: `__consumer_offsets` when there are
    /// groups, `__transaction_state` when there are transactions.
    fn add_internal_topics(&self, spec: &mut Spec) {
        let c = &self.cluster;
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
    }

    /// The timed actions, in timeline order (ties keep file order), and the narration
    /// texts the `Narrate` actions refer to.
    pub fn script(&self) -> (Vec<(Time, Action<KafkaAction>)>, Vec<Text>) {
        let spec = self.spec();
        let mut narrations = Vec::new();
        let mut script: Vec<(Time, Action<KafkaAction>)> = Vec::new();
        for e in &self.timeline {
            let mut action = crate::session::kafka::resolve(&spec, &e.action).expect("validated");
            if let Command::Narrate(text) = &e.action {
                action = Action::Model(KafkaAction::Narrate(narrations.len() as u32));
                narrations.push(text.clone());
            }
            script.push((e.at_ms, action));
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
mod tests;
