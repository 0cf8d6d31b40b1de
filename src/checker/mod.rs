//! The checker: follows every record end to end and names what goes wrong, in Jepsen's
//! vocabulary, at the step where it became visible.
//!
//! It is in two parts. The record-history checks here judge model-neutral
//! [`Observation`]s (sent, acknowledged, stored, removed, read, processed, committed...),
//! so every broker model reuses them; they never see a model's types. Each model's adapter
//! turns its trace into observations and adds the checks only its replication makes sense
//! of (Kafka's: `crate::kafka::checks`, which also holds the `KafkaChecker` the simulation
//! runs). The checker is part of the simulation value, so time travel restores it too.
//!
//! What it reports (one file per check):
//! - `lost-write`: an acknowledged record is gone: a primary wrote another record at its
//!   offset, or the last copy holding it truncated it.
//! - `duplicate`: the same record twice in a primary's log (a retry appended it again).
//! - `nonmonotonic-send`: one writer's records appear in a stream out of send order.
//! - `divergence` (Kafka): two replicas hold different records at an offset below both their HWs.
//! - `nonmonotonic-hw` (Kafka): a reader saw a partition's high watermark go backwards.
//! - `read-above-hw` (Kafka): a reader got a record at or above the high watermark it was told.
//! - `nonmonotonic-poll`: a reader got an offset no higher than one it had already read.
//! - `duplicate-processing`: a consumer group processed a record more than once, with the
//!   cause (a rebalance, a crash before the commit, the record twice in the log).
//! - `poll-skip`: a consumer started a stream from a committed offset past records the
//!   group never processed (at-most-once loss).
//! - `nonmonotonic-key`: a group processed a record of a key after one of the same key that
//!   was sent later (the key's records spread over partitions, or reordered in one).
//! - `nonmonotonic-commit`: a group's committed offset for a stream went backwards.
//! - `aborted-read`: a reader or a consumer got a record of a transaction that aborted
//!   (Jepsen's G1a); read_committed never does, read_uncommitted may.
//! - `duplicate-output`: a reader saw two outputs of one input record of a
//!   consume-transform-produce pipeline (exactly-once broken end to end).
//! - `idle-member` (a notice, not a failure): a member got no stream in a generation.
//!
//! A transactional pipeline may process a record twice (an aborted attempt, then the
//! one that commits): exactly-once is about effects, so it is judged by its outputs
//! (`duplicate-output`), not by `duplicate-processing`.
use serde::Serialize;

mod aborted_read;
mod duplicate;
mod duplicate_output;
mod duplicate_processing;
mod forget;
pub mod history;
mod idle_member;
mod key_order;
mod lost_write;
mod nonmonotonic_commit;
mod nonmonotonic_poll;
mod nonmonotonic_send;
pub mod observation;
mod poll_skip;
#[cfg(test)]
mod testing;

pub use history::{At, History, RecordTrack};
pub use observation::{Lookup, Observation, ReadBy, RecordRef, StreamId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    LostWrite,
    Duplicate,
    NonmonotonicSend,
    Divergence,
    NonmonotonicHw,
    ReadAboveHw,
    NonmonotonicPoll,
    DuplicateProcessing,
    PollSkip,
    NonmonotonicCommit,
    AbortedRead,
    DuplicateOutput,
    IdleMember,
    NonmonotonicKey,
}

impl AnomalyKind {
    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::LostWrite => "lost-write",
            AnomalyKind::Duplicate => "duplicate",
            AnomalyKind::NonmonotonicSend => "nonmonotonic-send",
            AnomalyKind::Divergence => "divergence",
            AnomalyKind::NonmonotonicHw => "nonmonotonic-hw",
            AnomalyKind::ReadAboveHw => "read-above-hw",
            AnomalyKind::NonmonotonicPoll => "nonmonotonic-poll",
            AnomalyKind::DuplicateProcessing => "duplicate-processing",
            AnomalyKind::PollSkip => "poll-skip",
            AnomalyKind::NonmonotonicKey => "nonmonotonic-key",
            AnomalyKind::NonmonotonicCommit => "nonmonotonic-commit",
            AnomalyKind::AbortedRead => "aborted-read",
            AnomalyKind::DuplicateOutput => "duplicate-output",
            AnomalyKind::IdleMember => "idle-member",
        }
    }

    /// Notices describe a situation worth seeing (an idle consumer), not a broken guarantee:
    /// they do not make a run fail.
    pub fn is_notice(self) -> bool {
        self == AnomalyKind::IdleMember
    }

    pub fn parse(s: &str) -> Option<AnomalyKind> {
        ALL_KINDS.iter().copied().find(|k| k.name() == s)
    }
}

pub const ALL_KINDS: [AnomalyKind; 14] = [
    AnomalyKind::LostWrite,
    AnomalyKind::Duplicate,
    AnomalyKind::NonmonotonicSend,
    AnomalyKind::Divergence,
    AnomalyKind::NonmonotonicHw,
    AnomalyKind::ReadAboveHw,
    AnomalyKind::NonmonotonicPoll,
    AnomalyKind::DuplicateProcessing,
    AnomalyKind::PollSkip,
    AnomalyKind::NonmonotonicCommit,
    AnomalyKind::AbortedRead,
    AnomalyKind::DuplicateOutput,
    AnomalyKind::IdleMember,
    AnomalyKind::NonmonotonicKey,
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    /// The step at which it became visible.
    pub step: u64,
    pub time_ms: u64,
    /// Where it showed (a placeholder stream for notices about a group). Serialized as
    /// `tp`, as it always was.
    #[serde(rename = "tp")]
    pub stream: StreamId,
    pub records: Vec<RecordRef>,
    pub detail: String,
    /// The same explanation in Simplified Chinese (the app shows it in 中文 mode; the CLI
    /// and its JSON keep English only).
    #[serde(skip)]
    pub detail_zh: String,
}

/// An anomaly's explanation in English and Simplified Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub en: String,
    pub zh: String,
}

impl Detail {
    pub fn new(en: String, zh: String) -> Detail {
        Detail { en, zh }
    }
}
