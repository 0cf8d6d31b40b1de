//! Consumer lag as kafka-ui and Burrow users read it, including partitions where nothing is
//! committed yet: a consumer GC-paused before its first commit shows its lag growing (from
//! its position), in the partition table, the group's total and the lag chart.
use highwater::scenario::Scenario;
use highwater::session::Session;
use serde_json::json;

fn paused_before_committing() -> Scenario {
    // The group forms after group.initial.rebalance.delay.ms (3 s); the consumer reads the
    // first 3 records (auto-commit every 5 s has not fired yet), then freezes.
    let mut timeline =
        vec![json!({"at_ms": 1_000, "action": "produce", "producer": "app", "topic": "orders", "count": 3})];
    timeline.push(json!({"at_ms": 4_500, "action": "consumer_pause", "consumer": "c1", "ms": 60_000, "gc": true}));
    for i in 0..10 {
        timeline.push(
            json!({"at_ms": 5_000 + i * 1_000, "action": "produce", "producer": "app", "topic": "orders", "count": 2}),
        );
    }
    let text = json!({
        "id": "paused-lag", "title": {"en": "paused"}, "duration_ms": 20_000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "orders", "partitions": 1, "replication_factor": 3}],
        "producers": [{"name": "app"}],
        "consumers": [{"name": "c1", "group": "g", "topics": ["orders"],
                       "config": {"auto.offset.reset": "earliest", "sim.processing.ms.per.record": 0}}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).unwrap()
}

#[test]
fn a_paused_consumer_with_nothing_committed_shows_its_lag_growing() {
    let s = paused_before_committing();
    let mut session = Session::new(s);
    session.seek(u64::MAX);
    let v = session.view();
    let p = v.partitions.iter().find(|p| p.topic == "orders").unwrap();
    assert_eq!(p.high_watermark, 23, "3 + 10 x 2 records, all committed by the ISR");
    let g = &p.groups[0];
    let lag = g.lag.expect("a lag although nothing is committed");
    assert!(g.lag_from_position && g.committed.is_none(), "{g:?}");
    assert_eq!(lag, 20, "the 20 records sent during the pause");
    let group = v.groups.iter().find(|x| x.id == "g").unwrap();
    assert_eq!(group.lag, 20, "the group's total counts it too");
    // The chart rises during the pause: one point per new high watermark.
    let series = &session.lag_series()[0];
    let lags: Vec<u64> = series.points.iter().map(|p| p.lag).collect();
    assert!(lags.windows(2).filter(|w| w[1] > w[0]).count() >= 5, "the lag climbs: {lags:?}");
    assert_eq!(lags.last(), Some(&20), "{lags:?}");
}

#[test]
fn with_an_offset_committed_the_lag_counts_from_it() {
    // The same consumer, not paused: it processes everything and auto-commits it.
    let mut v: serde_json::Value = serde_json::from_str(&paused_before_committing().to_json()).unwrap();
    v["timeline"].as_array_mut().unwrap().retain(|a| a["action"] != "consumer_pause");
    let mut session = Session::new(Scenario::from_json(&v.to_string()).unwrap());
    session.seek(u64::MAX);
    let view = session.view();
    let g = &view.partitions.iter().find(|p| p.topic == "orders").unwrap().groups[0];
    assert_eq!((g.committed, g.lag, g.lag_from_position), (Some(23), Some(0), false));
}
