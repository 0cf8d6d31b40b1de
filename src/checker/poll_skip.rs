//! `poll-skip`: a group member started a stream from the group's committed position, past
//! records the group never processed (Jepsen's poll skip; at-most-once delivery showing).
//! The group committed before processing, then a failure lost the uncommitted work.
//!
//! A position that fell off the start of the stream (retention deleted the records before
//! the group read them, and `auto.offset.reset` moved it on) skips too: Kafka deleted them
//! by policy, so no write was lost, but the group never processed them. Jepsen would see
//! the consumer's offsets jump: a poll skip, with the cause in the detail.
//!
//! Records the group is never handed do not count: control records, and aborted records
//! for a group that reads committed data only. A reset to the start or the end marks where
//! the group began: records below it were never meant for it.
use crate::checker::Detail;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::duplicate_processing::DuplicateProcessing;
use super::history::Report;
use super::observation::{Lookup, PositionSet, RecordRef, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct PollSkip {
    /// Per (group, stream): offsets below this were checked for skips.
    checked: BTreeMap<(Rc<str>, StreamId), u64>,
}

impl PollSkip {
    pub(super) fn position_set(
        &mut self,
        out: &mut Report,
        lookup: &impl Lookup,
        processing: &DuplicateProcessing,
        p: &PositionSet,
    ) {
        let key = (p.group.clone(), p.stream);
        if !p.from_committed {
            self.checked.entry(key).or_insert(p.offset);
            return;
        }
        let (from, committed) = (self.checked.get(&key).copied().unwrap_or(0), p.offset);
        if committed <= from {
            return;
        }
        self.checked.insert(key, committed);
        let mut skipped: Vec<RecordRef> = lookup.deliverable(p.stream, from, committed, p.read_committed);
        skipped.retain(|id| !processing.has_processed(p.group, *id));
        if !skipped.is_empty() {
            let (stream, n) = (lookup.stream_name(p.stream), skipped.len());
            let detail = Detail::new(
                format!("group {} resumes {stream} at committed offset {committed}, past {n} record(s) it never processed (committed before processing, then a failure)", p.group),
                format!("消费组 {} 从已提交的 offset {committed} 恢复读取 {stream}，跳过了 {n} 条从未处理的消息（先提交后处理，随后发生故障）", p.group),
            );
            out.push(AnomalyKind::PollSkip, p.stream, skipped, detail);
        }
    }
}

impl PollSkip {
    /// The group's position `deleted.first()..start` was deleted under it by retention.
    pub(super) fn position_deleted(
        &mut self,
        out: &mut Report,
        lookup: &impl Lookup,
        processing: &DuplicateProcessing,
        (group, stream): (&Rc<str>, StreamId),
        mut deleted: Vec<RecordRef>,
        start: u64,
    ) {
        let key = (group.clone(), stream);
        let checked = self.checked.entry(key).or_insert(start);
        *checked = (*checked).max(start);
        deleted.retain(|id| !processing.has_processed(group, *id));
        if !deleted.is_empty() {
            let (stream_name, n) = (lookup.stream_name(stream), deleted.len());
            let detail = Detail::new(
                format!("group {group}'s position on {stream_name} was deleted by retention (log start offset now {start}) before it processed {n} record(s): auto.offset.reset moves it past them (expired, not lost: Kafka deleted them by policy)"),
                format!("消费组 {group} 在 {stream_name} 上的位置在它处理 {n} 条消息之前就被保留策略删除了（日志起始 offset 现为 {start}）：auto.offset.reset 让它越过这些消息（是过期而非丢失：Kafka 按策略删除了它们）"),
            );
            out.push(AnomalyKind::PollSkip, stream, deleted, detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::observation::{Observation, PositionSet, Processed, RecordRef};
    use super::super::testing::{kinds, log, run, Fake, S0};
    use super::AnomalyKind;

    fn processed(group: &Rc<str>, offset: u64) -> Observation<'_> {
        Observation::Processed(Processed {
            consumer: 0,
            group,
            stream: S0,
            offset,
            record: RecordRef(offset + 1),
            generation: 1,
            incarnation: 0,
            transactional: false,
            key: None,
        })
    }

    fn position(group: &Rc<str>, offset: u64, from_committed: bool) -> Observation<'_> {
        Observation::PositionSet(PositionSet { group, stream: S0, offset, from_committed, read_committed: false })
    }

    fn fake() -> Fake {
        let mut fake = Fake::default();
        fake.logs.insert((1, S0), log(&[1, 2, 3, 4]));
        fake
    }

    #[test]
    fn fires_when_a_member_resumes_past_unprocessed_records() {
        let g: Rc<str> = "billing".into();
        let found = run(&fake(), &[processed(&g, 0), position(&g, 3, true)]);
        assert_eq!(kinds(&found), [AnomalyKind::PollSkip]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (2, &[RecordRef(2), RecordRef(3)][..]));
        assert_eq!(
            found[0].detail,
            "group billing resumes orders-0 at committed offset 3, past 2 record(s) it never processed (committed before processing, then a failure)"
        );
    }

    #[test]
    fn silent_when_everything_below_was_processed_or_never_meant_for_the_group() {
        let g: Rc<str> = "billing".into();
        let all = [processed(&g, 0), processed(&g, 1), processed(&g, 2), position(&g, 3, true)];
        assert!(run(&fake(), &all).is_empty());
        // The group started at the end (a reset): the records below were not for it.
        assert!(run(&fake(), &[position(&g, 2, false), processed(&g, 2), position(&g, 3, true)]).is_empty());
    }
}
