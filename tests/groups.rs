//! Consumer groups as Kafka runs them: rebalance triggers, generations, fencing, commit
//! policies, auto.offset.reset, coordinator failover, eager vs cooperative.
use highwater::checker::AnomalyKind;
use highwater::kafka::notes::Note;
use highwater::kafka::types::ErrorCode;
use highwater::scenario::Scenario;
use highwater::session::Session;
use serde_json::{json, Value};

mod common;
use common::{load, notes};

fn group_scenario(consumers: Value, timeline: Value, duration_ms: u64) -> Scenario {
    let text = json!({
        "id": "group-test", "title": {"en": "t"}, "duration_ms": duration_ms,
        "cluster": {"brokers": 3},
        "topics": [{"name": "orders", "partitions": 4, "replication_factor": 3}],
        "producers": [{"name": "shop"}],
        "consumers": consumers,
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).unwrap()
}

fn consumer(name: &str, extra: Value) -> Value {
    let mut config = json!({"auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, "max.poll.interval.ms": 8000});
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    json!({"name": name, "group": "g", "topics": ["orders"], "config": config})
}

fn rebalances(ns: &[(u64, Note)]) -> Vec<(u64, &'static str)> {
    ns.iter()
        .filter_map(|(t, n)| match n {
            Note::GroupState { state: "PreparingRebalance", reason, .. } => Some((*t, *reason)),
            _ => None,
        })
        .collect()
}

fn generations(ns: &[(u64, Note)]) -> Vec<(i32, Vec<(String, usize)>)> {
    ns.iter()
        .filter_map(|(_, n)| match n {
            Note::Assignment { generation, assignment, .. } => {
                Some((*generation, assignment.iter().map(|(m, tps)| (m.to_string(), tps.len())).collect()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_member_joining_triggers_a_rebalance_and_a_new_generation() {
    let s = group_scenario(
        json!([consumer("c1", json!({})), {"name": "c2", "group": "g", "topics": ["orders"], "start_ms": 8000}]),
        json!([]),
        20_000,
    );
    let (_, ns) = notes(s);
    let r = rebalances(&ns);
    assert_eq!(r[0].1, "member joined");
    assert!(r.iter().any(|(t, why)| *t >= 8_000 && *why == "member joined"), "{r:?}");
    let g = generations(&ns);
    assert_eq!(g[0].0, 1);
    assert_eq!(g[0].1.len(), 1, "generation 1: c1 alone");
    let last = g.last().unwrap();
    assert_eq!(last.0, 2);
    assert_eq!(last.1.iter().map(|(_, n)| n).sum::<usize>(), 4);
    assert!(last.1.iter().all(|(_, n)| *n == 2), "range splits 4 partitions 2/2: {last:?}");
}

#[test]
fn leave_session_timeout_and_poll_timeout_each_trigger_a_rebalance() {
    let cs = json!([
        consumer("c1", json!({})),
        consumer("c2", json!({})),
        consumer("c3", json!({})),
        consumer("c4", json!({}))
    ]);
    let timeline = json!([
        {"at_ms": 6000, "action": "consumer_close", "consumer": "c1"},
        {"at_ms": 10000, "action": "consumer_crash", "consumer": "c2"},
        {"at_ms": 30000, "action": "produce", "producer": "shop", "topic": "orders", "count": 8},
        {"at_ms": 30010, "action": "consumer_pause", "consumer": "c3", "ms": 20000},
    ]);
    let (_, ns) = notes(group_scenario(cs, timeline, 60_000));
    let reasons: Vec<&str> = rebalances(&ns).into_iter().map(|(_, r)| r).collect();
    assert!(reasons.contains(&"left the group (LeaveGroup)"), "{reasons:?}");
    assert!(reasons.contains(&"session timeout (no heartbeat within session.timeout.ms)"), "{reasons:?}");
    let poll_timeout =
        ns.iter().any(|(_, n)| matches!(n, Note::ConsumerError { error: "poll timeout", consumer: 2, .. }));
    assert!(poll_timeout, "c3's heartbeat thread noticed max.poll.interval.ms");
    // c2 crashed at 10 s; its last heartbeat (every second) was at most 1 s earlier, and
    // session.timeout.ms is 10 s: removed between 19 and 20 s.
    let expired = ns
        .iter()
        .find(|(_, n)| matches!(n, Note::MemberRemoved { reason, .. } if reason.starts_with("session")))
        .unwrap();
    assert!(expired.0 >= 19_000 && expired.0 <= 20_000, "{}", expired.0);
}

#[test]
fn a_zombie_cannot_commit_after_its_generation_is_gone() {
    let (session, ns) = notes(load("zombie-consumer-fenced"));
    // The zombie wakes at 25.1 s; by then it is no member of the group.
    let rejected: Vec<ErrorCode> = ns
        .iter()
        .filter_map(|(t, n)| match n {
            Note::CommitRejected { error, .. } if *t >= 25_100 => Some(*error),
            _ => None,
        })
        .collect();
    assert!(!rejected.is_empty(), "the zombie's commit was rejected");
    assert!(ns
        .iter()
        .any(|(_, n)| matches!(n, Note::ConsumerError { consumer: 0, error: "CommitFailedException", .. })));
    assert!(rejected.iter().all(|e| matches!(e, ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)));
    // Every offset the group committed came from the member of the current generation.
    let zombie_committed = ns.iter().any(
        |(t, n)| matches!(n, Note::OffsetCommitted { member, .. } if member.starts_with("billing-1") && *t > 15_000),
    );
    assert!(!zombie_committed, "a fenced zombie moved an offset");
    assert!(session.anomalies().iter().all(|a| a.kind != AnomalyKind::NonmonotonicCommit));
}

#[test]
fn commit_before_processing_loses_and_commit_after_processing_does_not() {
    let kinds = |name: &str| {
        let mut s = Session::new(load(name));
        s.seek(u64::MAX);
        s.anomalies().into_iter().map(|a| a.kind).collect::<Vec<_>>()
    };
    let before = kinds("commit-before-processing");
    let after = kinds("commit-after-processing");
    assert!(before.contains(&AnomalyKind::PollSkip));
    assert!(!after.contains(&AnomalyKind::PollSkip), "at-least-once never skips");
    assert!(after.contains(&AnomalyKind::DuplicateProcessing), "at-least-once reprocesses the interrupted batch");
    let auto = kinds("auto-commit-duplicates");
    assert!(auto.contains(&AnomalyKind::DuplicateProcessing) && !auto.contains(&AnomalyKind::PollSkip));
}

#[test]
fn a_new_group_starts_at_latest_or_earliest() {
    let processed = |name: &str| {
        let (_, ns) = notes(load(name));
        ns.iter().filter(|(_, n)| matches!(n, Note::RecordProcessed { .. })).count()
    };
    assert_eq!(processed("new-group-latest"), 3, "latest: only the records written after the group started");
    assert_eq!(processed("new-group-earliest"), 9, "earliest: all of them");
}

#[test]
fn auto_offset_reset_none_raises_a_visible_error() {
    let s = group_scenario(json!([consumer("c1", json!({"auto.offset.reset": "none"}))]), json!([]), 10_000);
    let (_, ns) = notes(s);
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::ConsumerError { error: "NoOffsetForPartitionException", .. })));
    assert!(!ns.iter().any(|(_, n)| matches!(n, Note::RecordProcessed { .. })));
}

#[test]
fn coordinator_failover_keeps_the_committed_offsets() {
    let (session, ns) = notes(load("coordinator-failover"));
    let loaded = ns.iter().find_map(|(t, n)| match n {
        Note::GroupLoaded { broker, members, .. } => Some((*t, broker.0, *members)),
        _ => None,
    });
    let (t, broker, members) = loaded.expect("another broker loaded the group from its log");
    assert!(t >= 8_000 && broker != 2 && members == 1, "{loaded:?}");
    // Committed before the crash...
    let before: Vec<(u32, u64)> = ns
        .iter()
        .filter(|(t, _)| *t < 8_000)
        .filter_map(|(_, n)| match n {
            Note::OffsetCommitted { tp, offset, .. } => Some((tp.partition, *offset)),
            _ => None,
        })
        .collect();
    assert!(!before.is_empty());
    // ...and the first positions after it start from exactly those offsets.
    let after: Vec<(u32, u64)> = ns
        .iter()
        .filter(|(t2, _)| *t2 > t)
        .filter_map(|(_, n)| match n {
            Note::ConsumerPosition { tp, offset, from: "committed", .. } => Some((tp.partition, *offset)),
            _ => None,
        })
        .collect();
    for (p, o) in &after {
        let last_before = before.iter().filter(|(q, _)| q == p).map(|(_, o)| *o).next_back();
        if let Some(b) = last_before {
            assert!(*o >= b, "partition {p}: resumed at {o}, committed {b} before the failover");
        }
    }
    assert!(session.anomalies().is_empty(), "{:?}", session.anomalies());
}

#[test]
fn cooperative_rebalancing_keeps_partitions_that_do_not_move() {
    let run = |strategy: &str| {
        let cs = json!([
            consumer("c1", json!({"partition.assignment.strategy": [strategy]})),
            {"name": "c2", "group": "g", "topics": ["orders"], "start_ms": 8000,
             "config": {"partition.assignment.strategy": [strategy], "auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000}},
        ]);
        notes(group_scenario(cs, json!([]), 25_000)).1
    };
    let revoked = |ns: &[(u64, Note)]| -> Vec<usize> {
        ns.iter()
            .filter_map(|(_, n)| match n {
                Note::ConsumerRevoked { consumer: 0, partitions } => Some(partitions.len()),
                _ => None,
            })
            .collect()
    };
    let eager = run("range");
    let coop = run("cooperative-sticky");
    assert_eq!(revoked(&eager), vec![4], "eager: c1 gives up all four partitions before rejoining");
    assert_eq!(revoked(&coop), vec![2], "cooperative: c1 gives up only the two that move");
    // Cooperative needs a follow-up rebalance to hand the revoked partitions over.
    let coop_generations = generations(&coop);
    assert!(coop_generations.len() >= 3, "{coop_generations:?}");
    let last = coop_generations.last().unwrap();
    assert!(last.1.iter().all(|(_, n)| *n == 2), "{last:?}");
}

#[test]
fn idle_member_is_a_notice_not_a_failure() {
    let mut s = Session::new(load("more-consumers-than-partitions"));
    s.seek(u64::MAX);
    let a = s.anomalies();
    assert_eq!(a.len(), 1);
    assert!(a[0].kind.is_notice());
}

#[test]
fn a_partition_count_change_triggers_a_rebalance_that_uses_the_new_partition() {
    let (_, ns) = notes(load("add-partitions-for-idle-consumer"));
    let g = generations(&ns);
    assert_eq!(g.first().unwrap().1.iter().filter(|(_, n)| *n == 0).count(), 1, "one idle member at first");
    let last = g.last().unwrap();
    assert!(last.1.iter().all(|(_, n)| *n == 1), "after the topic grew, every member has one: {last:?}");
    assert!(ns.iter().any(|(t, n)| *t >= 10_000
        && matches!(n, Note::RejoinRequested { reason, .. } if reason.contains("partition count"))));
    // The new partition is really consumed.
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::RecordProcessed { tp, .. } if tp.partition == 3)));
}

#[test]
fn a_subscription_change_triggers_a_rebalance() {
    let text = json!({
        "id": "sub", "title": {"en": "t"}, "duration_ms": 20000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "orders", "partitions": 2, "replication_factor": 3}, {"name": "refunds", "partitions": 2, "replication_factor": 3}],
        "consumers": [consumer("c1", json!({})), consumer("c2", json!({}))],
        "timeline": [{"at_ms": 8000, "action": "consumer_subscribe", "consumer": "c2", "topics": ["orders", "refunds"]}]
    });
    let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
    assert!(ns.iter().any(|(_, n)| matches!(n, Note::RejoinRequested { consumer: 1, reason: "subscription changed" })));
    let last = generations(&ns).last().unwrap().clone();
    assert!(last.0 >= 2);
    let total: usize = last.1.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 4, "c2 now also owns refunds' two partitions: {last:?}");
}

/// Consumer groups under random broker faults, consumer crashes and GC pauses: no record is
/// skipped, and once everything heals the group catches up (its committed offsets reach
/// the high watermark) under both commit styles. (Each case prints its scenario on failure.)
#[test]
fn groups_catch_up_without_skipping_under_random_faults() {
    use highwater::cli::run::run_to_end;
    use highwater::kernel::{Prng, Ratio};
    for (style, config) in [
        ("commitSync after processing", json!({"enable.auto.commit": false, "sim.commit": "sync-after-processing"})),
        (
            "auto-commit, cooperative",
            json!({"enable.auto.commit": true, "auto.commit.interval.ms": 1000, "partition.assignment.strategy": ["cooperative-sticky"]}),
        ),
    ] {
        for seed in 0..150 {
            let mut prng = Prng::new(70_000 + seed);
            let (faults, healed) = common::random_faults(&mut prng, false);
            let mut timeline = vec![
                json!({"at_ms": 2500, "action": "produce", "producer": "src", "topic": "in", "count": 30}),
                json!({"at_ms": 6000, "action": "produce", "producer": "src", "topic": "in", "count": 30}),
            ];
            timeline.extend(faults);
            if prng.chance(Ratio::new(1, 2)) {
                let at = prng.between(2_000, 9_000);
                timeline.push(json!({"at_ms": at, "action": "consumer_crash", "consumer": "c1"}));
                timeline.push(
                    json!({"at_ms": at + prng.between(100, 4_000), "action": "consumer_restart", "consumer": "c1"}),
                );
            }
            if prng.chance(Ratio::new(1, 3)) {
                timeline.push(json!({"at_ms": prng.between(2_000, 9_000), "action": "consumer_pause", "consumer": "c2", "ms": prng.between(1_000, 12_000), "gc": true}));
            }
            let consumer = |name: &str| {
                let mut c = json!({"auto.offset.reset": "earliest", "session.timeout.ms": 6000, "max.poll.interval.ms": 10000, "sim.processing.ms.per.record": 20});
                for (k, v) in config.as_object().unwrap() {
                    c[k] = v.clone();
                }
                json!({"name": name, "group": "g", "topics": ["in"], "config": c})
            };
            let text = json!({
                "id": format!("groups-{seed}"), "title": {"en": "t"}, "seed": seed, "duration_ms": healed + 60_000,
                "cluster": {"brokers": 3, "config": {"min.insync.replicas": 2}},
                "network": {"latency_ms": 2, "jitter_ms": 3},
                "topics": [{"name": "in", "partitions": 3, "replication_factor": 3}],
                "producers": [{"name": "src"}],
                "consumers": [consumer("c1"), consumer("c2")],
                "timeline": timeline
            });
            let s = Scenario::from_json(&text.to_string()).unwrap();
            let sim = run_to_end(&s, s.seed, None, None).unwrap();
            let bad: Vec<_> = sim
                .checker
                .anomalies()
                .filter(|a| matches!(a.kind, AnomalyKind::PollSkip | AnomalyKind::LostWrite))
                .map(|a| a.detail.clone())
                .collect();
            assert!(bad.is_empty(), "{style}, seed {seed}: {bad:?}\n{}", s.to_json());
            let group = sim.model.brokers.iter().filter(|b| b.is_running()).find_map(|b| b.coordinator.groups.get("g"));
            for st in sim.model.controller.partitions.values().filter(|st| st.tp.topic == 0) {
                let hw = sim.model.leader_log(st.tp).map(|l| l.high_watermark()).unwrap_or(0);
                let committed = group.and_then(|g| g.offsets.get(&st.tp)).map(|o| o.0).unwrap_or(0);
                assert_eq!(committed, hw, "{style}, seed {seed}: {:?} not caught up\n{}", st.tp, s.to_json());
            }
        }
    }
}

/// Kafka's eager `StickyAssignor` keeps its previous assignment in the subscription's user
/// data, so when one of three members leaves only the leaver's partitions move; `range`
/// reshuffles. (Members keep their member ids, so owners are compared by id.)
#[test]
fn eager_sticky_moves_only_the_leavers_partitions() {
    let moved = |strategy: &str| -> (usize, usize) {
        let cfg = json!({"partition.assignment.strategy": [strategy]});
        let cs = json!([consumer("c1", cfg.clone()), consumer("c2", cfg.clone()), consumer("c3", cfg)]);
        let text = json!({
            "id": "sticky", "title": {"en": "t"}, "duration_ms": 30000,
            "cluster": {"brokers": 3},
            "topics": [{"name": "orders", "partitions": 6, "replication_factor": 3}],
            "consumers": cs,
            "timeline": [{"at_ms": 15000, "action": "consumer_close", "consumer": "c3"}]
        });
        let (_, ns) = notes(Scenario::from_json(&text.to_string()).unwrap());
        let full: Vec<&Vec<(std::rc::Rc<str>, Vec<highwater::kafka::types::Tp>)>> = ns
            .iter()
            .filter_map(|(_, n)| match n {
                Note::Assignment { assignment, .. } => Some(assignment),
                _ => None,
            })
            .collect();
        let before = full.iter().rev().find(|a| a.len() == 3).expect("a generation with three members");
        let after = full.last().unwrap();
        assert_eq!(after.len(), 2, "{after:?}");
        let owner = |a: &[(std::rc::Rc<str>, Vec<highwater::kafka::types::Tp>)], tp| {
            a.iter().find(|(_, tps)| tps.contains(&tp)).map(|(m, _)| m.clone())
        };
        let (mut moved_from_survivors, mut moved_from_leaver) = (0, 0);
        for (m, tps) in before.iter() {
            for tp in tps {
                if owner(after, *tp).as_ref() != Some(m) {
                    if after.iter().any(|(x, _)| x == m) {
                        moved_from_survivors += 1;
                    } else {
                        moved_from_leaver += 1;
                    }
                }
            }
        }
        (moved_from_survivors, moved_from_leaver)
    };
    assert_eq!(moved("sticky"), (0, 2), "sticky: only the leaver's two partitions move");
    let (survivors, leaver) = moved("range");
    assert_eq!(leaver, 2);
    assert!(survivors > 0, "range reassigns from scratch and moves a survivor's partitions too");
}

/// Cooperative rebalances with auto-commit: the consumer commits what it has consumed in its
/// pre-rebalance step (ConsumerCoordinator.onJoinPrepare), so a partition that moves to a new
/// member resumes where processing stopped: members joining one by one reprocess nothing.
#[test]
fn cooperative_joins_with_auto_commit_reprocess_nothing() {
    let duplicates = |strategy: &str| -> usize {
        let cfg = json!({"partition.assignment.strategy": [strategy], "enable.auto.commit": true,
                         "auto.commit.interval.ms": 5000, "sim.processing.ms.per.record": 5});
        let joiner = |name: &str, at: u64| {
            let mut c = consumer(name, cfg.clone());
            c["start_ms"] = json!(at);
            c
        };
        let cs = json!([consumer("c1", cfg.clone()), joiner("c2", 9000), joiner("c3", 14000)]);
        let mut timeline = Vec::new();
        for i in 0..30 {
            let key = format!("k{}", i % 8);
            timeline.push(json!({"at_ms": 3000 + i * 500, "action": "produce", "producer": "shop", "topic": "orders", "key": key, "count": 4}));
        }
        let s = group_scenario(cs, json!(timeline), 30_000);
        let (session, _) = notes(s);
        session.anomalies().iter().filter(|a| a.kind == AnomalyKind::DuplicateProcessing).count()
    };
    assert_eq!(duplicates("cooperative-sticky"), 0, "the pre-rebalance commit covers what moves");
    assert_eq!(duplicates("range"), 0, "eager: commit, then revoke everything");
}
