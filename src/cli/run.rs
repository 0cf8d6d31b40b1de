//! `highwater run FILE [--seed N] [--until MS] [--trace OUT.jsonl] [--json]` and
//! `highwater digest FILE [--seed N]`.
use crate::kernel::sort::CollectBTree;
use std::io::Write;

use serde::Serialize;

use crate::checker::Anomaly;
use crate::kernel::{Checker, MessageInfo, Model, Simulation};
use crate::scenario::Scenario;
use crate::session::{build_simulation, KafkaSimulation};

/// Most steps one CLI run may take: a bound, so a runaway scenario still ends.
pub const MAX_STEPS: u64 = 50_000_000;
/// Most steps in a row at one simulated instant (see the kernel's livelock bound).
pub const MAX_STEPS_AT_ONE_INSTANT: u64 = crate::kernel::sim::LIVELOCK_STEPS;
/// Exit status of a run stopped by one of the two bounds above.
pub const EXIT_STOPPED: i32 = 3;

/// Why a run ended before its `duration_ms`, if a bound stopped it.
pub fn stopped_early<M: Model, C: Checker<M>>(sim: &Simulation<M, C>) -> Option<String> {
    if sim.steps_at_this_instant() >= MAX_STEPS_AT_ONE_INSTANT {
        Some(format!(
            "livelock: {} steps in a row at {} ms without the simulated clock moving; stopped",
            sim.steps_at_this_instant(),
            sim.now()
        ))
    } else if sim.steps() >= MAX_STEPS {
        Some(format!("stopped after {MAX_STEPS} steps at {} ms, before duration_ms", sim.now()))
    } else {
        None
    }
}

struct Options {
    file: String,
    seed: Option<u64>,
    until: Option<u64>,
    trace: Option<String>,
    json: bool,
}

fn parse(args: &[String], allow: &[&str]) -> Result<Options, String> {
    let mut o = Options { file: String::new(), seed: None, until: None, trace: None, json: false };
    let mut i = 0;
    let value = |i: &mut usize, name: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| format!("{name} needs a value"))
    };
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        if flag.starts_with("--") && !allow.contains(&flag) {
            return Err(format!("unknown option {flag}"));
        }
        let mut take = |name: &str| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => value(&mut i, name),
            }
        };
        match flag {
            "--seed" => o.seed = Some(take("--seed")?.parse().map_err(|_| "--seed needs a whole number".to_string())?),
            "--until" => {
                o.until = Some(
                    take("--until")?.parse().map_err(|_| "--until needs milliseconds (a whole number)".to_string())?,
                )
            }
            "--trace" => o.trace = Some(take("--trace")?),
            "--json" => o.json = true,
            _ if o.file.is_empty() => o.file = a.to_string(),
            _ => return Err(format!("unexpected argument {a}")),
        }
        i += 1;
    }
    if o.file.is_empty() {
        return Err("missing scenario FILE".into());
    }
    Ok(o)
}

fn load(file: &str) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{file}: {e}"))
}

#[derive(Serialize)]
struct PartitionSummary {
    partition: String,
    leader: Option<u32>,
    leader_epoch: u32,
    isr: Vec<u32>,
    high_watermark: u64,
    log_end_offset: u64,
    /// An offline partition (no leader): the ISR member whose log (on its disk, even if the
    /// broker is down) gives HW and LEO: the records are not gone, only unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    offline_log_of: Option<u32>,
}

#[derive(Serialize)]
struct GroupPartition {
    partition: String,
    committed: Option<u64>,
    high_watermark: u64,
    /// High watermark minus the committed offset (everything, if nothing is committed).
    lag: u64,
}

#[derive(Serialize)]
struct GroupSummary {
    group: String,
    coordinator: Option<u32>,
    state: String,
    generation: i32,
    members: Vec<String>,
    partitions: Vec<GroupPartition>,
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    seed: u64,
    simulated_ms: u64,
    events: u64,
    messages: u64,
    digest: String,
    partitions: Vec<PartitionSummary>,
    groups: Vec<GroupSummary>,
    records_sent: u64,
    records_acked: u64,
    anomalies: Vec<Anomaly>,
    expected: Option<Vec<String>>,
    verdict: &'a str,
}

/// Run a scenario to its end, writing each step to `trace` if given.
pub fn run_to_end(
    scenario: &Scenario,
    seed: u64,
    until: Option<u64>,
    trace: Option<&mut dyn Write>,
) -> std::io::Result<KafkaSimulation> {
    let (mut sim, _) = build_simulation(scenario, seed);
    if let Some(u) = until {
        sim.set_end_time(u.min(scenario.duration_ms));
    }
    drive(&mut sim, trace)?;
    Ok(sim)
}

/// Step `sim` to its end (or one of the bounds), writing each step to `trace` if given.
pub fn drive<M: Model, C: Checker<M>>(
    sim: &mut Simulation<M, C>,
    mut trace: Option<&mut dyn Write>,
) -> std::io::Result<()>
where
    M::Note: Serialize,
{
    let mut notes = Vec::new();
    while sim.steps() < MAX_STEPS && sim.steps_at_this_instant() < MAX_STEPS_AT_ONE_INSTANT {
        notes.clear();
        let mut summary = None;
        let tracing = trace.is_some();
        let step = sim.step_observed(&mut notes, &mut |m| {
            if tracing {
                summary = Some(m.msg.summary());
            }
        });
        let Some(rec) = step else { break };
        if let Some(w) = trace.as_deref_mut() {
            let line = serde_json::json!({ "step": rec.index, "time_ms": rec.time, "event": rec.kind, "summary": summary, "notes": notes });
            writeln!(w, "{line}")?;
        }
    }
    Ok(())
}

/// (partition, leader, leader epoch, ISR, HW, LEO) of every partition, in order.
fn partitions(sim: &KafkaSimulation) -> Vec<PartitionSummary> {
    let world = &sim.model;
    world
        .controller
        .partitions
        .values()
        .map(|st| {
            // No leader: the last ISR member still holds the partition's log.
            let offline_log_of = st.leader.is_none().then(|| st.isr.first().copied()).flatten();
            let log = match offline_log_of {
                Some(b) => world.broker(b).replicas.get(&st.tp).map(|r| &r.log),
                None => world.leader_log(st.tp),
            };
            PartitionSummary {
                partition: world.spec.tp_name(st.tp),
                leader: st.leader.map(|b| b.0),
                leader_epoch: st.leader_epoch,
                isr: st.isr.iter().map(|b| b.0).collect(),
                high_watermark: log.map(|l| l.high_watermark()).unwrap_or(0),
                log_end_offset: log.map(|l| l.log_end_offset()).unwrap_or(0),
                offline_log_of: offline_log_of.map(|b| b.0),
            }
        })
        .collect()
}

/// Every consumer group as its coordinator (the leader of its `__consumer_offsets`
/// partition) knows it: state, generation, members, committed offsets and lag.
fn groups(sim: &KafkaSimulation) -> Vec<GroupSummary> {
    let world = &sim.model;
    let mut names: Vec<&str> = world.consumers.iter().map(|c| &*c.group).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let coordinator = world.brokers.iter().find(|b| b.is_running() && b.coordinator.groups.contains_key(name));
            let g = coordinator.and_then(|b| b.coordinator.groups.get(name));
            let topics: std::collections::BTreeSet<u32> =
                world.consumers.iter().filter(|c| &*c.group == name).flat_map(|c| c.topics.iter().copied()).btree_set();
            let read_committed = world.consumers.iter().any(|c| {
                &*c.group == name && c.config.isolation_level == crate::kafka::config::IsolationLevel::ReadCommitted
            });
            let partitions = world
                .controller
                .partitions
                .values()
                .filter(|st| topics.contains(&st.tp.topic))
                .map(|st| {
                    let log = world.leader_log(st.tp);
                    let hw = log.map(|l| l.high_watermark()).unwrap_or(0);
                    // A read_committed group can only get as far as the LSO (Kafka's
                    // records-lag for read_committed).
                    let end = if read_committed { log.map(|l| l.last_stable_offset()).unwrap_or(0) } else { hw };
                    let committed = g.and_then(|g| g.offsets.get(&st.tp)).map(|o| o.0);
                    GroupPartition {
                        partition: world.spec.tp_name(st.tp),
                        committed,
                        high_watermark: hw,
                        lag: end.saturating_sub(committed.unwrap_or(0)),
                    }
                })
                .collect();
            GroupSummary {
                group: name.to_string(),
                coordinator: coordinator.map(|b| b.id.0),
                state: g.map(|g| g.state.name().to_string()).unwrap_or_else(|| "unknown".into()),
                generation: g.map(|g| g.generation).unwrap_or(0),
                members: g.map(|g| g.join_order.iter().map(|m| m.to_string()).collect()).unwrap_or_default(),
                partitions,
            }
        })
        .collect()
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let o = match parse(args, &["--seed", "--until", "--trace", "--json"]) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(
                err,
                "highwater run: {e}\nusage: highwater run FILE [--seed N] [--until MS] [--trace OUT.jsonl] [--json]"
            );
            return 2;
        }
    };
    let scenario = match load(&o.file) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "highwater run: {e}");
            return 2;
        }
    };
    note_replay(&o.file, &scenario, err);
    let seed = o.seed.unwrap_or(scenario.seed);
    if let Some(doc) = &scenario.rocketmq {
        return super::run_rocketmq::run(doc, seed, o.until, o.trace.as_deref(), o.json, out, err);
    }
    let sim = match run_traced(&scenario, seed, o.until, o.trace.as_deref()) {
        Ok(sim) => sim,
        Err(e) => {
            let _ = writeln!(err, "highwater run: {e}");
            return 2;
        }
    };
    let stopped = stopped_early(&sim);
    if let Some(why) = &stopped {
        let _ = writeln!(err, "highwater run: {why}; the verdict covers only that much (exit {EXIT_STOPPED})");
    }
    let anomalies: Vec<Anomaly> = sim.checker.anomalies().cloned().collect();
    let failures = anomalies.iter().filter(|a| !a.kind.is_notice()).count();
    let verdict = match (&stopped, failures) {
        (Some(_), _) => "stopped",
        (None, 0) => "ok",
        (None, _) => "anomalies",
    };
    let world = &sim.model;
    let summary = Summary {
        scenario: &scenario.id,
        seed,
        simulated_ms: sim.now(),
        events: sim.steps(),
        messages: sim.messages_sent(),
        digest: format!("{:016x}", sim.digest()),
        partitions: partitions(&sim),
        groups: groups(&sim),
        records_sent: world.records.len() as u64,
        records_acked: sim.checker.records.iter().filter(|r| r.acked_offset.is_some()).count() as u64,
        anomalies,
        expected: scenario.expect.as_ref().map(|e| e.anomalies.clone()),
        verdict,
    };
    let _ = if o.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&summary).expect("summary serialises"))
    } else {
        print_text(out, &summary)
    };
    match (stopped, failures) {
        (Some(_), _) => EXIT_STOPPED,
        (None, 0) => 0,
        (None, _) => 1,
    }
}

/// A file saved by the app's Export holds the user's actions; the app's Import replays
/// them (src/session/replay.rs), this command does not, and says so.
fn note_replay(file: &str, scenario: &Scenario, err: &mut dyn Write) {
    if let Some(r) = &scenario.replay {
        let _ = writeln!(
            err,
            "highwater run: note: {file} has a replay section ({} action(s) made in the app, step {}); \
             this runs the scenario as written, without them (open the file in the app to replay them)",
            r.actions.len(),
            r.step
        );
    }
}

/// [`run_to_end`], writing the JSONL trace to the file at `trace` if given.
fn run_traced(
    scenario: &Scenario,
    seed: u64,
    until: Option<u64>,
    trace: Option<&str>,
) -> Result<KafkaSimulation, String> {
    with_trace_file(trace, |w| run_to_end(scenario, seed, until, w))
}

/// Calls `f` with the trace file at `path` (if any) open for writing, and flushes it.
pub(super) fn with_trace_file<T>(
    path: Option<&str>,
    f: impl FnOnce(Option<&mut dyn Write>) -> std::io::Result<T>,
) -> Result<T, String> {
    let mut trace_file = match path {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some(std::io::BufWriter::new(f)),
            Err(e) => return Err(format!("cannot write {path}: {e}")),
        },
        None => None,
    };
    let out =
        f(trace_file.as_mut().map(|w| w as &mut dyn Write)).map_err(|e| format!("writing the trace failed: {e}"))?;
    if let Some(mut w) = trace_file {
        w.flush().map_err(|e| format!("writing the trace failed: {e}"))?;
    }
    Ok(out)
}

fn print_text(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "scenario {}  seed {}", s.scenario, s.seed)?;
    writeln!(
        out,
        "simulated {} ms, {} events, {} messages, trace digest {}",
        s.simulated_ms, s.events, s.messages, s.digest
    )?;
    writeln!(out, "records: {} sent, {} acknowledged", s.records_sent, s.records_acked)?;
    writeln!(out, "{:<24} {:>6} {:>6} {:<12} {:>8} {:>8}", "PARTITION", "LEADER", "EPOCH", "ISR", "HW", "LEO")?;
    for p in &s.partitions {
        let leader = p.leader.map(|l| l.to_string()).unwrap_or_else(|| "none".into());
        let isr = p.isr.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
        writeln!(
            out,
            "{:<24} {:>6} {:>6} {:<12} {:>8} {:>8}",
            p.partition, leader, p.leader_epoch, isr, p.high_watermark, p.log_end_offset
        )?;
    }
    for p in s.partitions.iter().filter(|p| p.offline_log_of.is_some()) {
        let b = p.offline_log_of.unwrap_or_default();
        writeln!(out, "{} is offline: HW and LEO are of broker {b}'s log (its last ISR member)", p.partition)?;
    }
    for g in &s.groups {
        let coordinator = g.coordinator.map(|c| format!("broker {c}")).unwrap_or_else(|| "none".into());
        writeln!(
            out,
            "group {}: {} generation {}, coordinator {coordinator}, members {}",
            g.group,
            g.state,
            g.generation,
            g.members.join(", ")
        )?;
        for p in &g.partitions {
            let committed = p.committed.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
            writeln!(
                out,
                "  {:<22} committed {:>8}  HW {:>8}  lag {:>8}",
                p.partition, committed, p.high_watermark, p.lag
            )?;
        }
    }
    let (notices, failures): (Vec<&Anomaly>, Vec<&Anomaly>) = s.anomalies.iter().partition(|a| a.kind.is_notice());
    for a in &notices {
        writeln!(out, "notice: {} at step {} ({} ms): {}", a.kind.name(), a.step, a.time_ms, a.detail)?;
    }
    if s.verdict == "stopped" {
        writeln!(out, "verdict: stopped early (see standard error); {} anomalies so far", failures.len())?;
    } else if failures.is_empty() {
        writeln!(out, "verdict: ok (no anomaly)")?;
    } else {
        writeln!(out, "verdict: {} anomal{}", failures.len(), if failures.len() == 1 { "y" } else { "ies" })?;
        for a in &failures {
            writeln!(out, "  {} at step {} ({} ms): {}", a.kind.name(), a.step, a.time_ms, a.detail)?;
        }
    }
    if let Some(e) = &s.expected {
        writeln!(out, "scenario expects: {}", if e.is_empty() { "no anomaly".to_string() } else { e.join(", ") })?;
    }
    Ok(())
}

/// `highwater digest FILE [--seed N]`: the trace digest after the whole run, in hex.
pub fn digest(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let o = match parse(args, &["--seed"]) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(err, "highwater digest: {e}\nusage: highwater digest FILE [--seed N]");
            return 2;
        }
    };
    match load(&o.file) {
        Ok(s) => {
            let seed = o.seed.unwrap_or(s.seed);
            let (digest, stopped) = match &s.rocketmq {
                Some(doc) => {
                    let sim = super::run_rocketmq::run_to_end(doc, seed, None, None).expect("no trace writer");
                    (sim.digest(), stopped_early(&sim))
                }
                None => {
                    let sim = run_to_end(&s, seed, None, None).expect("no trace writer, no I/O error");
                    (sim.digest(), stopped_early(&sim))
                }
            };
            let _ = writeln!(out, "{digest:016x}");
            match stopped {
                Some(why) => {
                    let _ = writeln!(err, "highwater digest: {why} (the digest is of the steps taken)");
                    EXIT_STOPPED
                }
                None => 0,
            }
        }
        Err(e) => {
            let _ = writeln!(err, "highwater digest: {e}");
            2
        }
    }
}
