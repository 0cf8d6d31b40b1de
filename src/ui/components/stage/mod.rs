//! The cluster picture.
//!
//! Why HTML cards + SVG layers (and not one canvas): the cards hold text, badges and
//! buttons, which HTML lays out, makes accessible (focus, screen readers, real buttons) and
//! scales crisply on a projector; the strips, wires and messages are SVG, so every cell,
//! pattern and message is a DOM node with a tooltip and a click handler, styled by the
//! same CSS variables as the themes. Messages glide between steps with CSS transitions
//! (along their routes, `offset-distance` on an `offset-path`): Yew re-renders once per
//! step, not once per animation frame. The number of nodes stays bounded: large clusters
//! become summary cards and at most `MAX_DRAWN_MESSAGES` messages are drawn. A canvas
//! would draw 200 moving dots faster, but would need hit-testing, text layout,
//! accessibility and theming rebuilt by hand.
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use yew::prelude::*;

use crate::kernel::sort::CollectBTree;
use crate::session::rocketmq_view::RocketMqView;
use crate::ui::components::flight_canvas::Drawn;
use crate::ui::components::menus::Menu;
use crate::ui::components::menus_rmq::RmqMenu;
use crate::ui::components::strip::{fmt, StripMark};
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::layout::{self, Layout, LayoutInput, Metrics, Rect};
use crate::ui::routes::Router;
use crate::ui::state::{Action, Selection};
use crate::view::{ClusterView, MessageView};

#[derive(Properties, PartialEq, Clone)]
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
    /// Presenter mode: the height the picture must fit in (the window below the
    /// narration); the scale comes down from `scale` until it does (`fit`).
    #[prop_or_default]
    pub fit_height: Option<f64>,
}

/// The smallest presenter scale `fit` goes down to: type stays readable on a projector.
const MIN_FIT_SCALE: f64 = 0.6;

/// The largest scale, from `p.scale` down by 0.05, at which the picture fits
/// `p.fit_height` (no lower than `MIN_FIT_SCALE`), and its layout.
fn fit(p: &StageProps, pages: &UseStateHandle<BTreeMap<u32, usize>>) -> (f64, Layout) {
    let layout_at = |scale: f64| {
        layout::compute(&LayoutInput {
            view: &p.view,
            width: p.width,
            scale,
            large: p.large,
            expanded: &p.expanded,
            show_internal: p.show_internal,
            page: pages,
        })
    };
    let mut scale = p.scale;
    let mut lay = layout_at(scale);
    if let Some(room) = p.fit_height {
        while lay.height > room && scale > MIN_FIT_SCALE + 1e-9 {
            scale = (scale - 0.05).max(MIN_FIT_SCALE);
            lay = layout_at(scale);
        }
    }
    (scale, lay)
}

/// Messages get text labels only when there are few of them.
const LABEL_LIMIT: usize = 36;
/// Above this many, messages are drawn on a canvas (see `flight_canvas`).
pub const CANVAS_LIMIT: usize = 60;

mod broker_card;
mod client_cards;
mod flight;
mod rmq_broker;
mod rmq_clients;
mod timer_ring;

use broker_card::{broker_card, small_card};
use client_cards::{group_box, member_card, producer_card, reader_card};
use flight::flight;

/// What every card needs: the stage's props, the sizes, the click handler that selects,
/// and (for broker cards) the strip marks, the leaders and the pages of expanded brokers.
struct CardCtx<'a> {
    pub p: &'a StageProps,
    pub m: &'a Metrics,
    pub select: &'a dyn Fn(Selection) -> Callback<MouseEvent>,
    pub marks: &'a BTreeMap<(String, u32), Vec<StripMark>>,
    pub leader_of: &'a BTreeMap<(String, u32), u32>,
    pub pages: &'a UseStateHandle<BTreeMap<u32, usize>>,
}

#[function_component(Stage)]
pub fn stage(p: &StageProps) -> Html {
    let pages = use_state(BTreeMap::<u32, usize>::new);
    let drawn = use_mut_ref(BTreeMap::<u64, (f64, f64)>::new);
    let drawn = Drawn(drawn);
    let (scale, lay) = fit(p, &pages);
    let fitted = StageProps { scale, ..p.clone() };
    let p = &fitted;
    let v = &*p.view;
    let m = Metrics { s: p.scale };
    let select = |sel: Selection| {
        let cb = p.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit(Action::Select(Some(sel.clone())));
        })
    };
    let (marks, leader_of) = (strip_marks(v), leaders(v));
    let ctx = CardCtx { p, m: &m, select: &select, marks: &marks, leader_of: &leader_of, pages: &pages };
    let column_titles = column_titles(p.lang, &lay, &m, v.rocketmq.is_some());

    let body = match &v.rocketmq {
        Some(r) => rocketmq_cards(&ctx, r, &lay),
        None => kafka_cards(&ctx, &lay),
    };

    let stage_ref = use_node_ref();
    let clear = click_on_picture(p, &drawn, &stage_ref);
    html! {
        <div ref={stage_ref} class={classes!("hw-stage", p.large.then_some("is-large"))} data-testid="cluster" onclick={clear}
            data-model={if v.rocketmq.is_some() { "rocketmq" } else { "kafka" }} data-time-ms={v.time_ms.to_string()}
            data-scale={format!("{:.2}", p.scale)}
            style={format!("height:{}px;--glide:{}ms;--s:{}", fmt(lay.height), p.glide_ms, p.scale)}>
            { wires(p, &lay) }
            { for column_titles }
            if p.large {
                <div class="hw-large-note" style={format!("left:{}px;top:{}px", fmt(lay.columns[0].1), fmt(lay.height - m.pad()))}></div>
            }
            { body }
            { event_overlay(p, &lay) }
            { flight(p, &lay, &drawn) }
            { menu(p, &lay) }
            { inspector(p) }
        </div>
    }
}

/// The Kafka picture's cards: brokers (full or summary), producers, groups with their
/// members, readers.
fn kafka_cards(ctx: &CardCtx, lay: &Layout) -> Html {
    let (p, m, pages) = (ctx.p, ctx.m, ctx.pages);
    let v = &*p.view;
    let cards = lay.cards.iter().filter_map(|(id, rect)| {
        let b = v.brokers.iter().find(|b| b.id == *id)?;
        let page = pages.get(id).copied().unwrap_or(0);
        let head = lay.headers.get(id).copied().unwrap_or(m.header_h());
        Some(broker_card(ctx, b, rect, head, page))
    });
    let small_cards = lay.small.iter().filter_map(|(id, rect)| {
        let b = v.brokers.iter().find(|b| b.id == *id)?;
        Some(small_card(p, b, rect, m))
    });
    let producers = lay.producers.iter().filter_map(|(name, rect)| {
        let pr = v.producers.iter().find(|x| &x.name == name)?;
        Some(producer_card(ctx, pr, rect))
    });
    let groups = lay.groups.iter().map(|(g, rect)| group_box(ctx, g, rect));
    let members = lay.members.iter().filter_map(|(name, rect)| {
        let c = v.consumers.iter().find(|x| &x.name == name)?;
        Some(member_card(ctx, c, rect))
    });
    let readers = lay.readers.iter().filter_map(|(name, rect)| {
        let r = v.readers.iter().find(|x| &x.name == name)?;
        Some(reader_card(ctx, r, rect))
    });

    html! {
        <>
            { for producers }
            { for small_cards }
            { for cards }
            { for groups }
            { for members }
            { for readers }
        </>
    }
}

/// The RocketMQ picture's cards: group boxes with their brokers, producers, name servers,
/// consumers.
fn rocketmq_cards(ctx: &CardCtx, r: &RocketMqView, lay: &Layout) -> Html {
    let p = ctx.p;
    let groups = lay.groups.iter().filter_map(|(name, rect)| {
        let g = r.groups.iter().find(|g| &g.name == name)?;
        Some(rmq_broker::group_box(p.lang, g, rect, p.scale))
    });
    let brokers = r
        .groups
        .iter()
        .flat_map(|g| &g.brokers)
        .zip(&lay.cards)
        .map(|(b, (n, rect))| rmq_broker::broker(ctx, b, *n, rect));
    let producers = lay.producers.iter().filter_map(|(key, rect)| {
        let pr = r.producers.iter().find(|x| &x.key == key)?;
        Some(rmq_clients::producer(ctx, pr, rect))
    });
    let name_servers = lay.name_servers.iter().filter_map(|(key, rect)| {
        let ns = r.name_servers.iter().find(|x| &x.key == key)?;
        Some(rmq_clients::name_server(p.lang, ns, rect))
    });
    let consumers = lay.members.iter().filter_map(|(key, rect)| {
        let c = r.consumers.iter().find(|x| &x.key == key)?;
        Some(rmq_clients::consumer(ctx, r, c, rect))
    });
    html! {
        <>
            { for groups }
            { for brokers }
            { for producers }
            { for name_servers }
            { for consumers }
        </>
    }
}

/// Marks above the leaders' strips: consumer positions, committed offsets, readers.
fn strip_marks(v: &ClusterView) -> BTreeMap<(String, u32), Vec<StripMark>> {
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
    marks
}

/// Marks go on the strip of the broker that acts as leader (its own view).
fn leaders(v: &ClusterView) -> BTreeMap<(String, u32), u32> {
    v.brokers
        .iter()
        .flat_map(|b| b.replicas.iter().filter(|r| r.is_leader).map(move |r| ((r.topic.clone(), r.partition), b.id)))
        .btree_map()
}

/// The title of a column of the picture ("producers", "brokers", "consumers").
fn column_title(l: Lang, which: &str, rocketmq: bool) -> &'static str {
    match which {
        "producers" => t(l, K::Producers),
        "consumers" => t(l, K::Consumers),
        _ if rocketmq => t(l, K::BrokerGroups),
        _ => t(l, K::Brokers),
    }
}

fn column_titles(l: Lang, lay: &Layout, m: &Metrics, rocketmq: bool) -> Vec<Html> {
    lay.columns
        .iter()
        .map(|(which, x0, x1)| {
            let label = column_title(l, which, rocketmq);
            html! {
                <div class="hw-col-title" style={format!("left:{}px;top:{}px;width:{}px", fmt(*x0), fmt(m.pad() - 2.0), fmt(x1 - x0))}>{ label }</div>
            }
        })
        .collect()
}

/// A click that reaches the picture itself: a message on the canvas, or nothing.
fn click_on_picture(p: &StageProps, drawn: &Drawn, stage_ref: &NodeRef) -> Callback<MouseEvent> {
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
    let router = Router::new(lay);
    let lanes = pairs.iter().filter(|_| !p.large).filter_map(|(a, b)| {
        let route = router.route(a, b)?;
        Some(html! { <path key={format!("{a}>{b}")} class="hw-lane" d={route.path()} /> })
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
    let pulls = rmq_clients::pull_lines(p, lay);
    html! {
        <svg class="hw-wires" width={fmt(lay.width)} height={fmt(lay.height)} aria-hidden="true">
            { for lanes }
            { for assign }
            { for pulls }
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
            if p.view.rocketmq.is_some() {
                <RmqMenu selection={sel.clone()} view={p.view.clone()} lang={p.lang} on_action={p.on_action.clone()} />
            } else {
                <Menu selection={sel.clone()} view={p.view.clone()} lang={p.lang} on_action={p.on_action.clone()} />
            }
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
