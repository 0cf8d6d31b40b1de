//! The producer's classic failures, each caused and then prevented by the right setting,
//! and idempotence under random lost responses.
use highwater::checker::AnomalyKind;
use highwater::kafka::notes::Note;
use highwater::kernel::Prng;
use highwater::scenario::Scenario;
use highwater::session::Session;
use serde_json::json;

mod common;
use common::{kinds, load, notes};

#[test]
fn a_lost_response_and_a_retry_duplicate_unless_the_producer_is_idempotent() {
    assert_eq!(kinds(&load("retry-duplicates")), vec![AnomalyKind::Duplicate]);
    let fixed = load("retry-duplicates-idempotent");
    assert!(kinds(&fixed).is_empty());
    // The broker saw the retry and recognised it.
    let mut s = Session::new(fixed);
    s.seek(u64::MAX);
    let tl = s.timeline();
    let recognised = (1..=tl.horizon())
        .flat_map(|i| tl.record(i).unwrap().1.to_vec())
        .any(|n| matches!(n, Note::DuplicateBatchIgnored { .. }));
    assert!(recognised);
}

#[test]
fn retries_reorder_with_several_in_flight_and_not_with_one_or_idempotence() {
    assert_eq!(kinds(&load("retry-reordering")), vec![AnomalyKind::NonmonotonicSend]);
    assert!(kinds(&load("retry-reordering-one-in-flight")).is_empty());
    assert!(kinds(&load("retry-reordering-idempotent")).is_empty());
}

#[test]
fn acks_0_loses_records_the_producer_counted_as_delivered() {
    assert_eq!(kinds(&load("acks0-leader-failure")), vec![AnomalyKind::LostWrite]);
}

/// Idempotence removes duplicates and reorderings whatever responses and requests are
/// lost (property over random loss patterns); without it the same patterns do produce them.
#[test]
fn idempotence_holds_under_random_lost_messages() {
    let mut without = 0;
    for seed in 0..150 {
        let mut prng = Prng::new(50_000 + seed);
        let mut timeline = Vec::new();
        for i in 0..20u64 {
            timeline.push(json!({"at_ms": 500 + i * 300, "action": "produce", "producer": "app", "topic": "t", "key": format!("k{}", i % 3), "count": 1 + prng.below(3)}));
        }
        for _ in 0..prng.between(1, 4) {
            let at = prng.between(400, 6_000);
            let (from, to, kind) =
                if prng.below(2) == 0 { ("app", "b1", "Produce") } else { ("b1", "app", "ProduceResponse") };
            timeline.push(json!({"at_ms": at, "action": "drop_next", "from": from, "to": to, "kind": kind, "count": prng.between(1, 2)}));
        }
        let make = |idempotent: bool| {
            let text = json!({
                "id": "idem", "title": {"en": "t"}, "seed": seed, "duration_ms": 40000,
                "cluster": {"brokers": 3},
                "topics": [{"name": "t", "partitions": 1, "replication_factor": 3}],
                "producers": [{"name": "app", "config": {"enable.idempotence": idempotent, "request.timeout.ms": 2000}}],
                "timeline": timeline
            });
            Scenario::from_json(&text.to_string()).unwrap()
        };
        let with = kinds(&make(true));
        assert!(with.is_empty(), "seed {seed}: {with:?}\n{}", make(true).to_json());
        if !kinds(&make(false)).is_empty() {
            without += 1;
        }
    }
    assert!(without > 50, "without idempotence only {without} of 150 runs showed duplicates or reordering");
}

#[test]
fn records_without_a_key_stick_to_a_partition_for_a_batch_and_the_rule_is_recorded() {
    let text = json!({
        "id": "sticky", "title": {"en": "t"}, "duration_ms": 5000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": 6, "replication_factor": 1}],
        "producers": [{"name": "app", "config": {"sim.batch.max.records": 4}}],
        "timeline": [
            {"at_ms": 100, "action": "produce", "producer": "app", "topic": "t", "count": 12},
            {"at_ms": 200, "action": "produce", "producer": "app", "topic": "t", "key": "abc", "count": 1},
            {"at_ms": 300, "action": "produce", "producer": "app", "topic": "t", "count": 1, "partition": 5}
        ]
    });
    let mut s = Session::new(Scenario::from_json(&text.to_string()).unwrap());
    s.seek(u64::MAX);
    let tl = s.timeline();
    let sent: Vec<(u32, &'static str)> = (1..=tl.horizon())
        .flat_map(|i| tl.record(i).unwrap().1.to_vec())
        .filter_map(|n| match n {
            Note::RecordSent { tp, rule, .. } => Some((tp.partition, rule)),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 14);
    // Sticky: runs of 4 (batch.size) on one partition each.
    for chunk in sent[..12].chunks(4) {
        assert!(chunk.iter().all(|(p, r)| *p == chunk[0].0 && *r == "sticky"), "{chunk:?}");
    }
    assert_eq!(sent[12], (3, "key (murmur2)"), "murmur2(\"abc\") % 6 = 3");
    assert_eq!(sent[13], (5, "explicit"));
}

#[test]
fn records_waiting_for_a_leader_fail_after_delivery_timeout() {
    let text = json!({
        "id": "expire", "title": {"en": "t"}, "duration_ms": 30000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 1, "assignment": [[2]]}],
        "producers": [{"name": "app", "config": {"delivery.timeout.ms": 5000}}],
        "timeline": [
            {"at_ms": 100, "action": "produce", "producer": "app", "topic": "t", "key": "warm-up", "count": 1},
            {"at_ms": 1000, "action": "crash", "broker": 2},
            {"at_ms": 12000, "action": "produce", "producer": "app", "topic": "t", "key": "k", "count": 2}
        ]
    });
    let mut s = Session::new(Scenario::from_json(&text.to_string()).unwrap());
    s.seek(u64::MAX);
    let tl = s.timeline();
    let failed: Vec<u64> = (1..=tl.horizon())
        .flat_map(|i| {
            let (rec, notes) = tl.record(i).unwrap();
            notes.iter().filter(|n| matches!(n, Note::RecordFailed { .. })).map(move |_| rec.time).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(failed.len(), 2, "both records expire");
    assert!(failed.iter().all(|t| (17_000..17_500).contains(t)), "{failed:?}: 5 s after they were sent at 12 s");
}

#[test]
fn fire_and_forget_loses_failures_silently_while_sync_and_callbacks_see_them() {
    assert_eq!(kinds(&load("fire-and-forget-loss")), vec![AnomalyKind::LostWrite]);
    let sync = load("sync-send-sees-failures");
    assert!(kinds(&sync).is_empty());
    let (_, ns) = notes(sync);
    let seen: Vec<&'static str> = ns
        .iter()
        .filter_map(|(_, n)| match n {
            Note::ProducerError { error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    assert_eq!(seen, vec!["ExecutionException"], "send().get() throws once, for the record that timed out");
    // A sync application sends one record at a time: each RecordSent comes after the
    // previous record's result.
    let sent: Vec<u64> = ns.iter().filter_map(|(t, n)| matches!(n, Note::RecordSent { .. }).then_some(*t)).collect();
    let done: Vec<u64> = ns
        .iter()
        .filter_map(|(t, n)| matches!(n, Note::RecordAcked { .. } | Note::RecordFailed { .. }).then_some(*t))
        .collect();
    assert_eq!(sent.len(), 5);
    for (i, t) in sent.iter().enumerate().skip(1) {
        assert!(*t >= done[i - 1], "record {i} sent at {t}, before the previous result at {}", done[i - 1]);
    }
    // After the timed-out record, the idempotent producer starts its sequences over
    // (a new producer id): the next records are written, not rejected as out of order.
    assert!(!ns.iter().any(|(_, n)| matches!(
        n,
        Note::RecordFailed { error: highwater::kafka::types::ErrorCode::OutOfOrderSequenceNumber, .. }
    )));
}

#[test]
fn a_full_buffer_blocks_send_until_max_block_ms_then_fails() {
    // The only replica's broker is down: records pile up in buffer.memory (10 records of
    // 100 bytes); send() blocks, and after max.block.ms the blocked call fails.
    let text = json!({
        "id": "buffer", "title": {"en": "t"}, "duration_ms": 20000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 1, "assignment": [[2]]}],
        "producers": [{"name": "app", "config": {"buffer.memory": 1000, "max.block.ms": 2000, "delivery.timeout.ms": 60000, "request.timeout.ms": 30000}}],
        "timeline": [
            {"at_ms": 500, "action": "crash", "broker": 2},
            {"at_ms": 1000, "action": "produce", "producer": "app", "topic": "t", "count": 12}
        ]
    });
    let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
    let sent: Vec<u64> = ns.iter().filter_map(|(t, n)| matches!(n, Note::RecordSent { .. }).then_some(*t)).collect();
    assert_eq!(sent.len(), 12);
    // send() first waits for the topic's metadata (a few ms), then ten fit in the buffer.
    let start = sent[0];
    assert!(start > 1000 && start < 1100 && sent[..10].iter().all(|t| *t == start), "ten fit in the buffer: {sent:?}");
    let exhausted: Vec<u64> = ns
        .iter()
        .filter_map(|(t, n)| matches!(n, Note::ProducerError { error: "BufferExhaustedException", .. }).then_some(*t))
        .collect();
    assert_eq!(exhausted, vec![start + 2000, start + 4000], "the 11th call blocks 2 s and fails; then the 12th");
}

/// send() waits for the topic's metadata before the partitioner runs, so a producer's first
/// record without a key goes to a partition with a leader, never to one whose only replica
/// is down (Kafka's `waitOnMetadata`, then `availablePartitionsForTopic`).
#[test]
fn the_first_sticky_partition_has_a_leader() {
    for seed in 1..=24 {
        let text = json!({
            "id": "first-sticky", "title": {"en": "t"}, "duration_ms": 16000, "seed": seed,
            "cluster": {"brokers": 3, "controller_voters": [1]},
            "topics": [{"name": "orders", "partitions": 3, "replication_factor": 1, "assignment": [[1], [2], [3]]}],
            "producers": [{"name": "shop", "config": {"acks": "1"}}],
            "timeline": [
                {"at_ms": 100, "action": "crash", "broker": 2},
                {"at_ms": 12000, "action": "produce", "producer": "shop", "topic": "orders", "count": 1}
            ]
        });
        let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
        let (t, tp) = ns
            .iter()
            .find_map(|(t, n)| match n {
                Note::RecordSent { tp, .. } => Some((*t, *tp)),
                _ => None,
            })
            .expect("sent");
        assert!(t > 12_000, "seed {seed}: partitioned once metadata arrived, not at the call ({t})");
        assert_ne!(tp.partition, 1, "seed {seed}: orders-1 has no leader (broker 2 is down)");
        assert!(ns.iter().any(|(_, n)| matches!(n, Note::RecordAcked { .. })), "seed {seed}");
    }
}

/// With no metadata (the producer cut off from every broker), send() gives up after
/// max.block.ms with Kafka's TimeoutException, and the calls behind it wait their own turn.
#[test]
fn send_without_metadata_fails_after_max_block_ms() {
    let text = json!({
        "id": "no-metadata", "title": {"en": "t"}, "duration_ms": 10000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "orders", "partitions": 3, "replication_factor": 3}],
        "producers": [{"name": "shop", "config": {"max.block.ms": 2000}}],
        "timeline": [
            {"at_ms": 0, "action": "isolate", "node": "shop"},
            {"at_ms": 100, "action": "produce", "producer": "shop", "topic": "orders", "count": 2}
        ]
    });
    let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
    let timeouts: Vec<u64> = ns
        .iter()
        .filter(|(_, n)| matches!(n, Note::ProducerError { error: "TimeoutException", .. }))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(timeouts, vec![2100, 4100], "each blocked send() waits max.block.ms in turn");
    assert_eq!(ns.iter().filter(|(_, n)| matches!(n, Note::RecordFailed { .. })).count(), 2);
}
