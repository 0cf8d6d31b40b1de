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
    let expected =
        parse_hex_digest(raw).unwrap_or_else(|| panic!("HIGHWATER_EXPECTED_DIGEST={raw:?} is not a hex u64"));

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

const ROCKETMQ_SCENARIO: &str = include_str!("../scenarios/rocketmq/master-returns-keeps-progress.json");

/// The RocketMQ model in wasm32 gives the native trace, bit for bit.
#[wasm_bindgen_test]
fn rocketmq_digest_matches_native_run() {
    let raw = option_env!("HIGHWATER_EXPECTED_DIGEST_ROCKETMQ")
        .expect("HIGHWATER_EXPECTED_DIGEST_ROCKETMQ was not set when this test was compiled: run `scripts/dev test`");
    let expected = parse_hex_digest(raw).unwrap_or_else(|| panic!("HIGHWATER_EXPECTED_DIGEST_ROCKETMQ={raw:?}"));
    let mut session = Session::from_scenario_json(ROCKETMQ_SCENARIO).expect("built-in scenario loads");
    let mut steps = 0u64;
    while session.step_forward() {
        steps += 1;
        assert!(steps < MAX_STEPS, "scenario did not finish within {MAX_STEPS} steps");
    }
    assert_eq!(format!("{:016x}", session.digest()), format!("{expected:016x}"), "RocketMQ wasm32 digest differs");
}

#[wasm_bindgen_test]
fn parse_hex_digest_accepts_cli_forms() {
    assert_eq!(parse_hex_digest("00000000000000ff"), Some(255));
    assert_eq!(parse_hex_digest("0xFF\n"), Some(255));
    assert_eq!(parse_hex_digest("digest: 1a"), Some(26));
    assert_eq!(parse_hex_digest("zz"), None);
}

/// Marker and internal record ids have bit 63 set: on wasm32 a `usize` cast would cut
/// them down and alias application records (two false `nonmonotonic-send` anomalies here
/// before `RecordId::index`).
#[wasm_bindgen_test]
fn internal_record_ids_do_not_alias_records_on_wasm32() {
    use highwater::session::Command;
    let mut s = Session::from_scenario_json(include_str!("../scenarios/transaction-read-committed.json"))
        .expect("lesson loads");
    s.seek(359);
    s.act(&Command::BeginTransaction("bank".into())).expect("begin");
    s.seek(360);
    s.act(&Command::Produce {
        producer: "bank".into(),
        topic: "payments".into(),
        key: None,
        count: 2,
        partition: None,
    })
    .expect("produce");
    s.seek(u64::MAX);
    let found: Vec<String> = s.anomalies().iter().map(|a| a.detail.clone()).collect();
    assert!(found.is_empty(), "{found:?}");
}

#[cfg(feature = "web")]
mod ui {
    use std::time::Duration;

    use highwater::ui::App;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;
    use web_sys::{Element, HtmlElement};

    async fn settle() {
        yew::platform::time::sleep(Duration::from_millis(30)).await;
    }

    fn find(root: &Element, testid: &str) -> Element {
        root.query_selector(&format!("[data-testid=\"{testid}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
    }

    fn text(root: &Element, testid: &str) -> String {
        find(root, testid).text_content().unwrap_or_default().trim().to_string()
    }

    fn click(root: &Element, testid: &str) {
        find(root, testid).dyn_into::<HtmlElement>().unwrap().click();
    }

    #[wasm_bindgen_test]
    async fn app_mounts_opens_a_lesson_and_steps() {
        let document = gloo::utils::document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = yew::Renderer::<App>::with_root(root.clone()).render();
        settle().await;

        assert_eq!(root.query_selector("h1").unwrap().unwrap().text_content().unwrap(), "Highwater");
        click(&root, "open-acks1-leader-failure");
        settle().await;
        assert_eq!(text(&root, "step"), "0");
        click(&root, "step-forward");
        settle().await;
        assert_eq!(text(&root, "step"), "1");
        click(&root, "back");
        settle().await;
        assert_eq!(text(&root, "step"), "0");
        assert_eq!(root.query_selector_all(".hw-broker").unwrap().length(), 3);

        handle.destroy();
        root.remove();
    }
}

/// The reducer, URL and layout tests, shared with the native suite (tests/ui_reducer.rs).
#[cfg(feature = "web")]
#[path = "ui_reducer.rs"]
mod ui_reducer;
