//! The RocketMQ model (first slice): queue allocation and the settings, under RocketMQ's own
//! names and defaults. Pure and deterministic like the Kafka model: no browser, no clock, no
//! unordered maps. What exists and what does not yet is in `docs/rocketmq.md`.
pub mod allocate;
pub mod config;
