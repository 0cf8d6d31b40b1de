//! The scenario format's unit tests: parsing, errors that name what and where.
use super::*;
use crate::kafka::config::Acks;

const MINIMAL: &str = r#"{
  "id": "t", "title": {"en": "t"}, "duration_ms": 1000,
  "cluster": {"brokers": 3},
  "topics": [{"name": "orders", "partitions": 2, "replication_factor": 3}],
  "producers": [{"name": "app"}],
  "timeline": [{"at_ms": 10, "action": "produce", "producer": "app", "topic": "orders", "count": 2}]
}"#;

#[test]
fn minimal_scenario_parses_with_kafka_defaults() {
    let s = Scenario::from_json(MINIMAL).unwrap();
    assert_eq!(s.cluster.config.replica_lag_time_max_ms, 30_000);
    assert_eq!(s.producers[0].config.acks, Acks::All);
    assert!(s.producers[0].config.idempotent());
    assert_eq!(s.spec().voters.len(), 3);
}

#[test]
fn type_error_names_path_line_and_column() {
    let bad = MINIMAL.replace(r#""brokers": 3"#, r#""brokers": "three""#);
    let e = Scenario::from_json(&bad).unwrap_err();
    assert_eq!(e.path, "cluster.brokers");
    assert_eq!(e.line, Some(3));
    assert!(e.column.is_some());
    assert!(e.to_string().contains("cluster.brokers"), "{e}");
}

#[test]
fn unknown_field_is_rejected_by_name() {
    let bad = MINIMAL.replace(r#""partitions": 2"#, r#""partitions": 2, "replicas": 3"#);
    let e = Scenario::from_json(&bad).unwrap_err();
    assert!(e.message.contains("replicas"), "{e}");
    assert_eq!(e.path, "topics[0].replicas");
}

#[test]
fn semantic_errors_name_the_field() {
    let bad = MINIMAL.replace(r#""producer": "app""#, r#""producer": "nobody""#);
    let e = Scenario::from_json(&bad).unwrap_err();
    assert_eq!(e.path, "timeline[0].producer");
    assert!(e.message.contains("nobody"));
    let bad = MINIMAL.replace(r#""replication_factor": 3"#, r#""replication_factor": 4"#);
    assert_eq!(Scenario::from_json(&bad).unwrap_err().path, "topics[0].replication_factor");
    let bad = MINIMAL.replace(
        r#""producers": [{"name": "app"}]"#,
        r#""producers": [{"name": "app", "config": {"acks": "1", "enable.idempotence": true}}]"#,
    );
    let e = Scenario::from_json(&bad).unwrap_err();
    assert_eq!(e.path, "producers[0].config");
    assert!(e.message.contains("acks=all"));
}

#[test]
fn acks_1_quietly_turns_idempotence_off_like_kafka() {
    let s = Scenario::from_json(&MINIMAL.replace(r#"{"name": "app"}"#, r#"{"name": "app", "config": {"acks": "1"}}"#))
        .unwrap();
    assert!(!s.producers[0].config.idempotent());
}

#[test]
fn the_model_field_defaults_to_kafka_and_names_the_others() {
    assert_eq!(Scenario::from_json(MINIMAL).unwrap().model, Model::Kafka);
    let with = |m: &str| MINIMAL.replacen("{", &format!("{{\n \"model\": \"{m}\","), 1);
    let s = Scenario::from_json(&with("kafka")).unwrap();
    assert!(!s.to_json().contains("model"), "written back as before");
    // A RocketMQ file is read by its own format: this Kafka body is not one.
    let e = Scenario::from_json(&with("rocketmq")).unwrap_err();
    assert!(e.to_string().contains("unknown field `cluster`"), "{e}");
    let e = Scenario::from_json(&with("pulsar")).unwrap_err();
    assert!(e.to_string().contains("unknown model `pulsar`, expected one of kafka, rocketmq"), "{e}");
}

#[test]
fn an_entry_error_names_that_entry_and_its_position_not_the_next() {
    let two = |first: &str| {
        MINIMAL.replace(r#""timeline": [{"at_ms": 10,"#, &format!("\"timeline\": [\n{first},\n  {{\"at_ms\": 10,"))
    };
    for (first, message) in [
        (r#"  {"at_ms": 5, "action": "bogus"}"#, "unknown action `bogus`"),
        (r#"  {"at_ms": 5, "action": "produce", "topic": "orders"}"#, "missing field `producer`"),
    ] {
        let text = two(first);
        let e = Scenario::from_json(&text).unwrap_err();
        assert_eq!(e.path, "timeline[0]", "{e}");
        assert!(e.message.starts_with(message), "{e}");
        let line = text.lines().position(|l| l.starts_with(first)).unwrap() + 1;
        assert_eq!((e.line, e.column), (Some(line), Some(3)), "{e}");
    }
    // A type error inside the second entry stays with the second entry.
    let e = Scenario::from_json(
        &two(r#"  {"at_ms": 5, "action": "heal_all"}"#).replace(r#""at_ms": 10"#, r#""at_ms": "ten""#),
    )
    .unwrap_err();
    assert_eq!(e.path, "timeline[1].at_ms", "{e}");
}

#[test]
fn sizes_kafka_rejects_and_sums_past_u32_are_refused_by_name() {
    for key in ["transaction.state.log.num.partitions", "offsets.topic.num.partitions", "transaction.state.log.min.isr"]
    {
        let bad = MINIMAL.replace(r#""brokers": 3"#, &format!(r#""brokers": 3, "config": {{"{key}": 0}}"#));
        let e = Scenario::from_json(&bad).unwrap_err();
        assert_eq!(e.path, format!("cluster.config.{key}"));
        assert!(e.message.contains("at least 1"), "{e}");
    }
    // 4294967295 + 2 wraps to 1 in u32: the sum must saturate, and name the topic.
    let huge = MINIMAL.replace(
        r#"[{"name": "orders", "partitions": 2, "replication_factor": 3}]"#,
        r#"[{"name": "orders", "partitions": 2, "replication_factor": 3}, {"name": "x", "partitions": 4294967295, "replication_factor": 1}]"#,
    );
    let e = Scenario::from_json(&huge).unwrap_err();
    assert_eq!(e.path, "topics[1].partitions");
    assert!(e.message.contains("at most 4096"), "{e}");
}

#[test]
fn the_timeline_shares_the_ui_limits() {
    let entry = |e: &str| {
        MINIMAL.replace(r#"{"at_ms": 10, "action": "produce", "producer": "app", "topic": "orders", "count": 2}"#, e)
    };
    let cases = [
        (
            r#"{"at_ms": 1, "action": "cut", "between": ["b1", "b1"]}"#,
            "timeline[0].between[1]: a link needs two different nodes",
        ),
        (
            r#"{"at_ms": 1, "action": "produce", "producer": "app", "topic": "orders", "count": 100001}"#,
            "timeline[0].count: must be between 1 and 100000",
        ),
        (
            r#"{"at_ms": 1, "action": "consumer_pause", "consumer": "app", "ms": 5}"#,
            "timeline[0].consumer: unknown consumer \"app\"",
        ),
        (
            r#"{"at_ms": 1, "action": "slow", "node": "b1", "extra_ms": 3600001}"#,
            "timeline[0].extra_ms: must be at most 3600000 ms",
        ),
        (
            r#"{"at_ms": 1, "action": "isolate", "node": "c9"}"#,
            "timeline[0].node: unknown node \"c9\" (brokers are b1..b3, or a client name)",
        ),
    ];
    for (e, want) in cases {
        assert_eq!(Scenario::from_json(&entry(e)).unwrap_err().to_string(), want);
    }
    let idempotent =
        MINIMAL.replace(r#"{"name": "app"}"#, r#"{"name": "app", "config": {"enable.idempotence": true}}"#).replace(
            r#""topic": "orders", "count": 2}"#,
            r#""topic": "orders", "count": 2}, {"at_ms": 20, "action": "set_acks", "producer": "app", "acks": "1"}"#,
        );
    let e = Scenario::from_json(&idempotent).unwrap_err();
    assert_eq!(e.path, "timeline[1].acks");
    assert!(e.message.contains("requires acks=all"), "{e}");
}

#[test]
fn syntax_error_has_line_and_column() {
    let e = Scenario::from_json("{\n  \"id\": \"x\",,\n}").unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn a_file_that_is_not_an_object_says_what_it_holds() {
    for (text, kind) in [("[1,2,3]", "an array"), (" \"x\"", "a string"), ("42", "a number"), ("null", "null")] {
        let e = Scenario::from_json(text).unwrap_err();
        assert!(e.message.contains("one JSON object") && e.message.ends_with(kind), "{text}: {e}");
    }
    let e = Scenario::from_json("{\"id\": 1}").unwrap_err();
    assert!(!e.message.contains("one JSON object"), "an object is read as a scenario: {e}");
}
