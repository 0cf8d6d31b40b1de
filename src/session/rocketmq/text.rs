//! A RocketMQ run in words, English and Chinese: its notes, its actions, one step as the
//! event log and the caption show it. RocketMQ's own names (request codes, SEND_OK,
//! consumerOffset, brokerRole) stay as they are: Chinese articles use them too.
use crate::kernel::{NodeId, StepKind};
use crate::lang::Lang;
use crate::rocketmq::notes::{Note, WakeReason};
use crate::rocketmq::world::Spec;
use crate::rocketmq::Mq;
use crate::scenario::Text;
use crate::session::engine_zh::zh_or_same;
use crate::session::net_text;
use crate::session::view::{EventLine, StepEventView};

use super::resolve::{broker_name, node_key};
use super::RocketMqRun;

fn pick(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// "broker-a:TopicTest:2".
pub fn mq_name(spec: &Spec, mq: Mq) -> String {
    let topic = spec.topics.get(mq.topic as usize).map_or("?", |t| t.name.as_str());
    let group = spec.groups.get(mq.group as usize).map_or("?", |g| g.as_str());
    format!("{group}:{topic}:{}", mq.queue_id)
}

fn consumer_name(spec: &Spec, c: u32) -> String {
    spec.consumers.get(c as usize).map_or_else(|| format!("consumer {c}"), |x| x.name.clone())
}

/// The sentence of a note worth reading in the log, or None for the quiet ones.
pub fn describe_note(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let b = |i: usize| broker_name(spec, i);
    Some(match n {
        Note::BrokerCrashed { broker, power_loss: false } => pick(
            lang,
            format!("{} crashed (page cache kept)", b(*broker)),
            format!("{} 进程崩溃（页缓存仍在）", b(*broker)),
        ),
        Note::BrokerCrashed { broker, power_loss: true } => pick(
            lang,
            format!("{} lost power (page cache lost)", b(*broker)),
            format!("{} 断电（页缓存丢失）", b(*broker)),
        ),
        Note::BrokerRestarted { broker, lost } if lost.is_empty() => {
            pick(lang, format!("{} restarted", b(*broker)), format!("{} 重启", b(*broker)))
        }
        Note::BrokerRestarted { broker, lost } => pick(
            lang,
            format!("{} restarted without {} unflushed message(s)", b(*broker), lost.len()),
            format!("{} 重启，丢失 {} 条未刷盘消息", b(*broker), lost.len()),
        ),
        Note::BrokerRemoved { broker, expired, .. } => pick(
            lang,
            format!("name server drops {} ({})", b(*broker), if *expired { "silent 120 s" } else { "channel closed" }),
            format!("NameServer 移除 {}（{}）", b(*broker), if *expired { "120 秒无心跳" } else { "连接关闭" }),
        ),
        Note::MessageStored { broker, record, mq, queue_offset, .. } => pick(
            lang,
            format!("{} stores message #{record} at {} offset {queue_offset}", b(*broker), mq_name(spec, *mq)),
            format!("{} 存储消息 #{record}，{} 偏移 {queue_offset}", b(*broker), mq_name(spec, *mq)),
        ),
        Note::WriteRejected { broker, record } => pick(
            lang,
            format!("{} (SLAVE) refuses message #{record}", b(*broker)),
            format!("{}（SLAVE）拒绝写入消息 #{record}", b(*broker)),
        ),
        Note::SendFinished { record, status: Ok(s), .. } => {
            pick(lang, format!("message #{record}: {}", s.java_name()), format!("消息 #{record}：{}", s.java_name()))
        }
        Note::SendFinished { record, status: Err(e), .. } => {
            pick(lang, format!("message #{record} failed: {e}"), format!("消息 #{record} 发送失败：{}", zh_or_same(e)))
        }
        _ => return describe_client_note(spec, n, lang),
    })
}

/// Replication, pulls, consumption, offsets and rebalances in words.
fn describe_client_note(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let b = |i: usize| broker_name(spec, i);
    let key = |n: NodeId| node_key(spec, n);
    Some(match n {
        Note::HaBroken { broker, reason } => pick(
            lang,
            format!("HA link of {} broken: {reason}", b(*broker)),
            format!("{} 的 HA 连接断开：{}", b(*broker), zh_or_same(reason)),
        ),
        Note::PullHeld { broker, consumer, mq, deadline, .. } => pick(
            lang,
            format!("{} holds {}'s pull of {} until {deadline} ms", b(*broker), key(*consumer), mq_name(spec, *mq)),
            format!("{} 挂起 {} 对 {} 的拉取，直到 {deadline} 毫秒", b(*broker), key(*consumer), mq_name(spec, *mq)),
        ),
        Note::PullWoken { broker, consumer, reason, .. } => {
            let (en, zh) = match reason {
                WakeReason::Arrival => ("a message arrived", "新消息到达"),
                WakeReason::Check => ("the periodic check found a message", "定期检查发现新消息"),
                WakeReason::Timeout => ("the hold ran out", "挂起超时"),
            };
            pick(
                lang,
                format!("{} wakes {}'s held pull: {en}", b(*broker), key(*consumer)),
                format!("{} 唤醒 {} 挂起的拉取：{zh}", b(*broker), key(*consumer)),
            )
        }
        Note::PullResult { consumer, from, mq, status, count, suggest } => pick(
            lang,
            format!(
                "{} pulled {count} from {} ({}) {status}, suggestWhichBrokerId {suggest}",
                consumer_name(spec, *consumer),
                key(*from),
                mq_name(spec, *mq)
            ),
            format!(
                "{} 从 {}（{}）拉取 {count} 条，{status}，suggestWhichBrokerId {suggest}",
                consumer_name(spec, *consumer),
                key(*from),
                mq_name(spec, *mq)
            ),
        ),
        _ => return describe_consumer_note(spec, n, lang),
    })
}

/// Consumption, offsets and rebalances in words.
fn describe_consumer_note(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let b = |i: usize| broker_name(spec, i);
    Some(match n {
        Note::Consumed { consumer, record, mq, queue_offset } => pick(
            lang,
            format!(
                "{} consumed #{record} ({} offset {queue_offset})",
                consumer_name(spec, *consumer),
                mq_name(spec, *mq)
            ),
            format!(
                "{} 消费了 #{record}（{} 偏移 {queue_offset}）",
                consumer_name(spec, *consumer),
                mq_name(spec, *mq)
            ),
        ),
        Note::OffsetCommitted { broker, key: k, offset, previous, via } => pick(
            lang,
            format!(
                "{} consumerOffset {} {} → {offset} (via {via})",
                b(*broker),
                mq_name(spec, k.mq),
                previous.map_or("—".into(), |p| p.to_string())
            ),
            format!(
                "{} consumerOffset {} {} → {offset}（来自 {via}）",
                b(*broker),
                mq_name(spec, k.mq),
                previous.map_or("—".into(), |p| p.to_string())
            ),
        ),
        Note::OffsetsSynced { slave, regressed, .. } if !regressed.is_empty() => pick(
            lang,
            format!("{} copied the master's offsets: {} went backwards", b(*slave), regressed.len()),
            format!("{} 从 master 同步消费进度：{} 个偏移回退", b(*slave), regressed.len()),
        ),
        Note::Rebalanced { consumer, queues, .. } => {
            let list: Vec<String> = queues.iter().map(|q| mq_name(spec, *q)).collect();
            pick(
                lang,
                format!("{} now owns [{}]", consumer_name(spec, *consumer), list.join(", ")),
                format!("{} 重新分配后拥有 [{}]", consumer_name(spec, *consumer), list.join(", ")),
            )
        }
        Note::ConsumerCrashed { consumer } => pick(
            lang,
            format!("{} crashed", consumer_name(spec, *consumer)),
            format!("{} 崩溃", consumer_name(spec, *consumer)),
        ),
        Note::ConsumerStarted { consumer } => pick(
            lang,
            format!("{} started", consumer_name(spec, *consumer)),
            format!("{} 启动", consumer_name(spec, *consumer)),
        ),
        _ => return None,
    })
}

/// The timeline marker a note makes, if any.
pub fn marker_kind(n: &Note) -> Option<&'static str> {
    Some(match n {
        Note::BrokerCrashed { .. } | Note::ConsumerCrashed { .. } => "crash",
        Note::BrokerRestarted { .. } | Note::ConsumerStarted { .. } => "restart",
        Note::Narration { .. } => "narration",
        Note::Rebalanced { .. } => "rebalance",
        Note::OffsetsSynced { regressed, .. } if !regressed.is_empty() => "offset-sync",
        Note::SendFinished { status: Err(_), .. } => "producer-error",
        _ => return None,
    })
}

/// Notes that make a step worth seeing in a filtered log.
fn is_notable(n: &Note) -> bool {
    marker_kind(n).is_some() || matches!(n, Note::BrokerRemoved { .. } | Note::HaBroken { .. } | Note::PullHeld { .. })
}

/// A model action's label (indices) in words with names.
pub fn action_text(spec: &Spec, label: &str, lang: Lang) -> String {
    let key = |n: NodeId| node_key(spec, n);
    let text = net_text::with_node_keys(label, &key);
    if let Some(t) = net_text::network_action_text(&text, lang) {
        return t;
    }
    let w: Vec<&str> = label.split(' ').collect();
    let num = |i: usize| w.get(i).and_then(|x| x.parse::<usize>().ok()).unwrap_or(usize::MAX);
    let broker = |i: usize| if num(i) < spec.brokers.len() { broker_name(spec, num(i)) } else { "?".into() };
    let consumer = |i: usize| consumer_name(spec, num(i) as u32);
    match w.as_slice() {
        ["producer", _, "sends", n, _, "to", "topic", _, mode] => {
            let p = spec.producers.get(num(1)).map_or("?", |p| p.name.as_str());
            let t = spec.topics.get(num(7)).map_or("?", |t| t.name.as_str());
            let mode = mode.trim_matches(['(', ')']).to_lowercase();
            pick(
                lang,
                format!("{p} sends {n} message(s) to {t} ({mode})"),
                format!("{p} 发送 {n} 条消息到 {t}（{}）", send_mode_zh(&mode)),
            )
        }
        ["crash", "broker", _] => pick(lang, format!("crash {}", broker(2)), format!("{} 进程崩溃", broker(2))),
        ["power", "loss", "on", "broker", _] => {
            pick(lang, format!("power loss on {}", broker(4)), format!("{} 断电", broker(4)))
        }
        ["restart", "broker", _] => pick(lang, format!("restart {}", broker(2)), format!("重启 {}", broker(2))),
        ["disk", "of", "broker", _, "stalls", "for", ms, "ms"] => {
            pick(lang, format!("disk of {} stalls for {ms} ms", broker(3)), format!("{} 磁盘停顿 {ms} 毫秒", broker(3)))
        }
        ["crash", "consumer", _] => pick(lang, format!("crash {}", consumer(2)), format!("{} 崩溃", consumer(2))),
        ["restart", "consumer", _] => pick(lang, format!("restart {}", consumer(2)), format!("重启 {}", consumer(2))),
        ["consumer", _, "returns", "RECONSUME_LATER", "for", n, _] => pick(
            lang,
            format!("{} returns RECONSUME_LATER for {n} batch(es)", consumer(1)),
            format!("{} 接下来 {n} 批返回 RECONSUME_LATER", consumer(1)),
        ),
        _ => text,
    }
}

/// A send mode as Chinese articles name it (the glossary's 同步 / 异步 / 单向).
fn send_mode_zh(mode: &str) -> String {
    match mode {
        "sync" => "同步发送".into(),
        "async" => "异步发送".into(),
        "oneway" => "单向发送".into(),
        other => other.to_string(),
    }
}

/// One line describing step `index`.
pub fn describe_step(run: &RocketMqRun, narrations: &[Text], index: u64, lang: Lang) -> Option<String> {
    let (rec, notes) = run.timeline.record(index)?;
    let spec = &run.timeline.current().model.spec;
    let key = |n: NodeId| node_key(spec, n);
    let mut line = match &rec.kind {
        StepKind::Deliver { from, to, kind, .. } => format!("{kind} {} → {}", key(*from), key(*to)),
        StepKind::Drop { from, to, kind, reason, .. } => pick(
            lang,
            format!("{kind} {} → {} dropped ({})", key(*from), key(*to), reason.as_str()),
            format!("{kind} {} → {} 被丢弃（{}）", key(*from), key(*to), net_text::drop_reason(reason.as_str(), lang)),
        ),
        StepKind::Timer { node, name } => {
            pick(lang, format!("{} timer {name}", key(*node)), format!("{} 定时器 {name}", key(*node)))
        }
        StepKind::Action { label } => {
            let narrated = notes.iter().find_map(|n| match n {
                Note::Narration { index } => narrations.get(*index as usize).map(|t| t.get(lang).to_string()),
                _ => None,
            });
            match narrated {
                Some(text) => pick(lang, format!("Narration: {text}"), format!("旁白：{text}")),
                None => action_text(spec, label, lang),
            }
        }
    };
    for n in notes {
        if let Some(s) = describe_note(spec, n, lang) {
            line.push_str("; ");
            line.push_str(&s);
        }
    }
    Some(line)
}

/// The event log's line of step `step`.
pub fn event_line(run: &RocketMqRun, narrations: &[Text], step: u64, lang: Lang) -> Option<EventLine> {
    let (rec, notes) = run.timeline.record(step)?;
    let spec = &run.timeline.current().model.spec;
    let key = |n: NodeId| node_key(spec, n);
    let (category, nodes) = match &rec.kind {
        StepKind::Deliver { from, to, .. } => ("deliver", vec![key(*from), key(*to)]),
        StepKind::Drop { from, to, .. } => ("drop", vec![key(*from), key(*to)]),
        StepKind::Timer { node, .. } => ("timer", vec![key(*node)]),
        StepKind::Action { .. } => ("action", Vec::new()),
    };
    let notable = notes.iter().any(is_notable) || category == "action" || category == "drop";
    let text = describe_step(run, narrations, step, lang)?;
    Some(EventLine { step, time_ms: rec.time, category, nodes, notable, text })
}

/// What step `index` did, for the caption under the picture.
pub fn step_event(run: &RocketMqRun, narrations: &[Text], index: u64, lang: Lang) -> Option<StepEventView> {
    let (rec, _) = run.timeline.record(index)?;
    let spec = &run.timeline.current().model.spec;
    let key = |n: NodeId| node_key(spec, n);
    let text = describe_step(run, narrations, index, lang).unwrap_or_default();
    let (category, name, src, dst, msg) = match &rec.kind {
        StepKind::Deliver { msg, from, to, kind } => {
            ("deliver", kind.to_string(), Some(key(*from)), Some(key(*to)), Some(msg.0))
        }
        StepKind::Drop { msg, from, to, kind, .. } => {
            ("drop", kind.to_string(), Some(key(*from)), Some(key(*to)), Some(msg.0))
        }
        StepKind::Timer { node, name } => ("timer", name.to_string(), Some(key(*node)), None, None),
        StepKind::Action { label } => ("action", label.clone(), None, None, None),
    };
    Some(StepEventView { step: index, time_ms: rec.time, category: category.into(), name, src, dst, msg, text })
}
