//! Fetch sessions (KIP-227) between followers and leaders, end to end: each follower opens
//! one session per leader with a full fetch, then lists only the partitions whose position
//! moved, and the leader answers only what is new; a restarted leader has no sessions and
//! its followers start over. Replication stays what it was (the golden file's verdicts and
//! step counts did not move when sessions came in).
use std::collections::{BTreeMap, BTreeSet};

use highwater::kafka::message::{FetchRequest, Msg};
use highwater::kafka::types::{BrokerId, Tp};
use highwater::kafka::world::broker_node;
use highwater::kernel::{MsgId, NodeId};
use highwater::scenario::Scenario;
use highwater::session::kafka::{build_simulation, KafkaSimulation};
use serde_json::json;

const PARTITIONS: u32 = 30;

/// 3 brokers, 30 partitions (RF 3), 40 records on one key (so one partition) from 200 ms on.
fn one_busy_partition(extra: Vec<serde_json::Value>) -> Scenario {
    let mut timeline: Vec<_> = (0..40)
        .map(|i| json!({"at_ms": 200 + i * 50, "action": "produce", "producer": "app", "topic": "t", "count": 1, "key": "k"}))
        .collect();
    timeline.extend(extra);
    let text = json!({
        "id": "fetch-sessions", "title": {"en": "fetch sessions"}, "seed": 3, "duration_ms": 6_000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "t", "partitions": PARTITIONS, "replication_factor": 3}],
        "producers": [{"name": "app", "config": {"acks": "all"}}],
        "timeline": timeline
    });
    Scenario::from_json(&text.to_string()).expect("scenario")
}

/// A follower fetch as sent: (follower, leader, session id, epoch, partitions listed, time).
type Sent = (NodeId, NodeId, u32, i32, Vec<Tp>, u64);

/// Run to the end; every follower fetch in send order, and the simulation.
fn follower_fetches(s: &Scenario) -> (Vec<Sent>, KafkaSimulation) {
    let (mut sim, _) = build_simulation(s, s.seed);
    let mut seen: BTreeSet<MsgId> = BTreeSet::new();
    let mut out = Vec::new();
    let mut notes = Vec::new();
    while sim.step(&mut notes).is_some() {
        notes.clear();
        for m in sim.in_flight() {
            if !seen.insert(m.id) {
                continue;
            }
            if let Msg::Fetch(FetchRequest { replica: Some(_), session_id, session_epoch, partitions, .. }) = &m.msg {
                let tps = partitions.iter().map(|p| p.tp).collect();
                out.push((m.from, m.to, *session_id, *session_epoch, tps, m.sent_at));
            }
        }
    }
    (out, sim)
}

#[test]
fn after_one_full_fetch_a_follower_lists_only_the_partitions_that_moved() {
    let s = one_busy_partition(Vec::new());
    let (fetches, sim) = follower_fetches(&s);
    let mut per_pair: BTreeMap<(NodeId, NodeId), Vec<&Sent>> = BTreeMap::new();
    for f in &fetches {
        per_pair.entry((f.0, f.1)).or_default().push(f);
    }
    assert_eq!(per_pair.len(), 6, "each of 3 brokers follows the other 2");

    for ((from, to), fs) in &per_pair {
        let (first, rest) = fs.split_first().unwrap();
        assert_eq!(first.3, 0, "{from:?}->{to:?}: the first fetch opens a session");
        assert!(first.4.len() >= 5, "{from:?}->{to:?}: a full fetch lists every partition it follows there");
        // An idle pair long-polls (replica.fetch.wait.max.ms 500); the busy one every append.
        assert!(rest.len() >= 10, "{from:?}->{to:?}: the session goes on ({} fetches)", rest.len());
        for (i, f) in rest.iter().enumerate() {
            assert_eq!(f.3, i as i32 + 1, "{from:?}->{to:?}: epochs count up without a restart");
            assert!(f.2 > 0, "incremental fetches name their session");
            assert!(f.4.len() <= 1, "{from:?}->{to:?} at {} ms lists {:?}: only the busy partition moves", f.5, f.4);
        }
    }
    let busy = sim.model.leader_log(Tp { topic: 0, partition: first_busy(&fetches) }).unwrap();
    assert_eq!(busy.high_watermark(), 40, "every record replicated and committed");
}

/// The one partition listed by incremental fetches.
fn first_busy(fetches: &[Sent]) -> u32 {
    fetches.iter().find(|f| f.3 > 0 && !f.4.is_empty()).map(|f| f.4[0].partition).expect("a busy partition")
}

#[test]
fn a_restarted_broker_opens_new_sessions_with_full_fetches() {
    let restart = vec![
        json!({"at_ms": 1_000, "action": "crash", "broker": 1}),
        json!({"at_ms": 1_500, "action": "restart", "broker": 1}),
    ];
    let (fetches, _) = follower_fetches(&one_busy_partition(restart));
    let b1 = broker_node(BrokerId(1));
    let mut first_after: BTreeMap<NodeId, &Sent> = BTreeMap::new();
    for f in fetches.iter().filter(|f| f.0 == b1 && f.5 >= 1_500) {
        first_after.entry(f.1).or_insert(f);
    }
    assert_eq!(first_after.len(), 2, "broker 1 follows both other brokers again");
    for (leader, f) in first_after {
        assert_eq!((f.2, f.3), (0, 0), "to {leader:?}: a new process knows no session and fetches in full");
        assert!(f.4.len() >= 5, "to {leader:?}: every partition it follows there");
    }
}
