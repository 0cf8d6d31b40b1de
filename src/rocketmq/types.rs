//! Small identifiers the RocketMQ model passes around: message queues, records, broker and
//! client indexes. Everything is a plain number so maps stay ordered and cheap to clone.

use serde::{Deserialize, Serialize};

/// Index of a message the producers sent, in `World::records` (what a checker tracks; the
/// client `msgId`/UNIQ_KEY of RocketMQ, which every retry of one send shares).
pub type RecordId = u64;

/// Index of a broker in `Spec::brokers` (a master or a slave).
pub type BrokerIndex = usize;

/// `MessageQueue`: a queue of a topic on one broker group. `topic` indexes `Spec::topics`,
/// `group` indexes `Spec::groups` (broker names, sorted as RocketMQ sorts them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mq {
    pub topic: u32,
    pub group: u32,
    pub queue_id: u32,
}

/// `MixAll.MASTER_ID`.
pub const MASTER_ID: i64 = 0;

/// A consumer group's key in the broker's offset table (`topic@group` → queueId → offset).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OffsetKey {
    pub group: String,
    pub mq: Mq,
}

/// The send mode of a producer call (`DefaultMQProducer.send` overloads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SendMode {
    /// `send(msg)`: the caller waits; retried `retryTimesWhenSendFailed` times.
    Sync,
    /// `send(msg, callback)`: retried `retryTimesWhenSendAsyncFailed` times, only after a
    /// network failure.
    Async,
    /// `sendOneway(msg)`: one attempt, the broker does not answer.
    Oneway,
}
