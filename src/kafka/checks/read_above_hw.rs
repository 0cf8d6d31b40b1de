//! `read-above-hw`: a reader got a record at or above the high watermark the same fetch
//! told it. Kafka hands consumers committed records only (below the HW): a record above it
//! may still be truncated by the next leader, so reading it is a dirty read of
//! replication (in Jepsen's terms, a read of a write that may yet be lost).
use crate::checker::observation::Read;
use crate::checker::{AnomalyKind, At, History, Lookup, ReadBy};

pub(super) fn read(history: &mut History, at: At, lookup: &impl Lookup, r: &Read, high_watermark: u64) {
    if r.offset >= high_watermark {
        let detail = format!(
            "{} read offset {} of {} at high watermark {high_watermark}",
            lookup.client_name(ReadBy::Reader(r.reader)),
            r.offset,
            lookup.stream_name(r.stream)
        );
        history.report(at, AnomalyKind::ReadAboveHw, r.stream, vec![r.record], detail);
    }
}
