//! Inputs that used to stop the simulated clock (issue 12): each ran at one simulated
//! instant until the kernel's livelock bound stopped it. Each now runs to its end with a
//! verdict, because every resend and retry waits as Kafka's does (or, where Kafka has no
//! rule for a retry at the same instant, at least 1 ms: a simulation's time does not pass
//! by itself).
use serde_json::{json, Value};

fn scenario(name: &str) -> Value {
    let path = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Run `v` as `highwater run --json` does and check it reached its end with a verdict.
fn runs_to_its_end(case: &str, v: &Value) -> Value {
    let path = std::env::temp_dir().join(format!("highwater-livelocks-{case}-{}.json", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = [path.to_str().unwrap().to_string(), "--json".to_string()];
    let code = highwater::cli::run::run(&args, &mut out, &mut err);
    std::fs::remove_file(&path).ok();
    let err = String::from_utf8_lossy(&err);
    assert!(code == 0 || code == 1, "{case}: exit {code}: {err}");
    assert!(!err.contains("livelock"), "{case}: {err}");
    let summary: Value = serde_json::from_slice(&out).expect("JSON summary");
    let verdict = summary["verdict"].as_str().unwrap();
    assert!(verdict == "ok" || verdict == "anomalies", "{case}: verdict {verdict}");
    // Some timer (the controller's quorum tick, every 500 ms) runs until the end.
    let (end, duration) = (summary["simulated_ms"].as_u64().unwrap(), v["duration_ms"].as_u64().unwrap());
    assert!(end + 1_000 >= duration, "{case}: the clock stopped at {end} ms of {duration}");
    summary
}

/// A network that loses every message: the controller's LeaderAndIsr to its own broker is
/// lost too, and used to be resent at once, forever. It is resent after the reconnect
/// backoff now, once per broker at a time.
#[test]
fn a_network_that_drops_everything() {
    let mut v = scenario("acks1-leader-failure");
    v["network"] = json!({"latency_ms": 2, "jitter_ms": 1, "drop": {"numerator": 1, "denominator": 1}});
    runs_to_its_end("drop-all", &v);

    let mut v = scenario("acks1-leader-failure");
    let drop = json!({"at_ms": 3000, "action": "drop", "probability": {"numerator": 1, "denominator": 1}});
    v["timeline"].as_array_mut().unwrap().insert(0, drop);
    runs_to_its_end("drop-all-later", &v);
}

/// `request.timeout.ms` 0 (Kafka accepts it): the timeout fired at the instant of sending,
/// the request was sent again and the timer re-armed at the same instant. Kafka times a
/// request out only once strictly more than the timeout has passed.
#[test]
fn a_producer_with_request_timeout_zero() {
    let mut v = scenario("acks1-leader-failure");
    v["producers"][0]["config"]["request.timeout.ms"] = 0.into();
    v["readers"][0]["config"] = json!({"request.timeout.ms": 0});
    let summary = runs_to_its_end("request-timeout-0", &v);
    assert_eq!(summary["records_acked"], 0, "every request times out before its answer comes");
}

/// A consumer with `retry.backoff.ms` 0 whose coordinator is in reconnect backoff polled
/// again at the same instant, forever; Kafka's poll blocks in the network client meanwhile.
#[test]
fn consumers_with_retry_backoff_zero() {
    for name in ["coordinator-failover", "group-broker-failure-and-pause"] {
        let mut v = scenario(name);
        for c in v["consumers"].as_array_mut().unwrap() {
            c["config"]["retry.backoff.ms"] = 0.into();
        }
        runs_to_its_end(name, &v);
    }
}

/// No network latency and a partition with no leader: the producer, the reader and a
/// consumer asked for Metadata again the instant the answer came, which came at the same
/// instant. The refresh waits `retry.backoff.ms` there, growing while no leader is found
/// (KIP-580).
#[test]
fn metadata_with_no_latency_and_no_leader() {
    for name in ["clean-leader-election", "unclean-leader-election"] {
        let mut v = scenario(name);
        v["network"] = json!({"latency_ms": 0, "jitter_ms": 0});
        runs_to_its_end(name, &v);
        // A consumer of the partition that loses its leader.
        let topic = v["topics"][0]["name"].clone();
        v["consumers"] =
            json!([{"name": "c1", "group": "g", "topics": [topic], "config": {"auto.offset.reset": "earliest"}}]);
        runs_to_its_end(&format!("{name}-consumer"), &v);
    }
}
