//! The RocketMQ model: name servers, broker groups (a master, brokerId 0, and its slaves)
//! with CommitLog, ConsumeQueues, flushing, HA, long polling and consumer offsets;
//! producers and push consumers. RocketMQ's own names and defaults throughout. Pure and
//! deterministic like the Kafka model: no browser, no clock, no unordered maps. What
//! exists and what is simplified is in `docs/rocketmq.md`.
pub mod allocate;
pub mod broker;
pub mod checks;
pub mod client;
pub mod config;
pub mod invariants;
pub mod message;
pub mod namesrv;
pub mod notes;
pub mod store;
pub mod types;
pub mod world;

pub use types::{Mq, OffsetKey, RecordId, SendMode};
pub use world::{RocketMqAction, Spec, World};
