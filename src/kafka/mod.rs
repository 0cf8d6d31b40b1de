//! The Kafka model: everything Kafka-specific lives under here.
pub mod partitioner;
pub mod assignor;
