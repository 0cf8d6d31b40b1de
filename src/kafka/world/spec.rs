//! What does not change during a run (the cluster's shape, topics, clients and their
//! configuration), which network node is which, and Kafka's replica placement.
use serde::{Deserialize, Serialize};

use crate::kafka::config::{BrokerConfig, ConsumerConfig, ProducerConfig, ReaderConfig, TopicOverrides};
use crate::kafka::types::{BrokerId, Tp};
use crate::kernel::NodeId;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub overrides: TopicOverrides,
    /// Replica list per partition, in assignment order (the first is the preferred leader).
    pub assignment: Vec<Vec<BrokerId>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducerSpec {
    pub name: String,
    pub config: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConsumerSpec {
    pub name: String,
    pub group: String,
    pub topics: Vec<u32>,
    pub config: ConsumerConfig,
    pub start_ms: u64,
    /// A consume-transform-produce application: every processed record is written to
    /// this topic by a producer in the same process (transactional if it has a
    /// `transactional.id`, then the input offsets are committed in the transaction).
    pub transform: Option<TransformSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransformSpec {
    pub topic: u32,
    pub producer: ProducerConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReaderSpec {
    pub name: String,
    pub topic: u32,
    pub config: ReaderConfig,
    pub start_ms: u64,
}

/// What does not change during a run: the cluster's shape and configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    pub broker_count: u32,
    pub broker: BrokerConfig,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub readers: Vec<ReaderSpec>,
    pub consumers: Vec<ConsumerSpec>,
    pub voters: Vec<BrokerId>,
    /// Index of `__consumer_offsets` in `topics`, when the scenario has consumer groups.
    pub offsets_topic: Option<u32>,
    /// Index of `__transaction_state` in `topics`, when some producer is transactional.
    pub transaction_topic: Option<u32>,
}

impl Spec {
    /// A topic's log settings; Kafka's internal topics are compacted, so never deleted here.
    pub fn log_config(&self, topic: u32) -> crate::kafka::broker::log::LogConfig {
        let t = &self.topics[topic as usize];
        if t.name.starts_with("__") {
            return crate::kafka::broker::log::LogConfig::keep_everything();
        }
        self.broker.log_config(&t.overrides)
    }
    pub fn min_insync_replicas(&self, topic: u32) -> u32 {
        self.topics[topic as usize].overrides.min_insync_replicas.unwrap_or(self.broker.min_insync_replicas)
    }
    pub fn unclean_leader_election(&self, topic: u32) -> bool {
        self.topics[topic as usize]
            .overrides
            .unclean_leader_election_enable
            .unwrap_or(self.broker.unclean_leader_election_enable)
    }
    pub fn producer_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + i)
    }
    pub fn reader_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + self.producers.len() as u32 + i)
    }
    pub fn consumer_node(&self, i: u32) -> NodeId {
        NodeId(self.broker_count + self.producers.len() as u32 + self.readers.len() as u32 + i)
    }
    pub fn brokers(&self) -> impl Iterator<Item = BrokerId> {
        (1..=self.broker_count).map(BrokerId)
    }
    pub fn tp_name(&self, tp: Tp) -> String {
        format!("{}-{}", self.topics[tp.topic as usize].name, tp.partition)
    }
    /// Client index of the producer inside consumer `c` (after the plain producers).
    pub fn embedded_producer_index(&self, c: u32) -> u32 {
        self.producers.len() as u32 + c
    }
    /// The settings of a producer by client index (embedded ones included).
    pub fn producer_config(&self, i: u32) -> Option<&ProducerConfig> {
        match self.producers.get(i as usize) {
            Some(p) => Some(&p.config),
            None => self.consumers.get(i as usize - self.producers.len())?.transform.as_ref().map(|t| &t.producer),
        }
    }
    /// Display name of a producer by client index (embedded ones are named after their consumer).
    pub fn producer_name(&self, i: u32) -> String {
        match self.producers.get(i as usize) {
            Some(p) => p.name.clone(),
            None => self
                .consumers
                .get(i as usize - self.producers.len())
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("producer {i}")),
        }
    }
    /// Display name of a network node.
    pub fn node_name(&self, node: NodeId) -> String {
        let n = node.0;
        if n < self.broker_count {
            format!("broker {}", n + 1)
        } else if n < self.broker_count + self.producers.len() as u32 {
            self.producers[(n - self.broker_count) as usize].name.clone()
        } else {
            let i = (n - self.broker_count - self.producers.len() as u32) as usize;
            match self.readers.get(i) {
                Some(r) => r.name.clone(),
                None => self
                    .consumers
                    .get(i - self.readers.len())
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| format!("node {n}")),
            }
        }
    }
}

/// Kafka's rack-unaware replica placement (`AdminUtils.assignReplicasToBrokers`) with a
/// fixed start index and replica shift, so the same topic is placed the same way every run.
pub fn place_replicas(brokers: u32, partitions: u32, replication_factor: u32, start_index: u32) -> Vec<Vec<BrokerId>> {
    assert!(replication_factor >= 1 && replication_factor <= brokers);
    let n = brokers;
    let mut shift = start_index;
    (0..partitions)
        .map(|p| {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = (p + start_index) % n;
            let mut replicas = vec![BrokerId(first + 1)];
            for j in 0..replication_factor - 1 {
                let s = 1 + (shift + j) % (n - 1);
                replicas.push(BrokerId((first + s) % n + 1));
            }
            replicas
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[Vec<BrokerId>]) -> Vec<Vec<u32>> {
        v.iter().map(|r| r.iter().map(|b| b.0).collect()).collect()
    }

    #[test]
    fn placement_matches_kafkas_admin_utils_with_fixed_start() {
        assert_eq!(ids(&place_replicas(3, 3, 3, 0)), vec![vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2]]);
        // After a full round, the second replica shifts by one more.
        assert_eq!(ids(&place_replicas(3, 4, 2, 0))[3], vec![1, 3]);
        assert_eq!(ids(&place_replicas(5, 2, 3, 0)), vec![vec![1, 2, 3], vec![2, 3, 4]]);
    }
}
