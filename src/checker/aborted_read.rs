//! `aborted-read`: a reader or a consumer got a record of a transaction that aborted
//! (Jepsen's G1a, aborted read): it saw data that never committed. An isolation level that
//! reads committed data only never does; one that reads uncommitted data may.
//!
//! Two orders, one report per record: the read came after the abort (reported at the
//! read), or before it (reported when the transaction ends, naming the first reader).
use super::history::{track_mut, RecordTrack, Report};
use super::observation::{Lookup, ReadBy, RecordRef, StreamId};
use super::AnomalyKind;
use crate::kernel::ChunkedVec;

/// A reader got a record, or a consumer processed one.
pub(super) fn read(
    records: &mut ChunkedVec<RecordTrack>,
    out: &mut Report,
    lookup: &impl Lookup,
    who: ReadBy,
    stream: StreamId,
    record: RecordRef,
) {
    let Some(t) = track_mut(records, record) else { return };
    t.reads += 1;
    if t.first_reader.is_none() {
        t.first_reader = Some(who);
    }
    if t.aborted && !t.aborted_read_reported {
        t.aborted_read_reported = true;
        let detail = format!(
            "{} read record #{} of {}, whose transaction aborted",
            lookup.client_name(who),
            record.0,
            lookup.stream_name(stream)
        );
        out.push(AnomalyKind::AbortedRead, stream, vec![record], detail);
    }
}

/// The transaction of `record` committed or aborted in `stream`.
pub(super) fn transaction_ended(
    records: &mut ChunkedVec<RecordTrack>,
    out: &mut Report,
    lookup: &impl Lookup,
    (record, stream): (RecordRef, StreamId),
    committed: bool,
    transaction: i64,
) {
    let Some(t) = track_mut(records, record) else { return };
    if committed {
        t.committed = true;
        return;
    }
    t.aborted = true;
    if let (Some(reader), false) = (t.first_reader, t.aborted_read_reported) {
        t.aborted_read_reported = true;
        let detail = format!(
            "{} read record #{} of {} before its transaction ({}) aborted: it saw data that never committed (read_uncommitted)",
            lookup.client_name(reader),
            record.0,
            lookup.stream_name(stream),
            lookup.transaction_name(transaction)
        );
        out.push(AnomalyKind::AbortedRead, stream, vec![record], detail);
    }
}
