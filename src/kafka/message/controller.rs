//! What brokers and the KRaft controller tell each other (registration, heartbeats,
//! AlterPartition, LeaderAndIsr), and the partition state clients learn from Metadata.
use super::tp_str;
use crate::kafka::types::{BrokerId, Tp};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionState {
    pub tp: Tp,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub partition_epoch: u32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
}

pub(super) fn alter_partition_summary(state: &PartitionState) -> String {
    format!("{} isr={:?}", tp_str(&state.tp), state.isr.iter().map(|b| b.0).collect::<Vec<_>>())
}

pub(super) fn leader_and_isr_summary(partitions: &[PartitionState]) -> String {
    partitions
        .iter()
        .map(|p| {
            format!(
                "{} leader={} epoch={} isr={:?}",
                tp_str(&p.tp),
                p.leader.map(|b| b.0.to_string()).unwrap_or_else(|| "none".into()),
                p.leader_epoch,
                p.isr.iter().map(|b| b.0).collect::<Vec<_>>()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
