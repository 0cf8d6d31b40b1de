//! The text of the Kafka model's notes, in every [`Lang`]: each arm matches on the
//! language exhaustively, so a note without a translation does not compile. Kafka's own
//! names (message kinds, error codes, states) stay as they are, as Chinese articles use
//! them; the Chinese terms follow the glossary of `ui/i18n.rs`.
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::Spec;
use crate::lang::Lang;
use crate::session::engine_zh::zh_or_same;

use super::tp_name;

/// Human text for the notes worth showing in an event log; `None` for the others.
pub fn describe_note(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    replication(spec, n, lang)
        .or_else(|| records(spec, n, lang))
        .or_else(|| groups(spec, n, lang))
        .or_else(|| consumers(spec, n, lang))
        .or_else(|| transactions(spec, n, lang))
        .or_else(|| retention(spec, n, lang))
}

/// Log retention: deleted segments, log start offsets.
fn retention(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let tp = |tp: &Tp| tp_name(spec, *tp);
    Some(match n {
        Note::SegmentsDeleted { broker, tp: t, segments, records, log_start_offset } => match lang {
            Lang::Zh => format!(
                "broker {} 按保留策略删除 {} 的 {segments} 个段（{records} 条记录），日志起始位移 {log_start_offset}",
                broker.0,
                tp(t)
            ),
            Lang::En => format!(
                "broker {} deleted {segments} segment(s) of {} by retention ({records} records): log start offset {log_start_offset}",
                broker.0,
                tp(t)
            ),
        },
        Note::LogStartOffset { broker, tp: t, log_start_offset } => match lang {
            Lang::Zh => format!("broker {} {} 跟随 leader 的日志起始位移 {log_start_offset}", broker.0, tp(t)),
            Lang::En => format!("broker {} {} follows the leader's log start offset {log_start_offset}", broker.0, tp(t)),
        },
        _ => return None,
    })
}

fn consumer_name(spec: &Spec, consumer: u32) -> String {
    spec.consumers.get(consumer as usize).map(|c| c.name.clone()).unwrap_or_default()
}

/// Leader elections, ISR, brokers and the controller, truncation, the high watermark.
fn replication(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let tp = |tp: &Tp| tp_name(spec, *tp);
    let ids = |v: &[BrokerId]| format!("{:?}", v.iter().map(|b| b.0).collect::<Vec<_>>());
    Some(match n {
        Note::LeaderElected { tp: t, leader, leader_epoch, unclean, .. } => match lang {
            Lang::Zh => {
                format!(
                    "{} 的 leader → {}（epoch {leader_epoch}）{}",
                    tp(t),
                    leader.map(|b| format!("broker {}", b.0)).unwrap_or_else(|| "无（分区离线）".into()),
                    if *unclean { " 非干净 leader 选举" } else { "" }
                )
            }
            Lang::En => {
                format!(
                    "{} leader → {} (epoch {leader_epoch}){}",
                    tp(t),
                    leader.map(|b| format!("broker {}", b.0)).unwrap_or_else(|| "none (offline)".into()),
                    if *unclean { " UNCLEAN" } else { "" }
                )
            }
        },
        Note::IsrChanged { tp: t, isr, .. } => format!("{} ISR → {}", tp(t), ids(isr)),
        Note::BrokerFenced { broker } => match lang {
            Lang::Zh => {
                format!("broker {} 被隔离（fenced）", broker.0)
            }
            Lang::En => {
                format!("broker {} fenced", broker.0)
            }
        },
        Note::BrokerUnfenced { broker } => match lang {
            Lang::Zh => {
                format!("broker {} 解除隔离（unfenced）", broker.0)
            }
            Lang::En => {
                format!("broker {} unfenced", broker.0)
            }
        },
        Note::BrokerCrashed { broker, power_loss } => match (lang, power_loss) {
            (Lang::Zh, true) => format!("broker {} 断电", broker.0),
            (Lang::Zh, false) => format!("broker {} 宕机", broker.0),
            (Lang::En, true) => format!("broker {} lost power", broker.0),
            (Lang::En, false) => format!("broker {} crashed", broker.0),
        },
        Note::BrokerRestarted { broker, lost_unflushed } => match lang {
            Lang::Zh => {
                format!("broker {} 重启（丢失 {lost_unflushed} 条未刷盘消息）", broker.0)
            }
            Lang::En => {
                format!("broker {} restarted (lost {lost_unflushed} unflushed)", broker.0)
            }
        },
        Note::ControllerElected { broker, epoch } => match lang {
            Lang::Zh => {
                format!("broker {} 成为活跃控制器（epoch {epoch}）", broker.0)
            }
            Lang::En => {
                format!("broker {} is the active controller (epoch {epoch})", broker.0)
            }
        },
        Note::Truncated { broker, tp: t, offset, removed } => match lang {
            Lang::Zh => {
                format!("broker {} 将 {} 截断到位移 {offset}（删除 {} 条）", broker.0, tp(t), removed.len())
            }
            Lang::En => {
                format!("broker {} truncated {} to {offset} ({} removed)", broker.0, tp(t), removed.len())
            }
        },
        Note::HighWatermark { broker, tp: t, high_watermark } => match lang {
            Lang::Zh => {
                format!("broker {} {} 高水位 HW={high_watermark}", broker.0, tp(t))
            }
            Lang::En => {
                format!("broker {} {} HW={high_watermark}", broker.0, tp(t))
            }
        },
        _ => return None,
    })
}

/// Records and producers.
fn records(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let tp = |tp: &Tp| tp_name(spec, *tp);
    Some(match n {
        Note::RecordAcked { record, tp: t, offset } => match lang {
            Lang::Zh => {
                format!("消息 #{} 已确认，位于 {} 位移 {offset}", record.0, tp(t))
            }
            Lang::En => {
                format!("record #{} acked at {} offset {offset}", record.0, tp(t))
            }
        },
        Note::RecordFailed { record, error, .. } => match lang {
            Lang::Zh => {
                format!("消息 #{} 发送失败：{}", record.0, error.name())
            }
            Lang::En => {
                format!("record #{} failed: {}", record.0, error.name())
            }
        },
        Note::ProduceError { tp: t, error, retrying, .. } => match lang {
            Lang::Zh => {
                format!("{} {}{}", tp(t), error.name(), if *retrying { "，重试" } else { "" })
            }
            Lang::En => {
                format!("{} {}{}", tp(t), error.name(), if *retrying { ", retrying" } else { "" })
            }
        },
        Note::ProducerError { producer, error, detail } => {
            let p = spec.producer_name(*producer);
            match lang {
                Lang::Zh => {
                    format!("{p} 抛出 {}：{}", zh_or_same(error), zh_or_same(detail))
                }
                Lang::En => {
                    format!("{p} threw {error}: {detail}")
                }
            }
        }
        Note::ProducerCrashed { producer } => {
            let p = spec.producer_name(*producer);
            match lang {
                Lang::Zh => {
                    format!("生产者 {p} 宕机")
                }
                Lang::En => {
                    format!("producer {p} crashed")
                }
            }
        }
        Note::ProducerRestarted { producer } => {
            let p = spec.producer_name(*producer);
            match lang {
                Lang::Zh => {
                    format!("生产者 {p} 重启")
                }
                Lang::En => {
                    format!("producer {p} restarted")
                }
            }
        }
        _ => return None,
    })
}

/// Consumer groups at the coordinator.
fn groups(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let tp = |tp: &Tp| tp_name(spec, *tp);
    Some(match n {
        Note::GroupState { group, state, generation, reason } => match lang {
            Lang::Zh => {
                format!("消费者组 {group} → {state}（代 generation {generation}，{}）", zh_or_same(reason))
            }
            Lang::En => {
                format!("group {group} → {state} (generation {generation}, {reason})")
            }
        },
        Note::Assignment { group, generation, protocol, assignment } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(m, tps)| format!("{m}: [{}]", tps.iter().map(&tp).collect::<Vec<_>>().join(", ")))
                .collect();
            match lang {
                Lang::Zh => {
                    format!("消费者组 {group} 第 {generation} 代分配（{protocol}）：{}", parts.join("; "))
                }
                Lang::En => {
                    format!("group {group} generation {generation} assignment ({protocol}): {}", parts.join("; "))
                }
            }
        }
        Note::OffsetCommitted { group, tp: t, offset, member, .. } => match lang {
            Lang::Zh => {
                format!("消费者组 {group} 提交 {}={offset}（{member}）", tp(t))
            }
            Lang::En => {
                format!("group {group} committed {}={offset} ({member})", tp(t))
            }
        },
        Note::CommitRejected { group, member, generation, error } => match lang {
            Lang::Zh => {
                format!("消费者组 {group} 拒绝 {member} 的提交（generation {generation}）：{}", error.name())
            }
            Lang::En => {
                format!("group {group} rejected a commit from {member} (generation {generation}): {}", error.name())
            }
        },
        Note::MemberJoined { group, member } => match lang {
            Lang::Zh => {
                format!("{member} 加入消费者组 {group}")
            }
            Lang::En => {
                format!("{member} joined group {group}")
            }
        },
        Note::MemberRemoved { group, member, reason } => match lang {
            Lang::Zh => {
                format!("{member} 离开消费者组 {group}（{}）", zh_or_same(reason))
            }
            Lang::En => {
                format!("{member} left group {group} ({reason})")
            }
        },
        _ => return None,
    })
}

/// Consumer processes.
fn consumers(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    Some(match n {
        Note::ConsumerCrashed { consumer } => {
            let c = consumer_name(spec, *consumer);
            match lang {
                Lang::Zh => {
                    format!("消费者 {c} 宕机")
                }
                Lang::En => {
                    format!("consumer {c} crashed")
                }
            }
        }
        Note::ConsumerError { consumer, error, detail } => {
            let c = consumer_name(spec, *consumer);
            match lang {
                Lang::Zh => {
                    format!("消费者 {c} 抛出 {}：{}", zh_or_same(error), zh_or_same(detail))
                }
                Lang::En => {
                    format!("consumer {c} threw {error}: {detail}")
                }
            }
        }
        Note::ConsumerRestarted { consumer } => {
            let c = consumer_name(spec, *consumer);
            match lang {
                Lang::Zh => {
                    format!("消费者 {c} 重启")
                }
                Lang::En => {
                    format!("consumer {c} restarted")
                }
            }
        }
        Note::ConsumerOffsetOutOfRange { consumer, tp: t, offset, log_start_offset } => {
            let (c, t) = (consumer_name(spec, *consumer), tp_name(spec, *t));
            match lang {
                Lang::Zh => format!(
                    "消费者 {c} 在 {t} 的位移 {offset} 已被保留策略删除（日志起始位移 {log_start_offset}）：OFFSET_OUT_OF_RANGE"
                ),
                Lang::En => format!(
                    "consumer {c}'s position {offset} on {t} was deleted by retention (log start offset {log_start_offset}): OFFSET_OUT_OF_RANGE"
                ),
            }
        }
        Note::DuplicateSkipped { consumer, tp: t, offset, record } => {
            let (c, t) = (consumer_name(spec, *consumer), tp_name(spec, *t));
            match lang {
                Lang::Zh => format!(
                    "消费者 {c} 跳过 {t} 位移 {offset} 的消息 #{}：它的 id 已在已处理 id 表中（幂等消费）",
                    record.0
                ),
                Lang::En => format!(
                    "consumer {c} skipped record #{} at {t} offset {offset}: its id is already in the processed-ids table (idempotent consumer)",
                    record.0
                ),
            }
        }
        Note::ConsumerPaused { consumer, until, gc } => {
            let c = consumer_name(spec, *consumer);
            match (lang, gc) {
                (Lang::Zh, true) => format!("消费者 {c} 停顿（GC）直到 {until} ms"),
                (Lang::Zh, false) => format!("消费者 {c} 处理变慢，直到 {until} ms"),
                (Lang::En, true) => format!("consumer {c} frozen (GC pause) until {until} ms"),
                (Lang::En, false) => format!("consumer {c} processing slowly until {until} ms"),
            }
        }
        _ => return None,
    })
}

/// Transactions: markers, the coordinator, fencing, the client calls.
fn transactions(spec: &Spec, n: &Note, lang: Lang) -> Option<String> {
    let tp = |tp: &Tp| tp_name(spec, *tp);
    Some(match n {
        Note::TxnMarker { broker, tp: t, offset, producer_id, producer_epoch, commit, records } => {
            let (kind, a) = if *commit { ("COMMIT", "a") } else { ("ABORT", "an") };
            match lang {
                Lang::Zh => {
                    format!(
                    "broker {} 在 {} 位移 {offset} 写入 {kind} 标记（producer id {producer_id}，epoch {producer_epoch}，结束 {} 条消息的事务）",
                    broker.0,
                    tp(t),
                    records.len()
                )
                }
                Lang::En => {
                    format!(
                    "broker {} wrote {a} {kind} marker in {} at offset {offset} (producer id {producer_id}, epoch {producer_epoch}, ends a transaction of {} record(s))",
                    broker.0,
                    tp(t),
                    records.len()
                )
                }
            }
        }
        Note::TxnStateChanged { broker, transactional_id, producer_id, producer_epoch, state, partitions } => {
            let parts = partitions.iter().map(&tp).collect::<Vec<_>>().join(", ");
            match lang {
                Lang::Zh => {
                    format!("事务协调者 broker {}：{transactional_id} → {state}（producer id {producer_id}，epoch {producer_epoch}，分区 [{parts}]）", broker.0)
                }
                Lang::En => {
                    format!("transaction coordinator broker {}: {transactional_id} → {state} (producer id {producer_id}, epoch {producer_epoch}, partitions [{parts}])", broker.0)
                }
            }
        }
        Note::TxnFenced { transactional_id, producer_epoch, reason } => match lang {
            Lang::Zh => {
                format!(
                    "{transactional_id} 的 epoch 提升到 {producer_epoch}：旧的生产者被隔离（fenced），它的事务被中止（{}）",
                    zh_or_same(reason)
                )
            }
            Lang::En => {
                format!("{transactional_id}: epoch bumped to {producer_epoch}, the older producer is fenced and its transaction aborted ({reason})")
            }
        },
        Note::TxnLoaded { broker, transactional_id, state, producer_epoch } => match lang {
            Lang::Zh => {
                format!(
                    "broker {} 从 __transaction_state 载入事务 {transactional_id}（{state}，epoch {producer_epoch}）",
                    broker.0
                )
            }
            Lang::En => {
                format!("broker {} loaded transaction {transactional_id} from __transaction_state ({state}, epoch {producer_epoch})", broker.0)
            }
        },
        Note::TxnClient { producer, call, outcome } => {
            let p = spec.producer_name(*producer);
            match lang {
                Lang::Zh => {
                    let o = match *outcome {
                        "ok" => "成功",
                        "called" => "已调用",
                        "committed" => "已提交",
                        "aborted" => "已中止",
                        "failed" => "失败",
                        other => other,
                    };
                    format!("{p}：{call} → {o}")
                }
                Lang::En => {
                    format!("{p}: {call} → {outcome}")
                }
            }
        }
        _ => return None,
    })
}
