//! RocketMQ settings: defaults per release line (checked against the upstream files named in
//! /work/shared/reference/rocketmq-semantics.md), setting by name, refusals, and topology.
use highwater::rocketmq::allocate::AllocateStrategy;
use highwater::rocketmq::config::{
    validate_topology, BrokerConfig, BrokerRole, ConfigError, ConsumeFromWhere, ConsumerConfig, FlushDiskType, Kind,
    Lines, MessageModel, ProducerConfig, SubscriptionGroupConfig, TopicConfig, TopologyError, Version,
};

#[test]
fn broker_defaults_are_rocketmqs() {
    for v in [Version::V4_9, Version::V5] {
        let b = BrokerConfig::defaults(v);
        assert_eq!(b.broker_role, BrokerRole::AsyncMaster);
        assert_eq!(b.flush_disk_type, FlushDiskType::AsyncFlush);
        assert_eq!((b.broker_id, b.broker_cluster_name.as_str()), (0, "DefaultCluster"));
        assert_eq!(b.flush_interval_commit_log, 500);
        assert_eq!((b.flush_commit_log_least_pages, b.flush_commit_log_thorough_interval), (4, 10_000));
        assert_eq!((b.sync_flush_timeout, b.slave_timeout), (5_000, 3_000));
        assert!(b.long_polling_enable);
        assert_eq!(b.short_polling_time_mills, 1_000);
        assert!(!b.slave_read_enable);
        assert_eq!(b.access_message_in_memory_max_ratio, 40);
        assert_eq!((b.in_sync_replicas, b.total_replicas, b.min_in_sync_replicas), (1, 1, 1));
        assert_eq!((b.register_name_server_period, b.flush_consumer_offset_interval), (30_000, 5_000));
        assert_eq!(b.channel_expired_timeout, 120_000);
        assert_eq!((b.transaction_time_out, b.transaction_check_max), (6_000, 15));
    }
    let (old, new) = (BrokerConfig::defaults(Version::V4_9), BrokerConfig::defaults(Version::V5));
    assert_eq!((old.transaction_check_interval, new.transaction_check_interval), (60_000, 30_000));
    assert_eq!((old.slave_synchronize_period, new.slave_synchronize_period), (10_000, 60_000));
}

#[test]
fn client_and_group_defaults_are_rocketmqs() {
    let p = ProducerConfig::defaults(Version::V5);
    assert_eq!(
        (p.send_msg_timeout, p.retry_times_when_send_failed, p.retry_times_when_send_async_failed),
        (3_000, 2, 2)
    );
    assert!(!p.retry_another_broker_when_not_store_ok && !p.send_latency_fault_enable);
    assert_eq!(
        (p.default_topic_queue_nums, p.poll_name_server_interval, p.heartbeat_broker_interval),
        (4, 30_000, 30_000)
    );
    let c = ConsumerConfig::defaults(Version::V4_9);
    assert_eq!(c.message_model, MessageModel::Clustering);
    assert_eq!(c.consume_from_where, ConsumeFromWhere::ConsumeFromLastOffset);
    assert_eq!(c.allocate_message_queue_strategy, AllocateStrategy::Averagely);
    assert_eq!((c.pull_batch_size, c.consume_message_batch_max_size), (32, 1));
    assert_eq!((c.persist_consumer_offset_interval, c.poll_name_server_interval), (5_000, 30_000));
    assert_eq!((c.rebalance_wait_interval, c.broker_suspend_max_time_millis), (20_000, 15_000));
    assert_eq!((c.max_reconsume_times, c.consume_timeout), (-1, 15));
    // Not the 3000 DefaultMQPushConsumerImpl declares: its constructor takes ClientConfig's 1000.
    assert_eq!(c.pull_time_delay_mills_when_exception, 1_000);
    let t = TopicConfig::defaults(Version::V5);
    assert_eq!((t.read_queue_nums, t.write_queue_nums, t.perm), (16, 16, 6));
    let g = SubscriptionGroupConfig::defaults(Version::V5);
    assert_eq!((g.broker_id, g.which_broker_when_consume_slowly, g.retry_max_times), (0, 1, 16));
}

#[test]
fn set_by_name_from_strings_and_read_back() {
    let mut b = BrokerConfig::defaults(Version::V5);
    b.set("brokerRole", "SLAVE").unwrap();
    b.set("brokerId", "1").unwrap();
    b.set("flushDiskType", "SYNC_FLUSH").unwrap();
    b.set("slaveReadEnable", "true").unwrap();
    b.set("inSyncReplicas", "2").unwrap();
    b.set("brokerName", "broker-a").unwrap();
    assert_eq!((b.broker_role, b.broker_id, b.flush_disk_type), (BrokerRole::Slave, 1, FlushDiskType::SyncFlush));
    assert!(b.slave_read_enable);
    assert_eq!((b.in_sync_replicas, b.broker_name.as_str()), (2, "broker-a"));
    assert_eq!(b.get("brokerRole").unwrap(), "SLAVE");
    assert_eq!(b.get("flushIntervalCommitLog").unwrap(), "500");

    let mut c = ConsumerConfig::defaults(Version::V5);
    c.set("allocateMessageQueueStrategy", "AVG_BY_CIRCLE").unwrap();
    c.set("messageModel", "BROADCASTING").unwrap();
    c.set("rocketmq.client.rebalance.waitInterval", "5000").unwrap();
    assert_eq!(c.allocate_message_queue_strategy, AllocateStrategy::AveragelyByCircle);
    assert_eq!((c.message_model, c.rebalance_wait_interval), (MessageModel::Broadcasting, 5_000));
    assert_eq!(c.get("allocateMessageQueueStrategy").unwrap(), "AVG_BY_CIRCLE");

    let mut p = ProducerConfig::defaults(Version::V4_9);
    p.set("retryAnotherBrokerWhenNotStoreOK", "true").unwrap();
    p.set("sendLatencyFaultEnable", "true").unwrap();
    assert!(p.retry_another_broker_when_not_store_ok && p.send_latency_fault_enable);
}

#[test]
fn unknown_names_are_refused_with_the_accepted_names_listed() {
    let mut b = BrokerConfig::defaults(Version::V5);
    let e = b.set("brokerrole", "SLAVE").unwrap_err();
    let ConfigError::UnknownSetting { ref accepted, .. } = e else { panic!("{e:?}") };
    assert!(accepted.contains(&"brokerRole") && accepted.contains(&"inSyncReplicas"));
    let text = e.to_string();
    assert!(
        text.starts_with("unknown broker setting 'brokerrole'; accepted: brokerClusterName, brokerName,"),
        "{text}"
    );
    // A 4.9.x broker lists only 4.9.x names.
    let e = BrokerConfig::defaults(Version::V4_9).set("nope", "1").unwrap_err().to_string();
    assert!(e.contains("haSlaveFallbehindMax") && !e.contains("inSyncReplicas"), "{e}");
    let e = ConsumerConfig::defaults(Version::V5).set("pullbatchsize", "1").unwrap_err().to_string();
    assert!(e.contains("unknown consumer setting") && e.contains("pullBatchSize"), "{e}");
}

#[test]
fn a_setting_of_the_other_release_line_is_refused() {
    let mut b = BrokerConfig::defaults(Version::V4_9);
    let e = b.set("inSyncReplicas", "2").unwrap_err();
    assert_eq!(e.to_string(), "broker setting 'inSyncReplicas' does not exist in RocketMQ 4.9.x (5.x only)");
    let e = BrokerConfig::defaults(Version::V5).set("haSlaveFallbehindMax", "1").unwrap_err();
    assert!(e.to_string().contains("4.9.x only"), "{e}");
    let e = ConsumerConfig::defaults(Version::V4_9).set("rocketmq.client.rebalance.minInterval", "1").unwrap_err();
    assert!(matches!(e, ConfigError::NotInVersion { .. }), "{e:?}");
}

#[test]
fn bad_values_are_named_with_what_is_accepted() {
    let mut b = BrokerConfig::defaults(Version::V5);
    let e = b.set("brokerRole", "MASTER").unwrap_err().to_string();
    assert_eq!(e, "bad value 'MASTER' for brokerRole: expected ASYNC_MASTER, SYNC_MASTER or SLAVE");
    let e = b.set("flushDiskType", "sync").unwrap_err().to_string();
    assert!(e.contains("ASYNC_FLUSH or SYNC_FLUSH"), "{e}");
    let e = b.set("longPollingEnable", "yes").unwrap_err().to_string();
    assert!(e.contains("true or false"), "{e}");
    let e = b.set("flushIntervalCommitLog", "0").unwrap_err().to_string();
    assert_eq!(e, "bad value '0' for flushIntervalCommitLog: expected an integer (Java int), at least 1");
    let e = b.set("flushIntervalCommitLog", "3000000000").unwrap_err().to_string();
    assert!(e.contains("Java int"), "{e}");
    let e = b.set("brokerName", "").unwrap_err().to_string();
    assert!(e.contains("a non-empty name"), "{e}");
    let e = ConsumerConfig::defaults(Version::V5).set("allocateMessageQueueStrategy", "HASH").unwrap_err();
    assert!(e.to_string().contains("AVG or AVG_BY_CIRCLE"), "{e}");
    // Nothing changed.
    assert_eq!(b, BrokerConfig::defaults(Version::V5));
}

#[test]
fn every_setting_has_a_source_and_a_doc_and_names_are_unique() {
    let tables = [
        BrokerConfig::SETTINGS,
        ProducerConfig::SETTINGS,
        ConsumerConfig::SETTINGS,
        TopicConfig::SETTINGS,
        SubscriptionGroupConfig::SETTINGS,
    ];
    for table in tables {
        let mut names: Vec<&str> = table.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), table.len(), "duplicate names");
        for s in table {
            assert!(!s.source.is_empty() && !s.doc.trim().is_empty(), "{}", s.name);
        }
    }
    let in_sync = BrokerConfig::SETTINGS.iter().find(|s| s.name == "inSyncReplicas").unwrap();
    assert_eq!((in_sync.lines, in_sync.kind), (Lines::V5Only, Kind::Field));
    // Every default reads back through `get`, and `entries` lists exactly this line's names.
    for v in [Version::V4_9, Version::V5] {
        let b = BrokerConfig::defaults(v);
        let entries = b.entries();
        let expected = BrokerConfig::SETTINGS.iter().filter(|s| s.lines.includes(v)).count();
        assert_eq!(entries.len(), expected);
        for (name, value) in entries {
            assert_eq!(b.get(name).unwrap(), value);
            let mut copy = b.clone();
            copy.set(name, &value).unwrap();
            assert_eq!(copy, b, "{name}={value} round-trips");
        }
    }
}

fn broker(name: &str, id: i64, role: BrokerRole) -> BrokerConfig {
    BrokerConfig::member(Version::V5, name, id, role)
}

#[test]
fn a_master_and_slaves_per_group_is_a_valid_topology() {
    let brokers = [
        broker("a", 0, BrokerRole::SyncMaster),
        broker("a", 1, BrokerRole::Slave),
        broker("a", 2, BrokerRole::Slave),
        broker("b", 0, BrokerRole::AsyncMaster),
    ];
    assert_eq!(validate_topology(&brokers), Ok(()));
}

#[test]
fn topology_errors_are_clear() {
    let e =
        validate_topology(&[broker("a", 0, BrokerRole::AsyncMaster), broker("a", 0, BrokerRole::Slave)]).unwrap_err();
    assert_eq!(e, TopologyError::SlaveWithMasterId { broker_name: "a".into(), broker_id: 0 });
    assert!(e.to_string().contains("Slave's brokerId must be > 0"), "{e}");

    let e =
        validate_topology(&[broker("a", 0, BrokerRole::AsyncMaster), broker("b", 1, BrokerRole::Slave)]).unwrap_err();
    assert_eq!(e, TopologyError::NoMaster { broker_name: "b".into(), slave_ids: vec![1] });
    assert!(e.to_string().starts_with("broker group 'b' has no master (brokerId 0)"), "{e}");

    let e = validate_topology(&[broker("a", 3, BrokerRole::SyncMaster)]).unwrap_err();
    assert!(e.to_string().contains("a SYNC_MASTER has brokerId 3"), "{e}");

    let e = validate_topology(&[broker("a", 0, BrokerRole::AsyncMaster), broker("a", 0, BrokerRole::SyncMaster)])
        .unwrap_err();
    assert_eq!(e, TopologyError::DuplicateId { broker_name: "a".into(), broker_id: 0 });

    let e = validate_topology(&[
        broker("a", 0, BrokerRole::AsyncMaster),
        broker("a", 1, BrokerRole::Slave),
        broker("a", 1, BrokerRole::Slave),
    ]);
    assert_eq!(e, Err(TopologyError::DuplicateId { broker_name: "a".into(), broker_id: 1 }));

    assert_eq!(validate_topology(&[]), Err(TopologyError::NoBrokers));
    let mixed =
        [broker("a", 0, BrokerRole::AsyncMaster), BrokerConfig::member(Version::V4_9, "b", 0, BrokerRole::AsyncMaster)];
    assert!(validate_topology(&mixed).unwrap_err().to_string().contains("4.9.x"));
}
