//! Configuration, under Kafka's own names and with current Kafka's (4.x, KRaft) defaults.
//!
//! Keys not from Kafka start with `sim.` and say what they simulate. Version-dependent
//! behaviour follows current Kafka; older behaviour is an explicit `legacy.` option.
use serde::{Deserialize, Serialize};

mod broker;
pub use broker::{BrokerConfig, TopicOverrides, NEVER};

/// The `acks` producer setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Acks {
    /// acks=0: fire and forget, no response.
    #[serde(rename = "0")]
    Zero,
    /// acks=1: the leader's local append.
    #[serde(rename = "1")]
    Leader,
    /// acks=all (-1): every ISR member, at least min.insync.replicas.
    #[serde(rename = "all", alias = "-1")]
    All,
}

impl Acks {
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::Zero => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

/// Producer settings (Kafka's `ProducerConfig` names and defaults).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub retries: u32,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    /// Retry backoff grows exponentially up to this (KIP-580, Kafka 3.7+), with ±20% jitter.
    #[serde(rename = "retry.backoff.max.ms")]
    pub retry_backoff_max_ms: u64,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    #[serde(rename = "delivery.timeout.ms")]
    pub delivery_timeout_ms: u64,
    /// How long a batch waits for more records before it is sent (5 ms since Kafka 4.0, KIP-1030).
    #[serde(rename = "linger.ms")]
    pub linger_ms: u64,
    #[serde(rename = "max.in.flight.requests.per.connection")]
    pub max_in_flight_requests_per_connection: u32,
    /// Unset means Kafka's default: on, unless acks/retries/in-flight conflict with it, in
    /// which case Kafka quietly turns it off. Set explicitly, a conflict is an error.
    #[serde(rename = "enable.idempotence", skip_serializing_if = "Option::is_none")]
    pub enable_idempotence: Option<bool>,
    /// Most records in one batch (Kafka's `batch.size` counts bytes; records here have no size).
    #[serde(rename = "sim.batch.max.records")]
    pub batch_max_records: u32,
    /// Unset: Kafka's built-in partitioner (murmur2 of the key; sticky for records
    /// without a key). "round-robin": `RoundRobinPartitioner` (keys ignored).
    #[serde(rename = "partitioner.class", skip_serializing_if = "Option::is_none")]
    pub partitioner_class: Option<String>,
    /// Ignore keys in the built-in partitioner (every record is sticky-partitioned).
    #[serde(rename = "partitioner.ignore.keys")]
    pub partitioner_ignore_keys: bool,
    /// Set: a transactional producer (implies idempotence). Two producers with the same
    /// id fence each other: the newer one's InitProducerId bumps the epoch.
    #[serde(rename = "transactional.id", skip_serializing_if = "Option::is_none")]
    pub transactional_id: Option<String>,
    /// The coordinator aborts a transaction left open longer than this.
    #[serde(rename = "transaction.timeout.ms")]
    pub transaction_timeout_ms: u64,
    /// Bytes of records the producer may hold unsent; when full, send() blocks up to
    /// `max.block.ms`, then fails (BufferExhaustedException).
    #[serde(rename = "buffer.memory")]
    pub buffer_memory: u64,
    #[serde(rename = "max.block.ms")]
    pub max_block_ms: u64,
    /// The size of one record, for `buffer.memory` (records here have no content).
    #[serde(rename = "sim.record.bytes")]
    pub record_bytes: u64,
    /// How the application calls send(): "async" (with a callback, Kafka's usual way),
    /// "sync" (send().get(): wait for each result), "fire-and-forget" (never look at it).
    #[serde(rename = "sim.send.style")]
    pub send_style: SendStyle,
}

/// How the application uses the result of send().
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendStyle {
    /// send(record, callback): the application goes on; the callback hears the result.
    #[default]
    Async,
    /// send(record).get(): the application waits for each record's result.
    Sync,
    /// send(record) and nothing else: a failure goes unnoticed.
    FireAndForget,
}

impl SendStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            SendStyle::Async => "async",
            SendStyle::Sync => "sync",
            SendStyle::FireAndForget => "fire-and-forget",
        }
    }
}

impl ProducerConfig {
    /// How many records fit in `buffer.memory`.
    pub fn buffer_records(&self) -> usize {
        (self.buffer_memory / self.record_bytes.max(1)).max(1) as usize
    }
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            linger_ms: 5,
            max_in_flight_requests_per_connection: 5,
            enable_idempotence: None,
            batch_max_records: 100,
            partitioner_class: None,
            partitioner_ignore_keys: false,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            buffer_memory: 33_554_432,
            max_block_ms: 60_000,
            record_bytes: 100,
            send_style: SendStyle::Async,
        }
    }
}

impl ProducerConfig {
    /// Whether the producer is idempotent, applying Kafka's default rule.
    pub fn idempotent(&self) -> bool {
        if self.transactional_id.is_some() {
            return true;
        }
        match self.enable_idempotence {
            Some(explicit) => explicit,
            None => self.acks == Acks::All && self.retries > 0 && self.max_in_flight_requests_per_connection <= 5,
        }
    }

    /// Kafka's rule: idempotence needs acks=all, retries > 0 and at most 5 in flight.
    /// Returns a message naming the conflict, as Kafka's ConfigException would.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(t) = &self.transactional_id {
            if t.is_empty() {
                return Err("transactional.id must not be empty".into());
            }
            if self.enable_idempotence == Some(false) {
                return Err("transactional.id requires idempotence: remove enable.idempotence=false".into());
            }
            if self.acks != Acks::All {
                return Err("transactional.id requires acks=all".into());
            }
            if self.max_in_flight_requests_per_connection > 5 {
                return Err("transactional.id requires max.in.flight.requests.per.connection <= 5".into());
            }
            if self.transaction_timeout_ms == 0 {
                return Err("transaction.timeout.ms must be positive".into());
            }
        }
        if self.enable_idempotence == Some(true) {
            if self.acks != Acks::All {
                return Err(
                    "enable.idempotence=true requires acks=all (set enable.idempotence=false to use acks=0 or 1)"
                        .into(),
                );
            }
            if self.retries == 0 {
                return Err("enable.idempotence=true requires retries > 0".into());
            }
            if self.max_in_flight_requests_per_connection > 5 {
                return Err("enable.idempotence=true requires max.in.flight.requests.per.connection <= 5".into());
            }
        }
        if self.max_in_flight_requests_per_connection == 0 {
            return Err("max.in.flight.requests.per.connection must be at least 1".into());
        }
        if self.batch_max_records == 0 {
            return Err("sim.batch.max.records must be at least 1".into());
        }
        if self.record_bytes == 0 || self.buffer_memory < self.record_bytes {
            return Err("buffer.memory must hold at least one record of sim.record.bytes".into());
        }
        if let Some(c) = &self.partitioner_class {
            if !matches!(c.as_str(), "round-robin" | "org.apache.kafka.clients.producer.RoundRobinPartitioner") {
                return Err(format!("partitioner.class \"{c}\" is not simulated (leave it unset for Kafka's default, or \"round-robin\")"));
            }
        }
        Ok(())
    }
}

/// `isolation.level`: what a fetch may return of transactional data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    /// Up to the high watermark, aborted and open transactions included (Kafka's default).
    #[default]
    ReadUncommitted,
    /// Up to the last stable offset, without aborted transactions.
    ReadCommitted,
}

impl IsolationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "read_uncommitted",
            IsolationLevel::ReadCommitted => "read_committed",
        }
    }
}

/// Consumer-side settings of the plain reader.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReaderConfig {
    #[serde(rename = "fetch.max.wait.ms")]
    pub fetch_max_wait_ms: u64,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    #[serde(rename = "max.poll.records")]
    pub max_poll_records: u32,
    #[serde(rename = "isolation.level")]
    pub isolation_level: IsolationLevel,
    /// Where to go when the position is out of range (after a truncation). The reader
    /// always starts at offset 0.
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: AutoOffsetReset,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            fetch_max_wait_ms: 500,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            max_poll_records: 500,
            isolation_level: IsolationLevel::ReadUncommitted,
            auto_offset_reset: AutoOffsetReset::Latest,
        }
    }
}

/// `auto.offset.reset`: where a consumer starts when its group has no committed offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    /// Throw `NoOffsetForPartitionException` to the application.
    None,
}

/// How the simulated application commits (on top of `enable.auto.commit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitPolicy {
    /// No manual commits: rely on `enable.auto.commit` (or commit nothing).
    None,
    /// `commitSync()` after processing each batch: at-least-once.
    SyncAfterProcessing,
    /// `commitAsync()` after processing each batch: at-least-once, not waiting.
    AsyncAfterProcessing,
    /// `commitSync()` before processing the batch: at-most-once.
    SyncBeforeProcessing,
}

/// How the simulated application guards against records delivered twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DedupPolicy {
    /// Every record `poll()` returns is processed, duplicates included.
    None,
    /// The idempotent consumer: the application's database keeps a table of processed
    /// record ids (one per group, written in the same database transaction as the
    /// processing's effect, so it survives crashes); a record already in it is skipped.
    ProcessedIds,
}

/// Consumer settings (Kafka's `ConsumerConfig` names and defaults) plus how the simulated
/// application behaves (`sim.`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsumerConfig {
    #[serde(rename = "session.timeout.ms")]
    pub session_timeout_ms: u64,
    #[serde(rename = "heartbeat.interval.ms")]
    pub heartbeat_interval_ms: u64,
    #[serde(rename = "max.poll.interval.ms")]
    pub max_poll_interval_ms: u64,
    #[serde(rename = "enable.auto.commit")]
    pub enable_auto_commit: bool,
    #[serde(rename = "auto.commit.interval.ms")]
    pub auto_commit_interval_ms: u64,
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: AutoOffsetReset,
    /// Assignors in preference order: range, roundrobin, sticky, cooperative-sticky (or
    /// Kafka's class names).
    #[serde(rename = "partition.assignment.strategy")]
    pub partition_assignment_strategy: Vec<String>,
    #[serde(rename = "group.instance.id", skip_serializing_if = "Option::is_none")]
    pub group_instance_id: Option<String>,
    #[serde(rename = "fetch.max.wait.ms")]
    pub fetch_max_wait_ms: u64,
    #[serde(rename = "max.poll.records")]
    pub max_poll_records: u32,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    /// The consumer refreshes metadata this often; a topic's new partitions are noticed then.
    #[serde(rename = "metadata.max.age.ms")]
    pub metadata_max_age_ms: u64,
    #[serde(rename = "isolation.level")]
    pub isolation_level: IsolationLevel,
    /// How long a blocking call (commitSync()) keeps retrying retriable errors.
    #[serde(rename = "default.api.timeout.ms")]
    pub default_api_timeout_ms: u64,
    /// How long the application takes to process one record.
    #[serde(rename = "sim.processing.ms.per.record")]
    pub processing_ms_per_record: u64,
    /// Manual commits the application makes.
    #[serde(rename = "sim.commit")]
    pub commit: CommitPolicy,
    /// Whether the application skips records it already processed.
    #[serde(rename = "sim.dedup")]
    pub dedup: DedupPolicy,
    /// The timeout the application passes to `poll(Duration)`.
    #[serde(rename = "sim.poll.timeout.ms")]
    pub poll_timeout_ms: u64,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            auto_offset_reset: AutoOffsetReset::Latest,
            partition_assignment_strategy: vec!["range".into(), "cooperative-sticky".into()],
            group_instance_id: None,
            fetch_max_wait_ms: 500,
            max_poll_records: 500,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            metadata_max_age_ms: 300_000,
            isolation_level: IsolationLevel::ReadUncommitted,
            default_api_timeout_ms: 60_000,
            processing_ms_per_record: 10,
            commit: CommitPolicy::None,
            dedup: DedupPolicy::None,
            poll_timeout_ms: 1_000,
        }
    }
}

impl ConsumerConfig {
    /// The assignors, by Kafka's protocol names; an unknown name is an error.
    pub fn strategies(&self) -> Result<Vec<crate::kafka::assignor::Strategy>, String> {
        if self.partition_assignment_strategy.is_empty() {
            return Err("partition.assignment.strategy needs at least one assignor".into());
        }
        self.partition_assignment_strategy
            .iter()
            .map(|s| {
                let short = match s.as_str() {
                    "org.apache.kafka.clients.consumer.RangeAssignor" => "range",
                    "org.apache.kafka.clients.consumer.RoundRobinAssignor" => "roundrobin",
                    "org.apache.kafka.clients.consumer.StickyAssignor" => "sticky",
                    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => "cooperative-sticky",
                    other => other,
                };
                crate::kafka::assignor::Strategy::from_name(short)
                    .ok_or_else(|| format!("unknown assignor \"{s}\" (range, roundrobin, sticky, cooperative-sticky)"))
            })
            .collect()
    }

    pub fn validate(&self) -> Result<(), String> {
        self.strategies()?;
        if self.heartbeat_interval_ms == 0 || self.heartbeat_interval_ms >= self.session_timeout_ms {
            return Err("heartbeat.interval.ms must be positive and lower than session.timeout.ms".into());
        }
        if self.max_poll_records == 0
            || self.poll_timeout_ms == 0
            || self.auto_commit_interval_ms == 0
            || self.metadata_max_age_ms == 0
        {
            return Err("max.poll.records, sim.poll.timeout.ms, auto.commit.interval.ms and metadata.max.age.ms must be positive".into());
        }
        Ok(())
    }
}
