//! The Kafka model: everything Kafka-specific lives under here.
//!
//! Sorted by side: `broker/` is what runs on a broker (log, replica manager, controller,
//! group and transaction coordinators), `client/` what runs in a client (producer and its
//! transaction manager, consumer, reader). `message/` is the wire between them and `world/`
//! the `Model` that routes messages and timers to both.
pub mod assignor;
pub mod broker;
pub mod checks;
pub mod client;
pub mod config;
pub mod invariants;
pub mod message;
pub mod notes;
pub mod partitioner;
pub mod settings;
pub mod types;
pub mod world;

// The flat paths these modules had before the broker/client split, kept for the
// session, checker, UI, tests and benches.
pub use broker::group_coordinator as group;
pub use broker::txn_coordinator as txn;
pub use broker::{controller, log};
pub use client::txn_manager as txn_client;
pub use client::{consumer, producer, reader};
