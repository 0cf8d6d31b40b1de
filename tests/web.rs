//! In-browser tests (headless Chromium via wasm-bindgen-test-runner):
//!   HIGHWATER_EXPECTED_DIGEST=<hex> cargo test --target wasm32-unknown-unknown --features web --test web
//! `scripts/dev test` computes the expected digest with the native CLI first, so the
//! wasm32 engine is checked against the x86_64 one.
#![cfg(target_arch = "wasm32")]

use highwater::session::Session;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SCENARIO: &str = include_str!("../scenarios/acks1-leader-failure.json");
/// Guard against a scenario that never ends.
const MAX_STEPS: u64 = 10_000_000;

fn parse_hex_digest(raw: &str) -> Option<u64> {
    let token = raw.split_whitespace().last()?;
    let hex = token.trim_start_matches("0x").trim_start_matches("0X");
    u64::from_str_radix(hex, 16).ok()
}

#[wasm_bindgen_test]
fn digest_matches_native_run() {
    let raw = option_env!("HIGHWATER_EXPECTED_DIGEST").expect(
        "HIGHWATER_EXPECTED_DIGEST was not set when this test was compiled: \
         run `scripts/dev test`, which computes it with `highwater digest`",
    );
    let expected = parse_hex_digest(raw)
        .unwrap_or_else(|| panic!("HIGHWATER_EXPECTED_DIGEST={raw:?} is not a hex u64"));

    let mut session = Session::from_scenario_json(SCENARIO).expect("built-in scenario loads");
    let mut steps = 0u64;
    while session.step_forward() {
        steps += 1;
        assert!(steps < MAX_STEPS, "scenario did not finish within {MAX_STEPS} steps");
    }
    assert_eq!(
        format!("{:016x}", session.digest()),
        format!("{expected:016x}"),
        "wasm32 digest after {steps} steps differs from the native one"
    );
}

#[wasm_bindgen_test]
fn parse_hex_digest_accepts_cli_forms() {
    assert_eq!(parse_hex_digest("00000000000000ff"), Some(255));
    assert_eq!(parse_hex_digest("0xFF\n"), Some(255));
    assert_eq!(parse_hex_digest("digest: 1a"), Some(26));
    assert_eq!(parse_hex_digest("zz"), None);
}

#[cfg(feature = "web")]
mod ui {
    use std::time::Duration;

    use highwater::ui::state::{Action, AppState};
    use highwater::ui::App;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;
    use web_sys::{Element, HtmlElement};
    use yew::Reducible;

    async fn settle() {
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }

    fn text(root: &Element, testid: &str) -> String {
        root.query_selector(&format!("[data-testid=\"{testid}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
            .text_content()
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    fn click(root: &Element, testid: &str) {
        root.query_selector(&format!("[data-testid=\"{testid}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
            .dyn_into::<HtmlElement>()
            .unwrap()
            .click();
    }

    #[wasm_bindgen_test]
    async fn app_mounts_shows_step_and_steps() {
        let document = gloo::utils::document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = yew::Renderer::<App>::with_root(root.clone()).render();
        settle().await;

        assert_eq!(root.query_selector("h1").unwrap().unwrap().text_content().unwrap(), "Highwater");
        assert_eq!(text(&root, "step"), "0");

        click(&root, "step-forward");
        settle().await;
        assert_eq!(text(&root, "step"), "1");

        click(&root, "back");
        settle().await;
        assert_eq!(text(&root, "step"), "0");

        handle.destroy();
        root.remove();
    }

    #[wasm_bindgen_test]
    fn reducer_survives_bad_scenario_and_back_at_zero() {
        let state = std::rc::Rc::new(AppState::load("garbage", "this is not json {"));
        let state = state.reduce(Action::StepForward).reduce(Action::StepBack).reduce(Action::TogglePlay);
        if !state.has_session() {
            assert!(state.error.is_some(), "a scenario that fails to load shows an error");
            assert!(!state.playing);
        }

        let state = std::rc::Rc::new(AppState::builtin()).reduce(Action::StepBack);
        assert_eq!(state.view.step, 0, "Back at step 0 stays at 0");
        let state = state.reduce(Action::StepForward);
        assert!(state.view.step >= 1 || state.at_end);
    }
}
