//! What does not change during a run: the cluster's shape and configuration, and how
//! network nodes map to name servers, brokers and clients.

use crate::kernel::NodeId;
use crate::rocketmq::config::{
    validate_topology, BrokerConfig, BrokerRole, ConsumerConfig, FlushDiskType, ProducerConfig,
    SubscriptionGroupConfig, TopicConfig, TopologyError, Version,
};
use crate::rocketmq::types::{BrokerIndex, MASTER_ID};

#[derive(Clone, Debug, PartialEq)]
pub struct TopicSpec {
    pub name: String,
    /// The topic's queues on every broker group.
    pub config: TopicConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProducerSpec {
    pub name: String,
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerSpec {
    pub name: String,
    /// `clientIP@instanceName`; allocation sorts these as strings.
    pub client_id: String,
    pub group: String,
    pub topics: Vec<u32>,
    pub config: ConsumerConfig,
    /// When the consumer starts.
    pub start_ms: u64,
    /// How long the listener takes per batch (`consumeMessageBatchMaxSize` messages).
    pub consume_ms: u64,
}

/// The whole configuration of a RocketMQ run.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub version: Version,
    pub name_servers: u32,
    /// Every broker: masters (brokerId 0) and slaves, any order.
    pub brokers: Vec<BrokerConfig>,
    /// Broker names (`brokerName`), sorted as Java strings: group `g` is `groups[g]`.
    pub groups: Vec<String>,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    /// Every consumer group's settings on the brokers.
    pub subscription_group: SubscriptionGroupConfig,
    /// Bytes a stored message takes in the CommitLog (a simplification: one size for all).
    pub message_size: u64,
    /// The broker host's RAM, of which `accessMessageInMemoryMaxRatio` % counts as "in
    /// memory" (RocketMQ reads the machine's physical memory).
    pub physical_memory: u64,
    /// Name server: a broker silent this long is removed
    /// (`RouteInfoManager.DEFAULT_BROKER_CHANNEL_EXPIRED_TIME`).
    pub broker_channel_expired_time: u64,
    /// Name server: how often it looks for silent brokers (`scanNotActiveBrokerInterval`).
    pub scan_not_active_broker_interval: u64,
}

impl Spec {
    /// A cluster of `brokers` (checked as RocketMQ's start-up would) with one name server
    /// and nothing else; add topics and clients with the other builders.
    pub fn new(version: Version, brokers: Vec<BrokerConfig>) -> Result<Spec, TopologyError> {
        validate_topology(&brokers)?;
        let mut groups: Vec<String> = brokers.iter().map(|b| b.broker_name.clone()).collect();
        groups.sort_by(|a, b| crate::rocketmq::allocate::java_string_cmp(a, b));
        groups.dedup();
        Ok(Spec {
            version,
            name_servers: 1,
            brokers,
            groups,
            topics: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            subscription_group: SubscriptionGroupConfig::defaults(version),
            message_size: 256,
            physical_memory: 1 << 30,
            broker_channel_expired_time: 120_000,
            scan_not_active_broker_interval: 5_000,
        })
    }

    /// Classic master/slave groups named `names`, each a master with `role` and
    /// `slaves` slaves (brokerId 1, 2, ...), all with `flush`.
    pub fn classic(
        version: Version,
        names: &[&str],
        role: BrokerRole,
        flush: FlushDiskType,
        slaves: u32,
    ) -> Result<Spec, TopologyError> {
        let mut brokers = Vec::new();
        for name in names {
            let mut master = BrokerConfig::member(version, name, MASTER_ID, role);
            master.flush_disk_type = flush;
            brokers.push(master);
            for id in 1..=slaves {
                let mut slave = BrokerConfig::member(version, name, id as i64, BrokerRole::Slave);
                slave.flush_disk_type = flush;
                brokers.push(slave);
            }
        }
        Spec::new(version, brokers)
    }

    /// Adds a topic with `queues` read and write queues on every group; returns its index.
    pub fn topic(&mut self, name: &str, queues: i32) -> u32 {
        let mut config = TopicConfig::defaults(self.version);
        config.read_queue_nums = queues;
        config.write_queue_nums = queues;
        self.topics.push(TopicSpec { name: name.to_string(), config });
        self.topics.len() as u32 - 1
    }

    /// Adds a producer with default settings; returns its index.
    pub fn producer(&mut self, name: &str) -> u32 {
        self.producers.push(ProducerSpec { name: name.to_string(), config: ProducerConfig::defaults(self.version) });
        self.producers.len() as u32 - 1
    }

    /// Adds a push consumer of `group` on `topics`, client id = `name`; returns its index.
    pub fn consumer(&mut self, name: &str, group: &str, topics: &[u32]) -> u32 {
        self.consumers.push(ConsumerSpec {
            name: name.to_string(),
            client_id: name.to_string(),
            group: group.to_string(),
            topics: topics.to_vec(),
            config: ConsumerConfig::defaults(self.version),
            start_ms: 0,
            consume_ms: 1,
        });
        self.consumers.len() as u32 - 1
    }

    /// What a scenario could get wrong that the builders do not prevent: clients naming
    /// topics that do not exist, queue counts or sizes of zero, empty names. The first
    /// problem found, in words.
    pub fn validate(&self) -> Result<(), String> {
        for t in &self.topics {
            if t.config.read_queue_nums < 1 || t.config.write_queue_nums < 1 {
                return Err(format!("topic '{}': readQueueNums and writeQueueNums must be at least 1", t.name));
            }
        }
        for c in &self.consumers {
            if c.client_id.is_empty() || c.group.is_empty() {
                return Err(format!("consumer '{}': an empty client id or consumer group", c.name));
            }
            if c.topics.is_empty() {
                return Err(format!("consumer '{}' subscribes to no topic", c.name));
            }
            if let Some(t) = c.topics.iter().find(|t| **t as usize >= self.topics.len()) {
                return Err(format!("consumer '{}' subscribes to topic {t}, which does not exist", c.name));
            }
        }
        if self.message_size == 0 || self.name_servers == 0 {
            return Err("message_size and name_servers must be at least 1".to_string());
        }
        Ok(())
    }

    /// Sets a setting on every broker by RocketMQ's name.
    pub fn set_brokers(&mut self, name: &str, value: &str) -> Result<(), crate::rocketmq::config::ConfigError> {
        for b in &mut self.brokers {
            b.set(name, value)?;
        }
        Ok(())
    }

    pub fn namesrv_node(&self, i: u32) -> NodeId {
        NodeId(i)
    }
    pub fn broker_node(&self, b: BrokerIndex) -> NodeId {
        NodeId(self.name_servers + b as u32)
    }
    pub fn producer_node(&self, i: u32) -> NodeId {
        NodeId(self.name_servers + self.brokers.len() as u32 + i)
    }
    pub fn consumer_node(&self, i: u32) -> NodeId {
        NodeId(self.name_servers + self.brokers.len() as u32 + self.producers.len() as u32 + i)
    }
    pub fn node_count(&self) -> u32 {
        self.name_servers + (self.brokers.len() + self.producers.len() + self.consumers.len()) as u32
    }

    /// What a node is.
    pub fn role_of(&self, node: NodeId) -> NodeRole {
        let n = node.0;
        let brokers = self.brokers.len() as u32;
        let producers = self.producers.len() as u32;
        if n < self.name_servers {
            NodeRole::NameServer(n)
        } else if n < self.name_servers + brokers {
            NodeRole::Broker((n - self.name_servers) as usize)
        } else if n < self.name_servers + brokers + producers {
            NodeRole::Producer(n - self.name_servers - brokers)
        } else {
            NodeRole::Consumer(n - self.name_servers - brokers - producers)
        }
    }

    /// The group index of broker `b`.
    pub fn group_of(&self, b: BrokerIndex) -> u32 {
        let name = &self.brokers[b].broker_name;
        self.groups.iter().position(|g| g == name).expect("every broker's group is listed") as u32
    }

    /// The brokers of group `g`, sorted by brokerId.
    pub fn members(&self, g: u32) -> Vec<BrokerIndex> {
        let mut m: Vec<BrokerIndex> =
            (0..self.brokers.len()).filter(|b| self.brokers[*b].broker_name == self.groups[g as usize]).collect();
        m.sort_by_key(|b| self.brokers[*b].broker_id);
        m
    }

    /// The master (brokerId 0) of group `g`.
    pub fn master_of(&self, g: u32) -> BrokerIndex {
        self.members(g)[0]
    }

    /// Display name of a node: `namesrv-0`, `broker-a-0` (brokerName, brokerId), or the client's name.
    pub fn node_name(&self, node: NodeId) -> String {
        match self.role_of(node) {
            NodeRole::NameServer(i) => format!("namesrv-{i}"),
            NodeRole::Broker(b) => format!("{}-{}", self.brokers[b].broker_name, self.brokers[b].broker_id),
            NodeRole::Producer(p) => self.producers[p as usize].name.clone(),
            NodeRole::Consumer(c) => self.consumers[c as usize].name.clone(),
        }
    }
}

/// What a network node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRole {
    NameServer(u32),
    Broker(BrokerIndex),
    Producer(u32),
    Consumer(u32),
}
