//! Reading from the slave and the offset sync: section 5.4 of the shared reference, step by
//! step (master down, the consumer reads from the slave and reports its offsets there, the
//! master returns with its older consumerOffset.json, the slave's one-way copy overwrites
//! newer offsets with older ones, and the consumer's next report to the master repairs it).
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::{cluster, mq, send, Run};

const M: usize = 0;
const S: usize = 1;

/// Group broker-a = M (master) + S (slave), one queue, consumer C reading one message per
/// pull every 3 s (so it still has messages to read when the master goes).
fn seed_scenario(version: Version) -> Run {
    seed_run(seed_spec(version))
}

fn seed_spec(version: Version) -> Spec {
    let mut spec = cluster(version, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 1);
    spec.consumer("C", "G", &[0]);
    let c = &mut spec.consumers[0].config;
    c.pull_batch_size = 1;
    c.pull_interval = 3_000;
    spec
}

fn seed_run(spec: Spec) -> Run {
    let script = vec![
        (1_000, send(10, SendMode::Sync)),
        (16_500, RocketMqAction::BrokerCrash(M as u32)),
        (50_000, RocketMqAction::BrokerRestart(M as u32)),
    ];
    Run::new(spec, 9, script)
}

fn offsets(run: &Run) -> (Option<u64>, Option<u64>, Option<u64>, Option<u64>) {
    let w = run.world();
    (
        w.broker_offset(M, "G", mq(0)),
        w.brokers[M].offsets.persisted.values().next().copied(),
        w.broker_offset(S, "G", mq(0)),
        w.consumers[0].offset_store.read(mq(0)),
    )
}

fn regressions(run: &Run) -> Vec<(u64, u64, u64)> {
    run.notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::OffsetsSynced { regressed, .. } => regressed.first().map(|(_, old, new)| (*t, *old, *new)),
            _ => None,
        })
        .collect()
}

fn pulled_from(run: &Run, node: u32) -> Vec<u64> {
    run.notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::PullResult { from, count, .. } if from.0 == node && *count > 0 => Some(*t),
            _ => None,
        })
        .collect()
}

/// (M in memory, M's consumerOffset.json, S in memory, C's cache) at each stage.
#[test]
fn master_down_consumer_reads_from_the_slave_master_returns_section_5_4() {
    let mut run = seed_scenario(Version::V4_9);
    let (m_node, s_node) = (run.world().brokers[M].node.0, run.world().brokers[S].node.0);

    // 1. Normal: C pulls from M, each pull carrying its offset; persistAll every 5 s from
    //    10 s; M writes consumerOffset.json every 5 s; S copies M's table every 10 s (3, 13 s).
    run.until(16_400);
    assert_eq!(run.consumed(0), (0..6).collect::<Vec<u64>>());
    assert_eq!(offsets(&run), (Some(5), Some(4), Some(3), Some(6)));
    assert!(pulled_from(&run, s_node).is_empty());

    // 2. M crashes: the name server drops it at once (channel closed); C's pulls to M fail
    //    and are retried every second until C's route refresh (30 s) leaves M out.
    run.until(30_010);
    assert_eq!(run.consumed(0).len(), 6, "nothing read during the gap");
    assert_eq!(run.world().brokers[S].master_addr, None, "S learnt at its 30 s register");
    let failed: Vec<u64> =
        run.notes.iter().filter_map(|(t, n)| matches!(n, Note::PullFailed { .. }).then_some(*t)).collect();
    // Refused at 19 013 (the pull after the 3 s pullInterval), then every second
    // (pullTimeDelayMillsWhenException 1000, then 1 ms to be refused) until the route refresh.
    assert_eq!(failed.first(), Some(&19_013));
    assert_eq!(failed.len(), 11);
    assert!(failed.windows(2).all(|w| w[1] - w[0] == 1_001));

    // 3. C pulls from S from its in-memory nextOffset (6), without the commit flag.
    run.until(40_000);
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>(), "no re-consumption");
    assert_eq!(pulled_from(&run, s_node).len(), 4);
    let commits_on_s_by_pull = run.count_notes(|n| matches!(n, Note::OffsetCommitted { broker: 1, via: "pull", .. }));
    assert_eq!(commits_on_s_by_pull, 0);

    // 4. C's persistAll goes to S (the first address once M is gone); S now holds newer
    //    offsets than M's file. S does not sync: masterAddr is null.
    run.until(49_000);
    assert_eq!(offsets(&run), (Some(5), Some(4), Some(10), Some(10)));

    // 5. M restarts with the consumerOffset.json it last wrote (at 15 s: 4).
    run.until(50_500);
    assert_eq!(offsets(&run).0, Some(4));

    // 6. S learns M's address at its 60 s register; its next sync (63 s) puts M's older
    //    offset over its newer one.
    run.until(63_500);
    assert_eq!(regressions(&run), vec![(63_002, 10, 4)]);
    assert_eq!(offsets(&run), (Some(4), Some(4), Some(4), Some(10)));

    // 7. C's route shows M again (60 s); its next persistAll (65 s) takes its cached offset
    //    to M (written to its file at 70 s), and S's next sync (73 s) copies it. Nothing
    //    was consumed twice.
    run.until(65_500);
    assert_eq!(offsets(&run), (Some(10), Some(4), Some(4), Some(10)));
    run.until(73_500);
    assert_eq!(offsets(&run), (Some(10), Some(10), Some(10), Some(10)));
    run.until(90_000);
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>());
    assert!(pulled_from(&run, m_node).len() == 6);
}

#[test]
fn a_consumer_that_joins_while_the_returned_master_holds_a_stale_offset_consumes_twice() {
    // The twin: consumer B joins at 62 s, after M came back with offset 4 and before C's
    // 65 s persistAll repaired it. With one queue, AVG gives it to the first id in string
    // order: "B".
    let mut spec = seed_spec(Version::V4_9);
    spec.consumer("B", "G", &[0]);
    spec.consumers[1].start_ms = 62_000;
    let mut run = seed_run(spec);
    run.until(90_000);
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>());
    // B ("B" sorts before "C") takes the queue and reads M's stale offset 4.
    assert_eq!(run.consumed(1), (4..10).collect::<Vec<u64>>());
}

#[test]
fn on_5x_a_slave_without_slave_read_enable_serves_no_pulls() {
    let mut run = seed_scenario(Version::V5);
    run.until(49_000);
    assert_eq!(run.consumed(0).len(), 6, "C stalls for the whole outage");
    let busy = run.count_notes(|n| matches!(n, Note::PullResult { status, .. } if status == "SYSTEM_BUSY"));
    assert!(busy >= 15, "{busy}");
    run.until(90_000);
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>(), "the rest comes from M once it is back");
}

#[test]
fn on_5x_slave_read_enable_lets_the_consumer_read_from_the_slave() {
    let mut spec = seed_spec(Version::V5);
    spec.brokers[S].slave_read_enable = true;
    let mut run = seed_run(spec);
    run.until(49_000);
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>());
    // 5.x syncs at the first 3 s tick more than 60 s after the last sync (10 s): 73 s. By
    // then C's 65 s persistAll has repaired M, so this copy brings 10 and S never goes back
    // (4.x's 10 s period caught M's stale 4 at 63 s).
    run.until(90_000);
    let syncs: Vec<u64> =
        run.notes.iter().filter_map(|(t, n)| matches!(n, Note::OffsetsSynced { .. }).then_some(*t)).collect();
    assert_eq!(syncs, vec![10_002, 73_002]);
    assert_eq!(regressions(&run), vec![]);
    assert_eq!(run.world().broker_offset(S, "G", mq(0)), Some(10));
}

/// A group whose subscription says brokerId 1: with slaveReadEnable, brokers suggest the
/// slave, so C's held pull sits on S when a message is copied there.
fn held_on_slave(version: Version) -> u64 {
    let mut spec = cluster(version, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 1);
    spec.set_brokers("slaveReadEnable", "true").unwrap();
    spec.subscription_group.broker_id = 1;
    spec.consumer("C", "G", &[0]);
    let mut run = Run::new(spec, 9, vec![(1_000, send(1, SendMode::Sync)), (21_000, send(1, SendMode::Sync))]);
    run.until(30_000);
    let s_node = run.world().brokers[S].node.0;
    let from_s = pulled_from(&run, s_node);
    assert_eq!(from_s.len(), 1, "the second message is read from S");
    from_s[0]
}

#[test]
fn a_pull_held_on_a_slave_wakes_on_arrival_in_5x_but_only_at_the_5s_check_in_4x() {
    // Sent at 21 000, on M at 21 001, copied to S at 21 002.
    assert_eq!(held_on_slave(Version::V5), 21_003);
    assert_eq!(held_on_slave(Version::V4_9), 25_001);
}

#[test]
fn a_consumer_far_behind_is_sent_to_the_slave_and_back_to_the_master_once_caught_up() {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1, 1);
    spec.set_brokers("slaveReadEnable", "true").unwrap();
    // 40 % of 2 KiB: a consumer more than 3 messages (819 bytes) behind is "slow".
    spec.physical_memory = 2048;
    spec.consumer("C", "G", &[0]);
    spec.consumers[0].start_ms = 5_000;
    spec.consumers[0].config.consume_from_where = highwater::rocketmq::config::ConsumeFromWhere::ConsumeFromFirstOffset;
    let mut run = Run::new(spec, 9, vec![(1_000, send(20, SendMode::Sync)), (20_000, send(1, SendMode::Sync))]);
    run.until(30_000);
    let (m_node, s_node) = (run.world().brokers[M].node, run.world().brokers[S].node);
    let found: Vec<(u32, u32, i64)> = run
        .notes
        .iter()
        .filter_map(|(_, n)| match n {
            Note::PullResult { from, count, suggest, .. } if *count > 0 => Some((from.0, *count, *suggest)),
            _ => None,
        })
        .collect();
    // From M, 8 messages ("on disk": maxTransferCountOnMessageInDisk) and a suggestion of
    // whichBrokerWhenConsumeSlowly (1); then S until caught up, which suggests brokerId 0;
    // the late message comes from M.
    assert_eq!(found[0], (m_node.0, 8, 1));
    assert!(found.iter().any(|(from, _, _)| *from == s_node.0));
    assert_eq!(found.last().unwrap().0, m_node.0);
    assert_eq!(run.consumed(0), (0..21).collect::<Vec<u64>>());
}

#[test]
fn messages_the_slave_never_got_are_invisible_during_the_outage_and_read_once_after() {
    use highwater::kernel::sim::Action;
    use highwater::kernel::{NetFault, NetworkConfig, NodeId};
    let spec = seed_spec(Version::V4_9);
    let (m, s) = (NodeId(1), NodeId(2));
    let script = vec![
        (1_000, Action::Model(send(10, SendMode::Sync))),
        (12_000, Action::Net(NetFault::CutOneWay(m, s))),
        (13_000, Action::Model(send(3, SendMode::Sync))),
        (16_500, Action::Model(RocketMqAction::BrokerCrash(M as u32))),
        (50_000, Action::Net(NetFault::HealAll)),
        (50_000, Action::Model(RocketMqAction::BrokerRestart(M as u32))),
    ];
    let network = NetworkConfig { latency_ms: 1, jitter_ms: 0, drop: Default::default() };
    let mut run = Run::with_network(spec, 9, script, network);
    run.until(49_000);
    assert_eq!(run.world().brokers[S].store.commit_log.len(), 10, "S never got 10..12");
    assert_eq!(run.consumed(0), (0..10).collect::<Vec<u64>>(), "and C cannot see them on S");
    run.until(120_000);
    assert_eq!(run.world().brokers[S].store.commit_log.len(), 13, "S catches up once M is back");
    assert_eq!(run.consumed(0), (0..13).collect::<Vec<u64>>(), "each read once, same queue offsets");
}
