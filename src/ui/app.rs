use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::file::callbacks::FileReader;
use gloo::timers::callback::{Interval, Timeout};
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::ui::components::legend::Legend;
use crate::ui::components::{Banner, Panels, Stage, StartScreen, TimelineBar, TopBar, Transport};
use crate::ui::dom;
use crate::ui::format;
use crate::ui::i18n::{t, tf, Lang, K};
use crate::ui::keyboard;
use crate::ui::state::{Action, AppState, Screen, SessionHandle, Theme, SPEEDS};

/// Where the preferences are remembered.
const PREF_LANG: &str = "highwater.lang";
const PREF_THEME: &str = "highwater.theme";
const PREF_HELP: &str = "highwater.help-dismissed";
/// Set by index.html when the page ran out of memory.
const PREF_CRASHED: &str = "highwater.crashed";

/// The state at start-up: remembered preferences, then the link in the address bar.
fn initial_state() -> AppState {
    let lang = dom::load_pref(PREF_LANG).and_then(|c| Lang::from_code(&c));
    let theme = match dom::load_pref(PREF_THEME).as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ if dom::prefers_dark() => Theme::Dark,
        _ => Theme::Light,
    };
    let width = gloo::utils::window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1200.0);
    let s = AppState {
        lang: lang.unwrap_or(if dom::browser_prefers_chinese() { Lang::Zh } else { Lang::En }),
        theme,
        help_dismissed: dom::load_pref(PREF_HELP).as_deref() == Some("1"),
        width: (width - 48.0).max(600.0),
        ..AppState::default()
    };
    let fragment = dom::fragment();
    // The last visit ran out of memory (index.html's handler noted it): do not open the same
    // link again, or a reload would crash again; start on the start screen and say why.
    if dom::load_pref(PREF_CRASHED).is_some() {
        dom::remove_pref(PREF_CRASHED);
        if !fragment.is_empty() {
            dom::set_fragment("");
            return AppState { notice: Some(t(s.lang, K::NotReopened).to_string()), ..s };
        }
    }
    if !fragment.is_empty() {
        let rc = Rc::new(s);
        return (*yew::Reducible::reduce(rc, Action::LoadFragment(fragment))).clone();
    }
    s
}

/// The whole app: one reducer, the effects around it (autoplay, background computing,
/// keyboard, the URL, preferences, the picture's width), and the layout.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    // One callback for the app's lifetime, so components whose props did not change are
    // not re-rendered (a new Callback each render would compare unequal).
    let dispatch = {
        let d = state.dispatcher();
        use_callback((), move |a: Action, _| d.dispatch(a))
    };
    use_autoplay(&state);
    use_compute_ahead(&state);
    use_keys_and_address(&state);
    use_fragment_sync(&state);
    use_prefs(&state);
    // The picture's width follows the window.
    let stage_ref = use_node_ref();
    use_stage_width(&state, &stage_ref);

    // Import: a hidden file input; the reader must live until it has read the file.
    let file_ref = use_node_ref();
    let reader: Rc<RefCell<Option<FileReader>>> = use_mut_ref(|| None);
    let on_import_click = import_click(&file_ref);
    let on_file = file_picked(&state, &reader);
    let on_export = export(&state);
    let on_share = share(&state);

    let l = state.lang;
    let title = (!state.title.0.is_empty())
        .then(|| AttrValue::from(if l == Lang::Zh { state.title.1.clone() } else { state.title.0.clone() }));
    let top = html! {
        <TopBar lang={l} theme={state.theme} presenter={state.presenter} screen={state.screen} title={title}
            has_session={state.session.is_some()} on_action={dispatch.clone()} on_share={on_share}
            on_export={on_export} on_import={on_import_click.clone()} />
    };
    let banner = html! {
        <Banner error={state.error.clone().map(AttrValue::from)} notice={state.notice.clone().map(AttrValue::from)} lang={l}
            on_dismiss_error={dispatch.reform(|()| Action::DismissError)} on_dismiss_notice={dispatch.reform(|()| Action::DismissNotice)} />
    };
    let file_input = html! {
        <input type="file" accept=".json,application/json" ref={file_ref} onchange={on_file} hidden=true data-testid="file-input" aria-hidden="true" />
    };
    let classes = classes!(
        "hw-app",
        state.presenter.then_some("presenter"),
        if state.theme == Theme::Dark { "theme-dark" } else { "theme-light" }
    );

    let body = match (&state.session, state.screen) {
        (Some(session), Screen::Lab) => lab(&state, session, &dispatch, &stage_ref),
        _ => html! { <StartScreen lang={l} on_action={dispatch.clone()} on_import={on_import_click.clone()} /> },
    };
    html! {
        <div class={classes} data-playing={state.playing.to_string()} data-lang={l.code()} data-view-ms={format!("{:.2}", state.view_ms)} data-seek-ms={format!("{:.2}", state.seek_ms)}>
            { top }
            { banner }
            { file_input }
            { body }
            { patterns() }
        </div>
    }
}

/// Autoplay: an Interval lives exactly as long as playing, at the chosen speed.
#[hook]
fn use_autoplay(state: &UseReducerHandle<AppState>) {
    let d = state.dispatcher();
    use_effect_with((state.playing, state.speed), move |(playing, speed)| {
        let ms = match SPEEDS.get(*speed) {
            Some(s) => (1000.0 / s).max(1000.0 / 60.0) as u32,
            None => (1000.0 / crate::ui::state::SIM_TICKS_PER_S) as u32,
        };
        let interval = playing.then(|| Interval::new(ms, move || d.dispatch(Action::Tick)));
        move || drop(interval)
    });
}

/// Compute the rest of the run in chunks, between frames, so the scrubber knows its end.
#[hook]
fn use_compute_ahead(state: &UseReducerHandle<AppState>) {
    let d = state.dispatcher();
    let busy = state.session.is_some() && !state.finished && state.cut.is_none();
    use_effect_with((busy, state.horizon), move |(busy, _)| {
        let timeout = busy.then(|| Timeout::new(0, move || d.dispatch(Action::ComputeMore)));
        move || drop(timeout)
    });
}

/// Keyboard shortcuts and the address bar's changes.
#[hook]
fn use_keys_and_address(state: &UseReducerHandle<AppState>) {
    let d = state.dispatcher();
    use_effect_with((), move |_| {
        let keys = keyboard::listen(Callback::from({
            let d = d.clone();
            move |a| d.dispatch(a)
        }));
        let hash = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
            d.dispatch(Action::LoadFragment(dom::fragment()))
        });
        move || drop((keys, hash))
    });
}

/// The link reproduces the view: keep it current (not while playing).
#[hook]
fn use_fragment_sync(state: &UseReducerHandle<AppState>) {
    let fragment = if state.playing || state.screen != Screen::Lab { None } else { state.fragment() };
    use_effect_with(fragment, |f| {
        if let Some(f) = f {
            dom::set_fragment(f);
        }
    });
}

/// Remember the language and theme; tell the page.
#[hook]
fn use_prefs(state: &UseReducerHandle<AppState>) {
    use_effect_with((state.lang, state.theme, state.presenter), |(lang, theme, presenter)| {
        dom::save_pref(PREF_LANG, lang.code());
        dom::set_root_attr("lang", lang.html());
        let th = if *theme == Theme::Dark { "dark" } else { "light" };
        dom::save_pref(PREF_THEME, th);
        dom::set_root_attr("data-theme", th);
        dom::set_root_attr("data-presenter", if *presenter { "on" } else { "off" });
    });
    // A lesson opens at the top of the page, wherever the start screen was scrolled to.
    use_effect_with(state.screen, |_| gloo::utils::window().scroll_to_with_x_and_y(0.0, 0.0));
    use_effect_with(state.help_dismissed, |d| {
        if *d {
            dom::save_pref(PREF_HELP, "1");
        } else {
            dom::remove_pref(PREF_HELP);
        }
    });
}

/// The picture's width follows the window; so does the height left for it below the
/// narration (presenter mode fits the picture in it), measured again when presenter mode
/// changes what is above it.
#[hook]
fn use_stage_width(state: &UseReducerHandle<AppState>, stage_ref: &NodeRef) {
    let d = state.dispatcher();
    let stage_ref = stage_ref.clone();
    // The narration's text too (a longer one can take another line), and the notice and
    // error banners: each can push the picture down.
    let above = (state.view.narration.clone(), state.notice.is_some(), state.error.is_some(), state.stopped.is_some());
    use_effect_with((state.screen, state.presenter, above), move |_| {
        let measure = {
            let stage_ref = stage_ref.clone();
            let d = d.clone();
            move || {
                if let Some(el) = stage_ref.cast::<HtmlElement>() {
                    let w = el.client_width() as f64;
                    if w > 0.0 {
                        d.dispatch(Action::SetWidth(w));
                    }
                    let window = gloo::utils::window();
                    let top = el.get_bounding_client_rect().top() + window.scroll_y().unwrap_or(0.0);
                    let height = window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
                    d.dispatch(Action::SetRoom((height - top - 8.0).max(200.0)));
                }
            }
        };
        measure();
        let listener = EventListener::new(&gloo::utils::window(), "resize", move |_| measure());
        move || drop(listener)
    });
}

fn import_click(file_ref: &NodeRef) -> Callback<()> {
    let file_ref = file_ref.clone();
    Callback::from(move |()| {
        if let Some(input) = file_ref.cast::<HtmlInputElement>() {
            input.set_value("");
            input.click();
        }
    })
}

fn file_picked(state: &UseReducerHandle<AppState>, reader: &Rc<RefCell<Option<FileReader>>>) -> Callback<Event> {
    let d = state.dispatcher();
    let reader = reader.clone();
    let lang = state.lang;
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let name = file.name();
        let file = gloo::file::File::from(file);
        let d = d.clone();
        let task = gloo::file::callbacks::read_as_text(&file, move |res| match res {
            Ok(text) => d.dispatch(Action::Import { name, text }),
            Err(e) => d.dispatch(Action::ShowError(format!("{}: {e}", t(lang, K::ErrFile)))),
        });
        *reader.borrow_mut() = Some(task);
    })
}

fn export(state: &UseReducerHandle<AppState>) -> Callback<()> {
    let state = state.clone();
    Callback::from(move |()| {
        if let Some(h) = &state.session {
            if let Some((name, json)) =
                h.with(|s| (format!("{}.json", s.scenario().id), crate::ui::state::export_json(&s.scenario_to_save())))
            {
                dom::download(&name, &json);
            }
        }
    })
}

fn share(state: &UseReducerHandle<AppState>) -> Callback<()> {
    let d = state.dispatcher();
    let state = state.clone();
    Callback::from(move |()| {
        if let Some(f) = state.fragment() {
            dom::set_fragment(&f);
        }
        let url = dom::full_url();
        let copied = dom::copy_to_clipboard(&url);
        let msg = if copied {
            format!("{} {url}", t(state.lang, K::LinkCopied))
        } else {
            format!("{} {url}", t(state.lang, K::LinkReady))
        };
        d.dispatch(Action::Notice(msg));
    })
}

/// The lab: transport, timeline, narration, the picture, the legend and the panels.
fn lab(state: &AppState, session: &SessionHandle, dispatch: &Callback<Action>, stage_ref: &NodeRef) -> Html {
    let l = state.lang;
    let v = state.view.clone();
    let speed = SPEEDS[state.speed];
    let glide = ((1000.0 / speed) as u32).clamp(60, 450);
    let description = if l == Lang::Zh { state.description.1.clone() } else { state.description.0.clone() };
    let narration = v.narration.clone().or((!description.is_empty()).then_some(description));
    let event_text = v.event.as_ref().map(|e| e.text.clone());
    let help = (!state.help_dismissed && !state.presenter).then(|| html! {
        <ol class="hw-howto compact" data-testid="help">
            <li><span>{ "1" }</span>{ t(l, K::HowTo1) }</li>
            <li><span>{ "2" }</span>{ t(l, K::HowTo2) }</li>
            <li><span>{ "3" }</span>{ t(l, K::HowTo3) }</li>
            <button class="hw-x" aria-label={t(l, K::Dismiss)} onclick={dispatch.reform(|_: MouseEvent| Action::DismissHelp)}>{ "×" }</button>
        </ol>
    });
    html! {
        // The live heap, for the browser tests that check the page stays within its budget.
        <main class="hw-lab" data-heap-bytes={crate::ui::heap::live_bytes().to_string()} data-memory-budget={state.memory_budget.to_string()}>
            <div class="hw-controls-area">
                <Transport lang={l} playing={state.playing} can_back={state.can_step_back()} can_forward={state.can_step_forward()}
                    step={v.step} horizon={state.horizon} finished={state.finished} stopped={state.stopped.is_some()} cut={state.cut.is_some()} time_ms={v.time_ms} speed={state.speed}
                    on_action={dispatch.clone()} />
                <TimelineBar lang={l} step={v.step} horizon={state.horizon} markers={state.markers.clone()} on_action={dispatch.clone()} />
                <p class="hw-keys">{ t(l, K::KeysHint) }</p>
            </div>
            { stopped_status(state) }
            { cut_status(state) }
            { thinned_status(state) }
            { for help }
            <div class={classes!("hw-narration", v.off_script.is_some().then_some("off-script"))} data-testid="narration" aria-live="polite">
                <span class="hw-narration-label">{ t(l, K::Narration) }</span>
                if v.off_script.is_some() {
                    <span class="hw-off-script" data-testid="off-script" title={t(l, K::OffScriptHint)}>{ "⚠ " }{ t(l, K::OffScript) }</span>
                }
                <p>{ narration.unwrap_or_default() }
                    if state.at_end { <span class="hw-end">{ " " }{ t(l, if state.stopped.is_some() { K::StoppedShort } else { K::EndOfRun }) }</span> }</p>
            </div>
            <p class="hw-step-caption" data-testid="step-caption">
                if let Some(text) = event_text {
                    <span class="hw-muted">{ format!("#{} · ", v.step) }</span>{ text }
                }
            </p>
            <div class="hw-stage-wrap" ref={stage_ref}>
                <Stage view={v.clone()} lang={l} width={state.width} scale={if state.presenter { crate::ui::layout::presenter_scale(state.width, &v) } else { 1.0 }}
                    large={state.large} expanded={state.expanded.clone()} show_internal={state.show_internal}
                    selection={state.selection.clone()} inspected={state.inspected.clone()} glide_ms={glide}
                    on_action={dispatch.clone()} fit_height={state.presenter.then_some(state.room)} />
            </div>
            if state.large {
                <p class="hw-muted hw-large-hint">{ t(l, K::LargeClusterNote) }</p>
            }
            <Legend lang={l} transactions={crate::ui::layout::has_transactions(&v)} flush={crate::ui::layout::has_flush(&v)} rocketmq={v.rocketmq.is_some()} />
            if !state.presenter {
                <Panels panel={state.panel} lang={l} session={session.clone()} view={v.clone()} filter={state.filter.clone()} on_action={dispatch.clone()} />
            }
        </main>
    }
}

/// A run the livelock bound stopped says so plainly, with a stop sign (a shape, not only
/// the colour), wherever the cursor is: it ended early and has no verdict.
fn stopped_status(state: &AppState) -> Html {
    let Some(st) = state.stopped else { return html! {} };
    let l = state.lang;
    let text = tf(
        l,
        K::StoppedLivelock,
        &[&format::count(st.step), &format::sim_time(st.time_ms), &format::count(st.steps_at_one_instant)],
    );
    html! {
        <div class="hw-stopped" role="status" data-testid="stopped" data-step={st.step.to_string()} data-time-ms={st.time_ms.to_string()}>
            <span class="hw-banner-icon" aria-hidden="true">{ "⛔" }</span>
            <span>{ text }</span>
        </div>
    }
}

/// A run cut at the memory budget says where, and why (a scissors sign and the dashed
/// border, not the colour alone).
fn cut_status(state: &AppState) -> Html {
    let Some(cut) = state.cut else { return html! {} };
    let mib = |b: u64| b >> 20;
    let text = tf(
        state.lang,
        K::CutMemory,
        &[&format::count(cut.step), &format::count(mib(cut.bytes)), &format::count(mib(state.memory_budget))],
    );
    html! {
        <div class="hw-stopped hw-cut" role="status" data-testid="cut" data-step={cut.step.to_string()}>
            <span class="hw-banner-icon" aria-hidden="true">{ "✂" }</span>
            <span>{ text }</span>
        </div>
    }
}

/// History kept within the budget by thinning checkpoints: said once, quietly (an info sign).
fn thinned_status(state: &AppState) -> Html {
    let Some(spacing) = state.thinned else { return html! {} };
    let text = tf(state.lang, K::HistoryThinned, &[&format::count(state.memory_budget >> 20), &format::count(spacing)]);
    html! {
        <div class="hw-thinned" role="status" data-testid="thinned" data-spacing={spacing.to_string()}>
            <span class="hw-banner-icon" aria-hidden="true">{ "ℹ" }</span>
            <span>{ text }</span>
        </div>
    }
}

/// Fills shared by every strip (committed = solid, not yet committed = stripes,
/// truncated = cross-hatch, aborted = grey hatching), defined once; colours come from the theme's CSS variables.
fn patterns() -> Html {
    html! {
        <svg class="hw-defs" width="0" height="0" aria-hidden="true" focusable="false">
            <defs>
                <pattern id="hw-pat-uncommitted" patternUnits="userSpaceOnUse" width="7" height="7" patternTransform="rotate(45)">
                    <rect class="pat-bg uncommitted" width="7" height="7" />
                    <rect class="pat-fg uncommitted" width="3" height="7" />
                </pattern>
                <pattern id="hw-pat-truncated" patternUnits="userSpaceOnUse" width="6" height="6">
                    <rect class="pat-bg truncated" width="6" height="6" />
                    <path class="pat-line truncated" d="M0 0 L6 6 M6 0 L0 6" />
                </pattern>
                <pattern id="hw-pat-dirty" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
                    <rect class="pat-bg dirty" width="6" height="6" />
                    <rect class="pat-fg dirty" width="2.5" height="6" />
                </pattern>
                <pattern id="hw-pat-aborted" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(-45)">
                    <rect class="pat-bg aborted" width="5" height="5" />
                    <rect class="pat-fg aborted" width="1.6" height="5" />
                </pattern>
            </defs>
        </svg>
    }
}
