//! View models: plain data the UI renders. Built from engine state by [`crate::session`]
//! (the Kafka model's builders are in `session/kafka/view/`); the UI never touches engine
//! internals. Also reachable as `crate::view`.
use serde::Serialize;

use crate::lang::Lang;

/// What [`crate::session::Session::view_with`] includes. Large clusters ask for less.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Offset cells per replica strip (the tail of each log); 0 = none.
    pub cells: u32,
    /// Brokers whose replicas are listed; `None` = every broker.
    pub detail_brokers: Option<Vec<u32>>,
    /// Most in-flight messages listed (the oldest first).
    pub max_messages: usize,
    /// Language of the step description and the narration.
    pub lang: Lang,
    /// Fill `MessageView::summary` (a LeaderAndIsr of a large cluster is long: the UI
    /// leaves it out and asks [`crate::session::Session::message`] for the one a user opens).
    pub summaries: bool,
    /// List every partition in `ClusterView::partitions` (a large cluster's picture does
    /// not need them; its partition table does).
    pub partitions: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            cells: 24,
            detail_brokers: None,
            max_messages: usize::MAX,
            lang: Lang::En,
            summaries: true,
            partitions: true,
        }
    }
}

/// Everything the picture needs at one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterView {
    pub step: u64,
    pub time_ms: u64,
    pub brokers: Vec<BrokerView>,
    pub partitions: Vec<PartitionView>,
    /// Messages on the wire (at most `ViewOptions::max_messages`, oldest first).
    pub in_flight: Vec<MessageView>,
    /// How many messages are on the wire in all (`in_flight` may list fewer).
    pub in_flight_total: usize,
    pub clients: Vec<ClientView>,
    pub controller: Option<u32>,
    pub narration: Option<String>,
    /// The step the run left its lesson's script at (a hand-made action), once the cursor
    /// is there: the narration then tells what the engine did (`off_script.rs`).
    pub off_script: Option<u64>,
    pub producers: Vec<ProducerView>,
    pub readers: Vec<ReaderView>,
    pub consumers: Vec<ConsumerView>,
    pub groups: Vec<GroupView>,
    pub topics: Vec<TopicView>,
    /// Directed network cuts: (from, to) node keys ("b1", or a client name).
    pub cuts: Vec<(String, String)>,
    /// Nodes with extra latency: (node key, extra ms).
    pub slow: Vec<(String, u64)>,
    /// What the step at the cursor did (None at step 0).
    pub event: Option<StepEventView>,
    /// Messages dropped in the last few steps (newest last), so a drop can be drawn.
    pub dropped: Vec<DroppedView>,
    /// A RocketMQ run's picture (the Kafka fields above are then empty, but for the
    /// network's: in_flight, cuts, slow, event, dropped, narration).
    pub rocketmq: Option<crate::session::rocketmq_view::RocketMqView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: u32,
    /// "up", "crashed", "powered-off", "fenced"
    pub status: String,
    pub is_controller: bool,
    /// Replicas of this broker; empty when the view was built without details for it.
    pub replicas: Vec<ReplicaView>,
    /// Groups whose coordinator this broker is.
    pub coordinator_for: Vec<String>,
    /// Extra latency on everything it sends or receives (a `slow` fault), in ms.
    pub slow_ms: u64,
    /// Counts over all of its replicas (always filled, also without details).
    pub summary: BrokerSummary,
    /// Transactional ids whose transaction coordinator this broker is (it leads their
    /// `__transaction_state` partition).
    pub txn_coordinator_for: Vec<String>,
    /// Its countdowns running late (session, replica lag), for a ring on its card.
    pub timers: Vec<TimerView>,
}

/// A countdown that decides what happens next (a session, a lag limit), for a ring on the
/// card of the node it is about. Only timers running late are listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TimerView {
    /// The setting that sets its length (`broker.session.timeout.ms`, ...).
    pub config: String,
    /// What it is about when a node has several (a partition), else empty.
    pub subject: String,
    pub total_ms: u64,
    pub left_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BrokerSummary {
    pub replicas: u32,
    pub leaders: u32,
    /// Replicas outside their partition's ISR.
    pub out_of_isr: u32,
    /// Partitions it leads whose ISR is smaller than the replica set.
    pub under_replicated_led: u32,
    /// Sum of the log end offsets of its replicas (records stored).
    pub records: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReplicaView {
    pub topic: String,
    pub partition: u32,
    pub is_leader: bool,
    pub in_isr: bool,
    pub leader_epoch: u32,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    /// LSO: the first offset of the earliest transaction still open (or whose marker is not
    /// yet below the HW); the HW when there is none. read_committed reads stop here.
    pub last_stable_offset: u64,
    /// The leader-epoch runs of the log: (epoch, first offset), ascending. Records from
    /// one run's offset up to the next run's carry that epoch.
    pub epoch_runs: Vec<(u32, u64)>,
    /// Records below this offset are flushed to disk; the rest is in the page cache.
    pub flushed_offset: u64,
    /// The run is about durability (a power loss in its timeline, or flush settings): the
    /// strip marks the records still only in the page cache.
    pub show_flush: bool,
    /// A topic of Kafka's own (`__consumer_offsets`, `__transaction_state`).
    pub internal: bool,
    /// First offset of the drawn window; the same for every replica of the partition, so
    /// strips line up across brokers.
    pub window_start: u64,
    /// One past the last offset of the drawn window (max LEO of the partition's replicas,
    /// or the end of a truncation).
    pub window_end: u64,
    /// The records of this replica in `window_start..log_end_offset`.
    pub cells: Vec<CellView>,
    /// The latest truncation of this replica at or before the cursor.
    pub truncated: Option<TruncationView>,
}

/// One record of a log, as a cell of a strip.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CellView {
    pub offset: u64,
    pub epoch: u32,
    /// The record's id ("#4" in the UI); internal records have none.
    pub record: Option<u64>,
    pub key: Option<String>,
    pub producer: Option<String>,
    /// What an internal record says ("commit orders-0=5", "group billing gen 2").
    pub internal: Option<String>,
    /// A transaction marker (control record): "commit" or "abort".
    pub control: Option<&'static str>,
    /// A record written inside a transaction, as this replica's log has it: "open" (no
    /// marker yet), "committed" or "aborted".
    pub txn: Option<&'static str>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TruncationView {
    pub step: u64,
    /// The records removed, from this offset on.
    pub offset: u64,
    pub records: Vec<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PartitionView {
    pub topic: String,
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub high_watermark: u64,
    pub log_end_offset: u64,
    /// The leader's last stable offset (see [`ReplicaView::last_stable_offset`]).
    pub last_stable_offset: u64,
    pub internal: bool,
    /// Committed offset and lag (HW − committed) of each group reading this partition.
    pub groups: Vec<GroupOffsetView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupOffsetView {
    pub group: String,
    pub committed: Option<u64>,
    /// HW minus the committed offset; with nothing committed yet, HW minus the position of
    /// the member that owns the partition (where the group stands: `lag_from_position`).
    /// None when neither is known.
    pub lag: Option<u64>,
    pub lag_from_position: bool,
    /// The member the partition is assigned to, if any.
    pub member: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub internal: bool,
    pub offline: u32,
    pub under_replicated: u32,
    /// Sum of the partitions' high watermarks.
    pub records: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub from: String,
    pub to: String,
    /// Node keys of the ends ("b1", or a client name).
    pub src: String,
    pub dst: String,
    pub kind: String,
    pub summary: String,
    pub sent_at_ms: u64,
    pub deliver_at_ms: u64,
}

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepEventView {
    pub step: u64,
    pub time_ms: u64,
    /// "deliver", "drop", "timer", "action"
    pub category: String,
    /// Message kind, timer name, or the action's label.
    pub name: String,
    /// Node keys: sender and receiver of a message; `node` of a timer.
    pub src: Option<String>,
    pub dst: Option<String>,
    pub msg: Option<u64>,
    /// The whole line, as the event log shows it, in the language asked for.
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DroppedView {
    pub step: u64,
    pub msg: u64,
    pub kind: String,
    pub src: String,
    pub dst: String,
    /// "lost", "link cut", "receiver down"
    pub reason: String,
}

/// A moment worth jumping to on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marker {
    pub step: u64,
    pub time_ms: u64,
    /// "election", "isr", "fenced", "crash", "restart", "controller", "narration",
    /// "truncation", "rebalance", "partitions", "action", "anomaly", "txn-commit",
    /// "txn-abort" (a transaction marker), "producer-error"
    pub kind: &'static str,
    pub label: String,
    /// The label in Simplified Chinese (the same as `label` when there is no translation).
    pub label_zh: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClientView {
    pub name: String,
    /// "producer", "reader" or "consumer"
    pub kind: String,
    pub summary: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProducerView {
    pub name: String,
    pub acks: String,
    pub idempotent: bool,
    pub acked: u64,
    pub failed: u64,
    pub pending: u64,
    pub in_flight_requests: u64,
    /// False after a crash (until a restart).
    pub running: bool,
    pub transactional_id: Option<String>,
    /// From InitProducerId; -1 before it.
    pub producer_id: i64,
    pub producer_epoch: u16,
    /// The transaction manager's state: "UNINITIALIZED", "READY", "IN_TRANSACTION",
    /// "ABORTABLE_ERROR", "FATAL_ERROR" (transactional producers only).
    pub txn_state: Option<String>,
    /// The error behind ABORTABLE_ERROR or FATAL_ERROR ("PRODUCER_FENCED", ...).
    pub txn_error: Option<String>,
    /// The blocking call in progress ("commitTransaction()", ...).
    pub txn_call: Option<String>,
    /// Partitions the coordinator has in the current transaction ("payments-0").
    pub txn_partitions: Vec<String>,
    /// The broker the producer uses as its transaction coordinator.
    pub txn_coordinator: Option<u32>,
    /// The state the coordinator stored for the transactional id ("Ongoing",
    /// "PrepareCommit", "CompleteCommit", ...), when it is up.
    pub coordinator_state: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReaderView {
    pub name: String,
    pub topic: String,
    /// `isolation.level`: "read_uncommitted" or "read_committed".
    pub isolation: String,
    pub records_read: u64,
    /// (partition, next offset to read)
    pub positions: Vec<(u32, u64)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConsumerView {
    pub name: String,
    pub group: String,
    /// "running", "crashed", "closed", "failed", "frozen" (GC pause), "slow" (processing)
    pub status: String,
    pub member_id: String,
    pub generation: i32,
    /// "none", "joining", "syncing", "member"
    pub join_state: String,
    /// (topic, partition, position: next offset the application gets)
    pub assignment: Vec<(String, u32, u64)>,
    /// (topic, partition, committed offset this consumer last heard of)
    pub committed: Vec<(String, u32, u64)>,
    pub processed: u64,
    pub coordinator: Option<u32>,
    /// When a pause ends (GC pause or slow processing), in simulated ms.
    pub paused_until: Option<u64>,
    /// `isolation.level`: "read_uncommitted" or "read_committed".
    pub isolation: String,
    /// A consume-transform-produce application: the topic it writes its results to...
    pub output_topic: Option<String>,
    /// ...with this producer (transactional when it has a transactional id).
    pub producer: Option<ProducerView>,
    /// Its countdowns running late (session at the coordinator, max.poll.interval.ms).
    pub timers: Vec<TimerView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupView {
    pub id: String,
    /// Kafka's group state: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable",
    /// "Dead", or "Unknown" when no coordinator is reachable.
    pub state: String,
    pub generation: i32,
    pub protocol: Option<String>,
    /// Member id of the group leader.
    pub leader: Option<String>,
    pub coordinator: Option<u32>,
    pub members: Vec<MemberView>,
    /// Committed offsets: (topic, partition, offset).
    pub offsets: Vec<(String, u32, u64)>,
    /// Sum over committed partitions of HW − committed.
    pub lag: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MemberView {
    pub member_id: String,
    /// The consumer's name (client id).
    pub client: String,
    pub assignment: Vec<(String, u32)>,
}

/// A checker finding, as the anomaly panel lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AnomalyView {
    /// Jepsen's name: "lost-write", "duplicate", ...
    pub kind: String,
    /// A notice (e.g. an idle member) rather than a broken guarantee.
    pub notice: bool,
    pub step: u64,
    pub time_ms: u64,
    pub partition: String,
    pub records: Vec<u64>,
    pub detail: String,
    /// The explanation in Simplified Chinese.
    pub detail_zh: String,
}

/// One line of the event log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventLine {
    pub step: u64,
    pub time_ms: u64,
    /// "deliver", "drop", "timer", "action"
    pub category: &'static str,
    /// Node keys involved (sender/receiver, or the timer's node).
    pub nodes: Vec<String>,
    /// The step touched a state change worth seeing (an election, ISR change, ...).
    pub notable: bool,
    pub text: String,
}

/// One point of a group's consumer lag over time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LagPoint {
    pub step: u64,
    pub time_ms: u64,
    pub lag: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LagSeries {
    pub group: String,
    pub points: Vec<LagPoint>,
}
