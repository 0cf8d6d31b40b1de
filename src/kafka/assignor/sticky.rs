//! The sticky family (`AbstractStickyAssignor`): shared by `sticky` (eager) and
//! `cooperative-sticky`.
//!
//! 1. Members are visited in the iteration order of the leader's `subscriptions`
//!    `HashMap` ([`Group::hash_order`]). On the way, Kafka checks whether all
//!    subscriptions are identical (a set that is still empty is re-initialised, so
//!    leading empty subscriptions are skipped), tracks the highest generation
//!    (`maxGeneration`, never reset), and cleans the owned partitions: partitions of
//!    topics that are not in the metadata are dropped; a partition claimed twice in
//!    the same generation is taken from both ("multiply claimed"); otherwise the
//!    higher generation wins.
//! 2. Identical subscriptions: the *constrained* builder (quotas, round robin over
//!    the members below quota). Otherwise the *general* builder (greedy assignment,
//!    then balancing moves with stickiness bookkeeping).
//!
//! Every ordering the result depends on is reproduced: `HashMap` order of member
//! ids, `HashMap` grouping of the eager assignor's user data by topic, the
//! `TreeSet` of members ordered by (assignment size, member id), sort orders, and
//! the first element of a `HashSet<TopicPartition>` during balancing. Where the real
//! code throws (`NullPointerException`, `IllegalStateException`, ...), an
//! [`AssignError::KafkaThrows`] is returned instead.

use crate::kernel::sort::stable_sort_by;
use crate::kernel::sort::CollectBTree;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::java_hashmap::{java_string_cmp, JavaHashMap};
use super::{kafka_throws, AssignError, Group, TopicPartition};

const DEFAULT_GENERATION: i32 = -1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `StickyAssignor`: owned partitions and generation come from its user data.
    Eager,
    /// `CooperativeStickyAssignor`: from the protocol's `ownedPartitions`/`generationId`.
    Cooperative,
}

pub(crate) struct StickyOutcome {
    /// Per member (input order), in the order the builder produced them.
    pub lists: Vec<Vec<TopicPartition>>,
    /// Constrained path: partition -> new owner for partitions changing owner.
    /// General path: `None` (the cooperative assignor computes it from the result).
    pub transferring: Option<BTreeMap<TopicPartition, usize>>,
}

fn npe(detail: &str) -> AssignError {
    kafka_throws("NullPointerException", detail)
}

fn tp_cmp_topic_then_partition(a: &TopicPartition, b: &TopicPartition) -> Ordering {
    java_string_cmp(&a.0, &b.0).then(a.1.cmp(&b.1))
}

fn remove_first(list: &mut Vec<TopicPartition>, tp: &TopicPartition) {
    if let Some(pos) = list.iter().position(|x| x == tp) {
        list.remove(pos);
    }
}

/// `CollectionUtils.groupPartitionsByTopic`: topics in the order of a `HashMap` filled
/// by `computeIfAbsent`, each topic's partitions in their original relative order.
pub fn group_partitions_by_topic(partitions: &[TopicPartition]) -> Vec<TopicPartition> {
    let mut topics: JavaHashMap<String> = JavaHashMap::new();
    let mut by_topic: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (t, p) in partitions {
        topics.compute_if_absent(t.clone());
        by_topic.entry(t.as_str()).or_default().push(*p);
    }
    topics.keys().flat_map(|t| by_topic[t.as_str()].iter().map(move |p| (t.clone(), *p))).collect()
}

/// `memberData(subscription)`: the owned partitions and generation the assignor reads.
fn member_data(g: &Group, flavor: Flavor, c: usize) -> (Vec<TopicPartition>, Option<i32>) {
    let m = &g.members[c];
    match flavor {
        // User data = the previous assignment re-encoded grouped by topic.
        Flavor::Eager => (group_partitions_by_topic(&m.owned), m.generation),
        Flavor::Cooperative => (wire_owned(g, c), m.generation),
    }
}

/// The protocol's `ownedPartitions` after the wire round trip: sorted by topic, then partition.
pub(crate) fn wire_owned(g: &Group, c: usize) -> Vec<TopicPartition> {
    let mut owned = g.members[c].owned.clone();
    stable_sort_by(&mut owned, &tp_cmp_topic_then_partition);
    owned
}

pub(crate) fn assign(g: &Group, flavor: Flavor, max_generation: &mut i32) -> Result<StickyOutcome, AssignError> {
    let ppt = &g.partitions_per_topic;
    let n = g.members.len();

    // Claims on partition numbers a topic does not have are out of scope (see AssignError).
    for (c, m) in g.members.iter().enumerate() {
        for (t, p) in member_data(g, flavor, c).0 {
            if let Some(&count) = ppt.get(&t) {
                if p >= count {
                    return Err(AssignError::OwnedPartitionOutOfRange {
                        member: m.id.clone(),
                        topic: t,
                        partition: p,
                        partitions: count,
                    });
                }
            }
        }
    }

    // allSubscriptionsEqual
    let mut all_equal = true;
    let mut subscribed: BTreeSet<&str> = BTreeSet::new();
    let mut previous_owner: BTreeMap<TopicPartition, usize> = BTreeMap::new();
    let mut owned: Vec<Vec<TopicPartition>> = vec![Vec::new(); n];
    let mut multiply_claimed: BTreeSet<TopicPartition> = BTreeSet::new();
    for &c in &g.hash_order {
        let topics = &g.members[c].topics;
        if subscribed.is_empty() {
            subscribed.extend(topics.iter().map(|t| t.as_str()));
        } else if all_equal
            && !(topics.len() == subscribed.len() && topics.iter().all(|t| subscribed.contains(t.as_str())))
        {
            all_equal = false;
        }
        let (partitions, generation) = member_data(g, flavor, c);
        let member_generation = generation.unwrap_or(DEFAULT_GENERATION);
        *max_generation = (*max_generation).max(member_generation);
        for tp in partitions {
            if !ppt.contains_key(&tp.0) {
                continue;
            }
            match previous_owner.get(&tp).copied() {
                None => {
                    owned[c].push(tp.clone());
                    previous_owner.insert(tp, c);
                }
                Some(other) => {
                    // The protocol generation of the other member.
                    let other_generation = g.members[other].generation.unwrap_or(DEFAULT_GENERATION);
                    match member_generation.cmp(&other_generation) {
                        Ordering::Equal => {
                            multiply_claimed.insert(tp.clone());
                            remove_first(&mut owned[other], &tp);
                            previous_owner.insert(tp, c);
                        }
                        Ordering::Greater => {
                            owned[c].push(tp.clone());
                            remove_first(&mut owned[other], &tp);
                            previous_owner.insert(tp, c);
                        }
                        Ordering::Less => {}
                    }
                }
            }
        }
    }

    if all_equal {
        constrained(g, owned, &multiply_claimed)
    } else {
        let lists = General::new(g, flavor, owned).build(*max_generation)?;
        Ok(StickyOutcome { lists, transferring: None })
    }
}

// ---------------------------------------------------------------------------------------
// Constrained builder (all subscriptions identical)
// ---------------------------------------------------------------------------------------

/// A `java.util.LinkedList` iterator over the "under min quota" list: supports
/// `remove()` of the last returned element.
struct ListIter {
    cursor: usize,
    last: Option<usize>,
}

fn constrained(
    g: &Group,
    owned: Vec<Vec<TopicPartition>>,
    multiply_claimed: &BTreeSet<TopicPartition>,
) -> Result<StickyOutcome, AssignError> {
    let ppt = &g.partitions_per_topic;
    let n = g.members.len();
    let total: u32 = ppt.values().sum();
    if n == 0 {
        return Err(kafka_throws("ArithmeticException", "/ by zero (the group has no members)"));
    }
    let n32 = n as u32;
    let min_quota = total / n32;
    let max_quota = total.div_ceil(n32);
    let expected_over_min = total % n32;
    let mut current_over_min = 0u32;

    let mut assignment: Vec<Vec<TopicPartition>> = vec![Vec::new(); n];
    let mut assigned_partitions: Vec<TopicPartition> = Vec::new();
    let mut maybe_revoked: BTreeMap<TopicPartition, usize> = BTreeMap::new();
    let mut under_min: Vec<usize> = Vec::new();
    let mut exactly_min: VecDeque<usize> = VecDeque::new();
    let mut transferring: BTreeMap<TopicPartition, usize> = BTreeMap::new();

    // assignOwnedPartitions: currentAssignment iterates like the subscriptions map.
    for &c in &g.hash_order {
        let mut mine = owned[c].clone();
        stable_sort_by(&mut mine, &|a, b| a.1.cmp(&b.1).then_with(|| java_string_cmp(&a.0, &b.0)));
        for tp in multiply_claimed {
            remove_first(&mut mine, tp);
        }
        let len = mine.len() as u32;
        if len < min_quota {
            assignment[c].extend(mine.iter().cloned());
            assigned_partitions.extend(mine);
            under_min.push(c);
        } else if len >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            let keep = max_quota as usize;
            assignment[c].extend(mine[..keep].iter().cloned());
            assigned_partitions.extend(mine[..keep].iter().cloned());
            for tp in &mine[keep..] {
                maybe_revoked.insert(tp.clone(), c);
            }
        } else {
            let keep = min_quota as usize;
            assignment[c].extend(mine[..keep].iter().cloned());
            assigned_partitions.extend(mine[..keep].iter().cloned());
            for tp in &mine[keep..] {
                maybe_revoked.insert(tp.clone(), c);
            }
            if current_over_min < expected_over_min {
                exactly_min.push_back(c);
            }
        }
    }

    // getUnassignedPartitions: all partitions by (topic, partition) minus the kept ones.
    let mut sorted_topics: Vec<&String> = ppt.keys().collect();
    stable_sort_by(&mut sorted_topics, &|a, b| java_string_cmp(a, b));
    let unassigned: Vec<TopicPartition> = if assigned_partitions.is_empty() {
        sorted_topics.iter().flat_map(|t| (0..ppt[*t]).map(move |p| ((*t).clone(), p))).collect()
    } else {
        stable_sort_by(&mut assigned_partitions, &tp_cmp_topic_then_partition);
        let mut out = Vec::new();
        let mut it = assigned_partitions.iter();
        let mut next = it.next();
        let mut add_directly = false;
        for t in &sorted_topics {
            for p in 0..ppt[*t] {
                let matches = matches!(next, Some((nt, np)) if nt == *t && *np == p);
                if add_directly || !matches {
                    out.push(((*t).clone(), p));
                } else {
                    next = it.next();
                    if next.is_none() {
                        add_directly = true;
                    }
                }
            }
        }
        out
    };

    let by_id = |a: &usize, b: &usize| java_string_cmp(&g.members[*a].id, &g.members[*b].id);
    stable_sort_by(&mut under_min, &by_id);
    stable_sort_by(exactly_min.make_contiguous(), &by_id);

    // assignRoundRobin
    let mut iter = ListIter { cursor: 0, last: None };
    for tp in &unassigned {
        let consumer = if iter.cursor < under_min.len() {
            iter.last = Some(iter.cursor);
            iter.cursor += 1;
            under_min[iter.cursor - 1]
        } else if under_min.is_empty() && exactly_min.is_empty() {
            return Err(kafka_throws("IllegalStateException", "No more unfilled consumers to be assigned."));
        } else if under_min.is_empty() {
            exactly_min.pop_front().expect("checked non-empty")
        } else {
            iter = ListIter { cursor: 1, last: Some(0) };
            under_min[0]
        };

        assignment[consumer].push(tp.clone());
        if maybe_revoked.get(tp).is_some_and(|&prev| prev != consumer) || multiply_claimed.contains(tp) {
            transferring.insert(tp.clone(), consumer);
        }
        let count = assignment[consumer].len() as u32;

        if count == min_quota {
            match iter.last.take() {
                Some(i) => {
                    under_min.remove(i);
                    if i < iter.cursor {
                        iter.cursor -= 1;
                    }
                }
                None => return Err(kafka_throws("IllegalStateException", "Iterator.remove() without next()")),
            }
            exactly_min.push_back(consumer);
        } else if count == max_quota {
            current_over_min += 1;
        }
    }

    // verifyUnfilledMembers
    if !under_min.is_empty() {
        if current_over_min != expected_over_min {
            return Err(kafka_throws(
                "IllegalStateException",
                "We haven't reached the expected number of members with more than the minQuota \
                 partitions, but no more partitions to be assigned",
            ));
        }
        for &u in &under_min {
            if assignment[u].len() as u32 != min_quota {
                return Err(kafka_throws(
                    "IllegalStateException",
                    format!(
                        "Consumer: [{}] doesn't reach minQuota partitions, and no more partitions to be assigned",
                        g.members[u].id
                    ),
                ));
            }
        }
    }

    Ok(StickyOutcome { lists: assignment, transferring: Some(transferring) })
}

// ---------------------------------------------------------------------------------------
// General builder (subscriptions differ)
// ---------------------------------------------------------------------------------------

/// An entry of `sortedCurrentSubscriptions`: ordered by (assignment size, member id).
#[derive(Clone, Debug, PartialEq, Eq)]
struct SortKey {
    size: usize,
    id: String,
    idx: usize,
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.size.cmp(&other.size).then_with(|| java_string_cmp(&self.id, &other.id))
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `PartitionMovements`: where partitions moved during balancing.
#[derive(Default)]
struct Movements {
    by_partition: BTreeMap<TopicPartition, (usize, usize)>,
    by_topic: BTreeMap<String, BTreeMap<(usize, usize), JavaHashMap<TopicPartition>>>,
}

impl Movements {
    fn remove_record(&mut self, tp: &TopicPartition) -> (usize, usize) {
        let pair = self.by_partition.remove(tp).expect("movement recorded");
        let topic_map = self.by_topic.get_mut(&tp.0).expect("topic recorded");
        let set = topic_map.get_mut(&pair).expect("pair recorded");
        set.remove(tp);
        if set.is_empty() {
            topic_map.remove(&pair);
        }
        if topic_map.is_empty() {
            self.by_topic.remove(&tp.0);
        }
        pair
    }

    fn add_record(&mut self, tp: &TopicPartition, pair: (usize, usize)) {
        self.by_partition.insert(tp.clone(), pair);
        self.by_topic.entry(tp.0.clone()).or_default().entry(pair).or_default().put(tp.clone());
    }

    fn move_partition(&mut self, tp: &TopicPartition, old: usize, new: usize) {
        if self.by_partition.contains_key(tp) {
            let existing = self.remove_record(tp);
            if existing.0 != new {
                self.add_record(tp, (existing.0, new));
            }
        } else {
            self.add_record(tp, (old, new));
        }
    }

    fn actual_partition_to_move(&self, tp: &TopicPartition, old: usize, new: usize) -> TopicPartition {
        let Some(topic_map) = self.by_topic.get(&tp.0) else {
            return tp.clone();
        };
        let old = match self.by_partition.get(tp) {
            Some(&(src, _)) => src,
            None => old,
        };
        match topic_map.get(&(new, old)) {
            None => tp.clone(),
            Some(set) => set.first().expect("non-empty set").clone(),
        }
    }
}

struct General<'a> {
    g: &'a Group,
    flavor: Flavor,
    ppt: &'a BTreeMap<String, u32>,
    total: usize,
    potential_topics: Vec<Vec<String>>,
    topic_consumers: BTreeMap<String, Vec<usize>>,
    /// `currentAssignment`; `None` while a "fixed" member is taken out of it.
    current: Vec<Option<Vec<TopicPartition>>>,
    partition_consumer: BTreeMap<TopicPartition, usize>,
    sorted_all: Vec<TopicPartition>,
    sorted: BTreeSet<SortKey>,
    revocation_required: bool,
    movements: Movements,
}

impl<'a> General<'a> {
    fn new(g: &'a Group, flavor: Flavor, owned: Vec<Vec<TopicPartition>>) -> Self {
        let ppt = &g.partitions_per_topic;
        let mut topic_consumers: BTreeMap<String, Vec<usize>> = ppt.keys().map(|t| (t.clone(), Vec::new())).btree_map();
        let mut potential_topics = vec![Vec::new(); g.members.len()];
        for &c in &g.hash_order {
            for t in &g.members[c].topics {
                if let Some(list) = topic_consumers.get_mut(t) {
                    potential_topics[c].push(t.clone());
                    list.push(c);
                }
            }
        }
        let mut partition_consumer = BTreeMap::new();
        for (c, list) in owned.iter().enumerate() {
            for tp in list {
                partition_consumer.insert(tp.clone(), c);
            }
        }
        let mut sorted_topics: Vec<&String> = ppt.keys().collect();
        stable_sort_by(&mut sorted_topics, &|a, b| {
            topic_consumers[*a].len().cmp(&topic_consumers[*b].len()).then_with(|| java_string_cmp(a, b))
        });
        let sorted_all = sorted_topics.iter().flat_map(|t| (0..ppt[*t]).map(move |p| ((*t).clone(), p))).collect();
        General {
            g,
            flavor,
            ppt,
            total: ppt.values().map(|&v| v as usize).sum(),
            potential_topics,
            topic_consumers,
            current: owned.into_iter().map(Some).collect(),
            partition_consumer,
            sorted_all,
            sorted: BTreeSet::new(),
            revocation_required: false,
            movements: Movements::default(),
        }
    }

    fn key(&self, c: usize) -> SortKey {
        SortKey { size: self.current[c].as_ref().map_or(0, |l| l.len()), id: self.g.members[c].id.clone(), idx: c }
    }

    fn sorted_remove(&mut self, c: usize) {
        let k = self.key(c);
        self.sorted.remove(&k);
    }

    fn sorted_add(&mut self, c: usize) {
        let k = self.key(c);
        self.sorted.insert(k);
    }

    /// `currentAssignment.get(c).size()`, throwing like Java when `c` is null or fixed.
    fn size(&self, c: Option<usize>) -> Result<usize, AssignError> {
        match c {
            None => Err(npe("currentAssignment.get(null) while balancing")),
            Some(c) => match &self.current[c] {
                Some(l) => Ok(l.len()),
                None => Err(npe(&format!(
                    "member '{}' was set aside as fixed but is still consulted while balancing",
                    self.g.members[c].id
                ))),
            },
        }
    }

    fn list_mut(&mut self, c: usize) -> Result<&mut Vec<TopicPartition>, AssignError> {
        let id = self.g.members[c].id.clone();
        self.current[c]
            .as_mut()
            .ok_or_else(|| npe(&format!("member '{id}' was set aside as fixed but receives a partition")))
    }

    fn max_assignment_size(&self, c: usize) -> usize {
        let topics = &self.potential_topics[c];
        if topics.len() == self.ppt.len() {
            self.total
        } else {
            topics.iter().map(|t| self.ppt[t] as usize).sum()
        }
    }

    fn build(mut self, max_generation: i32) -> Result<Vec<Vec<TopicPartition>>, AssignError> {
        let prev = self.prepopulate(max_generation);
        let assigned = self.assign_owned_partitions();
        let unassigned = self.unassigned_partitions(assigned);
        for c in 0..self.g.members.len() {
            self.sorted_add(c);
        }
        self.balance(&prev, unassigned)?;
        Ok(self.current.into_iter().map(|l| l.unwrap_or_default()).collect())
    }

    /// `prepopulateCurrentAssignments`: partitions of members older than `maxGeneration`.
    fn prepopulate(&self, max_generation: i32) -> BTreeMap<TopicPartition, (usize, i32)> {
        let mut prev: BTreeMap<TopicPartition, (usize, i32)> = BTreeMap::new();
        for &c in &self.g.hash_order {
            let (partitions, generation) = member_data(self.g, self.flavor, c);
            let generation = match generation {
                Some(gen) if gen < max_generation => gen,
                None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for tp in partitions {
                match prev.get(&tp) {
                    Some(&(_, g0)) if generation <= g0 => {}
                    _ => {
                        prev.insert(tp, (c, generation));
                    }
                }
            }
        }
        prev
    }

    fn assign_owned_partitions(&mut self) -> Vec<TopicPartition> {
        let mut assigned = Vec::new();
        for &c in &self.g.hash_order {
            let list = self.current[c].take().unwrap_or_default();
            let mut kept = Vec::with_capacity(list.len());
            for tp in list {
                if !self.topic_consumers.contains_key(&tp.0) {
                    self.partition_consumer.remove(&tp);
                } else if !self.g.members[c].subscribes(&tp.0) {
                    // Note: Kafka leaves the partition -> consumer entry in place here.
                    self.revocation_required = true;
                } else {
                    assigned.push(tp.clone());
                    kept.push(tp);
                }
            }
            self.current[c] = Some(kept);
        }
        assigned
    }

    fn unassigned_partitions(&self, mut assigned: Vec<TopicPartition>) -> Vec<TopicPartition> {
        if assigned.is_empty() {
            return self.sorted_all.clone();
        }
        let tc = &self.topic_consumers;
        stable_sort_by(&mut assigned, &|a, b| {
            tc[&a.0].len().cmp(&tc[&b.0].len()).then_with(|| java_string_cmp(&a.0, &b.0)).then(a.1.cmp(&b.1))
        });
        let mut out = Vec::new();
        let mut it = assigned.iter();
        let mut next = it.next();
        let mut add_directly = false;
        for tp in &self.sorted_all {
            if add_directly || next != Some(tp) {
                out.push(tp.clone());
            } else {
                next = it.next();
                if next.is_none() {
                    add_directly = true;
                }
            }
        }
        out
    }

    fn balance(
        &mut self,
        prev: &BTreeMap<TopicPartition, (usize, i32)>,
        mut unassigned: Vec<TopicPartition>,
    ) -> Result<(), AssignError> {
        let last = self.sorted.last().expect("at least one member").idx;
        let initializing = self.current[last].as_ref().is_some_and(|l| l.is_empty());

        // maybeAssign: each unassigned partition to the first member (fewest partitions,
        // then id) that can take its topic.
        for tp in &unassigned {
            if self.topic_consumers[&tp.0].is_empty() {
                continue;
            }
            let target = self.sorted.iter().find(|k| self.potential_topics[k.idx].contains(&tp.0)).map(|k| k.idx);
            if let Some(c) = target {
                self.sorted_remove(c);
                self.list_mut(c)?.push(tp.clone());
                self.partition_consumer.insert(tp.clone(), c);
                self.sorted_add(c);
            }
        }

        // Topics with fewer than two potential consumers cannot move.
        let fixed_topics: BTreeSet<String> =
            self.topic_consumers.iter().filter(|(_, cs)| cs.len() < 2).map(|(t, _)| t.clone()).btree_set();
        self.sorted_all.retain(|tp| !fixed_topics.contains(&tp.0));
        unassigned.retain(|tp| !fixed_topics.contains(&tp.0));

        // Members that cannot take part are set aside.
        let mut fixed: Vec<(usize, Vec<TopicPartition>)> = Vec::new();
        for c in 0..self.g.members.len() {
            if !self.can_participate(c) {
                self.sorted_remove(c);
                fixed.push((c, self.current[c].take().unwrap_or_default()));
            }
        }

        let pre_balance = self.current.clone();
        let pre_balance_consumers = self.partition_consumer.clone();

        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev)?;
        }
        let sorted_all = self.sorted_all.clone();
        let reassignment_performed = self.perform_reassignments(&sorted_all, prev)?;

        if !initializing && reassignment_performed && balance_score(&self.current) >= balance_score(&pre_balance) {
            // Kafka restores the snapshot without re-sorting its TreeSet; the set is not
            // consulted again, so it is simply left as is here.
            self.current = pre_balance;
            self.partition_consumer = pre_balance_consumers;
        }

        for (c, list) in fixed {
            self.current[c] = Some(list);
        }
        Ok(())
    }

    fn can_participate(&self, c: usize) -> bool {
        let list = self.current[c].as_ref().expect("not yet fixed");
        if list.len() < self.max_assignment_size(c) {
            return true;
        }
        list.iter().any(|tp| self.topic_consumers.get(&tp.0).is_some_and(|cs| cs.len() >= 2))
    }

    fn is_balanced(&self) -> Result<bool, AssignError> {
        let (Some(first), Some(last)) = (self.sorted.first(), self.sorted.last()) else {
            return Err(kafka_throws(
                "NoSuchElementException",
                "every member was set aside as fixed while partitions remain to balance",
            ));
        };
        let min = self.size(Some(first.idx))?;
        let max = self.size(Some(last.idx))?;
        if min + 1 >= max {
            return Ok(true);
        }
        // partition -> holder, built by iterating currentAssignment (later entries win).
        let mut holder: BTreeMap<&TopicPartition, usize> = BTreeMap::new();
        for &c in &self.g.hash_order {
            if let Some(list) = &self.current[c] {
                for tp in list {
                    holder.insert(tp, c);
                }
            }
        }
        for key in &self.sorted {
            let c = key.idx;
            let list = self.current[c].as_ref().expect("sorted members are present");
            let count = list.len();
            if count == self.max_assignment_size(c) {
                continue;
            }
            for topic in &self.potential_topics[c] {
                for p in 0..self.ppt[topic] {
                    let tp = (topic.clone(), p);
                    if !list.contains(&tp) {
                        let other = holder.get(&tp).copied();
                        if count + 1 < self.size(other)? {
                            return Ok(false);
                        }
                    }
                }
            }
        }
        Ok(true)
    }

    fn perform_reassignments(
        &mut self,
        partitions: &[TopicPartition],
        prev: &BTreeMap<TopicPartition, (usize, i32)>,
    ) -> Result<bool, AssignError> {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced()? {
                    break;
                }
                let consumer = self.partition_consumer.get(tp).copied();
                if let Some(&(prev_consumer, _)) = prev.get(tp) {
                    // Note: Kafka does not check that the previous owner still subscribes.
                    if self.size(consumer)? > self.size(Some(prev_consumer))? + 1 {
                        self.reassign_to(tp, prev_consumer)?;
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let candidates = self.topic_consumers[&tp.0].clone();
                for other in candidates {
                    if self.size(consumer)? > self.size(Some(other))? + 1 {
                        self.reassign(tp)?;
                        performed = true;
                        modified = true;
                        break;
                    }
                }
            }
            if !modified {
                break;
            }
        }
        Ok(performed)
    }

    /// `reassignPartition(partition)`: to the first member (fewest partitions, then id)
    /// that can take the topic.
    fn reassign(&mut self, tp: &TopicPartition) -> Result<(), AssignError> {
        let target = self.sorted.iter().find(|k| self.potential_topics[k.idx].contains(&tp.0)).map(|k| k.idx);
        match target {
            Some(c) => self.reassign_to(tp, c),
            None => Err(npe("no member can take the partition (reassignPartition with a null consumer)")),
        }
    }

    fn reassign_to(&mut self, tp: &TopicPartition, new: usize) -> Result<(), AssignError> {
        let old = *self.partition_consumer.get(tp).ok_or_else(|| npe("partition has no current consumer"))?;
        let to_move = self.movements.actual_partition_to_move(tp, old, new);
        self.process_movement(&to_move, new)
    }

    fn process_movement(&mut self, tp: &TopicPartition, new: usize) -> Result<(), AssignError> {
        let old = *self.partition_consumer.get(tp).ok_or_else(|| npe("partition has no current consumer"))?;
        self.size(Some(old))?;
        self.size(Some(new))?;
        self.sorted_remove(old);
        self.sorted_remove(new);
        self.movements.move_partition(tp, old, new);
        remove_first(self.list_mut(old)?, tp);
        self.list_mut(new)?.push(tp.clone());
        self.partition_consumer.insert(tp.clone(), new);
        self.sorted_add(new);
        self.sorted_add(old);
        Ok(())
    }
}

/// Sum over member pairs of the difference in assignment sizes (members set aside excluded).
fn balance_score(assignment: &[Option<Vec<TopicPartition>>]) -> usize {
    let sizes: Vec<usize> = assignment.iter().flatten().map(|l| l.len()).collect();
    let mut score = 0;
    for i in 0..sizes.len() {
        for j in i + 1..sizes.len() {
            score += sizes[i].abs_diff(sizes[j]);
        }
    }
    score
}
