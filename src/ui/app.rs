use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::ui::components::{BrokerGrid, Controls, ErrorBanner, Header, PartitionTable};
use crate::ui::keyboard;
use crate::ui::state::{Action, AppState, PLAY_INTERVAL_MS};

/// The whole app: one reducer, autoplay timer, keyboard shortcuts, and the panels.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::builtin);

    // Autoplay: an Interval lives exactly as long as `playing` is true.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |playing| {
            let interval = playing
                .then(|| Interval::new(PLAY_INTERVAL_MS, move || dispatcher.dispatch(Action::Tick)));
            move || drop(interval)
        });
    }

    // Keyboard shortcuts for the lifetime of the app.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = keyboard::listen(Callback::from(move |a| dispatcher.dispatch(a)));
            move || drop(listener)
        });
    }

    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |a| dispatcher.dispatch(a))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::DismissError))
    };
    let view = &state.view;

    html! {
        <main class="hw-app" data-playing={state.playing.to_string()}>
            <Header scenario={state.scenario_name.clone()} step={view.step}
                time_ms={view.time_ms} controller={view.controller} />
            <ErrorBanner error={state.error.clone().map(AttrValue::from)} {on_dismiss} />
            <Controls playing={state.playing} can_back={state.can_step_back()}
                can_forward={state.can_step_forward()} {on_action} />
            <p class="hw-narration" data-testid="narration" aria-live="polite">
                { view.narration.clone().unwrap_or_default() }
                if state.at_end { <span class="hw-end">{ " End of scenario." }</span> }
            </p>
            <BrokerGrid brokers={view.brokers.clone()} />
            <PartitionTable partitions={view.partitions.clone()} />
        </main>
    }
}
