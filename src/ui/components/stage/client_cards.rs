//! The client cards: producers, consumer groups with their members, and readers.
use yew::prelude::*;

use super::{pos, CardCtx};
use crate::ui::components::strip::fmt;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::layout::{self, Rect};
use crate::ui::state::Selection;
use crate::view::{ConsumerView, ProducerView, ReaderView};

/// A producer is fenced when its transaction manager failed for good because a newer
/// producer with its transactional.id (or a timeout) bumped the epoch.
fn is_fenced(pr: &ProducerView) -> bool {
    pr.txn_state.as_deref() == Some("FATAL_ERROR")
        && matches!(pr.txn_error.as_deref(), Some("PRODUCER_FENCED") | Some("INVALID_PRODUCER_EPOCH"))
}

/// The transaction lines of a transactional producer (its own card or a pipeline's):
/// state (or ⊘ fenced), producer id and epoch, and the blocking call in progress or the
/// coordinator's view of the transaction.
fn txn_lines(l: Lang, pr: &ProducerView, with_id: bool) -> Html {
    let Some(state) = pr.txn_state.clone() else { return html! {} };
    let epoch = if pr.producer_id >= 0 {
        format!("pid {} · {} {}", pr.producer_id, t(l, K::Epoch), pr.producer_epoch)
    } else {
        "pid –".to_string()
    };
    let state_pill = if !pr.running {
        html! { <span class="hw-pill status-crashed" data-testid="producer-down"><span aria-hidden="true">{ "✕ " }</span>{ t(l, K::StatusCrashed) }</span> }
    } else if is_fenced(pr) {
        html! { <span class="hw-pill fenced" data-testid="fenced" title={format!("{} ({})", t(l, K::FencedLong), pr.txn_error.clone().unwrap_or_default())}>
        <span aria-hidden="true">{ "⊘ " }</span>{ t(l, K::Fenced) }</span> }
    } else {
        let title = match &pr.txn_error {
            Some(e) => format!("{state}: {e}"),
            None if pr.txn_partitions.is_empty() => state.clone(),
            None => format!("{state} · {}: {}", t(l, K::TxnPartitions), pr.txn_partitions.join(", ")),
        };
        html! { <span class={format!("hw-pill txn-state {}", state.to_lowercase())} data-testid="txn-state" title={title}>{ state.clone() }</span> }
    };
    let id = pr.transactional_id.clone().filter(|_| with_id).map(
        |id| html! { <span class="hw-pill txn" title="transactional.id" data-testid="transactional-id">{ id }</span> },
    );
    let detail = match (&pr.txn_call, pr.txn_coordinator) {
        (Some(call), _) => {
            html! { <div class="hw-client-line hw-txn-call" data-testid="txn-call" title={t(l, K::BlockingCall)}>{ format!("◷ {call}") }</div> }
        }
        (None, Some(b)) => {
            let text = match &pr.coordinator_state {
                Some(st) => format!("⚖ b{b} · {st}"),
                None => format!("⚖ b{b}"),
            };
            let parts = if pr.txn_partitions.is_empty() {
                String::new()
            } else {
                format!(" · {}: {}", t(l, K::TxnPartitions), pr.txn_partitions.join(", "))
            };
            html! { <div class="hw-client-line hw-txn-line" title={format!("{} (broker {b}){parts}", t(l, K::CoordinatorState))}>{ text }</div> }
        }
        _ => html! {},
    };
    html! {
        <>
            <div class="hw-client-line">{ for id }{ state_pill }</div>
            <div class="hw-client-line hw-txn-line" title={t(l, K::ProducerIdEpochHint)}>{ epoch }{ " · " }
                <span class="hw-txn-version" data-testid="txn-version" title={t(l, K::TxnVersionLong)} aria-label={t(l, K::TxnVersionLong)}>{ t(l, K::TxnVersion) }</span>
            </div>
            { detail }
        </>
    }
}

pub(super) fn producer_card(ctx: &CardCtx, pr: &ProducerView, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let selected = p.selection == Some(Selection::Producer(pr.name.clone()));
    let fenced = is_fenced(pr);
    let class = classes!(
        "hw-card",
        "hw-client",
        "hw-producer",
        (!pr.running).then_some("down"),
        fenced.then_some("fenced"),
        selected.then_some("selected")
    );
    let status = if !pr.running {
        "crashed"
    } else if fenced {
        "fenced"
    } else {
        "running"
    };
    if rect.h < 80.0 * p.scale {
        return html! {
            <div key={format!("p-{}", pr.name)} class={classes!(class, "compact")} style={pos(rect)}
                data-testid={format!("producer-{}", pr.name)} data-status={status} onclick={select(Selection::Producer(pr.name.clone()))}>
                <div class="hw-client-head">
                    <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Producer(pr.name.clone()))}>
                        { if !pr.running { "✕ " } else if fenced { "⊘ " } else { "✉ " } }{ pr.name.clone() }</button>
                    <span class="hw-pill acks" data-testid="acks">{ format!("acks={}", pr.acks) }</span>
                </div>
                <div class="hw-counts" title={format!("{} / {} / {}", t(l, K::Acked), t(l, K::Failed), t(l, K::Pending))}>
                    <span>{ format!("✓ {}", pr.acked) }</span>
                    <span class={classes!((pr.failed > 0).then_some("bad"))}>{ format!("✗ {}", pr.failed) }</span>
                    <span>{ format!("… {}", pr.pending) }</span>
                </div>
            </div>
        };
    }
    html! {
        <div key={format!("p-{}", pr.name)} class={class} style={pos(rect)}
            data-testid={format!("producer-{}", pr.name)} data-status={status} data-txn-state={pr.txn_state.clone()}
            onclick={select(Selection::Producer(pr.name.clone()))}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Producer(pr.name.clone()))}>{ "✉ " }{ pr.name.clone() }</button>
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), pr.name)} title={t(l, K::Actions)} onclick={select(Selection::Producer(pr.name.clone()))}>{ "⋯" }</button>
            </div>
            <div class="hw-client-line"><span class="hw-pill acks" data-testid="acks">{ format!("acks={}", pr.acks) }</span>
                if let Some(id) = &pr.transactional_id {
                    <span class="hw-pill txn" title="transactional.id" data-testid="transactional-id">{ id.clone() }</span>
                } else if pr.idempotent {
                    <span class="hw-pill idem">{ t(l, K::Idempotent) }</span>
                }
                if !pr.running && pr.transactional_id.is_none() {
                    <span class="hw-pill status-crashed" data-testid="producer-down"><span aria-hidden="true">{ "✕ " }</span>{ t(l, K::StatusCrashed) }</span>
                }
            </div>
            { txn_lines(l, pr, false) }
            <div class="hw-counts">
                <span title={t(l, K::Acked)}>{ format!("✓ {} {}", pr.acked, t(l, K::Acked)) }</span>
                <span title={t(l, K::Failed)} class={classes!((pr.failed > 0).then_some("bad"))}>{ format!("✗ {} {}", pr.failed, t(l, K::Failed)) }</span>
                <span title={t(l, K::Pending)}>{ format!("… {} {}", pr.pending, t(l, K::Pending)) }</span>
            </div>
        </div>
    }
}

pub(super) fn group_box(ctx: &CardCtx, group: &str, rect: &Rect) -> Html {
    let (p, m) = (ctx.p, ctx.m);
    let l = p.lang;
    let g = p.view.groups.iter().find(|x| x.id == group);
    let state = g.map(|g| g.state.clone()).unwrap_or_else(|| "Unknown".into());
    let generation = g.map(|g| g.generation).unwrap_or(-1);
    let coordinator = g.and_then(|g| g.coordinator);
    html! {
        <section key={format!("g-{group}")} class={classes!("hw-group", format!("state-{}", format::css_word(&state)))} style={pos(rect)}
            data-testid={format!("group-{group}")} data-state={state.clone()} data-generation={generation.to_string()}>
            <header style={format!("height:{}px", fmt(m.group_header_h()))}>
                <div class="hw-group-title"><span class="hw-muted">{ t(l, K::ConsumerGroup) }</span><b>{ group.to_string() }</b>
                    if let Some(c) = coordinator { <span class="hw-muted hw-coord" title={format!("{} {group}", t(l, K::CoordinatorLong))}>{ format!("⚑ b{c}") }</span> }
                </div>
                <div class="hw-group-line">
                    <span class={classes!("hw-pill", "gstate", (state == "PreparingRebalance" || state == "CompletingRebalance").then_some("rebalancing"))}>
                        { if state.contains("Rebalance") { "↻ " } else { "" } }{ state.clone() }</span>
                    if generation >= 0 { <span class="hw-muted">{ format!("{} {generation}", t(l, K::Generation)) }</span> }
                </div>
            </header>
        </section>
    }
}

pub(super) fn member_card(ctx: &CardCtx, c: &ConsumerView, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let selected = p.selection == Some(Selection::Consumer(c.name.clone()));
    let status_key = match c.status.as_str() {
        "running" => K::ConsumerRunning,
        "crashed" => K::ConsumerCrashed,
        "closed" => K::ConsumerClosed,
        "failed" => K::ConsumerFailed,
        "frozen" => K::ConsumerFrozen,
        _ => K::ConsumerSlow,
    };
    let join_key = match c.join_state.as_str() {
        "joining" => K::JoinJoining,
        "syncing" => K::JoinSyncing,
        "member" => K::JoinMember,
        _ => K::JoinNone,
    };
    let idle = c.status == "running" && c.join_state == "member" && c.assignment.is_empty();
    let parts = if c.assignment.is_empty() {
        if idle {
            format!("◌ {}", t(l, K::Idle))
        } else {
            String::new()
        }
    } else {
        c.assignment.iter().map(|(tp, part, pos)| format!("{tp}-{part} @{pos}")).collect::<Vec<_>>().join(" · ")
    };
    let fenced = c.producer.as_ref().is_some_and(is_fenced);
    // A member still on a generation its group has left (a zombie after a pause).
    let group_generation = p.view.groups.iter().find(|g| g.id == c.group).map(|g| g.generation);
    let stale = c.join_state == "member" && group_generation.is_some_and(|g| g > c.generation);
    let pipe = c.output_topic.as_ref().map(|topic| {
        html! {
            <div class="hw-client-line hw-pipe" title={t(l, K::PipelineLong)} data-testid="pipeline">
                <span aria-hidden="true">{ "⇒ " }</span>{ t(l, K::WritesTo) }{ " " }<b>{ topic.clone() }</b>
            </div>
        }
    });
    html! {
        <div key={format!("c-{}", c.name)} class={classes!("hw-card", "hw-client", "hw-member", format!("cstatus-{}", c.status), selected.then_some("selected"), idle.then_some("idle"), fenced.then_some("pipeline-fenced"))}
            style={pos(rect)} data-testid={format!("consumer-{}", c.name)} data-status={c.status.clone()}
            data-stale={stale.to_string()} onclick={select(Selection::Consumer(c.name.clone()))}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Consumer(c.name.clone()))}>{ c.name.clone() }</button>
                <span class={format!("hw-pill cstatus {}", c.status)} title={t(l, status_key)}>{ t(l, status_key) }</span>
                { super::timer_ring::timer_ring(l, &c.timers, true) }
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), c.name)} title={t(l, K::Actions)} onclick={select(Selection::Consumer(c.name.clone()))}>{ "⋯" }</button>
            </div>
            <div class="hw-client-line hw-muted">
                if stale {
                    // Instead of "member": the group has left its generation behind.
                    <span class="hw-pill stale-generation" data-testid="stale-generation" title={t(l, K::StaleGenerationHint)}>
                        { "⚠ " }{ t(l, K::StaleGeneration) }</span>
                    { format!(" {} {}", t(l, K::Generation), c.generation) }
                } else {
                    { format!("{} · {} {}", t(l, join_key), t(l, K::Generation), c.generation) }
                }
            </div>
            <div class="hw-client-line hw-assign" title={parts.clone()}>{ parts }</div>
            if layout::shows_isolation(&p.view, &c.isolation) {
                <div class="hw-client-line">{ isolation_pill(l, &c.isolation) }</div>
            }
            { for pipe }
            if let Some(pr) = c.producer.as_ref().filter(|pr| pr.transactional_id.is_some()) {
                { txn_lines(l, pr, true) }
            }
        </div>
    }
}

pub(super) fn reader_card(ctx: &CardCtx, r: &ReaderView, rect: &Rect) -> Html {
    let (p, select) = (ctx.p, ctx.select);
    let l = p.lang;
    let selected = p.selection == Some(Selection::Reader(r.name.clone()));
    let positions =
        r.positions.iter().map(|(part, o)| format!("{}-{part} @{o}", r.topic)).collect::<Vec<_>>().join(" · ");
    html! {
        <div key={format!("r-{}", r.name)} class={classes!("hw-card", "hw-client", "hw-reader", selected.then_some("selected"))} style={pos(rect)}
            data-testid={format!("reader-{}", r.name)} onclick={select(Selection::Reader(r.name.clone()))}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Reader(r.name.clone()))}>{ "◉ " }{ r.name.clone() }</button>
                <button class="hw-menu-btn" aria-label={format!("{} — {}", t(l, K::Actions), r.name)} title={t(l, K::Actions)} onclick={select(Selection::Reader(r.name.clone()))}>{ "⋯" }</button>
            </div>
            <div class="hw-client-line">{ format!("{} {} · {} {}", t(l, K::Read), r.records_read, t(l, K::Topic), r.topic) }</div>
            <div class="hw-client-line hw-assign hw-muted" title={positions.clone()}>{ positions }</div>
            if layout::shows_isolation(&p.view, &r.isolation) {
                <div class="hw-client-line">{ isolation_pill(l, &r.isolation) }</div>
            }
        </div>
    }
}

/// `isolation.level`: read_committed solid green, read_uncommitted dashed amber.
fn isolation_pill(l: Lang, isolation: &str) -> Html {
    html! {
        <span class={format!("hw-pill iso {isolation}")} data-testid="isolation" title={t(l, K::IsolationLong)}>
            <span aria-hidden="true">{ if isolation == "read_committed" { "✓ " } else { "≈ " } }</span>{ isolation.to_string() }</span>
    }
}
