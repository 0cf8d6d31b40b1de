//! `CooperativeStickyAssignor`: the sticky assignment, minus every partition that
//! would change owner in this rebalance.
//!
//! Such a partition is left unassigned for now: its current owner sees it revoked,
//! rejoins, and the follow-up rebalance hands it to the new owner. On the
//! constrained path the builder records those partitions as it assigns them; on the
//! general path they are the partitions newly assigned to one member that another
//! member listed in its protocol `ownedPartitions`.

use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};

use super::sticky::{self, wire_owned, Flavor};
use super::{AssignError, Group, TopicPartition};

pub(crate) fn assign(g: &Group, max_generation: &mut i32) -> Result<Vec<Vec<TopicPartition>>, AssignError> {
    let outcome = sticky::assign(g, Flavor::Cooperative, max_generation)?;
    let mut lists = outcome.lists;
    let transferring = match outcome.transferring {
        Some(t) => t,
        None => transferring_ownership(g, &lists),
    };
    for (tp, c) in transferring {
        if let Some(pos) = lists[c].iter().position(|x| *x == tp) {
            lists[c].remove(pos);
        }
    }
    Ok(lists)
}

/// `computePartitionsTransferringOwnership`: partitions added to some member that some
/// (other) member revokes.
fn transferring_ownership(g: &Group, lists: &[Vec<TopicPartition>]) -> BTreeMap<TopicPartition, usize> {
    let mut added: BTreeMap<TopicPartition, usize> = BTreeMap::new();
    let mut revoked: BTreeSet<TopicPartition> = BTreeSet::new();
    for &c in &g.hash_order {
        let owned: BTreeSet<TopicPartition> = wire_owned(g, c).into_iter().btree_set();
        let assigned: BTreeSet<&TopicPartition> = lists[c].iter().btree_set();
        for tp in &lists[c] {
            if !owned.contains(tp) {
                added.insert(tp.clone(), c);
            }
        }
        for tp in &owned {
            if !assigned.contains(tp) {
                revoked.insert(tp.clone());
            }
        }
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}
