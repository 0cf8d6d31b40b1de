//! RocketMQ's settings under RocketMQ's own names and defaults, each marked with the
//! release line it belongs to and the upstream file it comes from.
//!
//! Two lines are modelled: 4.9.x (tag `rocketmq-all-4.9.7`) and 5.x (5.3.x, develop
//! `8fc57f1468`). Where a default differs, [`Version`] picks it; a setting that exists in one
//! line only is refused in the other. Paths are abbreviated as in the shared reference:
//! `B/` broker, `S/` store, `C/` client, `CM/` common, `R/` remoting (each
//! `<module>/src/main/java/org/apache/rocketmq/<module>/`).
//!
//! Each group of settings is a plain struct ([`BrokerConfig`], [`ProducerConfig`],
//! [`ConsumerConfig`], [`TopicConfig`], [`SubscriptionGroupConfig`]) with `defaults(version)`,
//! `set(name, value)` from strings (unknown names are refused with the accepted names
//! listed, bad values with what is accepted) and a table of [`SettingInfo`]. [`topology`]
//! checks a set of brokers.

#[macro_use]
mod macros;
mod broker;
mod client;
mod groups;
pub mod topology;
mod values;

pub use broker::BrokerConfig;
pub use client::{ConsumerConfig, ProducerConfig};
pub use groups::{SubscriptionGroupConfig, TopicConfig};
pub use topology::{validate_topology, TopologyError};
pub use values::{BrokerRole, ConsumeFromWhere, FlushDiskType, MessageModel, SettingValue};

use std::fmt;

/// A RocketMQ release line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// 4.9.x, as in tag `rocketmq-all-4.9.7`.
    V4_9,
    /// 5.x, as in 5.3.x.
    V5,
}

impl Version {
    pub fn label(self) -> &'static str {
        match self {
            Version::V4_9 => "4.9.x",
            Version::V5 => "5.x",
        }
    }
}

impl std::str::FromStr for Version {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "4" | "4.9" | "4.9.x" | "4.9.7" => Ok(Version::V4_9),
            "5" | "5.x" | "5.3" | "5.3.x" => Ok(Version::V5),
            _ => Err(format!("unknown RocketMQ version '{s}' (accepted: 4.9.x, 5.x)")),
        }
    }
}

/// Which release lines have a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Both,
    /// 4.9.x only (gone or renamed in 5.x).
    V4Only,
    /// 5.x only (new in 5.0 or later).
    V5Only,
}

impl Lines {
    pub fn includes(self, v: Version) -> bool {
        match self {
            Lines::Both => true,
            Lines::V4Only => v == Version::V4_9,
            Lines::V5Only => v == Version::V5,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Lines::Both => "4.9.x and 5.x",
            Lines::V4Only => "4.9.x only",
            Lines::V5Only => "5.x only",
        }
    }
}

/// How RocketMQ exposes a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A field of a config class (set in `broker.conf` or with a setter).
    Field,
    /// A JVM system property (`-Dname=value`); the name is the property's.
    SystemProperty,
    /// A constant in the code, not settable in RocketMQ; Highwater names it so scenarios can
    /// vary it, and the source says where the constant is.
    Constant,
}

/// One setting, as the table of a config struct lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingInfo {
    /// RocketMQ's name (the Java field or system property).
    pub name: &'static str,
    pub lines: Lines,
    pub kind: Kind,
    /// The smallest value allowed, for numbers (RocketMQ rarely checks; Highwater does).
    pub min: i64,
    /// The upstream file (and the other line's file where it moved).
    pub source: &'static str,
    /// What values are accepted, in words.
    pub accepted: &'static str,
    pub doc: &'static str,
}

/// Why setting a value, or a set of brokers, was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    UnknownSetting { component: &'static str, name: String, accepted: Vec<&'static str> },
    NotInVersion { component: &'static str, name: &'static str, version: Version, lines: Lines },
    BadValue { name: &'static str, value: String, accepted: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownSetting { component, name, accepted } => {
                write!(f, "unknown {component} setting '{name}'; accepted: {}", accepted.join(", "))
            }
            ConfigError::NotInVersion { component, name, version, lines } => write!(
                f,
                "{component} setting '{name}' does not exist in RocketMQ {} ({})",
                version.label(),
                lines.label()
            ),
            ConfigError::BadValue { name, value, accepted } => {
                write!(f, "bad value '{value}' for {name}: expected {accepted}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The entry for `name` in `table`, if it exists in `version`.
pub(crate) fn find_setting(
    table: &'static [SettingInfo],
    component: &'static str,
    name: &str,
    version: Version,
) -> Result<&'static SettingInfo, ConfigError> {
    let Some(info) = table.iter().find(|s| s.name == name) else {
        let accepted = table.iter().filter(|s| s.lines.includes(version)).map(|s| s.name).collect();
        return Err(ConfigError::UnknownSetting { component, name: name.to_string(), accepted });
    };
    if !info.lines.includes(version) {
        return Err(ConfigError::NotInVersion { component, name: info.name, version, lines: info.lines });
    }
    Ok(info)
}

/// Parses `value` for `info`, checking its minimum.
pub(crate) fn parse_value<T: SettingValue>(info: &SettingInfo, value: &str) -> Result<T, ConfigError> {
    let bad = || ConfigError::BadValue { name: info.name, value: value.to_string(), accepted: accepted_text(info) };
    let parsed = T::parse_setting(value.trim()).ok_or_else(bad)?;
    match parsed.as_i64() {
        Some(n) if n < info.min => Err(bad()),
        _ => Ok(parsed),
    }
}

fn accepted_text(info: &SettingInfo) -> String {
    if info.accepted.starts_with("an integer") && info.min > i32::MIN as i64 {
        format!("{}, at least {}", info.accepted, info.min)
    } else {
        info.accepted.to_string()
    }
}
