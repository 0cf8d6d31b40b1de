//! What a broker sent before its process died still arrives and counts: the host closes the
//! dead process's connections with a FIN that travels behind those answers, so a client reads
//! them first (docs/engine.md, "crashes").
use highwater::kafka::notes::Note;
use highwater::kafka::types::ErrorCode;
use highwater::scenario::Scenario;
use serde_json::{json, Value};

mod common;
use common::notes;

fn scenario(timeline: Value) -> Scenario {
    let text = json!({
        "id": "crash-answers", "title": {"en": "t"}, "duration_ms": 20000,
        "cluster": {"brokers": 3},
        "network": {"latency_ms": 50},
        "topics": [{"name": "orders", "partitions": 1, "replication_factor": 3}],
        "producers": [{"name": "shop", "config": {"acks": "1", "enable.idempotence": false}}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).unwrap()
}

fn first_time(ns: &[(u64, Note)], f: impl Fn(&Note) -> bool) -> Option<u64> {
    ns.iter().find(|(_, n)| f(n)).map(|(t, _)| *t)
}

#[test]
fn a_produce_answer_sent_before_the_crash_is_an_acknowledgement() {
    let produce = json!({"at_ms": 3000, "action": "produce", "producer": "shop", "topic": "orders", "count": 1});
    let (_, clean) = notes(scenario(json!([produce.clone()])));
    let appended = first_time(&clean, |n| matches!(n, Note::Appended { as_leader: true, .. })).unwrap();
    let acked = first_time(&clean, |n| matches!(n, Note::RecordAcked { .. })).unwrap();
    assert!(acked >= appended + 40, "the answer is 50 ms on its way: appended {appended}, acked {acked}");
    // The leader (broker 1) dies while its answer is on the wire.
    let crash = json!({"at_ms": appended + 20, "action": "crash", "broker": 1});
    let (_, ns) = notes(scenario(json!([produce, crash])));
    assert_eq!(
        first_time(&ns, |n| matches!(n, Note::RecordAcked { offset: 0, .. })),
        Some(acked),
        "acknowledged on arrival"
    );
    let errors: Vec<&Note> = ns.iter().map(|(_, n)| n).filter(|n| matches!(n, Note::ProduceError { .. })).collect();
    assert!(errors.is_empty(), "no NETWORK_EXCEPTION and no retry for an answered request: {errors:?}");
    assert!(!ns.iter().any(|(_, n)| matches!(n, Note::RecordFailed { .. })));
}

#[test]
fn a_request_the_dead_broker_never_answered_fails() {
    let produce = json!({"at_ms": 3000, "action": "produce", "producer": "shop", "topic": "orders", "count": 1});
    let (_, clean) = notes(scenario(json!([produce.clone()])));
    let appended = first_time(&clean, |n| matches!(n, Note::Appended { as_leader: true, .. })).unwrap();
    // Crash while the request is still on its way.
    let crash_at = appended - 20;
    let (_, ns) = notes(scenario(json!([produce, json!({"at_ms": crash_at, "action": "crash", "broker": 1})])));
    let error = ns
        .iter()
        .find(|(_, n)| matches!(n, Note::ProduceError { error: ErrorCode::NetworkException, .. }))
        .map(|(t, _)| *t)
        .expect("the request fails with NETWORK_EXCEPTION");
    // The request reaches the dead host (refused) 20 ms later, before the FIN's 50 ms.
    assert_eq!(error, crash_at + 20, "refused when it reaches the dead host: crash {crash_at}, error {error}");
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::RecordAcked { .. })), "retried on the new leader");
}

/// A LeaderAndIsr lost on a cut link: the broker's heartbeat reports a metadata offset that
/// stays behind, and the controller sends it the whole state again once the link heals
/// (a KRaft broker would re-fetch the metadata log), so the new leader learns it leads.
#[test]
fn a_metadata_change_lost_on_a_cut_link_is_resent_after_the_heal() {
    let text = json!({
        "id": "lost-leader-and-isr", "title": {"en": "t"}, "duration_ms": 40000,
        "cluster": {"brokers": 3, "controller_voters": [2]},
        "topics": [{"name": "orders", "partitions": 1, "replication_factor": 3, "assignment": [[1, 3, 2]]}],
        "producers": [{"name": "shop", "config": {"acks": "all"}}],
        "timeline": [
            {"at_ms": 1000, "action": "cut_one_way", "from": "b2", "to": "b3"},
            {"at_ms": 2000, "action": "crash", "broker": 1},
            {"at_ms": 20000, "action": "heal_all"},
            {"at_ms": 30000, "action": "produce", "producer": "shop", "topic": "orders", "count": 1}
        ]
    });
    let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
    let elected = first_time(&ns, |n| matches!(n, Note::LeaderElected { leader: Some(b), .. } if b.0 == 3)).unwrap();
    assert!(elected < 20_000, "broker 3 elected while the controller cannot reach it: {elected}");
    let became = first_time(&ns, |n| matches!(n, Note::BecameLeader { broker, .. } if broker.0 == 3)).unwrap();
    assert!(became > 20_000 && became < 26_000, "broker 3 learns after the heal, within two heartbeats: {became}");
    assert!(ns.iter().any(|(t, n)| *t > 30_000 && matches!(n, Note::RecordAcked { .. })));
}
