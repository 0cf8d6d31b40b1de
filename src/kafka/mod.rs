//! The Kafka model: everything Kafka-specific lives under here.
pub mod partitioner;
pub mod assignor;
pub mod config;
pub mod log;
pub mod message;
pub mod types;
pub mod broker;
pub mod client;
pub mod controller;
pub mod consumer;
pub mod group;
pub mod notes;
pub mod producer;
pub mod reader;
pub mod txn;
pub mod txn_client;
pub mod world;
