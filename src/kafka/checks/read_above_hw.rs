//! `read-above-hw`: a reader got a record at or above the high watermark the same fetch
//! told it. Kafka hands consumers committed records only (below the HW): a record above it
//! may still be truncated by the next leader, so reading it is a dirty read of
//! replication (in Jepsen's terms, a read of a write that may yet be lost).
use crate::checker::observation::Read;
use crate::checker::Detail;
use crate::checker::{AnomalyKind, At, History, Lookup, ReadBy};

pub(super) fn read(history: &mut History, at: At, lookup: &impl Lookup, r: &Read, high_watermark: u64) {
    if r.offset >= high_watermark {
        let (who, name, offset) =
            (lookup.client_name(ReadBy::Reader(r.reader)), lookup.stream_name(r.stream), r.offset);
        let detail = Detail::new(
            format!("{who} read offset {offset} of {name} at high watermark {high_watermark}"),
            format!("{who} 在高水位为 {high_watermark} 时读到了 {name} 的 offset {offset}"),
        );
        history.report(at, AnomalyKind::ReadAboveHw, r.stream, vec![r.record], detail);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{observe, world, TP};
    use crate::checker::{AnomalyKind, RecordRef};
    use crate::kafka::notes::Note;
    use crate::kafka::types::RecordId;

    fn read(offset: u64, high_watermark: u64) -> Note {
        Note::Read { reader: 0, tp: TP, offset, record: RecordId(offset), high_watermark }
    }

    #[test]
    fn fires_for_a_record_at_or_above_the_high_watermark() {
        let checker = observe(&world(), &[read(0, 2), read(2, 2)]);
        let found: Vec<_> = checker.anomalies().collect();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].kind, found[0].step), (AnomalyKind::ReadAboveHw, 2));
        assert_eq!(found[0].records, [RecordRef(2)]);
        assert_eq!(found[0].detail, "reader read offset 2 of orders-0 at high watermark 2");
    }

    #[test]
    fn silent_below_the_high_watermark() {
        assert_eq!(observe(&world(), &[read(0, 2), read(1, 2), read(2, 5)]).anomalies().count(), 0);
    }
}
