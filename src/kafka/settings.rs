//! Changing a setting in the middle of a run (`KafkaAction::SetConfig`): the same key
//! names, types and checks as a scenario file, applied from that moment on.
//!
//! A value goes through serde (so Kafka's names, the types and `deny_unknown_fields`
//! apply exactly as when a scenario is loaded), then through the config's own
//! validation. Settings that shape the cluster when it is created (the internal topics'
//! sizes) or a client's identity (`transactional.id`) cannot change mid-run.
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::kafka::config::{BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use crate::kafka::world::Spec;

/// Whose configuration a SetConfig changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigTarget {
    /// Every broker (they share one configuration).
    Brokers,
    Topic(u32),
    Producer(u32),
    Consumer(u32),
    Reader(u32),
}

impl ConfigTarget {
    pub fn label(&self, spec: &Spec) -> String {
        match self {
            ConfigTarget::Brokers => "brokers".into(),
            ConfigTarget::Topic(t) => {
                format!("topic {}", spec.topics.get(*t as usize).map(|t| t.name.as_str()).unwrap_or("?"))
            }
            ConfigTarget::Producer(p) => spec.producer_name(*p),
            ConfigTarget::Consumer(c) => spec.consumers.get(*c as usize).map(|c| c.name.clone()).unwrap_or_default(),
            ConfigTarget::Reader(r) => spec.readers.get(*r as usize).map(|r| r.name.clone()).unwrap_or_default(),
        }
    }
}

/// Broker keys fixed when the cluster is created.
const FIXED_BROKER_KEYS: &[&str] = &[
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "transaction.state.log.num.partitions",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
];

/// `config` with `key` set to the JSON `value`, checked as a scenario file would be.
pub fn with_key<T: Serialize + DeserializeOwned>(config: &T, key: &str, value: &str) -> Result<T, String> {
    let value: serde_json::Value =
        serde_json::from_str(value).map_err(|e| format!("{key}: the value is not JSON ({e})"))?;
    let mut map = match serde_json::to_value(config) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return Err("this configuration cannot be edited".into()),
    };
    if value.is_null() {
        map.remove(key);
    } else {
        map.insert(key.to_string(), value);
    }
    // Back through text: the same deserializer as a scenario file uses (no second copy
    // of every config's deserializer in the page).
    let text = serde_json::Value::Object(map).to_string();
    serde_json::from_str(&text).map_err(|e| {
        let e = e.to_string();
        let e = e.rfind(" at line ").map(|i| e[..i].to_string()).unwrap_or(e);
        format!("{key}: {e}")
    })
}

/// The new configuration for `target`, or why `key = value` is refused.
pub fn check(spec: &Spec, target: &ConfigTarget, key: &str, value: &str) -> Result<NewConfig, String> {
    match target {
        ConfigTarget::Brokers => {
            if FIXED_BROKER_KEYS.contains(&key) {
                return Err(format!("{key} is fixed when the cluster is created: change it in the scenario"));
            }
            let c: BrokerConfig = with_key(&spec.broker, key, value)?;
            c.validate().map_err(|(k, m)| format!("{k}: {m}"))?;
            Ok(NewConfig::Brokers(c))
        }
        ConfigTarget::Topic(t) => {
            let topic = spec.topics.get(*t as usize).ok_or("no such topic")?;
            let c: TopicOverrides = with_key(&topic.overrides, key, value)?;
            c.validate().map_err(|(k, m)| format!("{k}: {m}"))?;
            Ok(NewConfig::Topic(c))
        }
        ConfigTarget::Producer(p) => {
            let old = spec.producer_config(*p).ok_or("no such producer")?;
            let c: ProducerConfig = with_key(old, key, value)?;
            if c.transactional_id != old.transactional_id {
                return Err("transactional.id is the producer's identity: it cannot change while it runs".into());
            }
            c.validate()?;
            Ok(NewConfig::Producer(c))
        }
        ConfigTarget::Consumer(i) => {
            let old = &spec.consumers.get(*i as usize).ok_or("no such consumer")?.config;
            let c: ConsumerConfig = with_key(old, key, value)?;
            c.validate()?;
            let b = &spec.broker;
            if c.session_timeout_ms < b.group_min_session_timeout_ms
                || c.session_timeout_ms > b.group_max_session_timeout_ms
            {
                return Err(format!(
                    "session.timeout.ms: must be within group.min.session.timeout.ms ({}) and group.max.session.timeout.ms ({})",
                    b.group_min_session_timeout_ms, b.group_max_session_timeout_ms
                ));
            }
            Ok(NewConfig::Consumer(c))
        }
        ConfigTarget::Reader(r) => {
            let old = &spec.readers.get(*r as usize).ok_or("no such reader")?.config;
            Ok(NewConfig::Reader(with_key(old, key, value)?))
        }
    }
}

/// A checked configuration, ready to apply.
#[derive(Clone, Debug)]
pub enum NewConfig {
    Brokers(BrokerConfig),
    Topic(TopicOverrides),
    Producer(ProducerConfig),
    Consumer(ConsumerConfig),
    Reader(ReaderConfig),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::config::Acks;

    #[test]
    fn a_key_is_set_through_kafkas_names_and_checked() {
        let p = ProducerConfig::default();
        let c = with_key(&p, "linger.ms", "20").unwrap();
        assert_eq!(c.linger_ms, 20);
        let c = with_key(&p, "acks", "\"1\"").unwrap();
        assert_eq!(c.acks, Acks::Leader);
        assert!(with_key(&p, "acks", "1").unwrap_err().contains("acks"), "a number is not a valid acks");
        assert!(with_key(&p, "linger", "20").unwrap_err().contains("unknown field"));
        assert!(with_key(&p, "linger.ms", "twenty").unwrap_err().contains("not JSON"));
        let c = with_key(&p, "enable.idempotence", "true").unwrap();
        assert_eq!(c.enable_idempotence, Some(true));
        assert_eq!(
            with_key(&c, "enable.idempotence", "null").unwrap().enable_idempotence,
            None,
            "null restores the default"
        );
    }
}
