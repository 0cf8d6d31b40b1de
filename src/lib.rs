//! Highwater: a deterministic, in-memory Kafka-style cluster you can step through.
//!
//! Layers, from the bottom up:
//! - [`kernel`]: clock, event queue, seeded PRNG, network, faults, trace and time travel.
//!   It knows nothing about Kafka, so the RocketMQ flavour can reuse it.
//! - [`kafka`]: brokers, the KRaft-style controller, partition logs, clients.
//! - [`rocketmq`]: the RocketMQ model: name servers, broker groups, producers and push consumers
//!   on the kernel (not yet in scenarios, the session or the UI).
//! - [`checker`]: follows every record end to end and names anomalies.
//! - [`scenario`]: the JSON scenario format.
//! - [`session`]: the one façade the UI and the CLI drive (commands in, view models out),
//!   over the broker model a scenario names (`kafka` today).
//! - [`lang`]: the language of every text, the engine's and the UI's.
pub mod checker;
pub mod cli;
pub mod kafka;
pub mod kernel;
pub mod lang;
pub mod rocketmq;
pub mod scenario;
pub mod session;
#[cfg(feature = "web")]
pub mod ui;
/// The view models, at their old path.
pub use session::view;
