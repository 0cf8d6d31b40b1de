//! Things a scenario or a user can do to the cluster, how each reads in the timeline, and
//! what each does: crashes and restarts of brokers and clients, transaction calls, pauses.
use serde::{Deserialize, Serialize};

use super::{broker_node, Timer, World};
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::Acks;
use crate::kafka::notes::Note;
use crate::kafka::settings::ConfigTarget;
use crate::kafka::types::BrokerId;
use crate::kernel::Ctx;

/// Things a scenario or a user can do to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KafkaAction {
    Produce {
        producer: u32,
        topic: u32,
        key: Option<String>,
        count: u32,
        partition: Option<u32>,
    },
    /// The broker process dies; its host stays up and its disk keeps everything.
    Crash(BrokerId),
    /// The broker's host loses power: unflushed data is gone.
    PowerLoss(BrokerId),
    Restart(BrokerId),
    SetAcks {
        producer: u32,
        acks: Acks,
    },
    /// Show narration `index` of the scenario.
    Narrate(u32),
    ConsumerCrash(u32),
    ConsumerRestart(u32),
    /// A long GC pause (`gc`: everything stops) or slow processing (only the application).
    ConsumerPause {
        consumer: u32,
        ms: u64,
        gc: bool,
    },
    ConsumerResume(u32),
    ConsumerClose(u32),
    /// CreatePartitions: grow a topic to `partitions` partitions.
    AddPartitions {
        topic: u32,
        partitions: u32,
    },
    /// The application calls `subscribe()` with a new topic list.
    ConsumerSubscribe {
        consumer: u32,
        topics: Vec<u32>,
    },
    /// A transactional producer's application calls beginTransaction().
    BeginTransaction(u32),
    CommitTransaction(u32),
    AbortTransaction(u32),
    /// A producer's process dies (everything in memory is gone) / starts again.
    ProducerCrash(u32),
    ProducerRestart(u32),
    /// Change one setting from now on (`value` is JSON, checked as in a scenario file).
    SetConfig {
        target: crate::kafka::settings::ConfigTarget,
        key: String,
        value: String,
    },
}

impl KafkaAction {
    /// How the action reads in the timeline.
    pub(super) fn label(&self) -> String {
        match self {
            KafkaAction::Produce { producer, key, count, .. } => {
                format!(
                    "producer {producer} sends {count} record(s){}",
                    key.as_ref().map(|k| format!(" key={k}")).unwrap_or_default()
                )
            }
            KafkaAction::Crash(b) => format!("crash broker {}", b.0),
            KafkaAction::PowerLoss(b) => format!("power loss on broker {}", b.0),
            KafkaAction::Restart(b) => format!("restart broker {}", b.0),
            KafkaAction::SetAcks { producer, acks } => format!("producer {producer} acks={}", acks.as_str()),
            KafkaAction::Narrate(i) => format!("narration {i}"),
            KafkaAction::ConsumerCrash(c) => format!("crash consumer {c}"),
            KafkaAction::ConsumerRestart(c) => format!("restart consumer {c}"),
            KafkaAction::ConsumerPause { consumer, ms, gc } => {
                format!(
                    "consumer {consumer} {} for {ms} ms",
                    if *gc { "freezes (GC pause)" } else { "processes slowly" }
                )
            }
            KafkaAction::ConsumerResume(c) => format!("resume consumer {c}"),
            KafkaAction::ConsumerClose(c) => format!("close consumer {c}"),
            KafkaAction::AddPartitions { topic, partitions } => {
                format!("topic {topic} grows to {partitions} partitions")
            }
            KafkaAction::ConsumerSubscribe { consumer, topics } => {
                format!("consumer {consumer} subscribes to {topics:?}")
            }
            KafkaAction::BeginTransaction(p) => format!("producer {p} beginTransaction()"),
            KafkaAction::CommitTransaction(p) => format!("producer {p} commitTransaction()"),
            KafkaAction::AbortTransaction(p) => format!("producer {p} abortTransaction()"),
            KafkaAction::ProducerCrash(p) => format!("crash producer {p}"),
            KafkaAction::ProducerRestart(p) => format!("restart producer {p}"),
            KafkaAction::SetConfig { target, key, value } => {
                let who = match target {
                    ConfigTarget::Brokers => "brokers".to_string(),
                    ConfigTarget::Topic(t) => format!("topic {t}"),
                    ConfigTarget::Producer(p) => format!("producer {p}"),
                    ConfigTarget::Consumer(c) => format!("consumer {c}"),
                    ConfigTarget::Reader(r) => format!("reader {r}"),
                };
                format!("{who}: {key}={value}")
            }
        }
    }
}

impl World {
    /// A transactional producer's application calls beginTransaction(), commitTransaction()
    /// or abortTransaction().
    pub(super) fn transaction_call(&mut self, ctx: &mut Ctx<World>, p: u32, op: TxnOp) {
        let producer = &mut self.producers[p as usize];
        if producer.running && producer.txn.is_some() {
            producer.txn_call_in_order(ctx, op);
        }
    }

    /// The producer's process dies: a fresh producer (with the scenario's settings) waits,
    /// down, for its restart.
    pub(super) fn crash_producer(&mut self, ctx: &mut Ctx<World>, p: u32) {
        let producer = &mut self.producers[p as usize];
        if producer.running {
            let mut fresh = producer.restarted();
            fresh.config = self.spec.producers[p as usize].config.clone();
            fresh.running = false;
            *producer = fresh;
            ctx.node_down(producer.node);
            ctx.note(Note::ProducerCrashed { producer: p });
        }
    }

    pub(super) fn restart_producer(&mut self, ctx: &mut Ctx<World>, p: u32) {
        let producer = &mut self.producers[p as usize];
        if !producer.running {
            producer.running = true;
            ctx.node_up(producer.node);
            ctx.note(Note::ProducerRestarted { producer: p });
        }
    }

    /// The broker's process dies (its connections close) or its host loses power (silence,
    /// and unflushed data is gone).
    pub(super) fn crash_broker(&mut self, ctx: &mut Ctx<World>, b: BrokerId, power_loss: bool) {
        let broker = &mut self.brokers[(b.0 - 1) as usize];
        if broker.is_running() {
            broker.crash(power_loss);
            ctx.node_down(broker_node(b));
            ctx.note(Note::BrokerCrashed { broker: b, power_loss });
            if self.controller.active == Some(b) {
                // The raft leader is gone: a restarted node starts as a follower, and the
                // quorum elects a leader in a new epoch (KRaft), even if it is this one again.
                self.controller.active = None;
            }
            if !power_loss {
                self.connections_closed(ctx, b);
            }
        }
    }

    pub(super) fn restart_broker(&mut self, ctx: &mut Ctx<World>, b: BrokerId) {
        let broker = &mut self.brokers[(b.0 - 1) as usize];
        if !broker.is_running() {
            let lost = broker.recover(ctx);
            ctx.node_up(broker_node(b));
            ctx.note(Note::BrokerRestarted { broker: b, lost_unflushed: lost });
            self.start_broker_tasks(ctx, b);
            ctx.set_timer(broker_node(b), 0, Timer::Register);
        }
    }

    pub(super) fn crash_consumer(&mut self, ctx: &mut Ctx<World>, c: u32) {
        let consumer = &mut self.consumers[c as usize];
        if consumer.is_running() {
            consumer.crash(ctx);
            ctx.node_down(consumer.node);
            // Its producer dies with the process.
            if let Some(p) = consumer.producer.as_mut() {
                **p = p.restarted();
            }
        }
    }

    pub(super) fn restart_consumer(&mut self, ctx: &mut Ctx<World>, c: u32) {
        let consumer = &mut self.consumers[c as usize];
        if !consumer.is_running() {
            ctx.node_up(consumer.node);
            // A new process: a pipeline's producer starts afresh too (after a close
            // or a fatal error as after a crash).
            if let Some(p) = consumer.producer.as_mut() {
                **p = p.restarted();
            }
            consumer.restart(ctx);
        }
    }
}
