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
}
