//! Every example scenario gives the verdict it states, natively, through the same code the
//! CLI uses; and the classic outcomes hold in detail (which records, which steps).
use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::notes::Note;
use highwater::scenario::Scenario;
use highwater::session::Session;

mod common;
use common::{anomaly_records, kinds, load};

#[test]
fn every_example_scenario_gives_its_expected_verdict() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let s = Scenario::from_json(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(expect) = &s.expect else { continue };
        let mut want: Vec<AnomalyKind> = expect.anomalies.iter().map(|a| AnomalyKind::parse(a).unwrap()).collect();
        want.sort();
        assert_eq!(kinds(&s), want, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} scenarios state a verdict");
}

#[test]
fn acks_1_loses_exactly_the_records_only_the_dead_leader_had() {
    let s = load("acks1-leader-failure");
    let lost = anomaly_records(&s, AnomalyKind::LostWrite);
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    // Records 0 and 1 were replicated before the fault; 2, 3 and 4 were acknowledged by
    // broker 1 alone; record 5 was written after the failover.
    assert_eq!(lost, vec![2, 3, 4]);
    let acked: Vec<u64> = sim
        .checker
        .records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.acked_offset.is_some())
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(acked, vec![0, 1, 2, 3, 4, 5], "acks=1 acknowledged every record");
    // Broker 2 took over in epoch 1 and the old leader rejoined it.
    let p = &sim.model.controller.partitions.values().next().unwrap();
    assert_eq!(p.leader.map(|b| b.0), Some(2));
    assert_eq!(p.leader_epoch, 1);
}

#[test]
fn acks_all_with_min_isr_2_keeps_every_acknowledged_record() {
    let s = load("acks-all-leader-failure");
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    assert_eq!(sim.checker.anomalies().count(), 0);
    // Every record was acknowledged in the end, each exactly once in the leader's log.
    let leader = sim.model.broker(highwater::kafka::types::BrokerId(2));
    let log = &leader.replicas.values().next().unwrap().log;
    let ids: Vec<u64> = log.records().map(|r| r.id.0).collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5]);
    assert!(sim.checker.records.iter().all(|r| r.acked_offset.is_some()));
}

#[test]
fn min_insync_replicas_refuses_and_acknowledges_nothing_until_the_isr_recovers() {
    let s = load("not-enough-replicas");
    let mut session = Session::new(s.clone());
    session.seek(u64::MAX);
    let tl = session.timeline();
    let mut errors = Vec::new();
    let mut acked_before_restart = 0;
    let mut failed = 0;
    for i in 1..=tl.horizon() {
        let (rec, notes) = tl.record(i).unwrap();
        for n in notes {
            match n {
                Note::ProduceError { error, .. } => errors.push(*error),
                Note::RecordAcked { .. } if rec.time < 60_000 => acked_before_restart += 1,
                Note::RecordFailed { .. } => failed += 1,
                _ => {}
            }
        }
    }
    use highwater::kafka::types::ErrorCode;
    assert!(errors.contains(&ErrorCode::NotEnoughReplicas), "{errors:?}");
    assert_eq!(acked_before_restart, 0, "nothing is acknowledged while the ISR is below min.insync.replicas");
    assert_eq!(failed, 3, "the first three records fail after delivery.timeout.ms");
    let sim = session.current();
    let final_acked = sim.checker.records.iter().filter(|r| r.acked_offset.is_some()).count();
    assert_eq!(final_acked, 2, "after broker 2 rejoins, writes succeed again");
}

#[test]
fn unclean_election_loses_acknowledged_writes_and_clean_election_does_not() {
    let unclean = load("unclean-leader-election");
    let clean = load("clean-leader-election");
    let u = run_to_end(&unclean, unclean.seed, None, None).unwrap();
    let c = run_to_end(&clean, clean.seed, None, None).unwrap();
    let unclean_notes = u.checker.anomalies().filter(|a| a.kind == AnomalyKind::LostWrite).count();
    assert!(unclean_notes >= 3);
    assert_eq!(c.checker.anomalies().count(), 0);
    let uc = u.model.controller.partitions.values().next().unwrap();
    let cc = c.model.controller.partitions.values().next().unwrap();
    assert_eq!(uc.leader.map(|b| b.0), Some(3), "the lagging replica leads after an unclean election");
    assert_eq!(cc.leader.map(|b| b.0), Some(2), "the last ISR member leads after a clean election");
}

#[test]
fn a_reader_never_sees_an_offset_at_or_above_the_high_watermark() {
    for name in ["acks1-leader-failure", "acks-all-leader-failure", "unclean-leader-election", "clean-leader-election"]
    {
        let s = load(name);
        let mut session = Session::new(s);
        session.seek(u64::MAX);
        let tl = session.timeline();
        let mut reads = 0;
        for i in 1..=tl.horizon() {
            for n in tl.record(i).unwrap().1 {
                if let Note::Read { offset, high_watermark, .. } = n {
                    assert!(offset < high_watermark, "{name}: read {offset} at HW {high_watermark}");
                    reads += 1;
                }
            }
        }
        assert!(reads > 0, "{name}: the reader read something");
    }
}
