//! State changes recorded in the trace. The checker reads these; the UI's event log and
//! timeline markers are built from them.
use serde::Serialize;

use super::types::{BrokerId, ErrorCode, RecordId, Tp};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "note")]
pub enum Note {
    /// A producer accepted a record from the application.
    RecordSent { record: RecordId, producer: u32, tp: Tp },
    /// The producer got an acknowledgement: the record is at `offset` (acks=1/all).
    RecordAcked { record: RecordId, tp: Tp, offset: u64 },
    /// acks=0: the record left the producer; nothing will ever confirm it.
    RecordSentNoAck { record: RecordId, tp: Tp },
    /// The producer gave up on a record.
    RecordFailed { record: RecordId, tp: Tp, error: ErrorCode },
    /// A produce attempt came back with an error (it may be retried).
    ProduceError { producer: u32, tp: Tp, error: ErrorCode, retrying: bool },
    /// Records appended to a replica's log from `first_offset`.
    Appended { broker: BrokerId, tp: Tp, first_offset: u64, count: u32, as_leader: bool },
    /// An idempotent producer's retry was recognised: acknowledged, not appended again.
    DuplicateBatchIgnored { broker: BrokerId, tp: Tp, producer_id: i64 },
    /// A replica removed the records at and above `offset`.
    Truncated { broker: BrokerId, tp: Tp, offset: u64, removed: Vec<RecordId> },
    HighWatermark { broker: BrokerId, tp: Tp, high_watermark: u64 },
    /// The controller changed a partition's leader (None: offline).
    LeaderElected { tp: Tp, leader: Option<BrokerId>, leader_epoch: u32, isr: Vec<BrokerId>, unclean: bool },
    IsrChanged { tp: Tp, isr: Vec<BrokerId>, partition_epoch: u32 },
    BecameLeader { broker: BrokerId, tp: Tp, leader_epoch: u32 },
    BecameFollower { broker: BrokerId, tp: Tp, leader: Option<BrokerId>, leader_epoch: u32 },
    BrokerFenced { broker: BrokerId },
    BrokerUnfenced { broker: BrokerId },
    BrokerCrashed { broker: BrokerId, power_loss: bool },
    BrokerRestarted { broker: BrokerId, lost_unflushed: u64 },
    ControllerElected { broker: BrokerId, epoch: u32 },
    /// A reader got a record.
    Read { reader: u32, tp: Tp, offset: u64, record: RecordId, high_watermark: u64 },
    /// A reader learned a partition's high watermark from a fetch response.
    ReaderHighWatermark { reader: u32, tp: Tp, high_watermark: u64 },
    /// A scenario's narration for this moment.
    Narration { index: u32 },
}
