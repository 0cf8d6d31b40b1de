//! The RocketMQ picture's view model: broker groups drawn as master and slave cards with
//! their CommitLog, ConsumeQueues, flush and replication positions, held pulls and
//! consumerOffset tables; producers; push consumers with their ProcessQueues, in-memory
//! offsets and the broker each queue is pulled from. Plain data, built by the session.
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RocketMqView {
    /// "4.9.x" or "5.x".
    pub version: String,
    pub name_servers: Vec<NameServerView>,
    pub groups: Vec<BrokerGroupView>,
    pub producers: Vec<RmqProducerView>,
    pub consumers: Vec<RmqConsumerView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NameServerView {
    pub key: String,
    pub up: bool,
    /// Brokers it has registered (their keys).
    pub brokers: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BrokerGroupView {
    /// brokerName, e.g. "broker-a".
    pub name: String,
    /// False when its master (brokerId 0) is down: the group takes no new messages.
    pub writable: bool,
    pub brokers: Vec<RmqBrokerView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RmqBrokerView {
    /// "broker-a-0".
    pub key: String,
    pub broker_id: i64,
    /// brokerRole: ASYNC_MASTER, SYNC_MASTER or SLAVE.
    pub role: String,
    /// flushDiskType: ASYNC_FLUSH or SYNC_FLUSH.
    pub flush: String,
    /// "up", "crashed" or "powered-off".
    pub status: String,
    /// CommitLog write position (getMaxOffset), in bytes.
    pub max_offset: u64,
    /// Bytes on disk (flushedWhere); below it a power loss keeps the data.
    pub flushed: u64,
    pub messages: usize,
    /// The newest CommitLog entries (at most `ViewOptions::max_log_cells`).
    pub commit_log: Vec<CommitLogEntryView>,
    pub consume_queues: Vec<ConsumeQueueView>,
    /// A master: each slave's acknowledged CommitLog offset (HA). A slave: none.
    pub slaves: Vec<(String, u64)>,
    /// A slave: its master, when it knows one.
    pub master: Option<String>,
    /// Pulls parked in the PullRequestHoldService.
    pub held: Vec<HeldPullView>,
    /// The consumerOffset table in memory, and what consumerOffset.json holds.
    pub offsets: Vec<OffsetRowView>,
    pub slow_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CommitLogEntryView {
    pub phys_offset: u64,
    pub record: u64,
    /// "TopicTest:2" (queue 2 of the group's queues of TopicTest).
    pub queue: String,
    pub queue_offset: u64,
    /// At or past the flushed position: in the page cache only.
    pub dirty: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConsumeQueueView {
    pub topic: String,
    pub queue_id: u32,
    /// The max logical offset: the offset the next message gets.
    pub max_offset: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HeldPullView {
    pub consumer: String,
    pub queue: String,
    pub offset: u64,
    /// Milliseconds until the hold runs out (brokerSuspendMaxTimeMillis / shortPollingTimeMills).
    pub remaining_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OffsetRowView {
    pub group: String,
    /// "TopicTest:0".
    pub queue: String,
    /// The table in the broker's memory (None while the broker is down: its memory is gone).
    pub offset: Option<u64>,
    /// The value in consumerOffset.json (persisted every flushConsumerOffsetInterval).
    pub persisted: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RmqProducerView {
    pub key: String,
    pub up: bool,
    /// Messages handed to it, finished (stored), failed, in flight.
    pub sent: u64,
    pub stored: u64,
    pub failed: u64,
    pub in_flight: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RmqConsumerView {
    pub key: String,
    pub group: String,
    pub up: bool,
    /// CLUSTERING or BROADCASTING.
    pub message_model: String,
    pub queues: Vec<RmqQueueView>,
    /// Messages its listener has consumed.
    pub consumed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RmqQueueView {
    /// "broker-a:TopicTest:0".
    pub queue: String,
    /// The next offset to pull (None until the offset is known).
    pub next_offset: Option<u64>,
    /// Queue offsets in the ProcessQueue (pulled, not yet consumed).
    pub process_queue: Vec<u64>,
    /// The client's offset store (what it reports to the broker).
    pub offset: Option<u64>,
    /// The broker it pulls from now (suggestWhichBrokerId): its key.
    pub pulls_from: String,
}
