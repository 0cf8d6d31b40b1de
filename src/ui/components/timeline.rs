use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::Action;
use crate::view::Marker;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub lang: Lang,
    pub step: u64,
    pub horizon: u64,
    pub markers: Rc<Vec<Marker>>,
    pub on_action: Callback<Action>,
}

/// How much a marker kind matters when several share a pixel (higher wins).
fn rank(kind: &str) -> u8 {
    match kind {
        "anomaly" => 9,
        "crash" => 8,
        "election" => 7,
        "rebalance" => 6,
        "offset-sync" => 6,
        "truncation" => 5,
        "retention" => 5,
        "isr" => 4,
        "controller" => 4,
        "producer-error" => 5,
        "txn-abort" => 5,
        "txn-commit" => 4,
        "fenced" => 3,
        "restart" => 3,
        "action" => 2,
        _ => 1,
    }
}

/// The glyph of a marker kind (shape as well as colour).
pub fn glyph(kind: &str) -> &'static str {
    match kind {
        "anomaly" => "⚠",
        "crash" => "✕",
        "election" => "★",
        "rebalance" => "↻",
        "offset-sync" => "↶",
        "truncation" => "✂",
        "retention" => "⌛",
        "isr" => "◆",
        "controller" => "♛",
        "fenced" => "⊘",
        "restart" => "↺",
        "txn-commit" => "✓",
        "txn-abort" => "⊠",
        "producer-error" => "‼",
        "action" => "▲",
        _ => "•",
    }
}

/// The scrubber: a range input over every computed step, with markers above it for
/// elections, ISR changes, rebalances, crashes, truncations, transaction markers, producer
/// errors and anomalies.
#[function_component(TimelineBar)]
pub fn timeline_bar(p: &TimelineProps) -> Html {
    let l = p.lang;
    let max = p.horizon.max(1);
    let on_input = {
        let cb = p.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u64>() {
                cb.emit(Action::Seek(v));
            }
        })
    };
    html! {
        <div class="hw-timeline">
            <MarkerRow lang={l} horizon={p.horizon} markers={p.markers.clone()} on_action={p.on_action.clone()} />
            <input type="range" class="hw-scrub" data-testid="scrubber" min="0" max={max.to_string()}
                value={p.step.to_string()} aria-label={t(l, K::Timeline)} oninput={on_input} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MarkerRowProps {
    lang: Lang,
    horizon: u64,
    markers: Rc<Vec<Marker>>,
    on_action: Callback<Action>,
}

/// The markers, merged when they fall on the same spot (the most important one shows).
/// Its own component: it re-renders when the run grows, not at every step.
#[function_component(MarkerRow)]
fn marker_row(p: &MarkerRowProps) -> Html {
    let l = p.lang;
    let max = p.horizon.max(1);
    const BUCKETS: u64 = 250;
    let mut buckets: Vec<Option<(usize, usize)>> = vec![None; BUCKETS as usize + 1];
    for (i, m) in p.markers.iter().enumerate() {
        let b = (m.step * BUCKETS / max) as usize;
        let slot = &mut buckets[b.min(BUCKETS as usize)];
        match slot {
            Some((best, n)) => {
                *n += 1;
                if rank(m.kind) > rank(p.markers[*best].kind) {
                    *best = i;
                }
            }
            None => *slot = Some((i, 1)),
        }
    }
    let marks = buckets.iter().flatten().map(|(i, n)| {
        let m = &p.markers[*i];
        let left = m.step as f64 * 100.0 / max as f64;
        let label = if l == Lang::Zh { &m.label_zh } else { &m.label };
        let more = if *n > 1 { format!(" (+{})", n - 1) } else { String::new() };
        let title = format!("#{} · {} · {}{more}", m.step, format::sim_time(m.time_ms), label);
        let step = m.step;
        let cb = p.on_action.clone();
        html! {
            // Out of the Tab order (there can be hundreds before the picture): the keyboard
            // reaches them with Shift+←/→ and the ◂◆ ◆▸ buttons.
            <button class={classes!("hw-mark", format!("kind-{}", m.kind))} tabindex="-1"
                style={format!("left:{left:.3}%")} title={title.clone()} aria-label={title}
                data-testid="marker" data-kind={m.kind} data-step={m.step.to_string()}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::Seek(step)))}>
                { glyph(m.kind) }
            </button>
        }
    });
    html! { <div class="hw-marks" aria-label={t(l, K::Markers)}>{ for marks }</div> }
}
