//! Test fixture for the record checks: a fake model that answers [`Lookup`] from a few
//! hand-built logs, and a runner that feeds observations to a [`History`].
use std::collections::BTreeMap;

use super::observation::{Lookup, Observation, ReadBy, RecordRef, StreamId};
use super::{Anomaly, AnomalyKind, At, History};

pub(crate) const S0: StreamId = StreamId { topic: 0, index: 0 };

/// Records by id, as a log.
pub(crate) fn log(ids: &[u64]) -> Vec<RecordRef> {
    ids.iter().map(|i| RecordRef(*i)).collect()
}

/// A fake model: per (node, stream), the node's copy of the stream; the primary of every
/// stream is node 1.
#[derive(Default)]
pub(crate) struct Fake {
    pub logs: BTreeMap<(u32, StreamId), Vec<RecordRef>>,
}

impl Lookup for Fake {
    fn stream_name(&self, s: StreamId) -> String {
        format!("orders-{}", s.index)
    }
    fn client_name(&self, who: ReadBy) -> &str {
        match who {
            ReadBy::Reader(0) => "reader",
            ReadBy::Reader(_) => "auditor",
            ReadBy::Consumer(0) => "c1",
            ReadBy::Consumer(_) => "c2",
        }
    }
    fn writer_name(&self, writer: u32) -> String {
        format!("p{writer}")
    }
    fn transaction_name(&self, transaction: i64) -> String {
        format!("producer id {transaction}")
    }
    fn record_at(&self, primary: u32, stream: StreamId, offset: u64) -> Option<RecordRef> {
        self.logs.get(&(primary, stream))?.get(offset as usize).copied()
    }
    fn held(&self, stream: StreamId, record: RecordRef, offset: Option<u64>) -> bool {
        self.logs.iter().filter(|((_, s), _)| *s == stream).any(|(_, log)| match offset {
            Some(o) => log.get(o as usize) == Some(&record),
            None => log.contains(&record),
        })
    }
    fn deliverable(&self, stream: StreamId, from: u64, to: u64, _read_committed: bool) -> Vec<RecordRef> {
        let log = self.logs.get(&(1, stream)).map(Vec::as_slice).unwrap_or(&[]);
        log.iter().skip(from as usize).take(to.saturating_sub(from) as usize).copied().collect()
    }
}

/// Feed `history` one observation per step (steps numbered from 1).
pub(crate) fn run(fake: &Fake, history: &[Observation]) -> Vec<Anomaly> {
    let mut h = History::default();
    for (i, obs) in history.iter().enumerate() {
        let step = i as u64 + 1;
        h.observe(At { step, time_ms: step * 10 }, obs, fake);
    }
    h.anomalies().cloned().collect()
}

/// The kinds reported, in order.
pub(crate) fn kinds(anomalies: &[Anomaly]) -> Vec<AnomalyKind> {
    anomalies.iter().map(|a| a.kind).collect()
}

/// A record sent to S0 and acknowledged at `offset`.
pub(crate) fn acked(record: u64, offset: u64) -> [Observation<'static>; 2] {
    let record = RecordRef(record);
    [
        Observation::Sent { record, stream: S0 },
        Observation::Acknowledged { record, stream: S0, offset, overwritten: false },
    ]
}
