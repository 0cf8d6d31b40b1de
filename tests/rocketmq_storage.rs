//! Broker storage and replication: what an acknowledged send survives, per brokerRole and
//! flushDiskType, on a process crash and on a power loss (shared reference, section 1.5);
//! the send statuses SYNC_MASTER and SYNC_FLUSH give; the flush service's thresholds.
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::{RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::{cluster, send, Run};

const MASTER: u32 = 0;
const SLAVE: u32 = 1;

fn lost_on_restart(run: &Run) -> Vec<u64> {
    run.notes
        .iter()
        .find_map(|(_, n)| match n {
            Note::BrokerRestarted { broker: 0, lost } => Some(lost.clone()),
            _ => None,
        })
        .expect("the master restarted")
}

fn fault_then_restart(role: BrokerRole, flush: FlushDiskType, power_loss: bool) -> Run {
    let spec = cluster(Version::V4_9, role, flush, 1, 2);
    let fault = if power_loss { RocketMqAction::BrokerPowerLoss(MASTER) } else { RocketMqAction::BrokerCrash(MASTER) };
    let script =
        vec![(1_000, send(10, SendMode::Sync)), (3_000, fault), (5_000, RocketMqAction::BrokerRestart(MASTER))];
    let mut run = Run::new(spec, 1, script);
    run.until(6_000);
    run
}

fn all_ok(run: &Run) -> bool {
    let r = run.send_results();
    r.len() == 10 && r.iter().all(|(_, s)| s.as_deref() == Ok("SEND_OK"))
}

#[test]
fn async_flush_power_loss_loses_the_acknowledged_unflushed_tail() {
    let run = fault_then_restart(BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, true);
    assert!(all_ok(&run));
    // 10 x 256 B is under flushCommitLogLeastPages (16 KiB) and the thorough flush is 10 s away.
    assert_eq!(lost_on_restart(&run), (0..10).collect::<Vec<u64>>());
    let w = run.world();
    assert_eq!(w.brokers[0].store.commit_log.len(), 0);
    assert_eq!(w.brokers[0].store.max_queue_offset(rocketmq_support::mq(0)), 0);
    // The slave had copied them: it is now ahead of its master, and HA cannot repair that.
    assert_eq!(w.brokers[SLAVE as usize].store.commit_log.len(), 10);
    assert!(run.notes.iter().any(|(_, n)| matches!(n, Note::HaBroken { broker: 0, .. })));
}

#[test]
fn a_process_crash_keeps_the_page_cache() {
    let run = fault_then_restart(BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, false);
    assert!(all_ok(&run));
    assert!(lost_on_restart(&run).is_empty());
    assert_eq!(run.world().brokers[0].store.commit_log.len(), 10);
}

#[test]
fn sync_flush_power_loss_loses_nothing_acknowledged() {
    let run = fault_then_restart(BrokerRole::AsyncMaster, FlushDiskType::SyncFlush, true);
    assert!(all_ok(&run));
    assert!(lost_on_restart(&run).is_empty());
}

#[test]
fn sync_master_power_loss_keeps_every_send_ok_message_on_the_slave() {
    let run = fault_then_restart(BrokerRole::SyncMaster, FlushDiskType::AsyncFlush, true);
    assert!(all_ok(&run));
    assert_eq!(lost_on_restart(&run).len(), 10);
    let slave: Vec<u64> = run.world().brokers[1].store.commit_log.entries().iter().map(|e| e.record).collect();
    assert_eq!(slave, (0..10).collect::<Vec<u64>>());
}

#[test]
fn sync_master_4x_without_a_slave_answers_slave_not_available_and_stores() {
    let spec = cluster(Version::V4_9, BrokerRole::SyncMaster, FlushDiskType::AsyncFlush, 1, 2);
    let script = vec![(500, RocketMqAction::BrokerCrash(SLAVE)), (1_000, send(3, SendMode::Sync))];
    let mut run = Run::new(spec, 1, script);
    run.until(5_000);
    let r = run.send_results();
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|(_, s)| s.as_deref() == Ok("SLAVE_NOT_AVAILABLE")), "{r:?}");
    assert_eq!(run.world().brokers[0].store.commit_log.len(), 3);
}

#[test]
fn sync_master_5x_waits_for_the_slave_only_with_in_sync_replicas_2() {
    for (isr, expect, at) in [("1", "SEND_OK", 1_002), ("2", "FLUSH_SLAVE_TIMEOUT", 4_002)] {
        let mut spec = cluster(Version::V5, BrokerRole::SyncMaster, FlushDiskType::AsyncFlush, 1, 2);
        spec.set_brokers("inSyncReplicas", isr).unwrap();
        // The producer's own 3 s sendMsgTimeout would run out first (see the disk test).
        spec.producers[0].config.send_msg_timeout = 10_000;
        let script = vec![(500, RocketMqAction::BrokerCrash(SLAVE)), (1_000, send(1, SendMode::Sync))];
        let mut run = Run::new(spec, 1, script);
        run.until(6_000);
        let (t, status) = run
            .notes
            .iter()
            .find_map(|(t, n)| match n {
                Note::SendFinished { status, .. } => Some((*t, status.clone())),
                _ => None,
            })
            .unwrap();
        assert_eq!(status.map(|s| s.java_name()), Ok(expect), "inSyncReplicas={isr}");
        // slaveTimeout is 3000 (not syncFlushTimeout): 1 ms there, 3000 waiting, 1 ms back.
        assert_eq!(t, at, "inSyncReplicas={isr}");
    }
}

fn stalled_disk_run(send_msg_timeout: i32) -> Run {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::SyncFlush, 0, 2);
    spec.producers[0].config.send_msg_timeout = send_msg_timeout;
    let stall = RocketMqAction::DiskStall { broker: MASTER, ms: 20_000 };
    let mut run = Run::new(spec, 1, vec![(500, stall), (1_000, send(1, SendMode::Sync))]);
    run.until(30_000);
    run
}

#[test]
fn with_default_timeouts_the_producer_gives_up_before_the_broker_reports_a_flush_timeout() {
    // sendMsgTimeout 3000 < syncFlushTimeout 5000: the caller sees an exception, although the
    // message is stored (and is flushed once the disk is back).
    let run = stalled_disk_run(3_000);
    let r = run.send_results();
    assert!(r[0].1.as_ref().is_err_and(|e| e.contains("timeout")), "{r:?}");
    assert_eq!(run.world().brokers[0].store.commit_log.flushed, 256);
}

#[test]
fn sync_flush_on_a_stalled_disk_answers_flush_disk_timeout_after_sync_flush_timeout() {
    let run = stalled_disk_run(10_000);
    let (t, status) = run
        .notes
        .iter()
        .find_map(|(t, n)| match n {
            Note::SendFinished { status, .. } => Some((*t, status.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(status.map(|s| s.java_name()), Ok("FLUSH_DISK_TIMEOUT"));
    // The send timed out on the broker at 1001 + 5000; the reply takes 1 ms.
    assert_eq!(t, 6_002);
    // The group commit flushes once the disk is back.
    assert_eq!(run.world().brokers[0].store.commit_log.flushed, 256);
}

#[test]
fn async_flush_waits_for_four_dirty_pages_or_the_thorough_interval() {
    let spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 2);
    // 70 x 256 B = 17 920 B: over 16 KiB at once.
    let script = vec![(1_000, send(70, SendMode::Async)), (2_000, send(1, SendMode::Async))];
    let mut run = Run::new(spec, 1, script);
    run.until(1_600);
    assert_eq!(run.world().brokers[0].store.commit_log.flushed, 70 * 256);
    run.until(9_999);
    assert_eq!(run.world().brokers[0].store.commit_log.flushed, 70 * 256, "one dirty message waits");
    run.until(10_600);
    assert_eq!(run.world().brokers[0].store.commit_log.flushed, 71 * 256, "the thorough flush after 10 s");
}

/// SYNC_FLUSH with a stalled disk: the message is written to the page cache but not
/// flushed. Returns (consumed before the power loss, lost by it).
fn read_before_flush(version: Version) -> (Vec<u64>, Vec<u64>) {
    let mut spec = cluster(version, BrokerRole::AsyncMaster, FlushDiskType::SyncFlush, 0, 1);
    spec.consumer("c1", "G", &[0]);
    let script = vec![
        (500, RocketMqAction::DiskStall { broker: MASTER, ms: 60_000 }),
        (1_000, send(1, SendMode::Async)),
        (4_000, RocketMqAction::BrokerPowerLoss(MASTER)),
        (5_000, RocketMqAction::BrokerRestart(MASTER)),
    ];
    let mut run = Run::new(spec, 1, script);
    run.until(3_900);
    let consumed = run.consumed(0);
    // Never acknowledged as SEND_OK: the send waits for a flush that does not come.
    assert!(run.send_results().iter().all(|(_, s)| s.as_deref() != Ok("SEND_OK")));
    run.until(6_000);
    (consumed, lost_on_restart(&run))
}

#[test]
fn under_sync_flush_5x_consumers_see_only_flushed_messages_4x_sees_the_page_cache() {
    // 4.x dispatches to the ConsumeQueue at once: the message is consumed, then lost.
    assert_eq!(read_before_flush(Version::V4_9), (vec![0], vec![0]));
    // 5.3: dispatched only up to the flushed position: never seen, then lost.
    assert_eq!(read_before_flush(Version::V5), (vec![], vec![0]));
}
