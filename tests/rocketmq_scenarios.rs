//! The RocketMQ scenario files through the session, as the UI and the CLI load them: they
//! parse, run, and show what section 5.4 of the shared reference says at each stage.
use highwater::scenario::{Model, Scenario};
use highwater::session::rocketmq_view::RocketMqView;
use highwater::session::{Command, Session};

fn load(name: &str) -> Session {
    let path = format!("{}/scenarios/rocketmq/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    Session::from_scenario_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Moves the cursor to the last step at or before `t` ms.
fn at(s: &mut Session, t: u64) -> RocketMqView {
    s.compute_ahead(u64::MAX);
    let tl = s.rocketmq_timeline().expect("a RocketMQ run");
    let mut step = 0;
    while step < s.horizon() && tl.record(step + 1).is_some_and(|(r, _)| r.time <= t) {
        step += 1;
    }
    s.seek(step);
    s.view().rocketmq.expect("a RocketMQ view")
}

/// (master's table, master's consumerOffset.json, slave's table, C's offset store) of the
/// one queue.
fn offsets(v: &RocketMqView) -> (Option<u64>, Option<u64>, Option<u64>, Option<u64>) {
    let group = &v.groups[0];
    let row = |b: usize| group.brokers[b].offsets.first().map(|r| (r.offset, r.persisted));
    let c = v.consumers[0].queues.first().and_then(|q| q.offset);
    (row(0).and_then(|r| r.0), row(0).and_then(|r| r.1), row(1).and_then(|r| r.0), c)
}

#[test]
fn the_flagship_shows_offsets_on_master_and_slave_at_each_stage_of_section_5_4() {
    let mut s = load("master-returns-keeps-progress");
    assert_eq!(s.model(), Model::RocketMq);
    let v = at(&mut s, 16_400);
    assert_eq!(v.groups[0].brokers[0].key, "broker-a-0");
    assert_eq!(v.groups[0].brokers[1].role, "SLAVE");
    assert_eq!(offsets(&v), (Some(5), Some(4), Some(3), Some(6)));
    let v = at(&mut s, 30_010);
    assert_eq!(v.groups[0].brokers[0].status, "crashed");
    assert!(!v.groups[0].writable);
    let v = at(&mut s, 49_000);
    assert_eq!(offsets(&v), (None, Some(4), Some(10), Some(10)));
    assert_eq!(v.consumers[0].queues[0].pulls_from, "broker-a-1");
    let v = at(&mut s, 63_500);
    assert_eq!(offsets(&v), (Some(4), Some(4), Some(4), Some(10)), "the slave's copy went backwards");
    let v = at(&mut s, 73_500);
    assert_eq!(offsets(&v), (Some(10), Some(10), Some(10), Some(10)));
    assert_eq!((v.producers[0].sent, v.producers[0].stored, v.producers[0].failed), (10, 10, 0));
    assert_eq!(v.consumers[0].consumed, 10, "each message once");
    let v = at(&mut s, 16_400);
    assert_eq!(v.consumers[0].consumed, 6, "counted up to the cursor, not the computed end");
    assert!(s.timeline_markers().iter().any(|m| m.kind == "offset-sync"));
}

#[test]
fn a_rocketmq_run_takes_the_ui_actions_and_refuses_kafka_ones_by_name() {
    let mut s = load("master-returns-keeps-progress");
    at(&mut s, 20_000);
    let e = s.act(&Command::Produce {
        producer: "producer".into(),
        topic: "TopicTest".into(),
        key: None,
        count: 1,
        partition: None,
    });
    assert!(e.unwrap_err().contains("Kafka action"));
    s.act(&Command::Send { producer: "producer".into(), topic: "TopicTest".into(), count: 2, mode: "async".into() })
        .unwrap();
    s.act(&Command::Crash(2)).unwrap();
    assert_eq!(s.view().rocketmq.unwrap().groups[0].brokers[1].status, "crashed");
    let e = s.act(&Command::Isolate("broker-z-0".into())).unwrap_err();
    assert!(e.contains("broker-a-0, broker-a-1"), "{e}");
    // The share link's tokens replay to the same run.
    let again = Session::replay(s.scenario().clone(), s.seed(), s.actions(), s.cursor()).unwrap();
    assert_eq!(again.digest(), s.digest());
}

#[test]
fn bad_rocketmq_files_name_what_and_where() {
    let base = std::fs::read_to_string(format!(
        "{}/scenarios/rocketmq/master-returns-keeps-progress.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cases = [
        (r#""pullBatchSize": 1"#, r#""pullBatchSize": 1, "pullBatchSise": 2"#, "consumers[0].config.pullBatchSise"),
        (r#""slaves": 1}"#, r#""slaves": 1, "config": {"brokerRole": "SLAVE"}}"#, "broker_groups"),
        (
            r#""brokerRole": "ASYNC_MASTER", "flushDiskType": "ASYNC_FLUSH", "slaves": 1"#,
            r#""brokers": [{"brokerId": 0, "brokerRole": "SLAVE"}]"#,
            "broker_groups",
        ),
        (r#""broker": "broker-a-0"}"#, r#""broker": "broker-b-0"}"#, "timeline[2].broker"),
        (r#""ASYNC_FLUSH""#, r#""LAZY_FLUSH""#, "broker_groups[0].flushDiskType"),
    ];
    for (from, to, path) in cases {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from}");
        let e = Scenario::from_json(&text).unwrap_err();
        assert!(e.path.starts_with(path), "{path}: {e}");
    }
}

fn rocketmq_files() -> Vec<(String, Scenario)> {
    let dir = format!("{}/scenarios/rocketmq", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let s = Scenario::from_json(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), s)
        })
        .collect()
}

#[test]
fn every_rocketmq_lesson_gives_its_expected_verdict_in_the_cli_and_the_session() {
    let files = rocketmq_files();
    assert!(files.len() >= 6, "the R-lessons and their twins");
    for (name, s) in files {
        let doc = s.rocketmq.as_ref().expect("a RocketMQ file");
        let mut want: Vec<String> = s.expect.as_ref().expect("each lesson states its verdict").anomalies.clone();
        want.sort();
        let sim = highwater::cli::run_rocketmq::run_to_end(doc, s.seed, None, None).unwrap();
        let mut got: Vec<String> = sim.checker.anomalies().map(|a| a.kind.name().to_string()).collect();
        got.sort();
        got.dedup();
        assert_eq!(got, want, "{name}");
        // The session computes the same run (same digest) and lists the same anomalies.
        let mut session = Session::new(s.clone());
        session.compute_ahead(u64::MAX);
        session.seek(session.horizon());
        assert_eq!(session.digest(), sim.digest(), "{name}");
        let mut kinds: Vec<String> = session.anomaly_views().into_iter().map(|a| a.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, want, "{name}");
        // Every narration has its Chinese.
        assert!(doc.timeline.iter().filter_map(|e| e.text.as_ref()).all(|t| t.zh.is_some()), "{name}");
        assert!(s.title.zh.is_some(), "{name}");
    }
}

#[test]
fn same_file_and_seed_same_digest_and_another_seed_runs_too() {
    for (name, s) in rocketmq_files() {
        let doc = s.rocketmq.as_ref().unwrap();
        let run = |seed| highwater::cli::run_rocketmq::run_to_end(doc, seed, None, None).unwrap().digest();
        assert_eq!(run(s.seed), run(s.seed), "{name}");
        let _ = run(s.seed + 1);
    }
}

#[test]
fn a_file_written_back_reads_the_same() {
    for (name, s) in rocketmq_files() {
        let again = Scenario::from_json(&s.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, s, "{name}");
    }
}
