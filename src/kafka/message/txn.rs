//! Transactions: a transactional producer's requests to its transaction coordinator
//! (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn), TxnOffsetCommit to the group coordinator,
//! the markers the coordinator has leaders write, and the state it keeps per transactional id.
use std::rc::Rc;

use super::group::offsets_str;
use super::{tp_str, tps_str, OffsetCommitPartition};
use crate::kafka::types::{ErrorCode, Tp};

/// The transaction coordinator's states (`TransactionState`). `PrepareEpochFence` is
/// never written: it becomes a PrepareAbort with the bumped epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

impl TxnState {
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
        }
    }
}

/// One transactional id's metadata (`TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TxnMetadata {
    pub transactional_id: Rc<str>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub timeout_ms: u64,
    pub state: TxnState,
    /// The partitions in the current transaction (sorted).
    pub partitions: Vec<Tp>,
    /// When the current transaction started (for `transaction.timeout.ms`).
    pub start_ms: u64,
}

/// The transaction coordinator asks a partition leader to write a control record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WriteTxnMarkersRequest {
    pub correlation: u64,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub commit: bool,
    pub partitions: Vec<Tp>,
}

/// Offsets committed inside a transaction, sent to the group coordinator; they count
/// only once the transaction commits. The member and generation fence zombies (KIP-447).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TxnOffsetCommitRequest {
    pub correlation: u64,
    pub transactional_id: Rc<str>,
    pub group: Rc<str>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub offsets: Vec<OffsetCommitPartition>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AddPartitionsToTxnRequest {
    pub correlation: u64,
    pub transactional_id: Rc<str>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub partitions: Vec<Tp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EndTxnRequest {
    pub correlation: u64,
    pub transactional_id: Rc<str>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub commit: bool,
}

fn outcome(commit: bool) -> &'static str {
    if commit {
        "COMMIT"
    } else {
        "ABORT"
    }
}

impl AddPartitionsToTxnRequest {
    pub(super) fn summary(&self) -> String {
        format!("{} epoch={} {}", self.transactional_id, self.producer_epoch, tps_str(&self.partitions))
    }
}

pub(super) fn add_offsets_to_txn_summary(transactional_id: &str, producer_epoch: u16, group: &str) -> String {
    format!("{transactional_id} epoch={producer_epoch} group {group}")
}

impl TxnOffsetCommitRequest {
    pub(super) fn summary(&self) -> String {
        format!(
            "{} member={} generation={} {}",
            self.transactional_id,
            self.member_id,
            self.generation,
            offsets_str(&self.offsets)
        )
    }
}

impl EndTxnRequest {
    pub(super) fn summary(&self) -> String {
        format!("{} epoch={} {}", self.transactional_id, self.producer_epoch, outcome(self.commit))
    }
}

impl WriteTxnMarkersRequest {
    pub(super) fn summary(&self) -> String {
        format!(
            "{} producer_id={} epoch={} {}",
            outcome(self.commit),
            self.producer_id,
            self.producer_epoch,
            tps_str(&self.partitions)
        )
    }
}

pub(super) fn write_txn_markers_response_summary(partitions: &[(Tp, ErrorCode)]) -> String {
    partitions.iter().map(|(tp, e)| format!("{} {}", tp_str(tp), e.name())).collect::<Vec<_>>().join(",")
}
