//! The engine's invariants (`src/kafka/invariants/`) hold after every step of every shipped
//! scenario and of random fault swarms with consumer groups, in release builds too.
use highwater::kafka::invariants::EVERY_STEP_MAX_REPLICAS;
use highwater::kernel::Prng;
use highwater::scenario::Scenario;
use serde_json::{json, Value};

mod common;
use common::{random_faults, run_checking_invariants};

/// Every `*.json` file in `dir` (relative to the crate), sorted.
fn scenario_files(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_shipped_scenario_keeps_every_invariant_after_every_step() {
    let mut run = 0;
    for dir in ["scenarios", "src/ui/scenarios"] {
        for path in scenario_files(dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let replicas: u32 = s.topics.iter().map(|t| t.partitions * t.replication_factor).sum();
            if cfg!(debug_assertions) && replicas as usize > EVERY_STEP_MAX_REPLICAS {
                // The 50-broker cluster: unoptimised, a check after each of its steps
                // takes about 20 minutes. `cargo test --release` runs it.
                continue;
            }
            let sim = run_checking_invariants(&s);
            assert!(sim.steps() > 0, "{}", path.display());
            run += 1;
        }
    }
    assert!(run >= 30, "only {run} scenarios");
}

/// Two groups of consumers (one eager, one cooperative, one reading committed data from a
/// transactional producer) on a cluster with random faults.
fn group_scenario(seed: u64, faults: Vec<Value>, duration_ms: u64) -> Scenario {
    let mut timeline: Vec<Value> = (1..=30)
        .map(|i| json!({"at_ms": i * 200, "action": "produce", "producer": "app", "topic": "t", "key": format!("k{}", i % 5), "count": 1}))
        .collect();
    timeline.extend(faults);
    let text = json!({
        "id": format!("invariants-{seed}"),
        "title": {"en": "invariants case"},
        "seed": seed,
        "duration_ms": duration_ms,
        "cluster": {"brokers": 3, "config": {"min.insync.replicas": 2}},
        "network": {"latency_ms": 2, "jitter_ms": 3},
        "topics": [{"name": "t", "partitions": 3, "replication_factor": 3}],
        "producers": [{"name": "app"}],
        "consumers": [
            {"name": "ca1", "group": "ga", "topics": ["t"], "config": {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}},
            {"name": "ca2", "group": "ga", "topics": ["t"], "config": {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}},
            {"name": "cb1", "group": "gb", "topics": ["t"], "config": {"partition.assignment.strategy": ["cooperative-sticky"], "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}},
            {"name": "cb2", "group": "gb", "topics": ["t"], "config": {"partition.assignment.strategy": ["cooperative-sticky"], "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}}
        ],
        "timeline": timeline
    })
    .to_string();
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("seed {seed}: generated scenario is invalid: {e}"))
}

/// Swarm with consumer groups: coordinators fail over, members time out and rejoin, and the
/// group invariants (and all the others) hold after every step.
#[test]
fn swarm_with_consumer_groups_keeps_invariants() {
    for seed in 0..60 {
        let mut prng = Prng::new(30_000 + seed);
        let (faults, healed) = random_faults(&mut prng, seed % 3 == 0);
        let s = group_scenario(30_000 + seed, faults, healed + 20_000);
        run_checking_invariants(&s);
    }
}
