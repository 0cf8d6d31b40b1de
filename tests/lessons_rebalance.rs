//! K14, rebalances and assignors compared: `rebalance-range`, `-roundrobin`, `-sticky` and
//! `-cooperative-sticky` run the same group and timeline (c4 joins while c3 is stuck in a slow
//! batch, then c1 leaves) under each `partition.assignment.strategy`. Beyond their verdicts:
//! which partitions change owner, who stops consuming, and what the cooperative protocol pays.
use highwater::kafka::notes::Note;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

mod common;
use common::{load, notes};

const STRATEGIES: [&str; 4] = ["range", "roundrobin", "sticky", "cooperative-sticky"];
const EAGER: [&str; 3] = ["range", "roundrobin", "sticky"];

fn file(strategy: &str) -> Value {
    let path = format!("{}/scenarios/rebalance-{strategy}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// When things happen in the lesson, read from its timeline: c4's start (the join), the end
/// of c3's slow batch, and c1's close (the leave).
struct Times {
    join: u64,
    pause_end: u64,
    leave: u64,
}

fn times(strategy: &str) -> Times {
    let v = file(strategy);
    let action = |kind: &str| v["timeline"].as_array().unwrap().iter().find(|a| a["action"] == kind).unwrap().clone();
    let pause = action("consumer_pause");
    assert_eq!(pause["gc"], false, "a slow batch: the heartbeat thread goes on, poll() does not");
    Times {
        join: v["consumers"].as_array().unwrap().iter().filter_map(|c| c["start_ms"].as_u64()).max().unwrap(),
        pause_end: pause["at_ms"].as_u64().unwrap() + pause["ms"].as_u64().unwrap(),
        leave: action("consumer_close")["at_ms"].as_u64().unwrap(),
    }
}

/// What a run did, as plain data: consumers by name, partitions by number (one topic).
#[derive(Default)]
struct Run {
    /// Each Assignment the group leader made: time, partition -> owner.
    assignments: Vec<(u64, BTreeMap<u32, String>)>,
    revoked: Vec<(u64, String, Vec<u32>)>,
    assigned: Vec<(u64, String, Vec<u32>)>,
    /// time, consumer, partition, offset, record id
    processed: Vec<(u64, String, u32, u64, u64)>,
    /// time, consumer, partition, offset, where from
    positions: Vec<(u64, String, u32, u64, &'static str)>,
    /// time, state
    group_states: Vec<(u64, &'static str)>,
}

fn run(strategy: &str) -> Run {
    let s = load(&format!("rebalance-{strategy}"));
    let names: Vec<String> = s.consumers.iter().map(|c| c.name.clone()).collect();
    let name = |i: &u32| names[*i as usize].clone();
    let parts = |tps: &[highwater::kafka::types::Tp]| tps.iter().map(|tp| tp.partition).collect::<Vec<_>>();
    let (_, ns) = notes(s);
    let mut r = Run::default();
    for (t, n) in ns {
        match n {
            Note::Assignment { assignment, .. } => {
                let owners = assignment
                    .iter()
                    .flat_map(|(m, tps)| {
                        let owner = m.split('-').next().unwrap().to_string();
                        tps.iter().map(move |tp| (tp.partition, owner.clone()))
                    })
                    .collect();
                r.assignments.push((t, owners));
            }
            Note::ConsumerRevoked { consumer, partitions } => r.revoked.push((t, name(&consumer), parts(&partitions))),
            Note::ConsumerAssigned { consumer, partitions, .. } => {
                r.assigned.push((t, name(&consumer), parts(&partitions)))
            }
            Note::RecordProcessed { consumer, tp, offset, record, .. } => {
                r.processed.push((t, name(&consumer), tp.partition, offset, record.0))
            }
            Note::ConsumerPosition { consumer, tp, offset, from } => {
                r.positions.push((t, name(&consumer), tp.partition, offset, from))
            }
            Note::GroupState { state, .. } => r.group_states.push((t, state)),
            _ => {}
        }
    }
    r
}

impl Run {
    /// The group's last complete assignment before `t`.
    fn owners_before(&self, t: u64) -> &BTreeMap<u32, String> {
        &self.assignments.iter().rev().find(|(at, _)| *at < t).unwrap().1
    }

    /// Partitions whose owner differs between the first assignment and the last one before
    /// the leave (the join), and between that and the final one (the leave).
    fn moves(&self, leave: u64) -> (BTreeSet<u32>, BTreeSet<u32>) {
        let first = &self.assignments[0].1;
        let joined = self.owners_before(leave);
        let last = &self.assignments.last().unwrap().1;
        let diff = |a: &BTreeMap<u32, String>, b: &BTreeMap<u32, String>| {
            a.keys().chain(b.keys()).filter(|p| a.get(p) != b.get(p)).copied().collect::<BTreeSet<u32>>()
        };
        (diff(first, joined), diff(joined, last))
    }

    fn processed_by(&self, consumer: &str, from: u64, to: u64) -> Vec<(u32, u64)> {
        self.processed.iter().filter(|p| p.1 == consumer && p.0 >= from && p.0 <= to).map(|p| (p.2, p.3)).collect()
    }
}

#[test]
fn each_assignor_moves_its_own_partitions_at_the_join_and_the_leave() {
    let expected: [(&str, &[u32], &[u32]); 4] = [
        ("range", &[5], &[0, 1, 2, 3, 4]),
        ("roundrobin", &[3, 4, 5], &[0, 1, 2, 3, 4, 5]),
        ("sticky", &[3], &[0]),
        ("cooperative-sticky", &[3], &[0]),
    ];
    for (strategy, join, leave) in expected {
        let r = run(strategy);
        let (at_join, at_leave) = r.moves(times(strategy).leave);
        assert_eq!(at_join, join.iter().copied().collect(), "{strategy}: moved when c4 joined");
        assert_eq!(at_leave, leave.iter().copied().collect(), "{strategy}: moved when c1 left");
        // Whatever the assignor, c4 gets work and c1's partitions go elsewhere.
        assert!(r.owners_before(times(strategy).leave).values().any(|o| o == "c4"), "{strategy}");
        assert!(r.assignments.last().unwrap().1.values().all(|o| o != "c1"), "{strategy}");
    }
}

#[test]
fn sticky_assignors_move_only_what_must_move() {
    let mut total = BTreeMap::new();
    for strategy in STRATEGIES {
        let r = run(strategy);
        let leave = times(strategy).leave;
        let (at_join, at_leave) = r.moves(leave);
        // The least that must move: c4's share at the join, c1's partitions at the leave.
        let joined = r.owners_before(leave);
        let c4_share = joined.values().filter(|o| *o == "c4").count();
        let c1_share = joined.values().filter(|o| *o == "c1").count();
        let minimal = at_join.len() == c4_share && at_leave.len() == c1_share;
        assert_eq!(minimal, strategy.contains("sticky"), "{strategy}: {at_join:?} {at_leave:?}");
        total.insert(strategy, at_join.len() + at_leave.len());
    }
    assert!(total["sticky"] < total["range"] && total["sticky"] < total["roundrobin"], "{total:?}");
    assert_eq!(total["sticky"], total["cooperative-sticky"], "{total:?}");
}

#[test]
fn eager_members_process_nothing_between_revocation_and_their_next_assignment() {
    for strategy in EAGER {
        let (r, t) = (run(strategy), times(strategy));
        assert!(!r.revoked.is_empty(), "{strategy}");
        for (at, consumer, partitions) in &r.revoked {
            // Eager: a member gives up everything it holds, not just what will move.
            let held = r.assigned.iter().rev().find(|a| a.0 <= *at && a.1 == *consumer).unwrap();
            assert_eq!(partitions, &held.2, "{strategy}: {consumer} at {at} gives up all it holds");
            let next = r.assigned.iter().find(|a| a.0 >= *at && a.1 == *consumer).expect("assigned again");
            let meanwhile = r.processed_by(consumer, *at, next.0);
            assert!(meanwhile.is_empty(), "{strategy}: {consumer} processed {meanwhile:?} between {at} and {}", next.0);
            // At the join c1 and c2 wait for c3, stuck in its slow batch.
            if *at > t.join && *at < t.pause_end && consumer != "c3" {
                assert!(next.0 > t.pause_end, "{strategy}: {consumer} waited from {at} to {}", next.0);
            }
        }
        let at_join = r.revoked.iter().filter(|v| v.0 > t.join && v.0 < t.leave).map(|v| v.1.as_str());
        assert_eq!(at_join.collect::<BTreeSet<_>>(), BTreeSet::from(["c1", "c2", "c3"]), "{strategy}");
    }
}

#[test]
fn cooperative_members_keep_processing_while_the_group_rebalances() {
    let (r, t) = (run("cooperative-sticky"), times("cooperative-sticky"));
    let (at_join, _) = r.moves(t.leave);
    // Only the partition that moves is revoked, once, by its old owner, and no one else
    // gives anything up (not even at the leave).
    assert_eq!(r.revoked.len(), 1, "{:?}", r.revoked);
    let (revoked_at, owner, partitions) = &r.revoked[0];
    assert_eq!((owner.as_str(), partitions.iter().copied().collect::<BTreeSet<_>>()), ("c1", at_join.clone()));
    // It is revoked in one rebalance and assigned in the next: the generation that revokes
    // it gives it to no one.
    let revoking = &r.assignments.iter().find(|(at, _)| at > &t.join).unwrap().1;
    assert!(at_join.iter().all(|p| !revoking.contains_key(p)), "{revoking:?}");
    let second = r.assignments.iter().find(|(at, _)| at > revoked_at).unwrap();
    assert!(at_join.iter().all(|p| second.1.get(p).map(String::as_str) == Some("c4")), "{second:?}");
    // Between the start of the rebalance and its first Stable, c1 and c2 process records of
    // every partition they keep, while c3's slow batch holds the rebalance up.
    let start = r.group_states.iter().find(|(at, s)| *at >= t.join && *s == "PreparingRebalance").unwrap().0;
    let stable = r.group_states.iter().find(|(at, s)| *at > start && *s == "Stable").unwrap().0;
    assert!(stable > t.pause_end, "the rebalance waits for c3: stable at {stable}");
    let (first, kept) = (&r.assignments[0].1, r.owners_before(t.leave));
    for consumer in ["c1", "c2"] {
        let done: BTreeSet<u32> = r.processed_by(consumer, start, stable).iter().map(|p| p.0).collect();
        let keeps: Vec<u32> =
            first.iter().filter(|(p, o)| *o == consumer && kept[*p] == consumer).map(|p| *p.0).collect();
        assert!(
            !keeps.is_empty() && keeps.iter().all(|p| done.contains(p)),
            "{consumer}: kept {keeps:?}, processed {done:?}"
        );
    }
    // At the leave, every remaining member goes on processing during the rebalance.
    let start = r.group_states.iter().find(|(at, s)| *at >= t.leave && *s == "PreparingRebalance").unwrap().0;
    let stable = r.group_states.iter().find(|(at, s)| *at > start && *s == "Stable").unwrap().0;
    for consumer in ["c2", "c3", "c4"] {
        assert!(!r.processed_by(consumer, start, stable).is_empty(), "{consumer} between {start} and {stable}");
    }
}

/// Records processed more than once: record id -> (consumer, partition, offset) in order.
fn duplicates(r: &Run) -> BTreeMap<u64, Vec<(String, u32, u64)>> {
    let mut seen: BTreeMap<u64, Vec<(String, u32, u64)>> = BTreeMap::new();
    for (_, consumer, p, offset, record) in &r.processed {
        seen.entry(*record).or_default().push((consumer.clone(), *p, *offset));
    }
    seen.retain(|_, v| v.len() > 1);
    seen
}

#[test]
fn the_cooperative_duplicates_are_what_c1_processed_after_its_last_commit() {
    for strategy in EAGER {
        // Eager members commit (auto-commit in onJoinPrepare) before they revoke.
        assert!(duplicates(&run(strategy)).is_empty(), "{strategy}");
    }
    let r = run("cooperative-sticky");
    let moved = r.revoked[0].2[0];
    let (_, _, _, start, from) = *r.positions.iter().find(|p| p.1 == "c4" && p.2 == moved).unwrap();
    assert_eq!(from, "committed");
    // c1 went on processing the partition past that commit until it gave it up.
    let past: BTreeSet<u64> =
        r.processed_by("c1", 0, u64::MAX).iter().filter(|p| p.0 == moved && p.1 >= start).map(|p| p.1).collect();
    assert!(past.len() > 1, "{past:?}");
    let dups = duplicates(&r);
    let offsets: BTreeSet<u64> = dups.values().map(|v| v[0].2).collect();
    assert_eq!(offsets, past, "exactly what c1 processed after the committed offset {start}");
    for v in dups.values() {
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].0.as_str(), v[0].1, v[1].0.as_str(), v[1].1), ("c1", moved, "c4", moved), "{v:?}");
    }
}

#[test]
fn the_four_files_differ_only_in_the_strategy_and_the_words() {
    let strip = |strategy: &str| {
        let mut v = file(strategy);
        assert_eq!(v["id"], format!("rebalance-{strategy}"));
        let o = v.as_object_mut().unwrap();
        for key in ["id", "title", "description", "expect"] {
            o.remove(key);
        }
        let timeline = o["timeline"].as_array_mut().unwrap();
        let narration: Vec<Value> = timeline.iter().filter(|a| a["action"] == "narrate").cloned().collect();
        timeline.retain(|a| a["action"] != "narrate");
        assert!((4..=8).contains(&narration.len()) && narration[0]["at_ms"] == 0, "{strategy}");
        for n in &narration {
            let (en, zh) = (n["text"]["en"].as_str().unwrap(), n["text"]["zh"].as_str().unwrap());
            assert!(en.chars().count() <= 230 && !zh.is_empty(), "{strategy}: {en}");
        }
        for c in o["consumers"].as_array_mut().unwrap() {
            let config = c["config"].as_object_mut().unwrap();
            assert_eq!(config.remove("partition.assignment.strategy").unwrap(), serde_json::json!([strategy]));
        }
        v
    };
    let range = strip("range");
    for strategy in &STRATEGIES[1..] {
        assert_eq!(strip(strategy), range, "{strategy} differs from range beyond the strategy and narration");
    }
}
