//! The RocketMQ model: the RPC vocabulary, the notes a run records, and a broker's store
//! (CommitLog and ConsumeQueues), beside queue allocation and the settings. RocketMQ's own
//! names and defaults throughout. Pure and deterministic like the Kafka model: no browser,
//! no clock, no unordered maps. What exists is in `docs/rocketmq.md`.
pub mod allocate;
pub mod config;
pub mod message;
pub mod notes;
pub mod store;
pub mod types;

pub use types::{Mq, OffsetKey, RecordId, SendMode};
