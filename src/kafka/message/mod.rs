//! Every wire message of the Kafka model, one enum. Protocol failures are data
//! (`ErrorCode`s in responses), never Rust errors.
//!
//! The payloads live by area, each with how its messages read in the trace: records as
//! logs store them (`record.rs`), Produce (`produce.rs`), Fetch and ListOffsets
//! (`fetch.rs`), the controller and metadata (`controller.rs`), the consumer group protocol
//! (`group.rs`) and transactions (`txn.rs`).
mod controller;
mod fetch;
mod group;
mod produce;
mod record;
mod txn;

use std::rc::Rc;

use crate::kafka::config::IsolationLevel;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kernel::MessageInfo;

pub use controller::{cache_partition_state, MetadataCache, MetadataOffset, PartitionState};
pub use fetch::{
    AbortedTxn, FetchPartition, FetchPartitionResponse, FetchRequest, FINAL_SESSION_EPOCH, INITIAL_SESSION_EPOCH,
};
pub use group::{
    GroupMemberMetadata, HeartbeatRequest, JoinGroupRequest, OffsetCommitPartition, OffsetCommitRequest,
    SyncGroupRequest,
};
pub use produce::{ProduceBatch, ProducePartitionResponse, ProduceRequest};
pub use record::{ControlType, InternalRecord, LogRecord, StoredMember, INTERNAL_RECORD_BIT};
pub use txn::{
    AddPartitionsToTxnRequest, EndTxnRequest, TxnMetadata, TxnOffsetCommitRequest, TxnState, WriteTxnMarkersRequest,
};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Produce(ProduceRequest),
    ProduceResponse {
        correlation: u64,
        partitions: Vec<ProducePartitionResponse>,
    },
    /// `replica` is the fetching broker for follower fetches, None for consumers.
    Fetch(FetchRequest),
    /// `error`: a session error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH);
    /// `session_id`: the fetch session the leader keeps for this fetcher (0: none).
    FetchResponse {
        correlation: u64,
        error: ErrorCode,
        session_id: u32,
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
        /// How far this broker has applied the controller's metadata, without a gap.
        metadata_offset: u64,
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
        /// With a new state: its place in the metadata log (the other brokers get the
        /// same change in a LeaderAndIsr).
        offset: Option<MetadataOffset>,
    },
    /// Metadata from the controller: the partitions whose leader or ISR changed.
    /// (KRaft brokers fetch the metadata log; this pushes the same records.)
    /// `fenced` lists the brokers fenced at that moment: not eligible for the ISR.
    LeaderAndIsr {
        controller_epoch: u32,
        partitions: Vec<PartitionState>,
        fenced: Vec<BrokerId>,
        offset: MetadataOffset,
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
    /// Not a Kafka request: the FIN a crashed broker's host sends on each connection when
    /// it closes the dead process's sockets. It travels behind what the broker sent before.
    ConnectionClosed,
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
            | Msg::LeaderAndIsr { .. }
            | Msg::ConnectionClosed => None,
        }
    }
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
            Msg::ConnectionClosed => "ConnectionClosed",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Produce(req) => req.summary(),
            Msg::ProduceResponse { partitions, .. } => produce::produce_response_summary(partitions),
            Msg::Fetch(req) => req.summary(),
            Msg::FetchResponse { error, session_id, partitions, .. } => {
                fetch::fetch_response_summary(*error, *session_id, partitions)
            }
            Msg::Metadata { .. } => "all topics".into(),
            Msg::MetadataResponse { partitions, .. } => format!("{} partitions", partitions.len()),
            Msg::InitProducerId { transactional_id, .. } => produce::init_producer_id_summary(transactional_id),
            Msg::InitProducerIdResponse { error, producer_id, producer_epoch, .. } => {
                format!("{} producer_id={producer_id} epoch={producer_epoch}", error.name())
            }
            Msg::BrokerRegistration { broker, .. } => format!("broker {}", broker.0),
            Msg::BrokerRegistrationResponse { error, broker_epoch } => {
                format!("{} broker_epoch={broker_epoch}", error.name())
            }
            Msg::BrokerHeartbeat { broker, broker_epoch, .. } => format!("broker {} epoch {broker_epoch}", broker.0),
            Msg::BrokerHeartbeatResponse { error, fenced } => format!("{} fenced={fenced}", error.name()),
            Msg::AlterPartition { state, .. } => controller::alter_partition_summary(state),
            Msg::AlterPartitionResponse { tp, error, .. } => format!("{} {}", tp_str(tp), error.name()),
            Msg::LeaderAndIsr { partitions, .. } => controller::leader_and_isr_summary(partitions),
            Msg::FindCoordinator { group, transaction, .. } => group::find_coordinator_summary(group, *transaction),
            Msg::FindCoordinatorResponse { error, coordinator, .. } => {
                group::find_coordinator_response_summary(*error, *coordinator)
            }
            Msg::JoinGroup(req) => req.summary(),
            Msg::JoinGroupResponse { error, generation, protocol, leader, member_id, members, .. } => {
                group::join_group_response_summary(*error, *generation, *protocol, leader, member_id, members.len())
            }
            Msg::SyncGroup(req) => req.summary(),
            Msg::SyncGroupResponse { error, assignment, .. } => {
                format!("{} assignment={}", error.name(), tps_str(assignment))
            }
            Msg::Heartbeat(HeartbeatRequest { member_id, generation, .. }) => {
                format!("member={member_id} generation={generation}")
            }
            Msg::LeaveGroup { member_id, .. } => format!("member={member_id}"),
            Msg::OffsetCommit(req) => req.summary(),
            Msg::OffsetFetch { partitions, .. } => tps_str(partitions),
            Msg::OffsetFetchResponse { error, offsets, .. } => group::offset_fetch_response_summary(*error, offsets),
            Msg::ListOffsets { partitions, latest, .. } => fetch::list_offsets_summary(partitions, *latest),
            Msg::ListOffsetsResponse { offsets, .. } => fetch::list_offsets_response_summary(offsets),
            Msg::AddPartitionsToTxn(req) => req.summary(),
            Msg::AddOffsetsToTxn { transactional_id, producer_epoch, group, .. } => {
                txn::add_offsets_to_txn_summary(transactional_id, *producer_epoch, group)
            }
            Msg::TxnOffsetCommit(req) => req.summary(),
            Msg::EndTxn(req) => req.summary(),
            Msg::WriteTxnMarkers(req) => req.summary(),
            Msg::WriteTxnMarkersResponse { partitions, .. } => txn::write_txn_markers_response_summary(partitions),
            Msg::ConnectionClosed => "the process died: its host closes the connection (FIN)".into(),
            Msg::HeartbeatResponse { error, .. }
            | Msg::LeaveGroupResponse { error, .. }
            | Msg::OffsetCommitResponse { error, .. }
            | Msg::AddPartitionsToTxnResponse { error, .. }
            | Msg::AddOffsetsToTxnResponse { error, .. }
            | Msg::TxnOffsetCommitResponse { error, .. }
            | Msg::EndTxnResponse { error, .. } => error.name().to_string(),
        }
    }
}

fn tp_str(tp: &Tp) -> String {
    format!("t{}-{}", tp.topic, tp.partition)
}

fn tps_str(tps: &[Tp]) -> String {
    format!("[{}]", tps.iter().map(tp_str).collect::<Vec<_>>().join(","))
}
