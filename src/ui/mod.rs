//! The browser UI (Yew, client-side rendering). Built only with the `web` feature.
//!
//! All state lives in one reducer ([`state::AppState`]); components are small and take
//! plain view data plus callbacks. The engine is reached only through
//! [`crate::session::Session`] and the view models in [`crate::view`]. See docs/ui.md.
pub mod app;
pub mod components;
pub mod dom;
pub mod format;
pub mod heap;
pub mod i18n;
pub mod keyboard;
pub mod labels;
pub mod layout;
pub mod layout_rmq;
pub mod routes;
pub mod scenarios;
pub mod state;
pub mod url;

pub use app::App;

/// Mounts [`App`] into `#app` (or `<body>` when there is no such element).
pub fn start() {
    let document = gloo::utils::document();
    match document.get_element_by_id("app") {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
