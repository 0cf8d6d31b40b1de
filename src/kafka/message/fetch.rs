//! Fetch (from followers and consumers) and ListOffsets: reading a partition's log from its
//! leader.
use std::rc::Rc;

use super::{tp_str, tps_str, LogRecord};
use crate::kafka::config::IsolationLevel;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};

/// A transaction a read_committed fetch must drop: the producer's records from
/// `first_offset` until its ABORT marker (`FetchResponse.AbortedTransaction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FetchPartition {
    pub tp: Tp,
    pub fetch_offset: u64,
    /// The latest epoch in the follower's leader-epoch cache (KIP-320/KIP-595), if any.
    pub last_fetched_epoch: Option<u32>,
    pub current_leader_epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FetchPartitionResponse {
    pub tp: Tp,
    pub error: ErrorCode,
    pub high_watermark: u64,
    pub log_start_offset: u64,
    /// Set when the follower's log diverged: (epoch, end offset) to truncate to;
    /// -1 stands for Kafka's UNDEFINED.
    pub diverging_epoch: Option<(i64, i64)>,
    pub log_end_offset: u64,
    /// LSO: a read_committed fetch reads only below it.
    pub last_stable_offset: u64,
    /// read_committed only: aborted transactions overlapping the returned records.
    pub aborted_transactions: Vec<AbortedTxn>,
    pub fetch_offset: u64,
    pub records: Rc<[LogRecord]>,
}

/// `replica` is the fetching broker for follower fetches, None for consumers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FetchRequest {
    pub correlation: u64,
    pub replica: Option<BrokerId>,
    pub max_wait_ms: u64,
    pub isolation: IsolationLevel,
    pub partitions: Vec<FetchPartition>,
}

impl FetchRequest {
    pub(super) fn summary(&self) -> String {
        let who = self.replica.map(|b| format!("replica={} ", b.0)).unwrap_or_default();
        let parts: Vec<String> =
            self.partitions.iter().map(|p| format!("{}@{}", tp_str(&p.tp), p.fetch_offset)).collect();
        format!("{who}{}", parts.join(", "))
    }
}

pub(super) fn fetch_response_summary(partitions: &[FetchPartitionResponse]) -> String {
    partitions
        .iter()
        .map(|p| {
            let mut s =
                format!("{} {} records={} hw={}", tp_str(&p.tp), p.error.name(), p.records.len(), p.high_watermark);
            if let Some((e, o)) = p.diverging_epoch {
                s.push_str(&format!(" diverging_epoch=({e},{o})"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn list_offsets_summary(partitions: &[Tp], latest: bool) -> String {
    format!("{} {}", if latest { "latest" } else { "earliest" }, tps_str(partitions))
}

pub(super) fn list_offsets_response_summary(offsets: &[(Tp, ErrorCode, u64)]) -> String {
    offsets.iter().map(|(tp, e, o)| format!("{} {} {o}", tp_str(tp), e.name())).collect::<Vec<_>>().join(",")
}
