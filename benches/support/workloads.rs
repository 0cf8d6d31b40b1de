//! Benchmark workloads, shared by the native bench and the wasm one (tests/wasm_bench.rs).
use highwater::scenario::Scenario;
use serde_json::json;

/// Steady traffic: `per_entry` records every `every_ms`, spread over the partitions
/// (`partitioner.class=round-robin`) until `records` have been sent; then 5 s to settle.
pub fn cluster(brokers: u32, partitions: u32, records: u64, per_entry: u64, every_ms: u64) -> Scenario {
    let entries = records.div_ceil(per_entry);
    let timeline: Vec<_> = (0..entries)
        .map(|i| json!({"at_ms": 100 + i * every_ms, "action": "produce", "producer": "app", "topic": "t", "count": per_entry.min(records - i * per_entry)}))
        .collect();
    let text = json!({
        "id": "bench", "title": {"en": "bench"}, "seed": 42, "duration_ms": 100 + entries * every_ms + 5_000,
        "cluster": {"brokers": brokers},
        "topics": [{"name": "t", "partitions": partitions, "replication_factor": 3}],
        "producers": [{"name": "app", "config": {"sim.batch.max.records": 100, "partitioner.class": "round-robin"}}],
        "readers": [{"name": "reader", "topic": "t"}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).expect("bench scenario")
}

/// [`cluster`] with a consumer group of `consumers` members reading the topic beside the
/// reader (time travel then also records the group's coordinator state and the checker's
/// per-consumer history).
pub fn cluster_with_group(partitions: u32, records: u64, per_entry: u64, every_ms: u64, consumers: u32) -> Scenario {
    let mut v: serde_json::Value =
        serde_json::from_str(&cluster(3, partitions, records, per_entry, every_ms).to_json())
            .expect("bench scenario as JSON");
    v["consumers"] = (1..=consumers).map(|i| json!({"name": format!("c{i}"), "group": "g", "topics": ["t"]})).collect();
    Scenario::from_json(&v.to_string()).expect("bench scenario with a group")
}

/// Many partitions, light traffic (issue 12): 3 brokers, `partitions` partitions with RF 3,
/// 4 producers each sending `per_entry` records every 5 ms (round-robin over the
/// partitions) until `records` have been sent in all, and 4 consumers in one group; then
/// 5 s to settle. The cost per event should not grow with the number of partitions.
pub fn partitions(partitions: u32, records: u64, per_entry: u64) -> Scenario {
    let producers = 4u64;
    let entries = records.div_ceil(per_entry * producers);
    let timeline: Vec<_> = (0..entries)
        .flat_map(|i| {
            (1..=producers).map(move |p| {
                json!({"at_ms": 100 + i * 5, "action": "produce", "producer": format!("p{p}"), "topic": "t", "count": per_entry})
            })
        })
        .collect();
    let text = json!({
        "id": "bench-partitions", "title": {"en": "bench"}, "seed": 42, "duration_ms": 100 + entries * 5 + 5_000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": partitions, "replication_factor": 3}],
        "producers": (1..=producers).map(|p| json!({"name": format!("p{p}"), "config": {"sim.batch.max.records": 100, "partitioner.class": "round-robin"}})).collect::<Vec<_>>(),
        "consumers": (1..=4).map(|i| json!({"name": format!("c{i}"), "group": "g", "topics": ["t"]})).collect::<Vec<_>>(),
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).expect("bench scenario")
}

/// An hour of steady traffic under retention: 3 brokers, 6 partitions (RF 3), `per_s`
/// records a second sent 1/10 of them every 100 ms, `retention.ms` 600000 with segments
/// rolled every minute (`segment.ms` 60000: with Kafka's 1 GiB, 7-day segments nothing
/// would roll in an hour) and checked every minute, one consumer group keeping up (its
/// processing takes no time; at the default 10 ms a record it would fall behind and lose
/// records to retention, the `slow-consumer-retention` lesson).
pub fn retention(per_s: u64, hours: u64) -> Scenario {
    let entries = hours * 36_000;
    let per_entry = per_s / 10;
    let timeline: Vec<_> = (0..entries)
        .map(|i| json!({"at_ms": 100 + i * 100, "action": "produce", "producer": "app", "topic": "t", "count": per_entry}))
        .collect();
    let text = json!({
        "id": "bench-retention", "title": {"en": "bench"}, "seed": 42, "duration_ms": 100 + entries * 100 + 5_000,
        "cluster": {"brokers": 3, "config": {"log.retention.check.interval.ms": 60_000}},
        "topics": [{"name": "t", "partitions": 6, "replication_factor": 3,
                    "config": {"retention.ms": 600_000, "segment.ms": 60_000}}],
        "producers": [{"name": "app", "config": {"sim.batch.max.records": 100, "partitioner.class": "round-robin"}}],
        "consumers": [{"name": "c1", "group": "g", "topics": ["t"], "config": {"auto.offset.reset": "earliest", "sim.processing.ms.per.record": 0}}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).expect("retention bench scenario")
}
