//! `highwater epoch-cache` replays leader-epoch cache operations through the cache every
//! partition log uses; the cases in tests/epoch_cache/ are written from Kafka's own
//! `LeaderEpochFileCacheTest`, with Kafka's answers.
use std::io::Write;
use std::process::{Command, Stdio};

fn epoch_cache(stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_highwater"))
        .args(["epoch-cache", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run highwater");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

#[test]
fn kafkas_cache_cases_give_kafkas_answers() {
    let dir = format!("{}/tests/epoch_cache", env!("CARGO_MANIFEST_DIR"));
    let cases = std::fs::read_to_string(format!("{dir}/kafka_cases.txt")).unwrap();
    let expected = std::fs::read_to_string(format!("{dir}/kafka_cases.expected")).unwrap();
    let (code, out, err) = epoch_cache(&cases);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected);
}

#[test]
fn the_answers_follow_the_operations() {
    let (_, out, _) =
        epoch_cache("assign 2 6\nassign 3 8\nend-offset-for 2 10\ntruncate-from-end 8\nend-offset-for 2 10\n");
    assert_eq!(out, "end-offset-for 2 10: 2 8\nend-offset-for 2 10: 2 10\n", "epoch 2 is the latest once 3 is gone");
}

#[test]
fn a_bad_line_is_named_and_nothing_is_printed() {
    let (code, out, err) = epoch_cache("assign 1 0\nassign -1 5\n");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("line 2: invalid leader epoch entry: epoch -1, start offset 5"), "{err}");
    let (code, _, err) = epoch_cache("entries\nforget 3\n");
    assert_eq!(code, 2);
    assert!(err.contains("line 2: unknown operation 'forget'"), "{err}");
    let (_, _, err) = epoch_cache("assign 1\n");
    assert!(err.contains("line 1: wrong number of values for assign"), "{err}");
    let (_, _, err) = epoch_cache("end-offset-for x 3\n");
    assert!(err.contains("line 1: 'x' is not a whole number"), "{err}");
}
