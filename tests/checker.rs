//! Every anomaly kind made to fire end to end: a real run through the engine and the Kafka
//! adapter where the engine can produce it, else (read-above-hw, which the engine never
//! produces: see tests/properties.rs) a crafted note fed through the real `KafkaChecker`.
//! Each test checks the kind and that the step, records and detail fit what happened.
use highwater::checker::{Anomaly, AnomalyKind, RecordRef};
use highwater::cli::run::run_to_end;
use highwater::kafka::notes::Note;
use highwater::kafka::types::{RecordId, Tp};
use highwater::kernel::{Checker, StepKind, StepRecord};
use highwater::scenario::Scenario;
use highwater::session::KafkaSimulation;
use serde_json::{json, Value};

mod common;
use common::load;

const TP0: Tp = Tp { topic: 0, partition: 0 };

fn run(s: &Scenario, seed: u64) -> KafkaSimulation {
    run_to_end(s, seed, None, None).unwrap()
}

fn of_kind(sim: &KafkaSimulation, kind: AnomalyKind) -> Vec<Anomaly> {
    sim.checker.anomalies().filter(|a| a.kind == kind).cloned().collect()
}

/// Offsets of `r` in the current leader's log of `tp`.
fn offsets_of(sim: &KafkaSimulation, tp: Tp, r: RecordRef) -> Vec<u64> {
    let log = sim.model.leader_log(tp).expect("a leader");
    (0..log.log_end_offset()).filter(|o| log.get(*o).is_some_and(|x| x.id.0 == r.0)).collect()
}

/// unclean-leader-election, plus a consumer group and a second producer that writes after
/// broker 3 (out of sync) was elected: broker 3 writes new records at offsets the old
/// leaders had committed.
fn unclean_with_new_writes() -> Scenario {
    let text =
        std::fs::read_to_string(format!("{}/scenarios/unclean-leader-election.json", env!("CARGO_MANIFEST_DIR")));
    let mut v: Value = serde_json::from_str(&text.unwrap()).unwrap();
    v["producers"].as_array_mut().unwrap().push(json!({"name": "late"}));
    v["consumers"] = json!([{"name": "c1", "group": "billing", "topics": ["payments"]}]);
    let late =
        json!({"at_ms": 31000, "action": "produce", "producer": "late", "topic": "payments", "key": "p", "count": 2});
    v["timeline"].as_array_mut().unwrap().push(late);
    v.as_object_mut().unwrap().remove("expect");
    Scenario::from_json(&v.to_string()).unwrap()
}

#[test]
fn lost_write_fires_when_a_new_leader_overwrites_acknowledged_records() {
    let sim = run(&load("acks1-leader-failure"), 1);
    let lost = of_kind(&sim, AnomalyKind::LostWrite);
    assert_eq!(lost.len(), 3);
    assert_eq!(lost[0].records, [RecordRef(2)]);
    assert_eq!(
        lost[0].detail,
        "record #2 (orders-0 offset 2) is gone: it was acknowledged, then broker 2 wrote record #5 at that offset"
    );
    assert_eq!(sim.checker.track(RecordRef(2)).unwrap().acked_offset, Some(2));
    assert!(sim.checker.track(RecordRef(2)).unwrap().lost);
    assert_eq!(sim.model.leader_log(TP0).unwrap().get(2).unwrap().id, RecordId(5));
    assert!(lost.iter().all(|a| offsets_of(&sim, TP0, a.records[0]).is_empty()));
}

#[test]
fn duplicate_fires_for_a_retry_written_twice() {
    let sim = run(&load("retry-duplicates"), 1);
    let dups = of_kind(&sim, AnomalyKind::Duplicate);
    assert_eq!(dups.len(), 3);
    for d in &dups {
        let at = offsets_of(&sim, TP0, d.records[0]);
        assert_eq!(at.len(), 2, "{d:?}");
        assert!(d
            .detail
            .starts_with(&format!("record #{} is at offsets {} and {} of payments-0", d.records[0].0, at[0], at[1])));
    }
}

#[test]
fn nonmonotonic_send_fires_when_a_retry_is_overtaken() {
    let sim = run(&load("retry-reordering"), 1);
    let found = of_kind(&sim, AnomalyKind::NonmonotonicSend);
    assert_eq!(found.len(), 1);
    let (earlier, later) = (found[0].records[0], found[0].records[1]);
    assert!(earlier < later, "{found:?}");
    let tp = Tp::from(found[0].stream);
    assert!(offsets_of(&sim, tp, later)[0] < offsets_of(&sim, tp, earlier)[0], "{found:?}");
    assert!(found[0].detail.contains("a retried batch overtaken by a later one"));
}

#[test]
fn divergence_fires_when_an_unclean_leader_writes_over_a_committed_prefix() {
    let sim = run(&unclean_with_new_writes(), 1);
    let found = of_kind(&sim, AnomalyKind::Divergence);
    assert_eq!(found.len(), 1, "once per partition");
    assert_eq!(found[0].records, [RecordRef(6), RecordRef(2)]);
    assert_eq!(
        found[0].detail,
        "payments-0 offset 2: broker 3 has record #6, broker 1 has record #2, both below their high watermarks"
    );
    // The same step the new leader's record overwrote the acknowledged one.
    let lost = of_kind(&sim, AnomalyKind::LostWrite);
    assert!(lost.iter().any(|a| a.step == found[0].step && a.records == [RecordRef(2)]), "{lost:?}");
    // Without the new writes broker 3 holds only the common prefix: no divergence.
    assert!(of_kind(&run(&load("unclean-leader-election"), 1), AnomalyKind::Divergence).is_empty());
}

#[test]
fn nonmonotonic_hw_fires_when_the_unclean_leader_reports_a_lower_high_watermark() {
    let sim = run(&load("unclean-leader-election"), 1);
    let found = of_kind(&sim, AnomalyKind::NonmonotonicHw);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].detail, "reader saw the high watermark of payments-0 go from 5 back to 2");
    // Before broker 3 was elected (restarted at 25 s) the HW only grew.
    assert!(found[0].time_ms > 25_000, "{found:?}");
}

#[test]
fn nonmonotonic_poll_fires_when_a_reader_is_reset_into_a_rewritten_log() {
    let sim = run(&unclean_with_new_writes(), 1);
    let found = of_kind(&sim, AnomalyKind::NonmonotonicPoll);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].detail, "reader read offset 2 of payments-0 after offset 4");
    assert_eq!(found[0].records, [RecordRef(6)]);
    let divergence = &of_kind(&sim, AnomalyKind::Divergence)[0];
    assert!(found[0].step > divergence.step);
}

#[test]
fn nonmonotonic_commit_fires_when_a_group_commits_below_its_committed_offset() {
    let sim = run(&unclean_with_new_writes(), 1);
    let found = of_kind(&sim, AnomalyKind::NonmonotonicCommit);
    assert_eq!(found.len(), 1);
    assert!(found[0].detail.starts_with("group billing committed payments-0 offset 2 after 5 (by c1-"), "{found:?}");
    // After the unclean election, before broker 3 took the new writes.
    assert!(found[0].time_ms > 25_000 && found[0].time_ms < 31_000, "{found:?}");
}

#[test]
fn read_above_hw_fires_on_a_read_at_the_high_watermark() {
    // The engine never hands a reader such a record, so craft the note: a read at the
    // high watermark the same fetch reported, after a real run.
    let sim = run(&load("acks-all-leader-failure"), 1);
    assert!(of_kind(&sim, AnomalyKind::ReadAboveHw).is_empty());
    let hw = sim.model.leader_log(TP0).unwrap().high_watermark();
    let mut checker = sim.checker.clone();
    let step =
        StepRecord { index: sim.steps() + 1, time: sim.now(), kind: StepKind::Action { label: "crafted".into() } };
    let note = Note::Read { reader: 0, tp: TP0, offset: hw, record: RecordId(99), high_watermark: hw };
    checker.observe(&sim.model, &step, &[note]);
    let found: Vec<&Anomaly> = checker.anomalies().filter(|a| a.kind == AnomalyKind::ReadAboveHw).collect();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].step, found[0].records.as_slice()), (sim.steps() + 1, &[RecordRef(99)][..]));
    let reader = &sim.model.readers[0].name;
    assert_eq!(found[0].detail, format!("{reader} read offset {hw} of orders-0 at high watermark {hw}"));
}

#[test]
fn duplicate_processing_fires_with_the_cause() {
    let sim = run(&load("auto-commit-duplicates"), 1);
    let found = of_kind(&sim, AnomalyKind::DuplicateProcessing);
    assert_eq!(found.len(), 6);
    for a in &found {
        assert!(a.detail.starts_with(&format!("group billing processed record #{} (", a.records[0].0)), "{a:?}");
        assert!(sim.checker.track(a.records[0]).unwrap().reads >= 2, "{a:?}");
    }
}

#[test]
fn poll_skip_fires_for_records_committed_but_never_processed() {
    let sim = run(&load("commit-before-processing"), 1);
    let found = of_kind(&sim, AnomalyKind::PollSkip);
    assert_eq!(found.len(), 1);
    let n = found[0].records.len();
    assert!(n > 0);
    assert!(found[0].detail.contains(&format!("past {n} record(s) it never processed")), "{found:?}");
    assert!(found[0].records.iter().all(|r| sim.checker.track(*r).unwrap().reads == 0), "{found:?}");
}

#[test]
fn aborted_read_fires_for_a_read_uncommitted_reader() {
    let sim = run(&load("transaction-aborted-read"), 1);
    let found = of_kind(&sim, AnomalyKind::AbortedRead);
    assert_eq!(found.len(), 3);
    for a in &found {
        let t = sim.checker.track(a.records[0]).unwrap();
        assert!(t.aborted && t.aborted_read_reported && t.reads > 0, "{a:?}");
    }
}

#[test]
fn duplicate_output_fires_for_two_outputs_of_one_input() {
    let sim = run(&load("pipeline-duplicates"), 1);
    let found = of_kind(&sim, AnomalyKind::DuplicateOutput);
    assert_eq!(found.len(), 4);
    for a in &found {
        assert_eq!(a.records.len(), 2);
        assert_ne!(a.records[0], a.records[1]);
        let source = |r: RecordRef| sim.model.records.get(r.0 as usize).unwrap().source;
        assert_eq!(source(a.records[0]), source(a.records[1]), "{a:?}");
        assert!(a.detail.contains("exactly-once is broken"));
    }
}

#[test]
fn idle_member_notice_fires_when_members_outnumber_partitions() {
    let sim = run(&load("more-consumers-than-partitions"), 1);
    let found: Vec<Anomaly> = sim.checker.anomalies().cloned().collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, AnomalyKind::IdleMember);
    assert!(found[0].kind.is_notice());
    assert!(found[0].detail.starts_with("group billing generation 1: member c4-"), "{found:?}");
    assert!(found[0].detail.ends_with("got no partition (more consumers than partitions)"));
}

#[test]
fn the_json_form_of_an_anomaly_is_unchanged() {
    let sim = run(&load("acks1-leader-failure"), 1);
    let first = sim.checker.anomalies().next().unwrap();
    let v = serde_json::to_value(first).unwrap();
    assert_eq!(
        v,
        json!({"kind": "lost-write", "step": first.step, "time_ms": first.time_ms,
            "tp": {"topic": 0, "partition": 0}, "records": [2],
            "detail": "record #2 (orders-0 offset 2) is gone: it was acknowledged, then broker 2 wrote record #5 at that offset"})
    );
}

/// Every anomaly a shipped scenario reports has its explanation in Chinese too, with the
/// same numbers, so 中文 mode shows no English sentence.
#[test]
fn every_reported_anomaly_is_explained_in_chinese() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut seen = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let s = highwater::scenario::Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if s.rocketmq.is_some() {
            continue;
        }
        let sim = highwater::cli::run::run_to_end(&s, s.seed, None, None).unwrap();
        for a in sim.checker.anomalies() {
            seen.insert(a.kind.name());
            let cjk = a.detail_zh.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
            assert!(cjk >= 4, "{}: {} has no Chinese explanation: {}", s.id, a.kind.name(), a.detail_zh);
            let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
            let (mut en, mut zh): (Vec<char>, Vec<char>) =
                (digits(&a.detail).chars().collect(), digits(&a.detail_zh).chars().collect());
            en.sort_unstable();
            zh.sort_unstable();
            assert_eq!(en, zh, "{}: the same numbers in both: {} / {}", s.id, a.detail, a.detail_zh);
        }
    }
    assert!(seen.len() >= 8, "the shipped scenarios cover most kinds: {seen:?}");
}
