//! Changing a setting mid-run (`set_config` / `KafkaAction::SetConfig`): it applies from
//! that moment, leaves the past alone, and a bad value is refused with nothing changed.
use highwater::kafka::notes::Note;
use highwater::kafka::settings::ConfigTarget;
use highwater::kafka::types::ErrorCode;
use highwater::kafka::world::KafkaAction;
use highwater::kernel::sim::Action;
use highwater::scenario::Scenario;
use highwater::session::build_simulation;

mod common;
use common::notes;
use serde_json::{json, Value};

fn scenario(timeline: Value) -> Scenario {
    let text = json!({
        "id": "settings", "title": {"en": "t"}, "duration_ms": 12000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 3}],
        "producers": [{"name": "app"}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).unwrap()
}

/// When each record was sent and when it was appended by the leader.
fn send_to_append(ns: &[(u64, Note)]) -> Vec<u64> {
    let sent: Vec<u64> = ns.iter().filter_map(|(t, n)| matches!(n, Note::RecordSent { .. }).then_some(*t)).collect();
    let appended: Vec<u64> = ns
        .iter()
        .filter_map(|(t, n)| matches!(n, Note::Appended { as_leader: true, tp, .. } if tp.topic == 0).then_some(*t))
        .collect();
    sent.iter().zip(appended).map(|(s, a)| a - s).collect()
}

#[test]
fn a_setting_changed_mid_run_applies_from_then_on() {
    let s = scenario(json!([
        {"at_ms": 1000, "action": "produce", "producer": "app", "topic": "t", "count": 1},
        {"at_ms": 2000, "action": "set_config", "target": "app", "key": "linger.ms", "value": 400},
        {"at_ms": 3000, "action": "produce", "producer": "app", "topic": "t", "count": 1}
    ]));
    let (_, ns) = notes(s);
    let delays = send_to_append(&ns);
    assert_eq!(delays.len(), 2);
    assert!(delays[0] < 20, "linger.ms 5 at first: {delays:?}");
    assert!(delays[1] >= 400, "linger.ms 400 after the change: {delays:?}");
    assert!(ns.iter().any(|(t, n)| *t == 2000
        && matches!(n, Note::ConfigChanged { key, value, .. } if key == "linger.ms" && value == "400")));
}

#[test]
fn a_topic_override_changes_what_the_leader_accepts() {
    // min.insync.replicas=3 with a broker down: acks=all writes are refused from then on.
    let s = scenario(json!([
        {"at_ms": 500, "action": "crash", "broker": 3},
        {"at_ms": 12000, "action": "produce", "producer": "app", "topic": "t", "count": 1}
    ]));
    let (_, before) = notes(s.clone());
    let mut with_change = s;
    with_change.timeline.push(serde_json::from_value(json!({"at_ms": 11000, "action": "set_config", "target": "topic:t", "key": "min.insync.replicas", "value": 3})).unwrap());
    with_change.duration_ms = 14000;
    let (_, ns) = notes(with_change);
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::ProduceError { error: ErrorCode::NotEnoughReplicas, .. })));
    assert!(
        !before.iter().any(|(_, n)| matches!(n, Note::ProduceError { .. })),
        "without the change the write succeeds"
    );
}

#[test]
fn a_bad_value_is_refused_and_changes_nothing() {
    // In a scenario file: an error that names the entry and the key.
    let file = |target: &str, key: &str, value: Value| {
        json!({
            "id": "settings", "title": {"en": "t"}, "duration_ms": 1000,
            "cluster": {"brokers": 3},
            "topics": [{"name": "t", "partitions": 1, "replication_factor": 3}],
            "producers": [{"name": "app"}],
            "timeline": [{"at_ms": 100, "action": "set_config", "target": target, "key": key, "value": value}]
        })
        .to_string()
    };
    let e = Scenario::from_json(&file("app", "linger.ms", json!("soon"))).unwrap_err();
    assert_eq!(e.path, "timeline[0].value");
    assert!(e.message.contains("linger.ms"), "{e}");
    let e = Scenario::from_json(&file("nobody", "linger.ms", json!(1))).unwrap_err();
    assert_eq!(e.path, "timeline[0].target");
    let e = Scenario::from_json(&file("app", "transactional.id", json!("x"))).unwrap_err();
    assert!(e.message.contains("identity"), "{e}");
    assert!(Scenario::from_json(&file("topic:t", "min.insync.replicas", json!(2))).is_ok());

    // Acting on a live run: the action is refused in the trace, nothing changes.
    let s = scenario(json!([{"at_ms": 1000, "action": "produce", "producer": "app", "topic": "t", "count": 1}]));
    let (mut sim, _) = build_simulation(&s, 1);
    let mut out = Vec::new();
    sim.run_until(500, u64::MAX, &mut out);
    let before = sim.model.spec.clone();
    let mut ns = Vec::new();
    for (key, value) in
        [("offsets.topic.num.partitions", "50"), ("min.insync.replicas", "0"), ("replica.lag.time.max.ms", "\"long\"")]
    {
        let bad = KafkaAction::SetConfig { target: ConfigTarget::Brokers, key: key.into(), value: value.into() };
        sim.apply(&Action::Model(bad), &mut ns);
    }
    let errors: Vec<String> = ns
        .iter()
        .filter_map(|n| match n {
            Note::ConfigRejected { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 3, "{ns:?}");
    assert!(errors[0].contains("fixed when the cluster is created"), "{errors:?}");
    assert!(errors[1].contains("min.insync.replicas"), "{errors:?}");
    assert!(errors[2].contains("replica.lag.time.max.ms"), "{errors:?}");
    assert_eq!(*sim.model.spec, *before, "nothing changed");
}
