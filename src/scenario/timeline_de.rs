//! Reading a timeline entry (`{"at_ms": …, "action": "produce", …}`).
//!
//! serde's derived deserializer for an internally tagged enum buffers every entry and
//! builds one visitor per variant: for this 30-variant enum that was ~27 KB of the
//! gzipped page. Here one flat struct takes every field any action may have (a single
//! small derived deserializer, still refusing unknown names), and each action then
//! checks which fields it takes, so a misplaced field is still an error that names it.
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::{one, Text, TimelineEntry};
use crate::kafka::config::Acks;
use crate::kernel::Ratio;

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
fn req<T, E: serde::de::Error>(v: Option<T>, action: &str, field: &str) -> Result<T, E> {
    v.ok_or_else(|| E::custom(format!("missing field `{field}` (action \"{action}\")")))
}

impl<'de> Deserialize<'de> for TimelineEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawEntry::deserialize(d)?;
        let a = r.action.as_str();
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
        let producer = || req(r.producer.clone(), a, "producer");
        let consumer = || req(r.consumer.clone(), a, "consumer");
        let broker = || req(r.broker, a, "broker");
        Ok(match a {
            "produce" => TimelineEntry::Produce {
                at_ms,
                producer: producer()?,
                topic: req(r.topic, a, "topic")?,
                key: r.key,
                count: r.count.unwrap_or_else(one),
                partition: r.partition,
            },
            "crash" => TimelineEntry::Crash { at_ms, broker: broker()? },
            "power_loss" => TimelineEntry::PowerLoss { at_ms, broker: broker()? },
            "restart" => TimelineEntry::Restart { at_ms, broker: broker()? },
            "cut" => TimelineEntry::Cut { at_ms, between: req(r.between, a, "between")? },
            "cut_one_way" => TimelineEntry::CutOneWay { at_ms, from: req(r.from, a, "from")?, to: req(r.to, a, "to")? },
            "heal" => TimelineEntry::Heal { at_ms, between: req(r.between, a, "between")? },
            "isolate" => TimelineEntry::Isolate { at_ms, node: req(r.node, a, "node")? },
            "partition" => TimelineEntry::Partition { at_ms, groups: req(r.groups, a, "groups")? },
            "heal_all" => TimelineEntry::HealAll { at_ms },
            "slow" => {
                TimelineEntry::Slow { at_ms, node: req(r.node, a, "node")?, extra_ms: req(r.extra_ms, a, "extra_ms")? }
            }
            "drop" => TimelineEntry::Drop { at_ms, probability: req(r.probability, a, "probability")? },
            "drop_next" => TimelineEntry::DropNext {
                at_ms,
                from: req(r.from, a, "from")?,
                to: req(r.to, a, "to")?,
                kind: r.kind,
                count: r.count.unwrap_or_else(one),
            },
            "set_acks" => TimelineEntry::SetAcks { at_ms, producer: producer()?, acks: req(r.acks, a, "acks")? },
            "narrate" => TimelineEntry::Narrate { at_ms, text: req(r.text, a, "text")? },
            "consumer_crash" => TimelineEntry::ConsumerCrash { at_ms, consumer: consumer()? },
            "consumer_restart" => TimelineEntry::ConsumerRestart { at_ms, consumer: consumer()? },
            "consumer_pause" => TimelineEntry::ConsumerPause {
                at_ms,
                consumer: consumer()?,
                ms: req(r.ms, a, "ms")?,
                gc: r.gc.unwrap_or(false),
            },
            "consumer_resume" => TimelineEntry::ConsumerResume { at_ms, consumer: consumer()? },
            "consumer_close" => TimelineEntry::ConsumerClose { at_ms, consumer: consumer()? },
            "consumer_subscribe" => {
                TimelineEntry::ConsumerSubscribe { at_ms, consumer: consumer()?, topics: req(r.topics, a, "topics")? }
            }
            "add_partitions" => TimelineEntry::AddPartitions {
                at_ms,
                topic: req(r.topic, a, "topic")?,
                partitions: req(r.partitions, a, "partitions")?,
            },
            "begin_transaction" => TimelineEntry::BeginTransaction { at_ms, producer: producer()? },
            "commit_transaction" => TimelineEntry::CommitTransaction { at_ms, producer: producer()? },
            "abort_transaction" => TimelineEntry::AbortTransaction { at_ms, producer: producer()? },
            "producer_crash" => TimelineEntry::ProducerCrash { at_ms, producer: producer()? },
            "producer_restart" => TimelineEntry::ProducerRestart { at_ms, producer: producer()? },
            "set_config" => TimelineEntry::SetConfig {
                at_ms,
                target: req(r.target, a, "target")?,
                key: req(r.key, a, "key")?,
                value: req(r.value, a, "value")?,
            },
            _ => unreachable!("listed in ACTIONS"),
        })
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
            TimelineEntry::Produce {
                at_ms: 5,
                producer: "p".into(),
                topic: "t".into(),
                key: None,
                count: 1,
                partition: None
            }
        );
        assert_eq!(parse(r#"{"at_ms": 1, "action": "heal_all"}"#).unwrap(), TimelineEntry::HealAll { at_ms: 1 });
        assert_eq!(
            parse(r#"{"at_ms": 1, "action": "set_config", "target": "brokers", "key": "k", "value": null}"#).unwrap(),
            TimelineEntry::SetConfig {
                at_ms: 1,
                target: "brokers".into(),
                key: "k".into(),
                value: serde_json::Value::Null
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
