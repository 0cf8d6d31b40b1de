//! Network actions in words, for either model: the kernel labels a network fault with its
//! Debug form (`Cut(NodeId(0), NodeId(2))`); these turn it into a sentence in English or
//! Chinese with the model's node keys.
use crate::kernel::NodeId;
use crate::lang::Lang;

/// `label` with every `NodeId(k)` replaced by the node's key.
pub fn with_node_keys(label: &str, key: &dyn Fn(NodeId) -> String) -> String {
    let mut text = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(i) = rest.find("NodeId(") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        match after.find(')') {
            Some(j) => {
                match after[..j].parse::<u32>() {
                    Ok(n) => text.push_str(&key(NodeId(n))),
                    Err(_) => text.push_str(&after[..j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// The sentence of a network fault's label (already with node keys), or None when the
/// label is not a network fault's.
pub fn network_action_text(text: &str, lang: Lang) -> Option<String> {
    let inner = text.find('(').and_then(|i| text.rfind(')').map(|j| &text[i + 1..j])).unwrap_or("");
    let a: Vec<String> = inner.split(',').map(|x| x.trim().to_string()).collect();
    let get = |i: usize| a.get(i).cloned().unwrap_or_default();
    let word = text.split(['(', ' ']).next().unwrap_or("");
    let (en, zh) = match word {
        "Cut" => (format!("cut the link {} ↔ {}", get(0), get(1)), format!("断开链路 {} ↔ {}", get(0), get(1))),
        "CutOneWay" => {
            (format!("cut the link {} → {} (one way)", get(0), get(1)), format!("单向断开链路 {} → {}", get(0), get(1)))
        }
        "Heal" => (format!("heal the link {} ↔ {}", get(0), get(1)), format!("恢复链路 {} ↔ {}", get(0), get(1))),
        "Isolate" => {
            (format!("isolate {} (cut all its links)", get(0)), format!("隔离 {}（断开它的所有链路）", get(0)))
        }
        "HealAll" => ("heal every link".into(), "恢复所有链路".into()),
        "Slow" => (format!("{} slowed down by {} ms", get(0), get(1)), format!("{} 变慢（+{} 毫秒）", get(0), get(1))),
        "Partition" => {
            let groups = text.trim_start_matches("Partition");
            (format!("network partition {groups}"), format!("网络分区 {groups}"))
        }
        "SetDrop" => {
            let (n, d) = (field(text, "numerator"), field(text, "denominator"));
            (format!("every link loses {n}/{d} of its messages"), format!("每条链路丢弃 {n}/{d} 的消息"))
        }
        "DropNext" => {
            let (from, to, count) = (field(text, "from"), field(text, "to"), field(text, "count"));
            let kind = field(text, "kind");
            let kind = kind.strip_prefix("Some(\"").and_then(|k| k.strip_suffix("\")")).unwrap_or("");
            let (en_kind, zh_kind) = if kind.is_empty() {
                ("message(s)".into(), "消息".into())
            } else {
                (kind.to_string(), format!(" {kind} 消息"))
            };
            (
                format!("lose the next {count} {en_kind} {from} → {to}"),
                format!("丢弃 {from} → {to} 的后 {count} 条{zh_kind}"),
            )
        }
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Zh => zh,
    })
}

/// The value of `name: value` in a Debug struct's text (up to the next ", " or " }").
fn field(text: &str, name: &str) -> String {
    let Some(i) = text.find(&format!("{name}: ")) else { return String::new() };
    let rest = &text[i + name.len() + 2..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

/// Why a message was dropped, in `lang`.
pub fn drop_reason(reason: &str, lang: Lang) -> &str {
    match (lang, reason) {
        (Lang::En, _) => reason,
        (Lang::Zh, "lost") => "网络丢包",
        (Lang::Zh, "link cut") => "链路已断开",
        (Lang::Zh, "receiver down") => "接收方已宕机",
        (Lang::Zh, "connection broken") => "连接已断开",
        (Lang::Zh, other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targeted_drops_read_as_sentences() {
        let t = r#"DropNext { from: b1, to: app, kind: Some("ProduceResponse"), count: 1 }"#;
        assert_eq!(network_action_text(t, Lang::En).unwrap(), "lose the next 1 ProduceResponse b1 → app");
        assert_eq!(network_action_text(t, Lang::Zh).unwrap(), "丢弃 b1 → app 的后 1 条 ProduceResponse 消息");
        let t = "DropNext { from: b1, to: b2, kind: None, count: 3 }";
        assert_eq!(network_action_text(t, Lang::Zh).unwrap(), "丢弃 b1 → b2 的后 3 条消息");
        let t = "SetDrop(Ratio { numerator: 1, denominator: 10 })";
        assert_eq!(network_action_text(t, Lang::Zh).unwrap(), "每条链路丢弃 1/10 的消息");
        assert_eq!(drop_reason("connection broken", Lang::Zh), "连接已断开");
    }
}
