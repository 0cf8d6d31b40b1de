//! A cooperative member goes on consuming the partitions it keeps while its group
//! rebalances: `poll()` does not wait for the rebalance (Kafka's
//! `updateAssignmentMetadataIfNeeded(timer, false)`), and only an eager member, which gave up
//! everything before joining, has nothing to return. Commits in the meantime fail on the
//! client with RebalanceInProgressException.
use highwater::kafka::notes::Note;
use highwater::kernel::trace::StepKind;
use highwater::scenario::Scenario;
use serde_json::json;

mod common;
use common::notes;

/// c1 and c3 on four partitions, records every 100 ms; c2 joins at 10 s while c3 is stuck
/// in a slow batch for 5 s, so the rebalance waits for it.
fn group(strategy: &str, commit: &str) -> Scenario {
    let member = |name: &str, start: u64| {
        json!({"name": name, "group": "billing", "topics": ["orders"], "start_ms": start,
               "config": {"partition.assignment.strategy": [strategy], "auto.offset.reset": "earliest",
                          "enable.auto.commit": commit == "auto", "sim.commit": if commit == "auto" { "none" } else { commit },
                          "sim.processing.ms.per.record": 20}})
    };
    let mut timeline: Vec<_> = (0..200)
        .map(|i| json!({"at_ms": 5_000 + i * 100, "action": "produce", "producer": "shop", "topic": "orders", "count": 1}))
        .collect();
    timeline.push(json!({"at_ms": 9_900, "action": "consumer_pause", "consumer": "c3", "ms": 5_000, "gc": false}));
    let s = json!({
        "id": "cooperative-keeps-consuming", "title": {"en": "t"}, "seed": 1, "duration_ms": 26_000,
        "cluster": {"brokers": 3}, "topics": [{"name": "orders", "partitions": 4, "replication_factor": 3}],
        "producers": [{"name": "shop", "config": {"partitioner.class": "round-robin"}}],
        "consumers": [member("c1", 0), member("c2", 10_000), member("c3", 0)],
        "timeline": timeline,
    });
    Scenario::from_json(&s.to_string()).unwrap()
}

/// Records c1 processed while it was rejoining after c2 joined (from its JoinGroup to the
/// SyncGroup answer), and the RebalanceInProgressException notes.
fn during_rebalance(strategy: &str, commit: &str) -> (usize, usize) {
    let (session, _) = notes(group(strategy, commit));
    let c1 = session.current().model.consumers[0].node;
    let tl = session.timeline();
    let (mut rejoining, mut processed, mut refused) = (false, 0, 0);
    for i in 1..=tl.horizon() {
        let (rec, ns) = tl.record(i).unwrap();
        match rec.kind {
            StepKind::Deliver { from, kind: "JoinGroup", .. } if from == c1 && rec.time > 10_000 => rejoining = true,
            StepKind::Deliver { to, kind: "SyncGroupResponse", .. } if to == c1 => rejoining = false,
            _ => {}
        }
        for n in ns {
            match n {
                Note::RecordProcessed { consumer: 0, .. } if rejoining => processed += 1,
                Note::ConsumerError { error: "RebalanceInProgressException", .. } => refused += 1,
                _ => {}
            }
        }
    }
    (processed, refused)
}

#[test]
fn a_cooperative_member_keeps_processing_while_the_group_rebalances() {
    let (cooperative, _) = during_rebalance("cooperative-sticky", "auto");
    let (eager, _) = during_rebalance("range", "auto");
    assert!(cooperative >= 10, "cooperative-sticky: c1 processed {cooperative} records during the rebalances");
    assert_eq!(eager, 0, "range: c1 revoked everything and processed nothing until assigned again");
}

#[test]
fn a_commit_sync_during_the_rebalance_fails_on_the_client() {
    let (processed, refused) = during_rebalance("cooperative-sticky", "sync-after-processing");
    assert!(processed > 0);
    assert!(refused > 0, "commitSync() after a batch processed mid-rebalance throws RebalanceInProgressException");
    let (_, eager_refused) = during_rebalance("range", "sync-after-processing");
    assert_eq!(eager_refused, 0, "an eager member has nothing to commit while it rejoins");
}

#[test]
fn an_assignment_that_arrives_mid_batch_waits_for_the_next_poll() {
    // Engine invariants checked after every step: a member whose new assignment waits
    // keeps its old partitions, as Kafka's does until onJoinComplete.
    let s = group("cooperative-sticky", "auto");
    common::run_checking_invariants(&s);
    let mut session = highwater::session::Session::new(s);
    let mut waited = 0;
    while session.step_forward() {
        waited += session.current().model.consumers.iter().filter(|c| c.assignment_pending()).count();
    }
    assert!(waited > 0, "some SyncGroup answer came while its member was processing a batch");
}
