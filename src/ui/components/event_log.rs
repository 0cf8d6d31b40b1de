use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::session::EventFilter;
use crate::ui::format;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, SessionHandle};
use crate::view::EventLine;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub session: SessionHandle,
    pub lang: Lang,
    pub filter: EventFilter,
    pub step: u64,
    pub on_action: Callback<Action>,
}

/// Lines shown around the cursor.
const LINES: usize = 40;

/// The event log: one line per step around the cursor (or the matches of a filter nearest
/// to it). Click a line to jump to that step; the current step is highlighted.
#[function_component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    let l = p.lang;
    let list_ref = use_node_ref();
    let lines = p.session.with(|s| s.search_events(&p.filter, l, p.step.max(1), LINES)).unwrap_or_default();
    {
        // Keep the current step in view inside the list (not the page).
        let list_ref = list_ref.clone();
        let first = lines.first().map(|l| l.step);
        use_effect_with((p.step, first, lines.len()), move |_| {
            // Read positions in the next animation frame, when the browser lays the page
            // out anyway: reading them now would force an extra layout on every step.
            let scroll = Closure::once_into_js(move || {
                if let Some(list) = list_ref.cast::<HtmlElement>() {
                    if let Ok(Some(cur)) = list.query_selector(".cur") {
                        if let Ok(cur) = cur.dyn_into::<HtmlElement>() {
                            let top = cur.offset_top() - list.client_height() / 2;
                            list.set_scroll_top(top.max(0));
                        }
                    }
                }
            });
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(scroll.unchecked_ref());
            }
        });
    }
    let on_text = {
        let f = p.filter.clone();
        let cb = p.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            cb.emit(Action::SetFilter(EventFilter { text: i.value(), ..f.clone() }));
        })
    };
    let notable = {
        let f = p.filter.clone();
        let cb = p.on_action.clone();
        Callback::from(move |_: Event| {
            cb.emit(Action::SetFilter(EventFilter { notable_only: !f.notable_only, ..f.clone() }))
        })
    };
    html! {
        <div class="hw-events">
            <div class="hw-filter">
                <label class="hw-field grow"><span>{ t(l, K::Filter) }</span>
                    <input type="search" data-testid="event-filter" placeholder={t(l, K::FilterPlaceholder)} value={p.filter.text.clone()} oninput={on_text} /></label>
                { category_check(p, "deliver", K::Messages) }
                { category_check(p, "drop", K::Drops) }
                { category_check(p, "timer", K::Timers) }
                { category_check(p, "action", K::UserActions) }
                <label class={classes!("hw-check", p.filter.notable_only.then_some("on"))}>
                    <input type="checkbox" checked={p.filter.notable_only} onchange={notable} data-testid="filter-notable" />{ t(l, K::NotableOnly) }</label>
            </div>
            <ol class="hw-event-list" ref={list_ref} data-testid="event-log">
                if lines.is_empty() { <li class="hw-empty">{ t(l, K::NoEvents) }</li> }
                { for lines.iter().map(|e| event_line(p, e)) }
            </ol>
        </div>
    }
}

/// A checkbox that shows or hides one category of events.
fn category_check(p: &EventLogProps, name: &'static str, key: K) -> Html {
    let l = p.lang;
    let on = p.filter.categories.iter().any(|c| c == name);
    let f = p.filter.clone();
    let cb = p.on_action.clone();
    html! {
        <label class={classes!("hw-check", on.then_some("on"))}>
            <input type="checkbox" checked={on} data-testid={format!("filter-{name}")}
                onchange={Callback::from(move |_: Event| {
                    let mut f = f.clone();
                    if let Some(i) = f.categories.iter().position(|c| c == name) { f.categories.remove(i); } else { f.categories.push(name.to_string()); }
                    cb.emit(Action::SetFilter(f));
                })} />
            { t(l, key) }
        </label>
    }
}

/// One line of the log: a button that jumps to its step.
fn event_line(p: &EventLogProps, e: &EventLine) -> Html {
    let l = p.lang;
    let step = e.step;
    let cb = p.on_action.clone();
    html! {
        <li key={e.step} class={classes!(format!("cat-{}", e.category), (e.step == p.step).then_some("cur"), e.notable.then_some("notable"))}>
            <button data-testid="event" data-step={e.step.to_string()} title={format!("{} {}", t(l, K::JumpTo), e.step)}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::Seek(step)))}>
                <span class="hw-ev-step">{ format!("#{}", e.step) }</span>
                <span class="hw-ev-time">{ format::sim_time(e.time_ms) }</span>
                <span class="hw-ev-icon" aria-hidden="true">{ icon(e.category) }</span>
                <span class="hw-ev-text">{ e.text.clone() }</span>
            </button>
        </li>
    }
}

fn icon(c: &str) -> &'static str {
    match c {
        "deliver" => "→",
        "drop" => "✕",
        "timer" => "◷",
        _ => "▲",
    }
}
