//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::notes::Note;
use highwater::kernel::Prng;
use highwater::scenario::Scenario;
use highwater::session::Session;
use serde_json::{json, Value};

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

/// A random fault schedule of 2 to 7 faults, then everything healed and restarted.
/// Returns the faults and when the healing happens.
pub fn random_faults(prng: &mut Prng, with_power_loss: bool) -> (Vec<Value>, u64) {
    let mut faults = Vec::new();
    let mut t = 0;
    for _ in 0..prng.between(2, 8) {
        t += prng.between(100, 4_000);
        let b = prng.between(1, 3);
        let kinds = if with_power_loss { 7 } else { 6 };
        faults.push(match prng.below(kinds) {
            0 => json!({"at_ms": t, "action": "crash", "broker": b}),
            1 => json!({"at_ms": t, "action": "restart", "broker": b}),
            2 => json!({"at_ms": t, "action": "isolate", "node": format!("b{b}")}),
            3 => json!({"at_ms": t, "action": "heal_all"}),
            4 => json!({"at_ms": t, "action": "drop", "probability": {"numerator": prng.between(0, 20), "denominator": 100}}),
            5 => json!({"at_ms": t, "action": "slow", "node": format!("b{b}"), "extra_ms": prng.between(0, 300)}),
            _ => json!({"at_ms": t, "action": "power_loss", "broker": b}),
        });
    }
    let healed = t + 1_000;
    for b in 1..=3 {
        faults.push(json!({"at_ms": healed, "action": "restart", "broker": b}));
    }
    faults.push(json!({"at_ms": healed, "action": "heal_all"}));
    faults.push(json!({"at_ms": healed, "action": "drop", "probability": {"numerator": 0, "denominator": 1}}));
    (faults, healed)
}

/// The records of every anomaly of `kind` in a whole run of `s`, in the order reported.
pub fn anomaly_records(s: &Scenario, kind: AnomalyKind) -> Vec<u64> {
    let sim = run_to_end(s, s.seed, None, None).unwrap();
    sim.checker.anomalies().filter(|a| a.kind == kind).flat_map(|a| a.records.iter().map(|r| r.0)).collect()
}

/// Run to the end; the session and every note with the time it happened.
pub fn notes(s: Scenario) -> (Session, Vec<(u64, Note)>) {
    let mut session = Session::new(s);
    session.seek(u64::MAX);
    let out = session_notes(&session);
    (session, out)
}

/// Every note of a session's run so far, with the time it happened.
pub fn session_notes(session: &Session) -> Vec<(u64, Note)> {
    let tl = session.timeline();
    (1..=tl.horizon())
        .flat_map(|i| {
            let (rec, ns) = tl.record(i).unwrap();
            ns.iter().map(move |n| (rec.time, n.clone())).collect::<Vec<_>>()
        })
        .collect()
}

/// [`run_to_end`] (the same steps, the same digest), checking the engine's invariants after
/// every step (`Simulation::check_invariants`, which debug builds also assert on their own).
/// A breach panics with the step and the scenario JSON, so `highwater run` reproduces it.
pub fn run_checking_invariants(s: &Scenario) -> highwater::session::kafka::KafkaSimulation {
    let (mut sim, _) = highwater::session::kafka::build_simulation(s, s.seed);
    let mut notes = Vec::new();
    sim.check_invariants().unwrap_or_else(|v| panic!("{}: at the start: {v}\n{}", s.id, s.to_json()));
    while sim.steps() < highwater::cli::run::MAX_STEPS {
        notes.clear();
        let Some(step) = sim.step(&mut notes) else { break };
        if let Err(v) = sim.check_invariants() {
            panic!(
                "{} (seed {}): after step {} (t = {} ms): {v}\n{}",
                s.id,
                s.seed,
                step.index,
                step.time,
                s.to_json()
            );
        }
    }
    sim
}

/// Every `.rs` file under `dir` (or `dir` itself when it is a file).
pub fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
