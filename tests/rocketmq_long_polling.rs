//! Broker-side long polling (`PullRequestHoldService`): a pull that finds nothing is held,
//! answered at once when a message arrives, and with NO_NEW_MSG once its 15 s are up (at
//! the next 5 s check); short polling holds for `shortPollingTimeMills` instead.
use highwater::kernel::Time;
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::{Note, WakeReason};
use highwater::rocketmq::SendMode;

mod rocketmq_support;
use rocketmq_support::{cluster, send, Run};

fn one_consumer(long_polling: bool) -> highwater::rocketmq::Spec {
    let mut spec = cluster(Version::V4_9, BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 0, 1);
    spec.set_brokers("longPollingEnable", if long_polling { "true" } else { "false" }).unwrap();
    spec.consumer("c1", "G", &[0]);
    spec
}

fn held(run: &Run) -> Vec<(Time, u64)> {
    run.notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::PullHeld { deadline, .. } => Some((*t, *deadline)),
            _ => None,
        })
        .collect()
}

fn woken(run: &Run) -> Vec<(Time, WakeReason)> {
    run.notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::PullWoken { reason, .. } => Some((*t, *reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_held_pull_is_answered_at_once_when_a_message_arrives() {
    let mut run = Run::new(one_consumer(true), 4, vec![(8_000, send(1, SendMode::Sync))]);
    run.until(7_000);
    let parked = held(&run);
    assert_eq!(parked.len(), 1);
    let (at, deadline) = parked[0];
    assert_eq!(deadline, at + 15_000, "brokerSuspendMaxTimeMillis");
    assert_eq!(run.world().brokers[0].held.len(), 1);
    run.until(8_010);
    // Send at 8000, stored at 8001: the held pull is re-run in the same step.
    assert_eq!(woken(&run), vec![(8_001, WakeReason::Arrival)]);
    let consumed_at = run.notes.iter().find_map(|(t, n)| matches!(n, Note::Consumed { .. }).then_some(*t));
    assert_eq!(consumed_at, Some(8_003), "1 ms to the consumer, 1 ms to consume");
}

#[test]
fn with_nothing_to_read_a_held_pull_answers_no_new_msg_after_its_hold_at_the_next_check() {
    let mut run = Run::new(one_consumer(true), 4, vec![]);
    run.until(42_000);
    let parked = held(&run);
    let woke = woken(&run);
    assert!(woke.iter().all(|(_, r)| *r == WakeReason::Timeout));
    // Each hold ends at the first 5 s check at or after its 15 s deadline: 15 to 20 s.
    for ((t, deadline), (w, _)) in parked.iter().zip(&woke) {
        assert!(*w >= *deadline && *w < deadline + 5_000, "held at {t}, deadline {deadline}, woken at {w}");
        assert_eq!(w % 5_000, 0, "the PullRequestHoldService checks every 5 s");
    }
    assert!(woke.len() >= 2);
    let no_new = run.count_notes(|n| matches!(n, Note::PullResult { status, .. } if status == "NO_NEW_MSG"));
    assert_eq!(no_new, woke.len());
}

#[test]
fn short_polling_holds_for_one_second_and_costs_many_more_pulls() {
    let pulls = |long_polling| {
        let mut run = Run::new(one_consumer(long_polling), 4, vec![]);
        run.until(60_000);
        let parked = held(&run);
        if !long_polling {
            assert!(parked.iter().all(|(t, d)| d - t == 1_000), "shortPollingTimeMills");
        }
        run.count_notes(|n| matches!(n, Note::PullResult { .. }))
    };
    let (long, short) = (pulls(true), pulls(false));
    assert!(long <= 4, "{long}");
    assert!(short >= 25, "{short}");
}

#[test]
fn a_pull_held_by_a_master_that_loses_power_times_out_on_the_client_after_30_s() {
    use highwater::rocketmq::RocketMqAction;
    let spec = one_consumer(true);
    let mut run = Run::new(spec, 4, vec![(8_000, RocketMqAction::BrokerPowerLoss(0))]);
    run.until(45_000);
    let last_held = held(&run).into_iter().map(|(t, _)| t).filter(|t| *t < 8_000).max().unwrap();
    let failed: Vec<Time> =
        run.notes.iter().filter_map(|(t, n)| matches!(n, Note::PullFailed { .. }).then_some(*t)).collect();
    // Nobody answers and nothing closes the connection: CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND.
    assert_eq!(failed.first().copied(), Some(last_held - 1 + 30_000));
}
