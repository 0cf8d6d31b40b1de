//! The native CLI as a user runs it: exit codes, summary, verdict, trace file, bad input.
use std::process::Command;

fn highwater(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_highwater")).args(args).output().expect("run highwater");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_reports_the_lost_write_and_exits_1() {
    let (code, out, _) = highwater(&["run", &scenario("acks1-leader-failure")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("lost-write at step"), "{out}");
    assert!(out.contains("orders-0"), "the partition table is printed: {out}");
    assert!(out.contains("simulated 40000 ms"), "{out}");
}

#[test]
fn run_exits_0_when_nothing_is_wrong_and_json_is_parseable() {
    let (code, out, _) = highwater(&["run", &scenario("acks-all-leader-failure"), "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON summary");
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["partitions"][0]["leader"], 2);
    assert!(v["events"].as_u64().unwrap() > 100);
}

#[test]
fn seed_and_until_change_the_run_and_trace_is_written() {
    let dir = std::env::temp_dir().join(format!("highwater-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("t.jsonl");
    let (code, out, err) = highwater(&[
        "run",
        &scenario("acks1-leader-failure"),
        "--until",
        "1300",
        "--seed=5",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    // Stopped before the crash: nothing is lost yet.
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("seed 5"));
    let text = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.len() > 20);
    assert_eq!(lines[0]["step"], 1);
    assert!(lines.iter().all(|l| l["time_ms"].as_u64().unwrap() <= 1300));
    // Every delivered or dropped message carries its payload summary.
    for l in &lines {
        if matches!(l["event"]["type"].as_str(), Some("Deliver" | "Drop")) {
            assert!(l["summary"].is_string(), "{l}");
        }
    }
    let digest_a = highwater(&["digest", &scenario("acks1-leader-failure"), "--seed", "5"]).1;
    let digest_b = highwater(&["digest", &scenario("acks1-leader-failure"), "--seed", "5"]).1;
    assert_eq!(digest_a, digest_b);
    assert_eq!(digest_a.trim().len(), 16);
}

#[test]
fn bad_input_exits_2_with_a_message_that_says_where() {
    let dir = std::env::temp_dir().join(format!("highwater-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"id\": \"x\",\n  \"title\": {\"en\": \"x\"},\n  \"duration_ms\": \"soon\"\n}").unwrap();
    let (code, out, err) = highwater(&["run", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("duration_ms") && err.contains("line 4"), "{err}");
    let (code, _, err) = highwater(&["run", "/no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = highwater(&["run", &scenario("acks1-leader-failure"), "--seed", "many"]);
    assert_eq!(code, 2);
    assert!(err.contains("--seed"), "{err}");
    let (code, _, err) = highwater(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"));
}

#[test]
fn partition_prints_kafkas_partition_for_each_key() {
    let (code, out, _) = highwater(&["partition", "--partitions", "6", "--", "abc", "", "-x"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "abc\t3", "murmur2(\"abc\") = 479470107, 479470107 % 6 = 3");
    assert!(lines[1].starts_with('\t'));
    assert!(lines[2].starts_with("-x\t"));
}

#[test]
fn run_shows_each_group_with_committed_offsets_and_lag() {
    let (code, out, _) = highwater(&["run", &scenario("coordinator-failover")]);
    assert_eq!(code, 0, "{out}");
    let line = out.lines().find(|l| l.starts_with("group billing:")).expect(&out);
    assert!(line.contains("Stable"), "{line}");
    // The consumer processed and committed everything: no lag on any partition.
    let rows: Vec<&str> =
        out.lines().filter(|l| l.trim_start().starts_with("orders-")).filter(|l| l.contains("committed")).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows.iter().all(|r| r.trim_end().ends_with("lag        0")), "{rows:?}");
}

/// A run whose clock stops (today: with no network latency, a reader whose Fetch the leader
/// may not hold, `fetch.max.wait.ms` 0, fetches again at the same instant forever) is
/// stopped and exits 3, saying so, instead of running to the 50,000,000-step bound and
/// reporting "ok".
#[test]
fn a_livelocked_run_is_stopped_and_exits_3() {
    let text = std::fs::read_to_string(scenario("acks1-leader-failure")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["network"] = serde_json::json!({"latency_ms": 0, "jitter_ms": 0});
    v["readers"][0]["config"] = serde_json::json!({"fetch.max.wait.ms": 0});
    let path = std::env::temp_dir().join(format!("highwater-livelock-{}.json", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    let (code, out, err) = highwater(&["run", path.to_str().unwrap(), "--json"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("livelock: 100000 steps in a row at"), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).expect("JSON summary");
    assert_eq!(summary["verdict"], "stopped");
}

#[test]
fn run_says_it_leaves_out_a_replay_saved_by_the_app() {
    let text = std::fs::read_to_string(scenario("acks1-leader-failure")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["replay"] = serde_json::json!({"step": 300, "actions": ["30:crash.2"]});
    let path = std::env::temp_dir().join(format!("highwater-replay-{}.json", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    let (code, out, err) = highwater(&["run", path.to_str().unwrap()]);
    let (plain_code, plain_out, _) = highwater(&["run", &scenario("acks1-leader-failure")]);
    assert_eq!((code, out.lines().nth(1)), (plain_code, plain_out.lines().nth(1)), "the scenario as written");
    assert!(err.contains("replay section (1 action(s) made in the app, step 300)"), "{err}");
    v["replay"]["actions"] = serde_json::json!(["x"]);
    v["replay"]["extra"] = serde_json::json!(1);
    std::fs::write(&path, v.to_string()).unwrap();
    let (code, _, err) = highwater(&["run", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("replay.extra") || err.contains("unknown field `extra`"), "{err}");
}

/// An offline partition (its last ISR member down) still has its records on that broker's
/// disk: the table shows that log's HW and LEO and says whose they are, not 0 / 0.
#[test]
fn an_offline_partition_shows_its_last_isr_members_log() {
    let text = serde_json::json!({
        "id": "offline", "title": {"en": "t"}, "duration_ms": 30000,
        "cluster": {"brokers": 3, "controller_voters": [3]},
        "topics": [{"name": "orders", "partitions": 1, "replication_factor": 2, "assignment": [[1, 2]]}],
        "producers": [{"name": "shop", "config": {"acks": "all"}}],
        "timeline": [
            {"at_ms": 1000, "action": "produce", "producer": "shop", "topic": "orders", "count": 3},
            {"at_ms": 3000, "action": "crash", "broker": 2},
            {"at_ms": 15000, "action": "crash", "broker": 1}
        ]
    });
    let path = std::env::temp_dir().join(format!("highwater-offline-{}.json", std::process::id()));
    std::fs::write(&path, text.to_string()).unwrap();
    let (code, out, _) = highwater(&["run", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let row = out.lines().find(|l| l.starts_with("orders-0")).unwrap();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!((cols[1], cols[3], cols[4], cols[5]), ("none", "1", "3", "3"), "{out}");
    assert!(out.contains("orders-0 is offline: HW and LEO are of broker 1's log (its last ISR member)"), "{out}");
    let (_, json, _) = highwater(&["run", path.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["partitions"][0]["offline_log_of"], 1);
    assert_eq!(v["partitions"][0]["high_watermark"], 3);
}

/// `--hex` keys are raw bytes: the bytes of "abc" land where "abc" does; bad hex is refused.
#[test]
fn partition_takes_raw_key_bytes_in_hex() {
    let (code, out, _) = highwater(&["partition", "--partitions", "6", "--hex", "616263", "0000002a"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "616263\t3", "the UTF-8 bytes of abc");
    assert!(lines[1].starts_with("0000002a\t"));
    let (code, _, err) = highwater(&["partition", "--partitions", "6", "--hex", "6g"]);
    assert_eq!(code, 2);
    assert!(err.contains("--hex key '6g' is not hexadecimal bytes"), "{err}");
}
