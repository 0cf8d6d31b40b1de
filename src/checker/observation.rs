//! The model-neutral history the record checks read: what clients and primaries did to
//! records, in words that fit any replicated log (Kafka, RocketMQ), never a model's types.
//!
//! Jepsen's lesson: a checker needs the history of operations and their outcomes, not the
//! database's internals. A model's adapter turns its trace into [`Observation`]s, adds the
//! few cheap facts a check needs (is this consumer transactional, is this group
//! read_committed), and answers the rare questions whose cost only a firing rule should
//! pay through [`Lookup`] (display names; is a copy of a record still held somewhere).
//!
//! Words: a *stream* is one ordered log a topic is split into (a Kafka partition, a
//! RocketMQ message queue); a *primary* is the node that orders writes to it (Kafka's
//! leader, RocketMQ's master); a *writer* is a producer; a *reader* follows a stream on its
//! own, a *consumer* is a member of a *group* that shares streams and commits positions.
use std::rc::Rc;

use serde::Serialize;

/// A stream: a topic (by index in the model's topic list) and its number in the topic.
/// Serialized as `{"topic", "partition"}`: the form `--json` has always printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct StreamId {
    pub topic: u32,
    /// Kafka's partition number, RocketMQ's queue id.
    #[serde(rename = "partition")]
    pub index: u32,
}

/// A record, by the unique id the model gave it (ids grow in creation order, so a lower
/// id of one writer was sent earlier). Serialized as the bare number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RecordRef(pub u64);

impl RecordRef {
    /// Its place in the run's list of application records. None for the system's own
    /// records (bit 63 set: group, transaction and marker records), which are not followed.
    pub fn index(self) -> Option<usize> {
        if self.0 & (1 << 63) != 0 {
            return None;
        }
        usize::try_from(self.0).ok()
    }
}

/// A client that read a record (named only when a report needs it: records are many).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadBy {
    Reader(u32),
    Consumer(u32),
}

/// What a check may ask the model, lazily: only a rule about to fire (or a rare event)
/// pays for it. Implemented by each model's adapter (and by a fake in the unit tests).
pub trait Lookup {
    /// Display name of a stream ("orders-0").
    fn stream_name(&self, stream: StreamId) -> String;
    /// Display name of a reader or a consumer.
    fn client_name(&self, who: ReadBy) -> &str;
    /// Display name of a writer.
    fn writer_name(&self, writer: u32) -> String;
    /// How the model names a transaction in a report ("producer id 7").
    fn transaction_name(&self, transaction: i64) -> String;
    /// How the model names a primary in a report ("broker 2", "broker-a-0").
    fn primary_name(&self, primary: u32) -> String {
        format!("broker {primary}")
    }
    /// The record at `offset` of `primary`'s copy of `stream`, if it holds one there.
    fn record_at(&self, primary: u32, stream: StreamId, offset: u64) -> Option<RecordRef>;
    /// Whether any copy of `stream` (on any node that hosts it) still holds `record`: at
    /// `offset`, or anywhere in the stream when `offset` is None.
    fn held(&self, stream: StreamId, record: RecordRef, offset: Option<u64>) -> bool;
    /// The records the current primary of `stream` would hand a group at offsets
    /// `from..to` (never control records; never aborted ones when `read_committed`).
    fn deliverable(&self, stream: StreamId, from: u64, to: u64, read_committed: bool) -> Vec<RecordRef>;
}

/// One thing that happened, as the record checks see it.
#[derive(Clone, Copy, Debug)]
pub enum Observation<'a> {
    /// A writer accepted a record from the application, for `stream`.
    Sent { record: RecordRef, stream: StreamId },
    /// The writer learned the record is at `offset`. `overwritten`: the current primary
    /// already holds another record there.
    Acknowledged { record: RecordRef, stream: StreamId, offset: u64, overwritten: bool },
    /// The record left the writer with no acknowledgement to come (Kafka's acks=0): the
    /// application counts it as delivered.
    SentUnacknowledged { record: RecordRef },
    /// The writer gave up on the record. `unchecked`: the application never looks at the
    /// result (fire-and-forget), so it counts the record as written.
    SendFailed { record: RecordRef, stream: StreamId, error: &'static str, unchecked: bool },
    /// A primary wrote a record into its copy of a stream.
    Stored(Stored),
    /// A copy of a stream dropped the record at `offset` (truncated).
    Removed { stream: StreamId, offset: u64, record: RecordRef },
    /// A reader got a record.
    Read(Read),
    /// The reader's position moved to `offset` (right after its `Read`; apart so a model's
    /// own checks of a read can report in between).
    ReadAdvanced { reader: u32, stream: StreamId, offset: u64, record: RecordRef },
    /// A group member's application finished processing a record.
    Processed(Processed<'a>),
    /// A transaction ended in `stream`, committing or aborting `record` (one observation
    /// per record of the transaction in that stream).
    TransactionEnded { stream: StreamId, record: RecordRef, committed: bool, transaction: i64 },
    /// A group's committed position for a stream is now `offset` (the next to read).
    CommittedPast { group: &'a Rc<str>, stream: StreamId, offset: u64, by: &'a str },
    /// A group member starts reading a stream at `offset`: from the group's committed
    /// position, or (`from_committed` false) from a reset to the start or the end.
    PositionSet(PositionSet<'a>),
    /// A group member's position fell off the start of the stream: the primary deleted
    /// everything below `start` by retention, and the member moves on from there.
    PositionDeleted { group: &'a Rc<str>, stream: StreamId, offset: u64, start: u64 },
    /// Retention deleted `stream` below `start` on every replica that holds it.
    Expired { stream: StreamId, start: u64 },
    /// A group's new generation gave `member` `assigned` streams.
    MemberAssigned(MemberAssigned<'a>),
}

/// A primary wrote `record` at `offset` of its copy of `stream`.
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    pub primary: u32,
    pub stream: StreamId,
    pub offset: u64,
    pub record: RecordRef,
    /// The writer that sent it.
    pub writer: u32,
}

/// A reader got `record` at `offset` of `stream`.
#[derive(Clone, Copy, Debug)]
pub struct Read {
    pub reader: u32,
    pub stream: StreamId,
    pub offset: u64,
    pub record: RecordRef,
    /// The writer of the record.
    pub writer: u32,
    /// For the output of a consume-transform-produce pipeline: the input record it was made from.
    pub source: Option<RecordRef>,
}

/// A group member processed `record` at `offset` of `stream`.
#[derive(Clone, Copy, Debug)]
pub struct Processed<'a> {
    pub consumer: u32,
    pub group: &'a Rc<str>,
    pub stream: StreamId,
    pub offset: u64,
    pub record: RecordRef,
    /// The group generation the member was in.
    pub generation: i32,
    /// How many times the member's process had started (a restart after a crash is a new one).
    pub incarnation: u32,
    /// The member processes in transactions (consume-transform-produce, exactly-once).
    pub transactional: bool,
    /// The record's writer and key, if it has a key (`nonmonotonic-key` follows each).
    pub key: Option<(u32, &'a Rc<str>)>,
}

/// A group member starts reading `stream` at `offset`.
#[derive(Clone, Copy, Debug)]
pub struct PositionSet<'a> {
    pub group: &'a Rc<str>,
    pub stream: StreamId,
    pub offset: u64,
    /// From the group's committed position (else: a reset to the start or the end).
    pub from_committed: bool,
    /// The group reads committed transactional data only.
    pub read_committed: bool,
}

/// One member's share of a group generation.
#[derive(Clone, Copy, Debug)]
pub struct MemberAssigned<'a> {
    pub group: &'a str,
    pub generation: i32,
    pub member: &'a str,
    /// How many streams it got.
    pub assigned: usize,
    /// How many members the generation has.
    pub members: usize,
    /// How many streams the group's topics have.
    pub streams: u32,
}
