//! A bigger run stays quick: 3 broker groups with 2 slaves each, 6 consumers, 3 000
//! messages, with the invariants checked after every step (debug builds).
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::Run;

#[test]
fn three_thousand_messages_through_three_groups_and_six_consumers() {
    let names = ["broker-a", "broker-b", "broker-c"];
    let mut spec = Spec::classic(Version::V4_9, &names, BrokerRole::SyncMaster, FlushDiskType::AsyncFlush, 2).unwrap();
    spec.topic("t", 8);
    spec.producer("p");
    for i in 0..6 {
        spec.consumer(&format!("c{i}"), "G", &[0]);
    }
    let script: Vec<_> = (0..30)
        .map(|i| (1_000 + i * 500, RocketMqAction::Send { producer: 0, topic: 0, count: 100, mode: SendMode::Async }))
        .collect();
    let mut run = Run::new(spec, 1, script);
    run.until(60_000);
    let mut consumed: Vec<u64> = (0..6).flat_map(|c| run.consumed(c)).collect();
    consumed.sort();
    consumed.dedup();
    assert_eq!(consumed.len(), 3_000);
    println!("steps: {}", run.sim.steps());
}
