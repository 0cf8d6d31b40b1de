//! The RocketMQ world end to end: registration and routes, sends stored on the master and
//! copied to the slave, a push consumer that receives every message once, and determinism.
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::SendMode;

mod rocketmq_support;
use rocketmq_support::{cluster, send, Run};

#[test]
fn brokers_register_and_a_producer_sends_to_the_master_and_the_slave_copies() {
    let spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 4);
    let mut run = Run::new(spec, 7, vec![(1_000, send(8, SendMode::Sync))]);
    run.until(10_000);
    assert_eq!(run.count_notes(|n| matches!(n, Note::BrokerRegistered { .. })), 2);
    let results = run.send_results();
    assert_eq!(results.len(), 8);
    assert!(results.iter().all(|(_, r)| r.as_deref() == Ok("SEND_OK")), "{results:?}");
    let w = run.world();
    let (master, slave) = (&w.brokers[0], &w.brokers[1]);
    assert_eq!(master.store.commit_log.len(), 8);
    assert_eq!(slave.store.commit_log.entries(), master.store.commit_log.entries());
    // Round robin over the 4 queues: two messages each.
    for q in 0..4 {
        assert_eq!(master.store.max_queue_offset(rocketmq_support::mq(q)), 2);
    }
}

#[test]
fn a_push_consumer_receives_every_message_once() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 4);
    spec.consumer("c1", "G", &[0]);
    let mut run = Run::new(spec, 3, vec![(5_000, send(20, SendMode::Async))]);
    run.until(30_000);
    let mut got = run.consumed(0);
    got.sort();
    assert_eq!(got, (0..20).collect::<Vec<u64>>());
}

#[test]
fn same_seed_same_digest() {
    let digest = |seed| {
        let mut spec = cluster(Version::V5, BrokerRole::SyncMaster, FlushDiskType::SyncFlush, 1, 4);
        spec.consumer("c1", "G", &[0]);
        spec.consumer("c2", "G", &[0]);
        let mut run = Run::new(spec, seed, vec![(2_000, send(30, SendMode::Async)), (9_000, send(5, SendMode::Sync))]);
        run.until(60_000);
        run.sim.digest()
    };
    assert_eq!(digest(11), digest(11));
    assert_ne!(digest(11), digest(12));
}

#[test]
fn a_broker_without_power_leaves_the_name_server_after_the_channel_expiry() {
    let spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 4);
    let mut run = Run::new(spec, 7, vec![(1_000, highwater::rocketmq::RocketMqAction::BrokerPowerLoss(0))]);
    run.until(130_000);
    let removed: Vec<(u64, bool)> = run
        .notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::BrokerRemoved { broker: 0, expired, .. } => Some((*t, *expired)),
            _ => None,
        })
        .collect();
    // Registered at 1 ms; the 5 s scan that finds it silent for more than 120 s.
    assert_eq!(removed, vec![(125_000, true)]);
}

#[test]
fn a_spec_names_what_a_scenario_got_wrong() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 4);
    assert_eq!(spec.validate(), Ok(()));
    spec.consumer("c1", "G", &[3]);
    assert_eq!(spec.validate(), Err("consumer 'c1' subscribes to topic 3, which does not exist".to_string()));
}

#[test]
fn holders_tell_where_a_record_is() {
    let spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 4);
    let mut run = Run::new(spec, 7, vec![(1_000, send(1, SendMode::Sync))]);
    run.until(2_000);
    assert_eq!(run.world().holders(0), vec![0, 1]);
    assert_eq!(run.world().holders(1), Vec::<usize>::new());
}
