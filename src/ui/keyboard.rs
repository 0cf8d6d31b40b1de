//! Global keyboard shortcuts: Space play/pause, Right/Left step, Shift+Right/Left jump
//! between markers, Home/End the first and last computed step, `?` the help, Escape
//! closes a menu.
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::Callback;

use super::state::Action;

/// Which action a key press means, if any.
pub fn action_for_key(key: &str, shift: bool) -> Option<Action> {
    match (key, shift) {
        (" " | "Spacebar", _) => Some(Action::TogglePlay),
        ("ArrowRight", false) => Some(Action::StepForward),
        ("ArrowLeft", false) => Some(Action::StepBack),
        ("ArrowRight", true) => Some(Action::JumpMarker(1)),
        ("ArrowLeft", true) => Some(Action::JumpMarker(-1)),
        ("Home", _) => Some(Action::Seek(0)),
        ("End", _) => Some(Action::SeekEnd),
        ("?", _) => Some(Action::ToggleHelp),
        ("Escape", _) => Some(Action::Select(None)),
        _ => None,
    }
}

/// Listens on `window` for shortcut keys until the returned listener is dropped.
pub fn listen(on_action: Callback<Action>) -> EventListener {
    let window = gloo::utils::window();
    EventListener::new_with_options(&window, "keydown", EventListenerOptions::enable_prevent_default(), move |event| {
        let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_into_field(event) {
            return;
        }
        let Some(action) = action_for_key(&event.key(), event.shift_key()) else {
            return;
        };
        // Space would also scroll the page or click the focused button.
        event.prevent_default();
        if action == Action::TogglePlay && event.repeat() {
            return;
        }
        on_action.emit(action);
    })
}

fn typing_into_field(event: &KeyboardEvent) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    let tag = target.tag_name().to_ascii_lowercase();
    // A range input (the scrubber) keeps the arrows for the page's shortcuts.
    if tag == "input" && target.get_attribute("type").as_deref() == Some("range") {
        return false;
    }
    matches!(tag.as_str(), "input" | "textarea" | "select") || target.has_attribute("contenteditable")
}
