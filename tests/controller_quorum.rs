//! The KRaft quorum after its leader dies: a restarted node starts as a follower, so the
//! quorum elects a leader in a new epoch even when every voter lost power together, and
//! the one that died does not resume leading on its own.
use highwater::kafka::notes::Note;

mod common;
use common::{load, notes};

fn elections(id: &str) -> Vec<(u64, u32, u32)> {
    let (_, all) = notes(load(id));
    all.into_iter()
        .filter_map(|(t, n)| match n {
            Note::ControllerElected { broker, epoch } => Some((t, broker.0, epoch)),
            _ => None,
        })
        .collect()
}

#[test]
fn after_every_voter_lost_power_the_quorum_elects_in_a_new_epoch() {
    // power-loss-unflushed: brokers 1-3 (the voters) lose power at 45 s, return at 60 s.
    let e = elections("power-loss-unflushed");
    assert_eq!(e.len(), 1, "{e:?}");
    let (t, _, epoch) = e[0];
    assert!(t > 60_000, "elected after the restart, at {t}");
    assert_eq!(epoch, 2, "a new epoch after the bootstrap's");
}

#[test]
fn when_the_leader_alone_dies_another_voter_takes_over() {
    let e = elections("power-loss-separate-racks");
    assert_eq!(e.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>(), [(2, 2)]);
}
