//! One broker's settings: identity (`CM/BrokerIdentity.java` in 5.x, `CM/BrokerConfig.java`
//! in 4.9.x), broker behaviour (`CM/BrokerConfig.java`) and store and HA
//! (`S/config/MessageStoreConfig.java`). Times are milliseconds.

use super::values::{BrokerRole, FlushDiskType};
use super::Version;

const NONE: i64 = i64::MIN;
const MIB: i32 = 1024 * 1024;

settings! {
    /// A broker's settings, RocketMQ's names and defaults.
    "broker", BrokerConfig (v) {
        /// The cluster the broker registers under.
        broker_cluster_name: String = "DefaultCluster".to_string(),
            "brokerClusterName", Both, Field, min NONE, "CM/BrokerIdentity.java (5.x), CM/BrokerConfig.java (4.9.x)";
        /// The broker group (master and its slaves share it). RocketMQ defaults to the host
        /// name; 5.x falls back to "DEFAULT_BROKER", which Highwater uses.
        broker_name: String = "DEFAULT_BROKER".to_string(),
            "brokerName", Both, Field, min NONE, "CM/BrokerIdentity.java (5.x), CM/BrokerConfig.java (4.9.x)";
        /// 0 (`MixAll.MASTER_ID`) is the master; a slave needs an id > 0.
        broker_id: i64 = 0,
            "brokerId", Both, Field, min NONE, "CM/BrokerIdentity.java (5.x), CM/BrokerConfig.java (4.9.x); rule in B/BrokerStartup.java";
        /// ASYNC_MASTER, SYNC_MASTER or SLAVE.
        broker_role: BrokerRole = BrokerRole::AsyncMaster,
            "brokerRole", Both, Field, min NONE, "S/config/MessageStoreConfig.java, S/config/BrokerRole.java";
        /// ASYNC_FLUSH (page cache, flushed by a timer) or SYNC_FLUSH (group commit).
        flush_disk_type: FlushDiskType = FlushDiskType::AsyncFlush,
            "flushDiskType", Both, Field, min NONE, "S/config/MessageStoreConfig.java, S/config/FlushDiskType.java";
        /// ASYNC_FLUSH: how often the flush service wakes.
        flush_interval_commit_log: i32 = 500,
            "flushIntervalCommitLog", Both, Field, min 1, "S/config/MessageStoreConfig.java; used in S/CommitLog.FlushRealTimeService";
        /// ASYNC_FLUSH: flush only once this many 4 KiB pages are dirty...
        flush_commit_log_least_pages: i32 = 4,
            "flushCommitLogLeastPages", Both, Field, min 0, "S/config/MessageStoreConfig.java";
        /// ...except once per this interval, when whatever is dirty is flushed.
        flush_commit_log_thorough_interval: i32 = 10_000,
            "flushCommitLogThoroughInterval", Both, Field, min 0, "S/config/MessageStoreConfig.java";
        /// SYNC_FLUSH: how long a send waits for its flush (then FLUSH_DISK_TIMEOUT).
        sync_flush_timeout: i32 = 5_000,
            "syncFlushTimeout", Both, Field, min 0, "S/config/MessageStoreConfig.java";
        /// SYNC_MASTER: how long a send waits for the slave (then FLUSH_SLAVE_TIMEOUT).
        slave_timeout: i32 = 3_000,
            "slaveTimeout", Both, Field, min 0, "S/config/MessageStoreConfig.java; used in S/CommitLog";
        /// A slave reports its offset to the master at least this often.
        ha_send_heartbeat_interval: i32 = 5_000,
            "haSendHeartbeatInterval", Both, Field, min 1, "S/config/MessageStoreConfig.java";
        /// 4.x SYNC_MASTER: a slave further behind than this gives SLAVE_NOT_AVAILABLE.
        ha_slave_fallbehind_max: i32 = 256 * MIB,
            "haSlaveFallbehindMax", V4Only, Field, min 0, "S/config/MessageStoreConfig.java (4.9.x)";
        /// 5.x: a slave within this many bytes of the master counts as in sync.
        ha_max_gap_not_in_sync: i32 = 256 * MIB,
            "haMaxGapNotInSync", V5Only, Field, min 0, "S/config/MessageStoreConfig.java (5.x)";
        /// 5.x: replicas in the group, master included.
        total_replicas: i32 = 1,
            "totalReplicas", V5Only, Field, min 1, "S/config/MessageStoreConfig.java (5.x), docs/en/QuorumACK.md";
        /// 5.x: a send waits for this many replicas (master included); at 1, the default, a
        /// SYNC_MASTER does not wait for its slave.
        in_sync_replicas: i32 = 1,
            "inSyncReplicas", V5Only, Field, min 1, "S/config/MessageStoreConfig.java (5.x), S/CommitLog.handleHA";
        /// 5.x: the fewest in-sync replicas that still take writes (adaptive degrade).
        min_in_sync_replicas: i32 = 1,
            "minInSyncReplicas", V5Only, Field, min 1, "S/config/MessageStoreConfig.java (5.x)";
        /// 5.x controller mode: wait for every member of the SyncStateSet.
        all_ack_in_sync_state_set: bool = false,
            "allAckInSyncStateSet", V5Only, Field, min NONE, "S/config/MessageStoreConfig.java (5.x)";
        /// 5.x (RIP-34): lower the replicas waited for when slaves fall behind.
        enable_auto_in_sync_replicas: bool = false,
            "enableAutoInSyncReplicas", V5Only, Field, min NONE, "S/config/MessageStoreConfig.java (5.x)";
        /// Hold a pull that finds nothing until a message arrives or it times out.
        long_polling_enable: bool = true,
            "longPollingEnable", Both, Field, min NONE, "CM/BrokerConfig.java; B/longpolling/PullRequestHoldService.java";
        /// Without long polling: how long an empty pull is held.
        short_polling_time_mills: i64 = 1_000,
            "shortPollingTimeMills", Both, Field, min 1, "CM/BrokerConfig.java";
        /// Whether this broker suggests (and, in 5.x as a slave, serves) reads from slaves.
        slave_read_enable: bool = false,
            "slaveReadEnable", Both, Field, min NONE, "CM/BrokerConfig.java; B/processor/PullMessageProcessor";
        /// A consumer further behind than this % of RAM is "consuming slowly".
        access_message_in_memory_max_ratio: i32 = 40,
            "accessMessageInMemoryMaxRatio", Both, Field, min 0, "S/config/MessageStoreConfig.java; S/DefaultMessageStore.getMessage";
        /// Whether a slave answers OFFSET_MOVED (else PULL_RETRY_IMMEDIATELY).
        offset_check_in_slave: bool = false,
            "offsetCheckInSlave", Both, Field, min NONE, "S/config/MessageStoreConfig.java";
        /// Whether a slave takes writes (duplication mode).
        duplication_enable: bool = false,
            "duplicationEnable", Both, Field, min NONE, "S/config/MessageStoreConfig.java; B/util/HookUtils";
        /// How often consumerOffset.json is persisted (first after 10 s).
        flush_consumer_offset_interval: i32 = 5_000,
            "flushConsumerOffsetInterval", Both, Field, min 1, "CM/BrokerConfig.java; B/BrokerController";
        /// How often the broker registers with the name servers (clamped to 10000..=60000).
        register_name_server_period: i32 = 30_000,
            "registerNameServerPeriod", Both, Field, min 1, "CM/BrokerConfig.java; B/BrokerController";
        /// Send NOTIFY_CONSUMER_IDS_CHANGED when a consumer joins or leaves.
        notify_consumer_ids_changed_enable: bool = true,
            "notifyConsumerIdsChangedEnable", Both, Field, min NONE, "CM/BrokerConfig.java";
        /// A client silent for this long is dropped (scanned every 10 s).
        channel_expired_timeout: i64 = 120_000,
            "channelExpiredTimeout", Both, Field, min 1, "CM/BrokerConfig.java (5.x); constant CHANNEL_EXPIRED_TIMEOUT in B/client/ConsumerManager.java (4.9.x)";
        /// Queues of the template topic TBW102 for auto-created topics.
        default_topic_queue_nums: i32 = 8,
            "defaultTopicQueueNums", Both, Field, min 1, "CM/BrokerConfig.java; B/topic/TopicConfigManager";
        /// Create a topic on its first send.
        auto_create_topic_enable: bool = true,
            "autoCreateTopicEnable", Both, Field, min NONE, "CM/BrokerConfig.java";
        /// Largest message the broker stores (bytes).
        max_message_size: i32 = 4 * MIB,
            "maxMessageSize", Both, Field, min 1, "S/config/MessageStoreConfig.java";
        /// A half message is checked back only once older than this.
        transaction_time_out: i64 = 6_000,
            "transactionTimeOut", Both, Field, min 0, "CM/BrokerConfig.java";
        /// Check-backs before a half message is discarded.
        transaction_check_max: i32 = 15,
            "transactionCheckMax", Both, Field, min 0, "CM/BrokerConfig.java";
        /// How often the transaction check service wakes (60000 in 4.9.x, 30000 since 5.1.1).
        transaction_check_interval: i64 = if v == Version::V4_9 { 60_000 } else { 30_000 },
            "transactionCheckInterval", Both, Field, min 1, "CM/BrokerConfig.java";
        /// 5.x (RIP-32): a slave stands in for some master-only duties.
        enable_slave_acting_master: bool = false,
            "enableSlaveActingMaster", V5Only, Field, min NONE, "CM/BrokerConfig.java (5.x)";
        /// 5.x (RIP-44): automatic failover through the controller.
        enable_controller_mode: bool = false,
            "enableControllerMode", V5Only, Field, min NONE, "CM/BrokerConfig.java (5.x)";
        /// Not a RocketMQ setting: how often a slave copies the master's offsets (and other
        /// metadata). 4.9.x: `syncAll` every 10 s (first after 3 s); 5.x: a 3 s task runs it once
        /// 60 s have passed since the last run.
        slave_synchronize_period: i64 = if v == Version::V4_9 { 10_000 } else { 60_000 },
            "slaveSynchronizePeriod", Both, Constant, min 1, "B/BrokerController (handleSlaveSynchronize in 4.9.x, initializeBrokerScheduledTasks in 5.x); B/slave/SlaveSynchronize.java";
    }
}

impl BrokerConfig {
    /// A master (id 0) or a slave (`id` > 0) of broker group `name`.
    pub fn member(version: Version, name: &str, id: i64, role: BrokerRole) -> BrokerConfig {
        let mut c = BrokerConfig::defaults(version);
        c.broker_name = name.to_string();
        c.broker_id = id;
        c.broker_role = role;
        c
    }
}
