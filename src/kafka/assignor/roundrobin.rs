//! `RoundRobinAssignor`.
//!
//! All partitions, topics in ascending (Java `String`) name order and partitions
//! ascending, are dealt over one circular list of all members sorted by
//! `MemberInfo` order (not restarted per topic). For each partition the iterator
//! skips members not subscribed to its topic, gives the partition to the current
//! member and advances once.

use super::java_hashmap::java_string_cmp;
use super::{kafka_throws, AssignError, Group, TopicPartition};
use crate::kernel::sort::stable_sort_by;

pub(crate) fn assign(g: &Group) -> Result<Vec<Vec<TopicPartition>>, AssignError> {
    let mut lists: Vec<Vec<TopicPartition>> = vec![Vec::new(); g.members.len()];
    // memberInfoList is filled in subscriptions-map order, then stably sorted.
    let mut ring: Vec<usize> = g.hash_order.clone();
    stable_sort_by(&mut ring, &|&a, &b| g.member_info_cmp(a, b));
    if ring.is_empty() {
        return Err(kafka_throws(
            "IllegalArgumentException",
            "CircularIterator can only be used on non-empty lists (the group has no members)",
        ));
    }

    let mut topics: Vec<&String> = g.members.iter().flat_map(|m| m.topics.iter()).collect();
    stable_sort_by(&mut topics, &|a, b| java_string_cmp(a, b));
    topics.dedup();

    let mut pos = 0usize; // index of the iterator's `peek()` in `ring`
    for topic in topics {
        let Some(&n) = g.partitions_per_topic.get(topic.as_str()) else {
            continue;
        };
        for p in 0..n {
            while !g.members[ring[pos]].subscribes(topic) {
                pos = (pos + 1) % ring.len();
            }
            lists[ring[pos]].push((topic.clone(), p));
            pos = (pos + 1) % ring.len();
        }
    }
    Ok(lists)
}
