use yew::prelude::*;

use crate::ui::components::strip::fmt;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, SessionHandle};

#[derive(Properties, PartialEq)]
pub struct LagChartProps {
    pub session: SessionHandle,
    pub lang: Lang,
    pub time_ms: u64,
    pub on_action: Callback<Action>,
}

/// Consumer lag of each group over the run (step lines, one dash pattern and colour per
/// group), with the current time marked. Click the chart to jump there.
#[function_component(LagChart)]
pub fn lag_chart(p: &LagChartProps) -> Html {
    let l = p.lang;
    let Some((series, end)) = p.session.with(|s| (s.lag_series().to_vec(), s.scenario().duration_ms)) else {
        return html! {};
    };
    if series.is_empty() {
        return html! { <p class="hw-muted">{ t(l, K::LagNoGroups) }</p> };
    }
    if series.iter().all(|s| s.points.is_empty()) {
        return html! { <p class="hw-muted">{ t(l, K::LagEmpty) }</p> };
    }
    let (w, h, left, bottom) = (760.0, 220.0, 48.0, 26.0);
    let max_lag = series.iter().flat_map(|s| s.points.iter().map(|p| p.lag)).max().unwrap_or(1).max(1);
    // A run extended by an action goes past the scenario's duration: so does the axis.
    let last = series.iter().filter_map(|s| s.points.last().map(|p| p.time_ms)).max().unwrap_or(0);
    let end = end.max(last).max(1);
    let x = |ms: u64| left + (ms as f64 / end as f64) * (w - left - 10.0);
    let y = |lag: u64| 10.0 + (1.0 - lag as f64 / max_lag as f64) * (h - bottom - 10.0);
    let dashes = ["", "8 4", "2 4", "10 3 2 3"];
    let lines = series.iter().enumerate().map(|(i, s)| {
        let mut d = String::new();
        let mut last: Option<(f64, f64)> = None;
        for pt in &s.points {
            let (px, py) = (x(pt.time_ms), y(pt.lag));
            match last {
                None => d.push_str(&format!("M{px:.1} {py:.1}")),
                Some((_, ly)) => d.push_str(&format!(" L{px:.1} {ly:.1} L{px:.1} {py:.1}")),
            }
            last = Some((px, py));
        }
        if let Some((_, ly)) = last {
            d.push_str(&format!(" L{:.1} {ly:.1}", x(end)));
        }
        html! { <path class={format!("hw-lag-line g{}", i % 4)} d={d} stroke-dasharray={dashes[i % 4]} /> }
    });
    let now_x = x(p.time_ms.min(end));
    let ticks = (0..=4).map(|i| {
        let lag = max_lag * i / 4;
        html! { <g><line class="hw-grid" x1={fmt(left)} x2={fmt(w - 10.0)} y1={fmt(y(lag))} y2={fmt(y(lag))} />
        <text class="hw-axis" x={fmt(left - 6.0)} y={fmt(y(lag) + 4.0)} text-anchor="end">{ lag }</text></g> }
    });
    let xticks = (0..=4).map(|i| {
        let ms = end * i / 4;
        // The last label ends at the axis' end instead of running past the picture.
        let anchor = if i == 4 { "end" } else { "middle" };
        html! { <text class="hw-axis" x={fmt(x(ms))} y={fmt(h - 6.0)} text-anchor={anchor}>{ format::sim_time(ms) }</text> }
    });
    html! {
        <div class="hw-lag" data-testid="lag-chart">
            <p class="hw-muted">{ t(l, K::LagCaption) }</p>
            <svg viewBox={format!("0 0 {w} {h}")} class="hw-lag-svg" role="img" aria-label={t(l, K::LagTab)}>
                { for ticks }
                { for xticks }
                { for lines }
                <line class="hw-now" x1={fmt(now_x)} x2={fmt(now_x)} y1="6" y2={fmt(h - bottom)} />
                <text class="hw-axis" x={fmt(if now_x > w - 60.0 { now_x - 4.0 } else { now_x + 4.0 })} y="14"
                    text-anchor={if now_x > w - 60.0 { "end" } else { "start" }}>{ t(l, K::Now) }</text>
            </svg>
            <ul class="hw-lag-legend">
                { for series.iter().enumerate().map(|(i, s)| html! {
                    <li><svg width="34" height="10"><line class={format!("hw-lag-line g{}", i % 4)} x1="0" x2="34" y1="5" y2="5" stroke-dasharray={dashes[i % 4]} /></svg>
                        { format!("{} {} · {} {}", t(l, K::Group), s.group, t(l, K::Lag), s.points.last().map(|p| p.lag).unwrap_or(0)) }</li>
                }) }
            </ul>
        </div>
    }
}
