//! Time travel: stepping forward to N and back to M equals a fresh run to M; acting at a
//! past step starts a new branch equal to a fresh run that acts at that step.
use highwater::kernel::Prng;
use highwater::session::{Command, Session};

mod common;
use common::load;

#[test]
fn forward_to_n_then_back_to_m_equals_a_fresh_run_to_m() {
    let s = load("acks1-leader-failure");
    let mut prng = Prng::new(7);
    let mut session = Session::new(s.clone());
    let total = session.seek(u64::MAX);
    assert!(total > 900, "a run long enough to travel in: {total} steps");
    for _ in 0..40 {
        let n = prng.between(0, total);
        let m = prng.between(0, total);
        assert_eq!(session.seek(n), n);
        assert_eq!(session.seek(m), m);
        let mut fresh = Session::new(s.clone());
        fresh.seek(m);
        assert_eq!(session.digest(), fresh.digest(), "digest at step {m} (came from {n})");
        assert_eq!(session.view(), fresh.view(), "view at step {m}");
        assert_eq!(session.anomalies(), fresh.anomalies());
    }
}

#[test]
fn step_back_one_at_a_time_retraces_the_run() {
    let s = load("acks-all-leader-failure");
    let mut session = Session::new(s.clone());
    let mut digests = vec![session.digest()];
    for _ in 0..300 {
        assert!(session.step_forward());
        digests.push(session.digest());
    }
    for i in (0..300).rev() {
        assert!(session.step_back());
        assert_eq!(session.cursor(), i as u64);
        assert_eq!(session.digest(), digests[i]);
    }
    assert!(!session.step_back(), "no step before step 0");
}

#[test]
fn acting_at_a_past_step_branches_like_a_fresh_run() {
    let s = load("acks-all-leader-failure");
    let mut session = Session::new(s.clone());
    session.seek(1_200);
    let old_future = session.view();
    session.seek(400);
    let step = session.act(&Command::Crash(2)).unwrap();
    assert_eq!(step, 401);
    assert_eq!(session.horizon(), 401, "the old future is gone");
    let mut fresh = Session::new(s);
    fresh.seek(400);
    fresh.act(&Command::Crash(2)).unwrap();
    session.seek(1_200);
    fresh.seek(1_200);
    assert_eq!(session.digest(), fresh.digest());
    assert_ne!(session.view(), old_future, "crashing broker 2 changed what happens next");
    let b2 = session.view().brokers.into_iter().find(|b| b.id == 2).unwrap();
    assert_eq!(b2.status, "crashed");
}

#[test]
fn a_bad_command_changes_nothing() {
    let s = load("acks1-leader-failure");
    let mut session = Session::new(s);
    session.seek(500);
    let before = (session.digest(), session.horizon());
    assert!(session.act(&Command::Crash(9)).unwrap_err().contains("no broker 9"));
    assert!(session.act(&Command::Isolate("nobody".into())).is_err());
    assert_eq!((session.digest(), session.horizon()), before);
}

#[test]
fn markers_follow_the_branch() {
    let s = load("acks1-leader-failure");
    let mut session = Session::new(s.clone());
    session.seek(u64::MAX);
    let elections = session.markers().iter().filter(|m| m.kind == "election").count();
    assert!(elections >= 1, "the failover is marked");
    // Branch before the crash: restart nothing, but crash broker 3 instead; the old
    // election marker must not survive unless the new branch has one too.
    session.seek(5);
    session.act(&Command::Crash(3)).unwrap();
    let mut fresh = Session::new(s);
    fresh.seek(5);
    fresh.act(&Command::Crash(3)).unwrap();
    session.seek(u64::MAX);
    fresh.seek(u64::MAX);
    assert_eq!(session.markers(), fresh.markers());
    assert!(session.markers().iter().any(|m| m.kind == "crash" && m.step == 6));
}

/// Recording a run for time travel (checkpoints, and the dead timers dropped before each)
/// changes nothing: every shipped scenario, recorded to its end, has the digest of a plain
/// run, and seeking back into it replays the same steps.
#[test]
fn recording_a_run_leaves_its_trace_unchanged() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|x| x == "json")) {
        let s = highwater::scenario::Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let plain = highwater::cli::run::run_to_end(&s, s.seed, None, None).unwrap();
        let mut session = Session::new(s.clone());
        let end = session.seek(u64::MAX);
        assert_eq!(end, plain.steps(), "{}", path.display());
        assert_eq!(session.digest(), plain.digest(), "{}", path.display());
        let middle = end / 2 + 1;
        session.seek(middle);
        let digest_back = session.digest();
        let mut fresh = Session::new(s);
        fresh.seek(middle);
        assert_eq!(digest_back, fresh.digest(), "{} at step {middle}", path.display());
    }
}

/// A run whose clock stops (with no network latency, a reader with `fetch.max.wait.ms` 0
/// fetches again at one instant) ends at the livelock bound instead of computing, and
/// filling memory, forever.
#[test]
fn a_livelocked_run_ends_and_says_why() {
    let mut v: serde_json::Value =
        serde_json::from_str(&highwater::scenario::Scenario::to_json(&load("acks1-leader-failure"))).unwrap();
    v["network"] = serde_json::json!({"latency_ms": 0, "jitter_ms": 0});
    v["readers"][0]["config"] = serde_json::json!({"fetch.max.wait.ms": 0});
    let s = highwater::scenario::Scenario::from_json(&v.to_string()).unwrap();
    let mut session = Session::new(s);
    let end = session.seek(u64::MAX);
    assert!(session.finished());
    assert!(session.timeline().livelocked());
    let (last, _) = session.timeline().record(end).unwrap();
    let (before, _) = session.timeline().record(end - highwater::kernel::sim::LIVELOCK_STEPS + 1).unwrap();
    assert_eq!(last.time, before.time, "the last {} steps are at one instant", highwater::kernel::sim::LIVELOCK_STEPS);
}

/// Time travel under memory pressure keeps fewer checkpoints, farther apart: seeks and
/// steps back still land on exactly the states a fresh run reaches.
#[test]
fn thinned_history_still_seeks_exactly() {
    let mut s = load("acks1-leader-failure");
    s.duration_ms = 1_600_000;
    let mut session = Session::new(s.clone());
    let total = session.seek(u64::MAX);
    assert!(total > 20 * 1024, "a run long enough to thin: {total} steps");
    assert!(session.thin_history() && session.thin_history());
    let mut prng = Prng::new(11);
    let mut targets: Vec<u64> = (0..12).map(|_| prng.between(0, total)).collect();
    targets.sort();
    let mut fresh = Session::new(s);
    for m in targets {
        session.seek(m);
        if m > 0 {
            session.step_back();
            session.step_forward();
        }
        fresh.seek(m);
        assert_eq!(session.digest(), fresh.digest(), "digest at step {m}");
    }
}
