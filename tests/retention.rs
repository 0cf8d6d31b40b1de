//! Log retention end to end (`slow-consumer-retention` and variants): every replica deletes
//! old segments and its log start offset advances, a consumer whose position was deleted
//! gets OFFSET_OUT_OF_RANGE and goes where `auto.offset.reset` says, and the engine's
//! invariants hold throughout.
use highwater::kafka::notes::Note;
use highwater::kafka::types::{BrokerId, Tp};
use highwater::scenario::Scenario;
use serde_json::Value;

mod common;
use common::{load, notes, run_checking_invariants};

const CLICKS: Tp = Tp { topic: 0, partition: 0 };

fn with_consumer_config(key: &str, value: Value) -> Scenario {
    let text = load("slow-consumer-retention").to_json();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["consumers"][0]["config"][key] = value;
    v["expect"] = Value::Null;
    Scenario::from_json(&v.to_string()).unwrap()
}

#[test]
fn every_replica_deletes_and_its_log_start_offset_advances() {
    let sim = run_checking_invariants(&load("slow-consumer-retention"));
    let starts: Vec<u64> =
        (1..=3).map(|b| sim.model.broker(BrokerId(b)).replicas[&CLICKS].log.log_start_offset()).collect();
    assert!(starts.iter().all(|s| *s > 0), "leader and followers deleted old segments: {starts:?}");
    let leader = sim.model.leader_log(CLICKS).unwrap();
    assert!(leader.get(leader.log_start_offset() - 1).is_none(), "nothing below the log start offset");
    assert_eq!(leader.log_end_offset(), 120, "offsets are never reused");
    // Internal topics (compacted in Kafka) keep everything.
    let offsets = Tp { topic: 1, partition: 0 };
    assert_eq!(sim.model.leader_log(offsets).unwrap().log_start_offset(), 0);
}

#[test]
fn the_deletions_happen_on_the_retention_schedule() {
    let (_, ns) = notes(load("slow-consumer-retention"));
    let deleted: Vec<(u64, u32)> = ns
        .iter()
        .filter_map(|(t, n)| match n {
            Note::SegmentsDeleted { broker, tp, .. } if *tp == CLICKS => Some((*t, broker.0)),
            _ => None,
        })
        .collect();
    assert!(!deleted.is_empty());
    // Ticks at 30 s (Kafka's initial delay) + k × log.retention.check.interval.ms (10 s).
    assert!(deleted.iter().all(|(t, _)| *t >= 30_000 && (*t - 30_000) % 10_000 == 0), "{deleted:?}");
    for b in 1..=3 {
        assert!(deleted.iter().any(|(_, x)| *x == b), "broker {b} deletes too");
    }
}

#[test]
fn a_deleted_position_resets_to_the_log_start_offset_with_earliest() {
    let (_, ns) = notes(load("slow-consumer-retention"));
    let (at, offset, start) = ns
        .iter()
        .find_map(|(t, n)| match n {
            Note::ConsumerOffsetOutOfRange { offset, log_start_offset, .. } => Some((*t, *offset, *log_start_offset)),
            _ => None,
        })
        .expect("the fetch below the log start offset gets OFFSET_OUT_OF_RANGE");
    assert!(offset < start);
    let reset = ns.iter().find_map(|(t, n)| match n {
        Note::ConsumerPosition { offset, from: "earliest", .. } if *t >= at => Some(*offset),
        _ => None,
    });
    assert_eq!(reset, Some(start), "auto.offset.reset=earliest: ListOffsets gives the log start offset");
}

#[test]
fn latest_skips_to_the_end_and_none_stops_the_application() {
    let (_, ns) = notes(with_consumer_config("auto.offset.reset", "latest".into()));
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::ConsumerOffsetOutOfRange { .. })));
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::ConsumerPosition { from: "latest", .. })));
    // `none` from t=10 s (with a position by then): OffsetOutOfRangeException, not
    // NoOffsetForPartitionException (that one is for a partition with no committed offset).
    let mut v: Value = serde_json::from_str(&load("slow-consumer-retention").to_json()).unwrap();
    let set = serde_json::json!({"at_ms": 10_000, "action": "set_config", "target": "analytics-1",
                                 "key": "auto.offset.reset", "value": "none"});
    v["timeline"].as_array_mut().unwrap().push(set);
    v["expect"] = Value::Null;
    let (_, ns) = notes(Scenario::from_json(&v.to_string()).unwrap());
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::ConsumerError { error: "OffsetOutOfRangeException", .. })));
}

#[test]
fn the_checker_calls_the_expired_records_a_poll_skip_not_a_lost_write() {
    let sim = run_checking_invariants(&load("slow-consumer-retention"));
    let kinds: Vec<&str> = sim.checker.anomalies().map(|a| a.kind.name()).collect();
    assert_eq!(kinds, vec!["poll-skip"]);
    let a = sim.checker.anomalies().next().unwrap();
    assert!(a.detail.contains("deleted by retention"), "{}", a.detail);
    assert!(!a.records.is_empty());
    let twin = run_checking_invariants(&load("slow-consumer-long-retention"));
    assert_eq!(twin.checker.anomalies().count(), 0);
    assert_eq!(twin.model.leader_log(CLICKS).unwrap().log_start_offset(), 0);
}

#[test]
fn bad_retention_settings_are_refused_with_kafkas_ranges() {
    let text = load("slow-consumer-retention").to_json();
    for (key, value, want) in [
        ("retention.ms", -2, "at least -1"),
        ("segment.bytes", 13, "[14,...,2147483647]"),
        ("segment.ms", 0, "at least 1"),
    ] {
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["topics"][0]["config"][key] = value.into();
        let e = Scenario::from_json(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains(key) && e.contains(want), "{key}: {e}");
    }
}

#[test]
fn the_checker_forgets_records_deleted_everywhere_and_passed_by_every_group() {
    // The lesson with 20 records per send (480 in all), so whole chunks of tracks expire.
    let mut v: Value = serde_json::from_str(&load("slow-consumer-retention").to_json()).unwrap();
    for a in v["timeline"].as_array_mut().unwrap() {
        if a["action"] == "produce" {
            a["count"] = 20.into();
        }
    }
    let sim = run_checking_invariants(&Scenario::from_json(&v.to_string()).unwrap());
    let start = sim.model.leader_log(CLICKS).unwrap().log_start_offset();
    assert!(start >= 200, "retention deleted more than a chunk' worth: {start}");
    let forgotten = sim.checker.records.first_index();
    assert!(forgotten >= 128 && forgotten as u64 <= start, "tracks below {forgotten} dropped (log start {start})");
    let kinds: Vec<&str> = sim.checker.anomalies().map(|a| a.kind.name()).collect();
    assert_eq!(kinds, vec!["poll-skip"], "forgetting changes no verdict");
    // The world's record table (producer, key, partition of every record sent) follows.
    assert_eq!(sim.model.records.first_index(), forgotten, "the world drops the same records");
    assert_eq!(sim.model.records.len(), 480, "record numbering goes on");
}

#[test]
fn a_pipeline_keeps_the_whole_record_table() {
    // A pipeline looks up its input's key in the table when it writes the output.
    let mut v: Value = serde_json::from_str(&load("pipeline-exactly-once").to_json()).unwrap();
    for t in v["topics"].as_array_mut().unwrap() {
        t["config"] = serde_json::json!({"retention.ms": 1000, "segment.ms": 500});
    }
    for a in v["timeline"].as_array_mut().unwrap() {
        if a["action"] == "produce" {
            a["count"] = 300.into();
        }
    }
    v["cluster"]["config"]["log.retention.check.interval.ms"] = 1000.into();
    v["expect"] = Value::Null;
    v["duration_ms"] = 60_000.into(); // the first retention check is 30 s after start
    let sim = run_checking_invariants(&Scenario::from_json(&v.to_string()).unwrap());
    assert!(sim.checker.records.first_index() > 0, "the checker forgot some records");
    assert_eq!(sim.model.records.first_index(), 0, "the world kept them all");
}
