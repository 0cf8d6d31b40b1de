//! `duplicate-processing`: a consumer group processed a record more than once (at-least-once
//! delivery showing), with the cause: the record is in the log twice, a zombie member
//! fenced out of the group still processed what it had fetched, a rebalance moved the
//! stream to a member that restarted from the committed position, or a member crashed
//! before committing and restarted from there.
//!
//! A transactional pipeline's retried processing is expected (an aborted attempt, then the
//! one that commits): it is judged by its outputs (`duplicate-output`) instead.
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
            let detail = format!(
                "group {} processed record #{} ({} offset {}) {} times: {}",
                p.group,
                p.record.0,
                lookup.stream_name(p.stream),
                p.offset,
                prev.count + 1,
                cause(lookup, &prev, p)
            );
            out.push(AnomalyKind::DuplicateProcessing, p.stream, vec![p.record], detail);
        }
        self.set(p.group, p.record, Processing { count: prev.count + 1, ..now });
    }
}

/// Why `p` processed the record again, after `prev`.
fn cause(lookup: &impl Lookup, prev: &Processing, p: &Processed) -> String {
    let name = lookup.client_name(ReadBy::Consumer(p.consumer));
    if prev.offset != p.offset {
        "the record is in the log twice (a producer retry without idempotence)".to_string()
    } else if p.generation < prev.generation {
        format!(
            "zombie: {name} processed it with generation {}, after the group had moved on to generation {} (the fenced member still processes what it fetched)",
            p.generation, prev.generation
        )
    } else if prev.consumer != p.consumer {
        format!(
            "rebalance: {} processed it in generation {}, then the partition moved to {name} which restarted from the committed offset",
            lookup.client_name(ReadBy::Consumer(prev.consumer)),
            prev.generation
        )
    } else if prev.incarnation != p.incarnation {
        format!("crash before commit: {name} processed it, crashed before committing, and restarted from the committed offset")
    } else {
        format!(
            "rebalance: {name} lost the partition in generation {} and got it back from the committed offset",
            prev.generation
        )
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::observation::{Observation, Processed, RecordRef};
    use super::super::testing::{kinds, run, Fake, S0};
    use super::AnomalyKind;

    /// Consumer `consumer` of `group` processes record #1 at offset 0.
    fn processed(group: &Rc<str>, consumer: u32, generation: i32, transactional: bool) -> Observation<'_> {
        Observation::Processed(Processed {
            consumer,
            group,
            stream: S0,
            offset: 0,
            record: RecordRef(1),
            generation,
            incarnation: 0,
            transactional,
        })
    }

    #[test]
    fn fires_with_its_cause_when_a_group_processes_a_record_twice() {
        let g: Rc<str> = "billing".into();
        let found = run(&Fake::default(), &[processed(&g, 0, 1, false), processed(&g, 1, 2, false)]);
        assert_eq!(kinds(&found), [AnomalyKind::DuplicateProcessing]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (2, &[RecordRef(1)][..]));
        assert_eq!(
            found[0].detail,
            "group billing processed record #1 (orders-0 offset 0) 2 times: rebalance: c1 processed it in generation 1, then the partition moved to c2 which restarted from the committed offset"
        );
        let zombie = run(&Fake::default(), &[processed(&g, 1, 2, false), processed(&g, 0, 1, false)]);
        assert!(zombie[0].detail.contains("2 times: zombie: c1 processed it with generation 1"));
    }

    #[test]
    fn silent_for_other_groups_and_transactional_retries() {
        let (a, b): (Rc<str>, Rc<str>) = ("billing".into(), "audit".into());
        assert!(run(&Fake::default(), &[processed(&a, 0, 1, false), processed(&b, 1, 1, false)]).is_empty());
        assert!(run(&Fake::default(), &[processed(&a, 0, 1, true), processed(&a, 1, 2, true)]).is_empty());
    }
}
