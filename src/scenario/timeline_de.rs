//! Reading a timeline entry (`{"at_ms": …, "action": "produce", …}`).
//!
//! serde's derived deserializer for an internally tagged enum buffers every entry and
//! builds one visitor per variant: for this 30-variant enum that was ~27 KB of the
//! gzipped page. Here one flat struct takes every field any action may have (a single
//! small derived deserializer, still refusing unknown names), and each action then
//! checks which fields it takes, so a misplaced field is still an error that names it.
//! The entry's action is a [`Command`], the vocabulary the UI's actions and share links
//! use too; writing an entry gives back the same flat object.
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Text, TimelineEntry};
use crate::kafka::config::Acks;
use crate::kernel::Ratio;
use crate::session::command::Command;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    at_ms: u64,
    action: String,
    producer: Option<String>,
    topic: Option<String>,
    key: Option<String>,
    count: Option<u32>,
    partition: Option<u32>,
    broker: Option<u32>,
    between: Option<[String; 2]>,
    from: Option<String>,
    to: Option<String>,
    node: Option<String>,
    groups: Option<Vec<Vec<String>>>,
    extra_ms: Option<u64>,
    probability: Option<Ratio>,
    kind: Option<String>,
    acks: Option<Acks>,
    text: Option<Text>,
    consumer: Option<String>,
    ms: Option<u64>,
    gc: Option<bool>,
    topics: Option<Vec<String>>,
    partitions: Option<u32>,
    target: Option<String>,
    /// Present (even as `null`) or absent.
    #[serde(default, deserialize_with = "present")]
    value: Option<serde_json::Value>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Every action and the fields it takes (besides `at_ms` and `action`).
const ACTIONS: &[(&str, &[&str])] = &[
    ("produce", &["producer", "topic", "key", "count", "partition"]),
    ("crash", &["broker"]),
    ("power_loss", &["broker"]),
    ("restart", &["broker"]),
    ("cut", &["between"]),
    ("cut_one_way", &["from", "to"]),
    ("heal", &["between"]),
    ("isolate", &["node"]),
    ("partition", &["groups"]),
    ("heal_all", &[]),
    ("slow", &["node", "extra_ms"]),
    ("drop", &["probability"]),
    ("drop_next", &["from", "to", "kind", "count"]),
    ("set_acks", &["producer", "acks"]),
    ("narrate", &["text"]),
    ("consumer_crash", &["consumer"]),
    ("consumer_restart", &["consumer"]),
    ("consumer_pause", &["consumer", "ms", "gc"]),
    ("consumer_resume", &["consumer"]),
    ("consumer_close", &["consumer"]),
    ("consumer_subscribe", &["consumer", "topics"]),
    ("add_partitions", &["topic", "partitions"]),
    ("begin_transaction", &["producer"]),
    ("commit_transaction", &["producer"]),
    ("abort_transaction", &["producer"]),
    ("producer_crash", &["producer"]),
    ("producer_restart", &["producer"]),
    ("set_config", &["target", "key", "value"]),
];

impl RawEntry {
    /// The names of the optional fields that are present.
    fn present(&self) -> Vec<&'static str> {
        let fields: [(&'static str, bool); 25] = [
            ("producer", self.producer.is_some()),
            ("topic", self.topic.is_some()),
            ("key", self.key.is_some()),
            ("count", self.count.is_some()),
            ("partition", self.partition.is_some()),
            ("broker", self.broker.is_some()),
            ("between", self.between.is_some()),
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("node", self.node.is_some()),
            ("groups", self.groups.is_some()),
            ("extra_ms", self.extra_ms.is_some()),
            ("probability", self.probability.is_some()),
            ("kind", self.kind.is_some()),
            ("acks", self.acks.is_some()),
            ("text", self.text.is_some()),
            ("consumer", self.consumer.is_some()),
            ("ms", self.ms.is_some()),
            ("gc", self.gc.is_some()),
            ("topics", self.topics.is_some()),
            ("partitions", self.partitions.is_some()),
            ("target", self.target.is_some()),
            ("value", self.value.is_some()),
            ("", false),
            ("", false),
        ];
        fields.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect()
    }
}

/// A required field, or an error naming it.
fn req<T>(v: Option<T>, action: &str, field: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("missing field `{field}` (action \"{action}\")"))
}

impl<'de> Deserialize<'de> for TimelineEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut r = RawEntry::deserialize(d)?;
        let action = std::mem::take(&mut r.action);
        let a = action.as_str();
        let Some((_, takes)) = ACTIONS.iter().find(|(name, _)| *name == a) else {
            let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
            return Err(D::Error::custom(format!("unknown action `{a}`, expected one of {}", names.join(", "))));
        };
        if let Some(extra) = r.present().into_iter().find(|f| !takes.contains(f)) {
            return Err(D::Error::custom(format!(
                "unknown field `{extra}` for action \"{a}\" (it takes: at_ms, {})",
                takes.join(", ")
            )));
        }
        let at_ms = r.at_ms;
        let command = match a {
            "produce" | "set_acks" | "narrate" | "add_partitions" | "set_config" => r.data_command(a),
            name if name.starts_with("consumer_") => r.client_command(a),
            name if name.ends_with("_transaction") || name.starts_with("producer_") => r.client_command(a),
            _ => r.network_command(a),
        };
        command.map(|action| TimelineEntry { at_ms, action }).map_err(D::Error::custom)
    }
}

impl RawEntry {
    /// Brokers and the network.
    fn network_command(self, a: &str) -> Result<Command, String> {
        let link = |between: Option<[String; 2]>| -> Result<(String, String), String> {
            let [x, y] = req(between, a, "between")?;
            Ok((x, y))
        };
        Ok(match a {
            "crash" => Command::Crash(req(self.broker, a, "broker")?),
            "power_loss" => Command::PowerLoss(req(self.broker, a, "broker")?),
            "restart" => Command::Restart(req(self.broker, a, "broker")?),
            "cut" => {
                let (x, y) = link(self.between)?;
                Command::Cut(x, y)
            }
            "cut_one_way" => Command::CutOneWay(req(self.from, a, "from")?, req(self.to, a, "to")?),
            "heal" => {
                let (x, y) = link(self.between)?;
                Command::Heal(x, y)
            }
            "isolate" => Command::Isolate(req(self.node, a, "node")?),
            "partition" => Command::Partition(req(self.groups, a, "groups")?),
            "heal_all" => Command::HealAll,
            "slow" => Command::Slow(req(self.node, a, "node")?, req(self.extra_ms, a, "extra_ms")?),
            "drop" => Command::Drop(req(self.probability, a, "probability")?),
            "drop_next" => Command::DropNext {
                from: req(self.from, a, "from")?,
                to: req(self.to, a, "to")?,
                kind: self.kind,
                count: self.count.unwrap_or(1),
            },
            _ => unreachable!("listed in ACTIONS"),
        })
    }

    /// Records, narration, topics and settings.
    fn data_command(self, a: &str) -> Result<Command, String> {
        Ok(match a {
            "produce" => Command::Produce {
                producer: req(self.producer, a, "producer")?,
                topic: req(self.topic, a, "topic")?,
                key: self.key,
                count: self.count.unwrap_or(1),
                partition: self.partition,
            },
            "set_acks" => Command::SetAcks {
                producer: req(self.producer, a, "producer")?,
                acks: req(self.acks, a, "acks")?.as_str().to_string(),
            },
            "narrate" => Command::Narrate(req(self.text, a, "text")?),
            "add_partitions" => Command::AddPartitions {
                topic: req(self.topic, a, "topic")?,
                partitions: req(self.partitions, a, "partitions")?,
            },
            _ => Command::SetConfig {
                target: req(self.target, a, "target")?,
                key: req(self.key, a, "key")?,
                value: req(self.value, a, "value")?,
            },
        })
    }

    /// Consumer and producer processes, and transactions.
    fn client_command(self, a: &str) -> Result<Command, String> {
        if let Some(verb) = a.strip_prefix("consumer_") {
            let consumer = req(self.consumer, a, "consumer")?;
            return Ok(match verb {
                "crash" => Command::ConsumerCrash(consumer),
                "restart" => Command::ConsumerRestart(consumer),
                "pause" => {
                    Command::ConsumerPause { consumer, ms: req(self.ms, a, "ms")?, gc: self.gc.unwrap_or(false) }
                }
                "resume" => Command::ConsumerResume(consumer),
                "close" => Command::ConsumerClose(consumer),
                _ => Command::ConsumerSubscribe { consumer, topics: req(self.topics, a, "topics")? },
            });
        }
        let producer = req(self.producer, a, "producer")?;
        Ok(match a {
            "begin_transaction" => Command::BeginTransaction(producer),
            "commit_transaction" => Command::CommitTransaction(producer),
            "abort_transaction" => Command::AbortTransaction(producer),
            "producer_crash" => Command::ProducerCrash(producer),
            _ => Command::ProducerRestart(producer),
        })
    }
}

/// The written form of an entry: one flat struct, so one small derived serializer (not a
/// `json!` per field, nor one per action) writes every action.
#[derive(Serialize, Default)]
struct FlatOut<'a> {
    action: &'static str,
    at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    producer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partition: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    broker: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    between: Option<[&'a str; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [Vec<String>]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probability: Option<Ratio>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acks: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gc: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topics: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partitions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    /// Written even when it is `null` (which restores a default).
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a Value>,
}

impl Serialize for TimelineEntry {
    /// The flat object a file holds: `action`, `at_ms`, then the action's fields (an
    /// absent optional one is left out, as a reader takes it).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = flat_network(&self.action).unwrap_or_else(|| flat_client(&self.action));
        out.at_ms = self.at_ms;
        out.serialize(s)
    }
}

/// Brokers, the network, narration, topics and settings.
fn flat_network(c: &Command) -> Option<FlatOut<'_>> {
    let f = FlatOut::default;
    Some(match c {
        Command::Crash(b) => FlatOut { action: "crash", broker: Some(*b), ..f() },
        Command::PowerLoss(b) => FlatOut { action: "power_loss", broker: Some(*b), ..f() },
        Command::Restart(b) => FlatOut { action: "restart", broker: Some(*b), ..f() },
        Command::Cut(x, y) => FlatOut { action: "cut", between: Some([x, y]), ..f() },
        Command::CutOneWay(x, y) => FlatOut { action: "cut_one_way", from: Some(x), to: Some(y), ..f() },
        Command::Heal(x, y) => FlatOut { action: "heal", between: Some([x, y]), ..f() },
        Command::Isolate(n) => FlatOut { action: "isolate", node: Some(n), ..f() },
        Command::Partition(g) => FlatOut { action: "partition", groups: Some(g), ..f() },
        Command::HealAll => FlatOut { action: "heal_all", ..f() },
        Command::Slow(n, ms) => FlatOut { action: "slow", node: Some(n), extra_ms: Some(*ms), ..f() },
        Command::Drop(p) => FlatOut { action: "drop", probability: Some(*p), ..f() },
        Command::DropNext { from, to, kind, count } => FlatOut {
            action: "drop_next",
            from: Some(from),
            to: Some(to),
            kind: kind.as_deref(),
            count: Some(*count),
            ..f()
        },
        Command::Narrate(t) => FlatOut { action: "narrate", text: Some(t), ..f() },
        Command::AddPartitions { topic, partitions } => {
            FlatOut { action: "add_partitions", topic: Some(topic), partitions: Some(*partitions), ..f() }
        }
        Command::SetConfig { target, key, value } => {
            FlatOut { action: "set_config", target: Some(target), key: Some(key), value: Some(value), ..f() }
        }
        _ => return None,
    })
}

/// Producers, consumers and transactions.
fn flat_client(c: &Command) -> FlatOut<'_> {
    let f = FlatOut::default;
    fn consumer<'a>(action: &'static str, c: &'a str) -> FlatOut<'a> {
        FlatOut { action, consumer: Some(c), ..FlatOut::default() }
    }
    fn producer<'a>(action: &'static str, p: &'a str) -> FlatOut<'a> {
        FlatOut { action, producer: Some(p), ..FlatOut::default() }
    }
    match c {
        Command::Produce { producer: p, topic, key, count, partition } => FlatOut {
            action: "produce",
            producer: Some(p),
            topic: Some(topic),
            key: key.as_deref(),
            count: Some(*count),
            partition: *partition,
            ..f()
        },
        Command::SetAcks { producer: p, acks } => {
            FlatOut { action: "set_acks", producer: Some(p), acks: Some(acks), ..f() }
        }
        Command::ConsumerCrash(x) => consumer("consumer_crash", x),
        Command::ConsumerRestart(x) => consumer("consumer_restart", x),
        Command::ConsumerPause { consumer: x, ms, gc } => {
            FlatOut { action: "consumer_pause", consumer: Some(x), ms: Some(*ms), gc: Some(*gc), ..f() }
        }
        Command::ConsumerResume(x) => consumer("consumer_resume", x),
        Command::ConsumerClose(x) => consumer("consumer_close", x),
        Command::ConsumerSubscribe { consumer: x, topics } => {
            FlatOut { action: "consumer_subscribe", consumer: Some(x), topics: Some(topics), ..f() }
        }
        Command::BeginTransaction(p) => producer("begin_transaction", p),
        Command::CommitTransaction(p) => producer("commit_transaction", p),
        Command::AbortTransaction(p) => producer("abort_transaction", p),
        Command::ProducerCrash(p) => producer("producer_crash", p),
        Command::ProducerRestart(p) => producer("producer_restart", p),
        // RocketMQ's actions never pass a Kafka scenario's check; written by name, a Kafka
        // file holding one is refused when read ("unknown action").
        Command::Send { producer: p, .. } => producer("send", p),
        Command::DiskStall { .. } => FlatOut { action: "disk_stall", ..f() },
        Command::ConsumerFail { consumer: x, .. } => consumer("consumer_fail", x),
        _ => unreachable!("flat_network writes the others"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<TimelineEntry, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_read_as_before_with_their_defaults() {
        assert_eq!(
            parse(r#"{"at_ms": 5, "action": "produce", "producer": "p", "topic": "t"}"#).unwrap(),
            TimelineEntry {
                at_ms: 5,
                action: Command::Produce {
                    producer: "p".into(),
                    topic: "t".into(),
                    key: None,
                    count: 1,
                    partition: None
                }
            }
        );
        assert_eq!(
            parse(r#"{"at_ms": 1, "action": "heal_all"}"#).unwrap(),
            TimelineEntry { at_ms: 1, action: Command::HealAll }
        );
        assert_eq!(
            parse(r#"{"at_ms": 1, "action": "set_config", "target": "brokers", "key": "k", "value": null}"#).unwrap(),
            TimelineEntry {
                at_ms: 1,
                action: Command::SetConfig {
                    target: "brokers".into(),
                    key: "k".into(),
                    value: serde_json::Value::Null
                }
            },
            "null is a value (restore the default)"
        );
    }

    #[test]
    fn every_action_round_trips_through_its_serialized_form() {
        for (name, takes) in ACTIONS {
            let mut obj = serde_json::json!({"at_ms": 3, "action": name});
            for f in *takes {
                obj[*f] = match *f {
                    "count" | "partition" | "broker" | "partitions" => serde_json::json!(2),
                    "extra_ms" | "ms" => serde_json::json!(7),
                    "between" => serde_json::json!(["b1", "b2"]),
                    "groups" => serde_json::json!([["b1"], ["b2"]]),
                    "probability" => serde_json::json!({"numerator": 1, "denominator": 2}),
                    "acks" => serde_json::json!("all"),
                    "text" => serde_json::json!({"en": "hi"}),
                    "gc" => serde_json::json!(true),
                    "topics" => serde_json::json!(["t"]),
                    "value" => serde_json::json!(5),
                    _ => serde_json::json!("x"),
                };
            }
            let e: TimelineEntry = serde_json::from_value(obj.clone()).unwrap_or_else(|err| panic!("{name}: {err}"));
            let back = serde_json::to_value(&e).unwrap();
            assert_eq!(back, obj, "{name}");
        }
    }

    #[test]
    fn misplaced_missing_and_unknown_fields_are_named() {
        let e = parse(r#"{"at_ms": 1, "action": "crash", "broker": 1, "text": {"en": "x"}}"#).unwrap_err();
        assert!(e.contains("unknown field `text` for action \"crash\""), "{e}");
        let e = parse(r#"{"at_ms": 1, "action": "crash"}"#).unwrap_err();
        assert!(e.contains("missing field `broker`"), "{e}");
        let e = parse(r#"{"at_ms": 1, "action": "explode"}"#).unwrap_err();
        assert!(e.contains("unknown action `explode`"), "{e}");
        let e = parse(r#"{"at_ms": 1, "action": "crash", "brokr": 1}"#).unwrap_err();
        assert!(e.contains("unknown field `brokr`"), "{e}");
        let e = parse(r#"{"at_ms": "soon", "action": "heal_all"}"#).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
    }
}
