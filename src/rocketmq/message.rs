//! Every RPC of the RocketMQ model, under RocketMQ's request names (`R/protocol/RequestCode`,
//! `ResponseCode`). Requests are structs that handlers take whole. A response carries the
//! `opaque` of its request, as RocketMQ's remoting layer does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::types::{Mq, OffsetKey, RecordId};
use crate::kernel::{MessageInfo, NodeId};

/// `R/protocol/ResponseCode` (and `RemotingSysResponseCode`) codes the model answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResponseCode {
    /// 1.
    SystemError,
    /// 2: also what a 5.x slave without `slaveReadEnable` answers a pull ("[REJECTREQUEST]").
    SystemBusy,
    /// 14: a SLAVE refuses writes.
    ServiceNotAvailable,
    /// 22: no offset stored for the group and queue.
    QueryNotFound,
}

impl ResponseCode {
    pub fn code(self) -> i32 {
        match self {
            ResponseCode::SystemError => 1,
            ResponseCode::SystemBusy => 2,
            ResponseCode::ServiceNotAvailable => 14,
            ResponseCode::QueryNotFound => 22,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ResponseCode::SystemError => "SYSTEM_ERROR",
            ResponseCode::SystemBusy => "SYSTEM_BUSY",
            ResponseCode::ServiceNotAvailable => "SERVICE_NOT_AVAILABLE",
            ResponseCode::QueryNotFound => "QUERY_NOT_FOUND",
        }
    }
    /// `DefaultMQProducer.retryResponseCodes`: a sync send tries again after these.
    pub fn producer_retries(self) -> bool {
        matches!(self, ResponseCode::SystemError | ResponseCode::SystemBusy | ResponseCode::ServiceNotAvailable)
    }
}

/// `C/producer/SendStatus`: the message is stored on the master in all four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SendStatus {
    SendOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
}

impl SendStatus {
    pub fn java_name(self) -> &'static str {
        match self {
            SendStatus::SendOk => "SEND_OK",
            SendStatus::FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
            SendStatus::FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
            SendStatus::SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
        }
    }
}

/// `C/consumer/PullStatus`, as the client maps the broker's reply (FOUND from SUCCESS,
/// NO_NEW_MSG from PULL_NOT_FOUND, NO_MATCHED_MSG from PULL_RETRY_IMMEDIATELY,
/// OFFSET_ILLEGAL from PULL_OFFSET_MOVED).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PullStatus {
    Found,
    NoNewMsg,
    NoMatchedMsg,
    OffsetIllegal,
}

impl PullStatus {
    pub fn java_name(self) -> &'static str {
        match self {
            PullStatus::Found => "FOUND",
            PullStatus::NoNewMsg => "NO_NEW_MSG",
            PullStatus::NoMatchedMsg => "NO_MATCHED_MSG",
            PullStatus::OffsetIllegal => "OFFSET_ILLEGAL",
        }
    }
}

/// One broker group in a route (`QueueData` plus the group's `BrokerData` address map).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupRoute {
    pub group: u32,
    pub read_queue_nums: u32,
    pub write_queue_nums: u32,
    /// brokerId → address, sorted by id (the Java map is a HashMap; with small ids its
    /// iteration order is the id order, which is what clients rely on in practice).
    pub addrs: Vec<(i64, NodeId)>,
}

impl GroupRoute {
    pub fn addr(&self, broker_id: i64) -> Option<NodeId> {
        self.addrs.iter().find(|(id, _)| *id == broker_id).map(|(_, n)| *n)
    }
}

/// `TopicRouteData` for one topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TopicRouteData {
    pub groups: Vec<GroupRoute>,
}

/// REGISTER_BROKER (broker → name server, every `registerNameServerPeriod`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegisterBroker {
    pub group: u32,
    pub broker_id: i64,
    /// The topics this broker holds queues of (static in this model).
    pub topics: u32,
}

/// SEND_MESSAGE (producer → master).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SendMessage {
    pub opaque: u64,
    pub record: RecordId,
    pub mq: Mq,
    /// Oneway: the broker does not answer.
    pub oneway: bool,
}

/// What a SEND_MESSAGE reply carries when the message was stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SendResult {
    pub status: SendStatus,
    pub queue_offset: u64,
    /// `offsetMsgId` is built from this physical offset.
    pub phys_offset: u64,
}

/// PULL_MESSAGE (consumer → master or slave).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PullMessage {
    pub opaque: u64,
    pub consumer_group: String,
    pub mq: Mq,
    pub queue_offset: u64,
    pub max_msg_nums: u32,
    /// `PullSysFlag` commitOffset bit.
    pub commit_offset_flag: bool,
    pub commit_offset: u64,
    /// `PullSysFlag` suspend bit (always set by the push consumer).
    pub suspend: bool,
    pub suspend_timeout_millis: u64,
}

/// A message in a pull reply.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PulledMessage {
    pub record: RecordId,
    pub queue_offset: u64,
    pub phys_offset: u64,
}

/// The reply to PULL_MESSAGE, as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PullResult {
    pub opaque: u64,
    pub mq: Mq,
    pub status: Result<PullStatus, ResponseCode>,
    pub next_begin_offset: u64,
    pub min_offset: u64,
    pub max_offset: u64,
    pub suggest_which_broker_id: i64,
    pub messages: Vec<PulledMessage>,
}

/// One CommitLog entry as HA transfers it (the bytes, in the real thing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LogEntry {
    pub phys_offset: u64,
    pub size: u64,
    pub record: RecordId,
    pub mq: Mq,
    pub queue_offset: u64,
}

impl LogEntry {
    pub fn end(&self) -> u64 {
        self.phys_offset + self.size
    }
}

/// Every message between nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Msg {
    RegisterBroker(RegisterBroker),
    /// `RegisterBrokerResult`: the group's master address (null while it is not registered).
    RegisterBrokerResponse {
        master_addr: Option<NodeId>,
    },
    GetRouteInfoByTopic {
        opaque: u64,
        topic: u32,
    },
    GetRouteInfoByTopicResponse {
        opaque: u64,
        topic: u32,
        route: Option<TopicRouteData>,
    },
    SendMessage(SendMessage),
    SendMessageResponse {
        opaque: u64,
        result: Result<SendResult, ResponseCode>,
    },
    PullMessage(PullMessage),
    PullMessageResponse(PullResult),
    /// HA: CommitLog data from `from_offset` on (master → slave).
    HaTransfer {
        from_offset: u64,
        entries: Vec<LogEntry>,
    },
    /// HA: the slave's max physical offset (its ack). `handshake` on a new connection.
    HaReport {
        max_offset: u64,
        handshake: bool,
    },
    /// Oneway (`UPDATE_CONSUMER_OFFSET`).
    UpdateConsumerOffset {
        key: OffsetKey,
        offset: u64,
    },
    QueryConsumerOffset {
        opaque: u64,
        key: OffsetKey,
    },
    QueryConsumerOffsetResponse {
        opaque: u64,
        offset: Result<u64, ResponseCode>,
    },
    GetMaxOffset {
        opaque: u64,
        mq: Mq,
    },
    GetMaxOffsetResponse {
        opaque: u64,
        offset: u64,
    },
    /// The slave's `SlaveSynchronize.syncConsumerOffset` (slave → master).
    GetAllConsumerOffset,
    GetAllConsumerOffsetResponse {
        table: BTreeMap<OffsetKey, u64>,
    },
    /// HEART_BEAT (client → every broker of its routes).
    HeartBeat {
        client_id: String,
        consumer_group: Option<String>,
    },
    GetConsumerListByGroup {
        opaque: u64,
        consumer_group: String,
    },
    GetConsumerListByGroupResponse {
        opaque: u64,
        consumer_ids: Vec<String>,
    },
    /// Oneway (broker → each consumer of the group).
    NotifyConsumerIdsChanged {
        consumer_group: String,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RegisterBroker(_) => "RegisterBroker",
            Msg::RegisterBrokerResponse { .. } => "RegisterBrokerResponse",
            Msg::GetRouteInfoByTopic { .. } => "GetRouteInfoByTopic",
            Msg::GetRouteInfoByTopicResponse { .. } => "GetRouteInfoByTopicResponse",
            Msg::SendMessage(_) => "SendMessage",
            Msg::SendMessageResponse { .. } => "SendMessageResponse",
            Msg::PullMessage(_) => "PullMessage",
            Msg::PullMessageResponse(_) => "PullMessageResponse",
            Msg::HaTransfer { .. } => "HaTransfer",
            Msg::HaReport { .. } => "HaReport",
            Msg::UpdateConsumerOffset { .. } => "UpdateConsumerOffset",
            Msg::QueryConsumerOffset { .. } => "QueryConsumerOffset",
            Msg::QueryConsumerOffsetResponse { .. } => "QueryConsumerOffsetResponse",
            Msg::GetMaxOffset { .. } => "GetMaxOffset",
            Msg::GetMaxOffsetResponse { .. } => "GetMaxOffsetResponse",
            Msg::GetAllConsumerOffset => "GetAllConsumerOffset",
            Msg::GetAllConsumerOffsetResponse { .. } => "GetAllConsumerOffsetResponse",
            Msg::HeartBeat { .. } => "HeartBeat",
            Msg::GetConsumerListByGroup { .. } => "GetConsumerListByGroup",
            Msg::GetConsumerListByGroupResponse { .. } => "GetConsumerListByGroupResponse",
            Msg::NotifyConsumerIdsChanged { .. } => "NotifyConsumerIdsChanged",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::RegisterBroker(r) => format!("group {} brokerId {} ({} topics)", r.group, r.broker_id, r.topics),
            Msg::RegisterBrokerResponse { master_addr } => format!("masterAddr {}", node_text(*master_addr)),
            Msg::GetRouteInfoByTopic { topic, .. } => format!("topic {topic}"),
            Msg::GetRouteInfoByTopicResponse { topic, route, .. } => match route {
                Some(r) => format!("topic {topic}: {} broker group(s)", r.groups.len()),
                None => format!("topic {topic}: TOPIC_NOT_EXIST"),
            },
            Msg::SendMessage(s) => format!("record {} to {}{}", s.record, mq_text(s.mq), oneway_text(s.oneway)),
            Msg::SendMessageResponse { result, .. } => match result {
                Ok(r) => {
                    format!("{} queueOffset {} physOffset {}", r.status.java_name(), r.queue_offset, r.phys_offset)
                }
                Err(c) => format!("{} ({})", c.name(), c.code()),
            },
            Msg::PullMessage(p) => format!(
                "{} from queueOffset {}{}",
                mq_text(p.mq),
                p.queue_offset,
                if p.commit_offset_flag { format!(", commitOffset {}", p.commit_offset) } else { String::new() }
            ),
            Msg::PullMessageResponse(r) => pull_result_text(r),
            Msg::HaTransfer { from_offset, entries } => {
                format!("{} message(s) from physOffset {from_offset}", entries.len())
            }
            Msg::HaReport { max_offset, handshake } => {
                format!("slave max offset {max_offset}{}", if *handshake { " (connect)" } else { "" })
            }
            Msg::UpdateConsumerOffset { key, offset } => format!("{} {}: {offset}", key.group, mq_text(key.mq)),
            Msg::QueryConsumerOffset { key, .. } => format!("{} {}", key.group, mq_text(key.mq)),
            Msg::QueryConsumerOffsetResponse { offset, .. } => match offset {
                Ok(o) => format!("offset {o}"),
                Err(c) => c.name().to_string(),
            },
            Msg::GetMaxOffset { mq, .. } => mq_text(*mq),
            Msg::GetMaxOffsetResponse { offset, .. } => format!("max offset {offset}"),
            Msg::GetAllConsumerOffset => "whole consumerOffset table".to_string(),
            Msg::GetAllConsumerOffsetResponse { table } => format!("{} offset(s)", table.len()),
            Msg::HeartBeat { client_id, consumer_group } => match consumer_group {
                Some(g) => format!("{client_id} in group {g}"),
                None => client_id.clone(),
            },
            Msg::GetConsumerListByGroup { consumer_group, .. } => consumer_group.clone(),
            Msg::GetConsumerListByGroupResponse { consumer_ids, .. } => consumer_ids.join(", "),
            Msg::NotifyConsumerIdsChanged { consumer_group } => consumer_group.clone(),
        }
    }
}

fn pull_result_text(r: &PullResult) -> String {
    match r.status {
        Ok(s) => format!(
            "{} {}: {} message(s), nextBeginOffset {}, suggestWhichBrokerId {}",
            s.java_name(),
            mq_text(r.mq),
            r.messages.len(),
            r.next_begin_offset,
            r.suggest_which_broker_id
        ),
        Err(c) => format!("{} ({}) for {}", c.name(), c.code(), mq_text(r.mq)),
    }
}

/// `topic t, group g, queue q`, short.
pub fn mq_text(mq: Mq) -> String {
    format!("queue {}:{}:{}", mq.topic, mq.group, mq.queue_id)
}

fn oneway_text(oneway: bool) -> &'static str {
    if oneway {
        " (oneway)"
    } else {
        ""
    }
}

fn node_text(n: Option<NodeId>) -> String {
    match n {
        Some(n) => format!("node {}", n.0),
        None => "null".to_string(),
    }
}
