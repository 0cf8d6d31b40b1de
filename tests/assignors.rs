//! The four classic assignors against cases whose expected output comes from outside this
//! code: Kafka's own unit tests and class documentation, cases derived by hand from the
//! documented algorithms, and randomised groups run through Kafka's real assignor classes.
//! Each case lives in `tests/assignor_vectors/*.json` in the CLI's input format and is run
//! twice: through the library API and through the `highwater assign` subcommand.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use highwater::cli::assign::{run, run_with_stdin};
use highwater::kafka::assignor::java_hashmap::put_order;
use highwater::kafka::assignor::{
    assign, format_topic_partition, parse_topic_partition, AssignError, Assignor, MemberSubscription, Strategy,
};
use serde_json::Value;

struct Case {
    file: String,
    name: String,
    strategy: Strategy,
    exact: bool,
    input: Value,
    expected: BTreeMap<String, Vec<String>>,
    expected_error: Option<String>,
}

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/assignor_vectors")
}

fn load_cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .expect("tests/assignor_vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for c in v["cases"].as_array().expect("cases array") {
            let expected = c["expected"]
                .as_object()
                .expect("expected object")
                .iter()
                .map(|(k, v)| {
                    (k.clone(), v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect())
                })
                .collect();
            cases.push(Case {
                file: f.file_name().unwrap().to_string_lossy().into_owned(),
                name: c["name"].as_str().unwrap().to_string(),
                strategy: c["strategy"].as_str().unwrap().parse().unwrap(),
                exact: match c["compare"].as_str().unwrap() {
                    "exact" => true,
                    "sets" => false,
                    other => panic!("unknown compare mode {other}"),
                },
                input: c["input"].clone(),
                expected,
                expected_error: c.get("expected_error").and_then(|e| e.as_str()).map(String::from),
            });
        }
    }
    cases
}

fn member_ids(input: &Value) -> Vec<String> {
    input["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect()
}

/// Checks one result against a case; returns a description of the first difference.
fn check(case: &Case, got: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    let ids: BTreeSet<String> = member_ids(&case.input).into_iter().collect();
    let got_ids: BTreeSet<String> = got.keys().cloned().collect();
    if ids != got_ids {
        return Err(format!("members {got_ids:?}, expected every member {ids:?}"));
    }
    for (member, want) in &case.expected {
        let have = &got[member];
        let same = if case.exact {
            have == want
        } else {
            let (mut a, mut b) = (have.clone(), want.clone());
            a.sort();
            b.sort();
            a == b
        };
        if !same {
            return Err(format!("{member}: got {have:?}, expected {want:?}"));
        }
    }
    Ok(())
}

fn via_api(case: &Case) -> Result<BTreeMap<String, Vec<String>>, AssignError> {
    let input = highwater::cli::assign::AssignInput::parse(&case.input.to_string()).expect("valid case input");
    let result = assign(case.strategy, &input.topics, &input.to_members())?;
    Ok(result.into_iter().map(|(m, l)| (m, l.iter().map(format_topic_partition).collect())).collect())
}

fn via_cli(strategy: Strategy, input: &str) -> (i32, String, String) {
    let args: Vec<String> = vec!["--strategy".into(), strategy.name().into(), "-".into()];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_stdin(&args, &mut input.as_bytes(), &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[test]
fn vectors_are_present() {
    let cases = load_cases();
    assert!(cases.len() >= 140, "only {} cases found", cases.len());
    for s in Strategy::ALL {
        assert!(cases.iter().filter(|c| c.strategy == s).count() >= 15, "too few {s} cases");
    }
}

/// README.md says how many vectors there are and how many come from Kafka's own tests.
#[test]
fn the_readme_counts_the_vectors_as_they_are() {
    let cases = load_cases();
    let from_kafka = cases.iter().filter(|c| c.file.ends_with("_kafka_tests.json")).count();
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let want =
        format!("the assignors against {} vectors ({from_kafka} of them from Kafka's own unit tests)", cases.len());
    assert!(readme.replace('\n', " ").contains(&want), "README.md should say: {want}");
}

#[test]
fn vectors_through_the_api() {
    let mut failures = Vec::new();
    for case in load_cases() {
        let outcome = via_api(&case);
        let verdict = match (&case.expected_error, outcome) {
            (Some(exc), Err(AssignError::KafkaThrows { exception, .. })) if exception == exc => Ok(()),
            (Some(exc), other) => Err(format!("expected Kafka to throw {exc}, got {other:?}")),
            (None, Ok(got)) => check(&case, &got),
            (None, Err(e)) => Err(format!("error: {e}")),
        };
        if let Err(why) = verdict {
            failures.push(format!("{} / {} [{}]: {why}", case.file, case.name, case.strategy));
        }
    }
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn vectors_through_the_cli() {
    let mut failures = Vec::new();
    for case in load_cases() {
        let (code, out, err) = via_cli(case.strategy, &case.input.to_string());
        let verdict = if let Some(exc) = &case.expected_error {
            if code == 1 && err.contains(exc.as_str()) {
                Ok(())
            } else {
                Err(format!("expected exit 1 naming {exc}, got {code}: {err}"))
            }
        } else if code != 0 {
            Err(format!("exit {code}: {err}"))
        } else {
            let parsed: BTreeMap<String, Vec<String>> = serde_json::from_str(&out).expect("CLI prints JSON");
            // Members are printed in input order, one per line.
            let printed: Vec<String> = out
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix('"'))
                .map(|l| l.split('"').next().unwrap().to_string())
                .collect();
            if printed != member_ids(&case.input) {
                Err(format!("members printed as {printed:?}"))
            } else {
                check(&case, &parsed)
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{} / {} [{}]: {why}", case.file, case.name, case.strategy));
        }
    }
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

// --- member ordering and Java HashMap order -------------------------------------------

#[test]
fn hashmap_order_of_consumer_ids() {
    // kafka-semantics.md 5.7: {consumer1, consumer2, consumer3} iterates 3, 2, 1.
    let order = put_order(["consumer1", "consumer2", "consumer3"].map(String::from));
    assert_eq!(order, ["consumer3", "consumer2", "consumer1"]);
}

#[test]
fn c10_sorts_before_c2() {
    let topics = BTreeMap::from([("t".to_string(), 2u32)]);
    let members = vec![MemberSubscription::new("c2", &["t"]), MemberSubscription::new("c10", &["t"])];
    for s in [Strategy::Range, Strategy::RoundRobin] {
        let r = assign(s, &topics, &members).unwrap();
        assert_eq!(r["c10"], vec![("t".to_string(), 0)], "{s}");
        assert_eq!(r["c2"], vec![("t".to_string(), 1)], "{s}");
    }
}

#[test]
fn static_members_first_by_instance_id() {
    let topics = BTreeMap::from([("t".to_string(), 3u32)]);
    let mut a = MemberSubscription::new("a", &["t"]);
    a.group_instance_id = Some("z".into());
    let mut b = MemberSubscription::new("b", &["t"]);
    b.group_instance_id = Some("y".into());
    let c = MemberSubscription::new("0-dynamic", &["t"]);
    let r = assign(Strategy::RoundRobin, &topics, &[a, b, c]).unwrap();
    assert_eq!(r["b"], vec![("t".to_string(), 0)]);
    assert_eq!(r["a"], vec![("t".to_string(), 1)]);
    assert_eq!(r["0-dynamic"], vec![("t".to_string(), 2)]);
}

// --- invariants on generated groups ----------------------------------------------------

/// A small deterministic generator (no OS entropy).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn every_partition_assigned_once_to_a_subscriber() {
    let mut rng = Lcg(42);
    for round in 0..300 {
        let n_topics = 1 + rng.next(4) as usize;
        let topics: BTreeMap<String, u32> = (0..n_topics).map(|i| (format!("t{i}"), 1 + rng.next(9) as u32)).collect();
        let names: Vec<&String> = topics.keys().collect();
        let n_members = 1 + rng.next(7) as usize;
        let identical = rng.next(2) == 0;
        let shared: Vec<&str> = names.iter().filter(|_| rng.next(2) == 0).map(|s| s.as_str()).collect();
        let members: Vec<MemberSubscription> = (0..n_members)
            .map(|i| {
                let subs: Vec<&str> = if identical && !shared.is_empty() {
                    shared.clone()
                } else {
                    let mut v: Vec<&str> = names.iter().filter(|_| rng.next(3) != 0).map(|s| s.as_str()).collect();
                    if v.is_empty() {
                        v.push(names[0].as_str());
                    }
                    v
                };
                MemberSubscription::new(format!("m{}", rng.next(100) * 10 + i as u64), &subs)
            })
            .collect();
        for s in Strategy::ALL {
            let r = assign(s, &topics, &members).unwrap_or_else(|e| panic!("round {round} {s}: {e}"));
            assert_eq!(r.len(), members.len());
            let mut seen = BTreeSet::new();
            for m in &members {
                for (t, p) in &r[&m.member_id] {
                    assert!(m.topics.contains(t), "round {round} {s}: {} got unsubscribed {t}", m.member_id);
                    assert!(*p < topics[t]);
                    assert!(seen.insert((t.clone(), *p)), "round {round} {s}: {t}-{p} twice");
                }
            }
            let wanted: usize = topics
                .iter()
                .filter(|(t, _)| members.iter().any(|m| m.topics.contains(t)))
                .map(|(_, n)| *n as usize)
                .sum();
            assert_eq!(seen.len(), wanted, "round {round} {s}: not every partition assigned");
            if identical && !shared.is_empty() && s != Strategy::Range {
                let sizes: Vec<usize> = r.values().map(|l| l.len()).collect();
                let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(max - min <= 1, "round {round} {s}: unbalanced {sizes:?}");
            }
        }
    }
}

#[test]
fn sticky_keeps_partitions_and_cooperative_withholds_moves() {
    // Three members own everything; a fourth joins. Eager sticky moves some partitions to it;
    // cooperative-sticky gives it nothing yet (everything it would get is still owned), and
    // the follow-up rebalance (owned = first result) equals the eager result.
    let topics = BTreeMap::from([("t".to_string(), 8u32)]);
    let owned = |ps: &[u32]| ps.iter().map(|p| ("t".to_string(), *p)).collect::<Vec<_>>();
    let mk = |id: &str, ps: &[u32]| MemberSubscription {
        member_id: id.into(),
        topics: vec!["t".into()],
        owned: owned(ps),
        generation: Some(3),
        ..Default::default()
    };
    let members = vec![mk("a", &[0, 1, 2]), mk("b", &[3, 4, 5]), mk("c", &[6, 7]), mk("d", &[])];
    let eager = assign(Strategy::Sticky, &topics, &members).unwrap();
    let coop = assign(Strategy::CooperativeSticky, &topics, &members).unwrap();
    assert_eq!(eager.values().map(|l| l.len()).sum::<usize>(), 8);
    assert!(!eager["d"].is_empty());
    assert!(coop["d"].is_empty(), "moving partitions are withheld: {coop:?}");
    for m in ["a", "b", "c"] {
        for tp in &eager[m] {
            assert!(members.iter().find(|x| x.member_id == m).unwrap().owned.contains(tp), "{m} kept only its own");
        }
    }
    let follow_up: Vec<MemberSubscription> =
        members.iter().map(|m| MemberSubscription { owned: coop[&m.member_id].clone(), ..m.clone() }).collect();
    let second = assign(Strategy::CooperativeSticky, &topics, &follow_up).unwrap();
    for m in ["a", "b", "c", "d"] {
        let (mut x, mut y) = (second[m].clone(), eager[m].clone());
        x.sort();
        y.sort();
        assert_eq!(x, y, "follow-up rebalance of {m} equals the eager result");
    }
}

#[test]
fn assignor_remembers_max_generation() {
    let topics = BTreeMap::from([("t".to_string(), 2u32)]);
    let mut m = MemberSubscription::new("a", &["t"]);
    m.generation = Some(7);
    let mut assignor = Assignor::new(Strategy::Sticky);
    assert_eq!(assignor.max_generation(), -1);
    assignor.assign(&topics, &[m.clone()]).unwrap();
    assert_eq!(assignor.max_generation(), 7);
    m.generation = Some(2);
    assignor.assign(&topics, &[m]).unwrap();
    assert_eq!(assignor.max_generation(), 7, "an instance field in Kafka, never reset");
}

#[test]
fn api_errors() {
    let topics = BTreeMap::from([("t".to_string(), 2u32)]);
    let dup = vec![MemberSubscription::new("a", &["t"]), MemberSubscription::new("a", &["t"])];
    assert_eq!(assign(Strategy::Range, &topics, &dup), Err(AssignError::DuplicateMember("a".into())));
    let mut m = MemberSubscription::new("a", &["t"]);
    m.owned = vec![("t".into(), 5)];
    assert!(matches!(
        assign(Strategy::Sticky, &topics, &[m.clone()]),
        Err(AssignError::OwnedPartitionOutOfRange { partition: 5, partitions: 2, .. })
    ));
    // range and roundrobin ignore owned partitions.
    assert!(assign(Strategy::Range, &topics, &[m]).is_ok());
    // No members: Kafka's round robin iterator and the sticky quota arithmetic throw.
    assert!(matches!(
        assign(Strategy::RoundRobin, &topics, &[]),
        Err(AssignError::KafkaThrows { exception: "IllegalArgumentException", .. })
    ));
    assert!(matches!(
        assign(Strategy::Sticky, &topics, &[]),
        Err(AssignError::KafkaThrows { exception: "ArithmeticException", .. })
    ));
    assert_eq!(assign(Strategy::Range, &topics, &[]), Ok(BTreeMap::new()));
}

#[test]
fn topic_partition_parsing_splits_at_last_dash() {
    assert_eq!(parse_topic_partition("orders-eu-3"), Some(("orders-eu".into(), 3)));
    assert_eq!(parse_topic_partition("t-0"), Some(("t".into(), 0)));
    for bad in ["t", "t-", "-3", "t-+3", "t- 3", "t-3x", "t-99999999999"] {
        assert_eq!(parse_topic_partition(bad), None, "{bad}");
    }
    assert_eq!(Strategy::from_name("cooperative-sticky"), Some(Strategy::CooperativeSticky));
    assert_eq!(Strategy::from_name("Sticky"), None);
}

// --- CLI input handling ------------------------------------------------------------------

#[test]
fn cli_output_format() {
    let input = r#"{"topics": {"t0": 3, "t1": 3},
        "members": [{"id": "C1", "topics": ["t0", "t1"]}, {"id": "C0", "subscriptions": ["t0", "t1"]}]}"#;
    let (code, out, err) = via_cli(Strategy::RoundRobin, input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "{\n  \"C1\": [\"t0-1\", \"t1-0\", \"t1-2\"],\n  \"C0\": [\"t0-0\", \"t0-2\", \"t1-1\"]\n}\n");
}

#[test]
fn cli_reads_a_file() {
    let path = std::env::temp_dir().join(format!("highwater-assign-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"topics": {"t": 2}, "members": [{"id": "a", "topics": ["t"]}]}"#).unwrap();
    let args: Vec<String> = vec!["--strategy=range".into(), path.to_string_lossy().into_owned()];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"a\": [\"t-0\", \"t-1\"]\n}\n");
}

fn cli_err(args: &[&str], stdin: &str) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_stdin(&args, &mut stdin.as_bytes(), &mut out, &mut err);
    if code != 0 {
        assert!(out.is_empty(), "nothing on stdout when failing");
    }
    (code, String::from_utf8(err).unwrap())
}

#[test]
fn cli_bad_input() {
    let ok = r#"{"topics": {"t": 1}, "members": [{"id": "a", "topics": ["t"]}]}"#;
    // Unknown strategy, missing strategy, missing file, two files, unknown option.
    let (code, err) = cli_err(&["--strategy", "fair", "-"], ok);
    assert_eq!(code, 2);
    assert!(err.contains("unknown strategy 'fair'"), "{err}");
    assert_eq!(cli_err(&["-"], ok).0, 2);
    assert_eq!(cli_err(&["--strategy", "range"], ok).0, 2);
    assert_eq!(cli_err(&["--strategy", "range", "a", "b"], ok).0, 2);
    assert_eq!(cli_err(&["--strategy", "range", "--verbose", "-"], ok).0, 2);
    // Unreadable file.
    let (code, err) = cli_err(&["--strategy", "range", "/nonexistent/dir/x.json"], ok);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent/dir/x.json"), "{err}");
    // Malformed JSON: line and column.
    let (code, err) = cli_err(&["--strategy", "range", "-"], "{\"topics\": {\"t\": 1},\n \"members\": [}");
    assert_eq!(code, 2);
    assert!(err.contains("line 2"), "{err}");
    // Wrong type: path of the bad field plus line/column.
    let bad_type =
        "{\"topics\": {\"t\": 1},\n \"members\": [{\"id\": \"a\", \"topics\": [\"t\"], \"generation\": \"four\"}]}";
    let (code, err) = cli_err(&["--strategy", "sticky", "-"], bad_type);
    assert_eq!(code, 2);
    assert!(err.contains("members[0].generation"), "{err}");
    assert!(err.contains("line 2 column"), "{err}");
    // Negative partition count.
    let (code, err) = cli_err(&["--strategy", "range", "-"], r#"{"topics": {"t": -1}, "members": []}"#);
    assert_eq!(code, 2);
    assert!(err.contains("topics.t"), "{err}");
    // Unparseable owned partition.
    let bad_owned = r#"{"topics": {"t": 2}, "members": [{"id": "a", "topics": ["t"], "owned": ["t-0", "t0"]}]}"#;
    let (code, err) = cli_err(&["--strategy", "sticky", "-"], bad_owned);
    assert_eq!(code, 2);
    assert!(err.contains("members[0].owned[1]") && err.contains("'t0'"), "{err}");
    // Unknown field (a typo must not be silently ignored).
    let typo = r#"{"topics": {"t": 2}, "members": [{"id": "a", "topics": ["t"], "generaton": 3}]}"#;
    let (code, err) = cli_err(&["--strategy", "sticky", "-"], typo);
    assert_eq!(code, 2);
    assert!(err.contains("generaton"), "{err}");
    // Missing required field.
    let (code, err) = cli_err(&["--strategy", "range", "-"], r#"{"topics": {}, "members": [{"id": "a"}]}"#);
    assert_eq!(code, 2);
    assert!(err.contains("members[0]") && err.contains("topics"), "{err}");
    // Duplicate member id.
    let dup = r#"{"topics": {"t": 2}, "members": [{"id": "a", "topics": ["t"]}, {"id": "a", "topics": ["t"]}]}"#;
    let (code, err) = cli_err(&["--strategy", "range", "-"], dup);
    assert_eq!(code, 2);
    assert!(err.contains("'a'"), "{err}");
    // Trailing garbage.
    assert_eq!(cli_err(&["--strategy", "range", "-"], &format!("{ok} x")).0, 2);
}

#[test]
fn cli_kafka_exception_exits_1() {
    let (code, err) = cli_err(&["--strategy", "roundrobin", "-"], r#"{"topics": {}, "members": []}"#);
    assert_eq!(code, 1);
    assert!(err.contains("IllegalArgumentException"), "{err}");
}
