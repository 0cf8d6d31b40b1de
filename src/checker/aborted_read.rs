//! `aborted-read`: a reader or a consumer got a record of a transaction that aborted
//! (Jepsen's G1a, aborted read): it saw data that never committed. An isolation level that
//! reads committed data only never does; one that reads uncommitted data may.
//!
//! Two orders, one report per record: the read came after the abort (reported at the
//! read), or before it (reported when the transaction ends, naming the first reader).
use super::history::{track_mut, RecordTrack, Report};
use super::observation::{Lookup, ReadBy, RecordRef, StreamId};
use super::AnomalyKind;
use crate::checker::Detail;
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
        let (who, stream_name) = (lookup.client_name(who), lookup.stream_name(stream));
        let detail = Detail::new(
            format!("{who} read record #{} of {stream_name}, whose transaction aborted", record.0),
            format!("{who} 读到了 {stream_name} 的消息 #{}，而它所在的事务已中止", record.0),
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
        let (who, stream_name, txn) =
            (lookup.client_name(reader), lookup.stream_name(stream), lookup.transaction_name(transaction));
        let detail = Detail::new(
            format!("{who} read record #{} of {stream_name} before its transaction ({txn}) aborted: it saw data that never committed (read_uncommitted)", record.0),
            format!("{who} 在事务（{txn}）中止之前读到了 {stream_name} 的消息 #{}：它看到了从未提交的数据（read_uncommitted）", record.0),
        );
        out.push(AnomalyKind::AbortedRead, stream, vec![record], detail);
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::observation::{Observation, Processed, Read, RecordRef};
    use super::super::testing::{kinds, run, Fake, S0};
    use super::AnomalyKind;

    const R: RecordRef = RecordRef(1);

    fn read() -> Observation<'static> {
        Observation::Read(Read { reader: 0, stream: S0, offset: 0, record: R, writer: 0, source: None })
    }

    fn ended(committed: bool) -> Observation<'static> {
        Observation::TransactionEnded { stream: S0, record: R, committed, transaction: 7 }
    }

    #[test]
    fn fires_for_a_read_before_or_after_the_abort_once() {
        let sent = Observation::Sent { record: R, stream: S0 };
        let found = run(&Fake::default(), &[sent, read(), ended(false), read()]);
        assert_eq!(kinds(&found), [AnomalyKind::AbortedRead]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (3, &[R][..]));
        assert_eq!(
            found[0].detail,
            "reader read record #1 of orders-0 before its transaction (producer id 7) aborted: it saw data that never committed (read_uncommitted)"
        );

        let group: Rc<str> = "billing".into();
        let processed = Observation::Processed(Processed {
            consumer: 0,
            group: &group,
            stream: S0,
            offset: 0,
            record: R,
            generation: 1,
            incarnation: 0,
            transactional: false,
            key: None,
        });
        let found = run(&Fake::default(), &[sent, ended(false), processed]);
        assert_eq!(kinds(&found), [AnomalyKind::AbortedRead]);
        assert_eq!(found[0].detail, "c1 read record #1 of orders-0, whose transaction aborted");
    }

    #[test]
    fn silent_when_the_transaction_commits() {
        let sent = Observation::Sent { record: R, stream: S0 };
        assert!(run(&Fake::default(), &[sent, read(), ended(true), read()]).is_empty());
    }
}
