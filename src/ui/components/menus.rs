//! The action menus: what a click on a broker, a client or a cut link offers. Every item
//! sends a [`Command`] (or a scenario change) through the reducer; the session checks it
//! before anything changes.
use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::session::Command;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, Selection};
use crate::view::ClusterView;

#[derive(Properties, PartialEq)]
pub struct MenuProps {
    pub selection: Selection,
    pub view: Rc<ClusterView>,
    pub lang: Lang,
    pub on_action: Callback<Action>,
}

pub(crate) fn input_value(e: &InputEvent) -> String {
    let i: HtmlInputElement = e.target_unchecked_into();
    i.value()
}

#[function_component(Menu)]
pub fn menu(p: &MenuProps) -> Html {
    let l = p.lang;
    let v = &*p.view;
    let slow_ms = use_state(|| "300".to_string());
    let pause_ms = use_state(|| "20000".to_string());
    let count = use_state(|| "3".to_string());
    let key = use_state(String::new);
    let topic = use_state(|| v.topics.iter().find(|t| !t.internal).map(|t| t.name.clone()).unwrap_or_default());
    let grow = use_state(String::new);

    let close = {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Select(None)))
    };
    let body = match &p.selection {
        Selection::Broker(id) => broker_menu(p, *id, &slow_ms),
        Selection::Producer(name) => producer_menu(p, name, &SendFields { count: &count, key: &key, topic: &topic }),
        Selection::Consumer(name) => consumer_menu(p, name, &pause_ms, &grow),
        Selection::Reader(name) => reader_menu(p, name),
        Selection::Link(a, b) => link_menu(p, a, b),
        Selection::Message(_) => html! {},
    };
    html! {
        <div class="hw-menu" role="menu" data-testid="menu">
            <button class="hw-x hw-menu-close" aria-label={t(l, K::Dismiss)} onclick={close}>{ "×" }</button>
            { body }
        </div>
    }
}

/// A button's click that sends `c`.
pub(crate) fn act(p: &MenuProps, c: Command) -> Callback<MouseEvent> {
    let cb = p.on_action.clone();
    Callback::from(move |_: MouseEvent| cb.emit(Action::Act(c.clone())))
}

/// An input that writes its text into `h`.
pub(crate) fn bind(h: &UseStateHandle<String>) -> Callback<InputEvent> {
    let h = h.clone();
    Callback::from(move |e: InputEvent| h.set(input_value(&e)))
}

pub(crate) fn is_cut(v: &ClusterView, a: &str, b: &str) -> bool {
    v.cuts.iter().any(|(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// Everything this node can have a link with.
fn peers(v: &ClusterView, me: &str) -> Vec<String> {
    let mut all: Vec<String> = v.brokers.iter().map(|b| format!("b{}", b.id)).collect();
    if !me.starts_with('b') || me[1..].parse::<u32>().is_err() {
        // A client talks to brokers only.
    } else {
        all.extend(v.producers.iter().map(|x| x.name.clone()));
        all.extend(v.readers.iter().map(|x| x.name.clone()));
        all.extend(v.consumers.iter().map(|x| x.name.clone()));
    }
    all.retain(|x| x != me);
    all
}

/// Cut or heal this node's links, one chip per peer.
fn links(p: &MenuProps, me: &str) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let items = peers(v, me).into_iter().map(|other| {
        let cut = is_cut(v, me, &other);
        let c = if cut { Command::Heal(me.to_string(), other.clone()) } else { Command::Cut(me.to_string(), other.clone()) };
        html! {
            <button class={classes!("hw-chip", cut.then_some("cut"))} data-testid={format!("link-{other}")}
                title={format!("{} {me} ↔ {other}", if cut { t(l, K::Heal) } else { t(l, K::Cut) })} onclick={act(p, c)}>
                { if cut { "⇄ " } else { "✂ " } }{ other.clone() }
            </button>
        }
    });
    html! {
        <div class="hw-menu-section">
            <div class="hw-menu-label">{ t(l, K::CutLinkTo) }{ " / " }{ t(l, K::HealLinkTo) }</div>
            <div class="hw-chips">{ for items }</div>
            if !v.cuts.is_empty() {
                <button class="hw-menu-item" onclick={act(p, Command::HealAll)}>{ "⇄ " }{ t(l, K::HealAll) }</button>
            }
        </div>
    }
}

/// Make a node slow (or not any more).
pub(crate) fn slow_controls(p: &MenuProps, slow_ms: &UseStateHandle<String>, node: String, current: u64) -> Html {
    let l = p.lang;
    let ms = slow_ms.parse::<u64>().unwrap_or(0);
    html! {
        <div class="hw-menu-section hw-inline">
            <label class="hw-field"><span>{ t(l, K::MakeSlow) }</span>
                <input type="number" min="1" value={(**slow_ms).clone()} oninput={bind(slow_ms)} aria-label={t(l, K::MakeSlowHint)} />
                <span class="hw-muted">{ t(l, K::Ms) }</span></label>
            <button class="hw-menu-item" title={t(l, K::MakeSlowHint)} disabled={ms == 0} onclick={act(p, Command::Slow(node.clone(), ms))}>{ "◔ " }{ t(l, K::MakeSlow) }</button>
            if current > 0 {
                <button class="hw-menu-item" onclick={act(p, Command::Slow(node.clone(), 0))}>{ t(l, K::Unslow) }</button>
            }
        </div>
    }
}

fn broker_menu(p: &MenuProps, id: u32, slow_ms: &UseStateHandle<String>) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let b = v.brokers.iter().find(|b| b.id == id);
    let running = b.is_some_and(|b| b.status == "up" || b.status == "fenced");
    let slow = b.map(|b| b.slow_ms).unwrap_or(0);
    let me = format!("b{id}");
    html! {
        <>
            <h3>{ format!("{} {id}", t(l, K::Broker)) }</h3>
            <div class="hw-menu-section">
                if running {
                    <button class="hw-menu-item danger" data-testid="act-crash" title={t(l, K::CrashHint)} onclick={act(p, Command::Crash(id))}>
                        { "✕ " }{ t(l, K::Crash) }<small>{ t(l, K::CrashHint) }</small></button>
                    <button class="hw-menu-item danger" data-testid="act-power" title={t(l, K::PowerLossHint)} onclick={act(p, Command::PowerLoss(id))}>
                        { "↯ " }{ t(l, K::PowerLoss) }<small>{ t(l, K::PowerLossHint) }</small></button>
                } else {
                    <button class="hw-menu-item" data-testid="act-restart" onclick={act(p, Command::Restart(id))}>{ "↺ " }{ t(l, K::Restart) }</button>
                }
                <button class="hw-menu-item" data-testid="act-isolate" title={t(l, K::IsolateHint)} onclick={act(p, Command::Isolate(me.clone()))}>
                    { "⊘ " }{ t(l, K::Isolate) }<small>{ t(l, K::IsolateHint) }</small></button>
            </div>
            { slow_controls(p, slow_ms, me.clone(), slow) }
            { links(p, &me) }
        </>
    }
}

/// The producer menu's inputs: how many records, with which key, to which topic.
struct SendFields<'a> {
    count: &'a UseStateHandle<String>,
    key: &'a UseStateHandle<String>,
    topic: &'a UseStateHandle<String>,
}

fn producer_menu(p: &MenuProps, name: &str, f: &SendFields) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let (count, key, topic) = (f.count, f.key, f.topic);
    let pr = v.producers.iter().find(|x| x.name == name);
    let n = count.parse::<u32>().unwrap_or(0);
    let k = (!key.trim().is_empty()).then(|| key.trim().to_string());
    let on_topic = {
        let topic = topic.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            topic.set(s.value());
        })
    };
    let acks_btn = |a: &'static str| {
        let on = pr.is_some_and(|p| p.acks == a);
        html! {
            <button class={classes!("hw-chip", on.then_some("on"))} data-testid={format!("acks-{a}")} aria-pressed={on.to_string()}
                onclick={act(p, Command::SetAcks { producer: name.to_string(), acks: a.to_string() })}>{ format!("acks={a}") }</button>
        }
    };
    let running = pr.is_none_or(|p| p.running);
    let transactional = pr.is_some_and(|p| p.transactional_id.is_some());
    html! {
        <>
            <h3>{ format!("{} {name}", t(l, K::ProducerOne)) }</h3>
            if transactional {
                <div class="hw-menu-section" data-testid="txn-menu">
                    <div class="hw-menu-label">{ t(l, K::Transaction) }{ pr.and_then(|p| p.txn_state.clone()).map(|st| format!(" · {st}")).unwrap_or_default() }</div>
                    <button class="hw-menu-item" data-testid="act-begin" disabled={!running} title={t(l, K::BeginTxnHint)}
                        onclick={act(p, Command::BeginTransaction(name.to_string()))}>{ "◐ " }{ t(l, K::BeginTxn) }<small>{ t(l, K::BeginTxnHint) }</small></button>
                    <button class="hw-menu-item" data-testid="act-commit" disabled={!running} title={t(l, K::CommitTxnHint)}
                        onclick={act(p, Command::CommitTransaction(name.to_string()))}>{ "✓ " }{ t(l, K::CommitTxn) }<small>{ t(l, K::CommitTxnHint) }</small></button>
                    <button class="hw-menu-item danger" data-testid="act-abort" disabled={!running} title={t(l, K::AbortTxnHint)}
                        onclick={act(p, Command::AbortTransaction(name.to_string()))}>{ "✗ " }{ t(l, K::AbortTxn) }<small>{ t(l, K::AbortTxnHint) }</small></button>
                </div>
            }
            <div class="hw-menu-section">
                <div class="hw-menu-label">{ t(l, K::SendRecords) }</div>
                <div class="hw-inline">
                    <input class="hw-num" type="number" min="1" max="10000" value={(**count).clone()} oninput={bind(count)} aria-label={t(l, K::Records)} data-testid="send-count" />
                    <span>{ t(l, K::Records) }</span>
                    <select onchange={on_topic} aria-label={t(l, K::Topic)}>
                        { for v.topics.iter().filter(|t| !t.internal).map(|tp| html! { <option value={tp.name.to_string()} selected={**topic == tp.name}>{ tp.name.to_string() }</option> }) }
                    </select>
                </div>
                <input type="text" placeholder={t(l, K::WithKey)} value={(**key).clone()} oninput={bind(key)} aria-label={t(l, K::WithKey)} data-testid="send-key" />
                <button class="hw-menu-item primary" data-testid="act-send" disabled={n == 0 || !running}
                    onclick={act(p, Command::Produce { producer: name.to_string(), topic: (**topic).clone(), key: k, count: n, partition: None })}>{ "✉ " }{ t(l, K::Send) }</button>
            </div>
            <div class="hw-menu-section">
                <div class="hw-menu-label">{ t(l, K::ChangeAcks) }</div>
                <div class="hw-chips">{ acks_btn("0") }{ acks_btn("1") }{ acks_btn("all") }</div>
            </div>
            <div class="hw-menu-section">
                if running {
                    <button class="hw-menu-item danger" data-testid="act-pcrash" title={t(l, K::ProducerCrashHint)}
                        onclick={act(p, Command::ProducerCrash(name.to_string()))}>{ "✕ " }{ t(l, K::Crash) }<small>{ t(l, K::ProducerCrashHint) }</small></button>
                } else {
                    <button class="hw-menu-item" data-testid="act-prestart" title={t(l, K::ProducerRestartHint)}
                        onclick={act(p, Command::ProducerRestart(name.to_string()))}>{ "↺ " }{ t(l, K::Restart) }
                        if transactional { <small>{ t(l, K::ProducerRestartHint) }</small> }</button>
                }
            </div>
            { links(p, name) }
        </>
    }
}

fn consumer_menu(p: &MenuProps, name: &str, pause_ms: &UseStateHandle<String>, grow: &UseStateHandle<String>) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let c = v.consumers.iter().find(|x| x.name == name);
    let running = c.is_some_and(|c| c.status != "crashed" && c.status != "closed" && c.status != "failed");
    let paused = c.is_some_and(|c| c.paused_until.is_some());
    let ms = pause_ms.parse::<u64>().unwrap_or(0);
    let group = c.map(|c| c.group.clone()).unwrap_or_default();
    let add = {
        let cb = p.on_action.clone();
        let group = group.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::AddConsumer { group: group.clone() }))
    };
    html! {
        <>
            <h3>{ format!("{} {name}", t(l, K::ConsumerOne)) }</h3>
            <div class="hw-menu-section">
                if running {
                    <button class="hw-menu-item danger" data-testid="act-ccrash" onclick={act(p, Command::ConsumerCrash(name.to_string()))}>{ "✕ " }{ t(l, K::Crash) }</button>
                    <button class="hw-menu-item" data-testid="act-cclose" onclick={act(p, Command::ConsumerClose(name.to_string()))}>{ "⇥ " }{ t(l, K::Close) }</button>
                } else {
                    <button class="hw-menu-item" data-testid="act-crestart" onclick={act(p, Command::ConsumerRestart(name.to_string()))}>{ "↺ " }{ t(l, K::Restart) }</button>
                }
            </div>
            if running {
                <div class="hw-menu-section">
                    <label class="hw-field"><span>{ t(l, K::Pause2) }</span>
                        <input type="number" min="1" value={(**pause_ms).clone()} oninput={bind(pause_ms)} data-testid="pause-ms" aria-label={t(l, K::Ms)} />
                        <span class="hw-muted">{ t(l, K::Ms) }</span></label>
                    <button class="hw-menu-item" data-testid="act-cpause" disabled={ms == 0}
                        onclick={act(p, Command::ConsumerPause { consumer: name.to_string(), ms, gc: true })}>{ "❚❚ " }{ t(l, K::PauseGc) }</button>
                    <button class="hw-menu-item" disabled={ms == 0}
                        onclick={act(p, Command::ConsumerPause { consumer: name.to_string(), ms, gc: false })}>{ "◔ " }{ t(l, K::PauseSlow) }</button>
                    if paused {
                        <button class="hw-menu-item" data-testid="act-cresume" onclick={act(p, Command::ConsumerResume(name.to_string()))}>{ "▶ " }{ t(l, K::Resume) }</button>
                    }
                </div>
            }
            <div class="hw-menu-section">
                <button class="hw-menu-item" data-testid="act-add-consumer" onclick={add}>{ "+ " }{ t(l, K::AddConsumer) }</button>
                { for v.topics.iter().filter(|tp| !tp.internal).map(|tp| {
                    let target = grow.parse::<u32>().unwrap_or(tp.partitions + 1);
                    html! {
                        <div class="hw-inline">
                            <span>{ format!("{} {} → ", t(l, K::AddPartitions), tp.name) }</span>
                            <input class="hw-num" type="number" min={(tp.partitions + 1).to_string()} placeholder={(tp.partitions + 1).to_string()}
                                value={(**grow).clone()} oninput={bind(grow)} aria-label={t(l, K::AddPartitionsTo)} />
                            <button class="hw-chip" data-testid="act-add-partitions"
                                onclick={act(p, Command::AddPartitions { topic: tp.name.to_string(), partitions: target })}>{ t(l, K::Apply) }</button>
                        </div>
                    }
                }) }
            </div>
            { links(p, name) }
        </>
    }
}

fn reader_menu(p: &MenuProps, name: &str) -> Html {
    let l = p.lang;
    html! {
        <>
            <h3>{ format!("{} {name}", t(l, K::ReaderOne)) }</h3>
            <div class="hw-menu-section">
                <button class="hw-menu-item" onclick={act(p, Command::Isolate(name.to_string()))}>{ "⊘ " }{ t(l, K::Isolate) }</button>
            </div>
            { links(p, name) }
        </>
    }
}

pub(crate) fn link_menu(p: &MenuProps, a: &str, b: &str) -> Html {
    let (l, v) = (p.lang, &*p.view);
    let cut = is_cut(v, a, b);
    html! {
        <>
            <h3>{ format!("{} {a} ↔ {b}", t(l, K::Link)) }</h3>
            <div class="hw-menu-section">
                if cut {
                    <button class="hw-menu-item primary" data-testid="act-heal" onclick={act(p, Command::Heal(a.to_string(), b.to_string()))}>{ "⇄ " }{ t(l, K::Heal) }</button>
                } else {
                    <button class="hw-menu-item danger" data-testid="act-cut" onclick={act(p, Command::Cut(a.to_string(), b.to_string()))}>{ "✂ " }{ t(l, K::Cut) }</button>
                }
                <button class="hw-menu-item" onclick={act(p, Command::HealAll)}>{ "⇄ " }{ t(l, K::HealAll) }</button>
            </div>
        </>
    }
}
