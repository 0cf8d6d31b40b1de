//! The checker on RocketMQ runs: each check fed by the RocketMQ adapter fires on the run
//! that breaks its guarantee and stays silent on the one that keeps it.
use highwater::checker::{Anomaly, AnomalyKind, RecordRef};
use highwater::kernel::{sim::Action, NetworkConfig, Simulation, Time};
use highwater::rocketmq::checks::{stream_name, stream_of, RocketMqChecker};
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{Mq, RocketMqAction, SendMode, World};

mod rocketmq_support;
use rocketmq_support::{cluster, send};

const M: u32 = 0;

/// Runs `spec` with `script` until `end`; returns the simulation (its checker holds the anomalies).
fn run(spec: Spec, script: Vec<(Time, RocketMqAction)>, end: Time) -> Simulation<World, RocketMqChecker> {
    let script = script.into_iter().map(|(t, a)| (t, Action::Model(a))).collect();
    let network = NetworkConfig { latency_ms: 1, jitter_ms: 0, drop: Default::default() };
    let mut sim = Simulation::new(World::new(spec), RocketMqChecker::default(), 9, network, script);
    sim.set_end_time(end);
    let mut notes = Vec::new();
    while sim.step(&mut notes).is_some() {
        notes.clear();
    }
    sim
}

fn found(sim: &Simulation<World, RocketMqChecker>) -> Vec<&Anomaly> {
    sim.checker.anomalies().collect()
}

/// Whether the first `n` records were acknowledged (so a silent run had something to lose).
fn acked(sim: &Simulation<World, RocketMqChecker>, n: u64) -> bool {
    (0..n).all(|i| sim.checker.track(RecordRef(i)).is_some_and(|t| t.acked_offset.is_some()))
}

/// How many times each of the first `n` records was processed.
fn reads(sim: &Simulation<World, RocketMqChecker>, n: u64) -> Vec<u32> {
    (0..n).map(|i| sim.checker.track(RecordRef(i)).map_or(0, |t| t.reads)).collect()
}

fn of_kind(sim: &Simulation<World, RocketMqChecker>, kind: AnomalyKind) -> Vec<&Anomaly> {
    sim.checker.anomalies().filter(|a| a.kind == kind).collect()
}

/// Three sync sends at 1 s; broker 0 goes down at 1.2 s (`power_loss` or kill -9) and back at 5 s.
fn crash_script(power_loss: bool) -> Vec<(Time, RocketMqAction)> {
    let down = if power_loss { RocketMqAction::BrokerPowerLoss(M) } else { RocketMqAction::BrokerCrash(M) };
    vec![(1_000, send(3, SendMode::Sync)), (1_200, down), (5_000, RocketMqAction::BrokerRestart(M))]
}

#[test]
fn streams_are_named_by_broker_topic_and_queue() {
    let spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 2);
    assert_eq!(stream_name(&spec, stream_of(Mq { topic: 0, group: 0, queue_id: 1 })), "broker-a:t:1");
}

#[test]
fn lost_write_when_a_lone_async_flush_master_loses_power_after_acking() {
    let spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    let sim = run(spec, crash_script(true), 10_000);
    let lost = of_kind(&sim, AnomalyKind::LostWrite);
    assert_eq!(lost.len(), 3, "{:#?}", found(&sim));
    assert_eq!(
        lost[0].detail,
        "record #0 (broker-a:t:0 offset 0) is gone: it was acknowledged, and the last replica that had it truncated it (broker-a-0 lost power before its CommitLog flushed it, and no other broker of broker-a holds a copy)"
    );
    assert_eq!(lost.iter().map(|a| a.records[0].0).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn lost_write_when_the_master_that_lost_its_tail_writes_new_messages_over_it() {
    // The async slave has the records, so the restart alone loses nothing; the master,
    // back without them, stores new messages at their queue offsets.
    let spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 1);
    let mut script = crash_script(true);
    script.push((40_000, send(1, SendMode::Sync)));
    let sim = run(spec, script, 45_000);
    let lost = of_kind(&sim, AnomalyKind::LostWrite);
    assert_eq!(lost.len(), 1, "{:#?}", found(&sim));
    assert!(
        lost[0].detail.ends_with("it was acknowledged, then broker-a-0 wrote record #3 at that offset"),
        "{}",
        lost[0].detail
    );
}

#[test]
fn no_lost_write_when_sync_master_and_sync_flush_lose_power() {
    let spec = cluster(Version::V4_9, BrokerRole::SyncMaster, FlushDiskType::SyncFlush, 1, 1);
    let mut script = crash_script(true);
    script.push((40_000, send(1, SendMode::Sync)));
    let sim = run(spec, script, 45_000);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert!(acked(&sim, 4));
}

#[test]
fn no_lost_write_when_an_async_flush_master_process_is_killed() {
    // kill -9: the page cache survives and reaches the disk.
    let spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    let sim = run(spec, crash_script(false), 10_000);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert!(acked(&sim, 3));
}

/// Section 5.4 of the reference: broker-a = M + S, consumer C of group G reads one message
/// per pull every 3 s; M is down from 16.5 s to 50 s, C reads from S and commits there; M
/// comes back with its older consumerOffset.json, and S's sync copies it over S's table.
fn seed_spec() -> Spec {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 1);
    spec.consumer("C", "G", &[0]);
    let c = &mut spec.consumers[0].config;
    c.pull_batch_size = 1;
    c.pull_interval = 3_000;
    spec
}

fn seed_script() -> Vec<(Time, RocketMqAction)> {
    vec![
        (1_000, send(10, SendMode::Sync)),
        (16_500, RocketMqAction::BrokerCrash(M)),
        (50_000, RocketMqAction::BrokerRestart(M)),
    ]
}

#[test]
fn the_section_5_4_walk_through_itself_is_clean() {
    // C pulls from its in-memory offset and repairs M's table: nothing twice, and the
    // slave's table going back is the sync's copy, not the group committing.
    let sim = run(seed_spec(), seed_script(), 90_000);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert_eq!(reads(&sim, 10), [1; 10]);
}

#[test]
fn duplicate_processing_when_a_consumer_takes_the_queue_from_the_returned_masters_stale_offset() {
    // B joins at 62 s: M came back with offset 4, C's 65 s persistAll has not repaired it.
    let mut spec = seed_spec();
    spec.consumer("B", "G", &[0]);
    spec.consumers[1].start_ms = 62_000;
    let sim = run(spec, seed_script(), 90_000);
    let dups = of_kind(&sim, AnomalyKind::DuplicateProcessing);
    assert_eq!(dups.iter().map(|a| a.records[0].0).collect::<Vec<_>>(), (4..10).collect::<Vec<_>>());
    assert_eq!(
        dups[0].detail,
        "group G processed record #4 (broker-a:t:0 offset 4) 2 times: stale offset: the group had committed broker-a:t:0 up to offset 10 (at broker-a-1), but B took the queue from an older offset a broker's table held: broker-a-0 restarted with the offsets of its last consumerOffset.json (persisted every 5 s)"
    );
    // Every one names only the table B read from: S's sync went back after B took the queue.
    assert!(dups.iter().all(|a| !a.detail.contains("SlaveSynchronize")), "{dups:#?}");
}

#[test]
fn nonmonotonic_commit_when_the_stale_owner_commits_below_the_groups_progress() {
    let mut spec = seed_spec();
    spec.consumer("B", "G", &[0]);
    spec.consumers[1].start_ms = 62_000;
    let sim = run(spec, seed_script(), 90_000);
    let back = of_kind(&sim, AnomalyKind::NonmonotonicCommit);
    assert!(!back.is_empty(), "{:#?}", found(&sim));
    assert!(back[0].detail.starts_with("group G committed broker-a:t:0 offset "), "{}", back[0].detail);
}

#[test]
fn duplicate_processing_when_a_consumer_crashes_before_its_offset_reaches_the_broker() {
    let mut spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("C", "G", &[0]);
    let script = vec![
        (1_000, send(5, SendMode::Sync)),
        (3_000, RocketMqAction::ConsumerCrash(0)),
        (4_000, RocketMqAction::ConsumerRestart(0)),
    ];
    let sim = run(spec, script, 30_000);
    let dups = of_kind(&sim, AnomalyKind::DuplicateProcessing);
    // Records 0 to 3 were committed with the pulls that followed them; 4 was not.
    assert_eq!(dups.iter().map(|a| a.records[0].0).collect::<Vec<_>>(), [4], "{:#?}", found(&sim));
    assert!(dups[0].detail.ends_with("2 times: crash before commit: C processed it, crashed before its offset reached the broker, and restarted from the committed offset"), "{}", dups[0].detail);
}

#[test]
fn no_duplicate_processing_for_a_consumer_that_commits_before_it_goes() {
    let mut spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("C", "G", &[0]);
    // The crash comes after a persistAll (every 5 s from 10 s) took the offset to the broker.
    let script = vec![
        (1_000, send(5, SendMode::Sync)),
        (12_000, RocketMqAction::ConsumerCrash(0)),
        (13_000, RocketMqAction::ConsumerRestart(0)),
    ];
    let sim = run(spec, script, 40_000);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert_eq!(reads(&sim, 5), [1; 5]);
}

/// One sync send while the master's disk stalls under SYNC_FLUSH (a 1 s syncFlushTimeout):
/// the answer is FLUSH_DISK_TIMEOUT, a stored message. `retry`: the producer has
/// retryAnotherBrokerWhenNotStoreOK, so it sends it again (to the one queue there is).
fn flush_timeout_run(retry: bool) -> Simulation<World, RocketMqChecker> {
    let mut spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::SyncFlush, 0, 1);
    spec.set_brokers("syncFlushTimeout", "1000").unwrap();
    spec.producers[0].config.retry_another_broker_when_not_store_ok = retry;
    spec.consumer("C", "G", &[0]);
    let script = vec![(500, RocketMqAction::DiskStall { broker: M, ms: 10_000 }), (1_000, send(1, SendMode::Sync))];
    run(spec, script, 30_000)
}

#[test]
fn duplicate_and_duplicate_processing_when_a_stored_message_is_sent_again() {
    let sim = flush_timeout_run(true);
    let dup = of_kind(&sim, AnomalyKind::Duplicate);
    assert_eq!(dup.len(), 2, "{:#?}", found(&sim));
    assert_eq!(
        dup[0].detail,
        "record #0 is at offsets 0 and 1 of broker-a:t:0: the producer retried a batch whose first attempt had been written (a retry without idempotence)"
    );
    let processed = of_kind(&sim, AnomalyKind::DuplicateProcessing);
    assert_eq!(processed.len(), 2, "{:#?}", found(&sim));
    assert_eq!(
        processed[0].detail,
        "group G processed record #0 (broker-a:t:0 offset 1) 2 times: the message is stored more than once, also at broker-a:t:0 offset 0 (a producer retry after an attempt that had been stored; the copies share its msgId)"
    );
}

#[test]
fn no_duplicate_when_flush_disk_timeout_is_taken_as_stored() {
    let sim = flush_timeout_run(false);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert!(acked(&sim, 1));
    assert_eq!(reads(&sim, 1), [1]);
}

/// C consumes five messages sent at 1 s (500 ms each); B joins the group at `b_starts`
/// and, its client id sorting first, takes the one queue.
fn rebalance_run(b_starts: Time) -> Simulation<World, RocketMqChecker> {
    let mut spec = cluster(Version::V5, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.consumer("C", "G", &[0]);
    spec.consumer("B", "G", &[0]);
    spec.consumers[0].consume_ms = 500;
    spec.consumers[1].start_ms = b_starts;
    run(spec, vec![(1_000, send(5, SendMode::Sync))], 30_000)
}

#[test]
fn duplicate_processing_when_the_queue_moves_before_the_offset_reached_the_broker() {
    let sim = rebalance_run(2_000);
    let dups = of_kind(&sim, AnomalyKind::DuplicateProcessing);
    assert_eq!(dups.len(), 5, "{:#?}", found(&sim));
    assert!(
        dups[0].detail.ends_with("2 times: rebalance: C processed it, then the queue moved to B, which started from the offset the broker had for the group (a consumer's offset reaches the broker every 5 s or with its next pull)"),
        "{}",
        dups[0].detail
    );
}

#[test]
fn no_duplicate_processing_when_the_queue_moves_after_the_offset_reached_the_broker() {
    // C's persistAll (10 s, then every 5 s) took its offset to the broker first.
    let sim = rebalance_run(12_000);
    assert!(found(&sim).is_empty(), "{:#?}", found(&sim));
    assert_eq!(reads(&sim, 5), [1; 5]);
}
