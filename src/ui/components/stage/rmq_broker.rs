//! A RocketMQ broker group: its box (name, whether it takes messages, "no automatic
//! failover"), and one card per member: header (key, brokerId, status, brokerRole,
//! flushDiskType), the CommitLog tail as cells (dirty = page cache only, hatched), flushed
//! and max offsets, ConsumeQueues, replication, held pulls and the consumerOffset table.
use yew::prelude::*;

use super::broker_card::status_pill;
use super::{pos, CardCtx};
use crate::session::rocketmq_view::{BrokerGroupView, CommitLogEntryView, RmqBrokerView};
use crate::ui::components::strip::fmt;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::layout::Rect;
use crate::ui::layout_rmq::RmqMetrics;
use crate::ui::state::Selection;

/// The box behind a group's cards.
pub(super) fn group_box(l: Lang, g: &BrokerGroupView, rect: &Rect, s: f64) -> Html {
    let rm = RmqMetrics { s };
    let (icon, word, class) =
        if g.writable { ("✓ ", t(l, K::GroupWritable), "live") } else { ("✕ ", t(l, K::GroupNoMaster), "bad") };
    html! {
        <div key={format!("group-{}", g.name)} class={classes!("hw-rmq-group", (!g.writable).then_some("no-master"))} style={pos(rect)}
            data-testid={format!("rmq-group-{}", g.name)} data-writable={g.writable.to_string()}>
            <header style={format!("height:{}px", fmt(rm.group_head()))}>
                <b>{ g.name.clone() }</b>
                <span class={classes!("hw-pill", class)}><span aria-hidden="true">{ icon }</span>{ word }</span>
                <span class="hw-rmq-note" data-testid="no-failover" title={t(l, K::NoFailover)}>{ t(l, K::NoFailover) }</span>
            </header>
        </div>
    }
}

/// One broker of a group (`number`: its number in commands, 1.. in view order).
pub(super) fn broker(ctx: &CardCtx, b: &RmqBrokerView, number: u32, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let rm = RmqMetrics { s: p.scale };
    let [cl, cq, repl, held, offsets] = rm.sections(b);
    let sel = Selection::Broker(number);
    let selected = p.selection.as_ref() == Some(&sel);
    let h = |lines: usize| format!("height:{}px", fmt(lines as f64 * rm.line() + 4.0 * rm.s));
    let master = b.broker_id == 0;
    let slow = (b.slow_ms > 0)
        .then(|| html! { <span class="hw-pill slow">{ format!("◔ {} +{} ms", t(l, K::Slow), b.slow_ms) }</span> });
    html! {
        <div key={b.key.clone()} class={classes!("hw-card", "hw-broker", "hw-rmq-broker", format!("status-{}", format::css_word(&b.status)), selected.then_some("selected"))}
            style={pos(rect)} data-testid={format!("rmq-broker-{}", b.key)} data-status={b.status.clone()} data-role={b.role.clone()}
            data-max-offset={b.max_offset.to_string()} data-flushed={b.flushed.to_string()} onclick={select(sel.clone())}>
            <header class="hw-card-head" style={format!("height:{}px", fmt(rm.head()))}>
                <button class="hw-card-title" aria-haspopup="menu" aria-label={format!("{} {} — {}", t(l, K::Broker), b.key, t(l, K::Actions))}
                    onclick={select(sel.clone())}>{ b.key.clone() }</button>
                { status_pill(l, &b.status) }
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), b.key)} title={t(l, K::Actions)} onclick={select(sel)}>{ "⋯" }</button>
                <div class="hw-badges">
                    <span class="hw-muted hw-rmq-id">{ format!("brokerId {}", b.broker_id) }</span>
                    <span class={classes!("hw-pill", "hw-role-pill", if master { "master" } else { "slave" })} title="brokerRole" data-testid="role">
                        <span aria-hidden="true">{ if master { "★ " } else { "☆ " } }</span>{ b.role.clone() }</span>
                    <span class={classes!("hw-pill", "hw-flush-pill", format::css_word(&b.flush))} title="flushDiskType">{ b.flush.clone() }</span>
                    { for slow }
                </div>
            </header>
            <div class="hw-rmq-sec hw-rmq-cl" style={h(cl)}>
                <b>{ "CommitLog" }</b>
                <span data-testid="commitlog-summary">{ format!("{} {} · {} {} · {} {}", b.messages, t(l, K::MessagesN), t(l, K::FlushedAt), b.flushed, t(l, K::MaxOffset), b.max_offset) }</span>
            </div>
            { cells(l, b, rect.w - 2.0 * 8.0 * rm.s, &rm) }
            <div class="hw-rmq-sec" style={h(cq)}>
                { for b.consume_queues.iter().map(|q| html! {
                    <span class="hw-rmq-cq" data-testid="consume-queue" data-max={q.max_offset.to_string()}>{ format!("ConsumeQueue {}:{} → {}", q.topic, q.queue_id, q.max_offset) }</span>
                }) }
            </div>
            <div class="hw-rmq-sec" style={h(repl)}>{ replication(l, b) }</div>
            <div class="hw-rmq-sec" style={h(held)}>{ held_pulls(l, b) }</div>
            <div class="hw-rmq-sec hw-rmq-offsets" style={h(offsets)}>{ offset_table(l, b) }</div>
        </div>
    }
}

/// The CommitLog's newest entries that fit, as cells: record id over queue:offset; flushed
/// solid, dirty (page cache only) hatched with a dashed border.
fn cells(l: Lang, b: &RmqBrokerView, width: f64, rm: &RmqMetrics) -> Html {
    let step = rm.cell_w() + 3.0 * rm.s;
    let fit = ((width / step).floor() as usize).max(1);
    let skip = b.commit_log.len().saturating_sub(fit);
    let cell = |i: usize, e: &CommitLogEntryView| {
        let x = i as f64 * step;
        let q = e.queue.rsplit(':').next().unwrap_or("");
        let state = if e.dirty { t(l, K::LegendDirty) } else { t(l, K::LegendFlushed) };
        html! {
            <g key={e.phys_offset} data-testid="cl-cell" data-dirty={e.dirty.to_string()}>
                <rect class={classes!("hw-rcell", if e.dirty { "dirty" } else { "flushed" })} x={fmt(x + 1.0)} y="1"
                    width={fmt(rm.cell_w())} height={fmt(rm.cells() - 2.0)} rx="3" />
                <text x={fmt(x + 1.0 + rm.cell_w() / 2.0)} y={fmt(rm.cells() * 0.42)} text-anchor="middle" class="rec">{ format!("#{}", e.record) }</text>
                <text x={fmt(x + 1.0 + rm.cell_w() / 2.0)} y={fmt(rm.cells() * 0.82)} text-anchor="middle" class="qo">{ format!("q{q}:{}", e.queue_offset) }</text>
                <title>{ format!("#{} · {} offset {} · phys {} · {state}", e.record, e.queue, e.queue_offset, e.phys_offset) }</title>
            </g>
        }
    };
    html! {
        <svg class="hw-rmq-cells" width={fmt(width)} height={fmt(rm.cells())} role="img" aria-label="CommitLog">
            if b.commit_log.is_empty() {
                <text x="4" y={fmt(rm.cells() * 0.6)} class="hw-empty">{ t(l, K::NoMessagesYet) }</text>
            }
            { for b.commit_log.iter().skip(skip).enumerate().map(|(i, e)| cell(i, e)) }
        </svg>
    }
}

/// A master: each slave's acknowledged CommitLog offset. A slave: its master, or none.
fn replication(l: Lang, b: &RmqBrokerView) -> Html {
    if b.broker_id == 0 {
        if b.slaves.is_empty() {
            return html! { <span class="hw-muted">{ "HA: —" }</span> };
        }
        b.slaves
            .iter()
            .map(|(key, acked)| {
                html! {
                    <div class="hw-rmq-line" data-testid="ha-ack" data-slave={key.clone()} data-acked={acked.to_string()}>
                        { format!("HA → {key}: {} {acked}", t(l, K::SlaveAcked)) }</div>
                }
            })
            .collect::<Html>()
    } else {
        match &b.master {
            Some(m) => {
                html! { <div class="hw-rmq-line" data-testid="slave-master" data-master={m.clone()}>{ format!("{}: {m}", t(l, K::ItsMaster)) }</div> }
            }
            None => html! { <div class="hw-rmq-line warn" data-testid="slave-master" data-master="">
            <span aria-hidden="true">{ "⚠ " }</span>{ t(l, K::NoMasterKnown) }</div> },
        }
    }
}

/// Pulls parked in the PullRequestHoldService, each with the time left of its hold.
fn held_pulls(l: Lang, b: &RmqBrokerView) -> Html {
    let rows = b.held.iter().map(|h| {
        html! {
            <div class="hw-rmq-line hw-held" data-testid="held-pull" data-remaining={h.remaining_ms.to_string()}>
                <span aria-hidden="true">{ "◷ " }</span>{ format!("{} {} @{} · {:.1} s", h.consumer, h.queue, h.offset, h.remaining_ms as f64 / 1000.0) }
            </div>
        }
    });
    html! {
        <>
            <div class="hw-rmq-line" title={t(l, K::HeldLong)}><b>{ t(l, K::HeldPulls) }</b>
                if b.held.is_empty() { <span class="hw-muted">{ format!(": {}", t(l, K::NoHeldPulls)) }</span> }</div>
            { for rows }
        </>
    }
}

/// The consumerOffset table: in memory (— while the broker is down) and consumerOffset.json.
fn offset_table(l: Lang, b: &RmqBrokerView) -> Html {
    let num = |v: Option<u64>| v.map_or("—".to_string(), |n| n.to_string());
    let rows = b.offsets.iter().map(|r| {
        // "broker-a:TopicTest:0": the card already says which broker.
        let queue = r.queue.split_once(':').map_or(r.queue.as_str(), |(_, q)| q);
        html! {
            <div class="hw-rmq-row" data-testid="offset-row" data-group={r.group.clone()} data-queue={r.queue.clone()}
                data-offset={num(r.offset)} data-persisted={num(r.persisted)}>
                <span class="k" title={format!("{} {}", r.group, r.queue)}>{ format!("{} {queue}", r.group) }</span>
                <span class={classes!("v", r.offset.is_none().then_some("down"))} data-testid="offset-mem"
                    title={if r.offset.is_none() { t(l, K::BrokerDown) } else { t(l, K::InMemory) }}>{ num(r.offset) }</span>
                <span class="v" data-testid="offset-file" title="consumerOffset.json">{ num(r.persisted) }</span>
            </div>
        }
    });
    html! {
        <>
            <div class="hw-rmq-row head"><span class="k">{ t(l, K::OffsetTable) }</span><span class="v">{ t(l, K::InMemory) }</span><span class="v">{ "consumerOffset.json" }</span></div>
            if b.offsets.is_empty() { <div class="hw-rmq-row"><span class="k hw-muted">{ "—" }</span></div> }
            { for rows }
        </>
    }
}
