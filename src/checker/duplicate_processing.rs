//! `duplicate-processing`: a consumer group processed a record more than once (at-least-once
//! delivery showing), with the cause: the record is in the log twice, a zombie member
//! fenced out of the group still processed what it had fetched, a rebalance moved the
//! stream to a member that restarted from the committed position, or a member crashed
//! before committing and restarted from there.
//!
//! A transactional pipeline's retried processing is expected (an aborted attempt, then the
//! one that commits): it is judged by its outputs (`duplicate-output`) instead.
use crate::checker::Detail;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::history::Report;
use super::observation::{Lookup, Processed, ReadBy, RecordRef};
use super::AnomalyKind;
use crate::kernel::chunked::ChunkedVec;

/// How a group last processed a record (`count` 0: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Processing {
    count: u32,
    consumer: u32,
    incarnation: u32,
    generation: i32,
    offset: u64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct DuplicateProcessing {
    /// Per group, per record (by its index in the run): how the group last processed it.
    /// Chunked, so that a time-travel checkpoint shares what did not change instead of
    /// copying a table that grows with every record processed.
    processing: BTreeMap<Rc<str>, ChunkedVec<Processing>>,
}

impl DuplicateProcessing {
    /// Records below index `below` can no longer matter (see `forget.rs`).
    pub(super) fn forget_before(&mut self, below: usize) {
        for table in self.processing.values_mut() {
            table.drop_before(below);
        }
    }

    fn get(&self, group: &Rc<str>, record: RecordRef) -> Option<Processing> {
        let p = *self.processing.get(group)?.get(record.index()?)?;
        (p.count > 0).then_some(p)
    }

    fn set(&mut self, group: &Rc<str>, record: RecordRef, p: Processing) {
        let Some(i) = record.index() else { return };
        let table = self.processing.entry(group.clone()).or_default();
        while table.len() <= i {
            table.push(Processing::default());
        }
        *table.get_mut(i).expect("grown above") = p;
    }

    /// Who last processed `record` in `group`: the consumer and its incarnation.
    pub(super) fn last(&self, group: &Rc<str>, record: RecordRef) -> Option<(u32, u32)> {
        self.get(group, record).map(|p| (p.consumer, p.incarnation))
    }

    /// Whether `group` ever processed `record`.
    pub(super) fn has_processed(&self, group: &Rc<str>, record: RecordRef) -> bool {
        self.get(group, record).is_some()
    }

    pub(super) fn processed(&mut self, out: &mut Report, lookup: &impl Lookup, p: &Processed) {
        let now = Processing {
            count: 1,
            consumer: p.consumer,
            incarnation: p.incarnation,
            generation: p.generation,
            offset: p.offset,
        };
        let Some(prev) = self.get(p.group, p.record) else {
            self.set(p.group, p.record, now);
            return;
        };
        if !p.transactional {
            let (stream, times) = (lookup.stream_name(p.stream), prev.count + 1);
            let (why, why_zh) = cause(lookup, &prev, p);
            let detail = Detail::new(
                format!(
                    "group {} processed record #{} ({stream} offset {}) {times} times: {why}",
                    p.group, p.record.0, p.offset
                ),
                format!(
                    "消费组 {} 把消息 #{}（{stream} offset {}）处理了 {times} 次：{why_zh}",
                    p.group, p.record.0, p.offset
                ),
            );
            out.push(AnomalyKind::DuplicateProcessing, p.stream, vec![p.record], detail);
        }
        self.set(p.group, p.record, Processing { count: prev.count + 1, ..now });
    }
}

/// Why `p` processed the record again, after `prev` (in English and Chinese).
fn cause(lookup: &impl Lookup, prev: &Processing, p: &Processed) -> (String, String) {
    let name = lookup.client_name(ReadBy::Consumer(p.consumer));
    let (g, was) = (p.generation, prev.generation);
    if prev.offset != p.offset {
        (
            "the record is in the log twice (a producer retry without idempotence)".into(),
            "这条消息在日志中出现了两次（没有幂等性的生产者重试）".into(),
        )
    } else if p.generation < prev.generation {
        (
            format!("zombie: {name} processed it with generation {g}, after the group had moved on to generation {was} (the fenced member still processes what it fetched)"),
            format!("僵尸：消费组已进入第 {was} 代之后，{name} 仍以第 {g} 代处理了它（被隔离的成员仍在处理已拉取的消息）"),
        )
    } else if prev.consumer != p.consumer {
        let before = lookup.client_name(ReadBy::Consumer(prev.consumer));
        (
            format!("rebalance: {before} processed it in generation {was}, then the partition moved to {name} which restarted from the committed offset"),
            format!("再均衡：{before} 在第 {was} 代处理了它，随后分区转给 {name}，后者从已提交的 offset 重新开始"),
        )
    } else if prev.incarnation != p.incarnation {
        (
            format!("crash before commit: {name} processed it, crashed before committing, and restarted from the committed offset"),
            format!("提交前崩溃：{name} 处理了它，在提交前崩溃，重启后从已提交的 offset 重新开始"),
        )
    } else {
        (
            format!(
                "rebalance: {name} lost the partition in generation {was} and got it back from the committed offset"
            ),
            format!("再均衡：{name} 在第 {was} 代失去了该分区，又从已提交的 offset 拿回了它"),
        )
    }
}
