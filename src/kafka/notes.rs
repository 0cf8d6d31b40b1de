//! State changes recorded in the trace. The checker reads these; the UI's event log and
//! timeline markers are built from them.
use std::rc::Rc;

use serde::Serialize;

use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "note")]
pub enum Note {
    /// A producer accepted a record from the application; `rule` says which partitioner
    /// rule placed it ("explicit", "key (murmur2)", "sticky", "round-robin").
    RecordSent {
        record: RecordId,
        producer: u32,
        tp: Tp,
        rule: &'static str,
    },
    /// The producer got an acknowledgement: the record is at `offset` (acks=1/all).
    RecordAcked {
        record: RecordId,
        tp: Tp,
        offset: u64,
    },
    /// acks=0: the record left the producer; nothing will ever confirm it.
    RecordSentNoAck {
        record: RecordId,
        tp: Tp,
    },
    /// The producer gave up on a record.
    RecordFailed {
        record: RecordId,
        tp: Tp,
        error: ErrorCode,
    },
    /// A produce attempt came back with an error (it may be retried).
    ProduceError {
        producer: u32,
        tp: Tp,
        error: ErrorCode,
        retrying: bool,
    },
    /// Records appended to a replica's log from `first_offset`.
    Appended {
        broker: BrokerId,
        tp: Tp,
        first_offset: u64,
        count: u32,
        as_leader: bool,
    },
    /// An idempotent producer's retry was recognised: acknowledged, not appended again.
    DuplicateBatchIgnored {
        broker: BrokerId,
        tp: Tp,
        producer_id: i64,
    },
    /// A replica removed the records at and above `offset`.
    Truncated {
        broker: BrokerId,
        tp: Tp,
        offset: u64,
        removed: Vec<RecordId>,
    },
    HighWatermark {
        broker: BrokerId,
        tp: Tp,
        high_watermark: u64,
    },
    /// The controller changed a partition's leader (None: offline).
    LeaderElected {
        tp: Tp,
        leader: Option<BrokerId>,
        leader_epoch: u32,
        isr: Vec<BrokerId>,
        unclean: bool,
    },
    IsrChanged {
        tp: Tp,
        isr: Vec<BrokerId>,
        partition_epoch: u32,
    },
    BecameLeader {
        broker: BrokerId,
        tp: Tp,
        leader_epoch: u32,
    },
    BecameFollower {
        broker: BrokerId,
        tp: Tp,
        leader: Option<BrokerId>,
        leader_epoch: u32,
    },
    BrokerFenced {
        broker: BrokerId,
    },
    BrokerUnfenced {
        broker: BrokerId,
    },
    BrokerCrashed {
        broker: BrokerId,
        power_loss: bool,
    },
    BrokerRestarted {
        broker: BrokerId,
        lost_unflushed: u64,
    },
    ControllerElected {
        broker: BrokerId,
        epoch: u32,
    },
    /// A reader got a record.
    Read {
        reader: u32,
        tp: Tp,
        offset: u64,
        record: RecordId,
        high_watermark: u64,
    },
    /// A reader's position was out of range (the log was truncated below it): it moved to
    /// `to` by `auto.offset.reset` (None: `none`, it stops reading the partition).
    ReaderReset {
        reader: u32,
        tp: Tp,
        from: u64,
        to: Option<u64>,
    },
    /// A reader learned a partition's high watermark from a fetch response.
    ReaderHighWatermark {
        reader: u32,
        tp: Tp,
        high_watermark: u64,
    },
    /// A coordinator took over a group from its `__consumer_offsets` log.
    GroupLoaded {
        broker: BrokerId,
        group: Rc<str>,
        generation: i32,
        members: u32,
    },
    GroupState {
        group: Rc<str>,
        state: &'static str,
        generation: i32,
        reason: &'static str,
    },
    MemberJoined {
        group: Rc<str>,
        member: Rc<str>,
    },
    MemberRemoved {
        group: Rc<str>,
        member: Rc<str>,
        reason: &'static str,
    },
    /// The assignment of a new generation (member -> partitions).
    Assignment {
        group: Rc<str>,
        generation: i32,
        protocol: &'static str,
        assignment: Vec<(Rc<str>, Vec<Tp>)>,
    },
    /// The coordinator stored a committed offset (the next offset to read).
    OffsetCommitted {
        group: Rc<str>,
        tp: Tp,
        offset: u64,
        generation: i32,
        member: Rc<str>,
    },
    CommitRejected {
        group: Rc<str>,
        member: Rc<str>,
        generation: i32,
        error: ErrorCode,
    },
    /// A consumer's application finished processing a record.
    RecordProcessed {
        consumer: u32,
        tp: Tp,
        offset: u64,
        record: RecordId,
        generation: i32,
        incarnation: u32,
    },
    /// A consumer got its partitions for a generation (after revoking what it lost).
    ConsumerAssigned {
        consumer: u32,
        generation: i32,
        partitions: Vec<Tp>,
    },
    /// A consumer gave up partitions (eager: all of them before rejoining).
    ConsumerRevoked {
        consumer: u32,
        partitions: Vec<Tp>,
    },
    /// A consumer starts reading a partition from `offset` (committed, or reset).
    ConsumerPosition {
        consumer: u32,
        tp: Tp,
        offset: u64,
        from: &'static str,
    },
    ConsumerError {
        consumer: u32,
        error: &'static str,
        detail: String,
    },
    ConsumerCrashed {
        consumer: u32,
    },
    ConsumerRestarted {
        consumer: u32,
    },
    ConsumerPaused {
        consumer: u32,
        until: u64,
        gc: bool,
    },
    ConsumerClosed {
        consumer: u32,
    },
    /// A consumer asks to rejoin its group (the metadata or its subscription changed).
    RejoinRequested {
        consumer: u32,
        reason: &'static str,
    },
    /// An admin operation failed.
    AdminError {
        operation: &'static str,
        error: ErrorCode,
    },
    /// A partition leader wrote a transaction marker at `offset`; `records` are the
    /// application records of the transaction it ends in that partition.
    TxnMarker {
        broker: BrokerId,
        tp: Tp,
        offset: u64,
        producer_id: i64,
        producer_epoch: u16,
        commit: bool,
        records: Vec<RecordId>,
    },
    /// The transaction coordinator stored a transactional id's new state.
    TxnStateChanged {
        broker: BrokerId,
        transactional_id: Rc<str>,
        producer_id: i64,
        producer_epoch: u16,
        state: &'static str,
        partitions: Vec<Tp>,
    },
    /// The coordinator bumped the epoch to fence an older producer and abort its transaction.
    TxnFenced {
        transactional_id: Rc<str>,
        producer_epoch: u16,
        reason: &'static str,
    },
    /// A coordinator took over a transactional id from its `__transaction_state` log.
    TxnLoaded {
        broker: BrokerId,
        transactional_id: Rc<str>,
        state: &'static str,
        producer_epoch: u16,
    },
    /// A producer's application called a transaction method (`initTransactions`,
    /// `beginTransaction`, `commitTransaction`, `abortTransaction`) and what came of it.
    TxnClient {
        producer: u32,
        call: &'static str,
        outcome: &'static str,
    },
    /// An exception reached a producer's application (e.g. ProducerFencedException).
    ProducerError {
        producer: u32,
        error: &'static str,
        detail: String,
    },
    /// A setting changed from this moment on (`value` as JSON).
    ConfigChanged {
        target: String,
        key: String,
        value: String,
    },
    /// A setting change was refused; nothing changed.
    ConfigRejected {
        target: String,
        key: String,
        error: String,
    },
    ProducerCrashed {
        producer: u32,
    },
    ProducerRestarted {
        producer: u32,
    },
    /// A scenario's narration for this moment.
    Narration {
        index: u32,
    },
    /// Retention deleted a replica's oldest `segments` (`records` records): its log now
    /// starts at `log_start_offset`. Deleted by policy, not lost.
    SegmentsDeleted {
        broker: BrokerId,
        tp: Tp,
        segments: u32,
        records: u64,
        log_start_offset: u64,
    },
    /// A follower's log start offset rose to its leader's (its segments below it go at
    /// its next retention check).
    LogStartOffset {
        broker: BrokerId,
        tp: Tp,
        log_start_offset: u64,
    },
    /// A consumer's fetch position fell off the start of the log (retention deleted the
    /// records from `offset` up to `log_start_offset` before it read them).
    ConsumerOffsetOutOfRange {
        consumer: u32,
        tp: Tp,
        offset: u64,
        log_start_offset: u64,
    },
    /// An idempotent consumer's application (`sim.dedup: processed-ids`) got a record its
    /// group already processed, found its id in the processed-ids table and skipped it.
    DuplicateSkipped {
        consumer: u32,
        tp: Tp,
        offset: u64,
        record: RecordId,
    },
}
