//! Over the cards: messages on the wire, the one that just arrived, drops, and cut links.
use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use super::{StageProps, CANVAS_LIMIT, LABEL_LIMIT};
use crate::kernel::sort::CollectBTree;
use crate::ui::components::flight_canvas::{Drawn, FlightCanvas, FlightItem};
use crate::ui::components::strip::fmt;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::layout::{self, Lane, Layout};
use crate::ui::state::{Action, Selection};
use crate::view::{ClusterView, DroppedView, MessageView};

/// Over the cards: messages on the wire, the one that just arrived, drops, and cut links.
pub(super) fn flight(p: &StageProps, lay: &Layout, drawn: &Drawn) -> Html {
    let v = &*p.view;
    let l = p.lang;
    let s = p.scale;
    let labels = v.in_flight.len() <= LABEL_LIMIT;
    let canvas = v.in_flight.len() > CANVAS_LIMIT;
    let canvas_items: Vec<FlightItem> = if canvas {
        canvas_items(p, lay)
    } else {
        // Few messages: SVG elements below; nothing on the canvas to click.
        drawn.0.borrow_mut().clear();
        Vec::new()
    };
    let msgs = v.in_flight.iter().filter(|_| !canvas).filter_map(|msg| message(p, lay, msg, labels));
    let arrival = arrival(v, lay, s);
    let drops = v.dropped.iter().filter_map(|d| dropped(l, s, lay, d));
    let cuts = cut_links(p, lay);
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

/// The messages as items for the canvas (many of them).
fn canvas_items(p: &StageProps, lay: &Layout) -> Vec<FlightItem> {
    let v = &*p.view;
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
}

/// One message on the wire, an SVG group at its place along its lane.
fn message(p: &StageProps, lay: &Layout, msg: &MessageView, labels: bool) -> Option<Html> {
    let (v, l, s) = (&*p.view, p.lang, p.scale);
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
    let glyph = glyph(&msg.kind, fam, labels, s);
    // Many messages: no tooltip each (the inspector shows one on click).
    let title = labels.then(
        || html! { <title>{ format!("{} {} → {} ({})", msg.kind, msg.from, msg.to, t(l, K::InFlight)) }</title> },
    );
    Some(html! {
        <g key={msg.id} class={classes!("hw-msg", format!("fam-{fam}"), resp.then_some("resp"), selected.then_some("selected"))}
            style={format!("transform:translate({x:.1}px,{y:.1}px)")} onclick={onclick}
            data-testid="msg" data-kind={msg.kind.clone()}>
            { glyph }
            { for title }
        </g>
    })
}

/// A message's shape: a labelled pill (few messages) or a small shape per family.
fn glyph(kind: &str, fam: &str, labels: bool, s: f64) -> Html {
    let label = format::short_kind(kind);
    if labels {
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
}

/// The message that was just delivered, at the end of its lane.
fn arrival(v: &ClusterView, lay: &Layout, s: f64) -> Option<Html> {
    v.event.as_ref().filter(|e| e.category == "deliver").and_then(|e| {
        let (ra, rb) = (lay.nodes.get(e.src.as_ref()?)?, lay.nodes.get(e.dst.as_ref()?)?);
        let (x, y) = Lane::between(ra, rb).at(1.0);
        let fam = format::family(&e.name);
        Some(html! {
            <g key={format!("arrive-{}", e.step)} transform={format!("translate({x:.1} {y:.1})")} class={format!("hw-arrival fam-{fam}")}>
                <circle class="hw-arrive-ring" r={fmt(7.0 * s)} />
                <text class="hw-arrive-text" y={fmt(-12.0 * s)} text-anchor="middle">{ format!("{} ✓", format::short_kind(&e.name)) }</text>
            </g>
        })
    })
}

/// A message dropped on its way (lost, cut link, receiver down).
fn dropped(l: Lang, s: f64, lay: &Layout, d: &DroppedView) -> Option<Html> {
    let (ra, rb) = (lay.nodes.get(&d.src)?, lay.nodes.get(&d.dst)?);
    let (x, y) = Lane::between(ra, rb).at(0.82);
    let reason = match (l, d.reason.as_str()) {
        (Lang::Zh, "lost") => "网络丢包",
        (Lang::Zh, "link cut") => "链路断开",
        (Lang::Zh, _) => "接收方宕机",
        (_, r) => {
            if r == "lost" {
                "lost"
            } else if r == "link cut" {
                "link cut"
            } else {
                "receiver down"
            }
        }
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
}

/// Cut links: one mark per pair, clickable to open the link menu.
fn cut_links(p: &StageProps, lay: &Layout) -> Vec<Html> {
    let (v, l, s) = (&*p.view, p.lang, p.scale);
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let cut_set: BTreeSet<(String, String)> = v.cuts.iter().cloned().btree_set();
    v.cuts
        .iter()
        .filter_map(|(a, b)| {
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
        })
        .collect()
}
