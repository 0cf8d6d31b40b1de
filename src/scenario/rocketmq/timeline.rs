//! A RocketMQ timeline entry (`{"at_ms": 1000, "action": "crash", "broker": "broker-a-0"}`):
//! read as written (brokers by name), turned into the one action vocabulary ([`Command`],
//! brokers numbered 1.. in file order) once the scenario's brokers are known.
use serde::{Deserialize, Serialize};

use crate::kernel::Ratio;
use crate::scenario::Text;
use crate::session::command::{Command, CommandError};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RocketMqEntry {
    pub at_ms: u64,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `sync` (default), `async` or `oneway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// A broker by name: `<brokerName>-<brokerId>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batches: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<[String; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<Ratio>,
}

/// Every action and the fields it takes (besides `at_ms` and `action`).
pub const ACTIONS: &[(&str, &[&str])] = &[
    ("send", &["producer", "topic", "count", "mode"]),
    ("crash", &["broker"]),
    ("power_loss", &["broker"]),
    ("restart", &["broker"]),
    ("disk_stall", &["broker", "ms"]),
    ("consumer_crash", &["consumer"]),
    ("consumer_restart", &["consumer"]),
    ("consumer_fail", &["consumer", "batches"]),
    ("cut", &["between"]),
    ("cut_one_way", &["from", "to"]),
    ("heal", &["between"]),
    ("isolate", &["node"]),
    ("heal_all", &[]),
    ("slow", &["node", "extra_ms"]),
    ("drop", &["probability"]),
    ("narrate", &["text"]),
];

fn req<T>(v: Option<T>, field: &str) -> Result<T, CommandError> {
    v.ok_or_else(|| CommandError::new("", format!("missing field `{field}`")))
}

impl RocketMqEntry {
    fn present(&self) -> Vec<&'static str> {
        let fields = [
            ("producer", self.producer.is_some()),
            ("topic", self.topic.is_some()),
            ("count", self.count.is_some()),
            ("mode", self.mode.is_some()),
            ("broker", self.broker.is_some()),
            ("consumer", self.consumer.is_some()),
            ("batches", self.batches.is_some()),
            ("ms", self.ms.is_some()),
            ("text", self.text.is_some()),
            ("between", self.between.is_some()),
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("node", self.node.is_some()),
            ("extra_ms", self.extra_ms.is_some()),
            ("probability", self.probability.is_some()),
        ];
        fields.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect()
    }

    /// The entry as a [`Command`]; `brokers` are the broker names in spec order.
    pub fn command(&self, brokers: &[String]) -> Result<Command, CommandError> {
        let a = self.action.as_str();
        let Some((_, takes)) = ACTIONS.iter().find(|(name, _)| *name == a) else {
            let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
            return Err(CommandError::new(
                "action",
                format!("unknown action `{a}`, expected one of {}", names.join(", ")),
            ));
        };
        if let Some(extra) = self.present().into_iter().find(|f| !takes.contains(f)) {
            let takes = takes.join(", ");
            return Err(CommandError::new(
                extra,
                format!("unknown field for action \"{a}\" (it takes: at_ms, {takes})"),
            ));
        }
        let broker = || -> Result<u32, CommandError> {
            let name = req(self.broker.clone(), "broker")?;
            match brokers.iter().position(|b| *b == name) {
                Some(i) => Ok(i as u32 + 1),
                None => Err(CommandError::new(
                    "broker",
                    format!("unknown broker \"{name}\" (brokers: {})", brokers.join(", ")),
                )),
            }
        };
        let consumer = || req(self.consumer.clone(), "consumer");
        let link = || req(self.between.clone(), "between");
        Ok(match a {
            "send" => Command::Send {
                producer: req(self.producer.clone(), "producer")?,
                topic: req(self.topic.clone(), "topic")?,
                count: self.count.unwrap_or(1),
                mode: self.mode.clone().unwrap_or_else(|| "sync".into()),
            },
            "crash" => Command::Crash(broker()?),
            "power_loss" => Command::PowerLoss(broker()?),
            "restart" => Command::Restart(broker()?),
            "disk_stall" => Command::DiskStall { broker: broker()?, ms: req(self.ms, "ms")? },
            "consumer_crash" => Command::ConsumerCrash(consumer()?),
            "consumer_restart" => Command::ConsumerRestart(consumer()?),
            "consumer_fail" => Command::ConsumerFail { consumer: consumer()?, batches: self.batches.unwrap_or(1) },
            "cut" => {
                let [x, y] = link()?;
                Command::Cut(x, y)
            }
            "cut_one_way" => Command::CutOneWay(req(self.from.clone(), "from")?, req(self.to.clone(), "to")?),
            "heal" => {
                let [x, y] = link()?;
                Command::Heal(x, y)
            }
            "isolate" => Command::Isolate(req(self.node.clone(), "node")?),
            "heal_all" => Command::HealAll,
            "slow" => Command::Slow(req(self.node.clone(), "node")?, req(self.extra_ms, "extra_ms")?),
            "drop" => Command::Drop(req(self.probability, "probability")?),
            _ => Command::Narrate(req(self.text.clone(), "text")?),
        })
    }
}
