//! Per-topic settings (`CM/TopicConfig.java`) and per-consumer-group settings kept on the
//! broker (`SubscriptionGroupConfig.java`: `R/protocol/subscription/` in 5.x,
//! `CM/subscription/` in 4.9.x).

settings! {
    /// A topic's queues on one broker group.
    "topic", TopicConfig (v) {
        /// Queue ids 0..readQueueNums-1 are consumed (`TopicConfig.defaultReadQueueNums`; the
        /// admin tool's updateTopic uses 8 when -r is not given).
        read_queue_nums: i32 = 16,
            "readQueueNums", Both, Field, min 1, "CM/TopicConfig.java";
        /// Queue ids 0..writeQueueNums-1 are written (`TopicConfig.defaultWriteQueueNums`).
        write_queue_nums: i32 = 16,
            "writeQueueNums", Both, Field, min 1, "CM/TopicConfig.java";
        /// `PermName` bits: 4 read, 2 write, 1 inherit; 6 is read and write.
        perm: i32 = 6,
            "perm", Both, Field, min 0, "CM/TopicConfig.java, CM/constant/PermName.java";
    }
}

settings! {
    /// A consumer group's settings on the broker.
    "subscription group", SubscriptionGroupConfig (v) {
        /// The broker id pulls are suggested to normally (0: the master).
        broker_id: i64 = 0,
            "brokerId", Both, Field, min 0, "SubscriptionGroupConfig.java";
        /// The broker id suggested to a consumer that is consuming slowly (needs
        /// slaveReadEnable on the broker).
        which_broker_when_consume_slowly: i64 = 1,
            "whichBrokerWhenConsumeSlowly", Both, Field, min 0, "SubscriptionGroupConfig.java; B/processor/PullMessageProcessor";
        /// Queues of the group's %RETRY% topic.
        retry_queue_nums: i32 = 1,
            "retryQueueNums", Both, Field, min 1, "SubscriptionGroupConfig.java";
        /// Reconsume attempts before the DLQ when the client does not say.
        retry_max_times: i32 = 16,
            "retryMaxTimes", Both, Field, min 0, "SubscriptionGroupConfig.java";
    }
}
