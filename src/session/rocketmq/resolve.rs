//! The RocketMQ model's resolver: a [`Command`] becomes a kernel action on the RocketMQ
//! world, or a [`CommandError`] naming the field. Brokers are numbered 1.. in the order of
//! the scenario's groups (master, then slaves) and named `<brokerName>-<brokerId>`.
use crate::kernel::sim::Action;
use crate::kernel::NodeId;
use crate::rocketmq::world::Spec;
use crate::rocketmq::{RocketMqAction, SendMode};
use crate::session::command::{Command, CommandError, MAX_PAUSE_MS, MAX_PRODUCE_COUNT};
use crate::session::network::{self, NodeLookup};

type Resolved = Result<Action<RocketMqAction>, CommandError>;

/// Message kinds a `drop_next` may name (`MessageInfo::kind` of the RocketMQ model).
pub const KNOWN_MESSAGE_KINDS: &[&str] = &[
    "SendMessage",
    "SendMessageResponse",
    "PullMessage",
    "PullMessageResponse",
    "RegisterBroker",
    "RegisterBrokerResponse",
    "GetRouteInfoByTopic",
    "GetRouteInfoByTopicResponse",
    "HaTransfer",
    "HaReport",
    "UpdateConsumerOffset",
    "QueryConsumerOffset",
    "QueryConsumerOffsetResponse",
    "GetMaxOffset",
    "GetMaxOffsetResponse",
    "GetAllConsumerOffset",
    "GetAllConsumerOffsetResponse",
    "HeartBeat",
    "GetConsumerListByGroup",
    "GetConsumerListByGroupResponse",
    "NotifyConsumerIdsChanged",
];

/// Broker `b`'s name: `broker-a-0` is broker-a's master.
pub fn broker_name(spec: &Spec, b: usize) -> String {
    spec.node_name(spec.broker_node(b))
}

/// A node's key in commands and views: a broker's name, `namesrv-<i>`, or a client's
/// name (the model's display names, which are unique).
pub fn node_key(spec: &Spec, node: NodeId) -> String {
    spec.node_name(node)
}

/// The network node of a key.
pub fn node_of(spec: &Spec, name: &str) -> Option<NodeId> {
    (0..spec.node_count()).map(NodeId).find(|n| node_key(spec, *n) == name)
}

struct Names<'a> {
    spec: &'a Spec,
}

fn err<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::new(field, message))
}

impl NodeLookup for Names<'_> {
    fn node(&self, name: &str, field: &str) -> Result<NodeId, CommandError> {
        node_of(self.spec, name).ok_or_else(|| {
            let brokers: Vec<String> = (0..self.spec.brokers.len()).map(|b| broker_name(self.spec, b)).collect();
            let m =
                format!("unknown node \"{name}\" (brokers are {}, namesrv-0, or a client name)", brokers.join(", "));
            CommandError::new(field, m)
        })
    }
    fn message_kinds(&self) -> &'static [&'static str] {
        KNOWN_MESSAGE_KINDS
    }
}

impl Names<'_> {
    fn broker(&self, b: u32, field: &str) -> Result<u32, CommandError> {
        let n = self.spec.brokers.len() as u32;
        if b >= 1 && b <= n {
            Ok(b - 1)
        } else {
            err(field, format!("no broker {b} (brokers are 1..={n})"))
        }
    }
    fn producer(&self, name: &str) -> Result<u32, CommandError> {
        match self.spec.producers.iter().position(|p| p.name == name) {
            Some(i) => Ok(i as u32),
            None => err("producer", format!("unknown producer \"{name}\"")),
        }
    }
    fn consumer(&self, name: &str) -> Result<u32, CommandError> {
        match self.spec.consumers.iter().position(|c| c.name == name) {
            Some(i) => Ok(i as u32),
            None => err("consumer", format!("unknown consumer \"{name}\"")),
        }
    }
    fn topic(&self, name: &str) -> Result<u32, CommandError> {
        match self.spec.topics.iter().position(|t| t.name == name) {
            Some(i) => Ok(i as u32),
            None => err("topic", format!("unknown topic \"{name}\"")),
        }
    }

    fn send(&self, producer: &str, topic: &str, count: u32, mode: &str) -> Result<RocketMqAction, CommandError> {
        let producer = self.producer(producer)?;
        let topic = self.topic(topic)?;
        if count == 0 || count > MAX_PRODUCE_COUNT {
            return err("count", format!("must be between 1 and {MAX_PRODUCE_COUNT}"));
        }
        let mode = match mode {
            "sync" => SendMode::Sync,
            "async" => SendMode::Async,
            "oneway" => SendMode::Oneway,
            other => return err("mode", format!("unknown send mode \"{other}\" (sync, async or oneway)")),
        };
        Ok(RocketMqAction::Send { producer, topic, count, mode })
    }
}

/// The kernel action of `command` on a cluster described by `spec`. A `Narrate` resolves
/// to narration 0: the caller, who owns the texts, sets the index.
pub fn resolve(spec: &Spec, command: &Command) -> Resolved {
    let r = Names { spec };
    let model = |a: RocketMqAction| Ok(Action::Model(a));
    match command {
        Command::Crash(b) => model(RocketMqAction::BrokerCrash(r.broker(*b, "broker")?)),
        Command::PowerLoss(b) => model(RocketMqAction::BrokerPowerLoss(r.broker(*b, "broker")?)),
        Command::Restart(b) => model(RocketMqAction::BrokerRestart(r.broker(*b, "broker")?)),
        Command::DiskStall { broker, ms } => {
            if *ms == 0 || *ms > MAX_PAUSE_MS {
                return err("ms", format!("must be between 1 and {MAX_PAUSE_MS}"));
            }
            model(RocketMqAction::DiskStall { broker: r.broker(*broker, "broker")?, ms: *ms })
        }
        Command::Send { producer, topic, count, mode } => model(r.send(producer, topic, *count, mode)?),
        Command::ConsumerCrash(c) => model(RocketMqAction::ConsumerCrash(r.consumer(c)?)),
        Command::ConsumerRestart(c) => model(RocketMqAction::ConsumerRestart(r.consumer(c)?)),
        Command::ConsumerFail { consumer, batches } => {
            if *batches == 0 || *batches > 1_000 {
                return err("batches", "must be between 1 and 1000");
            }
            model(RocketMqAction::ConsumerFailNext { consumer: r.consumer(consumer)?, batches: *batches })
        }
        Command::Narrate(_) => model(RocketMqAction::Narrate(0)),
        Command::Isolate(_)
        | Command::Cut(..)
        | Command::CutOneWay(..)
        | Command::Heal(..)
        | Command::HealAll
        | Command::Partition(_)
        | Command::Slow(..)
        | Command::Drop(_)
        | Command::DropNext { .. } => network::resolve(&r, command).map(Action::Net),
        other => err("", format!("\"{}\" is a Kafka action, and this is a RocketMQ cluster", other.to_token())),
    }
}
