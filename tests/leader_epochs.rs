//! K5, leader epochs prevent divergence: with `legacy.truncate.to.high.watermark` a follower
//! truncates to its own (one fetch late) high watermark when the leader changes, and two quick
//! leader failures lose acknowledged records; with leader epochs the same faults lose nothing.
use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::notes::Note;
use highwater::kafka::types::BrokerId;

mod common;
use common::{anomaly_records, load, notes};

/// Every truncation of the run: (time, broker, offset, how many records it removed).
fn truncations(id: &str) -> Vec<(u64, u32, u64, usize)> {
    let (_, all) = notes(load(id));
    all.into_iter()
        .filter_map(|(t, n)| match n {
            Note::Truncated { broker, offset, removed, .. } => Some((t, broker.0, offset, removed.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn legacy_truncation_to_the_lagging_hw_loses_the_acknowledged_payments() {
    let s = load("leader-epoch-legacy-truncation");
    let lost = anomaly_records(&s, AnomalyKind::LostWrite);
    assert_eq!(lost, [0, 1, 2, 3, 4], "the five acknowledged payments");
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    // Broker 3 truncated to HW 0 the moment it followed broker 2 (before any fetch), then
    // brokers 1 and 2 did the same when they came back to follow broker 3.
    let cuts = truncations("leader-epoch-legacy-truncation");
    let who: Vec<(u32, u64, usize)> = cuts.iter().map(|c| (c.1, c.2, c.3)).collect();
    assert_eq!(who, [(3, 0, 5), (1, 0, 5), (2, 0, 5)]);
    // The new payment took offset 0 on the last leader.
    let log = &sim.model.broker(BrokerId(3)).replicas.values().next().unwrap().log;
    assert_eq!(log.records().map(|r| r.id.0).collect::<Vec<_>>(), [5]);
}

#[test]
fn leader_epochs_keep_every_payment_under_the_same_faults() {
    let s = load("leader-epoch-truncation");
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    assert_eq!(sim.checker.anomalies().count(), 0);
    assert!(truncations("leader-epoch-truncation").is_empty(), "no replica truncated anything");
    for b in 1..=3 {
        let log = &sim.model.broker(BrokerId(b)).replicas.values().next().unwrap().log;
        let ids: Vec<u64> = log.records().map(|r| r.id.0).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5], "broker {b}");
    }
}

#[test]
fn the_two_files_differ_only_in_the_legacy_switch_and_the_words() {
    let (legacy, today) = (load("leader-epoch-legacy-truncation"), load("leader-epoch-truncation"));
    assert!(legacy.cluster.config.legacy_truncate_to_high_watermark);
    assert!(!today.cluster.config.legacy_truncate_to_high_watermark);
    let actions = |s: &highwater::scenario::Scenario| {
        s.timeline.iter().map(|a| format!("{a:?}")).filter(|a| !a.contains("Narrat")).collect::<Vec<_>>()
    };
    assert_eq!(actions(&legacy), actions(&today));
}
