//! The consumer-group lessons beyond their verdicts: consumer lag and backlog (K20:
//! `consumer-lag-grows`, `consumer-lag-scaled-out`).
use highwater::kafka::notes::Note;
use highwater::scenario::Scenario;
use highwater::session::view::LagPoint;
use highwater::session::Session;

mod common;
use common::{load, notes};

/// The group's lag (what the lag chart draws) at time `t`: its last point at or before `t`.
fn lag_at(points: &[LagPoint], t: u64) -> u64 {
    points.iter().take_while(|p| p.time_ms <= t).last().map_or(0, |p| p.lag)
}

/// Records handed to the producer minus records the group processed, by time `t`: the backlog.
fn backlog_at(ns: &[(u64, Note)], t: u64) -> i64 {
    ns.iter()
        .take_while(|(at, _)| *at <= t)
        .map(|(_, n)| match n {
            Note::RecordSent { .. } => 1,
            Note::RecordProcessed { .. } => -1,
            _ => 0,
        })
        .sum()
}

/// Records per second the scenario's `produce` actions write, and the first consumer's
/// capacity in records per second (1000 / `sim.processing.ms.per.record`).
fn rates(s: &Scenario) -> (f64, f64) {
    let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    let produces: Vec<&serde_json::Value> =
        v["timeline"].as_array().unwrap().iter().filter(|a| a["action"] == "produce").collect();
    let count: u64 = produces.iter().map(|a| a["count"].as_u64().unwrap()).sum();
    let first = produces.first().unwrap()["at_ms"].as_u64().unwrap();
    let last = produces.last().unwrap()["at_ms"].as_u64().unwrap();
    let per_second = count as f64 * 1000.0 / (last - first + 1000) as f64;
    let ms = v["consumers"][0]["config"]["sim.processing.ms.per.record"].as_u64().unwrap();
    (per_second, 1000.0 / ms as f64)
}

fn run(name: &str) -> (Session, Vec<(u64, Note)>, Vec<LagPoint>) {
    let (session, ns) = notes(load(name));
    let series = session.lag_series().iter().find(|s| s.group == "billing").expect("billing's lag").points.clone();
    (session, ns, series)
}

#[test]
fn a_consumer_slower_than_the_producer_falls_further_behind() {
    let s = load("consumer-lag-grows");
    let (arrival, capacity) = rates(&s);
    assert!(arrival > capacity, "the lesson needs a producer faster than the consumer: {arrival} vs {capacity}");
    let (session, ns, lag) = run("consumer-lag-grows");
    // The lag the chart shows rises from one 10 s mark to the next while records arrive.
    let marks: Vec<u64> = [10_000, 20_000, 30_000, 40_000].iter().map(|t| lag_at(&lag, *t)).collect();
    assert!(marks.windows(2).all(|w| w[1] > w[0]), "the lag grows: {marks:?}");
    // The backlog (produced - processed) grows by about arrival - capacity every second.
    let grown = (backlog_at(&ns, 40_000) - backlog_at(&ns, 10_000)) as f64;
    let expected = (arrival - capacity) * 30.0;
    assert!(grown >= 0.8 * expected && grown <= 1.2 * expected, "backlog grew by {grown}, expected ~{expected}");
    // Never caught up once the group formed, and never faster than its capacity.
    assert!(lag.iter().filter(|p| p.time_ms > 5_000).all(|p| p.lag > 0), "{lag:?}");
    let processed = ns.iter().filter(|(_, n)| matches!(n, Note::RecordProcessed { .. })).count() as f64;
    assert!(processed <= capacity * (s.duration_ms as f64 / 1000.0), "{processed} records processed");
    // The run ends with every partition committed below its high watermark.
    let v = session.view();
    for p in v.partitions.iter().filter(|p| p.topic == "orders") {
        let committed = p.groups[0].committed.expect("c1 committed");
        assert!(committed < p.high_watermark, "orders-{}: {committed} vs HW {}", p.partition, p.high_watermark);
    }
    assert_eq!(v.groups[0].lag, lag.last().unwrap().lag, "the group's lag is the chart's last point");
}

#[test]
fn consumers_up_to_the_partition_count_drain_the_lag() {
    let (_, _, slow) = run("consumer-lag-grows");
    let (session, ns, lag) = run("consumer-lag-scaled-out");
    // The two lessons are the same run until c2 and c3 start at 12 s.
    let joined = load("consumer-lag-scaled-out").consumers[1].start_ms;
    let before = |s: &[LagPoint]| s.iter().filter(|p| p.time_ms < joined).copied().collect::<Vec<_>>();
    assert_eq!(before(&lag), before(&slow));
    // Then the lag falls to 0 and stays below what it was when they joined.
    let at_join = lag_at(&lag, joined);
    let drained = lag.iter().find(|p| p.time_ms > joined && p.lag == 0).expect("the lag reaches 0");
    assert!(drained.time_ms < joined + 10_000, "drained at {} ms", drained.time_ms);
    assert!(lag.iter().filter(|p| p.time_ms > drained.time_ms).all(|p| p.lag < at_join / 2), "{lag:?}");
    assert!(lag_at(&lag, 40_000) < lag_at(&slow, 40_000));
    // Every partition ends committed at its high watermark.
    let v = session.view();
    for p in v.partitions.iter().filter(|p| p.topic == "orders") {
        assert_eq!(p.groups[0].committed, Some(p.high_watermark), "orders-{}", p.partition);
        assert_eq!(p.groups[0].lag, Some(0));
    }
    assert_eq!(v.groups[0].lag, 0);
    // After the scale-out each partition is processed by one consumer only.
    let mut owners = std::collections::BTreeMap::new();
    for (t, n) in &ns {
        if let Note::RecordProcessed { consumer, tp, .. } = n {
            if *t > joined + 1_000 {
                owners.entry(tp.partition).or_insert_with(std::collections::BTreeSet::new).insert(*consumer);
            }
        }
    }
    assert_eq!(owners.len(), 3, "{owners:?}");
    assert!(owners.values().all(|c| c.len() == 1), "{owners:?}");
    let busy: std::collections::BTreeSet<u32> = owners.values().flatten().copied().collect();
    assert_eq!(busy.len(), 3, "three consumers share the three partitions: {owners:?}");
}

#[test]
fn a_consumer_beyond_the_partition_count_gets_nothing() {
    let (session, ns, _) = run("consumer-lag-scaled-out");
    let last = ns
        .iter()
        .rev()
        .find_map(|(_, n)| match n {
            Note::Assignment { assignment, .. } => Some(assignment.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(last.len(), 4, "{last:?}");
    let c4 = last.iter().find(|(m, _)| m.starts_with("c4-")).expect("c4 is a member");
    assert!(c4.1.is_empty(), "{last:?}");
    assert!(last.iter().filter(|(m, _)| !m.starts_with("c4-")).all(|(_, tps)| tps.len() == 1), "{last:?}");
    let idle: Vec<_> = session.anomalies().into_iter().filter(|a| a.kind.is_notice()).collect();
    assert_eq!(idle.len(), 1, "{idle:?}");
    assert!(idle[0].detail.contains(&*c4.0), "{}", idle[0].detail);
    let c4_index = 3;
    assert!(!ns.iter().any(|(_, n)| matches!(n, Note::RecordProcessed { consumer, .. } if *consumer == c4_index)));
}
