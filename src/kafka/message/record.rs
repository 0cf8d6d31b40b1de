//! Records as a partition's log stores them and Produce and Fetch carry them, and what the
//! records of the internal topics (`__consumer_offsets`, `__transaction_state`) say.
use std::rc::Rc;

use super::txn::TxnMetadata;
use crate::kafka::types::{RecordId, Tp};

/// What a record of an internal topic (`__consumer_offsets`) says. The group coordinator
/// writes these and rebuilds its state from them when it takes over a partition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InternalRecord {
    OffsetCommit {
        group: Rc<str>,
        tp: Tp,
        offset: u64,
        generation: i32,
        member: Rc<str>,
    },
    /// The group after a rebalance: generation, protocol, leader and each member's assignment.
    GroupMetadata {
        group: Rc<str>,
        generation: i32,
        protocol: Option<&'static str>,
        leader: Option<Rc<str>>,
        members: Vec<StoredMember>,
    },
    /// A transactional id's state, as the transaction coordinator writes it to
    /// `__transaction_state` (Kafka's `TransactionLog` value).
    TxnState(TxnMetadata),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoredMember {
    pub member_id: Rc<str>,
    pub client: crate::kernel::NodeId,
    pub group_instance_id: Option<Rc<str>>,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<&'static str>,
    pub topics: Vec<u32>,
    pub assignment: Vec<Tp>,
}

/// What a control record says (`ControlRecordType`: ABORT = 0, COMMIT = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ControlType {
    Abort,
    Commit,
}

/// Record ids with this bit set belong to internal records (the checker follows only the
/// records producers send).
pub const INTERNAL_RECORD_BIT: u64 = 1 << 63;

/// One record as stored in a log and carried by Produce and Fetch.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogRecord {
    pub id: RecordId,
    /// The leader epoch of the leader that appended it (`partitionLeaderEpoch`).
    pub leader_epoch: u32,
    /// Idempotent producer id, -1 for none.
    pub producer_id: i64,
    pub producer_epoch: u16,
    /// Sequence of the batch this record came in: first and last (inclusive).
    pub batch_first_seq: i32,
    pub batch_last_seq: i32,
    /// When the leader appended it (simulated ms).
    pub append_time: u64,
    /// Content of an internal record; None for application records (their content is
    /// known by id).
    pub payload: Option<Rc<InternalRecord>>,
    /// Written inside a transaction (the batch's `isTransactional` flag).
    pub transactional: bool,
    /// A control record (a transaction marker) and what it says; such records are never
    /// returned to applications.
    pub control: Option<ControlType>,
}
