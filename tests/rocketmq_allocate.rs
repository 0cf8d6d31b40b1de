//! RocketMQ's queue allocation (AVG and AVG_BY_CIRCLE), through the library and through the
//! `highwater allocate` CLI.
//!
//! The upstream cases come from apache/rocketmq (same in tag rocketmq-all-4.9.7 and on
//! develop 8fc57f1468):
//! - client/src/test/java/org/apache/rocketmq/client/consumer/rebalance/AllocateMessageQueueAveragelyTest.java
//! - client/src/test/java/org/apache/rocketmq/client/consumer/rebalance/AllocateMessageQueueAveragelyByCircleTest.java
//!
//! The worked examples are those of /work/shared/reference/rocketmq-semantics.md section 6.
use std::io::Write;
use std::process::{Command, Stdio};

use highwater::rocketmq::allocate::{allocate, AllocateError, AllocateStrategy, MessageQueue};

use AllocateStrategy::{Averagely as Avg, AveragelyByCircle as Circle};

/// `createConsumerIdList(size)` of the upstream tests: CID_PREFIX0, CID_PREFIX1, ...
fn cid_prefix(size: usize) -> Vec<String> {
    (0..size).map(|i| format!("CID_PREFIX{i}")).collect()
}

/// `createMessageQueueList(size)`: queues 0..size of ("topic", "brokerName").
fn topic_queues(size: i32) -> Vec<MessageQueue> {
    (0..size).map(|i| MessageQueue::new("topic", "brokerName", i)).collect()
}

fn ids(queues: &[MessageQueue]) -> Vec<i32> {
    queues.iter().map(|q| q.queue_id).collect()
}

/// `broker-queueId` labels, as the reference writes them.
fn labels(queues: &[MessageQueue]) -> Vec<String> {
    queues.iter().map(|q| format!("{}-{}", q.broker_name, q.queue_id)).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn upstream_averagely_test_4_consumers_10_queues() {
    // AllocateMessageQueueAveragelyTest.testAllocateMessageQueueAveragely: sizes {3, 3, 2, 2}.
    let cids = cid_prefix(4);
    let mqs = topic_queues(10);
    let sizes: Vec<usize> = cids.iter().map(|c| allocate(Avg, Some(c), &mqs, &cids).unwrap().len()).collect();
    assert_eq!(sizes, vec![3, 3, 2, 2]);
    // And the blocks themselves (the rule the test's sizes come from).
    let all: Vec<Vec<i32>> = cids.iter().map(|c| ids(&allocate(Avg, Some(c), &mqs, &cids).unwrap())).collect();
    assert_eq!(all, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7], vec![8, 9]]);
}

#[test]
fn upstream_by_circle_test_4_consumers_10_queues() {
    // AllocateMessageQueueAveragelyByCircleTest.testAllocateMessageQueueAveragelyByCircle.
    let cids = cid_prefix(4);
    let mqs = topic_queues(10);
    // "the consumerId not in cidAll": an empty list, no exception.
    assert_eq!(allocate(Circle, Some("CID_PREFIX"), &mqs, &cids).unwrap(), vec![]);
    let got = |c: &str| ids(&allocate(Circle, Some(c), &mqs, &cids).unwrap());
    assert_eq!(got("CID_PREFIX0"), vec![0, 4, 8]);
    assert_eq!(got("CID_PREFIX1"), vec![1, 5, 9]);
    assert_eq!(got("CID_PREFIX2"), vec![2, 6]);
    assert_eq!(got("CID_PREFIX3"), vec![3, 7]);
}

fn eight_queues_two_brokers() -> Vec<MessageQueue> {
    // Given out of order: allocate sorts them (topic, brokerName, queueId).
    let mut v = Vec::new();
    for b in ["b", "a"] {
        for q in [3, 1, 0, 2] {
            v.push(MessageQueue::new("t", b, q));
        }
    }
    v
}

#[test]
fn reference_worked_examples() {
    let mqs = eight_queues_two_brokers();
    let cids = strings(&["c3", "c1", "c2"]);
    let got = |s, c: &str| labels(&allocate(s, Some(c), &mqs, &cids).unwrap());
    assert_eq!(got(Avg, "c1"), ["a-0", "a-1", "a-2"]);
    assert_eq!(got(Avg, "c2"), ["a-3", "b-0", "b-1"]);
    assert_eq!(got(Avg, "c3"), ["b-2", "b-3"]);
    assert_eq!(got(Circle, "c1"), ["a-0", "a-3", "b-2"]);
    assert_eq!(got(Circle, "c2"), ["a-1", "b-0", "b-3"]);
    assert_eq!(got(Circle, "c3"), ["a-2", "b-1"]);

    let three: Vec<MessageQueue> = (0..3).map(|i| MessageQueue::new("t", "a", i)).collect();
    let five = strings(&["c1", "c2", "c3", "c4", "c5"]);
    let avg = |c: &str| labels(&allocate(Avg, Some(c), &three, &five).unwrap());
    assert_eq!((avg("c1"), avg("c2"), avg("c3")), (vec!["a-0".to_string()], vec!["a-1".into()], vec!["a-2".into()]));
    assert!(avg("c4").is_empty() && avg("c5").is_empty());

    let five_q: Vec<MessageQueue> = (0..5).map(|i| MessageQueue::new("t", "a", i)).collect();
    let two = strings(&["c1", "c2"]);
    let run = |s, c: &str| labels(&allocate(s, Some(c), &five_q, &two).unwrap());
    assert_eq!(run(Circle, "c1"), ["a-0", "a-2", "a-4"]);
    assert_eq!(run(Circle, "c2"), ["a-1", "a-3"]);
    assert_eq!(run(Avg, "c1"), ["a-0", "a-1", "a-2"]);
    assert_eq!(run(Avg, "c2"), ["a-3", "a-4"]);
}

#[test]
fn consumer_ids_sort_as_strings_so_10_comes_before_9() {
    let mqs: Vec<MessageQueue> = (0..2).map(|i| MessageQueue::new("t", "a", i)).collect();
    let cids = strings(&["10.0.0.9@1", "10.0.0.10@1"]);
    assert_eq!(ids(&allocate(Avg, Some("10.0.0.10@1"), &mqs, &cids).unwrap()), vec![0]);
    assert_eq!(ids(&allocate(Avg, Some("10.0.0.9@1"), &mqs, &cids).unwrap()), vec![1]);
}

#[test]
fn the_exceptions_allocate_throws_in_check_order() {
    let mqs = topic_queues(2);
    let cids = cid_prefix(2);
    for s in AllocateStrategy::ALL {
        assert_eq!(allocate(s, None, &mqs, &cids), Err(AllocateError::EmptyCurrentCid));
        assert_eq!(allocate(s, Some(""), &[], &[]), Err(AllocateError::EmptyCurrentCid));
        assert_eq!(allocate(s, Some("x"), &[], &[]), Err(AllocateError::EmptyQueues));
        assert_eq!(allocate(s, Some("x"), &mqs, &[]), Err(AllocateError::EmptyConsumers));
    }
    assert_eq!(AllocateError::EmptyCurrentCid.to_string(), "currentCID is empty");
    assert_eq!(AllocateError::EmptyQueues.to_string(), "mqAll is null or mqAll empty");
    assert_eq!(AllocateError::EmptyConsumers.to_string(), "cidAll is null or cidAll empty");
}

#[test]
fn every_queue_is_given_exactly_once_and_duplicate_queues_count_once() {
    for n in 1..=13 {
        for c in 1..=6 {
            let cids = cid_prefix(c);
            let mut mqs = topic_queues(n);
            mqs.extend(topic_queues(n)); // a set upstream: duplicates vanish
            for s in AllocateStrategy::ALL {
                let mut all: Vec<i32> =
                    cids.iter().flat_map(|x| ids(&allocate(s, Some(x), &mqs, &cids).unwrap())).collect();
                all.sort();
                assert_eq!(all, (0..n).collect::<Vec<_>>(), "{s:?} n={n} c={c}");
            }
        }
    }
}

fn highwater(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_highwater"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run highwater");
    let mut pipe = child.stdin.take().unwrap();
    // The CLI may exit (on a usage error) before it reads its input: a broken pipe is fine.
    let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const INPUT: &str = r#"{"queues": [
  {"topic": "t", "broker": "b", "queue_id": 1}, {"topic": "t", "broker": "a", "queue_id": 0},
  {"topic": "t", "broker": "a", "queue_id": 1}, {"topic": "t", "broker": "b", "queue_id": 0},
  {"topic": "t", "broker": "a", "queue_id": 2}],
 "consumers": ["c2", "c1"], "current": "c2"}"#;

#[test]
fn cli_on_stdin_and_on_a_file() {
    let (code, out, err) = highwater(&["allocate", "--strategy", "avg", "-"], Some(INPUT));
    assert_eq!(code, 0, "{err}");
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        got,
        serde_json::json!([{"topic": "t", "broker": "b", "queue_id": 0}, {"topic": "t", "broker": "b", "queue_id": 1}])
    );

    let dir = std::env::temp_dir().join(format!("highwater-allocate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("in.json");
    std::fs::write(&file, INPUT).unwrap();
    let (code, out, _) = highwater(&["allocate", "--strategy=avg-by-circle", file.to_str().unwrap()], None);
    assert_eq!(code, 0);
    assert_eq!(out, "[\n  {\"topic\":\"t\",\"broker\":\"a\",\"queue_id\":1},\n  {\"topic\":\"t\",\"broker\":\"b\",\"queue_id\":0}\n]\n");
}

#[test]
fn cli_prints_an_empty_array_when_current_is_not_a_consumer() {
    let input = INPUT.replace(r#""current": "c2""#, r#""current": "c9""#);
    let (code, out, err) = highwater(&["allocate", "--strategy", "avg", "-"], Some(&input));
    assert_eq!((code, out.as_str(), err.as_str()), (0, "[]\n", ""));
}

#[test]
fn cli_exits_2_with_rocketmqs_message_where_it_throws() {
    let cases = [
        (r#"{"queues": [], "consumers": [], "current": ""}"#, "currentCID is empty"),
        (r#"{"queues": [], "consumers": [], "current": null}"#, "currentCID is empty"),
        (r#"{"queues": [], "consumers": ["c"], "current": "c"}"#, "mqAll is null or mqAll empty"),
        (
            r#"{"queues": [{"topic": "t", "broker": "a", "queue_id": 0}], "consumers": [], "current": "c"}"#,
            "cidAll is null or cidAll empty",
        ),
    ];
    for (input, message) in cases {
        let (code, out, err) = highwater(&["allocate", "--strategy", "avg-by-circle", "-"], Some(input));
        assert_eq!(code, 2, "{input}");
        assert!(out.is_empty());
        assert!(err.contains(&format!("IllegalArgumentException: {message}")), "{err}");
    }
}

#[test]
fn cli_bad_input_and_usage_exit_2_and_say_where() {
    let bad = "{\"queues\": [\n  {\"topic\": \"t\", \"broker\": \"a\", \"queue_id\": \"zero\"}\n], \"consumers\": [], \"current\": \"c\"}";
    let (code, out, err) = highwater(&["allocate", "--strategy", "avg", "-"], Some(bad));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("queues[0].queue_id") && err.contains("line 2"), "{err}");

    let negative = r#"{"queues": [{"topic": "t", "broker": "a", "queue_id": -1}], "consumers": ["c"], "current": "c"}"#;
    let (code, _, err) = highwater(&["allocate", "--strategy", "avg", "-"], Some(negative));
    assert_eq!(code, 2);
    assert!(err.contains("queues[0].queue_id") && err.contains("negative"), "{err}");

    let unknown = r#"{"queues": [], "consumers": [], "current": "c", "group": "g"}"#;
    let (code, _, err) = highwater(&["allocate", "--strategy", "avg", "-"], Some(unknown));
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `group`"), "{err}");

    let (code, _, err) = highwater(&["allocate", "--strategy", "hash", "-"], Some(INPUT));
    assert_eq!(code, 2);
    assert!(err.contains("unknown strategy 'hash'") && err.contains("avg-by-circle"), "{err}");
    let (code, _, err) = highwater(&["allocate", "-"], Some(INPUT));
    assert_eq!(code, 2);
    assert!(err.contains("missing --strategy"), "{err}");
    let (code, _, err) = highwater(&["allocate", "--strategy", "avg", "/no/such/file.json"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /no/such/file.json"), "{err}");
}

/// The `console` example under `highwater allocate` in README.md: its `cat FILE` shows the
/// file as it is, and each `$ highwater allocate ...` line prints what the README quotes.
#[test]
fn the_readme_example_is_what_the_cli_prints() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let start =
        readme.find("```console\n$ cat docs/examples/queues.json\n").expect("the allocate example in README.md");
    let block = &readme[start + "```console\n".len()..];
    let block = &block[..block.find("```").expect("the example block ends")];
    // Split into commands (lines starting with `$ `) and what each prints.
    let mut runs: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ ") {
            Some(cmd) => runs.push((cmd.to_string(), String::new())),
            None => runs.last_mut().expect("a command first").1.push_str(&format!("{line}\n")),
        }
    }
    let (cat, input) = &runs[0];
    let file = format!("{root}/{}", cat.strip_prefix("cat ").unwrap());
    assert_eq!(&std::fs::read_to_string(&file).unwrap(), input, "README.md quotes {file} as it is");
    assert!(runs.len() >= 3, "both strategies are shown");
    for (cmd, expected) in &runs[1..] {
        let args: Vec<String> = cmd.split_whitespace().map(|a| a.replace("docs/", &format!("{root}/docs/"))).collect();
        assert_eq!(args[0], "highwater");
        let args: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        let (code, out, err) = highwater(&args, None);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert_eq!(&out, expected, "README.md quotes a different output for `{cmd}`");
    }
}
