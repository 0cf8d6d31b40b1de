//! The plain reader: isolation levels are in tests/transactions.rs; here, what it does
//! when the log is truncated below its position.
use highwater::kafka::notes::Note;
use highwater::kafka::types::RecordId;

mod common;
use common::{load, notes};

#[test]
fn a_reader_past_a_truncated_log_resets_by_auto_offset_reset_and_reads_on() {
    // unclean-leader-election: the reader read offsets 0..5 from broker 1; broker 3, elected
    // without them, has a log end of 2. The reader's position 5 is out of range.
    let (session, ns) = notes(load("unclean-leader-election"));
    let reset = ns.iter().find_map(|(t, n)| match n {
        Note::ReaderReset { from, to, .. } => Some((*t, *from, *to)),
        _ => None,
    });
    let (at, from, to) = reset.expect("the reader resets");
    assert_eq!((from, to), (5, Some(2)), "auto.offset.reset=latest: to the new leader's high watermark");
    // It reads on from there: it fetches at offset 2 and is no longer refused.
    let reader = &session.timeline().current().model.readers[0];
    assert_eq!(reader.positions.values().copied().collect::<Vec<_>>(), vec![2]);
    let reads_before: Vec<RecordId> = ns
        .iter()
        .filter_map(|(t, n)| match n {
            Note::Read { record, .. } if *t < at => Some(*record),
            _ => None,
        })
        .collect();
    assert_eq!(reads_before, (0..5).map(RecordId).collect::<Vec<_>>());
    // Its fetches succeed again (each answer gives a ReaderHighWatermark), up to the end.
    let answered_after =
        ns.iter().filter(|(t, n)| *t > at && matches!(n, Note::ReaderHighWatermark { high_watermark: 2, .. })).count();
    assert!(answered_after > 10, "{answered_after} answers after the reset");
}
