//! The Kafka side of the checker: the adapter that turns the Kafka trace (notes, and reads
//! of the [`World`]) into the model-neutral observations the record-history checks judge
//! (`crate::checker`), and the checks only Kafka's replication makes sense of: replicas
//! that disagree below their high watermarks (`divergence`), and what a reader is told
//! about the high watermark (`nonmonotonic-hw`, `read-above-hw`).
//!
//! [`KafkaChecker`] is the checker the simulation runs. It reads through to the neutral
//! [`History`] (records, anomalies) it feeds.
use std::ops::Deref;

use crate::checker::{At, History, StreamId};
use crate::kafka::notes::Note;
use crate::kafka::types::Tp;
use crate::kafka::world::World;
use crate::kernel::{Checker, StepRecord};

mod adapter;
mod divergence;
mod nonmonotonic_hw;
mod read_above_hw;

use divergence::Divergence;
use nonmonotonic_hw::NonmonotonicHw;

impl From<Tp> for StreamId {
    fn from(tp: Tp) -> StreamId {
        StreamId { topic: tp.topic, index: tp.partition }
    }
}

impl From<StreamId> for Tp {
    fn from(s: StreamId) -> Tp {
        Tp { topic: s.topic, partition: s.index }
    }
}

#[derive(Clone, Debug, Default)]
pub struct KafkaChecker {
    history: History,
    divergence: Divergence,
    nonmonotonic_hw: NonmonotonicHw,
}

impl Deref for KafkaChecker {
    type Target = History;
    fn deref(&self) -> &History {
        &self.history
    }
}

impl Checker<World> for KafkaChecker {
    fn observe(&mut self, world: &World, step: &StepRecord, notes: &[Note]) {
        let at = At { step: step.index, time_ms: step.time };
        for note in notes {
            self.observe_note(at, world, note);
        }
    }
    fn forgotten_before(&self) -> u64 {
        self.history.records.first_index() as u64
    }
}

/// A tiny cluster to judge hand-made replica states and notes on.
#[cfg(test)]
mod testing {
    use super::KafkaChecker;
    use crate::kafka::message::LogRecord;
    use crate::kafka::notes::Note;
    use crate::kafka::types::{RecordId, Tp};
    use crate::kafka::world::World;
    use crate::kernel::{Checker, StepKind, StepRecord};
    use crate::scenario::Scenario;

    pub(super) const TP: Tp = Tp { topic: 0, partition: 0 };

    /// Three brokers, `orders` with one partition on all three, one reader.
    pub(super) fn world() -> World {
        let text = r#"{"id": "t", "title": {"en": "t"}, "duration_ms": 1000, "cluster": {"brokers": 3},
            "topics": [{"name": "orders", "partitions": 1, "replication_factor": 3}],
            "readers": [{"name": "reader", "topic": "orders"}], "timeline": []}"#;
        World::new(Scenario::from_json(text).expect("valid scenario").spec())
    }

    /// Give `broker`'s replica of `orders-0` these records, all below its HW.
    pub(super) fn replica_log(world: &mut World, broker: usize, ids: &[u64]) {
        let log = &mut world.brokers[broker - 1].replicas.get_mut(&TP).expect("hosted").log;
        let records: Vec<LogRecord> = ids
            .iter()
            .map(|i| LogRecord {
                id: RecordId(*i),
                leader_epoch: 0,
                producer_id: -1,
                producer_epoch: 0,
                batch_first_seq: 0,
                batch_last_seq: 0,
                append_time: 0,
                payload: None,
                transactional: false,
                control: None,
            })
            .collect();
        log.append(&records);
        log.advance_high_watermark(ids.len() as u64);
    }

    /// Each note at its own step (from 1); what the checker reported.
    pub(super) fn observe(world: &World, notes: &[Note]) -> KafkaChecker {
        let mut checker = KafkaChecker::default();
        for (i, note) in notes.iter().enumerate() {
            let step = StepRecord { index: i as u64 + 1, time: 0, kind: StepKind::Action { label: String::new() } };
            checker.observe(world, &step, std::slice::from_ref(note));
        }
        checker
    }
}
