//! The action menus of a RocketMQ run: crash, power loss, restart, disk stall and links of a
//! broker; send N messages (sync, async, oneway) from a producer; crash, restart or fail
//! batches of a consumer. Kafka-only actions (acks, pauses, partitions) are not offered.
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::session::rocketmq_view::RocketMqView;
use crate::session::Command;
use crate::ui::components::menus::{act, bind, is_cut, link_menu, slow_controls, MenuProps};
use crate::ui::i18n::{t, K};
use crate::ui::state::{Action, Selection};

/// Every node of the run by key: brokers, name servers, producers, consumers.
fn nodes(r: &RocketMqView) -> Vec<String> {
    let mut all: Vec<String> = r.groups.iter().flat_map(|g| g.brokers.iter().map(|b| b.key.clone())).collect();
    all.extend(r.name_servers.iter().map(|n| n.key.clone()));
    all.extend(r.producers.iter().map(|x| x.key.clone()));
    all.extend(r.consumers.iter().map(|x| x.key.clone()));
    all
}

/// Cut or heal this node's links: a broker's to every node, a client's to brokers and
/// name servers.
fn links(p: &MenuProps, r: &RocketMqView, me: &str) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let is_client = r.producers.iter().any(|x| x.key == me) || r.consumers.iter().any(|x| x.key == me);
    let servers: Vec<String> = r
        .groups
        .iter()
        .flat_map(|g| g.brokers.iter().map(|b| b.key.clone()))
        .chain(r.name_servers.iter().map(|n| n.key.clone()))
        .collect();
    let peers: Vec<String> = nodes(r).into_iter().filter(|k| k != me && (!is_client || servers.contains(k))).collect();
    let items = peers.into_iter().map(|other| {
        let cut = is_cut(v, me, &other);
        let c = if cut { Command::Heal(me.to_string(), other.clone()) } else { Command::Cut(me.to_string(), other.clone()) };
        html! {
            <button class={classes!("hw-chip", cut.then_some("cut"))} data-testid={format!("link-{other}")} onclick={act(p, c)}>
                { if cut { "⇄ " } else { "✂ " } }{ other.clone() }</button>
        }
    });
    html! {
        <div class="hw-menu-section">
            <div class="hw-menu-label">{ t(l, K::CutLinkTo) }{ " / " }{ t(l, K::HealLinkTo) }</div>
            <div class="hw-chips">{ for items }</div>
            <button class="hw-menu-item" onclick={act(p, Command::Isolate(me.to_string()))}>{ "⊘ " }{ t(l, K::Isolate) }</button>
            if !v.cuts.is_empty() {
                <button class="hw-menu-item" onclick={act(p, Command::HealAll)}>{ "⇄ " }{ t(l, K::HealAll) }</button>
            }
        </div>
    }
}

#[function_component(RmqMenu)]
pub fn rmq_menu(p: &MenuProps) -> Html {
    let l = p.lang;
    let fields = Fields {
        slow_ms: use_state(|| "300".to_string()),
        stall_ms: use_state(|| "10000".to_string()),
        count: use_state(|| "3".to_string()),
        mode: use_state(|| "sync".to_string()),
        batches: use_state(|| "1".to_string()),
        topic: use_state(String::new),
    };
    let close = {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Select(None)))
    };
    let Some(r) = &p.view.rocketmq else { return html! {} };
    let body = match &p.selection {
        Selection::Broker(n) => broker_menu(p, r, *n, &fields),
        Selection::Producer(name) => producer_menu(p, r, name, &fields),
        Selection::Consumer(name) => consumer_menu(p, r, name, &fields),
        Selection::Link(a, b) => link_menu(p, a, b),
        Selection::Reader(_) | Selection::Message(_) => html! {},
    };
    html! {
        <div class="hw-menu" role="menu" data-testid="menu">
            <button class="hw-x hw-menu-close" aria-label={t(l, K::Dismiss)} onclick={close}>{ "×" }</button>
            { body }
        </div>
    }
}

/// The menu's inputs.
struct Fields {
    slow_ms: UseStateHandle<String>,
    stall_ms: UseStateHandle<String>,
    count: UseStateHandle<String>,
    mode: UseStateHandle<String>,
    batches: UseStateHandle<String>,
    topic: UseStateHandle<String>,
}

fn broker_menu(p: &MenuProps, r: &RocketMqView, n: u32, f: &Fields) -> Html {
    let l = p.lang;
    let Some(b) = r.groups.iter().flat_map(|g| &g.brokers).nth(n.saturating_sub(1) as usize) else { return html! {} };
    let running = b.status == "up";
    let stall = f.stall_ms.parse::<u64>().unwrap_or(0);
    html! {
        <>
            <h3>{ format!("{} {} · brokerId {}", t(l, K::Broker), b.key, b.broker_id) }</h3>
            <div class="hw-menu-section">
                if running {
                    <button class="hw-menu-item danger" data-testid="act-crash" title={t(l, K::CrashHint)} onclick={act(p, Command::Crash(n))}>
                        { "✕ " }{ t(l, K::Crash) }<small>{ t(l, K::CrashHint) }</small></button>
                    <button class="hw-menu-item danger" data-testid="act-power" title={t(l, K::PowerLossHint)} onclick={act(p, Command::PowerLoss(n))}>
                        { "↯ " }{ t(l, K::PowerLoss) }<small>{ t(l, K::PowerLossHint) }</small></button>
                } else {
                    <button class="hw-menu-item" data-testid="act-restart" onclick={act(p, Command::Restart(n))}>{ "↺ " }{ t(l, K::Restart) }</button>
                }
            </div>
            <div class="hw-menu-section hw-inline">
                <label class="hw-field"><span>{ t(l, K::DiskStall) }</span>
                    <input type="number" min="1" value={(*f.stall_ms).clone()} oninput={bind(&f.stall_ms)} aria-label={t(l, K::DiskStallHint)} data-testid="stall-ms" />
                    <span class="hw-muted">{ t(l, K::Ms) }</span></label>
                <button class="hw-menu-item" data-testid="act-disk-stall" title={t(l, K::DiskStallHint)} disabled={stall == 0}
                    onclick={act(p, Command::DiskStall { broker: n, ms: stall })}>{ "⧗ " }{ t(l, K::DiskStall) }<small>{ t(l, K::DiskStallHint) }</small></button>
            </div>
            { slow_controls(p, &f.slow_ms, b.key.clone(), b.slow_ms) }
            { links(p, r, &b.key) }
        </>
    }
}

fn producer_menu(p: &MenuProps, r: &RocketMqView, name: &str, f: &Fields) -> Html {
    let l = p.lang;
    let mut topics: Vec<String> = Vec::new();
    for q in r.groups.iter().flat_map(|g| &g.brokers).flat_map(|b| &b.consume_queues) {
        if !topics.contains(&q.topic) {
            topics.push(q.topic.clone());
        }
    }
    let topic =
        if topics.contains(&*f.topic) { (*f.topic).clone() } else { topics.first().cloned().unwrap_or_default() };
    let n = f.count.parse::<u32>().unwrap_or(0);
    let up = r.producers.iter().find(|x| x.key == name).is_none_or(|x| x.up);
    let on_topic = {
        let h = f.topic.clone();
        Callback::from(move |e: Event| h.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let mode_chip = |m: &'static str| {
        let on = *f.mode == m;
        let h = f.mode.clone();
        html! { <button class={classes!("hw-chip", on.then_some("on"))} aria-pressed={on.to_string()} data-testid={format!("mode-{m}")}
        onclick={Callback::from(move |_: MouseEvent| h.set(m.to_string()))}>{ m }</button> }
    };
    let send = Command::Send { producer: name.to_string(), topic: topic.clone(), count: n, mode: (*f.mode).clone() };
    html! {
        <>
            <h3>{ format!("{} {name}", t(l, K::ProducerOne)) }</h3>
            <div class="hw-menu-section">
                <div class="hw-menu-label">{ t(l, K::SendMessages) }</div>
                <div class="hw-inline">
                    <input class="hw-num" type="number" min="1" max="10000" value={(*f.count).clone()} oninput={bind(&f.count)} aria-label={t(l, K::MessagesN)} data-testid="send-count" />
                    <span>{ t(l, K::MessagesN) }</span>
                    <select onchange={on_topic} aria-label={t(l, K::Topic)}>
                        { for topics.iter().map(|tp| html! { <option value={tp.clone()} selected={*tp == topic}>{ tp.clone() }</option> }) }
                    </select>
                </div>
                <div class="hw-chips" title={t(l, K::SendModeHint)}>{ mode_chip("sync") }{ mode_chip("async") }{ mode_chip("oneway") }</div>
                <button class="hw-menu-item primary" data-testid="act-send" disabled={n == 0 || !up || topic.is_empty()} onclick={act(p, send)}>
                    { "✉ " }{ t(l, K::Send) }<small>{ t(l, K::SendModeHint) }</small></button>
            </div>
            { links(p, r, name) }
        </>
    }
}

fn consumer_menu(p: &MenuProps, r: &RocketMqView, name: &str, f: &Fields) -> Html {
    let l = p.lang;
    let up = r.consumers.iter().find(|x| x.key == name).is_none_or(|x| x.up);
    let batches = f.batches.parse::<u32>().unwrap_or(0);
    html! {
        <>
            <h3>{ format!("{} {name}", t(l, K::ConsumerOne)) }</h3>
            <div class="hw-menu-section">
                if up {
                    <button class="hw-menu-item danger" data-testid="act-ccrash" title={t(l, K::ConsumerCrashHint)}
                        onclick={act(p, Command::ConsumerCrash(name.to_string()))}>{ "✕ " }{ t(l, K::Crash) }<small>{ t(l, K::ConsumerCrashHint) }</small></button>
                } else {
                    <button class="hw-menu-item" data-testid="act-crestart" onclick={act(p, Command::ConsumerRestart(name.to_string()))}>{ "↺ " }{ t(l, K::Restart) }</button>
                }
            </div>
            if up {
                <div class="hw-menu-section hw-inline">
                    <label class="hw-field"><span>{ t(l, K::ConsumerFail) }</span>
                        <input type="number" min="1" max="1000" value={(*f.batches).clone()} oninput={bind(&f.batches)} aria-label={t(l, K::Batches)} data-testid="fail-batches" />
                        <span class="hw-muted">{ t(l, K::Batches) }</span></label>
                    <button class="hw-menu-item" data-testid="act-cfail" disabled={batches == 0} title={t(l, K::ConsumerFailHint)}
                        onclick={act(p, Command::ConsumerFail { consumer: name.to_string(), batches })}>{ "↶ " }{ t(l, K::ConsumerFail) }<small>{ t(l, K::ConsumerFailHint) }</small></button>
                </div>
            }
            { links(p, r, name) }
        </>
    }
}
