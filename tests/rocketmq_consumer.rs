//! The push consumer: rebalance with AllocateMessageQueueAveragely, at once on
//! NotifyConsumerIdsChanged; offsets in the client cache, on the master (carried on pulls
//! and persisted every 5 s); BROADCASTING; ConsumeFromWhere; pull batches.
use highwater::rocketmq::config::{BrokerRole, ConsumeFromWhere, FlushDiskType, MessageModel, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::{Mq, RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::{cluster, mq, send, Run};

fn last_assignment(run: &Run, c: u32) -> Vec<Mq> {
    run.notes
        .iter()
        .rev()
        .find_map(|(_, n)| match n {
            Note::Rebalanced { consumer, queues, .. } if *consumer == c => Some(queues.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn two_consumers() -> highwater::rocketmq::Spec {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 4);
    spec.consumer("c1", "G", &[0]);
    spec.consumer("c2", "G", &[0]);
    spec.consumers[1].start_ms = 3_000;
    spec
}

#[test]
fn consumers_split_the_queues_averagely_and_take_over_at_once_when_one_leaves() {
    let script = vec![(10_000, RocketMqAction::ConsumerCrash(1)), (12_000, send(8, SendMode::Sync))];
    let mut run = Run::new(two_consumers(), 2, script);
    run.until(9_000);
    assert_eq!(last_assignment(&run, 0), vec![mq(0), mq(1)]);
    assert_eq!(last_assignment(&run, 1), vec![mq(2), mq(3)]);
    run.until(10_100);
    // The broker drops the closed channel and notifies c1, which rebalances at once.
    assert_eq!(last_assignment(&run, 0), vec![mq(0), mq(1), mq(2), mq(3)]);
    run.until(20_000);
    let mut got = run.consumed(0);
    got.sort();
    assert_eq!(got, (0..8).collect::<Vec<u64>>());
}

#[test]
fn offsets_reach_the_master_on_pulls_and_every_persist_interval() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    let mut run = Run::new(spec, 2, vec![(2_000, send(5, SendMode::Sync))]);
    run.until(9_000);
    assert_eq!(run.world().consumers[0].offset_store.read(mq(0)), Some(5));
    // The long-polling pull after consumption carried offset 0 or less; the first
    // persistAll (10 s after start, then every 5 s) sends 5.
    run.until(10_100);
    assert_eq!(run.world().broker_offset(0, "G", mq(0)), Some(5));
    let via: Vec<&str> = run
        .notes
        .iter()
        .filter_map(|(_, n)| match n {
            Note::OffsetCommitted { via, .. } => Some(*via),
            _ => None,
        })
        .collect();
    assert!(via.contains(&"UpdateConsumerOffset"), "{via:?}");
    // consumerOffset.json is written every 5 s after the first 10 s.
    run.until(15_100);
    assert_eq!(run.world().brokers[0].offsets.persisted.len(), 1);
}

#[test]
fn broadcasting_gives_every_consumer_every_message_and_keeps_offsets_local() {
    let mut spec = two_consumers();
    for c in &mut spec.consumers {
        c.config.message_model = MessageModel::Broadcasting;
    }
    let mut run = Run::new(spec, 2, vec![(5_000, send(6, SendMode::Sync))]);
    run.until(20_000);
    for c in 0..2 {
        let mut got = run.consumed(c);
        got.sort();
        assert_eq!(got, (0..6).collect::<Vec<u64>>(), "consumer {c}");
        assert!(!run.world().consumers[c as usize].offset_store.file.is_empty());
    }
    assert!(run.world().brokers[0].offsets.table.is_empty());
}

fn late_consumer(from: ConsumeFromWhere, memory: u64) -> Vec<u64> {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.physical_memory = memory;
    spec.consumer("c1", "G", &[0]);
    spec.consumers[0].start_ms = 5_000;
    spec.consumers[0].config.consume_from_where = from;
    let mut run = Run::new(spec, 2, vec![(1_000, send(10, SendMode::Sync)), (8_000, send(1, SendMode::Sync))]);
    run.until(15_000);
    run.consumed(0)
}

#[test]
fn consume_from_where_applies_only_when_the_broker_has_no_offset() {
    // A young queue (its first message still "in memory"): the broker answers 0.
    assert_eq!(late_consumer(ConsumeFromWhere::ConsumeFromLastOffset, 1 << 30).len(), 11);
    // 40% of 1 KiB RAM: the first message is "on disk", QUERY_NOT_FOUND, start at the max.
    assert_eq!(late_consumer(ConsumeFromWhere::ConsumeFromLastOffset, 1024), vec![10]);
    assert_eq!(late_consumer(ConsumeFromWhere::ConsumeFromFirstOffset, 1024).len(), 11);
}

#[test]
fn a_pull_brings_at_most_pull_batch_size_messages() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    spec.consumers[0].start_ms = 5_000;
    spec.consumers[0].config.consume_from_where = ConsumeFromWhere::ConsumeFromFirstOffset;
    let mut run = Run::new(spec, 2, vec![(1_000, send(50, SendMode::Async))]);
    run.until(15_000);
    let counts: Vec<u32> = run
        .notes
        .iter()
        .filter_map(|(_, n)| match n {
            Note::PullResult { count, .. } if *count > 0 => Some(*count),
            _ => None,
        })
        .collect();
    assert_eq!(counts, vec![32, 18]);
    assert_eq!(run.consumed(0).len(), 50);
}

#[test]
fn a_consumer_that_crashes_before_persisting_gets_its_messages_again() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    let script = vec![
        (11_000, send(4, SendMode::Sync)),
        (13_000, RocketMqAction::ConsumerCrash(0)),
        (14_000, RocketMqAction::ConsumerRestart(0)),
    ];
    let mut run = Run::new(spec, 2, script);
    run.until(30_000);
    // The messages came one by one (sync sends), and each pull carried the offset consumed
    // so far: the pull after message 3 carried 3. The crash came before the 15 s persistAll
    // could send 4, so message 3 is delivered again.
    assert_eq!(run.world().broker_offset(0, "G", mq(0)), Some(4), "the restarted consumer's offset");
    assert_eq!(run.consumed(0), vec![0, 1, 2, 3, 3]);
}

#[test]
fn reconsume_later_keeps_the_batch_and_holds_the_offset_back_in_clustering() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    let script =
        vec![(1_000, RocketMqAction::ConsumerFailNext { consumer: 0, batches: 1 }), (2_000, send(3, SendMode::Async))];
    let mut run = Run::new(spec, 2, script);
    run.until(4_000);
    // Message 0 failed; 1 and 2 were consumed, but the offset stays at 0 (the smallest
    // offset still in the ProcessQueue).
    assert_eq!(run.consumed(0), vec![1, 2]);
    assert_eq!(run.world().consumers[0].offset_store.read(mq(0)), Some(0));
    run.until(8_000);
    assert_eq!(run.consumed(0), vec![1, 2, 0], "consumed again 5 s later");
    assert_eq!(run.world().consumers[0].offset_store.read(mq(0)), Some(3));
}

#[test]
fn avg_by_circle_deals_the_queues_round_robin() {
    let mut spec = two_consumers();
    for c in &mut spec.consumers {
        c.config.allocate_message_queue_strategy = highwater::rocketmq::allocate::AllocateStrategy::AveragelyByCircle;
    }
    let mut run = Run::new(spec, 2, vec![]);
    run.until(9_000);
    assert_eq!(last_assignment(&run, 0), vec![mq(0), mq(2)]);
    assert_eq!(last_assignment(&run, 1), vec![mq(1), mq(3)]);
}

#[test]
fn a_broadcasting_consumer_restarts_from_its_own_offsets_file() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    spec.consumers[0].config.message_model = MessageModel::Broadcasting;
    let script = vec![
        (2_000, send(3, SendMode::Sync)),
        (12_000, send(2, SendMode::Sync)),
        (13_000, RocketMqAction::ConsumerCrash(0)),
        (14_000, RocketMqAction::ConsumerRestart(0)),
    ];
    let mut run = Run::new(spec, 2, script);
    run.until(30_000);
    // The file was written at 10 s (offset 3); messages 3 and 4 come again after the restart.
    assert_eq!(run.consumed(0), vec![0, 1, 2, 3, 4, 3, 4]);
    assert!(run.world().brokers[0].offsets.table.is_empty(), "nothing is reported to the broker");
}

#[test]
fn the_listener_gets_batches_of_consume_message_batch_max_size() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    spec.consumers[0].start_ms = 5_000;
    spec.consumers[0].config.consume_from_where = ConsumeFromWhere::ConsumeFromFirstOffset;
    spec.consumers[0].config.consume_message_batch_max_size = 4;
    let script =
        vec![(1_000, send(10, SendMode::Async)), (2_000, RocketMqAction::ConsumerFailNext { consumer: 0, batches: 3 })];
    let mut run = Run::new(spec, 2, script);
    run.until(6_000);
    // One pull of 10, three listener calls of 4, 4 and 2 messages, all failed.
    let failed: Vec<usize> = run
        .notes
        .iter()
        .filter_map(|(_, n)| match n {
            Note::ConsumeFailed { records, .. } => Some(records.len()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec![4, 4, 2]);
    run.until(12_000);
    assert_eq!(run.consumed(0).len(), 10, "consumed again after 5 s");
}

/// When consumer c1's assignment changed, for three consumers joining at 0, 3.0 and 3.5 s.
fn c1_rebalances(version: Version) -> Vec<u64> {
    let mut spec = cluster(version, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 6);
    for (name, start) in [("c1", 0), ("c2", 3_000), ("c3", 3_500)] {
        let c = spec.consumer(name, "G", &[0]);
        spec.consumers[c as usize].start_ms = start;
    }
    let mut run = Run::new(spec, 2, vec![]);
    run.until(8_000);
    run.notes.iter().filter_map(|(t, n)| matches!(n, Note::Rebalanced { consumer: 0, .. }).then_some(*t)).collect()
}

#[test]
fn a_notified_rebalance_runs_at_once_but_5x_keeps_runs_a_second_apart() {
    // c2's heartbeat reaches the broker at 3 003 and c3's at 3 503; the broker notifies
    // c1, which asks for the consumer ids and allocates 2 ms later.
    assert_eq!(c1_rebalances(Version::V4_9), vec![4, 3_006, 3_506]);
    // 5.x: the wakeup at 3 504 is 500 ms after the run at 3 004, so it waits until 4 004.
    assert_eq!(c1_rebalances(Version::V5), vec![4, 3_006, 4_006]);
}
