//! Kafka's key partitioner: murmur2 and `toPositive(murmur2(key)) % numPartitions`, plus the
//! `highwater partition` subcommand.
//!
//! Expected values come from Kafka's own `UtilsTest.testMurmur2` keys and from
//! `shared/reference/public-vectors.json` (copied here so the test needs nothing outside the repo).

use highwater::cli::partition::run;
use highwater::kafka::partitioner::{murmur2, partition_for_key, to_positive};

/// (key, murmur2, [(num_partitions, partition)]) from public-vectors.json.
type Vector = (&'static str, i32, [(u32, u32); 3]);
const VECTORS: &[Vector] = &[
    ("abc", 479470107, [(3, 0), (6, 3), (12, 3)]),
    ("21", -973932308, [(3, 0), (6, 0), (12, 0)]),
    ("foobar", -790332482, [(3, 0), (6, 0), (12, 6)]),
    ("a-little-bit-long-string", -985981536, [(3, 2), (6, 2), (12, 8)]),
    ("a-little-bit-longer-string", -1486304829, [(3, 2), (6, 5), (12, 11)]),
    ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, [(3, 2), (6, 5), (12, 5)]),
];

#[test]
fn murmur2_public_vectors() {
    for (key, hash, _) in VECTORS {
        assert_eq!(murmur2(key.as_bytes()), *hash, "murmur2({key:?})");
    }
}

#[test]
fn partitions_public_vectors() {
    for (key, _, parts) in VECTORS {
        for (n, p) in parts {
            assert_eq!(partition_for_key(key.as_bytes(), *n), *p, "key {key:?} over {n} partitions");
        }
    }
}

#[test]
fn empty_key_is_hashed() {
    assert_eq!(murmur2(b""), 275646681);
    assert_eq!(partition_for_key(b"", 1000), 275646681 % 1000);
}

#[test]
fn tail_lengths_and_non_ascii_bytes() {
    // Every tail length (0..3) and bytes >= 0x80 (Java reads bytes signed and masks them
    // with 0xff). Expected values: Kafka's Utils.murmur2 run on a JVM (OpenJDK 17).
    let cases: [(&[u8], i32); 8] = [
        (b"abcd", -1323649548),
        (b"abcde", 461995741),
        (b"abcdef", 1870650108),
        (b"abcdefg", -346467175),
        ("\u{ff}".as_bytes(), 1511439487),
        ("\u{e9}".as_bytes(), 186971271),
        ("订单-42".as_bytes(), -519504440),
        (&[0xff, 0x80, 0x7f], 968261134),
    ];
    for (bytes, hash) in cases {
        assert_eq!(murmur2(bytes), hash, "murmur2({bytes:?})");
    }
    assert_eq!(partition_for_key("订单-42".as_bytes(), 7), 2);
    assert_eq!(to_positive(i32::MIN), 0);
    assert_eq!(to_positive(-1), i32::MAX as u32);
}

/// Also check the reference file itself when the shared folder sits beside the repo.
#[test]
fn shared_reference_file_when_present() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/public-vectors.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let rows = v["murmur2"].as_array().expect("murmur2 rows");
    assert!(!rows.is_empty());
    for row in rows {
        let key = row["key"].as_str().unwrap();
        assert_eq!(murmur2(key.as_bytes()) as i64, row["murmur2"].as_i64().unwrap(), "{key}");
        for (n, p) in row["partition"].as_object().unwrap() {
            let n: u32 = n.parse().unwrap();
            assert_eq!(partition_for_key(key.as_bytes(), n) as u64, p.as_u64().unwrap(), "{key} / {n}");
        }
    }
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[test]
fn cli_prints_key_tab_partition_in_input_order() {
    let (code, out, err) = cli(&["--partitions", "12", "foobar", "abc", "21"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "foobar\t6\nabc\t3\n21\t0\n");
    assert!(err.is_empty());
}

#[test]
fn cli_equals_form_and_empty_key() {
    let (code, out, _) = cli(&["--partitions=6", "", "abc"]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("\t{}\nabc\t3\n", 275646681 % 6));
}

#[test]
fn cli_double_dash_allows_dash_keys() {
    let (code, out, _) = cli(&["--partitions", "3", "--", "-x", "--partitions"]);
    assert_eq!(code, 0);
    let expected =
        format!("-x\t{}\n--partitions\t{}\n", partition_for_key(b"-x", 3), partition_for_key(b"--partitions", 3));
    assert_eq!(out, expected);
}

#[test]
fn cli_utf8_keys_hash_their_bytes() {
    let (code, out, _) = cli(&["--partitions", "7", "订单-42"]);
    assert_eq!(code, 0);
    assert_eq!(out, "订单-42\t2\n");
}

#[test]
fn cli_bad_usage_exits_2() {
    for args in [
        vec!["abc"],                               // missing --partitions
        vec!["--partitions", "0", "abc"],          // zero
        vec!["--partitions", "x", "abc"],          // non-numeric
        vec!["--partitions", "-3", "abc"],         // negative
        vec!["--partitions=", "abc"],              // empty
        vec!["--partitions", "2147483648", "a"],   // beyond a Java int
        vec!["--partitions"],                      // missing value
        vec!["--partitions", "3", "--bogus", "a"], // unknown option
        vec!["--partitions", "3"],                 // no keys
    ] {
        let (code, out, err) = cli(&args);
        assert_eq!(code, 2, "args {args:?}");
        assert!(out.is_empty(), "args {args:?}");
        assert!(err.contains("highwater partition:"), "args {args:?}: {err}");
    }
    let (_, _, err) = cli(&["--partitions", "0", "abc"]);
    assert!(err.contains("at least 1"), "{err}");
    let (_, _, err) = cli(&["--partitions", "3", "--bogus"]);
    assert!(err.contains("--bogus"), "{err}");
}

#[test]
fn cli_help() {
    let (code, out, _) = cli(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--partitions N"));
}
