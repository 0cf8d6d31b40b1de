use yew::prelude::*;

use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub can_back: bool,
    pub can_forward: bool,
    pub on_action: Callback<Action>,
}

/// Back, Play/Pause and Step buttons.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let send = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let (play_label, play_title) = if props.playing {
        ("⏸ Pause", "Pause (Space)")
    } else {
        ("▶ Play", "Play (Space)")
    };
    html! {
        <nav class="hw-controls" aria-label="Playback">
            <button id="btn-back" data-testid="back" title="Step back (←)"
                disabled={!props.can_back} onclick={send(Action::StepBack)}>
                { "← Back" }
            </button>
            <button id="btn-play" data-testid="play" title={play_title}
                class={classes!("hw-primary", props.playing.then_some("is-playing"))}
                aria-pressed={props.playing.to_string()}
                disabled={!props.playing && !props.can_forward}
                onclick={send(Action::TogglePlay)}>
                { play_label }
            </button>
            <button id="btn-step" data-testid="step-forward" title="Step forward (→)"
                disabled={!props.can_forward} onclick={send(Action::StepForward)}>
                { "Step →" }
            </button>
            <span class="hw-hint">{ "Keys: Space play/pause · → step · ← back" }</span>
        </nav>
    }
}
