//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::scenario::Scenario;

/// One of the example scenarios in `scenarios/`, by id.
pub fn load(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The anomaly kinds a whole run of `s` reports, sorted, without repeats.
pub fn kinds(s: &Scenario) -> Vec<AnomalyKind> {
    let sim = run_to_end(s, s.seed, None, None).unwrap();
    let mut k: Vec<AnomalyKind> = sim.checker.anomalies().map(|a| a.kind).collect();
    k.sort();
    k.dedup();
    k
}
