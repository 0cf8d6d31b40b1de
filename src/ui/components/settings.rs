//! Settings under Kafka's names, with the default and a line of explanation each.
//! `acks` changes from the current step (the engine has an action for it); the others
//! rebuild the run with the new value and come back to the same step (the engine cannot
//! change them mid-run yet). A bad value is refused with the scenario validator's message.
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, SessionHandle, SettingScope};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Broker,
    Topic,
    Producer,
    Consumer,
    Reader,
    /// The producer inside a consume-transform-produce consumer (its `transform.config`).
    Pipeline,
    Network,
}

struct Setting {
    kind: Kind,
    key: &'static str,
    default: &'static str,
    en: &'static str,
    zh: &'static str,
}

const SETTINGS: &[Setting] = &[
    Setting { kind: Kind::Broker, key: "min.insync.replicas", default: "1", en: "With acks=all, a write needs at least this many in-sync replicas, or it fails with NOT_ENOUGH_REPLICAS.", zh: "acks=all 时，写入至少需要这么多同步副本，否则返回 NOT_ENOUGH_REPLICAS。" },
    Setting { kind: Kind::Broker, key: "unclean.leader.election.enable", default: "false", en: "Let a replica outside the ISR become leader when no ISR member is left: available again, but acknowledged records can be lost.", zh: "当 ISR 中没有可用副本时，允许非 ISR 副本成为 leader：恢复可用，但已确认的消息可能丢失。" },
    Setting { kind: Kind::Broker, key: "replica.lag.time.max.ms", default: "30000", en: "A follower that has not caught up for this long is removed from the ISR.", zh: "追随者落后超过这个时间，就会被移出 ISR。" },
    Setting { kind: Kind::Broker, key: "replica.fetch.wait.max.ms", default: "500", en: "How long a leader holds a follower's Fetch when there is nothing new (long polling).", zh: "没有新数据时，leader 挂起追随者 Fetch 请求的最长时间（长轮询）。" },
    Setting { kind: Kind::Broker, key: "broker.session.timeout.ms", default: "9000", en: "The controller fences a broker whose heartbeats stop for this long; its partitions elect new leaders.", zh: "Broker 心跳中断超过这个时间，控制器将其隔离（fence），它的分区重新选举 leader。" },
    Setting { kind: Kind::Broker, key: "legacy.truncate.to.high.watermark", default: "false", en: "(legacy switch, not a Kafka setting) true: followers truncate to their own high watermark when the leader changes and fetch without leader epochs, as before Kafka 0.11 (KIP-101).", zh: "（旧行为开关，不是 Kafka 配置）true：leader 变化时追随者截断到自己的高水位，并且不带 leader epoch 去 fetch，与 Kafka 0.11 之前（KIP-101）一样。" },
    Setting { kind: Kind::Broker, key: "legacy.hw.advances.under.min.isr", default: "false", en: "(legacy switch, not a Kafka setting) true: the high watermark advances while the ISR is smaller than min.insync.replicas, as before Kafka 3.7 (KAFKA-15583).", zh: "（旧行为开关，不是 Kafka 配置）true：ISR 小于 min.insync.replicas 时高水位仍会前进，与 Kafka 3.7 之前（KAFKA-15583）一样。" },
    Setting { kind: Kind::Broker, key: "broker.heartbeat.interval.ms", default: "2000", en: "How often a broker sends a heartbeat to the controller.", zh: "Broker 向控制器发送心跳的间隔。" },
    Setting { kind: Kind::Broker, key: "log.flush.interval.messages", default: "never", en: "Fsync the log after this many records; by default Kafka leaves flushing to the OS page cache.", zh: "每写入这么多条消息就刷盘（fsync）；默认交给操作系统页缓存。" },
    Setting { kind: Kind::Broker, key: "group.initial.rebalance.delay.ms", default: "3000", en: "The first rebalance of an empty group waits this long for more members.", zh: "空消费者组的首次再均衡会等待这么久，让更多成员加入。" },
    Setting { kind: Kind::Broker, key: "transaction.state.log.num.partitions", default: "50", en: "Partitions of __transaction_state; a transactional id's coordinator leads its partition. (Highwater uses 3 to keep the picture small.)", zh: "__transaction_state 的分区数；某个 transactional id 的事务协调者就是其所在分区的 leader。（Highwater 默认用 3，让画面简洁。）" },
    Setting { kind: Kind::Broker, key: "transaction.state.log.replication.factor", default: "3", en: "Replicas of each __transaction_state partition.", zh: "__transaction_state 每个分区的副本数。" },
    Setting { kind: Kind::Broker, key: "transaction.state.log.min.isr", default: "2", en: "min.insync.replicas of __transaction_state: below it the coordinator cannot store a transaction's state.", zh: "__transaction_state 的 min.insync.replicas：低于它，事务协调者无法写入事务状态。" },
    Setting { kind: Kind::Broker, key: "transaction.max.timeout.ms", default: "900000", en: "The largest transaction.timeout.ms a producer may ask for (InitProducerId fails above it).", zh: "生产者可申请的最大 transaction.timeout.ms（超过则 InitProducerId 失败）。" },
    Setting { kind: Kind::Broker, key: "transaction.abort.timed.out.transaction.cleanup.interval.ms", default: "10000", en: "How often the coordinator looks for transactions open longer than their timeout, and aborts them.", zh: "事务协调者检查超时未结束事务并将其中止的间隔。" },
    Setting { kind: Kind::Topic, key: "min.insync.replicas", default: "broker's", en: "This topic's override of min.insync.replicas.", zh: "该主题对 min.insync.replicas 的覆盖值。" },
    Setting { kind: Kind::Topic, key: "unclean.leader.election.enable", default: "broker's", en: "This topic's override of unclean.leader.election.enable.", zh: "该主题对 unclean.leader.election.enable 的覆盖值。" },
    Setting { kind: Kind::Producer, key: "acks", default: "all", en: "0: no answer; 1: the leader's append; all: every ISR member (at least min.insync.replicas). Applies from this step.", zh: "0：不等待响应；1：leader 写入即确认；all：所有 ISR 副本（至少 min.insync.replicas）。从当前步骤起生效。" },
    Setting { kind: Kind::Producer, key: "enable.idempotence", default: "true", en: "Producer id + sequence numbers: retries are neither duplicated nor reordered. Needs acks=all.", zh: "生产者 ID + 序列号：重试不会重复也不会乱序。需要 acks=all。" },
    Setting { kind: Kind::Producer, key: "retries", default: "2147483647", en: "How many times a failed batch is retried (within delivery.timeout.ms).", zh: "失败批次的重试次数（在 delivery.timeout.ms 之内）。" },
    Setting { kind: Kind::Producer, key: "max.in.flight.requests.per.connection", default: "5", en: "Unanswered requests per broker; above 1 without idempotence, retries can reorder records.", zh: "每个 Broker 上未收到响应的请求数；不开启幂等且大于 1 时，重试可能导致乱序。" },
    Setting { kind: Kind::Producer, key: "linger.ms", default: "5", en: "How long a batch waits for more records before it is sent.", zh: "批次发送前等待更多消息的时间。" },
    Setting { kind: Kind::Producer, key: "request.timeout.ms", default: "30000", en: "How long the producer waits for an answer before it retries.", zh: "生产者等待响应的时间，超时后重试。" },
    Setting { kind: Kind::Producer, key: "delivery.timeout.ms", default: "120000", en: "The longest a record may take to be acknowledged, retries included.", zh: "一条消息从发送到确认（含重试）的最长时间。" },
    Setting { kind: Kind::Producer, key: "transactional.id", default: "null", en: "Makes the producer transactional (implies idempotence): records go out in transactions that commit or abort as a whole; a new producer with the same id fences the old one. \"none\" removes it.", zh: "使生产者成为事务生产者（隐含幂等）：消息在事务中发送，整体提交或中止；同一 id 的新生产者会隔离旧的。输入 \"none\" 可移除。" },
    Setting { kind: Kind::Producer, key: "transaction.timeout.ms", default: "60000", en: "The coordinator aborts a transaction left open longer than this (and fences the producer's epoch).", zh: "事务超过这个时间仍未结束，事务协调者会将其中止（并隔离该生产者的 epoch）。" },
    Setting { kind: Kind::Consumer, key: "enable.auto.commit", default: "true", en: "Commit the positions every auto.commit.interval.ms, in poll(): a crash in between reprocesses records.", zh: "在 poll() 中每隔 auto.commit.interval.ms 自动提交位移：两次提交之间宕机会重复消费。" },
    Setting { kind: Kind::Consumer, key: "auto.commit.interval.ms", default: "5000", en: "How often positions are committed automatically.", zh: "自动提交位移的间隔。" },
    Setting { kind: Kind::Consumer, key: "auto.offset.reset", default: "latest", en: "Where a group without a committed offset starts: earliest, latest or none.", zh: "没有已提交位移时从哪里开始：earliest、latest 或 none。" },
    Setting { kind: Kind::Consumer, key: "session.timeout.ms", default: "45000", en: "The coordinator removes a member whose heartbeats stop for this long, and rebalances.", zh: "成员心跳中断超过这个时间，组协调器将其移出并触发再均衡。" },
    Setting { kind: Kind::Consumer, key: "heartbeat.interval.ms", default: "3000", en: "How often the heartbeat thread sends a heartbeat.", zh: "心跳线程发送心跳的间隔。" },
    Setting { kind: Kind::Consumer, key: "max.poll.interval.ms", default: "300000", en: "If the application does not call poll() for this long, the consumer leaves the group.", zh: "应用超过这个时间没有调用 poll()，消费者就会离开消费者组。" },
    Setting { kind: Kind::Consumer, key: "partition.assignment.strategy", default: "range,cooperative-sticky", en: "Assignors in order of preference: range, roundrobin, sticky, cooperative-sticky.", zh: "分区分配策略，按优先顺序：range、roundrobin、sticky、cooperative-sticky。" },
    Setting { kind: Kind::Consumer, key: "sim.processing.ms.per.record", default: "10", en: "(simulation) How long the application takes per record.", zh: "（模拟）应用处理每条消息的耗时。" },
    Setting { kind: Kind::Consumer, key: "sim.commit", default: "none", en: "(simulation) Manual commits: none, sync-after-processing, async-after-processing, sync-before-processing.", zh: "（模拟）手动提交：none、sync-after-processing、async-after-processing、sync-before-processing。" },
    Setting { kind: Kind::Consumer, key: "sim.dedup", default: "none", en: "(simulation) none, or processed-ids: the application keeps the ids it processed in its own database, in the same transaction as the processing, and skips a record already there (the idempotent consumer).", zh: "（模拟）none，或 processed-ids：应用把处理过的消息 id 存在自己的数据库里（与处理结果在同一个事务中），跳过表中已有的消息（幂等消费者）。" },
    Setting { kind: Kind::Consumer, key: "isolation.level", default: "read_uncommitted", en: "read_uncommitted: everything up to the HW, aborted transactions included; read_committed: only up to the LSO, without aborted records.", zh: "read_uncommitted：读到 HW 为止，包括已中止事务的消息；read_committed：只读到 LSO，跳过已中止的消息。" },
    Setting { kind: Kind::Reader, key: "isolation.level", default: "read_uncommitted", en: "read_uncommitted: everything up to the HW, aborted transactions included; read_committed: only up to the LSO, without aborted records.", zh: "read_uncommitted：读到 HW 为止，包括已中止事务的消息；read_committed：只读到 LSO，跳过已中止的消息。" },
    Setting { kind: Kind::Pipeline, key: "transactional.id", default: "null", en: "Set: outputs and the input offsets commit in one transaction (exactly-once). \"none\" removes it: outputs are sent and offsets committed separately (at-least-once).", zh: "设置后：输出与输入位移在同一个事务中提交（精确一次）。输入 \"none\" 移除：输出与位移分开提交（至少一次）。" },
    Setting { kind: Kind::Pipeline, key: "transaction.timeout.ms", default: "60000", en: "The coordinator aborts a transaction left open longer than this.", zh: "事务超过这个时间仍未结束，事务协调者会将其中止。" },
    Setting { kind: Kind::Network, key: "latency_ms", default: "2", en: "(simulation) One-way latency of every link.", zh: "（模拟）每条链路的单向延迟。" },
    Setting { kind: Kind::Network, key: "jitter_ms", default: "1", en: "(simulation) Extra random latency, up to this much.", zh: "（模拟）额外的随机延迟上限。" },
];

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub session: SessionHandle,
    pub lang: Lang,
    pub on_action: Callback<Action>,
}

/// Names of the entities in one list of the scenario ("topics", "producers", ...).
fn names(value: &serde_json::Value, list: &str) -> Vec<String> {
    value
        .get(list)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.get("name")?.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Consumers that are consume-transform-produce pipelines.
fn pipelines(value: &serde_json::Value) -> Vec<String> {
    value
        .get("consumers")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter(|c| c.get("transform").is_some_and(|t| !t.is_null()))
                .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The broker's transaction.* settings matter only once some producer is transactional.
fn has_txn(value: &serde_json::Value) -> bool {
    let list = |name: &str| value.get(name).and_then(|v| v.as_array()).cloned().unwrap_or_default();
    let transactional = |config: Option<&serde_json::Value>| {
        config.and_then(|c| c.get("transactional.id")).is_some_and(|t| !t.is_null())
    };
    list("producers").iter().any(|p| transactional(p.get("config")))
        || list("consumers").iter().any(|c| transactional(c.get("transform").and_then(|t| t.get("config"))))
}

/// The value a setting has in the scenario now, as the text field shows it.
fn current(value: &serde_json::Value, kind: Kind, entity: &str, key: &str) -> Option<String> {
    let v = match kind {
        Kind::Broker => value.get("cluster")?.get("config")?.get(key)?.clone(),
        Kind::Network => value.get("network")?.get(key)?.clone(),
        Kind::Topic | Kind::Producer | Kind::Consumer | Kind::Reader | Kind::Pipeline => {
            let list = match kind {
                Kind::Topic => "topics",
                Kind::Producer => "producers",
                Kind::Reader => "readers",
                _ => "consumers",
            };
            let item =
                value.get(list)?.as_array()?.iter().find(|x| x.get("name").and_then(|n| n.as_str()) == Some(entity))?;
            let item = if kind == Kind::Pipeline { item.get("transform")? } else { item };
            item.get("config")?.get(key)?.clone()
        }
    };
    Some(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(","),
        // Long::MAX is how the scenario writes "never".
        other if other.as_i64() == Some(i64::MAX) => "never".into(),
        other => other.to_string(),
    })
}

/// The entity a section edits: the one picked, else the first.
fn pick(list: &[String], h: &UseStateHandle<String>) -> String {
    if list.contains(&**h) {
        (**h).clone()
    } else {
        list.first().cloned().unwrap_or_default()
    }
}

/// A drop-down choosing which entity a section edits.
fn picker(list: &[String], h: &UseStateHandle<String>) -> Html {
    let now = pick(list, h);
    let h = h.clone();
    let on = Callback::from(move |e: Event| {
        let s: HtmlSelectElement = e.target_unchecked_into();
        h.set(s.value());
    });
    html! { <select onchange={on}>{ for list.iter().map(|n| html! { <option value={n.clone()} selected={*n == now}>{ n.clone() }</option> }) }</select> }
}

fn scope_of(kind: Kind, entity: &str) -> SettingScope {
    let entity = entity.to_string();
    match kind {
        Kind::Broker => SettingScope::Broker,
        Kind::Network => SettingScope::Network,
        Kind::Topic => SettingScope::Topic(entity),
        Kind::Producer => SettingScope::Producer(entity),
        Kind::Consumer => SettingScope::Consumer(entity),
        Kind::Reader => SettingScope::Reader(entity),
        Kind::Pipeline => SettingScope::Pipeline(entity),
    }
}

/// What every section of the panel shares.
struct PanelCtx<'a> {
    value: &'a serde_json::Value,
    lang: Lang,
    has_txn: bool,
    on_action: &'a Callback<Action>,
}

impl PanelCtx<'_> {
    /// One section: a title (with an entity picker when there is a choice) and its rows.
    fn section(&self, kind: Kind, title: K, entity: &str, extra: Html) -> Html {
        let l = self.lang;
        let rows = SETTINGS
            .iter()
            .filter(|s| s.kind == kind && (self.has_txn || kind != Kind::Broker || !s.key.starts_with("transaction.")))
            .map(|s| {
                let cur = current(self.value, kind, entity, s.key);
                let row_key = format!("{}-{entity}-{}-{}", s.key, kind as u8, cur.clone().unwrap_or_default());
                html! {
                    <SettingRow key={row_key}
                        scope={scope_of(kind, entity)} name={s.key} default={s.default} current={cur}
                        explain={if l == Lang::Zh { s.zh } else { s.en }} lang={l} on_action={self.on_action.clone()}
                        live={kind == Kind::Producer && s.key == "acks"} />
                }
            });
        html! {
            <section class="hw-settings-group">
                <h3>{ t(l, title) }{ extra }</h3>
                <table class="hw-settings-table"><tbody>{ for rows }</tbody></table>
            </section>
        }
    }

    /// A section for one of a list of entities, or nothing when the list is empty.
    fn entity_section(&self, kind: Kind, title: K, list: &[String], h: &UseStateHandle<String>) -> Html {
        if list.is_empty() {
            return html! {};
        }
        self.section(kind, title, &pick(list, h), picker(list, h))
    }
}

#[function_component(SettingsPanel)]
pub fn settings_panel(p: &SettingsProps) -> Html {
    let l = p.lang;
    let topic = use_state(String::new);
    let producer = use_state(String::new);
    let consumer = use_state(String::new);
    let reader = use_state(String::new);
    let pipeline = use_state(String::new);
    let Some(value) = p.session.with(|s| serde_json::to_value(s.scenario()).unwrap_or_default()) else {
        return html! {};
    };
    let cx = PanelCtx { value: &value, lang: l, has_txn: has_txn(&value), on_action: &p.on_action };
    html! {
        <div class="hw-settings" data-testid="settings">
            <p class="hw-muted">{ t(l, K::SettingsIntro) }</p>
            { cx.section(Kind::Broker, K::BrokerSettings, "", html! {}) }
            { cx.entity_section(Kind::Topic, K::TopicSettings, &names(&value, "topics"), &topic) }
            { cx.entity_section(Kind::Producer, K::ProducerSettings, &names(&value, "producers"), &producer) }
            { cx.entity_section(Kind::Consumer, K::ConsumerSettings, &names(&value, "consumers"), &consumer) }
            { cx.entity_section(Kind::Pipeline, K::PipelineSettings, &pipelines(&value), &pipeline) }
            { cx.entity_section(Kind::Reader, K::ReaderSettings, &names(&value, "readers"), &reader) }
            { cx.section(Kind::Network, K::NetworkSettings, "", html! {}) }
        </div>
    }
}

/// The values of a boolean or enum setting (Kafka's, and Highwater's own `sim.commit`).
fn choices(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "unclean.leader.election.enable"
        | "enable.idempotence"
        | "enable.auto.commit"
        | "legacy.truncate.to.high.watermark"
        | "legacy.hw.advances.under.min.isr" => &["true", "false"],
        "acks" => &["0", "1", "all"],
        "auto.offset.reset" => &["earliest", "latest", "none"],
        "isolation.level" => &["read_uncommitted", "read_committed"],
        "sim.commit" => &["none", "sync-after-processing", "async-after-processing", "sync-before-processing"],
        "sim.dedup" => &["none", "processed-ids"],
        "partition.assignment.strategy" => {
            &["range,cooperative-sticky", "range", "roundrobin", "sticky", "cooperative-sticky"]
        }
        _ => return None,
    })
}

#[derive(Properties, PartialEq)]
struct SettingRowProps {
    scope: SettingScope,
    name: &'static str,
    default: &'static str,
    current: Option<String>,
    explain: &'static str,
    lang: Lang,
    live: bool,
    on_action: Callback<Action>,
}

#[function_component(SettingRow)]
fn setting_row(p: &SettingRowProps) -> Html {
    let l = p.lang;
    let text = use_state(|| p.current.clone().unwrap_or_default());
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            text.set(i.value());
        })
    };
    let apply = {
        let cb = p.on_action.clone();
        let scope = p.scope.clone();
        let key = p.name.to_string();
        let text = text.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(Action::ApplySetting { scope: scope.clone(), key: key.clone(), value: (*text).clone() });
        })
    };
    let on_pick = {
        let text = text.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            text.set(s.value());
        })
    };
    // A topic's override shows the broker's value when it is not set: said in words.
    let default = if p.default == "broker's" { t(l, K::BrokersValue) } else { p.default };
    // A boolean or an enum is picked from its values, not typed.
    let field = match choices(p.name) {
        Some(list) => html! {
            <select onchange={on_pick} aria-label={p.name}>
                <option value="" selected={text.is_empty()}>{ "—" }</option>
                { for list.iter().map(|v| html! { <option value={*v} selected={*text == *v}>{ *v }</option> }) }
            </select>
        },
        None => {
            html! { <input type="text" value={(*text).clone()} placeholder={default} oninput={on_input} aria-label={p.name} /> }
        }
    };
    html! {
        <tr data-testid={format!("setting-{}", p.name)}>
            <td class="hw-setting-name"><code>{ p.name }</code>
                <div class="hw-muted hw-setting-explain">{ p.explain }</div></td>
            <td class="hw-setting-default"><span class="hw-muted">{ t(l, K::Default) }</span>{ " " }<code>{ default }</code></td>
            <td>
                <form class="hw-inline" onsubmit={apply}>
                    { field }
                    <button type="submit" class="hw-mini-btn">{ t(l, K::Apply) }</button>
                    <span class={classes!("hw-pill", if p.live { "live" } else { "rebuild" })}>
                        { if p.live { t(l, K::AppliesNow) } else { t(l, K::AppliesRebuild) } }</span>
                </form>
            </td>
        </tr>
    }
}
