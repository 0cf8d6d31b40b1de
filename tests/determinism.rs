//! Same scenario + same seed = the same trace, bit for bit; another seed, another trace.
use highwater::cli::run::run_to_end;
use highwater::scenario::Scenario;

fn all_scenarios() -> Vec<Scenario> {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| Scenario::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap())
        .collect()
}

#[test]
fn same_seed_gives_the_same_trace_digest_twice() {
    for s in all_scenarios() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let x = run_to_end(&s, s.seed, None, Some(&mut a)).unwrap();
        let y = run_to_end(&s, s.seed, None, Some(&mut b)).unwrap();
        assert_eq!(x.digest(), y.digest(), "{}", s.id);
        assert_eq!(x.steps(), y.steps());
        assert!(a == b, "{}: the JSONL traces differ", s.id);
        assert!(!a.is_empty());
    }
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    for s in all_scenarios() {
        let x = run_to_end(&s, 1, None, None).unwrap();
        let y = run_to_end(&s, 2, None, None).unwrap();
        assert_ne!(x.digest(), y.digest(), "{}: jitter is seeded, so the traces should differ", s.id);
    }
}

#[test]
fn a_changed_setting_changes_the_trace() {
    let s = all_scenarios().into_iter().find(|s| s.id == "acks1-leader-failure").unwrap();
    let mut t = s.clone();
    t.cluster.config.broker_session_timeout_ms = 6_000;
    assert_ne!(run_to_end(&s, 1, None, None).unwrap().digest(), run_to_end(&t, 1, None, None).unwrap().digest());
}
