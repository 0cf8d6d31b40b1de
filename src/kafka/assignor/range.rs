//! `RangeAssignor` (non-rack path).
//!
//! Per topic, independently: the members subscribed to it, sorted by
//! `MemberInfo` order (static members by `group.instance.id` first, then member
//! id in Java `String` order); with `P` partitions and `M` members, walking that
//! order the first `P % M` members get `P / M + 1` consecutive partitions and the
//! rest `P / M`, starting from partition 0.
//!
//! Topics are processed in the iteration order of the leader's
//! `partitionsPerTopic` `HashMap`, which was filled from a `HashSet` of all
//! subscribed topics; that order fixes the order of each member's list, so it is
//! emulated here.

use super::java_hashmap::JavaHashMap;
use super::{Group, TopicPartition};
use crate::kernel::sort::stable_sort_by;

pub(crate) fn assign(g: &Group) -> Vec<Vec<TopicPartition>> {
    // AbstractPartitionAssignor.assign(Cluster, GroupSubscription): a HashSet of every
    // subscribed topic (members in subscriptions-map order, topics in wire order), then
    // a HashMap of those that exist in metadata, filled by iterating the set.
    let mut all_subscribed = JavaHashMap::new();
    for &i in &g.hash_order {
        for t in &g.members[i].topics {
            all_subscribed.put(t.clone());
        }
    }
    let mut partitions_per_topic = JavaHashMap::new();
    for t in all_subscribed.keys() {
        if g.partitions_per_topic.contains_key(t) {
            partitions_per_topic.put(t.clone());
        }
    }

    let mut lists: Vec<Vec<TopicPartition>> = vec![Vec::new(); g.members.len()];
    for topic in partitions_per_topic.keys() {
        let num_partitions = g.partitions_per_topic[topic];
        let mut consumers: Vec<usize> =
            g.hash_order.iter().copied().filter(|&i| g.members[i].subscribes(topic)).collect();
        stable_sort_by(&mut consumers, &|&a, &b| g.member_info_cmp(a, b)); // stable, like Collections.sort
        if consumers.is_empty() {
            continue;
        }
        let per_consumer = num_partitions / consumers.len() as u32;
        let mut with_extra = num_partitions % consumers.len() as u32;
        let mut next = 0u32;
        for c in consumers {
            if next >= num_partitions {
                break;
            }
            let max = per_consumer + u32::from(with_extra > 0);
            let take = max.min(num_partitions - next);
            if take == 0 {
                continue;
            }
            lists[c].extend((next..next + take).map(|p| (topic.clone(), p)));
            next += take;
            if take > per_consumer {
                with_extra -= 1;
            }
        }
    }
    lists
}
