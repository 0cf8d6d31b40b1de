//! Configuration, under Kafka's own names and with current Kafka's (4.x, KRaft) defaults.
//!
//! Keys not from Kafka start with `sim.` and say what they simulate. Version-dependent
//! behaviour follows current Kafka; older behaviour is an explicit `legacy.` option.
use serde::{Deserialize, Serialize};

/// Broker-side settings, the same on every broker (topic-level ones can be overridden per topic).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrokerConfig {
    #[serde(rename = "replica.lag.time.max.ms")]
    pub replica_lag_time_max_ms: u64,
    #[serde(rename = "replica.fetch.wait.max.ms")]
    pub replica_fetch_wait_max_ms: u64,
    #[serde(rename = "replica.fetch.backoff.ms")]
    pub replica_fetch_backoff_ms: u64,
    #[serde(rename = "replica.socket.timeout.ms")]
    pub replica_socket_timeout_ms: u64,
    #[serde(rename = "replica.high.watermark.checkpoint.interval.ms")]
    pub replica_high_watermark_checkpoint_interval_ms: u64,
    #[serde(rename = "broker.heartbeat.interval.ms")]
    pub broker_heartbeat_interval_ms: u64,
    #[serde(rename = "broker.session.timeout.ms")]
    pub broker_session_timeout_ms: u64,
    #[serde(rename = "controller.quorum.fetch.timeout.ms")]
    pub controller_quorum_fetch_timeout_ms: u64,
    #[serde(rename = "min.insync.replicas")]
    pub min_insync_replicas: u32,
    #[serde(rename = "unclean.leader.election.enable")]
    pub unclean_leader_election_enable: bool,
    /// Kafka flushes (fsyncs) a log after this many messages; default: never (the OS does it).
    #[serde(rename = "log.flush.interval.messages")]
    pub log_flush_interval_messages: u64,
    /// Kafka flushes a log when its oldest unflushed message is this old; default: never.
    #[serde(rename = "log.flush.interval.ms")]
    pub log_flush_interval_ms: u64,
    /// Simulated OS page-cache writeback: dirty data older than this reaches disk
    /// (Linux `vm.dirty_expire_centisecs` = 30 s), checked every 5 s.
    #[serde(rename = "sim.os.dirty.expire.ms")]
    pub os_dirty_expire_ms: u64,
    /// Most records one partition returns in one fetch (Kafka limits bytes, not records;
    /// records here have no size).
    #[serde(rename = "sim.fetch.max.records")]
    pub fetch_max_records: u32,
    /// Partitions of `__consumer_offsets`. Kafka's default is 50; Highwater's is 3 so the
    /// picture stays readable (set it to 50 for Kafka's).
    #[serde(rename = "offsets.topic.num.partitions")]
    pub offsets_topic_num_partitions: u32,
    #[serde(rename = "offsets.topic.replication.factor")]
    pub offsets_topic_replication_factor: u32,
    #[serde(rename = "offsets.commit.timeout.ms")]
    pub offsets_commit_timeout_ms: u64,
    #[serde(rename = "group.initial.rebalance.delay.ms")]
    pub group_initial_rebalance_delay_ms: u64,
    #[serde(rename = "group.min.session.timeout.ms")]
    pub group_min_session_timeout_ms: u64,
    #[serde(rename = "group.max.session.timeout.ms")]
    pub group_max_session_timeout_ms: u64,
    /// Partitions of `__transaction_state`. Kafka's default is 50; Highwater's is 3.
    #[serde(rename = "transaction.state.log.num.partitions")]
    pub transaction_state_log_num_partitions: u32,
    #[serde(rename = "transaction.state.log.replication.factor")]
    pub transaction_state_log_replication_factor: u32,
    #[serde(rename = "transaction.state.log.min.isr")]
    pub transaction_state_log_min_isr: u32,
    /// How often the transaction coordinator looks for transactions past their timeout.
    #[serde(rename = "transaction.abort.timed.out.transaction.cleanup.interval.ms")]
    pub transaction_abort_timed_out_transaction_cleanup_interval_ms: u64,
    /// The largest `transaction.timeout.ms` a producer may ask for.
    #[serde(rename = "transaction.max.timeout.ms")]
    pub transaction_max_timeout_ms: u64,
    /// Before Kafka 3.7 (KAFKA-15583) the high watermark still advanced while the ISR was
    /// smaller than min.insync.replicas. Off: current Kafka.
    #[serde(rename = "legacy.hw.advances.under.min.isr")]
    pub legacy_hw_advances_under_min_isr: bool,
}

pub const NEVER: u64 = i64::MAX as u64;

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1_000,
            replica_socket_timeout_ms: 30_000,
            replica_high_watermark_checkpoint_interval_ms: 5_000,
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            controller_quorum_fetch_timeout_ms: 2_000,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            log_flush_interval_messages: NEVER,
            log_flush_interval_ms: NEVER,
            os_dirty_expire_ms: 30_000,
            fetch_max_records: 500,
            offsets_topic_num_partitions: 3,
            offsets_topic_replication_factor: 3,
            offsets_commit_timeout_ms: 5_000,
            group_initial_rebalance_delay_ms: 3_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            transaction_state_log_num_partitions: 3,
            transaction_state_log_replication_factor: 3,
            transaction_state_log_min_isr: 2,
            transaction_abort_timed_out_transaction_cleanup_interval_ms: 10_000,
            transaction_max_timeout_ms: 900_000,
            legacy_hw_advances_under_min_isr: false,
        }
    }
}

impl BrokerConfig {
    /// Values the model cannot run with; the error names the key.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        // Kafka's own validators (`atLeast(1)` in GroupCoordinatorConfig, TransactionLogConfig,
        // ServerLogConfigs): ConfigException "Invalid value 0 for configuration X: Value must
        // be at least 1". A zero here would divide by zero when a group or transactional.id is
        // hashed to its coordinator's partition.
        for (key, value) in [
            ("min.insync.replicas", self.min_insync_replicas),
            ("offsets.topic.num.partitions", self.offsets_topic_num_partitions),
            ("offsets.topic.replication.factor", self.offsets_topic_replication_factor),
            ("transaction.state.log.num.partitions", self.transaction_state_log_num_partitions),
            ("transaction.state.log.replication.factor", self.transaction_state_log_replication_factor),
            ("transaction.state.log.min.isr", self.transaction_state_log_min_isr),
        ] {
            if value == 0 {
                return Err((key, "Invalid value 0: Value must be at least 1 (Kafka's own range)".into()));
            }
        }
        // Periodic tasks with a zero interval would fire forever at the same instant.
        for (key, value) in [
            ("replica.lag.time.max.ms", self.replica_lag_time_max_ms),
            ("replica.fetch.backoff.ms", self.replica_fetch_backoff_ms),
            ("replica.socket.timeout.ms", self.replica_socket_timeout_ms),
            ("replica.high.watermark.checkpoint.interval.ms", self.replica_high_watermark_checkpoint_interval_ms),
            ("broker.heartbeat.interval.ms", self.broker_heartbeat_interval_ms),
            ("broker.session.timeout.ms", self.broker_session_timeout_ms),
            ("controller.quorum.fetch.timeout.ms", self.controller_quorum_fetch_timeout_ms),
            ("offsets.commit.timeout.ms", self.offsets_commit_timeout_ms),
            ("sim.fetch.max.records", u64::from(self.fetch_max_records)),
            (
                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                self.transaction_abort_timed_out_transaction_cleanup_interval_ms,
            ),
        ] {
            if value == 0 {
                return Err((key, "must be positive".into()));
            }
        }
        if self.replica_lag_time_max_ms < 2 {
            return Err(("replica.lag.time.max.ms", "must be at least 2".into()));
        }
        Ok(())
    }
}

/// Per-topic overrides of broker defaults (Kafka's topic-level configs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicOverrides {
    #[serde(rename = "min.insync.replicas", skip_serializing_if = "Option::is_none")]
    pub min_insync_replicas: Option<u32>,
    #[serde(rename = "unclean.leader.election.enable", skip_serializing_if = "Option::is_none")]
    pub unclean_leader_election_enable: Option<bool>,
}

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
