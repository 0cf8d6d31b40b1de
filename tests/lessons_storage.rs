//! What the storage and offset lessons teach, beyond their verdicts: the committed offset is
//! the next one to read (`committed-offset-is-next`); the high watermark gates reads
//! (`hw-gates-reads`, `hw-gates-reads-isr-shrinks`); a power loss takes what is only in the
//! page cache (`power-loss-unflushed`, `power-loss-flush-every-message`,
//! `power-loss-separate-racks`).
use std::collections::BTreeMap;

use highwater::checker::AnomalyKind;
use highwater::kafka::notes::Note;
use highwater::kafka::types::ErrorCode;
use highwater::kafka::types::{BrokerId, Tp};
use highwater::scenario::TimelineEntry;
use highwater::session::{Command, Session};

mod common;
use common::{anomaly_records, kinds, load, notes};

/// `committed-offset-is-next`: every commit stores, per partition, the offset after the last
/// record processed there (0 before any), never the last processed offset itself.
#[test]
fn each_commit_is_the_last_processed_offset_plus_one() {
    let (_, ns) = notes(load("committed-offset-is-next"));
    let mut last_processed: BTreeMap<Tp, u64> = BTreeMap::new();
    let mut commits = 0;
    for (_, n) in &ns {
        match n {
            Note::RecordProcessed { tp, offset, .. } => {
                last_processed.insert(*tp, *offset);
            }
            Note::OffsetCommitted { tp, offset, .. } => {
                let want = last_processed.get(tp).map_or(0, |o| o + 1);
                assert_eq!(*offset, want, "{tp:?}: committed {offset}, processed up to {:?}", last_processed.get(tp));
                commits += 1;
            }
            _ => {}
        }
    }
    assert!(commits >= 6, "the consumer commits after each batch, twice per process ({commits})");
    assert_eq!(last_processed.len(), 3, "every partition had records processed");
}

/// After `close()` and a restart, the new process starts each partition at the committed
/// offset and its first processed record is exactly there: nothing processed twice, nothing
/// skipped.
#[test]
fn the_restarted_consumer_resumes_at_the_committed_offset() {
    let s = load("committed-offset-is-next");
    assert!(kinds(&s).is_empty(), "no duplicate processing, no skip");
    let (_, ns) = notes(s);
    let restart = ns.iter().position(|(_, n)| matches!(n, Note::ConsumerRestarted { .. })).expect("a restart");
    let mut committed: BTreeMap<Tp, u64> = BTreeMap::new();
    let mut processed_before: BTreeMap<Tp, u64> = BTreeMap::new();
    for (_, n) in &ns[..restart] {
        match n {
            Note::OffsetCommitted { tp, offset, .. } => {
                committed.insert(*tp, *offset);
            }
            Note::RecordProcessed { tp, offset, incarnation: 0, .. } => {
                processed_before.insert(*tp, *offset);
            }
            _ => {}
        }
    }
    let mut positions: BTreeMap<Tp, u64> = BTreeMap::new();
    let mut first_after: BTreeMap<Tp, u64> = BTreeMap::new();
    for (_, n) in &ns[restart..] {
        match n {
            Note::ConsumerPosition { tp, offset, from, .. } => {
                assert_eq!(*from, "committed", "{tp:?}: the group has a committed offset");
                positions.entry(*tp).or_insert(*offset);
            }
            Note::RecordProcessed { tp, offset, incarnation, .. } => {
                assert_eq!(*incarnation, 1, "only the new process processes after the restart");
                first_after.entry(*tp).or_insert(*offset);
            }
            _ => {}
        }
    }
    assert_eq!(committed.len(), 3, "{committed:?}");
    for (tp, c) in &committed {
        assert_eq!(processed_before.get(tp).map(|o| o + 1), Some(*c), "{tp:?}: committed = last processed + 1");
        assert_eq!(positions.get(tp), Some(c), "{tp:?}: the new process starts at the committed offset");
        assert_eq!(first_after.get(tp), Some(c), "{tp:?}: its first processed record is the committed offset");
    }
}

/// The notes of `orders-0` (topic 0, partition 0) with their times.
fn orders_notes(name: &str) -> Vec<(u64, Note)> {
    let (_, ns) = notes(load(name));
    let tp = Tp { topic: 0, partition: 0 };
    ns.into_iter()
        .filter(|(_, n)| match n {
            Note::Appended { tp: t, .. }
            | Note::HighWatermark { tp: t, .. }
            | Note::Read { tp: t, .. }
            | Note::IsrChanged { tp: t, .. } => *t == tp,
            _ => false,
        })
        .collect()
}

/// When `broker` first had `offset` in its log of `orders-0`.
fn appended_at(ns: &[(u64, Note)], broker: u32, offset: u64) -> Option<u64> {
    ns.iter().find_map(|(t, n)| match n {
        Note::Appended { broker: b, first_offset, count, .. }
            if b.0 == broker && (*first_offset..first_offset + u64::from(*count)).contains(&offset) =>
        {
            Some(*t)
        }
        _ => None,
    })
}

/// When the reader got `offset` of `orders-0`.
fn read_at(ns: &[(u64, Note)], offset: u64) -> u64 {
    ns.iter()
        .find_map(|(t, n)| matches!(n, Note::Read { offset: o, .. } if *o == offset).then_some(*t))
        .unwrap_or_else(|| panic!("offset {offset} was never read"))
}

/// Each replica's log end offset and the leader's (broker 1's) high watermark after each note.
fn leo_and_hw(ns: &[(u64, Note)]) -> Vec<(u64, [u64; 3], u64)> {
    let (mut leo, mut hw) = ([0u64; 3], 0);
    let mut out = Vec::new();
    for (t, n) in ns {
        match n {
            Note::Appended { broker, first_offset, count, .. } => {
                leo[broker.0 as usize - 1] = first_offset + u64::from(*count);
            }
            Note::HighWatermark { broker: BrokerId(1), high_watermark, .. } => hw = *high_watermark,
            _ => continue,
        }
        out.push((*t, leo, hw));
    }
    out
}

/// `hw-gates-reads`: slow broker 3 stays in the ISR, so the leader's HW never passes broker
/// 3's log end; the leader's LEO runs ahead of it, and the reader gets each record only
/// once all three replicas have it.
#[test]
fn a_slow_follower_in_the_isr_holds_the_high_watermark_and_the_reader_back() {
    let ns = orders_notes("hw-gates-reads");
    assert!(!ns.iter().any(|(_, n)| matches!(n, Note::IsrChanged { .. })), "broker 3 never leaves the ISR");
    let states = leo_and_hw(&ns);
    for (t, leo, hw) in &states {
        assert!(*hw <= *leo.iter().min().unwrap(), "at {t} ms the HW {hw} passed a replica's LEO {leo:?}");
    }
    let ahead = states.iter().map(|(_, leo, hw)| leo[0] - hw).max().unwrap();
    assert!(ahead >= 5, "the leader's LEO ran {ahead} records ahead of its HW");
    let mut reads = 0;
    for (t, n) in &ns {
        if let Note::Read { offset, high_watermark, .. } = n {
            assert!(offset < high_watermark);
            for b in 1..=3 {
                let had = appended_at(&ns, b, *offset).expect("every replica has every record");
                assert!(had <= *t, "offset {offset} read at {t} ms, before broker {b} had it ({had} ms)");
            }
            reads += 1;
        }
    }
    assert_eq!(reads, 9);
    let (slowest, read) = (appended_at(&ns, 3, 2).unwrap(), read_at(&ns, 2));
    assert!(read - appended_at(&ns, 1, 2).unwrap() >= 5_000, "offset 2 waited for broker 3 (read at {read} ms)");
    assert!(read >= slowest);
}

/// `hw-gates-reads-isr-shrinks`: with replica.lag.time.max.ms=5000 the leader drops broker 3
/// from the ISR; the HW then passes broker 3's LEO and the reader gets records broker 3 does
/// not have yet; broker 3 rejoins only once its log reaches the HW.
#[test]
fn shrinking_the_isr_lets_the_high_watermark_and_the_reader_move_on() {
    let ns = orders_notes("hw-gates-reads-isr-shrinks");
    let isrs: Vec<(u64, Vec<u32>)> = ns
        .iter()
        .filter_map(|(t, n)| match n {
            Note::IsrChanged { isr, .. } => Some((*t, isr.iter().map(|b| b.0).collect())),
            _ => None,
        })
        .collect();
    assert_eq!(isrs.iter().map(|(_, i)| i.clone()).collect::<Vec<_>>(), vec![vec![1, 2], vec![1, 2, 3]]);
    let (shrunk, rejoined) = (isrs[0].0, isrs[1].0);
    let first_missing = appended_at(&ns, 1, 2).unwrap();
    assert!(shrunk >= first_missing, "broker 3 leaves the ISR only after it fell behind");
    let read = read_at(&ns, 2);
    let b3_has_it = appended_at(&ns, 3, 2).unwrap();
    assert!(
        shrunk <= read && read < b3_has_it,
        "offset 2 read at {read} ms, after the shrink ({shrunk} ms), before broker 3 had it ({b3_has_it} ms)"
    );
    let states = leo_and_hw(&ns);
    let at_rejoin = states.iter().rev().find(|(t, _, _)| *t <= rejoined).unwrap();
    assert!(
        at_rejoin.1[2] >= at_rejoin.2,
        "broker 3 rejoined with LEO {} below the HW {}",
        at_rejoin.1[2],
        at_rejoin.2
    );
    let faults = |name: &str| -> Vec<TimelineEntry> {
        load(name).timeline.into_iter().filter(|e| !matches!(e.action, Command::Narrate(_))).collect()
    };
    assert_eq!(
        faults("hw-gates-reads"),
        faults("hw-gates-reads-isr-shrinks"),
        "the same records and the same slow broker"
    );
    let before = orders_notes("hw-gates-reads");
    assert!(read + 4_000 <= read_at(&before, 2), "the shrink let the reader get offset 2 sooner");
}

/// What a power-loss lesson did: the records each broker lost at its restart, and the
/// record ids of each broker's log of `orders-0` at the end.
struct PowerLossRun {
    notes: Vec<(u64, Note)>,
    truncated: BTreeMap<u32, Vec<u64>>,
    final_logs: BTreeMap<u32, Vec<u64>>,
}

fn power_loss_run(name: &str) -> PowerLossRun {
    let (session, notes) = notes(load(name));
    let mut truncated: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for (_, n) in &notes {
        if let Note::Truncated { broker, removed, .. } = n {
            truncated.entry(broker.0).or_default().extend(removed.iter().map(|r| r.0));
        }
    }
    let sim = session.current();
    let tp = Tp { topic: 0, partition: 0 };
    let final_logs = (1..=3)
        .map(|b| (b, sim.model.broker(BrokerId(b)).replicas.get(&tp).unwrap().log.records().map(|r| r.id.0).collect()))
        .collect();
    PowerLossRun { notes, truncated, final_logs }
}

/// `power-loss-unflushed`: every host loses power; exactly the records acknowledged less
/// than `sim.os.dirty.expire.ms` before it (still in the page cache) vanish from every
/// replica, the older ones survive, and the producer's next record meets the gap.
#[test]
fn a_rack_wide_power_loss_takes_the_acknowledged_records_not_yet_written_back() {
    let s = load("power-loss-unflushed");
    let expire = s.cluster.config.os_dirty_expire_ms;
    let run = power_loss_run("power-loss-unflushed");
    let power_off = run
        .notes
        .iter()
        .find_map(|(t, n)| matches!(n, Note::BrokerCrashed { power_loss: true, .. }).then_some(*t))
        .unwrap();
    let acked: Vec<(u64, u64)> = run
        .notes
        .iter()
        .filter_map(|(t, n)| match n {
            Note::RecordAcked { record, .. } => Some((record.0, *t)),
            _ => None,
        })
        .collect();
    let dirty: Vec<u64> = acked.iter().filter(|(_, t)| t + expire > power_off).map(|(r, _)| *r).collect();
    let on_disk: Vec<u64> = acked.iter().filter(|(_, t)| t + expire <= power_off).map(|(r, _)| *r).collect();
    assert!(!dirty.is_empty() && !on_disk.is_empty(), "acked {acked:?}, power off at {power_off} ms");
    for b in 1..=3 {
        assert_eq!(run.truncated.get(&b), Some(&dirty), "broker {b} loses the records still in its page cache");
        assert_eq!(run.final_logs[&b], on_disk, "broker {b} keeps only what was written back");
    }
    let mut lost = anomaly_records(&s, AnomalyKind::LostWrite);
    lost.sort();
    assert_eq!(lost, dirty);
    let oos = run
        .notes
        .iter()
        .any(|(_, n)| matches!(n, Note::RecordFailed { error: ErrorCode::OutOfOrderSequenceNumber, .. }));
    assert!(oos, "the producer's next sequence number does not follow the shortened log");
}

/// `power-loss-flush-every-message`: with an fsync per append nothing is lost at the same
/// power loss; every acknowledged record is in every broker's log at the end.
#[test]
fn fsync_per_message_survives_the_same_power_loss() {
    let run = power_loss_run("power-loss-flush-every-message");
    assert!(run.truncated.is_empty(), "nothing was only in the page cache: {:?}", run.truncated);
    let restarted: Vec<u64> = run
        .notes
        .iter()
        .filter_map(|(_, n)| match n {
            Note::BrokerRestarted { lost_unflushed, .. } => Some(*lost_unflushed),
            _ => None,
        })
        .collect();
    assert_eq!(restarted, vec![0, 0, 0]);
    let acked = acked_records(&run.notes);
    assert_eq!(acked.len(), 7, "every record is acknowledged, the one after the restart too");
    for b in 1..=3 {
        assert_eq!(run.final_logs[&b], acked, "broker {b} has every acknowledged record, in order");
    }
}

/// `power-loss-separate-racks`: only broker 1 loses power; it loses its unflushed records,
/// then fetches them again from the new leader, and no acknowledged record is lost.
#[test]
fn one_rack_losing_power_loses_nothing_acknowledged() {
    let s = load("power-loss-separate-racks");
    assert!(kinds(&s).is_empty());
    let run = power_loss_run("power-loss-separate-racks");
    assert_eq!(run.truncated.keys().copied().collect::<Vec<_>>(), vec![1], "only broker 1 lost power");
    let cut = run.notes.iter().position(|(_, n)| matches!(n, Note::Truncated { .. })).unwrap();
    let Note::Truncated { offset: from, removed, .. } = &run.notes[cut].1 else { unreachable!() };
    assert!(!removed.is_empty(), "broker 1 had unflushed records");
    let refetched = run.notes[cut..].iter().any(|(_, n)| {
        matches!(n, Note::Appended { broker: BrokerId(1), as_leader: false, first_offset, .. } if first_offset == from)
    });
    assert!(refetched, "broker 1 fetched the records from offset {from} again from the new leader");
    let acked = acked_records(&run.notes);
    for b in 1..=3 {
        assert_eq!(run.final_logs[&b], acked, "broker {b} has every acknowledged record");
    }
}

/// The records the producer saw acknowledged, by offset order.
fn acked_records(ns: &[(u64, Note)]) -> Vec<u64> {
    let mut acked: Vec<(u64, u64)> = ns
        .iter()
        .filter_map(|(_, n)| match n {
            Note::RecordAcked { record, offset, .. } => Some((*offset, record.0)),
            _ => None,
        })
        .collect();
    acked.sort();
    acked.into_iter().map(|(_, r)| r).collect()
}

/// The strips mark records still only in the page cache in a lesson about power loss, and
/// in no other kind of lesson.
#[test]
fn views_mark_unflushed_records_only_where_durability_is_the_lesson() {
    let mut s = Session::new(load("power-loss-unflushed"));
    s.seek(u64::MAX);
    let v = s.view();
    let replicas: Vec<_> = v.brokers.iter().flat_map(|b| b.replicas.iter()).filter(|r| r.topic == "orders").collect();
    assert_eq!(replicas.len(), 3, "orders-0 on three brokers");
    assert!(replicas.iter().all(|r| r.show_flush));
    let mut plain = Session::new(load("acks1-leader-failure"));
    plain.seek(u64::MAX);
    assert!(plain.view().brokers.iter().flat_map(|b| b.replicas.iter()).all(|r| !r.show_flush));
}
