//! What Kafka's clients share: grouping partition fetches by leader (the consumer's
//! `Fetcher` sends one Fetch per node).
use std::collections::BTreeMap;

use super::message::{FetchPartition, PartitionState};
use super::types::{BrokerId, Tp};

/// The partitions to fetch, grouped by their leader, and whether some partition has no
/// known leader (then metadata needs a refresh). `skip(leader)` leaves a leader out for
/// now: a fetch to it is already in flight, or its connection is backing off.
pub fn fetches_by_leader(
    positions: impl Iterator<Item = (Tp, u64)>,
    metadata: &BTreeMap<Tp, PartitionState>,
    skip: impl Fn(BrokerId) -> bool,
) -> (BTreeMap<BrokerId, Vec<FetchPartition>>, bool) {
    let mut per_leader: BTreeMap<BrokerId, Vec<FetchPartition>> = BTreeMap::new();
    let mut missing_leader = false;
    for (tp, fetch_offset) in positions {
        match metadata.get(&tp).and_then(|s| s.leader.map(|l| (l, s.leader_epoch))) {
            Some((leader, epoch)) if !skip(leader) => per_leader.entry(leader).or_default().push(FetchPartition {
                tp,
                fetch_offset,
                last_fetched_epoch: None,
                current_leader_epoch: epoch,
            }),
            Some(_) => {}
            None => missing_leader = true,
        }
    }
    (per_leader, missing_leader)
}
