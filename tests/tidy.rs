//! Source-level rules for the pure core (TigerBeetle's tidy, in miniature): the engine
//! (kernel, Kafka and RocketMQ models, checker, scenario, session, view) never touches the browser, the
//! wall clock, OS entropy, or an unordered hash map whose iteration order could leak into
//! the trace.
use std::path::Path;

const PURE: &[&str] =
    &["src/kernel", "src/kafka", "src/checker", "src/scenario", "src/session", "src/rocketmq", "src/lang.rs"];
const BANNED: &[(&str, &str)] = &[
    ("yew", "the engine must not depend on the UI"),
    ("web_sys", "the engine must not depend on the browser"),
    ("wasm_bindgen", "the engine must not depend on the browser"),
    ("gloo", "the engine must not depend on the browser"),
    ("js_sys", "the engine must not depend on the browser"),
    ("std::time", "simulated time only: no wall clock"),
    ("Instant::now", "simulated time only: no wall clock"),
    ("SystemTime", "simulated time only: no wall clock"),
    ("thread_rng", "randomness only from the run's seeded PRNG"),
    ("getrandom", "randomness only from the run's seeded PRNG"),
    ("from_entropy", "randomness only from the run's seeded PRNG"),
    ("HashMap", "iteration order must be deterministic: use BTreeMap"),
    ("HashSet", "iteration order must be deterministic: use BTreeSet"),
    ("dbg!", "leftover debugging"),
];

mod common;
use common::rust_files;

/// `word` as a whole identifier (so `JavaHashMap`, the Java-order emulation, is not `HashMap`).
fn contains_word(code: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        // A word ending in punctuation (`dbg!`) may be followed by anything.
        let ends_in_ident = word.chars().last().is_some_and(ident);
        !before.is_some_and(ident) && (!ends_in_ident || !after.is_some_and(ident))
    })
}

#[test]
fn contains_word_matches_whole_identifiers_only() {
    assert!(contains_word("use std::collections::HashMap;", "HashMap"));
    assert!(!contains_word("let m = JavaHashMap::new();", "HashMap"));
    assert!(!contains_word("let hash_maps = 1;", "HashMap"));
    assert!(contains_word("x.dbg!(y)", "dbg!"));
}

#[test]
fn the_engine_is_pure_and_deterministic_by_construction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in PURE {
        rust_files(&root.join(d), &mut files);
    }
    assert!(files.len() > 15, "found only {} engine files", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (word, why) in BANNED {
                if contains_word(code, word) {
                    problems.push(format!("{}:{}: `{word}`: {why}", f.strip_prefix(root).unwrap().display(), n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_engine_builds_without_the_web_feature() {
    // `cargo test` builds the library without `web`; this test existing and running proves
    // the engine compiles alone. Check the manifest keeps the UI crates optional.
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    for krate in ["yew", "web-sys", "gloo", "wasm-bindgen ", "js-sys"] {
        let line = manifest
            .lines()
            .find(|l| l.starts_with(krate.trim_end()) && l.contains('='))
            .unwrap_or_else(|| panic!("{krate} missing"));
        assert!(line.contains("optional = true"), "{krate} must be optional: {line}");
    }
}
