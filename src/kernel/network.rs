//! The simulated network: every RPC is a message with a latency, possibly dropped.
//!
//! Each directed link delivers in order (Kafka runs over TCP, which never reorders a
//! connection), so jitter can delay a message but never overtake an earlier one on the
//! same link. Faults: a drop probability, cut links (one direction or both), partitions
//! (groups that cannot reach each other), isolated nodes and slow nodes (extra latency on
//! everything they send or receive). A message that arrives while its link is cut is lost,
//! as a broken TCP connection loses what it had not delivered. (Only the state at arrival
//! counts: a link cut and healed while a message is on the way does not lose it.)
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{NodeId, Prng, Time};

/// A probability as an integer ratio: no floats anywhere near the random stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    pub numerator: u32,
    pub denominator: u32,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { numerator: 0, denominator: 1 };
    pub fn new(numerator: u32, denominator: u32) -> Ratio {
        assert!(denominator > 0, "ratio with zero denominator");
        Ratio { numerator, denominator }
    }
}

impl Default for Ratio {
    fn default() -> Self {
        Ratio::ZERO
    }
}

/// Latency and loss of every link unless a fault says otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// One-way latency in ms before jitter.
    pub latency_ms: u64,
    /// Extra latency drawn uniformly from `0..=jitter_ms`.
    pub jitter_ms: u64,
    /// Probability that a message is lost.
    pub drop: Ratio,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { latency_ms: 2, jitter_ms: 1, drop: Ratio::ZERO }
    }
}

/// Network faults, applied by the kernel itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NetFault {
    /// Cut the link between two nodes, both directions.
    Cut(NodeId, NodeId),
    /// Cut one direction only: `from` can no longer reach `to`.
    CutOneWay(NodeId, NodeId),
    /// Restore both directions between two nodes.
    Heal(NodeId, NodeId),
    /// Cut every link of one node.
    Isolate(NodeId),
    /// Nodes in different groups cannot talk; nodes in no group are unaffected.
    Partition(Vec<Vec<NodeId>>),
    /// Remove every cut.
    HealAll,
    /// Add latency to everything a node sends or receives (0 = back to normal).
    Slow(NodeId, u64),
    /// Change the drop probability for every link.
    SetDrop(Ratio),
    /// Lose the next `count` messages from `from` to `to` (of message kind `kind`, if
    /// given): a targeted fault, e.g. "the next ProduceResponse never arrives".
    DropNext { from: NodeId, to: NodeId, kind: Option<String>, count: u32 },
}

/// What happens to a message at delivery time. A lost message breaks its connection: the
/// simulation then loses everything else in flight between the same two nodes too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fate {
    Deliver,
    /// Lost by the random drop probability (decided at send time, shown on arrival).
    Lost,
}

#[derive(Clone, Debug, Default)]
pub struct Network {
    pub config: NetworkConfig,
    cuts: BTreeSet<(NodeId, NodeId)>,
    slow: BTreeMap<NodeId, u64>,
    /// Per directed link, the latest delivery time scheduled (for in-order delivery).
    last_arrival: BTreeMap<(NodeId, NodeId), Time>,
    /// Every node the network knows about, for `Isolate`.
    nodes: u32,
    /// Pending targeted drops: (from, to, kind, how many more).
    drop_next: Vec<(NodeId, NodeId, Option<String>, u32)>,
}

impl Network {
    pub fn new(config: NetworkConfig, nodes: u32) -> Network {
        Network { config, nodes, ..Default::default() }
    }

    pub fn node_count(&self) -> u32 {
        self.nodes
    }

    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.contains(&(from, to))
    }

    pub fn cuts(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cuts.iter()
    }

    pub fn slowness(&self, node: NodeId) -> u64 {
        self.slow.get(&node).copied().unwrap_or(0)
    }

    /// Schedule a message: when it arrives and whether it is lost on the way.
    pub fn route(&mut self, from: NodeId, to: NodeId, kind: &str, now: Time, prng: &mut Prng) -> (Time, Fate) {
        let jitter = if self.config.jitter_ms > 0 { prng.between(0, self.config.jitter_ms) } else { 0 };
        let mut fate = if prng.chance(self.config.drop) { Fate::Lost } else { Fate::Deliver };
        if let Some(rule) = self
            .drop_next
            .iter_mut()
            .find(|(f, t, k, n)| *f == from && *t == to && *n > 0 && k.as_deref().is_none_or(|k| k == kind))
        {
            rule.3 -= 1;
            fate = Fate::Lost;
        }
        self.drop_next.retain(|r| r.3 > 0);
        let mut at = now + self.config.latency_ms + jitter + self.slowness(from) + self.slowness(to);
        if from == to {
            at = now;
        }
        let last = self.last_arrival.entry((from, to)).or_insert(0);
        if at < *last {
            at = *last;
        }
        *last = at;
        (at, fate)
    }

    pub fn apply(&mut self, fault: &NetFault) {
        match fault {
            NetFault::Cut(a, b) => {
                self.cuts.insert((*a, *b));
                self.cuts.insert((*b, *a));
            }
            NetFault::CutOneWay(a, b) => {
                self.cuts.insert((*a, *b));
            }
            NetFault::Heal(a, b) => {
                self.cuts.remove(&(*a, *b));
                self.cuts.remove(&(*b, *a));
            }
            NetFault::Isolate(n) => {
                for other in (0..self.nodes).map(NodeId) {
                    if other != *n {
                        self.cuts.insert((*n, other));
                        self.cuts.insert((other, *n));
                    }
                }
            }
            NetFault::Partition(groups) => {
                for (i, g) in groups.iter().enumerate() {
                    for h in groups.iter().skip(i + 1) {
                        for a in g {
                            for b in h {
                                self.cuts.insert((*a, *b));
                                self.cuts.insert((*b, *a));
                            }
                        }
                    }
                }
            }
            NetFault::HealAll => self.cuts.clear(),
            NetFault::Slow(n, ms) => {
                if *ms == 0 {
                    self.slow.remove(n);
                } else {
                    self.slow.insert(*n, *ms);
                }
            }
            NetFault::SetDrop(r) => self.config.drop = *r,
            NetFault::DropNext { from, to, kind, count } => self.drop_next.push((*from, *to, kind.clone(), *count)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_never_reorders_even_with_jitter() {
        let mut net = Network::new(NetworkConfig { latency_ms: 5, jitter_ms: 50, drop: Ratio::ZERO }, 2);
        let mut prng = Prng::new(9);
        let mut last = 0;
        for now in 0..200 {
            let (at, _) = net.route(NodeId(0), NodeId(1), "M", now, &mut prng);
            assert!(at >= last && at >= now + 5);
            last = at;
        }
    }

    #[test]
    fn partition_cuts_across_groups_only() {
        let mut net = Network::new(NetworkConfig::default(), 4);
        net.apply(&NetFault::Partition(vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]));
        assert!(net.is_cut(NodeId(0), NodeId(2)) && net.is_cut(NodeId(2), NodeId(1)));
        assert!(!net.is_cut(NodeId(0), NodeId(1)));
        assert!(!net.is_cut(NodeId(3), NodeId(0)));
        net.apply(&NetFault::HealAll);
        assert!(!net.is_cut(NodeId(0), NodeId(2)));
    }

    #[test]
    fn drop_next_loses_exactly_the_targeted_messages() {
        let mut net = Network::new(NetworkConfig::default(), 2);
        let mut prng = Prng::new(3);
        net.apply(&NetFault::DropNext { from: NodeId(1), to: NodeId(0), kind: Some("Ack".into()), count: 2 });
        let fates: Vec<Fate> =
            ["Data", "Ack", "Ack", "Ack"].iter().map(|k| net.route(NodeId(1), NodeId(0), k, 0, &mut prng).1).collect();
        assert_eq!(fates, vec![Fate::Deliver, Fate::Lost, Fate::Lost, Fate::Deliver]);
        assert_eq!(net.route(NodeId(0), NodeId(1), "Ack", 0, &mut prng).1, Fate::Deliver, "other direction untouched");
    }

    #[test]
    fn slow_node_adds_latency_both_ways() {
        let mut net = Network::new(NetworkConfig { latency_ms: 2, jitter_ms: 0, drop: Ratio::ZERO }, 2);
        let mut prng = Prng::new(1);
        net.apply(&NetFault::Slow(NodeId(1), 100));
        assert_eq!(net.route(NodeId(0), NodeId(1), "M", 10, &mut prng).0, 112);
        assert_eq!(net.route(NodeId(1), NodeId(0), "M", 10, &mut prng).0, 112);
    }
}
