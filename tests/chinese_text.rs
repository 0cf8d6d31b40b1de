//! What the session says in Chinese about every step of every shipped lesson is Chinese
//! (issue 14): the event log's lines, the anomalies' explanations and the timeline markers'
//! labels, run to the end. The browser test (tests/e2e/chinese.test.mjs) checks the whole
//! page at a few steps of each lesson; this one checks every step's words, including the
//! engine's own English phrases that the session translates (src/session/engine_zh.rs).
//! A text may keep Kafka's and RocketMQ's names (message kinds, error codes, config keys),
//! but not an English phrase: three plain English words in a row.
use highwater::session::{EventFilter, Lang, Session};

fn cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
}

/// The first run of three plain English words (lower case, as in a sentence) in `text`.
fn english_phrase(text: &str) -> Option<String> {
    let plain = |w: &str| {
        let w = w.trim_matches(|c: char| matches!(c, ',' | '.' | ':' | ';' | '(' | ')' | '"'));
        !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '\'')
    };
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || (!c.is_ascii() && !c.is_alphanumeric())).collect();
    words.windows(3).find(|w| w.iter().all(|x| plain(x))).map(|w| w.join(" "))
}

fn lessons() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["scenarios", "scenarios/rocketmq", "src/ui/scenarios"] {
        let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push((p.file_stem().unwrap().to_string_lossy().into(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The offences of one lesson's run, "lesson step N: why: text".
fn offences(name: &str, json: &str) -> Vec<String> {
    let mut s = Session::from_scenario_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
    s.compute_ahead(u64::MAX);
    let h = s.horizon();
    let mut texts: Vec<(u64, bool, String)> = s
        .search_events(&EventFilter::default(), Lang::Zh, h / 2, h as usize + 1)
        .into_iter()
        .map(|l| (l.step, l.category == "action", l.text))
        .collect();
    assert!(texts.len() as u64 >= h / 2, "{name}: the log covers the run ({} lines, {h} steps)", texts.len());
    texts.extend(s.anomaly_views().into_iter().map(|a| (a.step, true, a.detail_zh)));
    texts.extend(s.timeline_markers().into_iter().map(|m| (m.step, false, m.label_zh)));
    let mut out = Vec::new();
    for (step, needs_chinese, text) in texts {
        // Each note of a line separately: one untranslated note is reported as itself.
        for part in text.split("; ") {
            if let Some(p) = english_phrase(part) {
                out.push(format!("{name} step {step}: English phrase \"{p}\": {part}"));
            } else if needs_chinese && !cjk(part) && !part.is_empty() {
                out.push(format!("{name} step {step}: no Chinese: {part}"));
            }
        }
    }
    out
}

#[test]
fn every_step_of_every_lesson_reads_in_chinese() {
    let mut all = Vec::new();
    for (name, json) in lessons() {
        all.extend(offences(&name, &json));
    }
    all.sort();
    all.dedup();
    assert!(all.is_empty(), "{} texts in Chinese mode are not Chinese:\n{}", all.len(), all.join("\n"));
}

#[test]
fn the_check_finds_english() {
    assert_eq!(
        english_phrase("消费者组 g → Stable（代 generation 2，leader's assignment stored）").as_deref(),
        Some("leader's assignment stored")
    );
    assert_eq!(english_phrase("Produce app → broker 1"), None);
    assert_eq!(english_phrase("broker 1 的 HW=3，enable.auto.commit=true"), None);
}
