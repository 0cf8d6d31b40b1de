//! Produce and InitProducerId: what a producer sends a partition leader, and its answers.
use std::rc::Rc;

use super::tp_str;
use crate::kafka::types::{ErrorCode, RecordId, Tp};

/// A batch as the producer sends it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProduceBatch {
    pub tp: Tp,
    pub records: Vec<RecordId>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub base_sequence: i32,
    /// Part of a transaction (`isTransactional`).
    pub transactional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducePartitionResponse {
    pub tp: Tp,
    pub error: ErrorCode,
    /// Offset of the batch's first record, -1 on error.
    pub base_offset: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProduceRequest {
    pub correlation: u64,
    pub acks: i8,
    pub timeout_ms: u64,
    pub batches: Vec<ProduceBatch>,
}

impl ProduceRequest {
    pub(super) fn summary(&self) -> String {
        let parts: Vec<String> =
            self.batches.iter().map(|b| format!("{} ×{}", tp_str(&b.tp), b.records.len())).collect();
        let acks = self.acks;
        format!("acks={} {}", if acks == -1 { "all".to_string() } else { acks.to_string() }, parts.join(", "))
    }
}

pub(super) fn produce_response_summary(partitions: &[ProducePartitionResponse]) -> String {
    partitions
        .iter()
        .map(|p| format!("{} {} base_offset={}", tp_str(&p.tp), p.error.name(), p.base_offset))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn init_producer_id_summary(transactional_id: &Option<Rc<str>>) -> String {
    transactional_id.as_ref().map(|t| format!("transactional.id={t}")).unwrap_or_default()
}
