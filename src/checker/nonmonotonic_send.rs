//! `nonmonotonic-send`: one writer's records stored in a stream out of the order it sent
//! them. A retried batch was overtaken by a later one (several requests in flight, no
//! idempotence): the log's order is not the writer's, so per-key ordering is broken.
//!
//! Within one primary's copy only: a new primary's log is checked afresh. Ids grow in send
//! order, so a record stored after a later-sent one of the same writer is reordered, as
//! long as that later one is still where it was stored.
use crate::checker::Detail;
use std::collections::BTreeMap;

use super::history::Report;
use super::observation::{Lookup, RecordRef, Stored, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct NonmonotonicSend {
    /// Per (stream, writer): the latest record (in send order) a primary stored, where,
    /// and which primary's copy it is in.
    last_stored: BTreeMap<(StreamId, u32), (RecordRef, u64, u32)>,
}

impl NonmonotonicSend {
    pub(super) fn stored(&mut self, out: &mut Report, lookup: &impl Lookup, s: &Stored) {
        let (id, o) = (s.record, s.offset);
        // Only compare within one primary's log.
        let last = self.last_stored.get(&(s.stream, s.writer)).copied().filter(|l| l.2 == s.primary);
        match last {
            Some((last, last_offset, _)) if last > id && last_offset < o => {
                if lookup.record_at(s.primary, s.stream, last_offset) == Some(last) {
                    let detail = Detail::new(
                        format!("record #{} (sent earlier) landed at offset {o}, after record #{} at offset {last_offset}: a retried batch overtaken by a later one (several requests in flight, no idempotence)", id.0, last.0),
                        format!("消息 #{}（先发送）落在 offset {o}，排在 offset {last_offset} 的消息 #{} 之后：重试的批次被后发的批次超越（多个请求在途，没有幂等性）", id.0, last.0),
                    );
                    out.push(AnomalyKind::NonmonotonicSend, s.stream, vec![id, last], detail);
                }
            }
            _ => {
                self.last_stored.insert((s.stream, s.writer), (id, o, s.primary));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::observation::{Observation, RecordRef, Stored};
    use super::super::testing::{kinds, log, run, Fake, S0};
    use super::AnomalyKind;

    /// Records 1 and 2 of writer 0, stored by primary 1 in the order given.
    fn history(order: [u64; 2]) -> Vec<Observation<'static>> {
        let mut h = vec![
            Observation::Sent { record: RecordRef(1), stream: S0 },
            Observation::Sent { record: RecordRef(2), stream: S0 },
        ];
        h.extend(order.iter().enumerate().map(|(offset, r)| {
            Observation::Stored(Stored {
                primary: 1,
                stream: S0,
                offset: offset as u64,
                record: RecordRef(*r),
                writer: 0,
            })
        }));
        h
    }

    #[test]
    fn fires_when_an_earlier_record_lands_after_a_later_one() {
        let mut fake = Fake::default();
        fake.logs.insert((1, S0), log(&[2, 1]));
        let found = run(&fake, &history([2, 1]));
        assert_eq!(kinds(&found), [AnomalyKind::NonmonotonicSend]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (4, &[RecordRef(1), RecordRef(2)][..]));
        assert!(found[0]
            .detail
            .starts_with("record #1 (sent earlier) landed at offset 1, after record #2 at offset 0"));
    }

    #[test]
    fn silent_in_send_order() {
        let mut fake = Fake::default();
        fake.logs.insert((1, S0), log(&[1, 2]));
        assert!(run(&fake, &history([1, 2])).is_empty());
    }
}
