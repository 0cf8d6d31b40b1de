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
        "SetDrop" => return Some(text.to_string()),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Zh => zh,
    })
}
