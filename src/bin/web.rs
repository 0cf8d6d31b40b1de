//! The browser entry point: `trunk build` compiles this to wasm and mounts [`highwater::ui::App`].

#[cfg(target_arch = "wasm32")]
fn main() {
    std::panic::set_hook(Box::new(show_panic));
    highwater::ui::start();
}

/// Puts a panic message on the page (in `#fatal`) instead of failing silently.
#[cfg(target_arch = "wasm32")]
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let document = gloo::utils::document();
    if let Some(el) = document.get_element_by_id("fatal") {
        el.set_text_content(Some(&format!("Highwater crashed: {info}. Reload the page to start again.")));
        let _ = el.remove_attribute("hidden");
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The `web` binary runs in the browser: build it with `trunk build --release` (see scripts/dev).");
    std::process::exit(2);
}
