//! The cluster picture.
//!
//! Why HTML cards + SVG layers (and not one canvas): the cards hold text, badges and
//! buttons, which HTML lays out, makes accessible (focus, screen readers, real buttons) and
//! scales crisply on a projector; the strips, wires and messages are SVG, so every cell,
//! pattern and message is a DOM node with a tooltip and a click handler, styled by the
//! same CSS variables as the themes. Messages glide with CSS transitions on `transform`
//! between steps, which the browser runs on the compositor: Yew re-renders once per
//! step, not once per animation frame. The number of nodes stays bounded: large clusters
//! become summary cards and at most `MAX_DRAWN_MESSAGES` messages are drawn. A canvas
//! would draw 200 moving dots faster, but would need hit-testing, text layout,
//! accessibility and theming rebuilt by hand.
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use yew::prelude::*;

use crate::ui::components::flight_canvas::{Drawn, FlightCanvas, FlightItem};
use crate::ui::components::menus::Menu;
use crate::ui::components::strip::{fmt, strip_svg, StripMark};
use crate::ui::format;
use crate::ui::i18n::{t, tf, Lang, K};
use crate::ui::layout::{self, card_rows, Lane, Layout, LayoutInput, Metrics, Rect};
use crate::ui::state::{Action, Selection};
use crate::view::{BrokerView, ClusterView, ConsumerView, MessageView, ProducerView, ReaderView};

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub view: Rc<ClusterView>,
    pub lang: Lang,
    pub width: f64,
    pub scale: f64,
    pub large: bool,
    pub expanded: Vec<u32>,
    pub show_internal: bool,
    pub selection: Option<Selection>,
    pub inspected: Option<MessageView>,
    /// How long a message glides from one step's position to the next.
    pub glide_ms: u32,
    pub on_action: Callback<Action>,
}

/// Messages get text labels only when there are few of them.
const LABEL_LIMIT: usize = 36;
/// Above this many, messages are drawn on a canvas (see `flight_canvas`).
pub const CANVAS_LIMIT: usize = 60;

#[function_component(Stage)]
pub fn stage(p: &StageProps) -> Html {
    let pages = use_state(BTreeMap::<u32, usize>::new);
    let drawn = use_mut_ref(BTreeMap::<u64, (f64, f64)>::new);
    let drawn = Drawn(drawn);
    let v = &*p.view;
    let lay = layout::compute(&LayoutInput {
        view: v,
        width: p.width,
        scale: p.scale,
        large: p.large,
        expanded: &p.expanded,
        show_internal: p.show_internal,
        page: &pages,
    });
    let m = Metrics { s: p.scale };
    let l = p.lang;
    let select = |sel: Selection| {
        let cb = p.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit(Action::Select(Some(sel.clone())));
        })
    };

    // Marks above the leaders' strips: consumer positions, committed offsets, readers.
    let mut marks: BTreeMap<(String, u32), Vec<StripMark>> = BTreeMap::new();
    for c in &v.consumers {
        for (topic, part, pos) in &c.assignment {
            marks.entry((topic.clone(), *part)).or_default().push(StripMark {
                offset: *pos,
                kind: "position",
                label: c.name.clone(),
            });
        }
    }
    for g in &v.groups {
        for (topic, part, off) in &g.offsets {
            marks.entry((topic.clone(), *part)).or_default().push(StripMark {
                offset: *off,
                kind: "committed",
                label: g.id.clone(),
            });
        }
    }
    for r in &v.readers {
        for (part, pos) in &r.positions {
            marks.entry((r.topic.clone(), *part)).or_default().push(StripMark {
                offset: *pos,
                kind: "reader",
                label: r.name.clone(),
            });
        }
    }
    // Marks go on the strip of the broker that acts as leader (its own view).
    let leader_of: BTreeMap<(String, u32), u32> = v
        .brokers
        .iter()
        .flat_map(|b| b.replicas.iter().filter(|r| r.is_leader).map(move |r| ((r.topic.clone(), r.partition), b.id)))
        .btree_map();

    let column_titles = lay.columns.iter().map(|(which, x0, x1)| {
        let label = match *which {
            "producers" => t(l, K::Producers),
            "consumers" => t(l, K::Consumers),
            _ => t(l, K::Brokers),
        };
        html! {
            <div class="hw-col-title" style={format!("left:{}px;top:{}px;width:{}px", fmt(*x0), fmt(m.pad() - 2.0), fmt(x1 - x0))}>{ label }</div>
        }
    });

    let cards = lay.cards.iter().filter_map(|(id, rect)| {
        let b = v.brokers.iter().find(|b| b.id == *id)?;
        let page = pages.get(id).copied().unwrap_or(0);
        let head = lay.headers.get(id).copied().unwrap_or(m.header_h());
        Some(broker_card(p, b, rect, head, &m, &marks, &leader_of, page, &pages, &select))
    });
    let small_cards = lay.small.iter().filter_map(|(id, rect)| {
        let b = v.brokers.iter().find(|b| b.id == *id)?;
        Some(small_card(p, b, rect, &m))
    });
    let producers = lay.producers.iter().filter_map(|(name, rect)| {
        let pr = v.producers.iter().find(|x| &x.name == name)?;
        Some(producer_card(p, pr, rect, &select))
    });
    let groups = lay.groups.iter().map(|(g, rect)| group_box(p, g, rect, &m));
    let members = lay.members.iter().filter_map(|(name, rect)| {
        let c = v.consumers.iter().find(|x| &x.name == name)?;
        Some(member_card(p, c, rect, &select))
    });
    let readers = lay.readers.iter().filter_map(|(name, rect)| {
        let r = v.readers.iter().find(|x| &x.name == name)?;
        Some(reader_card(p, r, rect, &select))
    });

    // A click that reaches the picture itself: a message on the canvas, or nothing.
    let stage_ref = use_node_ref();
    let clear = {
        let cb = p.on_action.clone();
        let drawn = drawn.clone();
        let s = p.scale;
        let stage_ref = stage_ref.clone();
        // Yew delegates events, so the event's current target is not the stage: use the ref.
        Callback::from(move |e: MouseEvent| {
            let hit = stage_ref.cast::<web_sys::Element>().and_then(|el| {
                let r = el.get_bounding_client_rect();
                drawn.pick(f64::from(e.client_x()) - r.left(), f64::from(e.client_y()) - r.top(), 12.0 * s)
            });
            cb.emit(Action::Select(hit.map(Selection::Message)));
        })
    };
    html! {
        <div ref={stage_ref} class={classes!("hw-stage", p.large.then_some("is-large"))} data-testid="cluster" onclick={clear}
            style={format!("height:{}px;--glide:{}ms;--s:{}", fmt(lay.height), p.glide_ms, p.scale)}>
            { wires(p, &lay) }
            { for column_titles }
            if p.large {
                <div class="hw-large-note" style={format!("left:{}px;top:{}px", fmt(lay.columns[0].1), fmt(lay.height - m.pad()))}></div>
            }
            { for producers }
            { for small_cards }
            { for cards }
            { for groups }
            { for members }
            { for readers }
            { event_overlay(p, &lay) }
            { flight(p, &lay, &drawn) }
            { menu(p, &lay) }
            { inspector(p) }
        </div>
    }
}

fn status_pill(l: Lang, status: &str) -> Html {
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

#[allow(clippy::too_many_arguments)]
fn broker_card(
    p: &StageProps,
    b: &BrokerView,
    rect: &Rect,
    head: f64,
    m: &Metrics,
    marks: &BTreeMap<(String, u32), Vec<StripMark>>,
    leader_of: &BTreeMap<(String, u32), u32>,
    page: usize,
    pages: &UseStateHandle<BTreeMap<u32, usize>>,
    select: &dyn Fn(Selection) -> Callback<MouseEvent>,
) -> Html {
    let l = p.lang;
    let (rows, internal) = card_rows(&b.replicas, p.show_internal, p.large, page);
    let data_count = b.replicas.iter().filter(|r| !r.internal).count();
    let selected = p.selection == Some(Selection::Broker(b.id));
    let strips = rows.iter().map(|idx| {
        let r = &b.replicas[*idx];
        let name = format!("{}-{}", r.topic, r.partition);
        let tp = (r.topic.clone(), r.partition);
        let empty = Vec::new();
        let these_marks = if leader_of.get(&tp) == Some(&b.id) && r.is_leader { marks.get(&tp).unwrap_or(&empty) } else { &empty };
        let svg_w = rect.w - 2.0 * m.card_pad();
        // Narrow cards abbreviate "epoch 3" to "e3" (the tooltip says it in full).
        let epoch_text = if rect.w >= 270.0 * m.s || l == Lang::Zh { format!("{} {}", t(l, K::Epoch), r.leader_epoch) } else { format!("e{}", r.leader_epoch) };
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
                </div>
                { strip_svg(r, svg_w, m.strip_svg_h(), m.s, these_marks, l) }
            </div>
        }
    });
    let internal_line = (internal > 0 && !p.large).then(|| {
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
        let label = topics
            .iter()
            .map(|(name, n, leads)| if leads.is_empty() { format!("{name} ×{n}") } else { format!("{name} ×{n} ★{}", leads.join(",")) })
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
    });
    let pager = (p.large && data_count > Metrics::PAGE).then(|| {
        let pages_n = data_count.div_ceil(Metrics::PAGE);
        let id = b.id;
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
    });
    let slow = (b.slow_ms > 0)
        .then(|| html! { <span class="hw-pill slow">{ format!("◔ {} +{} ms", t(l, K::Slow), b.slow_ms) }</span> });
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
                <button class="hw-menu-btn" aria-label={t(l, K::Actions)} title={t(l, K::Actions)} onclick={select(Selection::Broker(b.id))}>{ "⋯" }</button>
                <div class="hw-badges">
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

fn small_card(p: &StageProps, b: &BrokerView, rect: &Rect, m: &Metrics) -> Html {
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
            <div class="hw-client-line hw-txn-line" title="producer id · epoch">{ epoch }</div>
            { detail }
        </>
    }
}

fn producer_card(
    p: &StageProps,
    pr: &ProducerView,
    rect: &Rect,
    select: &dyn Fn(Selection) -> Callback<MouseEvent>,
) -> Html {
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
                <button class="hw-menu-btn" aria-label={t(l, K::Actions)} onclick={select(Selection::Producer(pr.name.clone()))}>{ "⋯" }</button>
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

fn group_box(p: &StageProps, group: &str, rect: &Rect, m: &Metrics) -> Html {
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

fn member_card(
    p: &StageProps,
    c: &ConsumerView,
    rect: &Rect,
    select: &dyn Fn(Selection) -> Callback<MouseEvent>,
) -> Html {
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
            onclick={select(Selection::Consumer(c.name.clone()))}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Consumer(c.name.clone()))}>{ c.name.clone() }</button>
                <span class={format!("hw-pill cstatus {}", c.status)}>{ t(l, status_key) }</span>
                <button class="hw-menu-btn" aria-label={t(l, K::Actions)} onclick={select(Selection::Consumer(c.name.clone()))}>{ "⋯" }</button>
            </div>
            <div class="hw-client-line hw-muted">{ format!("{} · {} {}", t(l, join_key), t(l, K::Generation), c.generation) }</div>
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

fn reader_card(
    p: &StageProps,
    r: &ReaderView,
    rect: &Rect,
    select: &dyn Fn(Selection) -> Callback<MouseEvent>,
) -> Html {
    let l = p.lang;
    let selected = p.selection == Some(Selection::Reader(r.name.clone()));
    let positions =
        r.positions.iter().map(|(part, o)| format!("{}-{part} @{o}", r.topic)).collect::<Vec<_>>().join(" · ");
    html! {
        <div key={format!("r-{}", r.name)} class={classes!("hw-card", "hw-client", "hw-reader", selected.then_some("selected"))} style={pos(rect)}
            data-testid={format!("reader-{}", r.name)} onclick={select(Selection::Reader(r.name.clone()))}>
            <div class="hw-client-head">
                <button class="hw-card-title" aria-haspopup="menu" onclick={select(Selection::Reader(r.name.clone()))}>{ "◉ " }{ r.name.clone() }</button>
                <button class="hw-menu-btn" aria-label={t(l, K::Actions)} onclick={select(Selection::Reader(r.name.clone()))}>{ "⋯" }</button>
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

fn pos(r: &Rect) -> String {
    format!("left:{}px;top:{}px;width:{}px;height:{}px", fmt(r.x), fmt(r.y), fmt(r.w), fmt(r.h))
}

/// Under the cards: lanes of links in use, assignment lines from consumers to the strips
/// of the partitions they read.
fn wires(p: &StageProps, lay: &Layout) -> Html {
    let v = &*p.view;
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for msg in &v.in_flight {
        pairs.insert((msg.src.clone(), msg.dst.clone()));
    }
    // A large cluster has too many links to draw: messages alone show the traffic.
    let lanes = pairs.iter().filter(|_| !p.large).filter_map(|(a, b)| {
        let (ra, rb) = (lay.nodes.get(a)?, lay.nodes.get(b)?);
        let lane = Lane::between(ra, rb);
        Some(html! { <path key={format!("{a}>{b}")} class="hw-lane" d={lane.path()} /> })
    });
    let leader_of: BTreeMap<(&str, u32), u32> = v
        .brokers
        .iter()
        .flat_map(|b| b.replicas.iter().filter(|r| r.is_leader).map(move |r| ((r.topic.as_str(), r.partition), b.id)))
        .btree_map();
    let mut assign = Vec::new();
    for c in &v.consumers {
        let Some(mr) = lay.nodes.get(&c.name) else { continue };
        for (topic, part, _) in &c.assignment {
            let Some(leader) = leader_of.get(&(topic.as_str(), *part)) else { continue };
            let Some(geom) = lay.strips.get(&(*leader, topic.clone(), *part)) else { continue };
            let (x1, y1) = (mr.x, mr.y + mr.h / 2.0);
            let (x2, y2) = (geom.svg.x + geom.svg.w, geom.svg.y + 26.0 * p.scale);
            let dx = (x1 - x2).abs() * 0.45;
            assign.push(html! {
                <g key={format!("{}-{topic}-{part}", c.name)} class="hw-assign-line">
                    <path d={format!("M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}", x1, y1, x1 - dx, y1, x2 + dx, y2, x2, y2)} />
                    <circle cx={fmt(x2)} cy={fmt(y2)} r="3.5" />
                    <title>{ format!("{} → {topic}-{part}", c.name) }</title>
                </g>
            });
        }
    }
    html! {
        <svg class="hw-wires" width={fmt(lay.width)} height={fmt(lay.height)} aria-hidden="true">
            { for lanes }
            { for assign }
        </svg>
    }
}

/// A ring on the node the current step happened to, and a tag for a timer.
fn event_overlay(p: &StageProps, lay: &Layout) -> Html {
    let Some(ev) = &p.view.event else { return html! {} };
    let node = match ev.category.as_str() {
        "deliver" | "drop" => ev.dst.as_ref(),
        "timer" => ev.src.as_ref(),
        _ => None,
    };
    let Some(rect) = node.and_then(|n| lay.nodes.get(n)) else { return html! {} };
    let tag = (ev.category == "timer").then(|| {
        html! { <div class="hw-timer-tag" style={format!("left:{}px;top:{}px", fmt(rect.x + 6.0), fmt(rect.y - 12.0))}>{ format!("◷ {}", ev.name) }</div> }
    });
    html! {
        <div key={format!("ev-{}", ev.step)} class="hw-event-overlay">
            <div class={classes!("hw-ring", format!("cat-{}", ev.category))} style={pos(&Rect { x: rect.x - 4.0, y: rect.y - 4.0, w: rect.w + 8.0, h: rect.h + 8.0 })}></div>
            { for tag }
        </div>
    }
}

/// Over the cards: messages on the wire, the one that just arrived, drops, and cut links.
fn flight(p: &StageProps, lay: &Layout, drawn: &Drawn) -> Html {
    let v = &*p.view;
    let l = p.lang;
    let s = p.scale;
    let labels = v.in_flight.len() <= LABEL_LIMIT;
    let canvas = v.in_flight.len() > CANVAS_LIMIT;
    let canvas_items: Vec<FlightItem> = if canvas {
        v.in_flight
            .iter()
            .filter_map(|msg| {
                let (ra, rb) = (lay.nodes.get(&msg.src)?, lay.nodes.get(&msg.dst)?);
                let (x, y) = Lane::between(ra, rb).at(layout::progress(msg.sent_at_ms, msg.deliver_at_ms, v.time_ms));
                Some(FlightItem {
                    id: msg.id,
                    x,
                    y,
                    family: format::family(&msg.kind),
                    response: msg.kind.ends_with("Response"),
                    selected: p.selection == Some(Selection::Message(msg.id)),
                })
            })
            .collect()
    } else {
        // Few messages: SVG elements below; nothing on the canvas to click.
        drawn.0.borrow_mut().clear();
        Vec::new()
    };
    let msgs = v.in_flight.iter().filter(|_| !canvas).filter_map(|msg| {
        let (ra, rb) = (lay.nodes.get(&msg.src)?, lay.nodes.get(&msg.dst)?);
        let lane = Lane::between(ra, rb);
        let (x, y) = lane.at(layout::progress(msg.sent_at_ms, msg.deliver_at_ms, v.time_ms));
        let fam = format::family(&msg.kind);
        let resp = msg.kind.ends_with("Response");
        let selected = p.selection == Some(Selection::Message(msg.id));
        let id = msg.id;
        let cb = p.on_action.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit(Action::Select(Some(Selection::Message(id))));
        });
        let label = format::short_kind(&msg.kind);
        let glyph = if labels {
            let w = (label.chars().count() as f64 * 6.4 + 12.0) * s;
            html! {
                <>
                    <rect class="hw-msg-body" x={fmt(-w / 2.0)} y={fmt(-8.0 * s)} width={fmt(w)} height={fmt(16.0 * s)} rx={fmt(8.0 * s)} />
                    <text class="hw-msg-text" y={fmt(4.0 * s)} text-anchor="middle">{ label }</text>
                </>
            }
        } else {
            let r = 5.0 * s;
            match fam {
                "produce" => html! { <circle class="hw-msg-body" r={fmt(r)} /> },
                "fetch" => html! { <rect class="hw-msg-body" x={fmt(-r)} y={fmt(-r)} width={fmt(2.0 * r)} height={fmt(2.0 * r)} /> },
                "control" => html! { <path class="hw-msg-body" d={format!("M0 {:.1} L{:.1} 0 L0 {:.1} L{:.1} 0Z", -r * 1.3, r * 1.3, r * 1.3, -r * 1.3)} /> },
                "group" => html! { <path class="hw-msg-body" d={format!("M0 {:.1} L{:.1} {:.1} L{:.1} {:.1}Z", -r * 1.2, r * 1.2, r, -r * 1.2, r)} /> },
                "txn" => {
                    let (a, b) = (r * 1.15, r * 1.15 * 0.866);
                    html! { <path class="hw-msg-body" d={format!("M{a:.1} 0 L{:.1} {b:.1} L{:.1} {b:.1} L{:.1} 0 L{:.1} {:.1} L{:.1} {:.1}Z", a / 2.0, -a / 2.0, -a, -a / 2.0, -b, a / 2.0, -b)} /> }
                }
                _ => html! { <circle class="hw-msg-body" r={fmt(r * 0.7)} /> },
            }
        };
        // Many messages: no tooltip each (the inspector shows one on click).
        let title = labels.then(|| html! { <title>{ format!("{} {} → {} ({})", msg.kind, msg.from, msg.to, t(l, K::InFlight)) }</title> });
        Some(html! {
            <g key={msg.id} class={classes!("hw-msg", format!("fam-{fam}"), resp.then_some("resp"), selected.then_some("selected"))}
                style={format!("transform:translate({x:.1}px,{y:.1}px)")} onclick={onclick}
                data-testid="msg" data-kind={msg.kind.clone()}>
                { glyph }
                { for title }
            </g>
        })
    });
    let arrival = v.event.as_ref().filter(|e| e.category == "deliver").and_then(|e| {
        let (ra, rb) = (lay.nodes.get(e.src.as_ref()?)?, lay.nodes.get(e.dst.as_ref()?)?);
        let (x, y) = Lane::between(ra, rb).at(1.0);
        let fam = format::family(&e.name);
        Some(html! {
            <g key={format!("arrive-{}", e.step)} transform={format!("translate({x:.1} {y:.1})")} class={format!("hw-arrival fam-{fam}")}>
                <circle class="hw-arrive-ring" r={fmt(7.0 * s)} />
                <text class="hw-arrive-text" y={fmt(-12.0 * s)} text-anchor="middle">{ format!("{} ✓", format::short_kind(&e.name)) }</text>
            </g>
        })
    });
    let drops = v.dropped.iter().filter_map(|d| {
        let (ra, rb) = (lay.nodes.get(&d.src)?, lay.nodes.get(&d.dst)?);
        let (x, y) = Lane::between(ra, rb).at(0.82);
        let reason = match (l, d.reason.as_str()) {
            (Lang::Zh, "lost") => "网络丢包",
            (Lang::Zh, "link cut") => "链路断开",
            (Lang::Zh, _) => "接收方宕机",
            (_, r) => if r == "lost" { "lost" } else if r == "link cut" { "link cut" } else { "receiver down" },
        };
        Some(html! {
            <g key={format!("drop-{}-{}", d.msg, d.step)} transform={format!("translate({x:.1} {y:.1})")} data-testid="dropped">
                <g class="hw-drop">
                    <circle class="hw-drop-body" r={fmt(9.0 * s)} />
                    <path class="hw-drop-x" d={format!("M{a} {a} L{b} {b} M{a} {b} L{b} {a}", a = fmt(-4.5 * s), b = fmt(4.5 * s))} />
                    <text class="hw-drop-text" x={fmt(13.0 * s)} y={fmt(4.0 * s)}>{ format!("{} {} ({reason})", format::short_kind(&d.kind), t(l, K::Dropped)) }</text>
                </g>
            </g>
        })
    });
    // Cut links: one mark per pair, clickable to open the link menu.
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let cut_set: BTreeSet<(String, String)> = v.cuts.iter().cloned().btree_set();
    let cuts = v.cuts.iter().filter_map(|(a, b)| {
        let key = if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
        if !seen.insert(key.clone()) {
            return None;
        }
        let (ra, rb) = (lay.nodes.get(a)?, lay.nodes.get(b)?);
        let both = cut_set.contains(&(b.clone(), a.clone()));
        // Both ways: a straight line. One way: the lane of that direction (where its
        // messages would travel), so the two directions are told apart.
        let lane = Lane::between(ra, rb);
        let d = if both { format!("M{:.1} {:.1} L{:.1} {:.1}", lane.from.0, lane.from.1, lane.to.0, lane.to.1) } else { lane.path() };
        let mid = if both { ((lane.from.0 + lane.to.0) / 2.0, (lane.from.1 + lane.to.1) / 2.0) } else { lane.at(0.5) };
        let cb = p.on_action.clone();
        let (ka, kb) = key.clone();
        let title = format!("{} {a} {} {b}: {}", t(l, K::Link), if both { "↔" } else { "→" }, if both { t(l, K::LinkCutBoth) } else { t(l, K::LinkCutOneWay) });
        Some(html! {
            <g key={format!("cut-{}-{}", key.0, key.1)} class={classes!("hw-cut", (!both).then_some("one-way"))} data-testid="cut-link"
                onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(Action::Select(Some(Selection::Link(ka.clone(), kb.clone())))); })}>
                <path d={d} />
                <circle cx={fmt(mid.0)} cy={fmt(mid.1)} r={fmt(11.0 * s)} />
                <text x={fmt(mid.0)} y={fmt(mid.1 + 5.0 * s)} text-anchor="middle">{ if both { "✂" } else { "✂→" } }</text>
                <title>{ title }</title>
            </g>
        })
    });
    let more = (v.in_flight_total > v.in_flight.len()).then(|| {
        html! { <text class="hw-more-msgs" x={fmt(lay.width - 8.0)} y={fmt(lay.height - 6.0)} text-anchor="end">
        { format!("+{} {}", v.in_flight_total - v.in_flight.len(), t(l, K::MoreMessages)) }</text> }
    });
    html! {
        <>
        if canvas {
            <FlightCanvas width={lay.width} height={lay.height} items={Rc::new(canvas_items)} glide_ms={p.glide_ms} scale={s}
                label={AttrValue::from(format!("{} {}", v.in_flight_total, t(l, K::InFlight)))} drawn={drawn.clone()} />
        }
        <svg class="hw-flight" width={fmt(lay.width)} height={fmt(lay.height)}>
            { for arrival }
            { for msgs }
            { for drops }
            { for cuts }
            { for more }
        </svg>
        </>
    }
}

/// The action menu of the selected node or link, next to it.
fn menu(p: &StageProps, lay: &Layout) -> Html {
    let Some(sel) = &p.selection else { return html! {} };
    let anchor = match sel {
        Selection::Broker(b) => lay
            .cards
            .iter()
            .find(|(id, _)| id == b)
            .map(|(_, r)| *r)
            .or_else(|| lay.nodes.get(&format!("b{b}")).copied()),
        Selection::Producer(n) | Selection::Consumer(n) | Selection::Reader(n) => lay.nodes.get(n).copied(),
        Selection::Link(a, b) => match (lay.nodes.get(a), lay.nodes.get(b)) {
            (Some(ra), Some(rb)) => {
                let (ca, cb) = (ra.center(), rb.center());
                Some(Rect { x: (ca.0 + cb.0) / 2.0 - 20.0, y: (ca.1 + cb.1) / 2.0 - 20.0, w: 40.0, h: 40.0 })
            }
            _ => None,
        },
        Selection::Message(_) => None,
    };
    let Some(r) = anchor else { return html! {} };
    let menu_w = 300.0 * p.scale;
    let x = if r.x + r.w + 8.0 + menu_w <= lay.width { r.x + r.w + 8.0 } else { (r.x - menu_w - 8.0).max(4.0) };
    let y = r.y.max(4.0);
    html! {
        <div class="hw-popover" style={format!("left:{}px;top:{}px;width:{}px", fmt(x), fmt(y), fmt(menu_w))}
            onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
            <Menu selection={sel.clone()} view={p.view.clone()} lang={p.lang} on_action={p.on_action.clone()} />
        </div>
    }
}

/// The payload of the selected message.
fn inspector(p: &StageProps) -> Html {
    let Some(Selection::Message(id)) = &p.selection else { return html! {} };
    let l = p.lang;
    let close = {
        let cb = p.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit(Action::Select(None));
        })
    };
    html! {
        <aside class="hw-inspector" data-testid="inspector" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
            <header>
                <h3>{ format!("{} #{id}", t(l, K::Message)) }</h3>
                <button class="hw-x" aria-label={t(l, K::Dismiss)} onclick={close}>{ "×" }</button>
            </header>
            if let Some(m) = &p.inspected {
                <dl>
                    <dt>{ t(l, K::Kind) }</dt><dd><b data-testid="inspector-kind">{ m.kind.clone() }</b></dd>
                    <dt>{ t(l, K::From) }</dt><dd>{ m.from.clone() }</dd>
                    <dt>{ t(l, K::To) }</dt><dd>{ m.to.clone() }</dd>
                    <dt>{ t(l, K::SentAt) }</dt><dd>{ format::sim_time(m.sent_at_ms) }</dd>
                    <dt>{ t(l, K::ArrivesAt) }</dt><dd>{ format::sim_time(m.deliver_at_ms) }</dd>
                </dl>
                <h4>{ t(l, K::Payload) }</h4>
                <pre class="hw-payload" data-testid="payload">{ if m.summary.is_empty() { "—".to_string() } else { m.summary.clone() } }</pre>
            } else {
                <p class="hw-muted">{ t(l, K::Gone) }</p>
            }
        </aside>
    }
}
