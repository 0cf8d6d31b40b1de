//! RocketMQ's clients and name servers as cards: a producer with its counts, a push
//! consumer with each of its queues (the broker it pulls from, next offset, ProcessQueue,
//! client offset store), a name server with the brokers registered at it; and the dashed
//! lines from each consumer to the broker it pulls from.
use yew::prelude::*;

use super::{pos, CardCtx, StageProps};
use crate::session::rocketmq_view::{NameServerView, RmqConsumerView, RmqProducerView, RmqQueueView, RocketMqView};
use crate::ui::components::strip::fmt;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::layout::{Layout, Rect};
use crate::ui::state::Selection;

fn up_pill(l: Lang, up: bool) -> Html {
    let (icon, key, class) =
        if up { ("● ", K::StatusUp, "status-up") } else { ("✕ ", K::StatusCrashed, "status-crashed") };
    html! { <span class={classes!("hw-pill", class)} data-testid="client-status" data-up={up.to_string()}><span aria-hidden="true">{ icon }</span>{ t(l, key) }</span> }
}

pub(super) fn producer(ctx: &CardCtx, pr: &RmqProducerView, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let sel = Selection::Producer(pr.key.clone());
    let selected = p.selection.as_ref() == Some(&sel);
    html! {
        <div key={pr.key.clone()} class={classes!("hw-card", "hw-client", "hw-producer", (!pr.up).then_some("down"), selected.then_some("selected"))}
            style={pos(rect)} data-testid={format!("rmq-producer-{}", pr.key)} onclick={select(sel.clone())}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(sel.clone())}>{ pr.key.clone() }</button>
                { up_pill(l, pr.up) }
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), pr.key)} title={t(l, K::Actions)} onclick={select(sel)}>{ "⋯" }</button>
            </div>
            <div class="hw-counts">
                <span>{ format!("{} {}", t(l, K::Sent), pr.sent) }</span>
                <span>{ format!("{} {}", t(l, K::Stored), pr.stored) }</span>
                <span class={classes!((pr.failed > 0).then_some("bad"))}>{ format!("{} {}", t(l, K::Failed), pr.failed) }</span>
                <span>{ format!("{} {}", t(l, K::InFlight), pr.in_flight) }</span>
            </div>
        </div>
    }
}

pub(super) fn name_server(l: Lang, ns: &NameServerView, rect: &Rect) -> Html {
    html! {
        <div key={ns.key.clone()} class={classes!("hw-card", "hw-client", "hw-namesrv", (!ns.up).then_some("down"))} style={pos(rect)}
            data-testid={format!("rmq-namesrv-{}", ns.key)}>
            <div class="hw-client-head"><b title={t(l, K::NameServer)}>{ ns.key.clone() }</b>{ up_pill(l, ns.up) }</div>
            <div class="hw-client-line hw-muted" title={format!("{}: {}", t(l, K::Registered), ns.brokers.join(", "))}>
                { format!("{}: {}", t(l, K::Registered), if ns.brokers.is_empty() { "—".to_string() } else { ns.brokers.join(", ") }) }</div>
        </div>
    }
}

/// Whether `key` is a slave in the view (its queue is then read from a slave).
fn is_slave(r: &RocketMqView, key: &str) -> bool {
    r.groups.iter().flat_map(|g| &g.brokers).any(|b| b.key == key && b.broker_id != 0)
}

pub(super) fn consumer(ctx: &CardCtx, r: &RocketMqView, c: &RmqConsumerView, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let sel = Selection::Consumer(c.key.clone());
    let selected = p.selection.as_ref() == Some(&sel);
    let queues = c.queues.iter().map(|q| queue(l, r, q));
    html! {
        <div key={c.key.clone()} class={classes!("hw-card", "hw-client", "hw-member", "hw-rmq-consumer", (!c.up).then_some("cstatus-crashed"), selected.then_some("selected"))}
            style={pos(rect)} data-testid={format!("rmq-consumer-{}", c.key)} data-up={c.up.to_string()} onclick={select(sel.clone())}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(sel.clone())}>{ c.key.clone() }</button>
                { up_pill(l, c.up) }
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), c.key)} title={t(l, K::Actions)} onclick={select(sel)}>{ "⋯" }</button>
            </div>
            <div class="hw-client-line"><span>{ c.group.clone() }</span><span class="hw-pill">{ c.message_model.clone() }</span></div>
            <div class="hw-client-line" data-testid="consumed">{ format!("{} {}", t(l, K::Consumed), c.consumed) }</div>
            if c.queues.is_empty() { <div class="hw-client-line hw-muted">{ t(l, K::NoQueues) }</div> }
            { for queues }
        </div>
    }
}

fn queue(l: Lang, r: &RocketMqView, q: &RmqQueueView) -> Html {
    let num = |v: Option<u64>| v.map_or("—".to_string(), |n| n.to_string());
    let slave = is_slave(r, &q.pulls_from);
    let pq = if q.process_queue.is_empty() {
        "[]".to_string()
    } else {
        let list: Vec<String> = q.process_queue.iter().take(6).map(u64::to_string).collect();
        let more = if q.process_queue.len() > 6 { ",…" } else { "" };
        format!("[{}{more}]", list.join(","))
    };
    html! {
        <div class="hw-rmq-queue" data-testid="rmq-queue" data-queue={q.queue.clone()} data-pulls-from={q.pulls_from.clone()}
            data-next={num(q.next_offset)} data-offset={num(q.offset)} data-pq={q.process_queue.len().to_string()}>
            <div class="hw-client-line hw-assign">{ q.queue.clone() }</div>
            <div class="hw-client-line"><span>{ format!("⇠ {}", t(l, K::PullsFrom)) }</span>
                <span class={classes!("hw-pill", "hw-pulls", slave.then_some("slave"))} data-testid="pulls-from">
                    { q.pulls_from.clone() }{ if slave { " (SLAVE)" } else { "" } }</span></div>
            <div class="hw-client-line hw-rmq-nums">
                <span title={t(l, K::NextOffset)}>{ format!("{} {}", t(l, K::NextOffset), num(q.next_offset)) }</span>
                <span title={t(l, K::OffsetStore)} data-testid="client-offset">{ format!("{} {}", t(l, K::OffsetStore), num(q.offset)) }</span>
                <span title="ProcessQueue">{ format!("PQ {pq}") }</span>
            </div>
        </div>
    }
}

/// Dashed lines from each consumer to the broker each of its queues is pulled from.
pub(super) fn pull_lines(p: &StageProps, lay: &Layout) -> Vec<Html> {
    let Some(r) = &p.view.rocketmq else { return Vec::new() };
    let mut out = Vec::new();
    for c in &r.consumers {
        let Some(cr) = lay.nodes.get(&c.key) else { continue };
        for q in &c.queues {
            let Some(br) = lay.nodes.get(&q.pulls_from) else { continue };
            let (x1, y1) = (cr.x, cr.y + 24.0 * p.scale);
            let (x2, y2) = (br.x + br.w, br.y + br.h * 0.35);
            let dx = (x1 - x2).abs() * 0.45;
            out.push(html! {
                <g key={format!("{}-{}", c.key, q.queue)} class={classes!("hw-assign-line", is_slave(r, &q.pulls_from).then_some("slave"))}>
                    <path d={format!("M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}", x1, y1, x1 - dx, y1, x2 + dx, y2, x2, y2)} />
                    <circle cx={fmt(x2)} cy={fmt(y2)} r="3.5" />
                    <title>{ format!("{} ⇠ {} ({})", c.key, q.pulls_from, q.queue) }</title>
                </g>
            });
        }
    }
    out
}
