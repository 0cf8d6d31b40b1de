//! The session over a Kafka run: views, markers, commands, lag and text, on shipped
//! scenarios.
use super::text::named_partitions;
use crate::lang::Lang;
use crate::scenario::Scenario;
use crate::session::view::{CellView, PartitionView, ViewOptions};
use crate::session::{anomaly_name_zh, Command, EventFilter, Session};

fn load(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn transactions_in_the_view() {
    let mut session = Session::new(load("transaction-aborted-read"));
    session.compute_ahead(u64::MAX);
    // While the first transaction is open, the leader's LSO stays at its first offset.
    let mut open_seen = false;
    for step in (0..=session.horizon()).step_by(5) {
        session.seek(step);
        let v = session.view();
        if v.brokers.iter().flat_map(|b| &b.replicas).any(|r| {
            r.is_leader
                && !r.internal
                && r.last_stable_offset < r.high_watermark
                && r.cells.iter().any(|c| c.txn == Some("open"))
        }) {
            open_seen = true;
            break;
        }
    }
    assert!(open_seen, "an open transaction holds the LSO below the HW");
    session.seek(session.horizon());
    let v = session.view();
    let cells: Vec<&CellView> =
        v.brokers[0].replicas.iter().filter(|r| r.topic == "payments").flat_map(|r| &r.cells).collect();
    assert_eq!(cells.iter().filter(|c| c.txn == Some("aborted")).count(), 3, "three aborted payments");
    assert_eq!(cells.iter().filter(|c| c.txn == Some("committed")).count(), 2, "two committed ones");
    let markers: Vec<&&CellView> = cells.iter().filter(|c| c.control.is_some()).collect();
    assert_eq!(markers.len(), 2);
    assert!(markers.iter().all(|c| c.record.is_none() && c.producer.as_deref() == Some("bank")), "{markers:?}");
    assert!(markers.iter().any(|c| c.control == Some("abort")) && markers.iter().any(|c| c.control == Some("commit")));
    assert_eq!(
        v.brokers.iter().filter(|b| b.txn_coordinator_for == ["bank-1"]).count(),
        1,
        "one transaction coordinator"
    );
    assert!(v.brokers[0].replicas.iter().any(|r| r.internal && r.topic == "__transaction_state"));
    let p = &v.producers[0];
    assert_eq!(p.transactional_id.as_deref(), Some("bank-1"));
    assert_eq!(p.txn_state.as_deref(), Some("READY"));
    assert!(p.producer_id >= 0 && p.running);
    assert_eq!(p.coordinator_state.as_deref(), Some("CompleteCommit"));
    assert_eq!(v.readers[0].isolation, "read_uncommitted");
    let kinds: Vec<&str> = session.timeline_markers().iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&"txn-abort") && kinds.contains(&"txn-commit") && kinds.contains(&"anomaly"), "{kinds:?}");
    assert!(session.final_anomalies().unwrap().iter().all(|a| a.kind == "aborted-read"));
    assert_eq!(anomaly_name_zh("aborted-read"), "读到已中止事务 (aborted-read)");
    let zh = session.search_events(&EventFilter { text: "ABORT 标记".into(), ..Default::default() }, Lang::Zh, 1, 10);
    assert!(!zh.is_empty(), "markers are described in Chinese");
}

#[test]
fn transaction_and_producer_commands() {
    let mut session = Session::new(load("transaction-read-committed"));
    session.compute_ahead(u64::MAX);
    // After the lesson's own transactions, with time left in the run.
    let mut at = session.horizon();
    while at > 0 && session.timeline().record(at).unwrap().0.time > 7_000 {
        at -= 1;
    }
    session.seek(at);
    assert_eq!(session.view().producers[0].txn_state.as_deref(), Some("READY"));
    let before = session.digest();
    assert!(session.act(&Command::BeginTransaction("nobody".into())).unwrap_err().contains("unknown producer"));
    assert_eq!(session.digest(), before, "rejected commands change nothing");
    session.act(&Command::BeginTransaction("bank".into())).unwrap();
    session
        .act(&Command::Produce {
            producer: "bank".into(),
            topic: "payments".into(),
            key: Some("carol".into()),
            count: 2,
            partition: None,
        })
        .unwrap();
    for _ in 0..200 {
        session.step_forward();
    }
    let v = session.view();
    assert_eq!(v.producers[0].txn_state.as_deref(), Some("IN_TRANSACTION"));
    assert!(!v.producers[0].txn_partitions.is_empty(), "the partition was added to the transaction");
    assert!(v.brokers.iter().flat_map(|b| &b.replicas).any(|r| r.is_leader && r.last_stable_offset < r.high_watermark));
    session.act(&Command::CommitTransaction("bank".into())).unwrap();
    for _ in 0..300 {
        session.step_forward();
    }
    let v = session.view();
    assert_eq!(v.producers[0].txn_state.as_deref(), Some("READY"));
    assert!(v.brokers.iter().flat_map(|b| &b.replicas).all(|r| r.last_stable_offset == r.high_watermark));
    session.act(&Command::ProducerCrash("bank".into())).unwrap();
    assert!(!session.view().producers[0].running);
    session.act(&Command::ProducerRestart("bank".into())).unwrap();
    assert!(session.view().producers[0].running);
    // The link form replays all of it.
    let replayed =
        Session::replay(session.scenario().clone(), session.seed(), session.actions(), session.cursor()).unwrap();
    assert_eq!(replayed.digest(), session.digest());
    // A producer without a transactional.id cannot begin a transaction.
    let mut plain = Session::new(load("acks1-leader-failure"));
    assert!(plain.act(&Command::BeginTransaction("producer".into())).unwrap_err().contains("no transactional.id"));
}

#[test]
fn replay_reproduces_a_branch() {
    let s = load("acks1-leader-failure");
    let mut a = Session::new(s.clone());
    a.seek(40);
    a.act(&Command::Crash(1)).unwrap();
    a.seek(90);
    a.act(&Command::Restart(1)).unwrap();
    a.seek(200);
    let b = Session::replay(s.clone(), a.seed(), a.actions(), 200).unwrap();
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.view(), b.view());
    // Acting at an earlier step drops the later actions.
    a.seek(50);
    a.act(&Command::Crash(2)).unwrap();
    assert_eq!(a.actions().len(), 2);
    assert_eq!(a.actions()[1], (50, Command::Crash(2)));
    assert!(Session::replay(s.clone(), 1, &[(999_999, Command::Crash(1))], 0).err().unwrap().contains("run ends"));
    // A step past the end opens at the last step.
    let end = Session::replay(s, 1, &[], 999_999).unwrap();
    assert!(end.cursor() < 999_999 && end.cursor() == end.horizon(), "{}", end.cursor());
}

#[test]
fn view_has_cells_aligned_and_truncation_ghosts() {
    let s = load("acks1-leader-failure");
    let mut session = Session::new(s);
    session.compute_ahead(u64::MAX);
    let end = session.horizon();
    session.seek(end);
    let v = session.view();
    let b1 = v.brokers.iter().find(|b| b.id == 1).unwrap();
    let r1 = &b1.replicas[0];
    let t = r1.truncated.as_ref().expect("broker 1 truncated the records only it had");
    assert_eq!(t.offset, 2);
    assert_eq!(t.records.len(), 3);
    let starts: Vec<u64> = v.brokers.iter().map(|b| b.replicas[0].window_start).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "strips line up: {starts:?}");
    assert_eq!(r1.cells.len() as u64, r1.log_end_offset - r1.window_start);
    assert!(r1.cells.iter().all(|c| c.record.is_some()));
    assert!(session.final_anomalies().unwrap().iter().any(|a| a.kind == "lost-write"));
    assert!(session.timeline_markers().iter().any(|m| m.kind == "anomaly"));
    // Summary-only view of a broker: counts without replica details.
    let small = session.view_with(&ViewOptions { detail_brokers: Some(vec![2]), cells: 0, ..Default::default() });
    assert!(small.brokers[0].replicas.is_empty());
    assert_eq!(small.brokers[0].summary.replicas, 1);
    assert_eq!(small.brokers[1].replicas.len(), 1);
    assert!(small.brokers[1].replicas[0].cells.is_empty());
}

#[test]
fn groups_lag_and_consumer_commands() {
    let s = load("more-consumers-than-partitions");
    let mut session = Session::new(s);
    session.compute_ahead(u64::MAX);
    session.seek(session.horizon());
    let v = session.view();
    assert_eq!(v.groups.len(), 1);
    let g = &v.groups[0];
    assert_eq!(g.state, "Stable");
    assert_eq!(g.members.len(), 4);
    assert!(g.coordinator.is_some());
    assert_eq!(v.brokers.iter().filter(|b| !b.coordinator_for.is_empty()).count(), 1);
    let orders: Vec<&PartitionView> = v.partitions.iter().filter(|p| p.topic == "orders").collect();
    assert_eq!(orders.len(), 3);
    assert!(orders.iter().all(|p| p.groups.len() == 1 && p.groups[0].member.is_some()));
    assert!(!session.lag_series()[0].points.is_empty(), "commits make lag points");
    session.seek(2_000.min(session.horizon()));
    let before = session.digest();
    assert!(session.act(&Command::ConsumerPause { consumer: "c1".into(), ms: 0, gc: true }).is_err());
    assert!(session.act(&Command::ConsumerCrash("nobody".into())).is_err());
    assert_eq!(session.digest(), before, "rejected commands change nothing");
    session.act(&Command::ConsumerCrash("c2".into())).unwrap();
    let v = session.view();
    assert_eq!(v.consumers.iter().find(|c| c.name == "c2").unwrap().status, "crashed");
    session.act(&Command::AddPartitions { topic: "orders".into(), partitions: 4 }).unwrap();
    assert!(session.act(&Command::AddPartitions { topic: "orders".into(), partitions: 2 }).is_err());
}

#[test]
fn payloads_name_topics() {
    let session = Session::new(load("acks1-leader-failure"));
    let spec = &session.current().model.spec;
    assert_eq!(named_partitions(spec, "t0-0 NONE records=1, at0-1, t9-2"), "orders-0 NONE records=1, at0-1, t9-2");
    let id = session.current().in_flight().next().map(|m| m.id.0).expect("LeaderAndIsr on the wire at step 0");
    let m = session.message(id, 10_000).unwrap();
    assert!(m.summary.contains("orders-0"), "{}", m.summary);
    assert!(session.message(id, 5).unwrap().summary.ends_with('…'));
}

#[test]
fn events_search_and_chinese_text() {
    let s = load("acks1-leader-failure");
    let mut session = Session::new(s);
    session.compute_ahead(u64::MAX);
    let all = session.search_events(&EventFilter::default(), Lang::En, 1, 30);
    assert_eq!(all.len(), 30);
    assert_eq!(all[0].step, 1);
    let f = EventFilter { text: "leader →".into(), ..Default::default() };
    let hits = session.search_events(&f, Lang::En, 1, 50);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|l| l.text.contains("leader →")));
    assert!(hits.windows(2).all(|w| w[0].step < w[1].step));
    let zh = session.search_events(&EventFilter { text: "宕机".into(), ..Default::default() }, Lang::Zh, 1, 10);
    assert!(!zh.is_empty(), "the crash is described in Chinese");
    let drops = EventFilter { categories: vec!["drop".into()], ..Default::default() };
    let cut =
        session.search_events(&EventFilter { text: "cut the link".into(), ..Default::default() }, Lang::En, 1, 10);
    assert!(cut.iter().any(|l| l.text.contains("b1 → b2 (one way)")), "net faults in words: {cut:?}");
    let sends = session.search_events(&EventFilter { text: "发送".into(), ..Default::default() }, Lang::Zh, 1, 10);
    assert!(sends.iter().any(|l| l.text.contains("producer 发送 2 条消息")), "{sends:?}");
    assert!(session.search_events(&drops, Lang::En, 1, 100).iter().all(|l| l.category == "drop"));
}

/// A run the kernel's livelock bound stops says where (the UI shows it and gives no
/// verdict); a run that reaches its end is not stopped.
#[test]
fn a_stopped_run_says_where_it_stopped() {
    let mut ok = Session::new(load("acks1-leader-failure"));
    ok.compute_ahead(u64::MAX);
    assert!(ok.finished());
    assert_eq!(ok.stopped(), None);

    // With no network latency, a reader whose Fetch the leader may not hold
    // (`fetch.max.wait.ms` 0) fetches again at the same instant, forever.
    let mut v: serde_json::Value = serde_json::from_str(&Scenario::to_json(&load("acks1-leader-failure"))).unwrap();
    v["network"] = serde_json::json!({"latency_ms": 0, "jitter_ms": 0});
    v["readers"][0]["config"] = serde_json::json!({"fetch.max.wait.ms": 0});
    let mut session = Session::new(Scenario::from_json(&v.to_string()).unwrap());
    session.compute_ahead(crate::kernel::sim::LIVELOCK_STEPS / 2);
    assert_eq!(session.stopped(), None, "not stopped before the bound is reached");
    session.compute_ahead(u64::MAX);
    assert!(session.finished());
    let stopped = session.stopped().expect("the livelock bound stopped the run");
    assert_eq!(stopped.step, session.horizon());
    assert_eq!(stopped.steps_at_one_instant, crate::kernel::sim::LIVELOCK_STEPS);
    let (last, _) = session.timeline().record(stopped.step).unwrap();
    assert_eq!(stopped.time_ms, last.time);
    assert!(stopped.time_ms < session.scenario().duration_ms, "it stopped before the end");
}
