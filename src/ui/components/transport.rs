use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, SIM_SPEEDS, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub lang: Lang,
    pub playing: bool,
    pub can_back: bool,
    pub can_forward: bool,
    pub step: u64,
    pub horizon: u64,
    pub finished: bool,
    /// The livelock bound stopped the run at its last step.
    pub stopped: bool,
    /// Computing ahead stopped at the memory budget.
    pub cut: bool,
    pub time_ms: u64,
    pub speed: usize,
    pub on_action: Callback<Action>,
}

/// Play/pause, step, back, marker jumps, speed, and where we are. Every button shows its key.
#[function_component(Transport)]
pub fn transport(p: &TransportProps) -> Html {
    let l = p.lang;
    let send = |a: Action| {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_speed = {
        let cb = p.on_action.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = sel.value().parse::<usize>() {
                cb.emit(Action::SetSpeed(i));
            }
        })
    };
    let (play_icon, play_label, play_title) = if p.playing {
        ("❚❚", t(l, K::Pause), format!("{} ({})", t(l, K::Pause), t(l, K::SpaceKey)))
    } else {
        ("▶", t(l, K::Play), format!("{} ({})", t(l, K::Play), t(l, K::SpaceKey)))
    };
    html! {
        <div class="hw-transport" role="toolbar" aria-label={t(l, K::Timeline)}>
            <div class="hw-buttons">
                <button class="hw-btn hw-icon-btn" data-testid="prev-marker" aria-label={t(l, K::PrevMarker)}
                    title={format!("{} (Shift+←)", t(l, K::PrevMarker))} onclick={send(Action::JumpMarker(-1))}>{ "◂◆" }</button>
                <button class="hw-btn" data-testid="back" title={format!("{} (←)", t(l, K::StepBack))}
                    disabled={!p.can_back} onclick={send(Action::StepBack)}>
                    <span aria-hidden="true">{ "◀ " }</span>{ t(l, K::StepBack) }<kbd>{ "←" }</kbd>
                </button>
                <button class={classes!("hw-btn", "hw-primary", p.playing.then_some("is-playing"))} data-testid="play"
                    title={play_title} aria-pressed={p.playing.to_string()}
                    disabled={!p.playing && !p.can_forward} onclick={send(Action::TogglePlay)}>
                    <span aria-hidden="true">{ play_icon }{ " " }</span>{ play_label }<kbd>{ t(l, K::SpaceKey) }</kbd>
                </button>
                <button class="hw-btn" data-testid="step-forward" title={format!("{} (→)", t(l, K::StepForward))}
                    disabled={!p.can_forward} onclick={send(Action::StepForward)}>
                    { t(l, K::StepForward) }<span aria-hidden="true">{ " ▶" }</span><kbd>{ "→" }</kbd>
                </button>
                <button class="hw-btn hw-icon-btn" data-testid="next-marker" aria-label={t(l, K::NextMarker)}
                    title={format!("{} (Shift+→)", t(l, K::NextMarker))} onclick={send(Action::JumpMarker(1))}>{ "◆▸" }</button>
                <label class="hw-speed">
                    <span>{ t(l, K::Speed) }</span>
                    <select data-testid="speed" onchange={on_speed} aria-label={t(l, K::Speed)}>
                        { for SPEEDS.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={i == p.speed}>{ format!("{s} {}", t(l, K::StepsPerSecond)) }</option>
                        }) }
                        { for SIM_SPEEDS.iter().enumerate().map(|(j, f)| {
                            let i = SPEEDS.len() + j;
                            html! { <option value={i.to_string()} selected={i == p.speed}>{ format!("{f}× {}", t(l, K::RealTime)) }</option> }
                        }) }
                    </select>
                </label>
            </div>
            <dl class="hw-clock">
                <div>
                    <dt>{ t(l, K::Step) }</dt>
                    <dd><span id="step" data-testid="step">{ p.step }</span>
                        <span class="hw-of">{ format!(" {} {}", t(l, K::Of), format::count(p.horizon)) }
                            if p.cut { <span class="hw-stopped-tag" data-testid="cut-tag">{ format!(" (✂ {})", t(l, K::CutTag)) }</span> }
                            else if !p.finished { { format!(" ({})", t(l, K::Computing)) } }
                            if p.stopped { <span class="hw-stopped-tag" data-testid="stopped-tag">{ format!(" (⛔ {})", t(l, K::StoppedTag)) }</span> }
                        </span>
                    </dd>
                </div>
                <div>
                    <dt>{ t(l, K::SimTime) }</dt>
                    <dd id="time" data-testid="time">{ format::sim_time(p.time_ms) }</dd>
                </div>
            </dl>
        </div>
    }
}
