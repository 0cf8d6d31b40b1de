//! Transactions as Kafka runs them: markers, the last stable offset, read_committed,
//! zombie fencing by epoch, crashes of the producer, of the transaction coordinator and
//! of a partition leader mid-transaction, and exactly-once pipelines.
use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::message::ControlType;
use highwater::kafka::notes::Note;
use highwater::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use highwater::kernel::Prng;
use highwater::scenario::Scenario;
use highwater::session::Session;
use serde_json::{json, Value};

mod common;
use common::{kinds, load, notes, random_faults};

/// One data partition led by broker 1 (replicas 1, 2, 3), a transactional producer "tx"
/// (transactional.id "bank-1", whose coordinator is the leader of
/// `__transaction_state-2`: broker 3), and a read_committed reader.
fn txn_scenario(producer_config: Value, timeline: Value, duration_ms: u64) -> Scenario {
    let mut config = json!({"transactional.id": "bank-1"});
    for (k, v) in producer_config.as_object().unwrap() {
        config[k] = v.clone();
    }
    let text = json!({
        "id": "txn-test", "title": {"en": "t"}, "duration_ms": duration_ms,
        "cluster": {"brokers": 3},
        "topics": [{"name": "payments", "partitions": 1, "replication_factor": 3, "assignment": [[1, 2, 3]]}],
        "producers": [{"name": "tx", "config": config}],
        "readers": [{"name": "committed", "topic": "payments", "config": {"isolation.level": "read_committed"}},
                    {"name": "uncommitted", "topic": "payments"}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).unwrap()
}

fn reads(ns: &[(u64, Note)], reader: u32) -> Vec<RecordId> {
    ns.iter()
        .filter_map(|(_, n)| match n {
            Note::Read { reader: r, record, .. } if *r == reader => Some(*record),
            _ => None,
        })
        .collect()
}

fn markers(ns: &[(u64, Note)]) -> Vec<(u64, BrokerId, bool, Vec<RecordId>)> {
    ns.iter()
        .filter_map(|(t, n)| match n {
            Note::TxnMarker { broker, commit, records, tp, .. } if tp.topic == 0 => {
                Some((*t, *broker, *commit, records.clone()))
            }
            _ => None,
        })
        .collect()
}

fn ids(v: &[u64]) -> Vec<RecordId> {
    v.iter().map(|i| RecordId(*i)).collect()
}

const DATA: Tp = Tp { topic: 0, partition: 0 };

#[test]
fn the_lso_holds_read_committed_back_until_the_transaction_ends() {
    let s = txn_scenario(
        json!({}),
        json!([
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 4000, "action": "commit_transaction", "producer": "tx"}
        ]),
        8_000,
    );
    let mut session = Session::new(s);
    session.seek(u64::MAX);
    // Mid-transaction: the records are replicated (HW 3) but not stable (LSO 0).
    let step = session.timeline().records().filter(|r| r.time <= 3_000).map(|r| r.index).max().unwrap();
    session.seek(step);
    let log = &session.timeline().current().model.broker(BrokerId(1)).replicas[&DATA].log;
    assert_eq!(log.high_watermark(), 3);
    assert_eq!(log.last_stable_offset(), 0, "the open transaction starts at offset 0");
    assert_eq!(log.ongoing_transactions().count(), 1);
    let (_, ns) = notes(session.scenario().clone());
    let read_committed: Vec<u64> =
        ns.iter().filter_map(|(t, n)| matches!(n, Note::Read { reader: 0, .. }).then_some(*t)).collect();
    let read_uncommitted: Vec<u64> =
        ns.iter().filter_map(|(t, n)| matches!(n, Note::Read { reader: 1, .. }).then_some(*t)).collect();
    assert!(
        read_uncommitted.iter().all(|t| *t < 2_000),
        "read_uncommitted reads up to the HW at once: {read_uncommitted:?}"
    );
    assert_eq!(read_committed.len(), 3);
    assert!(
        read_committed.iter().all(|t| *t >= 4_000),
        "read_committed waits for the COMMIT marker: {read_committed:?}"
    );
    let m = markers(&ns);
    assert_eq!(m.len(), 1);
    assert!(m[0].2, "a COMMIT marker");
    assert_eq!(m[0].3, ids(&[0, 1, 2]));
    // After the marker: LSO = HW, and the marker took offset 3.
    session.seek(u64::MAX);
    let log = &session.timeline().current().model.broker(BrokerId(1)).replicas[&DATA].log;
    assert_eq!(log.get(3).unwrap().control, Some(ControlType::Commit));
    assert_eq!(log.last_stable_offset(), log.high_watermark());
    assert_eq!(log.high_watermark(), 4);
}

#[test]
fn aborted_reads_follow_the_isolation_level() {
    assert_eq!(kinds(&load("transaction-aborted-read")), vec![AnomalyKind::AbortedRead]);
    assert_eq!(kinds(&load("transaction-read-committed")), vec![]);
    // The same run, read both ways.
    let s = txn_scenario(
        json!({}),
        json!([
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 3000, "action": "abort_transaction", "producer": "tx"},
            {"at_ms": 4000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 4000, "action": "produce", "producer": "tx", "topic": "payments", "count": 2},
            {"at_ms": 4000, "action": "commit_transaction", "producer": "tx"}
        ]),
        8_000,
    );
    let (session, ns) = notes(s);
    assert_eq!(reads(&ns, 0), ids(&[3, 4]), "read_committed: only the committed transaction");
    assert_eq!(reads(&ns, 1), ids(&[0, 1, 2, 3, 4]), "read_uncommitted: the aborted records too, never the markers");
    let log = &session.timeline().current().model.broker(BrokerId(1)).replicas[&DATA].log;
    assert!((0..3).all(|o| log.is_aborted(o)));
    assert!(!log.is_aborted(4));
    assert_eq!(log.get(3).unwrap().control, Some(ControlType::Abort));
    let aborted: Vec<_> =
        session.timeline().current().checker.anomalies().filter(|a| a.kind == AnomalyKind::AbortedRead).collect();
    assert_eq!(aborted.len(), 3, "one per aborted record, all by the read_uncommitted reader");
    assert!(aborted.iter().all(|a| a.detail.starts_with("uncommitted ")), "{aborted:?}");
}

#[test]
fn a_producer_that_crashes_mid_transaction_is_aborted_after_its_timeout() {
    let s = txn_scenario(
        json!({"transaction.timeout.ms": 10000}),
        json!([
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 2000, "action": "producer_crash", "producer": "tx"}
        ]),
        30_000,
    );
    let (session, ns) = notes(s);
    let fenced: Vec<_> = ns.iter().filter(|(_, n)| matches!(n, Note::TxnFenced { .. })).collect();
    assert_eq!(fenced.len(), 1, "{fenced:?}");
    let (t, Note::TxnFenced { reason, producer_epoch, .. }) = fenced[0] else { unreachable!() };
    assert!(reason.contains("transaction.timeout.ms"), "{reason}");
    assert_eq!(*producer_epoch, 1, "the timeout bumps the epoch (fencing the producer if it comes back)");
    // Checked every 10 s (transaction.abort.timed.out.transaction.cleanup.interval.ms):
    // the first check after start + 10 s.
    assert!(*t > 11_000 && *t <= 21_000, "aborted at {t}");
    let m = markers(&ns);
    assert_eq!(m.len(), 1);
    assert!(!m[0].2, "an ABORT marker");
    assert_eq!(reads(&ns, 0), vec![], "read_committed never sees the records");
    let log = &session.timeline().current().model.broker(BrokerId(1)).replicas[&DATA].log;
    assert_eq!(log.last_stable_offset(), log.high_watermark(), "the LSO moves on after the abort");
}

#[test]
fn a_restarted_producer_fences_its_old_epoch_and_aborts_the_open_transaction() {
    let s = txn_scenario(
        json!({}),
        json!([
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 2000, "action": "producer_crash", "producer": "tx"},
            {"at_ms": 3000, "action": "producer_restart", "producer": "tx"},
            {"at_ms": 3000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 3000, "action": "produce", "producer": "tx", "topic": "payments", "count": 2},
            {"at_ms": 3000, "action": "commit_transaction", "producer": "tx"}
        ]),
        10_000,
    );
    let (session, ns) = notes(s);
    let inits: Vec<_> = ns
        .iter()
        .filter_map(|(_, n)| match n {
            Note::TxnStateChanged { state: "Empty", producer_epoch, .. } => Some(*producer_epoch),
            _ => None,
        })
        .collect();
    assert_eq!(inits, vec![0, 2], "epoch 0, then 1 for the fencing abort, then 2 for the new producer");
    let m = markers(&ns);
    assert_eq!(
        m.iter().map(|x| (x.2, x.3.clone())).collect::<Vec<_>>(),
        vec![(false, ids(&[0, 1, 2])), (true, ids(&[3, 4]))]
    );
    assert_eq!(reads(&ns, 0), ids(&[3, 4]));
    // CONCURRENT_TRANSACTIONS while the old transaction was being aborted, then success.
    let concurrent =
        ns.iter().any(|(_, n)| matches!(n, Note::TxnClient { call: "initTransactions()", outcome: "ok", .. }));
    assert!(concurrent);
    // Only the read_uncommitted reader saw the aborted records.
    let found: Vec<_> = session.timeline().current().checker.anomalies().map(|a| (a.kind, a.detail.clone())).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|(k, d)| *k == AnomalyKind::AbortedRead && d.starts_with("uncommitted ")), "{found:?}");
}

#[test]
fn a_zombie_producer_is_fenced_by_the_epoch() {
    let (session, ns) = notes(load("zombie-producer-fenced"));
    let old_errors: Vec<&str> = ns
        .iter()
        .filter_map(|(_, n)| match n {
            Note::ProducerError { producer: 0, error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    assert_eq!(old_errors.last(), Some(&"ProducerFencedException"), "{old_errors:?}");
    let produce_errors: Vec<ErrorCode> = ns
        .iter()
        .filter_map(|(_, n)| match n {
            Note::ProduceError { producer: 0, error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    assert_eq!(
        produce_errors,
        vec![ErrorCode::InvalidProducerEpoch],
        "the partition saw the higher epoch in the ABORT marker"
    );
    let old = &session.timeline().current().model.producers[0];
    assert!(matches!(
        old.txn.as_ref().unwrap().state,
        highwater::kafka::txn_client::TxnClientState::Fatal(ErrorCode::ProducerFenced)
    ));
    // The auditor (read_committed) reads only what the new producer committed.
    let readers = reads(&ns, 0);
    assert!(
        readers.iter().all(|r| session.timeline().current().model.records.get(r.0 as usize).unwrap().producer == 1),
        "{readers:?}"
    );
    assert_eq!(readers.len(), 2);
    assert!(session.timeline().current().checker.anomalies().next().is_none());
}

#[test]
fn a_coordinator_crash_after_prepare_commit_still_completes_the_commit() {
    // The first WriteTxnMarkers is lost, and the coordinator (broker 3) crashes before
    // it retries: the new coordinator finds PrepareCommit in __transaction_state and
    // writes the markers itself.
    let s = txn_scenario(
        json!({}),
        json!([
            {"at_ms": 0, "action": "drop_next", "from": "b3", "to": "b1", "kind": "WriteTxnMarkers", "count": 1},
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 2000, "action": "commit_transaction", "producer": "tx"},
            {"at_ms": 2200, "action": "crash", "broker": 3}
        ]),
        25_000,
    );
    let (session, ns) = notes(s);
    let committed_at = ns.iter().find_map(|(t, n)| {
        matches!(n, Note::TxnClient { call: "commitTransaction()", outcome: "committed", .. }).then_some(*t)
    });
    assert!(
        committed_at.is_some_and(|t| t < 2_200),
        "the producer's commit returned after PrepareCommit: {committed_at:?}"
    );
    let loaded = ns.iter().find_map(|(t, n)| match n {
        Note::TxnLoaded { broker, state: "PrepareCommit", .. } => Some((*t, *broker)),
        _ => None,
    });
    let (load_time, new_coordinator) = loaded.expect("a new coordinator loaded the half-done commit");
    assert_ne!(new_coordinator, BrokerId(3));
    let m = markers(&ns);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].2 && m[0].0 >= load_time, "the COMMIT marker came from the new coordinator: {m:?}");
    assert_eq!(reads(&ns, 0), ids(&[0, 1, 2]));
    let complete = ns.iter().any(|(_, n)| matches!(n, Note::TxnStateChanged { state: "CompleteCommit", broker, .. } if *broker == new_coordinator));
    assert!(complete);
    assert!(session.timeline().current().checker.anomalies().next().is_none());
}

#[test]
fn a_partition_leader_crash_mid_transaction_loses_nothing() {
    let s = txn_scenario(
        json!({}),
        json!([
            {"at_ms": 1000, "action": "begin_transaction", "producer": "tx"},
            {"at_ms": 1000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
            {"at_ms": 1500, "action": "crash", "broker": 1},
            {"at_ms": 2000, "action": "produce", "producer": "tx", "topic": "payments", "count": 2},
            {"at_ms": 2000, "action": "commit_transaction", "producer": "tx"}
        ]),
        30_000,
    );
    let (session, ns) = notes(s);
    let m = markers(&ns);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].2 && m[0].1 != BrokerId(1), "the new leader wrote the COMMIT marker: {m:?}");
    assert_eq!(m[0].3, ids(&[0, 1, 2, 3, 4]));
    assert_eq!(reads(&ns, 0), ids(&[0, 1, 2, 3, 4]), "each record once, in order");
    assert!(
        session.timeline().current().checker.anomalies().next().is_none(),
        "{:?}",
        session.timeline().current().checker.anomalies().collect::<Vec<_>>()
    );
}

#[test]
fn exactly_once_pipeline_survives_a_crash_that_at_least_once_does_not() {
    assert_eq!(
        kinds(&load("pipeline-duplicates")),
        vec![AnomalyKind::DuplicateProcessing, AnomalyKind::DuplicateOutput]
    );
    assert_eq!(kinds(&load("pipeline-exactly-once")), vec![]);
    let (session, ns) = notes(load("pipeline-exactly-once"));
    // Every order has exactly one invoice visible to accounting, and the group's offset
    // was committed by the transaction.
    let read = reads(&ns, 0);
    let mut sources: Vec<u64> = read
        .iter()
        .map(|r| session.timeline().current().model.records.get(r.0 as usize).unwrap().source.unwrap().0)
        .collect();
    sources.sort();
    assert_eq!(sources, (0..6).collect::<Vec<_>>());
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::OffsetCommitted { offset: 6, .. })));
}

/// A pipeline that crashes at any moment, restarts, and goes on: with transactions and
/// read_committed, the reader never sees two outputs of one input, nor an aborted one.
#[test]
fn exactly_once_pipeline_under_random_crashes() {
    let mut duplicates_without_transactions = 0;
    for seed in 0..60 {
        let mut prng = Prng::new(40_000 + seed);
        let crash = prng.between(3_000, 9_000);
        let restart = crash + prng.between(100, 3_000);
        let second = restart + prng.between(500, 6_000);
        let run = |transactional: bool| {
            let (consumer_config, producer, reader) = if transactional {
                (
                    json!({"isolation.level": "read_committed"}),
                    json!({"transactional.id": "etl-1"}),
                    json!({"isolation.level": "read_committed"}),
                )
            } else {
                (json!({"sim.commit": "sync-after-processing"}), json!({}), json!({}))
            };
            let mut config = json!({"auto.offset.reset": "earliest", "enable.auto.commit": false, "session.timeout.ms": 6000, "sim.processing.ms.per.record": 100});
            for (k, v) in consumer_config.as_object().unwrap() {
                config[k] = v.clone();
            }
            let text = json!({
                "id": format!("eos-{seed}"), "title": {"en": "t"}, "seed": seed, "duration_ms": 40_000,
                "cluster": {"brokers": 3},
                "topics": [{"name": "in", "partitions": 2, "replication_factor": 3}, {"name": "out", "partitions": 2, "replication_factor": 3}],
                "producers": [{"name": "src"}],
                "consumers": [{"name": "etl", "group": "etl", "topics": ["in"], "config": config, "transform": {"to": "out", "config": producer}}],
                "readers": [{"name": "sink", "topic": "out", "config": reader}],
                "timeline": [
                    {"at_ms": 2500, "action": "produce", "producer": "src", "topic": "in", "count": 20},
                    {"at_ms": 6000, "action": "produce", "producer": "src", "topic": "in", "count": 20},
                    {"at_ms": crash, "action": "consumer_crash", "consumer": "etl"},
                    {"at_ms": restart, "action": "consumer_restart", "consumer": "etl"},
                    {"at_ms": second, "action": "consumer_crash", "consumer": "etl"},
                    {"at_ms": second + 500, "action": "consumer_restart", "consumer": "etl"}
                ]
            });
            let s = Scenario::from_json(&text.to_string()).unwrap();
            let sim = run_to_end(&s, s.seed, None, None).unwrap();
            let found: Vec<AnomalyKind> = sim.checker.anomalies().map(|a| a.kind).collect();
            let outputs = sim.model.readers[0].records_read;
            (found, outputs, s)
        };
        let (found, outputs, s) = run(true);
        let bad: Vec<_> = found
            .iter()
            .filter(|k| matches!(k, AnomalyKind::DuplicateOutput | AnomalyKind::AbortedRead | AnomalyKind::LostWrite))
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {bad:?}\n{}", s.to_json());
        assert_eq!(outputs, 40, "seed {seed}: every input has its output, once\n{}", s.to_json());
        let (found, _, _) = run(false);
        if found.contains(&AnomalyKind::DuplicateOutput) {
            duplicates_without_transactions += 1;
        }
    }
    assert!(
        duplicates_without_transactions > 20,
        "at-least-once duplicated outputs in only {duplicates_without_transactions} of 60 cases"
    );
}

/// Transactions under random broker crashes, partitions and message loss: the engine's
/// invariants hold, a read_committed reader never reads aborted data, and every
/// transaction the producer saw commit is read exactly once, in order.
#[test]
fn transactions_under_random_faults() {
    let mut committed_total = 0;
    let mut aborted_total = 0;
    for seed in 0..250 {
        let mut prng = Prng::new(50_000 + seed);
        let (faults, healed) = random_faults(&mut prng, false);
        let mut timeline: Vec<Value> = Vec::new();
        let mut t = 500;
        while t < 9_000 {
            timeline.push(json!({"at_ms": t, "action": "begin_transaction", "producer": "tx"}));
            timeline.push(json!({"at_ms": t, "action": "produce", "producer": "tx", "topic": "payments", "key": format!("k{}", t % 5), "count": prng.between(1, 4)}));
            let end = if prng.chance(highwater::kernel::Ratio::new(1, 4)) {
                "abort_transaction"
            } else {
                "commit_transaction"
            };
            timeline.push(json!({"at_ms": t + 300, "action": end, "producer": "tx"}));
            t += prng.between(500, 1_500);
        }
        timeline.extend(faults);
        // Sometimes the producer's process dies too, and comes back (or not).
        if prng.chance(highwater::kernel::Ratio::new(1, 3)) {
            let at = prng.between(1_000, 8_000);
            timeline.push(json!({"at_ms": at, "action": "producer_crash", "producer": "tx"}));
            if prng.chance(highwater::kernel::Ratio::new(2, 3)) {
                timeline.push(
                    json!({"at_ms": at + prng.between(100, 3_000), "action": "producer_restart", "producer": "tx"}),
                );
            }
        }
        let text = json!({
            "id": format!("txn-faults-{seed}"), "title": {"en": "t"}, "seed": seed, "duration_ms": healed + 70_000,
            "cluster": {"brokers": 3, "config": {"min.insync.replicas": 2}},
            "network": {"latency_ms": 2, "jitter_ms": 3},
            "topics": [{"name": "payments", "partitions": 2, "replication_factor": 3}],
            "producers": [{"name": "tx", "config": {"transactional.id": "tx-1", "transaction.timeout.ms": 20000}}],
            "readers": [{"name": "committed", "topic": "payments", "config": {"isolation.level": "read_committed"}}],
            "timeline": timeline
        });
        let s = Scenario::from_json(&text.to_string()).unwrap();
        let (session, ns) = notes(s.clone());
        let bad: Vec<_> = session
            .timeline()
            .current()
            .checker
            .anomalies()
            .filter(|a| {
                matches!(
                    a.kind,
                    AnomalyKind::AbortedRead
                        | AnomalyKind::LostWrite
                        | AnomalyKind::Duplicate
                        | AnomalyKind::Divergence
                )
            })
            .map(|a| a.detail.clone())
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {bad:?}\n{}", s.to_json());
        // Records the reader got: never twice.
        let read = reads(&ns, 0);
        let mut unique = read.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), read.len(), "seed {seed}: a record read twice\n{}", s.to_json());
        // Every record of a transaction whose commit the producer saw is read.
        let committed_markers: Vec<RecordId> = ns
            .iter()
            .filter_map(|(_, n)| match n {
                Note::TxnMarker { commit: true, records, tp, .. } if tp.topic == 0 => Some(records.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        committed_total += committed_markers.len();
        aborted_total +=
            ns.iter().filter(|(_, n)| matches!(n, Note::TxnMarker { commit: false, tp, .. } if tp.topic == 0)).count();
        for r in &committed_markers {
            assert!(read.contains(r), "seed {seed}: record #{} committed but never read\n{}", r.0, s.to_json());
        }
        // Once healed, every transaction the coordinator knows has completed.
        for b in session.timeline().current().model.brokers.iter().filter(|b| b.is_running()) {
            for (id, e) in &b.txn_coordinator.txns {
                let state = e.meta.state.name();
                assert!(
                    !state.starts_with("Prepare") && state != "Ongoing",
                    "seed {seed}: {id} left {state}\n{}",
                    s.to_json()
                );
            }
        }
        // Once healed, no transaction is left hanging: every LSO caught up with its HW.
        for b in &session.timeline().current().model.brokers {
            for (tp, r) in &b.replicas {
                if r.is_leader && tp.topic == 0 {
                    assert_eq!(
                        r.log.last_stable_offset(),
                        r.log.high_watermark(),
                        "seed {seed}: {tp:?} LSO stuck\n{}",
                        s.to_json()
                    );
                }
            }
        }
    }
    // The schedules do exercise both outcomes.
    assert!(
        committed_total > 1_500 && aborted_total > 150,
        "committed records {committed_total}, abort markers {aborted_total}"
    );
}

/// KIP-447: a pipeline instance that was dropped from its group (GC pause) commits its
/// transaction with its old generation; the group coordinator rejects the offsets, the
/// transaction aborts, and none of its outputs become visible. Without transactions the
/// same pause duplicates outputs.
#[test]
fn a_paused_pipeline_instance_is_fenced_by_its_generation() {
    assert_eq!(
        kinds(&load("pipeline-zombie-duplicates")),
        vec![AnomalyKind::DuplicateProcessing, AnomalyKind::DuplicateOutput]
    );
    let (session, ns) = notes(load("pipeline-zombie-fenced"));
    assert!(session.timeline().current().checker.anomalies().next().is_none());
    let rejected = ns.iter().find_map(|(t, n)| match n {
        Note::CommitRejected { generation: 1, error, .. } => Some((*t, *error)),
        _ => None,
    });
    let (rejected_at, error) = rejected.expect("the zombie's TxnOffsetCommit is rejected");
    assert_eq!(error, ErrorCode::UnknownMemberId);
    // Its transaction aborted: the invoices it wrote before the pause are aborted records.
    let aborted: Vec<RecordId> = ns
        .iter()
        .filter_map(|(t, n)| match n {
            Note::TxnMarker { commit: false, records, tp, .. } if tp.topic == 1 && *t >= rejected_at => {
                Some(records.clone())
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert!(!aborted.is_empty());
    let read = reads(&ns, 0);
    assert!(aborted.iter().all(|r| !read.contains(r)));
    // Every order has one invoice, and accounting could read the ones of orders-0 only
    // after the zombie's transaction ended: it held the LSO back.
    let records = &session.timeline().current().model.records;
    let mut sources: Vec<u64> = read.iter().map(|r| records.get(r.0 as usize).unwrap().source.unwrap().0).collect();
    sources.sort();
    assert_eq!(sources, (0..6).collect::<Vec<_>>());
    let last_read = ns.iter().filter_map(|(t, n)| matches!(n, Note::Read { .. }).then_some(*t)).max().unwrap();
    assert!(last_read >= rejected_at, "reads of invoices-0 waited for the abort");
}

/// A consumer group reads a transactional topic: read_committed processes only committed
/// records and its committed offsets move past the markers (no lag left); read_uncommitted
/// processes the aborted ones too.
#[test]
fn a_read_committed_group_skips_aborted_records_and_commits_past_markers() {
    let run = |isolation: &str| {
        let text = json!({
            "id": "txn-group", "title": {"en": "t"}, "duration_ms": 15000,
            "cluster": {"brokers": 3},
            "topics": [{"name": "payments", "partitions": 1, "replication_factor": 3}],
            "producers": [{"name": "tx", "config": {"transactional.id": "bank-1"}}],
            "consumers": [{"name": "c", "group": "g", "topics": ["payments"],
                           "config": {"auto.offset.reset": "earliest", "enable.auto.commit": false, "sim.commit": "sync-after-processing", "isolation.level": isolation}}],
            "timeline": [
                {"at_ms": 5000, "action": "begin_transaction", "producer": "tx"},
                {"at_ms": 5000, "action": "produce", "producer": "tx", "topic": "payments", "count": 3},
                {"at_ms": 6000, "action": "abort_transaction", "producer": "tx"},
                {"at_ms": 7000, "action": "begin_transaction", "producer": "tx"},
                {"at_ms": 7000, "action": "produce", "producer": "tx", "topic": "payments", "count": 2},
                {"at_ms": 7000, "action": "commit_transaction", "producer": "tx"}
            ]
        });
        notes(Scenario::from_json(&text.to_string()).unwrap())
    };
    let processed = |ns: &[(u64, Note)]| -> Vec<RecordId> {
        ns.iter()
            .filter_map(|(_, n)| match n {
                Note::RecordProcessed { record, .. } => Some(*record),
                _ => None,
            })
            .collect()
    };
    let committed = |ns: &[(u64, Note)]| {
        ns.iter()
            .filter_map(|(_, n)| match n {
                Note::OffsetCommitted { offset, .. } => Some(*offset),
                _ => None,
            })
            .max()
    };
    let (session, ns) = run("read_committed");
    assert_eq!(processed(&ns), ids(&[3, 4]));
    // Log: 0-2 aborted records, 3 ABORT marker, 4-5 committed records, 6 COMMIT marker.
    assert_eq!(committed(&ns), Some(7), "the position moved past the last marker");
    assert!(session.timeline().current().checker.anomalies().next().is_none());
    let (session, ns) = run("read_uncommitted");
    assert_eq!(processed(&ns), ids(&[0, 1, 2, 3, 4]));
    let kinds: Vec<AnomalyKind> = session.timeline().current().checker.anomalies().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AnomalyKind::AbortedRead; 3]);
}

/// Exactly-once end to end while brokers crash, links fail and the pipeline's process
/// dies: no input's output is seen twice or lost by a read_committed reader.
#[test]
fn exactly_once_pipeline_under_random_broker_faults() {
    for seed in 0..60 {
        let mut prng = Prng::new(60_000 + seed);
        let (mut faults, healed) = random_faults(&mut prng, false);
        if prng.chance(highwater::kernel::Ratio::new(1, 2)) {
            let at = prng.between(3_000, 8_000);
            faults.push(json!({"at_ms": at, "action": "consumer_crash", "consumer": "etl"}));
            faults
                .push(json!({"at_ms": at + prng.between(100, 2_000), "action": "consumer_restart", "consumer": "etl"}));
        }
        let mut timeline = vec![
            json!({"at_ms": 2500, "action": "produce", "producer": "src", "topic": "in", "count": 20}),
            json!({"at_ms": 6000, "action": "produce", "producer": "src", "topic": "in", "count": 20}),
            // An application whose producer was fenced (its transaction timed out) stops;
            // its orchestrator starts it again (no effect on a running one).
            json!({"at_ms": healed + 30_000, "action": "consumer_restart", "consumer": "etl"}),
        ];
        timeline.extend(faults);
        let text = json!({
            "id": format!("eos-faults-{seed}"), "title": {"en": "t"}, "seed": seed, "duration_ms": healed + 90_000,
            "cluster": {"brokers": 3, "config": {"min.insync.replicas": 2}},
            "network": {"latency_ms": 2, "jitter_ms": 3},
            "topics": [{"name": "in", "partitions": 2, "replication_factor": 3}, {"name": "out", "partitions": 2, "replication_factor": 3}],
            "producers": [{"name": "src"}],
            "consumers": [{"name": "etl", "group": "etl", "topics": ["in"],
                           "config": {"auto.offset.reset": "earliest", "enable.auto.commit": false, "isolation.level": "read_committed", "session.timeout.ms": 6000, "max.poll.interval.ms": 10000, "sim.processing.ms.per.record": 50},
                           "transform": {"to": "out", "config": {"transactional.id": "etl-1", "transaction.timeout.ms": 15000}}}],
            "readers": [{"name": "sink", "topic": "out", "config": {"isolation.level": "read_committed"}}],
            "timeline": timeline
        });
        let s = Scenario::from_json(&text.to_string()).unwrap();
        let sim = run_to_end(&s, s.seed, None, None).unwrap();
        let bad: Vec<_> = sim
            .checker
            .anomalies()
            .filter(|a| {
                matches!(
                    a.kind,
                    AnomalyKind::DuplicateOutput
                        | AnomalyKind::AbortedRead
                        | AnomalyKind::LostWrite
                        | AnomalyKind::Duplicate
                )
            })
            .map(|a| a.detail.clone())
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {bad:?}\n{}", s.to_json());
        // Every input in the log has exactly one visible output.
        let inputs: u64 = sim
            .model
            .controller
            .partitions
            .values()
            .filter(|st| st.tp.topic == 0)
            .filter_map(|st| sim.model.leader_log(st.tp))
            .map(|l| l.high_watermark())
            .sum();
        assert_eq!(sim.model.readers[0].records_read, inputs, "seed {seed}\n{}", s.to_json());
    }
}

/// A read_committed consumer group reading a transactional topic while brokers fail and a
/// member crashes: it never gets an aborted record, skips nothing it should process, and
/// once everything heals its committed offsets reach the last stable offset (moving past
/// markers and aborted records that poll() never returns).
#[test]
fn a_read_committed_group_under_random_faults_catches_up_to_the_lso() {
    for seed in 0..100 {
        let mut prng = Prng::new(90_000 + seed);
        let (faults, healed) = random_faults(&mut prng, false);
        let mut timeline: Vec<Value> = Vec::new();
        let mut t = 2500;
        while t < 9000 {
            timeline.push(json!({"at_ms": t, "action": "begin_transaction", "producer": "tx"}));
            timeline.push(
                json!({"at_ms": t, "action": "produce", "producer": "tx", "topic": "in", "count": prng.between(1, 4)}),
            );
            let end = if prng.chance(highwater::kernel::Ratio::new(1, 4)) {
                "abort_transaction"
            } else {
                "commit_transaction"
            };
            timeline.push(json!({"at_ms": t + 300, "action": end, "producer": "tx"}));
            t += prng.between(400, 1200);
        }
        timeline.extend(faults);
        if prng.chance(highwater::kernel::Ratio::new(1, 2)) {
            let at = prng.between(3000, 9000);
            timeline.push(json!({"at_ms": at, "action": "consumer_crash", "consumer": "c1"}));
            timeline
                .push(json!({"at_ms": at + prng.between(100, 3000), "action": "consumer_restart", "consumer": "c1"}));
        }
        let consumer = |name: &str| {
            json!({"name": name, "group": "g", "topics": ["in"], "config": {"auto.offset.reset": "earliest", "isolation.level": "read_committed",
                "enable.auto.commit": false, "sim.commit": "sync-after-processing", "session.timeout.ms": 6000, "max.poll.interval.ms": 10000}})
        };
        let text = json!({
            "id": format!("txn-group-{seed}"), "title": {"en": "t"}, "seed": seed, "duration_ms": healed + 90_000,
            "cluster": {"brokers": 3, "config": {"min.insync.replicas": 2}},
            "network": {"latency_ms": 2, "jitter_ms": 3},
            "topics": [{"name": "in", "partitions": 2, "replication_factor": 3}],
            "producers": [{"name": "tx", "config": {"transactional.id": "tx-1", "transaction.timeout.ms": 15000}}],
            "consumers": [consumer("c1"), consumer("c2")],
            "timeline": timeline
        });
        let s = Scenario::from_json(&text.to_string()).unwrap();
        let sim = run_to_end(&s, s.seed, None, None).unwrap();
        let bad: Vec<_> = sim
            .checker
            .anomalies()
            .filter(|a| matches!(a.kind, AnomalyKind::AbortedRead | AnomalyKind::PollSkip | AnomalyKind::LostWrite))
            .map(|a| a.detail.clone())
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {bad:?}\n{}", s.to_json());
        let group = sim.model.brokers.iter().filter(|b| b.is_running()).find_map(|b| b.coordinator.groups.get("g"));
        for st in sim.model.controller.partitions.values().filter(|st| st.tp.topic == 0) {
            let lso = sim.model.leader_log(st.tp).map(|l| l.last_stable_offset()).unwrap_or(0);
            let committed = group.and_then(|g| g.offsets.get(&st.tp)).map(|o| o.0).unwrap_or(0);
            assert_eq!(committed, lso, "seed {seed}: {:?}\n{}", st.tp, s.to_json());
        }
    }
}
