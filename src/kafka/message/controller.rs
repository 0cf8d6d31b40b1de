//! What brokers and the KRaft controller tell each other (registration, heartbeats,
//! AlterPartition, LeaderAndIsr), and the partition state clients learn from Metadata.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::tp_str;
use crate::kafka::types::{BrokerId, Tp};

/// A node's copy of the partition states, shared between time-travel checkpoints: in a big
/// cluster it is most of the state (every broker and client knows every partition) and it
/// rarely changes, so a checkpoint copies one pointer and the first change after it copies
/// the map (64 brokers x 4,096 partitions: 106 MB per checkpoint before, docs/performance.md).
pub type MetadataCache = Rc<BTreeMap<Tp, PartitionState>>;

/// Store `st` unless the cache already holds exactly it: a refresh that changes nothing
/// must not copy a map that a checkpoint shares.
pub fn cache_partition_state(cache: &mut MetadataCache, st: PartitionState) {
    if cache.get(&st.tp) != Some(&st) {
        Rc::make_mut(cache).insert(st.tp, st);
    }
}

/// Where a metadata message sits in the controller's metadata log (KRaft brokers replay
/// that log; a broker's heartbeat reports how far it got, `CurrentMetadataOffset`).
/// `previous` is the offset a delta follows; `None` for the whole state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetadataOffset {
    pub previous: Option<u64>,
    pub offset: u64,
}

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
