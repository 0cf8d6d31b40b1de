//! The producer: round robin over the queues of groups that have a master, retries on
//! another broker, the three send modes, and what a dead master means before and after the
//! route refresh.
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::{send, Run};

/// Groups broker-a (brokers 0 = master, 1 = slave) and broker-b (2 = master, 3 = slave).
fn two_groups(role: BrokerRole) -> Spec {
    let mut spec = Spec::classic(Version::V4_9, &["broker-a", "broker-b"], role, FlushDiskType::AsyncFlush, 1).unwrap();
    spec.topic("t", 2);
    spec.producer("p");
    spec
}

fn stored_per_group(run: &Run) -> (usize, usize) {
    let w = run.world();
    (w.brokers[0].store.commit_log.len(), w.brokers[2].store.commit_log.len())
}

#[test]
fn sends_go_round_robin_over_every_queue_of_every_group() {
    let mut run = Run::new(two_groups(BrokerRole::AsyncMaster), 5, vec![(1_000, send(8, SendMode::Sync))]);
    run.until(5_000);
    assert_eq!(stored_per_group(&run), (4, 4));
}

#[test]
fn a_dead_master_is_retried_on_another_broker_then_left_out_of_the_route() {
    let script = vec![
        (1_000, RocketMqAction::BrokerCrash(2)),
        (2_000, send(6, SendMode::Sync)),
        (40_000, send(6, SendMode::Sync)),
    ];
    let mut run = Run::new(two_groups(BrokerRole::AsyncMaster), 5, script);
    run.until(39_000);
    let results = run.send_results();
    assert!(results.iter().all(|(_, s)| s.as_deref() == Ok("SEND_OK")), "{results:?}");
    let refused = run.count_notes(|n| matches!(n, Note::SendAttemptFailed { .. }));
    assert!(refused >= 1, "some first attempts went to the dead master");
    assert_eq!(stored_per_group(&run), (6, 0));
    // After the route refresh, broker-b (slave only) is not in the publish list: no refusals.
    run.until(45_000);
    assert_eq!(run.count_notes(|n| matches!(n, Note::SendAttemptFailed { .. })), refused);
    assert_eq!(stored_per_group(&run), (12, 0));
    let route = &run.world().producers[0].routes[&0];
    assert_eq!(route.groups.len(), 2, "the group stays in the route while its slave is registered");
}

#[test]
fn a_master_without_power_is_silent_so_a_sync_send_times_out_without_retry() {
    let script = vec![(1_000, RocketMqAction::BrokerPowerLoss(2)), (2_000, send(4, SendMode::Sync))];
    let mut run = Run::new(two_groups(BrokerRole::AsyncMaster), 5, script);
    run.until(30_000);
    let results = run.send_results();
    let timeouts = results.iter().filter(|(_, s)| s.as_ref().is_err_and(|e| e.contains("timeout"))).count();
    assert!(timeouts >= 1, "{results:?}");
    assert_eq!(results.len(), 4);
}

#[test]
fn oneway_sends_get_no_result_but_are_stored() {
    let mut run = Run::new(two_groups(BrokerRole::AsyncMaster), 5, vec![(1_000, send(4, SendMode::Oneway))]);
    run.until(3_000);
    assert_eq!(stored_per_group(&run), (2, 2));
    assert_eq!(
        run.count_notes(|n| matches!(n, Note::SendFinished { status: Err(e), .. } if e.starts_with("oneway"))),
        4
    );
    assert!(run.world().producers[0].in_flight.is_empty(), "nothing waits for an answer");
}

#[test]
fn retry_another_broker_when_not_store_ok_stores_the_message_twice() {
    for (retry, statuses) in [(false, vec!["SLAVE_NOT_AVAILABLE", "SEND_OK"]), (true, vec!["SEND_OK", "SEND_OK"])] {
        let mut spec = two_groups(BrokerRole::SyncMaster);
        spec.producers[0].config.retry_another_broker_when_not_store_ok = retry;
        // broker-a's slave is gone: its master answers SLAVE_NOT_AVAILABLE (4.x).
        let script = vec![(500, RocketMqAction::BrokerCrash(1)), (1_000, send(2, SendMode::Sync))];
        let mut run = Run::new(spec, 5, script);
        run.until(5_000);
        let mut got: Vec<String> = run.send_results().into_iter().map(|(_, s)| s.unwrap()).collect();
        got.sort();
        let mut want: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "retryAnotherBrokerWhenNotStoreOK={retry}");
        let stored = stored_per_group(&run);
        if retry {
            // The first attempt on broker-a stored the message too: a duplicate.
            assert_eq!(stored.0 + stored.1, 3);
        } else {
            assert_eq!(stored.0 + stored.1, 2);
        }
    }
}

#[test]
fn latency_fault_tolerance_avoids_a_group_that_failed() {
    let sends_to_dead = |enable: bool| {
        let mut spec = two_groups(BrokerRole::AsyncMaster);
        spec.producers[0].config.send_latency_fault_enable = enable;
        let script = vec![
            (1_000, RocketMqAction::BrokerCrash(2)),
            (2_000, send(4, SendMode::Sync)),
            (5_000, send(8, SendMode::Sync)),
        ];
        let mut run = Run::new(spec, 5, script);
        run.until(20_000);
        assert!(run.send_results().iter().all(|(_, s)| s.as_deref() == Ok("SEND_OK")));
        run.count_notes(|n| matches!(n, Note::SendAttemptFailed { .. }))
    };
    // Without it, every other first attempt goes to the dead master until the route
    // refresh; with it, the group is isolated after the first failure (30 s in 4.x).
    assert_eq!(sends_to_dead(true), 1);
    assert!(sends_to_dead(false) >= 4);
}
