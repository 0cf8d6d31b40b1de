//! Broker-side settings and the per-topic overrides of the topic-level ones.
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
    /// Log retention by time (`retention.ms` for topics); -1: forever. Default 7 days.
    #[serde(rename = "log.retention.ms")]
    pub log_retention_ms: i64,
    /// Log retention by size, per partition (`retention.bytes`); -1: unlimited.
    #[serde(rename = "log.retention.bytes")]
    pub log_retention_bytes: i64,
    /// Segment size (`segment.bytes`); records count `RECORD_SIZE_BYTES` (100) each.
    #[serde(rename = "log.segment.bytes")]
    pub log_segment_bytes: u64,
    /// Segment age before a roll (`segment.ms`); Kafka's broker key, default 7 days.
    #[serde(rename = "log.roll.ms")]
    pub log_roll_ms: u64,
    /// How often the log cleaner deletes old segments (the "kafka-log-retention" task).
    #[serde(rename = "log.retention.check.interval.ms")]
    pub log_retention_check_interval_ms: u64,
    /// Before Kafka 3.7 (KAFKA-15583) the high watermark still advanced while the ISR was
    /// smaller than min.insync.replicas. Off: current Kafka.
    #[serde(rename = "legacy.hw.advances.under.min.isr")]
    pub legacy_hw_advances_under_min_isr: bool,
    /// Before Kafka 0.11 (KIP-101) a replica that became a follower of a new leader
    /// truncated its log to its own high watermark, then fetched without leader epochs.
    /// Off: current Kafka (truncation by leader epoch).
    #[serde(rename = "legacy.truncate.to.high.watermark")]
    pub legacy_truncate_to_high_watermark: bool,
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
            log_retention_ms: 604_800_000,
            log_retention_bytes: -1,
            log_segment_bytes: 1 << 30,
            log_roll_ms: 604_800_000,
            log_retention_check_interval_ms: 300_000,
            legacy_hw_advances_under_min_isr: false,
            legacy_truncate_to_high_watermark: false,
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
            ("log.retention.check.interval.ms", self.log_retention_check_interval_ms),
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
        check_log_ranges(
            ["log.retention.ms", "log.retention.bytes", "log.segment.bytes", "log.roll.ms"],
            self.log_retention_ms,
            self.log_retention_bytes,
            self.log_segment_bytes,
            self.log_roll_ms,
        )
    }

    /// A topic's log settings: its overrides, else these broker defaults.
    pub fn log_config(&self, o: &TopicOverrides) -> crate::kafka::broker::log::LogConfig {
        crate::kafka::broker::log::LogConfig {
            retention_ms: o.retention_ms.unwrap_or(self.log_retention_ms),
            retention_bytes: o.retention_bytes.unwrap_or(self.log_retention_bytes),
            segment_bytes: o.segment_bytes.unwrap_or(self.log_segment_bytes),
            segment_ms: o.segment_ms.unwrap_or(self.log_roll_ms),
        }
    }
}

/// Kafka's ranges for the log settings (`LogConfig`, `ServerLogConfigs`): retention.ms at
/// least -1 (-1: forever), segment.bytes at least 14 (`LegacyRecord.RECORD_OVERHEAD_V0`)
/// and at most `Integer.MAX_VALUE`, segment.ms at least 1; retention.bytes has no bound
/// (any negative value means unlimited).
fn check_log_ranges(
    keys: [&'static str; 4],
    retention_ms: i64,
    _retention_bytes: i64,
    segment_bytes: u64,
    segment_ms: u64,
) -> Result<(), (&'static str, String)> {
    let err = |key: &'static str, v: String, range: &str| {
        Err((key, format!("Invalid value {v}: Value must be {range} (Kafka's own range)")))
    };
    if retention_ms < -1 {
        return err(keys[0], retention_ms.to_string(), "at least -1");
    }
    if !(14..=i32::MAX as u64).contains(&segment_bytes) {
        return err(keys[2], segment_bytes.to_string(), "in [14,...,2147483647]");
    }
    if segment_ms == 0 || segment_ms > i64::MAX as u64 {
        return err(keys[3], segment_ms.to_string(), "at least 1");
    }
    Ok(())
}

/// Per-topic overrides of broker defaults (Kafka's topic-level configs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicOverrides {
    #[serde(rename = "min.insync.replicas", skip_serializing_if = "Option::is_none")]
    pub min_insync_replicas: Option<u32>,
    #[serde(rename = "unclean.leader.election.enable", skip_serializing_if = "Option::is_none")]
    pub unclean_leader_election_enable: Option<bool>,
    #[serde(rename = "retention.ms", skip_serializing_if = "Option::is_none")]
    pub retention_ms: Option<i64>,
    #[serde(rename = "retention.bytes", skip_serializing_if = "Option::is_none")]
    pub retention_bytes: Option<i64>,
    #[serde(rename = "segment.bytes", skip_serializing_if = "Option::is_none")]
    pub segment_bytes: Option<u64>,
    #[serde(rename = "segment.ms", skip_serializing_if = "Option::is_none")]
    pub segment_ms: Option<u64>,
}

impl TopicOverrides {
    /// The error names the key and Kafka's range.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.min_insync_replicas == Some(0) {
            return Err(("min.insync.replicas", "must be at least 1".into()));
        }
        check_log_ranges(
            ["retention.ms", "retention.bytes", "segment.bytes", "segment.ms"],
            self.retention_ms.unwrap_or(-1),
            self.retention_bytes.unwrap_or(-1),
            self.segment_bytes.unwrap_or(1 << 30),
            self.segment_ms.unwrap_or(1),
        )
    }
}
