//! State changes the RocketMQ model records for the trace and a UI: what a broker stored,
//! flushed and replicated, which pulls are held (with their deadline, for a countdown),
//! what consumers consumed, and every change to an offset table.

use serde::Serialize;

use super::message::SendStatus;
use super::types::{BrokerIndex, Mq, OffsetKey, RecordId};
use crate::kernel::{NodeId, Time};

/// Why a held pull was re-run (`PullRequestHoldService`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum WakeReason {
    /// A message arrived for its queue (`NotifyMessageArrivingListener`).
    Arrival,
    /// The periodic check found a new message for it.
    Check,
    /// Its hold time ran out.
    Timeout,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    /// Show narration `index` of a scenario.
    Narration {
        index: u32,
    },
    BrokerRegistered {
        namesrv: u32,
        broker: BrokerIndex,
    },
    /// A name server dropped a broker: its channel closed, or it was silent too long.
    BrokerRemoved {
        namesrv: u32,
        broker: BrokerIndex,
        expired: bool,
    },
    /// A slave learned its master's address from a register result (None: master gone).
    MasterAddrChanged {
        broker: BrokerIndex,
        master_addr: Option<NodeId>,
    },
    RouteUpdated {
        client: NodeId,
        topic: u32,
        groups_with_master: u32,
    },
    MessageStored {
        broker: BrokerIndex,
        record: RecordId,
        mq: Mq,
        queue_offset: u64,
        phys_offset: u64,
    },
    /// A SLAVE refused a write.
    WriteRejected {
        broker: BrokerIndex,
        record: RecordId,
    },
    Flushed {
        broker: BrokerIndex,
        flushed: u64,
    },
    Replicated {
        slave: BrokerIndex,
        max_offset: u64,
    },
    HaAck {
        master: BrokerIndex,
        slave: NodeId,
        offset: u64,
    },
    /// The HA link broke (offset mismatch, or the slave is ahead of a master that lost data).
    HaBroken {
        broker: BrokerIndex,
        reason: String,
    },
    /// A producer's send finished (`Err`: every attempt failed, with the last reason).
    SendFinished {
        producer: u32,
        record: RecordId,
        status: Result<SendStatus, String>,
        mq: Option<Mq>,
    },
    SendAttemptFailed {
        producer: u32,
        record: RecordId,
        reason: String,
    },
    /// A pull found nothing and is parked in the PullRequestHoldService until `deadline`.
    PullHeld {
        broker: BrokerIndex,
        consumer: NodeId,
        mq: Mq,
        offset: u64,
        deadline: Time,
    },
    PullWoken {
        broker: BrokerIndex,
        consumer: NodeId,
        mq: Mq,
        reason: WakeReason,
    },
    PullResult {
        consumer: u32,
        from: NodeId,
        mq: Mq,
        status: String,
        count: u32,
        suggest: i64,
    },
    /// A pull got no answer (refused, broken or timed out); retried after
    /// `pullTimeDelayMillsWhenException`.
    PullFailed {
        consumer: u32,
        mq: Mq,
        to: NodeId,
    },
    /// The listener returned CONSUME_SUCCESS for a message.
    Consumed {
        consumer: u32,
        record: RecordId,
        mq: Mq,
        queue_offset: u64,
    },
    /// The listener returned RECONSUME_LATER for a batch (`retried_in`: when it runs
    /// again; None in BROADCASTING, where it is dropped).
    ConsumeFailed {
        consumer: u32,
        records: Vec<RecordId>,
        mq: Mq,
        retried_in: Option<u64>,
    },
    /// The consumer's offset store (client cache) moved.
    ClientOffset {
        consumer: u32,
        mq: Mq,
        offset: u64,
    },
    /// A broker's consumerOffset table changed (`via`: "pull", "UpdateConsumerOffset", "sync").
    OffsetCommitted {
        broker: BrokerIndex,
        key: OffsetKey,
        offset: u64,
        previous: Option<u64>,
        via: &'static str,
    },
    OffsetsPersisted {
        broker: BrokerIndex,
    },
    /// A slave copied its master's table; `regressed` lists keys whose offset went down.
    OffsetsSynced {
        slave: BrokerIndex,
        copied: u32,
        regressed: Vec<(OffsetKey, u64, u64)>,
    },
    Rebalanced {
        consumer: u32,
        topic: u32,
        queues: Vec<Mq>,
    },
    ConsumerRegistered {
        broker: BrokerIndex,
        group: String,
        client_id: String,
    },
    ConsumerUnregistered {
        broker: BrokerIndex,
        group: String,
        client_id: String,
    },
    BrokerCrashed {
        broker: BrokerIndex,
        power_loss: bool,
    },
    /// A broker restarted; `lost` are the records a power loss took from its CommitLog.
    BrokerRestarted {
        broker: BrokerIndex,
        lost: Vec<RecordId>,
    },
    ConsumerCrashed {
        consumer: u32,
    },
    ConsumerStarted {
        consumer: u32,
    },
}
