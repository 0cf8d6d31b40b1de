//! The scenario format: a JSON file that says everything a run needs: the cluster, its
//! configuration, topics, clients, the seed, a timeline of actions and narration, and
//! optionally the checker verdict the scenario expects. Documented in docs/scenarios.md.
//!
//! Loading never panics: a syntax or type error names the path of the bad field and its
//! line and column; a semantic error (an unknown producer, a replication factor larger
//! than the cluster, ...) names the path of the field.
use std::fmt;

pub(crate) mod json_path;
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

pub use crate::session::kafka::KNOWN_MESSAGE_KINDS;

/// Limits that keep a run bounded (and a browser tab alive).
pub const MAX_BROKERS: u32 = 64;
pub const MAX_PARTITIONS_TOTAL: u32 = 4_096;
pub const MAX_CLIENTS: usize = 64;
pub const MAX_DURATION_MS: u64 = 24 * 3_600_000;

impl Scenario {
    /// Parse and validate a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|inner: serde_json::Error| {
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
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
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
mod tests {
    use super::*;
    use crate::kafka::config::Acks;

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
    fn the_model_field_defaults_to_kafka_and_names_the_others() {
        assert_eq!(Scenario::from_json(MINIMAL).unwrap().model, Model::Kafka);
        let with = |m: &str| MINIMAL.replacen("{", &format!("{{\n \"model\": \"{m}\","), 1);
        let s = Scenario::from_json(&with("kafka")).unwrap();
        assert!(!s.to_json().contains("model"), "written back as before");
        let e = Scenario::from_json(&with("rocketmq")).unwrap_err();
        assert_eq!(e.path, "model");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("model: the rocketmq model is not available yet"), "{e}");
        let e = Scenario::from_json(&with("pulsar")).unwrap_err();
        assert!(e.to_string().contains("unknown model `pulsar`, expected one of kafka, rocketmq"), "{e}");
    }

    #[test]
    fn an_entry_error_names_that_entry_and_its_position_not_the_next() {
        let two = |first: &str| {
            MINIMAL.replace(r#""timeline": [{"at_ms": 10,"#, &format!("\"timeline\": [\n{first},\n  {{\"at_ms\": 10,"))
        };
        for (first, message) in [
            (r#"  {"at_ms": 5, "action": "bogus"}"#, "unknown action `bogus`"),
            (r#"  {"at_ms": 5, "action": "produce", "topic": "orders"}"#, "missing field `producer`"),
        ] {
            let text = two(first);
            let e = Scenario::from_json(&text).unwrap_err();
            assert_eq!(e.path, "timeline[0]", "{e}");
            assert!(e.message.starts_with(message), "{e}");
            let line = text.lines().position(|l| l.starts_with(first)).unwrap() + 1;
            assert_eq!((e.line, e.column), (Some(line), Some(3)), "{e}");
        }
        // A type error inside the second entry stays with the second entry.
        let e = Scenario::from_json(
            &two(r#"  {"at_ms": 5, "action": "heal_all"}"#).replace(r#""at_ms": 10"#, r#""at_ms": "ten""#),
        )
        .unwrap_err();
        assert_eq!(e.path, "timeline[1].at_ms", "{e}");
    }

    #[test]
    fn sizes_kafka_rejects_and_sums_past_u32_are_refused_by_name() {
        for key in
            ["transaction.state.log.num.partitions", "offsets.topic.num.partitions", "transaction.state.log.min.isr"]
        {
            let bad = MINIMAL.replace(r#""brokers": 3"#, &format!(r#""brokers": 3, "config": {{"{key}": 0}}"#));
            let e = Scenario::from_json(&bad).unwrap_err();
            assert_eq!(e.path, format!("cluster.config.{key}"));
            assert!(e.message.contains("at least 1"), "{e}");
        }
        // 4294967295 + 2 wraps to 1 in u32: the sum must saturate, and name the topic.
        let huge = MINIMAL.replace(
            r#"[{"name": "orders", "partitions": 2, "replication_factor": 3}]"#,
            r#"[{"name": "orders", "partitions": 2, "replication_factor": 3}, {"name": "x", "partitions": 4294967295, "replication_factor": 1}]"#,
        );
        let e = Scenario::from_json(&huge).unwrap_err();
        assert_eq!(e.path, "topics[1].partitions");
        assert!(e.message.contains("at most 4096"), "{e}");
    }

    #[test]
    fn the_timeline_shares_the_ui_limits() {
        let entry = |e: &str| {
            MINIMAL
                .replace(r#"{"at_ms": 10, "action": "produce", "producer": "app", "topic": "orders", "count": 2}"#, e)
        };
        let cases = [
            (
                r#"{"at_ms": 1, "action": "cut", "between": ["b1", "b1"]}"#,
                "timeline[0].between[1]: a link needs two different nodes",
            ),
            (
                r#"{"at_ms": 1, "action": "produce", "producer": "app", "topic": "orders", "count": 100001}"#,
                "timeline[0].count: must be between 1 and 100000",
            ),
            (
                r#"{"at_ms": 1, "action": "consumer_pause", "consumer": "app", "ms": 5}"#,
                "timeline[0].consumer: unknown consumer \"app\"",
            ),
            (
                r#"{"at_ms": 1, "action": "slow", "node": "b1", "extra_ms": 3600001}"#,
                "timeline[0].extra_ms: must be at most 3600000 ms",
            ),
            (
                r#"{"at_ms": 1, "action": "isolate", "node": "c9"}"#,
                "timeline[0].node: unknown node \"c9\" (brokers are b1..b3, or a client name)",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(Scenario::from_json(&entry(e)).unwrap_err().to_string(), want);
        }
        let idempotent = MINIMAL
            .replace(r#"{"name": "app"}"#, r#"{"name": "app", "config": {"enable.idempotence": true}}"#)
            .replace(r#""topic": "orders", "count": 2}"#, r#""topic": "orders", "count": 2}, {"at_ms": 20, "action": "set_acks", "producer": "app", "acks": "1"}"#);
        let e = Scenario::from_json(&idempotent).unwrap_err();
        assert_eq!(e.path, "timeline[1].acks");
        assert!(e.message.contains("requires acks=all"), "{e}");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let e = Scenario::from_json("{\n  \"id\": \"x\",,\n}").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
