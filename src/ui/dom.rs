//! Small browser helpers: local storage, the URL fragment, downloads, the clipboard.
use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::{JsCast, JsValue};

pub fn load_pref(key: &str) -> Option<String> {
    LocalStorage::get::<String>(key).ok()
}

pub fn save_pref(key: &str, value: &str) {
    let _ = LocalStorage::set(key, value);
}

pub fn remove_pref(key: &str) {
    LocalStorage::delete(key);
}

/// The fragment of the address, without `#`.
pub fn fragment() -> String {
    gloo::utils::window().location().hash().unwrap_or_default().trim_start_matches('#').to_string()
}

/// Show `fragment` in the address bar without reloading. A new scenario, setting or list of
/// hand-made actions adds a history entry, so the browser's Back undoes it and Forward redoes
/// it (the `hashchange` listener loads the link); moving the cursor replaces the entry.
pub fn set_fragment(fragment: &str) {
    let window = gloo::utils::window();
    let current = window.location().hash().unwrap_or_default();
    let current = current.trim_start_matches('#');
    if current == fragment {
        return;
    }
    let url = format!("#{fragment}");
    if let Ok(history) = window.history() {
        let _ = if crate::ui::url::is_new_history_entry(current, fragment) {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

pub fn full_url() -> String {
    gloo::utils::window().location().href().unwrap_or_default()
}

/// Let the user save `text` as `name`.
pub fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &props) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let document = gloo::utils::document();
    if let Ok(a) = document.create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Try to copy `text` to the clipboard (navigator.clipboard.writeText); true if the API exists.
pub fn copy_to_clipboard(text: &str) -> bool {
    let window = gloo::utils::window();
    let Ok(nav) = js_sys::Reflect::get(&window, &JsValue::from_str("navigator")) else { return false };
    let Ok(clip) = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard")) else { return false };
    if clip.is_undefined() || clip.is_null() {
        return false;
    }
    let Ok(f) = js_sys::Reflect::get(&clip, &JsValue::from_str("writeText")) else { return false };
    let Ok(f) = f.dyn_into::<js_sys::Function>() else { return false };
    f.call1(&clip, &JsValue::from_str(text)).is_ok()
}

/// Set an attribute on `<html>` (lang, theme).
pub fn set_root_attr(name: &str, value: &str) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute(name, value);
    }
}

/// The user's preferred colour scheme.
pub fn prefers_dark() -> bool {
    gloo::utils::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// The browser's language starts with "zh".
pub fn browser_prefers_chinese() -> bool {
    gloo::utils::window().navigator().language().is_some_and(|l| l.starts_with("zh"))
}
