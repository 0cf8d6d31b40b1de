//! Every wire message of the Kafka model, one enum. Protocol failures are data
//! (`ErrorCode`s in responses), never Rust errors.
use std::rc::Rc;

use crate::kafka::config::IsolationLevel;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kernel::MessageInfo;

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

/// What a control record says (`ControlRecordType`: ABORT = 0, COMMIT = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ControlType {
    Abort,
    Commit,
}

/// A transaction a read_committed fetch must drop: the producer's records from
/// `first_offset` until its ABORT marker (`FetchResponse.AbortedTransaction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: u64,
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

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionState {
    pub tp: Tp,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub partition_epoch: u32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
}

/// A member's entry in a JoinGroup: its subscription and, for the sticky assignors, what
/// it owns (ConsumerProtocolSubscription).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupMemberMetadata {
    pub member_id: Rc<str>,
    pub group_instance_id: Option<Rc<str>>,
    pub topics: Vec<u32>,
    pub owned: Vec<Tp>,
    pub generation: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OffsetCommitPartition {
    pub tp: Tp,
    pub offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProduceRequest {
    pub correlation: u64,
    pub acks: i8,
    pub timeout_ms: u64,
    pub batches: Vec<ProduceBatch>,
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

/// The transaction coordinator asks a partition leader to write a control record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WriteTxnMarkersRequest {
    pub correlation: u64,
    pub producer_id: i64,
    pub producer_epoch: u16,
    pub commit: bool,
    pub partitions: Vec<Tp>,
}

/// `protocols`: the member's assignors in preference order; `metadata` its subscription.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JoinGroupRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<&'static str>,
    pub metadata: GroupMemberMetadata,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyncGroupRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub assignments: Vec<(Rc<str>, Vec<Tp>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeartbeatRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OffsetCommitRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub offsets: Vec<OffsetCommitPartition>,
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

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Produce(ProduceRequest),
    ProduceResponse {
        correlation: u64,
        partitions: Vec<ProducePartitionResponse>,
    },
    /// `replica` is the fetching broker for follower fetches, None for consumers.
    Fetch(FetchRequest),
    FetchResponse {
        correlation: u64,
        partitions: Vec<FetchPartitionResponse>,
    },
    Metadata {
        correlation: u64,
    },
    MetadataResponse {
        correlation: u64,
        controller: Option<BrokerId>,
        partitions: Vec<PartitionState>,
    },
    /// With a transactional id it goes to the transaction coordinator, which bumps the
    /// epoch (fencing older producers) and aborts what the previous one left open.
    InitProducerId {
        correlation: u64,
        transactional_id: Option<Rc<str>>,
        transaction_timeout_ms: u64,
    },
    InitProducerIdResponse {
        correlation: u64,
        error: ErrorCode,
        producer_id: i64,
        producer_epoch: u16,
    },
    BrokerRegistration {
        broker: BrokerId,
        incarnation: u32,
    },
    BrokerRegistrationResponse {
        error: ErrorCode,
        broker_epoch: u64,
    },
    BrokerHeartbeat {
        broker: BrokerId,
        broker_epoch: u64,
    },
    BrokerHeartbeatResponse {
        error: ErrorCode,
        fenced: bool,
    },
    /// A leader asks the controller to change a partition's ISR.
    AlterPartition {
        broker: BrokerId,
        broker_epoch: u64,
        state: PartitionState,
    },
    AlterPartitionResponse {
        tp: Tp,
        error: ErrorCode,
        state: Option<PartitionState>,
    },
    /// Metadata from the controller: the partitions whose leader or ISR changed.
    /// (KRaft brokers fetch the metadata log; this pushes the same records.)
    /// `fenced` lists the brokers fenced at that moment: not eligible for the ISR.
    LeaderAndIsr {
        controller_epoch: u32,
        partitions: Vec<PartitionState>,
        fenced: Vec<BrokerId>,
    },
    /// Where is the coordinator of this group? (any broker answers from its metadata)
    /// `transaction`: the key is a transactional id (key type TRANSACTION), else a group.
    FindCoordinator {
        correlation: u64,
        group: Rc<str>,
        transaction: bool,
    },
    FindCoordinatorResponse {
        correlation: u64,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    },
    /// `protocols`: the member's assignors in preference order; `metadata` its subscription.
    JoinGroup(JoinGroupRequest),
    /// `members` is filled only for the leader.
    JoinGroupResponse {
        correlation: u64,
        error: ErrorCode,
        generation: i32,
        protocol: Option<&'static str>,
        leader: Rc<str>,
        member_id: Rc<str>,
        members: Vec<GroupMemberMetadata>,
    },
    SyncGroup(SyncGroupRequest),
    SyncGroupResponse {
        correlation: u64,
        error: ErrorCode,
        assignment: Vec<Tp>,
    },
    Heartbeat(HeartbeatRequest),
    HeartbeatResponse {
        correlation: u64,
        error: ErrorCode,
    },
    LeaveGroup {
        correlation: u64,
        group: Rc<str>,
        member_id: Rc<str>,
    },
    LeaveGroupResponse {
        correlation: u64,
        error: ErrorCode,
    },
    OffsetCommit(OffsetCommitRequest),
    OffsetCommitResponse {
        correlation: u64,
        error: ErrorCode,
        offsets: Vec<OffsetCommitPartition>,
    },
    OffsetFetch {
        correlation: u64,
        group: Rc<str>,
        partitions: Vec<Tp>,
    },
    /// None: no committed offset for that partition.
    OffsetFetchResponse {
        correlation: u64,
        error: ErrorCode,
        offsets: Vec<(Tp, Option<u64>)>,
    },
    /// `latest`: the log end offset (else the log start offset); the LSO for read_committed.
    ListOffsets {
        correlation: u64,
        partitions: Vec<Tp>,
        latest: bool,
        isolation: IsolationLevel,
    },
    ListOffsetsResponse {
        correlation: u64,
        offsets: Vec<(Tp, ErrorCode, u64)>,
    },
    AddPartitionsToTxn(AddPartitionsToTxnRequest),
    AddPartitionsToTxnResponse {
        correlation: u64,
        error: ErrorCode,
    },
    /// Adds the group's `__consumer_offsets` partition to the transaction.
    AddOffsetsToTxn {
        correlation: u64,
        transactional_id: Rc<str>,
        producer_id: i64,
        producer_epoch: u16,
        group: Rc<str>,
    },
    AddOffsetsToTxnResponse {
        correlation: u64,
        error: ErrorCode,
    },
    /// Offsets committed inside a transaction, sent to the group coordinator; they count
    /// only once the transaction commits. The member and generation fence zombies (KIP-447).
    TxnOffsetCommit(TxnOffsetCommitRequest),
    TxnOffsetCommitResponse {
        correlation: u64,
        error: ErrorCode,
    },
    EndTxn(EndTxnRequest),
    EndTxnResponse {
        correlation: u64,
        error: ErrorCode,
    },
    /// The transaction coordinator asks a partition leader to write a control record.
    WriteTxnMarkers(WriteTxnMarkersRequest),
    WriteTxnMarkersResponse {
        correlation: u64,
        producer_id: i64,
        partitions: Vec<(Tp, ErrorCode)>,
    },
}

impl Msg {
    /// The request's or response's correlation id, for those that have one.
    pub fn correlation(&self) -> Option<u64> {
        match self {
            Msg::Produce(ProduceRequest { correlation, .. })
            | Msg::ProduceResponse { correlation, .. }
            | Msg::Fetch(FetchRequest { correlation, .. })
            | Msg::FetchResponse { correlation, .. }
            | Msg::Metadata { correlation }
            | Msg::MetadataResponse { correlation, .. }
            | Msg::InitProducerId { correlation, .. }
            | Msg::InitProducerIdResponse { correlation, .. }
            | Msg::FindCoordinator { correlation, .. }
            | Msg::FindCoordinatorResponse { correlation, .. }
            | Msg::JoinGroup(JoinGroupRequest { correlation, .. })
            | Msg::JoinGroupResponse { correlation, .. }
            | Msg::SyncGroup(SyncGroupRequest { correlation, .. })
            | Msg::SyncGroupResponse { correlation, .. }
            | Msg::Heartbeat(HeartbeatRequest { correlation, .. })
            | Msg::HeartbeatResponse { correlation, .. }
            | Msg::LeaveGroup { correlation, .. }
            | Msg::LeaveGroupResponse { correlation, .. }
            | Msg::OffsetCommit(OffsetCommitRequest { correlation, .. })
            | Msg::OffsetCommitResponse { correlation, .. }
            | Msg::OffsetFetch { correlation, .. }
            | Msg::OffsetFetchResponse { correlation, .. }
            | Msg::ListOffsets { correlation, .. }
            | Msg::ListOffsetsResponse { correlation, .. }
            | Msg::AddPartitionsToTxn(AddPartitionsToTxnRequest { correlation, .. })
            | Msg::AddPartitionsToTxnResponse { correlation, .. }
            | Msg::AddOffsetsToTxn { correlation, .. }
            | Msg::AddOffsetsToTxnResponse { correlation, .. }
            | Msg::TxnOffsetCommit(TxnOffsetCommitRequest { correlation, .. })
            | Msg::TxnOffsetCommitResponse { correlation, .. }
            | Msg::EndTxn(EndTxnRequest { correlation, .. })
            | Msg::EndTxnResponse { correlation, .. }
            | Msg::WriteTxnMarkers(WriteTxnMarkersRequest { correlation, .. })
            | Msg::WriteTxnMarkersResponse { correlation, .. } => Some(*correlation),
            Msg::BrokerRegistration { .. }
            | Msg::BrokerRegistrationResponse { .. }
            | Msg::BrokerHeartbeat { .. }
            | Msg::BrokerHeartbeatResponse { .. }
            | Msg::AlterPartition { .. }
            | Msg::AlterPartitionResponse { .. }
            | Msg::LeaderAndIsr { .. } => None,
        }
    }
}

fn tp_str(tp: &Tp) -> String {
    format!("t{}-{}", tp.topic, tp.partition)
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Produce(ProduceRequest { .. }) => "Produce",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::Fetch(FetchRequest { replica: Some(_), .. }) => "Fetch",
            Msg::Fetch(FetchRequest { replica: None, .. }) => "Fetch",
            Msg::FetchResponse { .. } => "FetchResponse",
            Msg::Metadata { .. } => "Metadata",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::InitProducerId { .. } => "InitProducerId",
            Msg::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            Msg::BrokerRegistration { .. } => "BrokerRegistration",
            Msg::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            Msg::BrokerHeartbeat { .. } => "BrokerHeartbeat",
            Msg::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            Msg::AlterPartition { .. } => "AlterPartition",
            Msg::AlterPartitionResponse { .. } => "AlterPartitionResponse",
            Msg::LeaderAndIsr { .. } => "LeaderAndIsr",
            Msg::FindCoordinator { .. } => "FindCoordinator",
            Msg::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            Msg::JoinGroup(JoinGroupRequest { .. }) => "JoinGroup",
            Msg::JoinGroupResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroup(SyncGroupRequest { .. }) => "SyncGroup",
            Msg::SyncGroupResponse { .. } => "SyncGroupResponse",
            Msg::Heartbeat(HeartbeatRequest { .. }) => "Heartbeat",
            Msg::HeartbeatResponse { .. } => "HeartbeatResponse",
            Msg::LeaveGroup { .. } => "LeaveGroup",
            Msg::LeaveGroupResponse { .. } => "LeaveGroupResponse",
            Msg::OffsetCommit(OffsetCommitRequest { .. }) => "OffsetCommit",
            Msg::OffsetCommitResponse { .. } => "OffsetCommitResponse",
            Msg::OffsetFetch { .. } => "OffsetFetch",
            Msg::OffsetFetchResponse { .. } => "OffsetFetchResponse",
            Msg::ListOffsets { .. } => "ListOffsets",
            Msg::ListOffsetsResponse { .. } => "ListOffsetsResponse",
            Msg::AddPartitionsToTxn(AddPartitionsToTxnRequest { .. }) => "AddPartitionsToTxn",
            Msg::AddPartitionsToTxnResponse { .. } => "AddPartitionsToTxnResponse",
            Msg::AddOffsetsToTxn { .. } => "AddOffsetsToTxn",
            Msg::AddOffsetsToTxnResponse { .. } => "AddOffsetsToTxnResponse",
            Msg::TxnOffsetCommit(TxnOffsetCommitRequest { .. }) => "TxnOffsetCommit",
            Msg::TxnOffsetCommitResponse { .. } => "TxnOffsetCommitResponse",
            Msg::EndTxn(EndTxnRequest { .. }) => "EndTxn",
            Msg::EndTxnResponse { .. } => "EndTxnResponse",
            Msg::WriteTxnMarkers(WriteTxnMarkersRequest { .. }) => "WriteTxnMarkers",
            Msg::WriteTxnMarkersResponse { .. } => "WriteTxnMarkersResponse",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Produce(ProduceRequest { acks, batches, .. }) => {
                let parts: Vec<String> =
                    batches.iter().map(|b| format!("{} ×{}", tp_str(&b.tp), b.records.len())).collect();
                format!("acks={} {}", if *acks == -1 { "all".to_string() } else { acks.to_string() }, parts.join(", "))
            }
            Msg::ProduceResponse { partitions, .. } => partitions
                .iter()
                .map(|p| format!("{} {} base_offset={}", tp_str(&p.tp), p.error.name(), p.base_offset))
                .collect::<Vec<_>>()
                .join(", "),
            Msg::Fetch(FetchRequest { replica, partitions, .. }) => {
                let who = replica.map(|b| format!("replica={} ", b.0)).unwrap_or_default();
                let parts: Vec<String> =
                    partitions.iter().map(|p| format!("{}@{}", tp_str(&p.tp), p.fetch_offset)).collect();
                format!("{who}{}", parts.join(", "))
            }
            Msg::FetchResponse { partitions, .. } => partitions
                .iter()
                .map(|p| {
                    let mut s = format!(
                        "{} {} records={} hw={}",
                        tp_str(&p.tp),
                        p.error.name(),
                        p.records.len(),
                        p.high_watermark
                    );
                    if let Some((e, o)) = p.diverging_epoch {
                        s.push_str(&format!(" diverging_epoch=({e},{o})"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join(", "),
            Msg::Metadata { .. } => "all topics".into(),
            Msg::MetadataResponse { partitions, .. } => format!("{} partitions", partitions.len()),
            Msg::InitProducerId { transactional_id, .. } => {
                transactional_id.as_ref().map(|t| format!("transactional.id={t}")).unwrap_or_default()
            }
            Msg::InitProducerIdResponse { error, producer_id, producer_epoch, .. } => {
                format!("{} producer_id={producer_id} epoch={producer_epoch}", error.name())
            }
            Msg::BrokerRegistration { broker, .. } => format!("broker {}", broker.0),
            Msg::BrokerRegistrationResponse { error, broker_epoch } => {
                format!("{} broker_epoch={broker_epoch}", error.name())
            }
            Msg::BrokerHeartbeat { broker, broker_epoch } => format!("broker {} epoch {broker_epoch}", broker.0),
            Msg::BrokerHeartbeatResponse { error, fenced } => format!("{} fenced={fenced}", error.name()),
            Msg::AlterPartition { state, .. } => {
                format!("{} isr={:?}", tp_str(&state.tp), state.isr.iter().map(|b| b.0).collect::<Vec<_>>())
            }
            Msg::AlterPartitionResponse { tp, error, .. } => format!("{} {}", tp_str(tp), error.name()),
            Msg::LeaderAndIsr { partitions, .. } => partitions
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
                .join("; "),
            Msg::FindCoordinator { group, transaction, .. } => {
                format!("{} {group}", if *transaction { "transactional.id" } else { "group" })
            }
            Msg::FindCoordinatorResponse { error, coordinator, .. } => {
                format!(
                    "{} coordinator={}",
                    error.name(),
                    coordinator.map(|b| b.0.to_string()).unwrap_or_else(|| "none".into())
                )
            }
            Msg::JoinGroup(JoinGroupRequest { member_id, protocols, metadata, .. }) => format!(
                "member={} protocols={} owned={}",
                if member_id.is_empty() { "(new)" } else { member_id },
                protocols.join(","),
                tps_str(&metadata.owned)
            ),
            Msg::JoinGroupResponse { error, generation, protocol, leader, member_id, members, .. } => format!(
                "{} generation={generation} protocol={} leader={leader} member={member_id}{}",
                error.name(),
                protocol.unwrap_or("-"),
                if members.is_empty() { String::new() } else { format!(" members={}", members.len()) }
            ),
            Msg::SyncGroup(SyncGroupRequest { member_id, generation, assignments, .. }) => format!(
                "member={member_id} generation={generation}{}",
                if assignments.is_empty() { String::new() } else { format!(" assignments for {}", assignments.len()) }
            ),
            Msg::SyncGroupResponse { error, assignment, .. } => {
                format!("{} assignment={}", error.name(), tps_str(assignment))
            }
            Msg::Heartbeat(HeartbeatRequest { member_id, generation, .. }) => {
                format!("member={member_id} generation={generation}")
            }
            Msg::HeartbeatResponse { error, .. } => error.name().to_string(),
            Msg::LeaveGroup { member_id, .. } => format!("member={member_id}"),
            Msg::LeaveGroupResponse { error, .. } => error.name().to_string(),
            Msg::OffsetCommit(OffsetCommitRequest { member_id, generation, offsets, .. }) => format!(
                "member={member_id} generation={generation} {}",
                offsets.iter().map(|o| format!("{}={}", tp_str(&o.tp), o.offset)).collect::<Vec<_>>().join(",")
            ),
            Msg::OffsetCommitResponse { error, .. } => error.name().to_string(),
            Msg::OffsetFetch { partitions, .. } => tps_str(partitions),
            Msg::OffsetFetchResponse { error, offsets, .. } => format!(
                "{} {}",
                error.name(),
                offsets
                    .iter()
                    .map(|(tp, o)| format!(
                        "{}={}",
                        tp_str(tp),
                        o.map(|o| o.to_string()).unwrap_or_else(|| "none".into())
                    ))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Msg::ListOffsets { partitions, latest, .. } => {
                format!("{} {}", if *latest { "latest" } else { "earliest" }, tps_str(partitions))
            }
            Msg::AddPartitionsToTxn(AddPartitionsToTxnRequest {
                transactional_id, producer_epoch, partitions, ..
            }) => {
                format!("{transactional_id} epoch={producer_epoch} {}", tps_str(partitions))
            }
            Msg::AddOffsetsToTxn { transactional_id, producer_epoch, group, .. } => {
                format!("{transactional_id} epoch={producer_epoch} group {group}")
            }
            Msg::TxnOffsetCommit(TxnOffsetCommitRequest {
                transactional_id, member_id, generation, offsets, ..
            }) => format!(
                "{transactional_id} member={member_id} generation={generation} {}",
                offsets.iter().map(|o| format!("{}={}", tp_str(&o.tp), o.offset)).collect::<Vec<_>>().join(",")
            ),
            Msg::EndTxn(EndTxnRequest { transactional_id, producer_epoch, commit, .. }) => {
                format!("{transactional_id} epoch={producer_epoch} {}", if *commit { "COMMIT" } else { "ABORT" })
            }
            Msg::WriteTxnMarkers(WriteTxnMarkersRequest {
                producer_id, producer_epoch, commit, partitions, ..
            }) => format!(
                "{} producer_id={producer_id} epoch={producer_epoch} {}",
                if *commit { "COMMIT" } else { "ABORT" },
                tps_str(partitions)
            ),
            Msg::WriteTxnMarkersResponse { partitions, .. } => {
                partitions.iter().map(|(tp, e)| format!("{} {}", tp_str(tp), e.name())).collect::<Vec<_>>().join(",")
            }
            Msg::AddPartitionsToTxnResponse { error, .. }
            | Msg::AddOffsetsToTxnResponse { error, .. }
            | Msg::TxnOffsetCommitResponse { error, .. }
            | Msg::EndTxnResponse { error, .. } => error.name().to_string(),
            Msg::ListOffsetsResponse { offsets, .. } => offsets
                .iter()
                .map(|(tp, e, o)| format!("{} {} {o}", tp_str(tp), e.name()))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

fn tps_str(tps: &[Tp]) -> String {
    format!("[{}]", tps.iter().map(tp_str).collect::<Vec<_>>().join(","))
}
