use yew::prelude::*;

use crate::session::anomaly_name_zh;
use crate::ui::format;
use crate::ui::i18n::{t, tf, Lang, K};
use crate::ui::state::{Action, SessionHandle};
use crate::view::AnomalyView;

#[derive(Properties, PartialEq)]
pub struct AnomalyProps {
    pub session: SessionHandle,
    pub lang: Lang,
    pub step: u64,
    pub on_action: Callback<Action>,
}

/// The checker's findings visible at this step, then (collapsed) those later in the run.
/// Each jumps to the step where it became visible.
#[function_component(AnomalyList)]
pub fn anomaly_list(p: &AnomalyProps) -> Html {
    let l = p.lang;
    let (now, later, stopped) = p
        .session
        .with(|s| {
            let now = s.anomaly_views();
            let later: Vec<AnomalyView> = s
                .final_anomalies()
                .map(|all| all.iter().filter(|a| a.step > p.step).cloned().collect())
                .unwrap_or_default();
            (now, later, s.stopped())
        })
        .unwrap_or_default();
    let item = |a: &AnomalyView, future: bool| {
        let step = a.step;
        let cb = p.on_action.clone();
        let name = if l == Lang::Zh { anomaly_name_zh(&a.kind) } else { a.kind.clone() };
        let records = a.records.iter().map(|r| format!("#{r}")).collect::<Vec<_>>().join(", ");
        html! {
            <li class={classes!("hw-anomaly", a.notice.then_some("notice"), future.then_some("future"))} data-testid="anomaly" data-kind={a.kind.clone()}>
                <button onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::Seek(step)))} title={format!("{} {}", t(l, K::JumpTo), a.step)}>
                    <span class="hw-pill anomaly-kind"><span aria-hidden="true">{ if a.notice { "ℹ" } else { "⚠" } }</span>{ name }</span>
                    <span class="hw-an-where">{ format!("{} · {} {} · {}", a.partition, t(l, K::BecameVisible), a.step, format::sim_time(a.time_ms)) }</span>
                    if !records.is_empty() { <span class="hw-an-records">{ format!("{}: {records}", t(l, K::Record)) }</span> }
                    <span class="hw-an-detail">{ if l == Lang::Zh { a.detail_zh.clone() } else { a.detail.clone() } }</span>
                </button>
            </li>
        }
    };
    // A stopped run never reached its end: no "every guarantee holds" for it.
    html! {
        <div class="hw-anomalies">
            if let Some(st) = stopped {
                <p class="hw-stopped-note" data-testid="no-verdict">{ "⛔ " }{ tf(l, K::StoppedNoVerdict, &[&format::count(st.step)]) }</p>
            }
            if now.is_empty() && stopped.is_none() {
                <p class="hw-ok" data-testid="no-anomalies">{ "✓ " }{ t(l, K::NoAnomalies) }</p>
            } else if !now.is_empty() {
                <ul>{ for now.iter().map(|a| item(a, false)) }</ul>
            }
            if !later.is_empty() {
                <details>
                    <summary>{ format!("{} ({})", t(l, K::LaterAnomalies), later.len()) }</summary>
                    <ul>{ for later.iter().map(|a| item(a, true)) }</ul>
                </details>
            }
        </div>
    }
}
