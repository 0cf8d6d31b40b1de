//! The engine benchmark in a browser: simulated events per second on wasm32, to compare
//! with the native `cargo bench --bench engine` (same scenarios, same seeds, same digests).
//! A benchmark, not a test: it is `#[ignore]`d and only runs when asked:
//!   cargo test --release --target wasm32-unknown-unknown --test wasm_bench -- --include-ignored
#![cfg(target_arch = "wasm32")]

use highwater::scenario::Scenario;
use highwater::session::build_simulation;
use wasm_bindgen_test::*;

#[path = "../benches/support/workloads.rs"]
mod workloads;
use workloads::cluster;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn run(name: &str, s: &Scenario) {
    let (mut sim, _) = build_simulation(s, s.seed);
    let mut notes = Vec::new();
    let start = now_ms();
    loop {
        notes.clear();
        if sim.step(&mut notes).is_none() {
            break;
        }
    }
    let secs = (now_ms() - start) / 1e3;
    console_log!(
        "{name}: {} events in {secs:.3} s = {:.2} M events/s (digest {:016x})",
        sim.steps(),
        sim.steps() as f64 / secs / 1e6,
        sim.digest()
    );
}

#[wasm_bindgen_test]
#[ignore]
fn engine_events_per_second_in_the_browser() {
    // The first run warms up the browser's compiler tiers (Liftoff, then TurboFan).
    run("warm-up (small)", &cluster(3, 6, 10_000, 10, 5));
    run("small (3 brokers, 6 partitions, 10k records, 10 every 5 ms)", &cluster(3, 6, 10_000, 10, 5));
    run("large (9 brokers, 100 partitions, RF 3, 1M records, 1000 every 5 ms)", &cluster(9, 100, 1_000_000, 1_000, 5));
    run("small again, fully warmed up", &cluster(3, 6, 10_000, 10, 5));
}
