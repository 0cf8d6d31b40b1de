//! Engine benchmarks (run with `cargo bench --bench engine`): simulated events per second
//! with the checker on, for a small and a large cluster, and the cost of seeking to a
//! random step of a long run. Timing lives here, never in tests.
use std::time::Instant;

use highwater::kernel::Prng;
use highwater::scenario::Scenario;
use highwater::session::{build_simulation, Session};

#[path = "support/workloads.rs"]
mod workloads;
use workloads::{cluster, cluster_with_group, partitions, retention};

/// Run `s` `repeats` times; print the median rate (and the spread: this machine is shared).
fn median_rate(name: &str, s: &Scenario, repeats: usize) {
    let mut rates: Vec<f64> = (0..repeats).map(|_| events_per_second_quiet(s).1).collect();
    rates.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let (events, _) = events_per_second(name, s);
    println!(
        "  {name}: median of {repeats} runs {:.2} M events/s (min {:.2}, max {:.2}) over {events} events",
        rates[repeats / 2] / 1e6,
        rates[0] / 1e6,
        rates[repeats - 1] / 1e6
    );
}

fn events_per_second_quiet(s: &Scenario) -> (u64, f64) {
    let (mut sim, _) = build_simulation(s, s.seed);
    let mut notes = Vec::new();
    let start = Instant::now();
    while {
        notes.clear();
        sim.step(&mut notes).is_some()
    } {}
    (sim.steps(), sim.steps() as f64 / start.elapsed().as_secs_f64())
}

fn events_per_second(name: &str, s: &Scenario) -> (u64, f64) {
    let (mut sim, _) = build_simulation(s, s.seed);
    let mut notes = Vec::new();
    let start = Instant::now();
    loop {
        notes.clear();
        if sim.step(&mut notes).is_none() {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let events = sim.steps();
    let acked = sim.checker.records.iter().filter(|r| r.acked_offset.is_some()).count();
    let rate = events as f64 / secs;
    println!(
        "{name}: {events} events in {secs:.3} s = {:.2} M events/s ({} records acked, {} anomalies, digest {:016x})",
        rate / 1e6,
        acked,
        sim.checker.anomalies().count(),
        sim.digest()
    );
    (events, rate)
}

/// The RocketMQ counterpart of `small`: one group of a SYNC_MASTER and two slaves (three
/// brokers), 6 queues, 10k messages sent 10 every 5 ms, one push consumer, the checker on.
fn rocketmq_run(
) -> highwater::kernel::Simulation<highwater::rocketmq::World, highwater::rocketmq::checks::RocketMqChecker> {
    use highwater::kernel::sim::Action;
    use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
    use highwater::rocketmq::{RocketMqAction, SendMode, Spec, World};
    let mut spec = Spec::classic(Version::V4_9, &["broker-a"], BrokerRole::SyncMaster, FlushDiskType::AsyncFlush, 2)
        .expect("valid");
    spec.topic("TopicTest", 6);
    spec.producer("producer");
    spec.consumer("c1", "GroupA", &[0]);
    let send = |_| Action::Model(RocketMqAction::Send { producer: 0, topic: 0, count: 10, mode: SendMode::Async });
    let script: Vec<_> = (0..1_000u64).map(|i| (1_000 + i * 5, send(i))).collect();
    let network = highwater::kernel::NetworkConfig { latency_ms: 1, jitter_ms: 1, drop: Default::default() };
    let mut sim = highwater::kernel::Simulation::new(World::new(spec), Default::default(), 1, network, script);
    sim.set_end_time(30_000);
    sim
}

fn rocketmq_rate(name: &str, repeats: usize) {
    let mut rates = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let mut sim = rocketmq_run();
        let mut notes = Vec::new();
        let start = Instant::now();
        while {
            notes.clear();
            sim.step(&mut notes).is_some()
        } {}
        rates.push(sim.steps() as f64 / start.elapsed().as_secs_f64());
        last = Some(sim);
    }
    rates.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let sim = last.expect("at least one run");
    println!(
        "  {name}: median of {repeats} runs {:.2} M events/s (min {:.2}, max {:.2}) over {} events ({} anomalies, digest {:016x})",
        rates[repeats / 2] / 1e6,
        rates[0] / 1e6,
        rates[repeats - 1] / 1e6,
        sim.steps(),
        sim.checker.anomalies().count(),
        sim.digest()
    );
}

fn seek(s: &Scenario, steps_wanted: u64) {
    let mut session = Session::new(s.clone());
    let start = Instant::now();
    let horizon = session.seek(steps_wanted);
    let build = start.elapsed().as_secs_f64();
    let mut prng = Prng::new(9);
    let mut worst: f64 = 0.0;
    let mut total = 0.0;
    let seeks = 200;
    for _ in 0..seeks {
        let target = prng.between(0, horizon);
        let t = Instant::now();
        session.seek(target);
        let _view = session.view();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        worst = worst.max(ms);
        total += ms;
    }
    println!(
        "seek: run of {horizon} steps computed and recorded in {build:.2} s; {seeks} random seeks (+ view): mean {:.2} ms, worst {:.2} ms",
        total / seeks as f64,
        worst
    );
}

fn main() {
    // `cargo bench` passes --bench; a filter argument picks one benchmark.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let want = |n: &str| filter.as_deref().is_none_or(|f| n.contains(f));
    if want("small") {
        median_rate("small (3 brokers, 6 partitions, 10k records, 10 every 5 ms)", &cluster(3, 6, 10_000, 10, 5), 21);
    }
    if want("large") {
        median_rate(
            "large (9 brokers, 100 partitions, RF 3, 1M records, 1000 every 5 ms)",
            &cluster(9, 100, 1_000_000, 1_000, 5),
            3,
        );
    }
    // `engine partitions` runs the 2,000-partition workload; `engine partitions-` (note the
    // dash) adds 100, 500 and 1,000 partitions with the same traffic, to show the cost per
    // event does not grow with the partition count.
    let scaling = filter.as_deref() == Some("partitions-");
    if want("partitions") || scaling {
        let sizes: &[u32] = if scaling { &[100, 500, 1_000, 2_000] } else { &[2_000] };
        for &n in sizes {
            let name = format!(
                "partitions (3 brokers, {n} partitions, RF 3, 4 producers, 4 consumers in a group, 20k records)"
            );
            median_rate(&name, &partitions(n, 20_000, 10), 3);
        }
    }
    if want("rocketmq") {
        rocketmq_rate("rocketmq (1 group: master + 2 slaves, 6 queues, 10k messages, 10 every 5 ms)", 21);
    }
    if want("seek") {
        seek(&cluster(3, 6, 420_000, 10, 5), 1_000_000);
    }
    // Each alone in a fresh process measures best (`engine time-travel-group` runs the second
    // only): memory the first run freed stays resident and can hide the second's growth.
    if want("time-travel") {
        time_travel("time-travel", &cluster(3, 6, 420_000, 10, 5), 1_000_000);
    }
    if want("retention") {
        retention_memory(&retention(1_000, 1));
    }
    if want("time-travel-group") {
        time_travel("time-travel-group", &cluster_with_group(6, 140_000, 10, 5, 3), 300_000);
    }
}

/// `retention`: an hour simulated at 1,000 records/s with `retention.ms` 600000 (the
/// checker on, no time travel); resident memory at every simulated 10 minutes. Once
/// retention deletes as fast as the producer writes (after the first 10 minutes) the
/// logs, the checker and the record table stop growing.
fn retention_memory(s: &Scenario) {
    let (mut sim, _) = build_simulation(s, s.seed);
    let mut notes = Vec::new();
    let start = Instant::now();
    let mut next_mark = 0;
    println!("retention (3 brokers, 6 partitions, 1,000 records/s, retention.ms 600000, segment.ms 60000):");
    loop {
        if sim.now() >= next_mark {
            let rss = memory().map_or(0, |m| m.0);
            println!(
                "  {:>2} min simulated: RSS {:.1} MB ({} events, {:.1} s)",
                next_mark / 60_000,
                rss as f64 / 1e6,
                sim.steps(),
                start.elapsed().as_secs_f64()
            );
            next_mark += 600_000;
        }
        notes.clear();
        if sim.step(&mut notes).is_none() {
            break;
        }
    }
    let acked = sim.checker.records.iter().filter(|r| r.acked_offset.is_some()).count();
    println!(
        "  end: {} events, {} record tracks held, {} anomalies, RSS {:.1} MB",
        sim.steps(),
        acked,
        sim.checker.anomalies().count(),
        memory().map_or(0, |m| m.0) as f64 / 1e6
    );
}

/// Resident memory (`VmRSS`) and its peak (`VmHWM`) in bytes, from /proc/self/status.
/// Writing 5 to /proc/self/clear_refs resets the peak (Linux 4.0+), so each measurement
/// starts from the memory in use, not from an earlier workload's peak.
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// `name: <steps> steps recorded, <bytes> B/step, seek p50 <ms> ms, p99 <ms> ms`: the cost of
/// recording a run for time travel (peak resident memory while recording minus before,
/// per step) and of 200 random seeks with the view built, one line to compare run to run.
fn time_travel(name: &str, s: &Scenario, steps_wanted: u64) {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = memory().map_or(0, |m| m.0);
    let mut session = Session::new(s.clone());
    let horizon = session.seek(steps_wanted);
    let peak = memory().map_or(0, |m| m.1);
    let mut prng = Prng::new(9);
    let mut ms: Vec<f64> = (0..200)
        .map(|_| {
            let target = prng.between(0, horizon);
            let t = Instant::now();
            session.seek(target);
            let _view = session.view();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    println!(
        "{name}: {horizon} steps recorded, {} B/step, seek p50 {:.1} ms, p99 {:.1} ms",
        peak.saturating_sub(before) / horizon.max(1),
        ms[ms.len() / 2],
        ms[ms.len() * 99 / 100]
    );
}
