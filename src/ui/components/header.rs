use yew::prelude::*;

use crate::ui::format;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub scenario: AttrValue,
    pub step: u64,
    pub time_ms: u64,
    pub controller: Option<u32>,
}

/// Title, scenario name, and the current step and simulated time.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let controller = match props.controller {
        Some(id) => format!("broker {id}"),
        None => "none".to_string(),
    };
    html! {
        <header class="hw-header">
            <div class="hw-title">
                <h1>{ "Highwater" }</h1>
                <span class="hw-scenario" data-testid="scenario">{ props.scenario.clone() }</span>
            </div>
            <dl class="hw-clock">
                <div>
                    <dt>{ "Step" }</dt>
                    <dd id="step" data-testid="step">{ props.step }</dd>
                </div>
                <div>
                    <dt>{ "Sim time" }</dt>
                    <dd id="time" data-testid="time">{ format::sim_time(props.time_ms) }</dd>
                </div>
                <div>
                    <dt>{ "Controller" }</dt>
                    <dd data-testid="controller">{ controller }</dd>
                </div>
            </dl>
        </header>
    }
}
