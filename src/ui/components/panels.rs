use std::rc::Rc;

use yew::prelude::*;

use crate::session::EventFilter;
use crate::ui::components::{
    anomalies::AnomalyList, event_log::EventLog, lag_chart::LagChart, partition_table::PartitionTable,
    settings::SettingsPanel,
};
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, Panel, SessionHandle};
use crate::view::ClusterView;

#[derive(Properties, PartialEq)]
pub struct PanelsProps {
    pub panel: Panel,
    pub lang: Lang,
    pub session: SessionHandle,
    pub view: Rc<ClusterView>,
    pub filter: EventFilter,
    pub on_action: Callback<Action>,
}

/// The secondary panels, as tabs: event log, anomalies, partitions, consumer lag, settings.
#[function_component(Panels)]
pub fn panels(p: &PanelsProps) -> Html {
    let l = p.lang;
    let visible = p.session.with(|s| s.anomaly_views().iter().filter(|a| !a.notice).count()).unwrap_or(0);
    // A RocketMQ run has no partitions, lag chart or Kafka settings: its tabs are hidden.
    let kafka = p.view.rocketmq.is_none();
    let shown = if kafka || matches!(p.panel, Panel::Events | Panel::Anomalies) { p.panel } else { Panel::Events };
    let tab = |panel: Panel, label: String, id: &'static str| {
        let cb = p.on_action.clone();
        let on = shown == panel;
        html! {
            <button role="tab" class={classes!("hw-tab", on.then_some("on"))} aria-selected={on.to_string()} data-testid={id}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::SetPanel(panel)))}>{ label }</button>
        }
    };
    let anomalies_label =
        if visible > 0 { format!("⚠ {} ({visible})", t(l, K::Anomalies)) } else { t(l, K::Anomalies).to_string() };
    html! {
        <section class="hw-panels">
            <div class="hw-tabs" role="tablist">
                { tab(Panel::Events, t(l, K::Events).to_string(), "tab-events") }
                { tab(Panel::Anomalies, anomalies_label, "tab-anomalies") }
                if kafka {
                    { tab(Panel::Partitions, t(l, K::PartitionsTab).to_string(), "tab-partitions") }
                    { tab(Panel::Lag, t(l, K::LagTab).to_string(), "tab-lag") }
                    { tab(Panel::Settings, t(l, K::Settings).to_string(), "tab-settings") }
                }
            </div>
            <div class="hw-tab-body" role="tabpanel">
                { match shown {
                    Panel::Events => html! { <EventLog session={p.session.clone()} lang={l} filter={p.filter.clone()} step={p.view.step} on_action={p.on_action.clone()} /> },
                    Panel::Anomalies => html! { <AnomalyList session={p.session.clone()} lang={l} step={p.view.step} on_action={p.on_action.clone()} /> },
                    Panel::Partitions => html! { <PartitionTable view={p.view.clone()} lang={l} /> },
                    Panel::Lag => html! { <LagChart session={p.session.clone()} lang={l} time_ms={p.view.time_ms} on_action={p.on_action.clone()} /> },
                    Panel::Settings => html! { <SettingsPanel session={p.session.clone()} lang={l} on_action={p.on_action.clone()} /> },
                } }
            </div>
        </section>
    }
}
