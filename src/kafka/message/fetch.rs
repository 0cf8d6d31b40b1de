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

/// Kafka's `FetchMetadata.INITIAL_EPOCH`: a full fetch that opens a session (KIP-227).
pub const INITIAL_SESSION_EPOCH: i32 = 0;
/// Kafka's `FetchMetadata.FINAL_EPOCH`: a full fetch with no session (consumers here).
pub const FINAL_SESSION_EPOCH: i32 = -1;

impl FetchPartitionResponse {
    /// Whether this answer must go out now rather than wait: records, an error or a
    /// divergence (a fetch with none of them may be parked; a session answers the rest
    /// only when something changed).
    pub fn is_busy(&self) -> bool {
        self.error != ErrorCode::None || self.diverging_epoch.is_some() || !self.records.is_empty()
    }
}

/// `replica` is the fetching broker for follower fetches, None for consumers.
///
/// Fetch sessions (KIP-227): a follower's first fetch to a leader is a full one (every
/// partition, `session_epoch` 0) and the leader answers with a `session_id`. Later fetches
/// in the session (epoch 1, 2, ...) list only the partitions whose fetch position changed
/// and the ones to drop (`forgotten`); the leader remembers the rest, and answers only the
/// partitions with records, a new high watermark or log start offset, or an error.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FetchRequest {
    pub correlation: u64,
    pub replica: Option<BrokerId>,
    pub max_wait_ms: u64,
    pub isolation: IsolationLevel,
    pub session_id: u32,
    pub session_epoch: i32,
    pub partitions: Vec<FetchPartition>,
    pub forgotten: Vec<Tp>,
}

impl FetchRequest {
    pub(super) fn summary(&self) -> String {
        let mut words = Vec::new();
        if let Some(b) = self.replica {
            words.push(format!("replica={}", b.0));
        }
        match (self.session_id, self.session_epoch) {
            (_, FINAL_SESSION_EPOCH) => {}
            (_, INITIAL_SESSION_EPOCH) => words.push("new session:".to_string()),
            (id, epoch) => words.push(format!("session={id} epoch={epoch}:")),
        }
        if self.partitions.is_empty() && self.forgotten.is_empty() {
            words.push("no change".to_string());
        }
        let parts: Vec<String> =
            self.partitions.iter().map(|p| format!("{}@{}", tp_str(&p.tp), p.fetch_offset)).collect();
        if !parts.is_empty() {
            words.push(parts.join(", "));
        }
        if !self.forgotten.is_empty() {
            words.push(format!("forgotten {}", tps_str(&self.forgotten)));
        }
        words.join(" ")
    }
}

pub(super) fn fetch_response_summary(
    error: ErrorCode,
    session_id: u32,
    partitions: &[FetchPartitionResponse],
) -> String {
    let mut words = Vec::new();
    if error != ErrorCode::None {
        words.push(error.name().to_string());
    }
    if session_id != 0 {
        words.push(format!("session={session_id}:"));
        if partitions.is_empty() {
            words.push("nothing new".to_string());
        }
    }
    for p in partitions {
        let mut s = format!("{} {} records={} hw={}", tp_str(&p.tp), p.error.name(), p.records.len(), p.high_watermark);
        if let Some((e, o)) = p.diverging_epoch {
            s.push_str(&format!(" diverging_epoch=({e},{o})"));
        }
        words.push(s);
    }
    words.join(" ")
}

pub(super) fn list_offsets_summary(partitions: &[Tp], latest: bool) -> String {
    format!("{} {}", if latest { "latest" } else { "earliest" }, tps_str(partitions))
}

pub(super) fn list_offsets_response_summary(offsets: &[(Tp, ErrorCode, u64)]) -> String {
    offsets.iter().map(|(tp, e, o)| format!("{} {} {o}", tp_str(tp), e.name())).collect::<Vec<_>>().join(",")
}
