//! The Kafka model's words: note texts ([`notes`]), action labels, steps, anomaly names
//! and payload summaries, in every [`Lang`].
use crate::kafka::message::InternalRecord;
use crate::kafka::types::Tp;
use crate::kafka::world::Spec;
use crate::kernel::NodeId;
use crate::lang::Lang;
use crate::session::net_text;

use super::resolve::node_key;

mod notes;
mod steps;

pub use notes::describe_note;
pub use steps::{event_line, step_event};

pub fn tp_name(spec: &Spec, tp: Tp) -> String {
    match spec.topics.get(tp.topic as usize) {
        Some(t) => format!("{}-{}", t.name, tp.partition),
        None => format!("t{}-{}", tp.topic, tp.partition),
    }
}

pub fn describe_internal(spec: &Spec, r: &InternalRecord) -> String {
    match r {
        InternalRecord::OffsetCommit { group, tp, offset, member, .. } => {
            format!("commit {group} {}={offset} ({member})", tp_name(spec, *tp))
        }
        InternalRecord::GroupMetadata { group, generation, members, .. } => {
            format!("group {group} generation {generation}, {} member(s)", members.len())
        }
        InternalRecord::TxnState(m) => format!(
            "transaction {} {} epoch {} [{}]",
            m.transactional_id,
            m.state.name(),
            m.producer_epoch,
            m.partitions.iter().map(|tp| tp_name(spec, *tp)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Chinese name of an anomaly kind, with the English term kept (as the glossary does).
pub fn anomaly_name_zh(kind: &str) -> String {
    let zh = match kind {
        "lost-write" => "写丢失",
        "duplicate" => "重复写入",
        "nonmonotonic-send" => "发送乱序",
        "divergence" => "副本分歧",
        "nonmonotonic-hw" => "高水位回退",
        "read-above-hw" => "读到高水位之上",
        "nonmonotonic-poll" => "消费位移回退",
        "duplicate-processing" => "重复消费",
        "poll-skip" => "跳过消息（消息丢失）",
        "nonmonotonic-key" => "同键乱序",
        "nonmonotonic-commit" => "提交位移回退",
        "idle-member" => "空闲成员",
        "aborted-read" => "读到已中止事务",
        "duplicate-output" => "重复输出",
        _ => return kind.to_string(),
    };
    format!("{zh} ({kind})")
}

pub fn named_partitions(spec: &Spec, text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_start && bytes[i] == b't' {
            let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && bytes.get(i + 1 + digits) == Some(&b'-') {
                if let Some(t) = text[i + 1..i + 1 + digits].parse::<usize>().ok().and_then(|t| spec.topics.get(t)) {
                    out.push_str(&t.name);
                    i += 1 + digits;
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A step's action label for people: node and client names instead of indexes, and
/// network faults in words.
pub fn action_text(spec: &Spec, label: &str, lang: Lang) -> String {
    let key = |n: NodeId| node_key(spec, n);
    let text = net_text::with_node_keys(label, &key);
    match net_text::network_action_text(&text, lang) {
        Some(t) => t,
        None => model_action_text(spec, label, &text, lang),
    }
}

/// Model actions: "producer 0 sends ...", "crash consumer 1", "topic 0 grows to ...".
fn model_action_text(spec: &Spec, label: &str, text: &str, lang: Lang) -> String {
    let name_of = |list: &str, idx: &str| -> Option<String> {
        let i: usize = idx.parse().ok()?;
        match list {
            "producer" => spec.producers.get(i).map(|p| p.name.clone()),
            "consumer" => spec.consumers.get(i).map(|c| c.name.clone()),
            "reader" => spec.readers.get(i).map(|r| r.name.clone()),
            _ => spec.topics.get(i).map(|t| t.name.clone()),
        }
    };
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if matches!(w, "producer" | "consumer" | "topic" | "reader") && i + 1 < words.len() {
            let (idx, colon) = match words[i + 1].strip_suffix(':') {
                Some(idx) => (idx, ":"),
                None => (words[i + 1], ""),
            };
            if let Some(n) = name_of(w, idx) {
                out.push(if matches!(w, "topic" | "reader") {
                    format!("{w} {n}{colon}")
                } else {
                    format!("{n}{colon}")
                });
                i += 2;
                continue;
            }
        }
        out.push(w.to_string());
        i += 1;
    }
    let en = out.join(" ");
    match lang {
        Lang::En => en,
        Lang::Zh => model_action_zh(label, en),
    }
}

/// The Chinese of a model action, from its English text.
fn model_action_zh(label: &str, en: String) -> String {
    let b = |x: &str| en.trim_start_matches(x).trim().to_string();
    if en.starts_with("crash broker") {
        format!("broker {} 宕机", b("crash broker"))
    } else if en.starts_with("power loss on broker") {
        format!("broker {} 断电", b("power loss on broker"))
    } else if en.starts_with("restart broker") {
        format!("重启 broker {}", b("restart broker"))
    } else if label.starts_with("crash producer") {
        format!("生产者 {} 宕机", b("crash"))
    } else if label.starts_with("restart producer") {
        format!("重启生产者 {}", b("restart"))
    } else if en.starts_with("crash ") {
        format!("消费者 {} 宕机", b("crash"))
    } else if en.starts_with("restart ") {
        format!("重启消费者 {}", b("restart"))
    } else if en.starts_with("resume ") {
        format!("恢复消费者 {}", b("resume"))
    } else if en.starts_with("close ") {
        format!("关闭消费者 {}", b("close"))
    } else if let Some((who, what)) = en.split_once(" sends ") {
        format!("{who} 发送 {}", what.replace("record(s)", "条消息"))
    } else {
        model_action_zh_more(label, en)
    }
}

/// The rest of [`model_action_zh`]: acks, pauses, partitions, subscriptions, transaction
/// calls and settings.
fn model_action_zh_more(label: &str, en: String) -> String {
    if let Some((who, acks)) = en.split_once(" acks=").filter(|_| label.starts_with("producer ")) {
        format!("生产者 {who} 设置 acks={acks}")
    } else if let Some((who, ms)) = en.split_once(" freezes (GC pause) for ") {
        format!("消费者 {who} 停顿（GC）{ms}")
    } else if let Some((who, ms)) = en.split_once(" processes slowly for ") {
        format!("消费者 {who} 处理变慢 {ms}")
    } else if let Some((topic, n)) = en.split_once(" grows to ") {
        let topic = topic.trim_start_matches("topic ");
        format!("主题 {topic} 扩展到 {} 个分区", n.trim_end_matches(" partitions"))
    } else if let Some((who, topics)) = en.split_once(" subscribes to ") {
        format!("消费者 {who} 订阅 {topics}")
    } else if let Some((who, call)) = en.rsplit_once(' ').filter(|(_, c)| c.ends_with("Transaction()")) {
        format!("生产者 {who} 调用 {call}")
    } else if let Some((who, setting)) = en.split_once(": ").filter(|(_, s)| s.contains('=')) {
        let who = if who == "brokers" {
            "所有 broker".to_string()
        } else if let Some(t) = who.strip_prefix("topic ") {
            format!("主题 {t}")
        } else if let Some(r) = who.strip_prefix("reader ") {
            format!("读者 {r}")
        } else if label.starts_with("producer ") {
            format!("生产者 {who}")
        } else {
            format!("消费者 {who}")
        };
        format!("{who} 设置 {setting}")
    } else {
        en
    }
}
