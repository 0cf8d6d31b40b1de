//! The RocketMQ model (first slice): queue allocation, under RocketMQ's own
//! names. Pure and deterministic like the Kafka model: no browser, no clock, no
//! unordered maps. What exists and what does not yet is in `docs/rocketmq.md`.
pub mod allocate;
