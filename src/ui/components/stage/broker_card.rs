//! The broker cards: a full card with its replica strips, or a summary card (large clusters).
use yew::prelude::*;

use super::{pos, CardCtx, StageProps};
use crate::ui::components::strip::{fmt, strip_svg};
use crate::ui::format;
use crate::ui::i18n::{t, tf, Lang, K};
use crate::ui::layout::{card_rows, Metrics, Rect};
use crate::ui::state::{Action, Selection};
use crate::view::{BrokerView, ReplicaView};

pub(super) fn status_pill(l: Lang, status: &str) -> Html {
    let (icon, key) = match status {
        "up" => ("●", K::StatusUp),
        "crashed" => ("✕", K::StatusCrashed),
        "powered-off" => ("↯", K::StatusPoweredOff),
        _ => ("⚠", K::StatusFenced),
    };
    html! {
        <span class={format!("hw-pill status-{}", format::css_word(status))} data-testid="broker-status" data-status={status.to_string()}>
            <span aria-hidden="true">{ icon }{ " " }</span>{ t(l, key) }
        </span>
    }
}

/// A full broker card: header with badges, one strip per replica, the internal topics'
/// line, and the pager of an expanded broker in a large cluster.
pub(super) fn broker_card(ctx: &CardCtx, b: &BrokerView, rect: &Rect, head: f64, page: usize) -> Html {
    let (p, m, select) = (ctx.p, ctx.m, ctx.select);
    let l = p.lang;
    let (rows, internal) = card_rows(&b.replicas, p.show_internal, p.large, page);
    let data_count = b.replicas.iter().filter(|r| !r.internal).count();
    let selected = p.selection == Some(Selection::Broker(b.id));
    let strips = rows.iter().map(|idx| replica_strip(ctx, b, &b.replicas[*idx], rect));
    let internal_line = (internal > 0 && !p.large).then(|| internal_topics_line(p, m, b));
    let pager = (p.large && data_count > Metrics::PAGE).then(|| strip_pager(ctx, b.id, page, data_count));
    let collapse = p.large.then(|| {
        let cb = p.on_action.clone();
        let id = b.id;
        html! { <button class="hw-mini-btn" onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(Action::ToggleExpand(id)); })}>{ t(l, K::Collapse) }</button> }
    });
    html! {
        <div key={format!("b{}", b.id)} class={classes!("hw-card", "hw-broker", format!("status-{}", format::css_word(&b.status)), selected.then_some("selected"))}
            style={pos(rect)} data-testid={format!("broker-{}", b.id)} data-status={b.status.clone()}
            onclick={select(Selection::Broker(b.id))}>
            <header class="hw-card-head" style={format!("height:{}px", fmt(head))}>
                <button class="hw-card-title" aria-haspopup="menu" aria-label={format!("{} {} — {}", t(l, K::Broker), b.id, t(l, K::Actions))}
                    onclick={select(Selection::Broker(b.id))}>{ format!("{} {}", t(l, K::Broker), b.id) }</button>
                { status_pill(l, &b.status) }
                { for collapse }
                <button class="hw-menu-btn" aria-label={format!("{} — {} {}", t(l, K::Actions), t(l, K::Broker), b.id)} title={t(l, K::Actions)} onclick={select(Selection::Broker(b.id))}>{ "⋯" }</button>
                { badges(l, b) }
            </header>
            if b.replicas.is_empty() && !p.large {
                <p class="hw-no-replicas">{ if p.lang == Lang::Zh { "此 Broker 上没有副本" } else { "no replicas on this broker" } }</p>
            }
            { for strips }
            { for internal_line }
            { for pager }
        </div>
    }
}

/// The badges of a broker's header: ♛ controller, ⚑ group coordinator, ⚖ transaction
/// coordinator, ◔ slow.
fn badges(l: Lang, b: &BrokerView) -> Html {
    let slow = (b.slow_ms > 0)
        .then(|| html! { <span class="hw-pill slow">{ format!("◔ {} +{} ms", t(l, K::Slow), b.slow_ms) }</span> });
    html! {
        <div class="hw-badges">
            { super::timer_ring::timer_ring(l, &b.timers, false) }
            if b.is_controller {
                <span class="hw-pill controller" title={t(l, K::ControllerLong)} data-testid="controller-badge"><span aria-hidden="true">{ "♛ " }</span>{ t(l, K::Controller) }</span>
            }
            { for b.coordinator_for.iter().map(|g| html! {
                <span class="hw-pill coordinator" title={format!("{} {g}", t(l, K::CoordinatorLong))}><span aria-hidden="true">{ "⚑ " }</span>{ format!("{} {g}", t(l, K::Coordinator)) }</span>
            }) }
            { for b.txn_coordinator_for.iter().map(|id| html! {
                <span class="hw-pill txn-coordinator" data-testid="txn-coordinator-badge" title={format!("{} transactional.id {id}", t(l, K::TxnCoordinatorLong))}>
                    <span aria-hidden="true">{ "⚖ " }</span>{ format!("{} {id}", t(l, K::TxnCoordinator)) }</span>
            }) }
            { for slow }
        </div>
    }
}

/// One replica's strip: its label line (partition, role, ISR, epoch) and its cells.
fn replica_strip(ctx: &CardCtx, b: &BrokerView, r: &ReplicaView, rect: &Rect) -> Html {
    let (p, m) = (ctx.p, ctx.m);
    let (l, marks, leader_of) = (p.lang, ctx.marks, ctx.leader_of);
    let name = format!("{}-{}", r.topic, r.partition);
    let tp = (r.topic.clone(), r.partition);
    let empty = Vec::new();
    let these_marks =
        if leader_of.get(&tp) == Some(&b.id) && r.is_leader { marks.get(&tp).unwrap_or(&empty) } else { &empty };
    let svg_w = rect.w - 2.0 * m.card_pad();
    // Narrow cards abbreviate "epoch 3" to "e3" (the tooltip says it in full).
    let epoch_text = if rect.w >= 270.0 * m.s || l == Lang::Zh {
        format!("{} {}", t(l, K::Epoch), r.leader_epoch)
    } else {
        format!("e{}", r.leader_epoch)
    };
    let role = if r.is_leader {
        html! { <span class="hw-role leader" data-testid="role" title={t(l, K::Leader)}><span aria-hidden="true">{ "★ " }</span>{ t(l, K::Leader) }</span> }
    } else {
        html! { <span class="hw-role follower" data-testid="role">{ t(l, K::Follower) }</span> }
    };
    let isr = if r.in_isr {
        html! { <span class="hw-isr in" title={t(l, K::InIsrLong)}><span aria-hidden="true">{ "✓ " }</span>{ t(l, K::InIsr) }</span> }
    } else {
        html! { <span class="hw-isr out" title={t(l, K::NotInIsrLong)} aria-label={t(l, K::NotInIsr)}><span aria-hidden="true">{ "✗ " }</span><span class="hw-isr-word">{ t(l, K::InIsr) }</span></span> }
    };
    html! {
        <div key={name.clone()} class={classes!("hw-strip", r.internal.then_some("internal"))} style={format!("height:{}px", fmt(m.strip_h()))}
            data-testid={format!("replica-{name}")} data-leader={r.is_leader.to_string()} data-epoch={r.leader_epoch.to_string()}
            data-hw={r.high_watermark.to_string()} data-leo={r.log_end_offset.to_string()} data-isr={r.in_isr.to_string()}>
            <div class="hw-strip-label" style={format!("height:{}px", fmt(m.label_h()))}>
                <span class="hw-tp">{ name }</span>
                { role }
                { isr }
                <span class="hw-epoch" title={format!("{} {}", t(l, K::EpochLong), r.leader_epoch)} data-testid="epoch">{ epoch_text.clone() }</span>
                // Shown once retention has deleted something (0 otherwise, as in every run
                // without retention).
                if r.log_start_offset > 0 {
                    <span class="hw-log-start" title={format!("{} {}", t(l, K::LogStartOffset), r.log_start_offset)} data-testid="log-start">{ format!("⌛{}", r.log_start_offset) }</span>
                }
            </div>
            { strip_svg(r, svg_w, m.strip_svg_h(), m.s, these_marks, l) }
        </div>
    }
}

/// The collapsed line of internal topics, a button that shows or hides their strips.
fn internal_topics_line(p: &StageProps, m: &Metrics, b: &BrokerView) -> Html {
    let l = p.lang;
    // One entry per internal topic (__consumer_offsets, __transaction_state): its
    // replicas here and the partitions this broker leads.
    let mut topics: Vec<(&str, usize, Vec<String>)> = Vec::new();
    for r in b.replicas.iter().filter(|r| r.internal) {
        let i = match topics.iter().position(|x| x.0 == r.topic) {
            Some(i) => i,
            None => {
                topics.push((r.topic.as_str(), 0, Vec::new()));
                topics.len() - 1
            }
        };
        topics[i].1 += 1;
        if r.is_leader {
            topics[i].2.push(format!("p{}", r.partition));
        }
    }
    let cb = p.on_action.clone();
    let label =
        topics
            .iter()
            .map(|(name, n, leads)| {
                if leads.is_empty() {
                    format!("{name} ×{n}")
                } else {
                    format!("{name} ×{n} ★{}", leads.join(","))
                }
            })
            .collect::<Vec<_>>()
            .join(" · ");
    let title = format!("{}: {label} ({} ★ = {})", t(l, K::InternalTopic), t(l, K::ReplicasShort), t(l, K::Leader));
    html! {
        <button class="hw-internal" style={format!("height:{}px", fmt(m.internal_h() - 4.0))} title={title}
            onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(Action::ToggleInternal); })}>
            <span>{ label }</span>
            <span class="hw-internal-toggle">{ if p.show_internal { t(l, K::HideInternal) } else { t(l, K::ShowInternal) } }{ if p.show_internal { " ▴" } else { " ▾" } }</span>
        </button>
    }
}

/// Pages of an expanded broker's strips (large clusters).
fn strip_pager(ctx: &CardCtx, id: u32, page: usize, data_count: usize) -> Html {
    let (l, m, pages) = (ctx.p.lang, ctx.m, ctx.pages);
    let pages_n = data_count.div_ceil(Metrics::PAGE);
    let go = |to: usize| {
        let pages = pages.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let mut next = (*pages).clone();
            next.insert(id, to);
            pages.set(next);
        })
    };
    html! {
        <div class="hw-pager" style={format!("height:{}px", fmt(m.internal_h() - 4.0))}>
            <button disabled={page == 0} onclick={go(page.saturating_sub(1))}>{ "‹ " }{ t(l, K::Prev) }</button>
            <span>{ tf(l, K::PageOf, &[&(page + 1), &pages_n]) }</span>
            <button disabled={page + 1 >= pages_n} onclick={go(page + 1)}>{ t(l, K::Next) }{ " ›" }</button>
        </div>
    }
}

pub(super) fn small_card(p: &StageProps, b: &BrokerView, rect: &Rect, m: &Metrics) -> Html {
    html! {
        <SmallCard key={format!("small-{}", b.id)} id={b.id} status={AttrValue::from(b.status.clone())} controller={b.is_controller}
            summary={crate::view::BrokerSummary { records: 0, ..b.summary.clone() }} rect={*rect} s={m.s} lang={p.lang} expanded={p.expanded.contains(&b.id)}
            on_action={p.on_action.clone()} />
    }
}

#[derive(Properties, PartialEq)]
struct SmallCardProps {
    id: u32,
    status: AttrValue,
    controller: bool,
    /// Without `records` (not shown; it would re-render the card at every append).
    summary: crate::view::BrokerSummary,
    rect: Rect,
    s: f64,
    lang: Lang,
    expanded: bool,
    on_action: Callback<Action>,
}

/// A broker of a large cluster, summarised. Its own component with small props, so the
/// fifty cards are re-rendered only when their own numbers change.
#[function_component(SmallCard)]
fn small_card_component(p: &SmallCardProps) -> Html {
    let l = p.lang;
    let s = &p.summary;
    let cb = p.on_action.clone();
    let id = p.id;
    let leader_share = if s.replicas > 0 { s.leaders as f64 / s.replicas as f64 } else { 0.0 };
    let bar_w = p.rect.w - 2.0 * 8.0 * p.s;
    html! {
        <button class={classes!("hw-card", "hw-small", format!("status-{}", format::css_word(&p.status)), p.expanded.then_some("expanded"))}
            style={pos(&p.rect)} data-testid={format!("broker-{}", p.id)} data-status={p.status.clone()} aria-expanded={p.expanded.to_string()}
            title={format!("{} {} — {}", t(l, K::Broker), p.id, if p.expanded { t(l, K::Collapse) } else { t(l, K::Expand) })}
            onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(Action::ToggleExpand(id)); })}>
            <span class="hw-small-head">
                <b>{ format!("B{}", p.id) }</b>
                if p.controller { <span class="hw-pill controller" title={t(l, K::ControllerLong)}>{ "♛" }</span> }
                { status_pill(l, &p.status) }
            </span>
            <span class="hw-small-line">{ format!("★ {} {}", s.leaders, t(l, K::LeadersShort)) }</span>
            if s.out_of_isr > 0 {
                <span class="hw-small-line warn">{ format!("✗ {} {}", s.out_of_isr, t(l, K::OutOfIsrShort)) }</span>
            } else {
                <span class="hw-small-line dim">{ format!("{} {}", s.replicas, t(l, K::ReplicasShort)) }</span>
            }
            <svg class="hw-small-bar" width={fmt(bar_w)} height="6" aria-hidden="true">
                <rect class="bg" width={fmt(bar_w)} height="6" rx="3" />
                <rect class="fg" width={fmt(bar_w * leader_share)} height="6" rx="3" />
            </svg>
        </button>
    }
}
