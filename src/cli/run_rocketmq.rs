//! `highwater run` and `highwater digest` of a RocketMQ scenario: the same options, exit
//! codes and verdict words as a Kafka run; the summary shows RocketMQ's state (each
//! broker's role, CommitLog and flush positions, and its consumerOffset table).
use std::io::Write;

use serde::Serialize;

use super::run::{drive, stopped_early, with_trace_file, EXIT_STOPPED};
use crate::checker::Anomaly;
use crate::scenario::rocketmq::RocketMqScenario;
use crate::session::rocketmq::text::mq_name;
use crate::session::rocketmq::{anomalies, broker_name, build_simulation, RocketMqSimulation};

#[derive(Serialize)]
struct BrokerSummary {
    broker: String,
    role: &'static str,
    flush: &'static str,
    status: &'static str,
    messages: usize,
    commit_log_max_offset: u64,
    flushed: u64,
}

#[derive(Serialize)]
struct OffsetSummary {
    broker: String,
    group: String,
    queue: String,
    offset: u64,
    persisted: Option<u64>,
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    model: &'static str,
    seed: u64,
    simulated_ms: u64,
    events: u64,
    messages: u64,
    digest: String,
    brokers: Vec<BrokerSummary>,
    consumer_offsets: Vec<OffsetSummary>,
    records_sent: u64,
    anomalies: Vec<Anomaly>,
    expected: Option<Vec<String>>,
    verdict: &'a str,
}

/// Run a RocketMQ scenario to its end, writing each step to `trace` if given.
pub fn run_to_end(
    doc: &RocketMqScenario,
    seed: u64,
    until: Option<u64>,
    trace: Option<&mut dyn Write>,
) -> std::io::Result<RocketMqSimulation> {
    let (mut sim, _) = build_simulation(doc, seed);
    if let Some(u) = until {
        sim.set_end_time(u.min(doc.duration_ms));
    }
    drive(&mut sim, trace)?;
    Ok(sim)
}

fn brokers(sim: &RocketMqSimulation) -> (Vec<BrokerSummary>, Vec<OffsetSummary>) {
    let w = &sim.model;
    let mut offsets = Vec::new();
    let brokers = w
        .brokers
        .iter()
        .map(|b| {
            let name = broker_name(&w.spec, b.index);
            for (k, v) in &b.offsets.table {
                offsets.push(OffsetSummary {
                    broker: name.clone(),
                    group: k.group.clone(),
                    queue: mq_name(&w.spec, k.mq),
                    offset: *v,
                    persisted: b.offsets.persisted.get(k).copied(),
                });
            }
            BrokerSummary {
                broker: name,
                role: b.config.broker_role.java_name(),
                flush: b.config.flush_disk_type.java_name(),
                status: match (b.running, w.power_lost[b.index]) {
                    (true, _) => "up",
                    (false, false) => "crashed",
                    (false, true) => "powered-off",
                },
                messages: b.store.commit_log.len(),
                commit_log_max_offset: b.store.commit_log.max_offset(),
                flushed: b.store.commit_log.flushed,
            }
        })
        .collect();
    (brokers, offsets)
}

pub fn run(
    doc: &RocketMqScenario,
    seed: u64,
    until: Option<u64>,
    trace: Option<&str>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let sim = match with_trace_file(trace, |w| run_to_end(doc, seed, until, w)) {
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
    let anomalies = anomalies(&sim);
    let failures = anomalies.iter().filter(|a| !a.kind.is_notice()).count();
    let verdict = match (&stopped, failures) {
        (Some(_), _) => "stopped",
        (None, 0) => "ok",
        (None, _) => "anomalies",
    };
    let (brokers, consumer_offsets) = brokers(&sim);
    let summary = Summary {
        scenario: &doc.id,
        model: "rocketmq",
        seed,
        simulated_ms: sim.now(),
        events: sim.steps(),
        messages: sim.messages_sent(),
        digest: format!("{:016x}", sim.digest()),
        brokers,
        consumer_offsets,
        records_sent: sim.model.records.len() as u64,
        anomalies,
        expected: doc.expect.as_ref().map(|e| e.anomalies.clone()),
        verdict,
    };
    let _ = if json {
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

fn print_text(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "scenario {} (rocketmq)  seed {}", s.scenario, s.seed)?;
    writeln!(
        out,
        "simulated {} ms, {} events, {} messages, trace digest {}",
        s.simulated_ms, s.events, s.messages, s.digest
    )?;
    writeln!(out, "messages sent: {}", s.records_sent)?;
    writeln!(
        out,
        "{:<16} {:<13} {:<11} {:<12} {:>8} {:>10} {:>10}",
        "BROKER", "ROLE", "FLUSH", "STATUS", "MSGS", "MAXOFFSET", "FLUSHED"
    )?;
    for b in &s.brokers {
        writeln!(
            out,
            "{:<16} {:<13} {:<11} {:<12} {:>8} {:>10} {:>10}",
            b.broker, b.role, b.flush, b.status, b.messages, b.commit_log_max_offset, b.flushed
        )?;
    }
    for o in &s.consumer_offsets {
        let persisted = o.persisted.map_or_else(|| "-".to_string(), |p| p.to_string());
        writeln!(out, "consumerOffset {} {} {}: {} (file {persisted})", o.broker, o.group, o.queue, o.offset)?;
    }
    let failures: Vec<&Anomaly> = s.anomalies.iter().filter(|a| !a.kind.is_notice()).collect();
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
