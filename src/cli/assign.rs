//! `highwater assign --strategy range|roundrobin|sticky|cooperative-sticky FILE`
//!
//! FILE (or `-` for standard input) is JSON:
//! ```json
//! {"topics": {"t": 3},
//!  "members": [{"id": "c1", "topics": ["t"], "owned": ["t-0"], "generation": 4,
//!               "group_instance_id": "i1"}]}
//! ```
//! (`owned`, `generation` and `group_instance_id` are optional; `subscriptions` is
//! accepted for `topics` inside a member.) Members are listed in JoinGroup order.
//! Prints `{"member": ["topic-partition", ...], ...}` with every member, in input
//! order, one member per line.
//!
//! Exit codes: 0 success; 2 bad usage or bad input; 1 when the real Kafka assignor
//! throws for this input (the message names the exception).

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::{Deserialize, Deserializer};

use crate::kafka::assignor::{
    assign, format_topic_partition, parse_topic_partition, AssignError, MemberSubscription, Strategy, TopicPartition,
};
use crate::scenario::json_path::path_at;

const USAGE: &str = "usage: highwater assign --strategy range|roundrobin|sticky|cooperative-sticky FILE|-";

/// The input file format.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// Topic -> partition count.
    pub topics: BTreeMap<String, u32>,
    pub members: Vec<InputMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputMember {
    #[serde(alias = "member_id")]
    pub id: String,
    #[serde(alias = "subscriptions")]
    pub topics: Vec<String>,
    #[serde(default)]
    pub owned: Vec<OwnedPartition>,
    #[serde(default)]
    pub generation: Option<i32>,
    #[serde(default)]
    pub group_instance_id: Option<String>,
}

/// A `topic-partition` string, split at the last `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedPartition(pub TopicPartition);

impl<'de> Deserialize<'de> for OwnedPartition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_topic_partition(&s).map(OwnedPartition).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "owned partition '{s}' is not of the form topic-partition (e.g. \"orders-3\")"
            ))
        })
    }
}

impl AssignInput {
    /// Parses the JSON text; errors name the path of the bad field (found by the
    /// scenario's walker from serde_json's line and column) and the line/column.
    pub fn parse(text: &str) -> Result<AssignInput, String> {
        serde_json::from_str(text).map_err(|e: serde_json::Error| {
            let message = e.to_string();
            let path = match e.line() {
                0 => String::new(),
                line => path_at(text, line, e.column(), message.starts_with("missing field")),
            };
            if path.is_empty() {
                message
            } else {
                format!("at {path}: {message}")
            }
        })
    }

    pub fn to_members(&self) -> Vec<MemberSubscription> {
        self.members
            .iter()
            .map(|m| MemberSubscription {
                member_id: m.id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                topics: m.topics.clone(),
                owned: m.owned.iter().map(|o| o.0.clone()).collect(),
                generation: m.generation,
            })
            .collect()
    }
}

/// Runs the subcommand, reading `-` from the process's standard input.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_with_stdin(args, &mut std::io::stdin(), out, err)
}

/// Like [`run`], with the stream that `-` reads from given explicitly.
pub fn run_with_stdin(args: &[String], stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (strategy, name, text) = match super::strategy_and_input::<Strategy>("assign", USAGE, args, stdin, out, err) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let input = match AssignInput::parse(&text) {
        Ok(i) => i,
        Err(msg) => {
            let _ = writeln!(err, "highwater assign: {name}: {msg}");
            return 2;
        }
    };
    let members = input.to_members();
    match assign(strategy, &input.topics, &members) {
        Ok(result) => {
            let order: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
            if out.write_all(render(&order, &result).as_bytes()).is_err() {
                let _ = writeln!(err, "highwater assign: cannot write the output");
                return 1;
            }
            0
        }
        Err(e @ AssignError::KafkaThrows { .. }) => {
            let _ = writeln!(err, "highwater assign: {name}: {e}");
            1
        }
        Err(e) => {
            let _ = writeln!(err, "highwater assign: {name}: {e}");
            2
        }
    }
}

/// `{"member": ["t-0", ...], ...}`, members in the given order, one per line.
pub fn render(order: &[&str], result: &BTreeMap<String, Vec<TopicPartition>>) -> String {
    if order.is_empty() {
        return "{}\n".to_string();
    }
    let json = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let mut s = String::from("{\n");
    for (i, id) in order.iter().enumerate() {
        let parts: Vec<String> =
            result.get(*id).map(|l| l.iter().map(|tp| json(&format_topic_partition(tp))).collect()).unwrap_or_default();
        s.push_str(&format!("  {}: [{}]", json(id), parts.join(", ")));
        s.push_str(if i + 1 < order.len() { ",\n" } else { "\n" });
    }
    s.push_str("}\n");
    s
}
