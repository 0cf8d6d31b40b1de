//! The one action vocabulary: what a scenario's timeline does at a time and what a user
//! does from the UI at a step are the same [`Command`]s, resolved to a model's actions by
//! one resolver per model (`session/kafka/resolve.rs`), with one set of limits and errors.
//!
//! A command names things as scenario files do ("b1".."bN" for brokers, clients and
//! topics by name). It has two written forms: the timeline's JSON object
//! (`scenario/timeline_de.rs`) and the compact URL token of share links (here):
//! `crash.1`, `cut.b1.b2`, `produce.p.orders.3.key`, ...
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::kernel::Ratio;
use crate::scenario::Text;

/// One action on a run, by name. Nodes are named as in scenario files: "b1".."bN" for
/// brokers, clients by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Crash(u32),
    PowerLoss(u32),
    Restart(u32),
    /// Cut every link of a node ("b2" or a client name).
    Isolate(String),
    /// Cut both directions between two nodes.
    Cut(String, String),
    /// Cut one direction: the first node can no longer reach the second.
    CutOneWay(String, String),
    Heal(String, String),
    HealAll,
    /// Nodes in different groups can no longer talk; nodes in no group are unaffected.
    Partition(Vec<Vec<String>>),
    /// Extra latency on everything a node sends or receives; 0 restores it.
    Slow(String, u64),
    /// The loss probability of every link.
    Drop(Ratio),
    /// Lose the next `count` messages from `from` to `to` (only of `kind`, if given).
    DropNext {
        from: String,
        to: String,
        kind: Option<String>,
        count: u32,
    },
    /// The application hands `count` records to a producer (to `partition` if given).
    Produce {
        producer: String,
        topic: String,
        key: Option<String>,
        count: u32,
        partition: Option<u32>,
    },
    /// Change a producer's `acks` ("0", "1" or "all") from this step on.
    SetAcks {
        producer: String,
        acks: String,
    },
    /// A caption shown from this step on.
    Narrate(Text),
    ConsumerCrash(String),
    ConsumerRestart(String),
    /// `gc`: a stop-the-world pause (no heartbeats); otherwise slow processing.
    ConsumerPause {
        consumer: String,
        ms: u64,
        gc: bool,
    },
    ConsumerResume(String),
    /// `close()`: commit and leave the group.
    ConsumerClose(String),
    /// `subscribe()` with a new list of topics.
    ConsumerSubscribe {
        consumer: String,
        topics: Vec<String>,
    },
    /// Grow a topic to `partitions` partitions (Kafka's CreatePartitions).
    AddPartitions {
        topic: String,
        partitions: u32,
    },
    /// A transactional producer's application calls beginTransaction().
    BeginTransaction(String),
    /// ... commitTransaction().
    CommitTransaction(String),
    /// ... abortTransaction().
    AbortTransaction(String),
    /// A producer's process dies: everything in its memory is gone.
    ProducerCrash(String),
    /// The producer's process starts again (a transactional one calls initTransactions()
    /// with its next send or transaction call).
    ProducerRestart(String),
    /// Change one setting from now on: `target` is "brokers", "topic:<name>", or a client
    /// name; `value` is any JSON value, as in the config sections.
    SetConfig {
        target: String,
        key: String,
        value: serde_json::Value,
    },
    /// RocketMQ: the application sends `count` messages in `mode` (sync, async, oneway).
    Send {
        producer: String,
        topic: String,
        count: u32,
        mode: String,
    },
    /// RocketMQ: the broker's disk takes no flush for `ms`.
    DiskStall {
        broker: u32,
        ms: u64,
    },
    /// RocketMQ: the consumer's listener returns RECONSUME_LATER for its next `batches` batches.
    ConsumerFail {
        consumer: String,
        batches: u32,
    },
}

/// Why a command cannot apply: the field it is about (a path relative to the command,
/// e.g. `between[1]`, `topics[2]`; empty for the whole command) and what is wrong. A
/// scenario file reports it as `timeline[i].FIELD: MESSAGE`, the UI as `FIELD: MESSAGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandError {
    pub field: String,
    pub message: String,
}

impl CommandError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> CommandError {
        CommandError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Most records one produce may send: the scenario files' limit before the two vocabularies
/// became one (old files keep loading; the UI sends far fewer).
pub const MAX_PRODUCE_COUNT: u32 = 100_000;
/// Longest consumer pause, or extra latency, one command may ask for (one hour).
pub const MAX_PAUSE_MS: u64 = 3_600_000;

/// Escaped in a token field: everything but `[A-Za-z0-9_-]`, so `.` separates fields,
/// `,` separates list items, and `~` `&` `#` stay free for the link around the token.
const FIELD: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');

/// A name as one token field (percent-encoded, upper-case hex).
pub fn encode_field(s: &str) -> String {
    utf8_percent_encode(s, FIELD).to_string()
}

/// The inverse of [`encode_field`]. A `%` must start a two-digit hex escape (the decoder
/// of the crate would keep a bad one as text: a share link with one is refused instead).
pub fn decode_field(s: &str) -> Result<String, String> {
    for (i, _) in s.match_indices('%') {
        let hex = s.get(i + 1..i + 3).ok_or_else(|| format!("incomplete %-escape in \"{s}\""))?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("bad %-escape \"%{hex}\" in \"{s}\""));
        }
    }
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| format!("\"{s}\" is not UTF-8 once decoded"))
}

fn encode_list(items: &[String]) -> String {
    items.iter().map(|n| encode_field(n)).collect::<Vec<_>>().join(",")
}

impl Command {
    /// A compact, URL-safe form: `crash.1`, `cut.b1.b2`, `produce.p.orders.3.key`, ...
    /// Names are percent-encoded, so any name round-trips.
    pub fn to_token(&self) -> String {
        let f = encode_field;
        match self {
            Command::Crash(b) => format!("crash.{b}"),
            Command::PowerLoss(b) => format!("power.{b}"),
            Command::Restart(b) => format!("restart.{b}"),
            Command::Isolate(n) => format!("isolate.{}", f(n)),
            Command::Cut(a, b) => format!("cut.{}.{}", f(a), f(b)),
            Command::CutOneWay(a, b) => format!("cutoneway.{}.{}", f(a), f(b)),
            Command::Heal(a, b) => format!("heal.{}.{}", f(a), f(b)),
            Command::HealAll => "healall".into(),
            Command::Partition(groups) => {
                groups.iter().fold("partition".to_string(), |t, g| format!("{t}.{}", encode_list(g)))
            }
            Command::Slow(n, ms) => format!("slow.{}.{ms}", f(n)),
            Command::Drop(r) => format!("drop.{}.{}", r.numerator, r.denominator),
            Command::DropNext { from, to, kind, count } => match kind {
                Some(k) => format!("dropnext.{}.{}.{count}.{}", f(from), f(to), f(k)),
                None => format!("dropnext.{}.{}.{count}", f(from), f(to)),
            },
            Command::Produce { producer, topic, key, count, partition } => {
                let head = match partition {
                    Some(p) => format!("produceto.{}.{}.{p}.{count}", f(producer), f(topic)),
                    None => format!("produce.{}.{}.{count}", f(producer), f(topic)),
                };
                match key {
                    Some(k) => format!("{head}.{}", f(k)),
                    None => head,
                }
            }
            Command::SetAcks { producer, acks } => format!("acks.{}.{}", f(producer), f(acks)),
            Command::Narrate(t) => match &t.zh {
                Some(zh) => format!("narrate.{}.{}", f(&t.en), f(zh)),
                None => format!("narrate.{}", f(&t.en)),
            },
            Command::ConsumerCrash(c) => format!("ccrash.{}", f(c)),
            Command::ConsumerRestart(c) => format!("crestart.{}", f(c)),
            Command::ConsumerPause { consumer, ms, gc } => {
                format!("cpause.{}.{ms}.{}", f(consumer), if *gc { "gc" } else { "slow" })
            }
            Command::ConsumerResume(c) => format!("cresume.{}", f(c)),
            Command::ConsumerClose(c) => format!("cclose.{}", f(c)),
            Command::ConsumerSubscribe { consumer, topics } => {
                format!("subscribe.{}.{}", f(consumer), encode_list(topics))
            }
            Command::AddPartitions { topic, partitions } => format!("partitions.{}.{partitions}", f(topic)),
            Command::BeginTransaction(p) => format!("begin.{}", f(p)),
            Command::CommitTransaction(p) => format!("commit.{}", f(p)),
            Command::AbortTransaction(p) => format!("abort.{}", f(p)),
            Command::ProducerCrash(p) => format!("pcrash.{}", f(p)),
            Command::ProducerRestart(p) => format!("prestart.{}", f(p)),
            Command::SetConfig { target, key, value } => {
                format!("config.{}.{}.{}", f(target), f(key), f(&value.to_string()))
            }
            Command::Send { producer, topic, count, mode } => {
                format!("send.{}.{}.{count}.{}", f(producer), f(topic), f(mode))
            }
            Command::DiskStall { broker, ms } => format!("diskstall.{broker}.{ms}"),
            Command::ConsumerFail { consumer, batches } => format!("cfail.{}.{batches}", f(consumer)),
        }
    }

    /// Parse [`Command::to_token`]'s form; the error says what is wrong.
    pub fn from_token(token: &str) -> Result<Command, String> {
        let t = Token { parts: token.split('.').collect() };
        match t.name() {
            "crash" | "power" | "restart" => t.broker_action(),
            "isolate" | "cut" | "cutoneway" | "heal" | "healall" | "partition" | "slow" | "drop" | "dropnext" => {
                t.network_action()
            }
            "produce" | "produceto" | "acks" | "narrate" | "partitions" | "config" => t.data_action(),
            "ccrash" | "crestart" | "cpause" | "cresume" | "cclose" | "subscribe" => t.consumer_action(),
            "begin" | "commit" | "abort" | "pcrash" | "prestart" => t.producer_action(),
            "send" | "diskstall" | "cfail" => t.rocketmq_action(),
            "" => Err("empty action".into()),
            other => Err(format!("unknown action \"{other}\"")),
        }
    }
}

/// A token split at its dots: the action name, then its fields.
struct Token<'a> {
    parts: Vec<&'a str>,
}

impl Token<'_> {
    fn name(&self) -> &str {
        self.parts[0]
    }
    fn fields(&self) -> usize {
        self.parts.len() - 1
    }
    /// Exactly `n` fields.
    fn want(&self, n: usize) -> Result<(), String> {
        self.want_between(n, n)
    }
    fn want_between(&self, lo: usize, hi: usize) -> Result<(), String> {
        let got = self.fields();
        match (lo == hi, (lo..=hi).contains(&got)) {
            (_, true) => Ok(()),
            (true, false) => Err(format!("\"{}\" takes {lo} field(s), got {got}", self.name())),
            (false, false) => Err(format!("\"{}\" takes {lo} or {hi} fields, got {got}", self.name())),
        }
    }
    fn field(&self, i: usize) -> Result<String, String> {
        decode_field(self.parts[i])
    }
    /// Field `i` if there is one.
    fn optional(&self, i: usize) -> Result<Option<String>, String> {
        if i < self.parts.len() {
            self.field(i).map(Some)
        } else {
            Ok(None)
        }
    }
    fn list(&self, i: usize) -> Result<Vec<String>, String> {
        if self.parts[i].is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for name in self.parts[i].split(',') {
            out.push(decode_field(name)?);
        }
        Ok(out)
    }
    fn number(&self, i: usize) -> Result<u64, String> {
        self.parts[i]
            .parse::<u64>()
            .map_err(|_| format!("\"{}\" is not a whole number (field {i} of \"{}\")", self.parts[i], self.name()))
    }
    fn small(&self, i: usize, what: &str) -> Result<u32, String> {
        u32::try_from(self.number(i)?).map_err(|_| format!("{what} is out of range"))
    }

    fn broker_action(&self) -> Result<Command, String> {
        self.want(1)?;
        let b = self.number(1)?;
        let b = u32::try_from(b).map_err(|_| format!("broker {b} is out of range"))?;
        Ok(match self.name() {
            "crash" => Command::Crash(b),
            "power" => Command::PowerLoss(b),
            _ => Command::Restart(b),
        })
    }

    fn network_action(&self) -> Result<Command, String> {
        let two = |c: fn(String, String) -> Command| -> Result<Command, String> {
            self.want(2)?;
            Ok(c(self.field(1)?, self.field(2)?))
        };
        Ok(match self.name() {
            "isolate" => {
                self.want(1)?;
                Command::Isolate(self.field(1)?)
            }
            "cut" => two(Command::Cut)?,
            "cutoneway" => two(Command::CutOneWay)?,
            "heal" => two(Command::Heal)?,
            "healall" => {
                self.want(0)?;
                Command::HealAll
            }
            "partition" => {
                let mut groups = Vec::new();
                for i in 1..self.parts.len() {
                    groups.push(self.list(i)?);
                }
                Command::Partition(groups)
            }
            "slow" => {
                self.want(2)?;
                Command::Slow(self.field(1)?, self.number(2)?)
            }
            "drop" => {
                self.want(2)?;
                Command::Drop(Ratio {
                    numerator: self.small(1, "numerator")?,
                    denominator: self.small(2, "denominator")?,
                })
            }
            _ => {
                self.want_between(3, 4)?;
                Command::DropNext {
                    from: self.field(1)?,
                    to: self.field(2)?,
                    count: self.small(3, "count")?,
                    kind: self.optional(4)?,
                }
            }
        })
    }

    fn data_action(&self) -> Result<Command, String> {
        Ok(match self.name() {
            "produce" => {
                self.want_between(3, 4)?;
                Command::Produce {
                    producer: self.field(1)?,
                    topic: self.field(2)?,
                    count: self.small(3, "count")?,
                    key: self.optional(4)?,
                    partition: None,
                }
            }
            "produceto" => {
                self.want_between(4, 5)?;
                Command::Produce {
                    producer: self.field(1)?,
                    topic: self.field(2)?,
                    partition: Some(self.small(3, "partition")?),
                    count: self.small(4, "count")?,
                    key: self.optional(5)?,
                }
            }
            "acks" => {
                self.want(2)?;
                Command::SetAcks { producer: self.field(1)?, acks: self.field(2)? }
            }
            "narrate" => {
                self.want_between(1, 2)?;
                Command::Narrate(Text { en: self.field(1)?, zh: self.optional(2)? })
            }
            "partitions" => {
                self.want(2)?;
                Command::AddPartitions { topic: self.field(1)?, partitions: self.small(2, "partition count")? }
            }
            _ => {
                self.want(3)?;
                let value = self.field(3)?;
                let value = serde_json::from_str(&value).map_err(|e| format!("value \"{value}\" is not JSON: {e}"))?;
                Command::SetConfig { target: self.field(1)?, key: self.field(2)?, value }
            }
        })
    }

    fn consumer_action(&self) -> Result<Command, String> {
        Ok(match self.name() {
            "cpause" => {
                self.want(3)?;
                let gc = match self.parts[3] {
                    "gc" => true,
                    "slow" => false,
                    other => return Err(format!("pause kind must be \"gc\" or \"slow\", got \"{other}\"")),
                };
                Command::ConsumerPause { consumer: self.field(1)?, ms: self.number(2)?, gc }
            }
            "subscribe" => {
                self.want(2)?;
                Command::ConsumerSubscribe { consumer: self.field(1)?, topics: self.list(2)? }
            }
            name => {
                self.want(1)?;
                let c = self.field(1)?;
                match name {
                    "ccrash" => Command::ConsumerCrash(c),
                    "crestart" => Command::ConsumerRestart(c),
                    "cresume" => Command::ConsumerResume(c),
                    _ => Command::ConsumerClose(c),
                }
            }
        })
    }

    fn rocketmq_action(&self) -> Result<Command, String> {
        Ok(match self.name() {
            "send" => {
                self.want(4)?;
                Command::Send {
                    producer: self.field(1)?,
                    topic: self.field(2)?,
                    count: self.small(3, "count")?,
                    mode: self.field(4)?,
                }
            }
            "diskstall" => {
                self.want(2)?;
                Command::DiskStall { broker: self.small(1, "broker")?, ms: self.number(2)? }
            }
            _ => {
                self.want(2)?;
                Command::ConsumerFail { consumer: self.field(1)?, batches: self.small(2, "batches")? }
            }
        })
    }

    fn producer_action(&self) -> Result<Command, String> {
        self.want(1)?;
        let p = self.field(1)?;
        Ok(match self.name() {
            "begin" => Command::BeginTransaction(p),
            "commit" => Command::CommitTransaction(p),
            "abort" => Command::AbortTransaction(p),
            "pcrash" => Command::ProducerCrash(p),
            _ => Command::ProducerRestart(p),
        })
    }
}

#[cfg(test)]
mod tests;
