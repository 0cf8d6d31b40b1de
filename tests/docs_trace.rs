//! The trace excerpts quoted in docs/trace.md are what the CLI writes today: each quoted block
//! is produced again here and compared line by line, so an engine change that moves them
//! fails this test instead of leaving the docs stale. On a mismatch the test prints the
//! block as it should read; `HIGHWATER_UPDATE_DOCS=1` writes it (then fix the prose).
use std::process::Command;

use serde_json::{json, Value};

const DOC: &str = include_str!("../docs/trace.md");

/// The tests run in parallel: one rewrite of a doc at a time (`HIGHWATER_UPDATE_DOCS`).
static REWRITE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// Run the CLI; (exit code, stdout).
fn highwater(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_highwater")).args(args).output().expect("run highwater");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("highwater-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The JSONL trace of `highwater run FILE --trace OUT.jsonl`, one line per step.
fn trace(file: &str) -> Vec<String> {
    let out = temp(&format!("{}.jsonl", file.replace('/', "_")));
    let (code, stdout) = highwater(&["run", file, "--trace", out.to_str().unwrap()]);
    assert!(code == 0 || code == 1, "{file}: exit {code}: {stdout}");
    std::fs::read_to_string(&out).unwrap().lines().map(str::to_string).collect()
}

/// The lines of the first fenced block after `marker` in docs/trace.md.
fn quoted_after(marker: &str) -> Vec<String> {
    let at = DOC.find(marker).unwrap_or_else(|| panic!("docs/trace.md no longer says {marker:?}"));
    let rest = &DOC[at..];
    let open = rest.find("```").unwrap();
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let close = body.find("```").unwrap();
    body[..close].lines().map(str::to_string).collect()
}

fn step(line: &str) -> u64 {
    serde_json::from_str::<Value>(line).unwrap()["step"].as_u64().unwrap()
}

fn steps(lines: &[String], from: u64, to: u64) -> Vec<String> {
    lines.iter().filter(|l| (from..=to).contains(&step(l))).cloned().collect()
}

fn assert_quoted(marker: &str, actual: Vec<String>) {
    let quoted = quoted_after(marker);
    if quoted != actual && std::env::var("HIGHWATER_UPDATE_DOCS").is_ok() {
        let _one = REWRITE.lock().unwrap();
        let path = format!("{}/docs/trace.md", root());
        let doc = std::fs::read_to_string(&path).unwrap();
        let at = doc.find(marker).unwrap();
        let open = at + doc[at..].find("```").unwrap();
        let body = open + doc[open..].find('\n').unwrap() + 1;
        let close = body + doc[body..].find("```").unwrap();
        let new = format!("{}{}\n{}", &doc[..body], actual.join("\n"), &doc[close..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    assert!(quoted == actual, "docs/trace.md, the block after {marker:?}, should read:\n{}\n", actual.join("\n"));
}

/// `/tmp/hw/connection-broken.json` as docs/trace.md builds it from `retry-duplicates`.
fn connection_broken() -> String {
    let text = std::fs::read_to_string(format!("{}/scenarios/retry-duplicates.json", root())).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["id"] = json!("connection-broken");
    v.as_object_mut().unwrap().remove("expect");
    v["producers"][0]["config"] = json!({"acks": "1", "linger.ms": 0});
    v["timeline"] = json!([
      {"at_ms": 500, "action": "produce", "producer": "app", "topic": "payments", "key": "alice", "count": 1},
      {"at_ms": 1000, "action": "drop_next", "from": "b1", "to": "app", "kind": "ProduceResponse"},
      {"at_ms": 1000, "action": "produce", "producer": "app", "topic": "payments", "key": "alice", "count": 1},
      {"at_ms": 1001, "action": "produce", "producer": "app", "topic": "payments", "key": "alice", "count": 1}
    ]);
    let path = temp("connection-broken.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// The acks=1 excerpt: from the producer's linger timer before its refused Produce to the
/// acknowledgement from the new leader, and the steps the prose names.
#[test]
fn the_real_excerpt_is_the_run_of_today() {
    let lines = trace(&format!("{}/scenarios/acks1-leader-failure.json", root()));
    let v: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ev = |x: &Value, key: &str| x["event"][key].clone();
    let step_of = |x: &Value| x["step"].as_u64().unwrap();
    let find =
        |after: u64, f: &dyn Fn(&Value) -> bool| v.iter().find(|x| step_of(x) > after && f(x)).map(step_of).unwrap();
    let refused = find(0, &|x| ev(x, "kind") == "Produce" && ev(x, "reason") == "ReceiverDown");
    let linger = v.iter().rev().find(|x| step_of(x) < refused && ev(x, "name") == "Linger").map(step_of).unwrap();
    let meta = find(refused, &|x| ev(x, "kind") == "Metadata" && ev(x, "from") == 3);
    let meta_resp = find(refused, &|x| ev(x, "kind") == "MetadataResponse" && ev(x, "to") == 3);
    let appended = find(refused, &|x| ev(x, "kind") == "Produce" && ev(x, "type") == "Deliver");
    let backoffs: Vec<u64> = v
        .iter()
        .filter(|x| (meta_resp..appended).contains(&step_of(x)) && ev(x, "name") == "RetryBackoff")
        .map(step_of)
        .collect();
    let acked = find(appended, &|x| ev(x, "kind") == "ProduceResponse");
    let expired = find(refused, &|x| ev(x, "name") == "DelayedFetchExpired");
    let answered = find(expired, &|x| ev(x, "kind") == "FetchResponse" && ev(x, "to") == 2);
    let next = find(answered, &|x| ev(x, "kind") == "Fetch" && ev(x, "from") == 2);
    let range = |a: u64, b: u64| format!("{a}\u{2013}{b}");
    check_prose(&[
        ("### A real excerpt\n\nSteps ", range(linger, acked), " of `highwater run"),
        ("Reading it: at step ", refused.to_string(), " the producer's Produce"),
        ("for metadata (steps ", range(meta, meta_resp), ")"),
        ("after its retry backoffs (steps ", range(backoffs[0], *backoffs.last().unwrap()), ")"),
        ("which appends it at offset 2 (step ", appended.to_string(), ")"),
        ("reports `lost-write` at step ", appended.to_string(), ", the first"),
        ("in the summary above; at step ", acked.to_string(), " the producer"),
        ("expires with nothing new\n(steps ", range(expired, answered), ")"),
        ("as its position did not move (step ", next.to_string(), ")"),
    ]);
    assert_quoted(
        "of `highwater run scenarios/acks1-leader-failure.json --trace OUT.jsonl`. Broker",
        steps(&lines, linger, acked),
    );
    // The checker agrees: the first lost-write is at the step of that append.
    let (_, out) = highwater(&["run", &format!("{}/scenarios/acks1-leader-failure.json", root())]);
    assert!(out.contains(&format!("lost-write at step {appended} ")), "{out}");
}

#[test]
fn the_lost_response_excerpt_and_summary_are_the_run_of_today() {
    let file = connection_broken();
    let lines = trace(&file);
    assert_quoted("Steps 33–44 of `highwater run /tmp/hw/connection-broken.json", steps(&lines, 33, 44));
    let (code, out) = highwater(&["run", &file]);
    assert_eq!(code, 1);
    let mut shown = vec!["$ highwater run /tmp/hw/connection-broken.json".to_string()];
    shown.extend(out.lines().map(str::to_string));
    assert_quoted("the checker reports two `duplicate`s", shown);
}

#[test]
fn the_consumer_group_excerpt_is_the_run_of_today() {
    let lines = trace(&format!("{}/scenarios/zombie-consumer-fenced.json", root()));
    let values: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let node4 = |v: &Value| {
        let e = &v["event"];
        e["node"] == 4 || e["from"] == 4 || e["to"] == 4
    };
    let has_note = |v: &Value, note: &str| v["notes"].as_array().unwrap().iter().any(|n| n["note"] == note);
    let step_of = |v: &Value| v["step"].as_u64().unwrap();
    // From billing-1's last record before its rejected commit to its join as a new member.
    let rejected = values.iter().position(|v| has_note(v, "CommitRejected")).expect("a rejected commit");
    let from =
        values[..rejected].iter().rev().find(|v| node4(v) && has_note(v, "RecordProcessed")).map(step_of).unwrap();
    let joined = values[rejected..].iter().find(|v| node4(v) && has_note(v, "MemberJoined")).map(step_of).unwrap();
    let resumed = values.iter().find(|v| v["event"]["name"] == "PauseEnds").map(step_of).unwrap();
    check_prose(&[
        ("in steps ", format!("{from}\u{2013}{joined}"), " of"),
        ("Since the pause ended (step ", resumed.to_string(), ")"),
    ]);
    let mut shown = vec![format!(
        "$ jq -c 'select(.step >= {from} and .step <= {joined}) | select(.event.node == 4 or .event.from == 4 or .event.to == 4) | select(.event.kind != \"Fetch\" and .event.kind != \"FetchResponse\") | select(.event.type != \"Timer\" or (.notes | length) > 0)' OUT.jsonl"
    )];
    shown.extend(steps(&lines, from, joined).into_iter().filter(|l| {
        let v: Value = serde_json::from_str(l).unwrap();
        let kind = v["event"]["kind"].as_str().unwrap_or("");
        let quiet_timer = v["event"]["type"] == "Timer" && v["notes"].as_array().unwrap().is_empty();
        node4(&v) && kind != "Fetch" && kind != "FetchResponse" && !quiet_timer
    }));
    assert_quoted("The lines of `billing-1`", shown);
}

/// docs/trace.md's prose says each `prefix middle suffix` (the first `prefix` names the place);
/// `HIGHWATER_UPDATE_DOCS=1` rewrites the middle.
fn check_prose(want: &[(&str, String, &str)]) {
    let said = |doc: &str, (prefix, _, suffix): &(&str, String, &str)| -> (usize, usize) {
        let start =
            doc.find(prefix).unwrap_or_else(|| panic!("docs/trace.md no longer says {prefix:?}")) + prefix.len();
        (start, start + doc[start..].find(suffix).unwrap())
    };
    let wrong: Vec<String> = want
        .iter()
        .filter(|w| {
            let (a, b) = said(DOC, w);
            DOC[a..b] != w.1
        })
        .map(|(p, m, s)| format!("{p}{m}{s}"))
        .collect();
    if wrong.is_empty() {
        return;
    }
    if std::env::var("HIGHWATER_UPDATE_DOCS").is_ok() {
        let _one = REWRITE.lock().unwrap();
        let path = format!("{}/docs/trace.md", root());
        let mut doc = std::fs::read_to_string(&path).unwrap();
        for w in want {
            let (a, b) = said(&doc, w);
            doc.replace_range(a..b, &w.1);
        }
        std::fs::write(&path, doc).unwrap();
        return;
    }
    panic!("docs/trace.md should say {wrong:?}");
}

/// Split a quoted command line as a shell would (double quotes only).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every fenced block in README.md and docs/*.md that starts with `$ highwater ...` on files
/// of this repository is that command's output today. `HIGHWATER_UPDATE_DOCS=1` rewrites
/// the blocks that differ (then read the prose around them: it may quote a step or a digest).
#[test]
fn every_quoted_highwater_command_prints_what_the_docs_show() {
    let mut docs = vec![std::path::PathBuf::from(format!("{}/README.md", root()))];
    for e in std::fs::read_dir(format!("{}/docs", root())).unwrap() {
        docs.push(e.unwrap().path());
    }
    docs.sort();
    let update = std::env::var("HIGHWATER_UPDATE_DOCS").is_ok();
    let (mut checked, mut stale) = (Vec::new(), Vec::new());
    for doc in docs.iter().filter(|p| p.extension().is_some_and(|x| x == "md")) {
        let text = std::fs::read_to_string(doc).unwrap();
        let mut parts: Vec<String> = text.split("```").map(str::to_string).collect();
        for block in parts.iter_mut().skip(1).step_by(2) {
            let Some(commands) = quoted_commands(block) else { continue };
            let mut rebuilt = block.split_inclusive('\n').next().unwrap_or_default().to_string();
            for (cmd, shown) in commands {
                let actual = command_output(&cmd);
                if actual != shown {
                    stale.push(format!("{}: `highwater {cmd}` now prints:\n{actual}", doc.display()));
                }
                rebuilt.push_str(&format!("$ highwater {cmd}\n{actual}"));
                checked.push(cmd);
            }
            *block = rebuilt;
        }
        let rebuilt = parts.join("```");
        if update && rebuilt != text {
            let _one = REWRITE.lock().unwrap();
            std::fs::write(doc, rebuilt).unwrap();
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n\n"));
    assert!(checked.len() >= 6, "the quoted commands this test found: {checked:#?}");
}

/// The commands of a block of `$ highwater ...` lines, each with the output shown under it;
/// None unless every file they name is in this repository.
fn quoted_commands(block: &str) -> Option<Vec<(String, String)>> {
    let mut lines = block.split_inclusive('\n').skip(1); // the fence's language tag
    let mut commands: Vec<(String, String)> = Vec::new();
    let first = lines.next()?.strip_prefix("$ highwater ")?;
    commands.push((first.trim_end().to_string(), String::new()));
    for line in lines {
        match line.strip_prefix("$ highwater ") {
            Some(cmd) => commands.push((cmd.trim_end().to_string(), String::new())),
            None => commands.last_mut().unwrap().1.push_str(line),
        }
    }
    let here = |cmd: &String| {
        words(cmd).iter().filter(|a| a.ends_with(".json")).all(|a| std::path::Path::new(root()).join(a).is_file())
    };
    commands.iter().all(|(cmd, _)| here(cmd)).then_some(commands)
}

fn command_output(cmd: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_highwater")).args(words(cmd)).current_dir(root()).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// docs/scenarios.md's minimal scenario, written to `minimal.json`, prints what the page
/// quotes under `$ highwater run minimal.json`. `HIGHWATER_UPDATE_DOCS=1` rewrites it.
#[test]
fn the_minimal_scenario_prints_what_docs_scenarios_shows() {
    let path = format!("{}/docs/scenarios.md", root());
    let doc = std::fs::read_to_string(&path).unwrap();
    let section = doc.find("## A complete, minimal scenario").expect("the section");
    let json_at = section + doc[section..].find("```json\n").unwrap() + "```json\n".len();
    let json = &doc[json_at..json_at + doc[json_at..].find("```").unwrap()];
    let dir = temp("minimal");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("minimal.json"), json).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_highwater")).args(["run", "minimal.json"]).current_dir(&dir).output().unwrap();
    let actual = format!("$ highwater run minimal.json\n{}", String::from_utf8_lossy(&out.stdout));
    let marker = "```\n$ highwater run minimal.json\n";
    let at = section + doc[section..].find(marker).expect("the quoted run") + "```\n".len();
    let end = at + doc[at..].find("```").unwrap();
    if doc[at..end] != actual && std::env::var("HIGHWATER_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, format!("{}{actual}{}", &doc[..at], &doc[end..])).unwrap();
        return;
    }
    assert_eq!(doc[at..end], actual, "docs/scenarios.md quotes another run of the minimal scenario");
}
