//! `nonmonotonic-key`: a consumer group processed a record of a key after a record of the
//! same key that its writer sent later. Kafka keeps order only within a partition: a key's
//! records stay in order when they all go to one partition (the default partitioner hashes
//! the key), and lose it when a partitioner that ignores keys spreads them, or when the
//! log itself holds them out of send order (a retried batch overtaken: `nonmonotonic-send`).
//!
//! Only a record's first processing by the group counts: processing one again after a
//! rebalance or a crash is `duplicate-processing`, not a new order. Record ids grow in send
//! order, so "sent later" is "a higher id" for records of one writer.
use crate::checker::Detail;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::history::Report;
use super::observation::{Lookup, Processed, RecordRef, StreamId};
use super::AnomalyKind;

/// A group's view of one writer's key.
type GroupKey = (Rc<str>, u32, Rc<str>);

#[derive(Clone, Debug, Default)]
pub(super) struct KeyOrder {
    /// Per (group, writer, key): the latest-sent record the group processed, and where.
    latest: BTreeMap<GroupKey, (RecordRef, StreamId, u64)>,
}

impl KeyOrder {
    /// `first`: the group had never processed this record before.
    pub(super) fn processed(&mut self, out: &mut Report, lookup: &impl Lookup, p: &Processed, first: bool) {
        let Some((writer, key)) = p.key.filter(|_| first) else { return };
        let slot = (p.group.clone(), writer, key.clone());
        match self.latest.get(&slot) {
            Some(&(later, stream, offset)) if later > p.record => {
                let detail = detail(lookup, p, key, (later, stream, offset));
                out.push(AnomalyKind::NonmonotonicKey, p.stream, vec![p.record, later], detail);
            }
            _ => {
                self.latest.insert(slot, (p.record, p.stream, p.offset));
            }
        }
    }
}

fn detail(
    lookup: &impl Lookup,
    p: &Processed,
    key: &str,
    (later, stream, offset): (RecordRef, StreamId, u64),
) -> Detail {
    let (here, there) = (lookup.stream_name(p.stream), lookup.stream_name(stream));
    let (why, why_zh) = if stream == p.stream {
        (
            "the partition's log holds them out of send order".to_string(),
            "分区日志里它们的顺序与发送顺序不同".to_string(),
        )
    } else {
        (
            format!("they are in different partitions ({here}, {there}), and Kafka orders records only within one"),
            format!("它们在不同的分区（{here}、{there}），而 Kafka 只保证同一分区内的顺序"),
        )
    };
    Detail::new(
        format!(
            "group {} processed record #{} of key {key} ({here} offset {}) after record #{} of the same key ({there} offset {offset}), which was sent later: {why}",
            p.group, p.record.0, p.offset, later.0
        ),
        format!(
            "消费组 {} 先处理了键 {key} 后发送的消息 #{}（{there} offset {offset}），才处理先发送的消息 #{}（{here} offset {}）：{why_zh}",
            p.group, later.0, p.record.0, p.offset
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::observation::{Observation, Processed, RecordRef, StreamId};
    use super::super::testing::{kinds, run, Fake};
    use super::AnomalyKind;

    fn processed<'a>(group: &'a Rc<str>, key: &'a Rc<str>, record: u64, partition: u32) -> Observation<'a> {
        Observation::Processed(Processed {
            consumer: partition,
            group,
            stream: StreamId { topic: 0, index: partition },
            offset: 0,
            record: RecordRef(record),
            generation: 1,
            incarnation: 0,
            transactional: false,
            key: Some((0, key)),
        })
    }

    #[test]
    fn fires_when_a_key_is_processed_out_of_send_order_once_per_record() {
        let (g, k): (Rc<str>, Rc<str>) = ("fulfilment".into(), "order-42".into());
        let found = run(&Fake::default(), &[processed(&g, &k, 1, 1), processed(&g, &k, 2, 2), processed(&g, &k, 0, 0)]);
        assert_eq!(kinds(&found), [AnomalyKind::NonmonotonicKey]);
        assert_eq!(found[0].records, [RecordRef(0), RecordRef(2)]);
        assert!(found[0].detail.contains("different partitions (orders-0, orders-2)"), "{}", found[0].detail);
    }

    #[test]
    fn in_order_other_keys_other_groups_and_reprocessing_are_not_reorders() {
        let (g, h): (Rc<str>, Rc<str>) = ("fulfilment".into(), "audit".into());
        let (k, l): (Rc<str>, Rc<str>) = ("order-42".into(), "order-7".into());
        let history = [
            processed(&g, &k, 0, 0),
            processed(&g, &l, 1, 1),
            processed(&g, &k, 2, 0),
            // Another key sent earlier, another group, and the same record again (a
            // duplicate, which `duplicate-processing` reports): no reorder.
            processed(&g, &l, 3, 1),
            processed(&h, &k, 0, 0),
            processed(&g, &k, 0, 0),
        ];
        let found = run(&Fake::default(), &history);
        assert_eq!(kinds(&found), [AnomalyKind::DuplicateProcessing]);
    }
}
