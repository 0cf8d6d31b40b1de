//! The RocketMQ scenario format (`"model": "rocketmq"`): broker groups (a master and its
//! slaves, under RocketMQ's own setting names), topics with their queue counts, producers,
//! push consumers, and a timeline in the one action vocabulary the UI uses too. Documented
//! in docs/scenarios.md, "RocketMQ scenarios".
//!
//! A broker is named `<group>-<brokerId>` (`broker-a-0` is broker-a's master). Settings are
//! set by name through the model's own tables, so an unknown name is refused with the
//! accepted names listed, and the topology is checked as RocketMQ's start-up would.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{semantic, Expectation, ScenarioError, Text};
use crate::kernel::sim::Action;
use crate::kernel::{NetworkConfig, Time};
use crate::rocketmq::config::{BrokerConfig, BrokerRole, FlushDiskType, SettingValue, Version};
use crate::rocketmq::world::Spec;
use crate::rocketmq::RocketMqAction;
use crate::session::command::Command;

mod timeline;

pub use timeline::{RocketMqEntry, ACTIONS};

/// A setting's value as a file may write it: `"SYNC_MASTER"`, `5000`, `true`.
pub type Settings = BTreeMap<String, serde_json::Value>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RocketMqScenario {
    /// Always `rocketmq` (the field that chose this format).
    pub model: String,
    /// The release line whose defaults and settings apply: "4.9.x" (default) or "5.x".
    #[serde(default = "default_version")]
    pub version: String,
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub duration_ms: u64,
    #[serde(default)]
    pub network: NetworkConfig,
    /// Name servers (default 1).
    #[serde(default = "one")]
    pub name_servers: u32,
    pub broker_groups: Vec<BrokerGroupSection>,
    pub topics: Vec<TopicSection>,
    #[serde(default)]
    pub producers: Vec<ClientSection>,
    #[serde(default)]
    pub consumers: Vec<ConsumerSection>,
    #[serde(default)]
    pub timeline: Vec<RocketMqEntry>,
    #[serde(default)]
    pub expect: Option<Expectation>,
    /// A run saved by the app's Export (see `ReplaySection`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<super::ReplaySection>,
}

fn default_version() -> String {
    "4.9.x".into()
}
fn default_seed() -> u64 {
    1
}
fn one() -> u32 {
    1
}

/// A broker group: a master (brokerId 0) and `slaves` slaves, or its `brokers` one by one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerGroupSection {
    /// `brokerName`, e.g. "broker-a".
    pub name: String,
    /// The master's `brokerRole`: ASYNC_MASTER (default) or SYNC_MASTER.
    #[serde(rename = "brokerRole", default)]
    pub broker_role: Option<String>,
    /// Every member's `flushDiskType`: ASYNC_FLUSH (default) or SYNC_FLUSH.
    #[serde(rename = "flushDiskType", default)]
    pub flush_disk_type: Option<String>,
    /// How many slaves (brokerId 1, 2, ...); default 1.
    #[serde(default)]
    pub slaves: Option<u32>,
    /// The members one by one instead of `brokerRole` + `slaves`.
    #[serde(default)]
    pub brokers: Option<Vec<BrokerSection>>,
    /// Settings of every member, by RocketMQ's names.
    #[serde(default)]
    pub config: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSection {
    #[serde(rename = "brokerId")]
    pub broker_id: i64,
    #[serde(rename = "brokerRole")]
    pub broker_role: String,
    #[serde(default)]
    pub config: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSection {
    pub name: String,
    /// readQueueNums and writeQueueNums on every group (default 4, RocketMQ's).
    #[serde(default = "four")]
    pub queues: u32,
    #[serde(default)]
    pub config: Settings,
}

fn four() -> u32 {
    4
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSection {
    pub name: String,
    #[serde(default)]
    pub config: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSection {
    /// The client id (RocketMQ's `clientIP@instanceName`; any name here).
    pub name: String,
    /// The consumer group.
    pub group: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub start_ms: u64,
    /// How long the listener takes per message (default 1 ms).
    #[serde(default = "one_ms")]
    pub consume_ms: u64,
    #[serde(default)]
    pub config: Settings,
}

fn one_ms() -> u64 {
    1
}

/// A JSON value as the string RocketMQ's config parser would read.
fn setting_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Java enum constant by its name (`SYNC_MASTER`), or an error listing the accepted ones.
fn java_enum<T: SettingValue>(s: &str, path: &str) -> Result<T, ScenarioError> {
    T::parse_setting(s).ok_or_else(|| semantic(path, format!("unknown value \"{s}\" (accepted: {})", T::ACCEPTED)))
}

/// Applies `settings` with `set`, naming the bad one under `path`.
fn apply(
    settings: &Settings,
    path: &str,
    mut set: impl FnMut(&str, &str) -> Result<(), String>,
) -> Result<(), ScenarioError> {
    for (name, value) in settings {
        set(name, &setting_text(value)).map_err(|e| semantic(format!("{path}.{name}"), e))?;
    }
    Ok(())
}

impl RocketMqScenario {
    pub fn version(&self) -> Version {
        self.version.parse().unwrap_or(Version::V4_9)
    }

    /// The brokers of every group, in file order, each named `<group>-<brokerId>`.
    fn brokers(&self) -> Result<Vec<BrokerConfig>, ScenarioError> {
        let version = self.version();
        let mut out = Vec::new();
        for (g, group) in self.broker_groups.iter().enumerate() {
            let path = format!("broker_groups[{g}]");
            if group.name.is_empty() {
                return Err(semantic(format!("{path}.name"), "a broker group needs a name (brokerName)"));
            }
            let flush: FlushDiskType = match &group.flush_disk_type {
                Some(f) => java_enum(f, &format!("{path}.flushDiskType"))?,
                None => FlushDiskType::AsyncFlush,
            };
            let members: Vec<(i64, BrokerRole, &Settings, String)> = match &group.brokers {
                Some(list) => {
                    if group.slaves.is_some() || group.broker_role.is_some() {
                        return Err(semantic(&path, "give either `brokers` or `brokerRole` and `slaves`, not both"));
                    }
                    let mut m = Vec::new();
                    for (i, b) in list.iter().enumerate() {
                        let p = format!("{path}.brokers[{i}]");
                        let role = java_enum(&b.broker_role, &format!("{p}.brokerRole"))?;
                        m.push((b.broker_id, role, &b.config, p));
                    }
                    m
                }
                None => {
                    let role: BrokerRole = match &group.broker_role {
                        Some(r) => java_enum(r, &format!("{path}.brokerRole"))?,
                        None => BrokerRole::AsyncMaster,
                    };
                    if role == BrokerRole::Slave {
                        return Err(semantic(
                            format!("{path}.brokerRole"),
                            "the group's brokerRole is its master's (ASYNC_MASTER or SYNC_MASTER); list `brokers` to give each member its own",
                        ));
                    }
                    let slaves = group.slaves.unwrap_or(1);
                    if slaves > 8 {
                        return Err(semantic(format!("{path}.slaves"), "at most 8 slaves per group"));
                    }
                    let none = &group.config;
                    let mut m = vec![(0, role, none, path.clone())];
                    m.extend((1..=slaves as i64).map(|id| (id, BrokerRole::Slave, none, path.clone())));
                    m
                }
            };
            for (id, role, own, p) in members {
                let mut b = BrokerConfig::member(version, &group.name, id, role);
                b.flush_disk_type = flush;
                apply(&group.config, &format!("{path}.config"), |n, v| b.set(n, v).map_err(|e| e.to_string()))?;
                apply(own, &format!("{p}.config"), |n, v| b.set(n, v).map_err(|e| e.to_string()))?;
                out.push(b);
            }
        }
        Ok(out)
    }

    /// The cluster's static description, checked as RocketMQ's start-up would.
    pub fn build_spec(&self) -> Result<Spec, ScenarioError> {
        let version: Version = self.version.parse().map_err(|e: String| semantic("version", e))?;
        let mut spec = Spec::new(version, self.brokers()?).map_err(|e| semantic("broker_groups", e.to_string()))?;
        spec.name_servers = self.name_servers;
        for (i, t) in self.topics.iter().enumerate() {
            let queues = i32::try_from(t.queues).unwrap_or(i32::MAX);
            let index = spec.topic(&t.name, queues) as usize;
            let config = &mut spec.topics[index].config;
            apply(&t.config, &format!("topics[{i}].config"), |n, v| config.set(n, v).map_err(|e| e.to_string()))?;
        }
        for (i, p) in self.producers.iter().enumerate() {
            let index = spec.producer(&p.name) as usize;
            let config = &mut spec.producers[index].config;
            apply(&p.config, &format!("producers[{i}].config"), |n, v| config.set(n, v).map_err(|e| e.to_string()))?;
        }
        for (i, c) in self.consumers.iter().enumerate() {
            let mut topics = Vec::new();
            for (j, t) in c.topics.iter().enumerate() {
                let index = self
                    .topic_index(t)
                    .ok_or_else(|| semantic(format!("consumers[{i}].topics[{j}]"), format!("unknown topic \"{t}\"")))?;
                topics.push(index);
            }
            let index = spec.consumer(&c.name, &c.group, &topics) as usize;
            let x = &mut spec.consumers[index];
            x.start_ms = c.start_ms;
            x.consume_ms = c.consume_ms;
            let config = &mut x.config;
            apply(&c.config, &format!("consumers[{i}].config"), |n, v| config.set(n, v).map_err(|e| e.to_string()))?;
        }
        Ok(spec)
    }

    pub fn topic_index(&self, name: &str) -> Option<u32> {
        self.topics.iter().position(|t| t.name == name).map(|i| i as u32)
    }

    /// Everything the builders do not check: names, limits, the timeline's references.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.model != "rocketmq" {
            return Err(semantic("model", "a RocketMQ scenario has \"model\": \"rocketmq\""));
        }
        if self.duration_ms == 0 || self.duration_ms > super::MAX_DURATION_MS {
            return Err(semantic("duration_ms", format!("must be between 1 and {}", super::MAX_DURATION_MS)));
        }
        if self.network.drop.denominator == 0 {
            return Err(semantic("network.drop.denominator", "must not be 0"));
        }
        if self.name_servers == 0 || self.name_servers > 3 {
            return Err(semantic("name_servers", "must be between 1 and 3"));
        }
        self.check_names()?;
        let spec = self.build_spec()?;
        spec.validate().map_err(|e| semantic("", e))?;
        if spec.brokers.len() as u32 > super::MAX_BROKERS {
            return Err(semantic("broker_groups", format!("at most {} brokers in all", super::MAX_BROKERS)));
        }
        self.commands(&spec)?;
        if let Some(exp) = &self.expect {
            super::validate::check_expectation(exp)?;
        }
        Ok(())
    }

    fn check_names(&self) -> Result<(), ScenarioError> {
        let mut seen: Vec<&str> = Vec::new();
        for (i, g) in self.broker_groups.iter().enumerate() {
            if seen.contains(&g.name.as_str()) {
                return Err(semantic(format!("broker_groups[{i}].name"), format!("duplicate group \"{}\"", g.name)));
            }
            seen.push(&g.name);
        }
        for (i, t) in self.topics.iter().enumerate() {
            if t.name.is_empty() || self.topics[..i].iter().any(|o| o.name == t.name) {
                return Err(semantic(format!("topics[{i}].name"), format!("empty or duplicate topic \"{}\"", t.name)));
            }
            if t.queues == 0 || t.queues > 1024 {
                return Err(semantic(format!("topics[{i}].queues"), "must be between 1 and 1024"));
            }
        }
        let clients = self.producers.iter().map(|p| &p.name).chain(self.consumers.iter().map(|c| &c.name));
        let mut names: Vec<&String> = Vec::new();
        for (i, n) in clients.enumerate() {
            if n.is_empty() || names.contains(&n) || self.broker_groups.iter().any(|g| n.starts_with(&g.name)) {
                let path = if i < self.producers.len() {
                    format!("producers[{i}].name")
                } else {
                    format!("consumers[{}].name", i - self.producers.len())
                };
                return Err(semantic(path, format!("empty, duplicate or broker-like client name \"{n}\"")));
            }
            names.push(n);
        }
        if names.len() > super::MAX_CLIENTS {
            return Err(semantic("consumers", format!("at most {} clients", super::MAX_CLIENTS)));
        }
        Ok(())
    }

    /// The timeline as commands of the one vocabulary, each checked against `spec`.
    pub fn commands(&self, spec: &Spec) -> Result<Vec<(u64, Command)>, ScenarioError> {
        let names: Vec<String> =
            (0..spec.brokers.len()).map(|b| crate::session::rocketmq::broker_name(spec, b)).collect();
        let mut out = Vec::new();
        for (i, e) in self.timeline.iter().enumerate() {
            let command = e.command(&names).map_err(|err| super::entry_error(i, &err))?;
            crate::session::rocketmq::resolve(spec, &command).map_err(|err| super::entry_error(i, &err))?;
            out.push((e.at_ms, command));
        }
        Ok(out)
    }

    /// The timed actions, in timeline order (ties keep file order), and the narration
    /// texts the `Narrate` actions refer to.
    pub fn script(&self, spec: &Spec) -> (Vec<(Time, Action<RocketMqAction>)>, Vec<Text>) {
        let mut narrations = Vec::new();
        let mut script = Vec::new();
        for (at_ms, command) in self.commands(spec).expect("validated") {
            let mut action = crate::session::rocketmq::resolve(spec, &command).expect("validated");
            if let Command::Narrate(text) = &command {
                action = Action::Model(RocketMqAction::Narrate(narrations.len() as u32));
                narrations.push(text.clone());
            }
            script.push((at_ms, action));
        }
        crate::kernel::sort::stable_sort_by(&mut script, &|a, b| a.0.cmp(&b.0));
        (script, narrations)
    }
}
