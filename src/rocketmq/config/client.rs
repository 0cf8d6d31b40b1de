//! Client settings: the producer (`C/producer/DefaultMQProducer.java`), the push consumer
//! (`C/consumer/DefaultMQPushConsumer.java`, `C/impl/consumer/`), and the timers both share
//! (`C/ClientConfig.java`). Times are milliseconds unless a doc says otherwise.

use super::values::{ConsumeFromWhere, MessageModel};
use crate::rocketmq::allocate::AllocateStrategy;

const NONE: i64 = i64::MIN;

settings! {
    /// A producer's settings, RocketMQ's names and defaults.
    "producer", ProducerConfig (v) {
        /// Time for a whole sync send, retries included.
        send_msg_timeout: i32 = 3_000,
            "sendMsgTimeout", Both, Field, min 1, "C/producer/DefaultMQProducer.java";
        /// Extra attempts of a sync send (so 3 in all).
        retry_times_when_send_failed: i32 = 2,
            "retryTimesWhenSendFailed", Both, Field, min 0, "C/producer/DefaultMQProducer.java; C/impl/producer/DefaultMQProducerImpl.sendDefaultImpl";
        /// Extra attempts of an async send, after network failures or timeouts only.
        retry_times_when_send_async_failed: i32 = 2,
            "retryTimesWhenSendAsyncFailed", Both, Field, min 0, "C/producer/DefaultMQProducer.java; C/impl/MQClientAPIImpl";
        /// Retry on another broker when the send was stored but not flushed or replicated.
        retry_another_broker_when_not_store_ok: bool = false,
            "retryAnotherBrokerWhenNotStoreOK", Both, Field, min NONE, "C/producer/DefaultMQProducer.java";
        /// Latency fault tolerance: avoid brokers that were slow or failed. 4.9.x keeps it in
        /// `C/latency/MQFaultStrategy`; 5.x also reads system property
        /// com.rocketmq.sendLatencyEnable (`ClientConfig.sendLatencyEnable`).
        send_latency_fault_enable: bool = false,
            "sendLatencyFaultEnable", Both, Field, min NONE, "C/latency/MQFaultStrategy.java, C/producer/DefaultMQProducer.setSendLatencyFaultEnable; C/ClientConfig.java (5.x)";
        /// Largest message the producer sends (bytes).
        max_message_size: i32 = 4 * 1024 * 1024,
            "maxMessageSize", Both, Field, min 1, "C/producer/DefaultMQProducer.java";
        /// Queues asked for when a send auto-creates its topic.
        default_topic_queue_nums: i32 = 4,
            "defaultTopicQueueNums", Both, Field, min 1, "C/producer/DefaultMQProducer.java";
        /// How often the client refreshes topic routes from the name server.
        poll_name_server_interval: i32 = 30_000,
            "pollNameServerInterval", Both, Field, min 1, "C/ClientConfig.java; C/impl/factory/MQClientInstance.startScheduledTask";
        /// How often the client sends heartbeats to every broker.
        heartbeat_broker_interval: i32 = 30_000,
            "heartbeatBrokerInterval", Both, Field, min 1, "C/ClientConfig.java";
    }
}

settings! {
    /// A push consumer's settings, RocketMQ's names and defaults.
    "consumer", ConsumerConfig (v) {
        /// CLUSTERING (queues shared in the group) or BROADCASTING (every consumer reads all).
        message_model: MessageModel = MessageModel::Clustering,
            "messageModel", Both, Field, min NONE, "C/consumer/DefaultMQPushConsumer.java";
        /// Where a group with no committed offset starts.
        consume_from_where: ConsumeFromWhere = ConsumeFromWhere::ConsumeFromLastOffset,
            "consumeFromWhere", Both, Field, min NONE, "C/consumer/DefaultMQPushConsumer.java; C/impl/consumer/RebalancePushImpl";
        /// How queues are shared in the group (`getName()` of the strategy).
        allocate_message_queue_strategy: AllocateStrategy = AllocateStrategy::Averagely,
            "allocateMessageQueueStrategy", Both, Field, min NONE, "C/consumer/DefaultMQPushConsumer.java; C/consumer/rebalance/";
        /// Most messages asked for per pull.
        pull_batch_size: i32 = 32,
            "pullBatchSize", Both, Field, min 1, "C/consumer/DefaultMQPushConsumer.java";
        /// Messages per listener call.
        consume_message_batch_max_size: i32 = 1,
            "consumeMessageBatchMaxSize", Both, Field, min 1, "C/consumer/DefaultMQPushConsumer.java";
        /// Delay after a pull that found messages.
        pull_interval: i64 = 0,
            "pullInterval", Both, Field, min 0, "C/consumer/DefaultMQPushConsumer.java";
        /// Flow control: most messages cached per queue.
        pull_threshold_for_queue: i32 = 1_000,
            "pullThresholdForQueue", Both, Field, min 1, "C/consumer/DefaultMQPushConsumer.java";
        /// Concurrent mode: stop pulling when the offsets held in a queue span more than this.
        consume_concurrently_max_span: i32 = 2_000,
            "consumeConcurrentlyMaxSpan", Both, Field, min 1, "C/consumer/DefaultMQPushConsumer.java";
        /// -1: 16 for concurrent listeners, Integer.MAX_VALUE for orderly ones.
        max_reconsume_times: i32 = -1,
            "maxReconsumeTimes", Both, Field, min -1, "C/consumer/DefaultMQPushConsumer.java";
        /// Orderly: back-off after SUSPEND_CURRENT_QUEUE_A_MOMENT.
        suspend_current_queue_time_millis: i64 = 1_000,
            "suspendCurrentQueueTimeMillis", Both, Field, min 0, "C/consumer/DefaultMQPushConsumer.java";
        /// Minutes a message may be held before it is sent back.
        consume_timeout: i64 = 15,
            "consumeTimeout", Both, Field, min 1, "C/consumer/DefaultMQPushConsumer.java; C/impl/consumer/ProcessQueue.cleanExpiredMsg";
        /// How often all consumer offsets are sent to the brokers (first after 10 s).
        persist_consumer_offset_interval: i32 = 5_000,
            "persistConsumerOffsetInterval", Both, Field, min 1, "C/ClientConfig.java; C/impl/factory/MQClientInstance";
        /// How often the client refreshes topic routes from the name server.
        poll_name_server_interval: i32 = 30_000,
            "pollNameServerInterval", Both, Field, min 1, "C/ClientConfig.java; C/impl/factory/MQClientInstance.startScheduledTask";
        /// How often the client sends heartbeats to every broker.
        heartbeat_broker_interval: i32 = 30_000,
            "heartbeatBrokerInterval", Both, Field, min 1, "C/ClientConfig.java";
        /// Retry delay of a pull that failed. `DefaultMQPushConsumerImpl` declares 3000, but its
        /// constructor replaces that with the consumer's `ClientConfig` value, 1000.
        pull_time_delay_mills_when_exception: i64 = 1_000,
            "pullTimeDelayMillsWhenException", Both, Field, min 0, "C/ClientConfig.java; C/impl/consumer/DefaultMQPushConsumerImpl constructor";
        /// How long the broker may hold a long-polling pull (`suspendTimeoutMillis` in the
        /// header). A constant for the push consumer (BROKER_SUSPEND_MAX_TIME_MILLIS); the pull
        /// consumers have a field of this name with 20000.
        broker_suspend_max_time_millis: i64 = 15_000,
            "brokerSuspendMaxTimeMillis", Both, Constant, min 1, "C/impl/consumer/DefaultMQPushConsumerImpl.java";
        /// Time between rebalances when nothing wakes the rebalance service.
        rebalance_wait_interval: i64 = 20_000,
            "rocketmq.client.rebalance.waitInterval", Both, SystemProperty, min 1, "C/impl/consumer/RebalanceService.java";
        /// 5.x: least time between two rebalances, and the wait after an unbalanced one.
        rebalance_min_interval: i64 = 1_000,
            "rocketmq.client.rebalance.minInterval", V5Only, SystemProperty, min 0, "C/impl/consumer/RebalanceService.java (5.x)";
    }
}
