//! Over the cards: messages on the wire, the one that just arrived, drops, and cut links.
//!
//! Messages follow their routes around the cards (`crate::ui::routes`), and their labels go
//! where they hide no card's text (`crate::ui::labels`): in the band above the cards, in
//! full or shortened; a message whose label has no room there is its shape alone, named by
//! its tooltip.
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use yew::prelude::*;

use super::{column_title, StageProps, CANVAS_LIMIT, LABEL_LIMIT};
use crate::kernel::sort::CollectBTree;
use crate::ui::components::flight_canvas::{Drawn, FlightCanvas, FlightItem};
use crate::ui::components::measure::text_width;
use crate::ui::components::strip::fmt;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::labels::{Placed, Placer, Prefer};
use crate::ui::layout::{self, Layout, Rect};
use crate::ui::routes::{Route, Router};
use crate::ui::state::{Action, Selection};
use crate::view::{DroppedView, MessageView};

/// A message pill's text size and height, at scale 1 (the CSS of `.hw-msg-text` agrees).
const PILL_FONT: f64 = 10.5;
const PILL_H: f64 = 16.0;
/// The sizes of an arrival's and a drop's text, at scale 1.
const ARRIVE_FONT: f64 = 11.0;
const DROP_FONT: f64 = 12.0;

/// Over the cards: messages on the wire, the one that just arrived, drops, and cut links.
pub(super) fn flight(p: &StageProps, lay: &Layout, drawn: &Drawn) -> Html {
    let v = &*p.view;
    let l = p.lang;
    let router = Router::new(lay);
    let labels = v.in_flight.len() <= LABEL_LIMIT;
    let canvas = v.in_flight.len() > CANVAS_LIMIT;
    let canvas_items: Vec<FlightItem> = if canvas {
        canvas_items(p, &router)
    } else {
        // Few messages: SVG elements below; nothing on the canvas to click.
        drawn.0.borrow_mut().clear();
        Vec::new()
    };
    let (cuts, cut_marks) = cut_links(p, &router);
    let mut obstacles = lay.obstacles();
    obstacles.extend(title_boxes(p, lay));
    obstacles.extend(timer_tag_box(p, lay));
    obstacles.extend(cut_marks);
    let positions: BTreeMap<u64, (f64, f64)> = if canvas {
        BTreeMap::new()
    } else {
        v.in_flight.iter().filter_map(|m| Some((m.id, position(p, &router, m)?))).collect()
    };
    let g = 6.0 * p.scale;
    let glyphs =
        positions.iter().map(|(id, (x, y))| (*id, Rect { x: x - g, y: y - g, w: 2.0 * g, h: 2.0 * g })).collect();
    let mut placer = Placer::new(&obstacles, Rect { x: 0.0, y: 0.0, w: lay.width, h: lay.height }).with_glyphs(glyphs);
    // The most telling labels are placed first: what just arrived, drops, the selection.
    let arrival = arrival(p, &router, &mut placer);
    let drops: Vec<Html> = v.dropped.iter().filter_map(|d| dropped(p, &router, &mut placer, d)).collect();
    let placed = if labels && !canvas { place_messages(p, &positions, &mut placer) } else { BTreeMap::new() };
    let msgs =
        v.in_flight.iter().filter(|_| !canvas).filter_map(|msg| message(p, &router, msg, labels, placed.get(&msg.id)));
    let more = (v.in_flight_total > v.in_flight.len()).then(|| {
        html! { <text class="hw-more-msgs" x={fmt(lay.width - 8.0)} y={fmt(lay.height - 6.0)} text-anchor="end">
        { format!("+{} {}", v.in_flight_total - v.in_flight.len(), t(l, K::MoreMessages)) }</text> }
    });
    html! {
        <>
        if canvas {
            <FlightCanvas width={lay.width} height={lay.height} items={Rc::new(canvas_items)} glide_ms={p.glide_ms} scale={p.scale}
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

/// The column titles' boxes (labels must not cover them either).
fn title_boxes(p: &StageProps, lay: &Layout) -> Vec<Rect> {
    let s = p.scale;
    let px = 11.52 * s;
    lay.columns
        .iter()
        .map(|(which, x0, _)| {
            let text = column_title(p.lang, which, p.view.rocketmq.is_some()).to_uppercase();
            // Letter spacing 0.07em per character, as in the CSS.
            let w = text_width(&text, px, 700) + text.chars().count() as f64 * 0.07 * px + 2.0;
            Rect { x: *x0, y: 14.0 * s - 2.0, w, h: px * 1.4 }
        })
        .collect()
}

/// The timer tag over the node a timer fired on (see `event_overlay`).
fn timer_tag_box(p: &StageProps, lay: &Layout) -> Option<Rect> {
    let ev = p.view.event.as_ref().filter(|e| e.category == "timer")?;
    let rect = lay.nodes.get(ev.src.as_ref()?)?;
    let px = 11.5 * p.scale;
    let w = text_width(&format!("◷ {}", ev.name), px, 700) + 22.0 * p.scale;
    Some(Rect { x: rect.x + 6.0, y: rect.y - 12.0, w, h: px * 1.5 + 2.0 })
}

/// Where a message is now.
fn position(p: &StageProps, router: &Router, msg: &MessageView) -> Option<(f64, f64)> {
    let route = router.route(&msg.src, &msg.dst)?;
    Some(route.at(layout::progress(msg.sent_at_ms, msg.deliver_at_ms, p.view.time_ms)))
}

/// The messages as items for the canvas (many of them).
fn canvas_items(p: &StageProps, router: &Router) -> Vec<FlightItem> {
    let v = &*p.view;
    v.in_flight
        .iter()
        .filter_map(|msg| {
            let (x, y) = position(p, router, msg)?;
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
}

/// A label's forms, longest first: the kind, then its shorter names.
fn forms(kind: &str, suffix: &str) -> Vec<String> {
    std::iter::once(format::short_kind(kind))
        .chain(format::abbrev_kinds(kind))
        .map(|k| format!("{k}{suffix}"))
        .collect()
}

/// Places the labels of the messages on the wire, the selected one first.
fn place_messages(
    p: &StageProps,
    positions: &BTreeMap<u64, (f64, f64)>,
    placer: &mut Placer,
) -> BTreeMap<u64, (String, Placed)> {
    let s = p.scale;
    let selected = |m: &&MessageView| p.selection == Some(Selection::Message(m.id));
    let order = p.view.in_flight.iter().filter(selected).chain(p.view.in_flight.iter().filter(|m| !selected(m)));
    let mut out = BTreeMap::new();
    for msg in order {
        let Some(&at) = positions.get(&msg.id) else { continue };
        let texts = forms(&msg.kind, "");
        let widths: Vec<f64> = texts.iter().map(|t| text_width(t, PILL_FONT * s, 750) + 12.0 * s).collect();
        if let Some(pl) = placer.place(at, &widths, PILL_H * s, 7.0 * s, Prefer::Centre, Some(msg.id)) {
            out.insert(msg.id, (texts[pl.form].clone(), pl));
        }
    }
    out
}

/// One message on the wire, an SVG group at its place along its route: its labelled pill,
/// or its shape (with the pill beside it, joined by a line, where there was room there).
fn message(
    p: &StageProps,
    router: &Router,
    msg: &MessageView,
    labels: bool,
    label: Option<&(String, Placed)>,
) -> Option<Html> {
    let (l, s) = (p.lang, p.scale);
    let route = router.route(&msg.src, &msg.dst)?;
    let along = layout::progress(msg.sent_at_ms, msg.deliver_at_ms, p.view.time_ms);
    let (x, y) = route.at(along);
    let fam = format::family(&msg.kind);
    let resp = msg.kind.ends_with("Response");
    let selected = p.selection == Some(Selection::Message(msg.id));
    let id = msg.id;
    let cb = p.on_action.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        cb.emit(Action::Select(Some(Selection::Message(id))));
    });
    let body = match label {
        Some((text, pl)) => {
            let r = Rect { x: pl.rect.x - x, y: pl.rect.y - y, ..pl.rect };
            let pill = html! {
                <>
                    <rect class="hw-msg-body" x={fmt(r.x)} y={fmt(r.y)} width={fmt(r.w)} height={fmt(r.h)} rx={fmt(8.0 * s)} />
                    <text class="hw-msg-text" x={fmt(r.x + r.w / 2.0)} y={fmt(r.y + r.h / 2.0 + 4.0 * s)} text-anchor="middle">{ text.clone() }</text>
                </>
            };
            if pl.on_anchor {
                pill
            } else {
                let (lx, ly) = (0.0_f64.clamp(r.x, r.x + r.w), 0.0_f64.clamp(r.y, r.y + r.h));
                html! {
                    <>
                        <line class="hw-msg-leader" x1="0" y1="0" x2={fmt(lx)} y2={fmt(ly)} />
                        { shape(fam, s) }
                        { pill }
                    </>
                }
            }
        }
        None => shape(fam, s),
    };
    // Many messages: no tooltip each (the inspector shows one on click).
    let title = labels.then(
        || html! { <title>{ format!("{} {} → {} ({})", msg.kind, msg.from, msg.to, t(l, K::InFlight)) }</title> },
    );
    Some(html! {
        <g key={msg.id} class={classes!("hw-msg", format!("fam-{fam}"), resp.then_some("resp"), selected.then_some("selected"))}
            style={format!("--x:{x:.1}px;--y:{y:.1}px;--route:path('{}');--along:{:.1}px", route.path(), along * route.length())} onclick={onclick}
            data-testid="msg" data-kind={msg.kind.clone()} data-label={label.map(|(t, _)| t.clone())}>
            { body }
            { for title }
        </g>
    })
}

/// A message's shape alone: one per family (colour and shape both tell it).
fn shape(fam: &str, s: f64) -> Html {
    let r = 5.0 * s;
    match fam {
        "produce" => html! { <circle class="hw-msg-body" r={fmt(r)} /> },
        "fetch" => {
            html! { <rect class="hw-msg-body" x={fmt(-r)} y={fmt(-r)} width={fmt(2.0 * r)} height={fmt(2.0 * r)} /> }
        }
        "control" => {
            html! { <path class="hw-msg-body" d={format!("M0 {:.1} L{:.1} 0 L0 {:.1} L{:.1} 0Z", -r * 1.3, r * 1.3, r * 1.3, -r * 1.3)} /> }
        }
        "group" => {
            html! { <path class="hw-msg-body" d={format!("M0 {:.1} L{:.1} {:.1} L{:.1} {:.1}Z", -r * 1.2, r * 1.2, r, -r * 1.2, r)} /> }
        }
        "txn" => {
            let (a, b) = (r * 1.15, r * 1.15 * 0.866);
            html! { <path class="hw-msg-body" d={format!("M{a:.1} 0 L{:.1} {b:.1} L{:.1} {b:.1} L{:.1} 0 L{:.1} {:.1} L{:.1} {:.1}Z", a / 2.0, -a / 2.0, -a, -a / 2.0, -b, a / 2.0, -b)} /> }
        }
        _ => html! { <circle class="hw-msg-body" r={fmt(r * 0.7)} /> },
    }
}

/// A bare text label placed near `at`: its SVG text (centred in its box) or nothing.
fn text_label(
    placer: &mut Placer,
    at: (f64, f64),
    texts: &[String],
    px: f64,
    gap: f64,
    prefer: Prefer,
    class: &'static str,
) -> Option<Html> {
    let widths: Vec<f64> = texts.iter().map(|t| text_width(t, px, 800) + 2.0).collect();
    let h = px * 1.45;
    let pl = placer.place(at, &widths, h, gap, prefer, None)?;
    let (cx, cy) = pl.rect.center();
    Some(
        html! { <text class={class} x={fmt(cx)} y={fmt(cy + 0.35 * px)} text-anchor="middle">{ texts[pl.form].clone() }</text> },
    )
}

/// The message that was just delivered, at the end of its route.
fn arrival(p: &StageProps, router: &Router, placer: &mut Placer) -> Option<Html> {
    let s = p.scale;
    let e = p.view.event.as_ref().filter(|e| e.category == "deliver")?;
    let (x, y) = router.route(e.src.as_ref()?, e.dst.as_ref()?)?.at(1.0);
    let fam = format::family(&e.name);
    let texts = forms(&e.name, " ✓");
    let label = text_label(placer, (x, y), &texts, ARRIVE_FONT * s, 9.0 * s, Prefer::Above, "hw-arrive-text");
    Some(html! {
        <g key={format!("arrive-{}", e.step)} class={format!("hw-arrival fam-{fam}")} data-testid="arrival">
            <circle class="hw-arrive-ring" cx={fmt(x)} cy={fmt(y)} r={fmt(7.0 * s)} />
            { for label }
            <title>{ texts[0].clone() }</title>
        </g>
    })
}

/// A message dropped on its way (lost, cut link, receiver down): its ✕ falls off the route,
/// its reason stays beside the place (fading) where it has room.
fn dropped(p: &StageProps, router: &Router, placer: &mut Placer, d: &DroppedView) -> Option<Html> {
    let (l, s) = (p.lang, p.scale);
    let (x, y) = router.route(&d.src, &d.dst)?.at(0.82);
    let reason = match (l, d.reason.as_str()) {
        (Lang::Zh, "lost") => "网络丢包",
        (Lang::Zh, "link cut") => "链路断开",
        (Lang::Zh, _) => "接收方宕机",
        (_, "lost") => "lost",
        (_, "link cut") => "link cut",
        _ => "receiver down",
    };
    let kind = format::short_kind(&d.kind);
    let full = format!("{kind} {} ({reason})", t(l, K::Dropped));
    let mut texts = vec![full.clone(), format!("{kind} ✕ {reason}")];
    texts.extend(format::abbrev_kinds(&d.kind).into_iter().map(|a| format!("{a} ✕")));
    let label = text_label(placer, (x, y), &texts, DROP_FONT * s, 11.0 * s, Prefer::Right, "hw-drop-text");
    Some(html! {
        <g key={format!("drop-{}-{}", d.msg, d.step)} data-testid="dropped">
            <g transform={format!("translate({x:.1} {y:.1})")}>
                <g class="hw-drop">
                    <circle class="hw-drop-body" r={fmt(9.0 * s)} />
                    <path class="hw-drop-x" d={format!("M{a} {a} L{b} {b} M{a} {b} L{b} {a}", a = fmt(-4.5 * s), b = fmt(4.5 * s))} />
                </g>
            </g>
            { for label }
            <title>{ full }</title>
        </g>
    })
}

/// Cut links: one mark per pair, clickable to open the link menu; and the marks' boxes
/// (labels leave them clear).
fn cut_links(p: &StageProps, router: &Router) -> (Vec<Html>, Vec<Rect>) {
    let (v, l, s) = (&*p.view, p.lang, p.scale);
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let cut_set: BTreeSet<(String, String)> = v.cuts.iter().cloned().btree_set();
    let mut marks = Vec::new();
    let html = v
        .cuts
        .iter()
        .filter_map(|(a, b)| {
            let key = if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
            if !seen.insert(key.clone()) {
                return None;
            }
            let route: Route = router.route(a, b)?;
            let both = cut_set.contains(&(b.clone(), a.clone()));
            // Both ways: dashed; one way: dotted, on the route of that direction (where its
            // messages would travel), so the two are told apart.
            let mid = route.at(0.5);
            let r = 11.0 * s;
            marks.push(Rect { x: mid.0 - r, y: mid.1 - r, w: 2.0 * r, h: 2.0 * r });
            let cb = p.on_action.clone();
            let (ka, kb) = key.clone();
            let title = format!("{} {a} {} {b}: {}", t(l, K::Link), if both { "↔" } else { "→" }, if both { t(l, K::LinkCutBoth) } else { t(l, K::LinkCutOneWay) });
            Some(html! {
                <g key={format!("cut-{}-{}", key.0, key.1)} class={classes!("hw-cut", (!both).then_some("one-way"))} data-testid="cut-link"
                    onclick={Callback::from(move |e: MouseEvent| { e.stop_propagation(); cb.emit(Action::Select(Some(Selection::Link(ka.clone(), kb.clone())))); })}>
                    <path d={route.path()} />
                    <circle cx={fmt(mid.0)} cy={fmt(mid.1)} r={fmt(r)} />
                    <text x={fmt(mid.0)} y={fmt(mid.1 + 5.0 * s)} text-anchor="middle">{ if both { "✂" } else { "✂→" } }</text>
                    <title>{ title }</title>
                </g>
            })
        })
        .collect();
    (html, marks)
}
