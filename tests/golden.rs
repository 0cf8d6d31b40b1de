//! The golden file of trace digests: every shipped scenario at a few seeds, and a few runs
//! branched by hand through the session (time travel). A change to the engine that moves a
//! digest must update `tests/golden/digests.txt` in the same commit and say why.
//!
//! Regenerate with `HIGHWATER_UPDATE_GOLDEN=1 cargo test --test golden`, then read the diff:
//! each line that moved is a run whose trace (or verdict) changed.
use highwater::cli::run::run_to_end;
use highwater::scenario::Scenario;
use highwater::session::{Command, Session};

/// Seeds every scenario runs at, besides its own.
const SEEDS: [u64; 2] = [1, 2];

fn scenario_files() -> Vec<(String, Scenario)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut paths = Vec::new();
    for dir in ["scenarios", "scenarios/rocketmq", "src/ui/scenarios"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().display().to_string();
            let s =
                Scenario::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, s)
        })
        .collect()
}

/// `kind:count` for every anomaly kind the run reported, in the checker's order.
fn verdict<'a>(kinds: impl Iterator<Item = &'a str>) -> String {
    let mut counts: Vec<(&str, u32)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(n, _)| *n == k) {
            Some((_, c)) => *c += 1,
            None => counts.push((k, 1)),
        }
    }
    if counts.is_empty() {
        return "ok".into();
    }
    counts.iter().map(|(k, c)| format!("{k}:{c}")).collect::<Vec<_>>().join(",")
}

fn run_line(name: &str, s: &Scenario, seed: u64) -> String {
    let (steps, digest, v) = match &s.rocketmq {
        Some(doc) => {
            let sim = highwater::cli::run_rocketmq::run_to_end(doc, seed, None, None).unwrap();
            (sim.steps(), sim.digest(), verdict(sim.checker.anomalies().map(|a| a.kind.name())))
        }
        None => {
            let sim = run_to_end(s, seed, None, None).unwrap();
            (sim.steps(), sim.digest(), verdict(sim.checker.anomalies().map(|a| a.kind.name())))
        }
    };
    format!("{name} seed={seed} steps={steps} digest={digest:016x} {v}")
}

/// Runs branched by hand, as a share link replays them: (scenario, [(step, token)]).
const BRANCHES: [(&str, &[(u64, &str)]); 4] = [
    ("scenarios/acks1-leader-failure.json", &[(30, "crash.2")]),
    ("scenarios/acks-all-leader-failure.json", &[(40, "cut.b1.b2"), (200, "healall")]),
    ("scenarios/commit-after-processing.json", &[(100, "ccrash.billing-1"), (400, "crestart.billing-1")]),
    ("scenarios/transaction-read-committed.json", &[(120, "pcrash.bank"), (500, "prestart.bank")]),
];

fn branch_line(name: &str, s: &Scenario, actions: &[(u64, &str)]) -> String {
    let actions: Vec<(u64, Command)> =
        actions.iter().map(|(at, t)| (*at, Command::from_token(t).unwrap_or_else(|e| panic!("{t}: {e}")))).collect();
    let mut session = Session::replay(s.clone(), s.seed, &actions, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
    while !session.finished() {
        session.compute_ahead(100_000);
    }
    let end = session.horizon();
    session.seek(end);
    let tokens: Vec<String> = actions.iter().map(|(at, c)| format!("{at}:{}", c.to_token())).collect();
    let v = verdict(session.anomalies().iter().map(|a| a.kind.name()));
    format!("{name} branch={} steps={end} digest={:016x} {v}", tokens.join("~"), session.digest())
}

fn golden_lines() -> Vec<String> {
    let files = scenario_files();
    let mut lines = Vec::new();
    for (name, s) in &files {
        let mut seeds = vec![s.seed];
        seeds.extend(SEEDS.iter().copied().filter(|x| *x != s.seed));
        for seed in seeds {
            lines.push(run_line(name, s, seed));
        }
    }
    for (name, actions) in BRANCHES {
        let (_, s) = files.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} is not shipped"));
        lines.push(branch_line(name, s, actions));
    }
    lines
}

#[test]
fn trace_digests_match_the_golden_file() {
    let path = format!("{}/tests/golden/digests.txt", env!("CARGO_MANIFEST_DIR"));
    let got = golden_lines().join("\n") + "\n";
    if std::env::var_os("HIGHWATER_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    let moved: Vec<String> = got
        .lines()
        .filter(|l| !want.lines().any(|w| w == *l))
        .map(|l| format!("  now: {l}"))
        .chain(want.lines().filter(|w| !got.lines().any(|l| l == *w)).map(|w| format!("  was: {w}")))
        .collect();
    assert!(
        moved.is_empty(),
        "trace digests moved (if the engine change is meant, rerun with HIGHWATER_UPDATE_GOLDEN=1 and say why in the commit):\n{}",
        moved.join("\n")
    );
}
