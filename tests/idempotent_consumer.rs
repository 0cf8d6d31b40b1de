//! K21, the idempotent consumer: Kafka delivers a batch twice after a crash between
//! auto-commits; with `sim.dedup: processed-ids` the application skips every record whose id
//! its processed-ids table already holds, so each record is processed once.
use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::config::DedupPolicy;
use highwater::kafka::notes::Note;
use highwater::kafka::types::RecordId;

mod common;
use common::{anomaly_records, load, notes};

fn processed_and_skipped(s: highwater::scenario::Scenario) -> (Vec<RecordId>, Vec<RecordId>) {
    let (_, all) = notes(s);
    let mut processed = Vec::new();
    let mut skipped = Vec::new();
    for (_, n) in all {
        match n {
            Note::RecordProcessed { record, .. } => processed.push(record),
            Note::DuplicateSkipped { record, .. } => skipped.push(record),
            _ => {}
        }
    }
    (processed, skipped)
}

#[test]
fn the_redelivered_batch_is_skipped_not_processed_again() {
    let s = load("idempotent-consumer");
    let (mut processed, mut skipped) = processed_and_skipped(s.clone());
    // Every record is processed exactly once...
    let all = processed.len();
    processed.sort();
    processed.dedup();
    assert_eq!(processed.len(), all, "no record processed twice");
    assert_eq!(processed, (0..12).map(RecordId).collect::<Vec<_>>());
    // ...though Kafka delivered the second batch (records 6..12) twice: each was skipped once.
    skipped.sort();
    assert_eq!(skipped, (6..12).map(RecordId).collect::<Vec<_>>());
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    assert_eq!(sim.checker.anomalies().count(), 0);
}

#[test]
fn without_the_table_the_same_run_processes_exactly_those_records_twice() {
    let mut s = load("idempotent-consumer");
    s.consumers[0].config.dedup = DedupPolicy::None;
    let (_, skipped) = processed_and_skipped(s.clone());
    assert!(skipped.is_empty());
    let mut twice = anomaly_records(&s, AnomalyKind::DuplicateProcessing);
    twice.sort();
    assert_eq!(twice, (6..12).collect::<Vec<_>>());
}

#[test]
fn the_table_is_the_groups_so_another_member_skips_what_the_first_processed() {
    // Two members share the table: billing-2 takes over billing-1's partition after its
    // crash and skips what billing-1 processed but never committed.
    let mut s = load("idempotent-consumer");
    let mut second = s.consumers[0].clone();
    second.name = "billing-2".into();
    second.start_ms = 10_000;
    s.consumers.push(second);
    s.timeline.retain(|a| !format!("{a:?}").contains("ConsumerRestart"));
    let (processed, skipped) = processed_and_skipped(s.clone());
    assert!(!skipped.is_empty(), "billing-2 was handed records billing-1 had processed");
    let mut once = processed.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), processed.len(), "no record processed twice");
}
