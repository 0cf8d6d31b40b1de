//! What the storage and offset lessons teach, beyond their verdicts: the committed offset is
//! the next one to read (`committed-offset-is-next`).
use std::collections::BTreeMap;

use highwater::kafka::notes::Note;
use highwater::kafka::types::Tp;

mod common;
use common::{kinds, load, notes};

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
