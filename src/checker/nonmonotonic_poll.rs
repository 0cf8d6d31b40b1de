//! `nonmonotonic-poll`: a reader got an offset of a stream no higher than one it had
//! already read. A reader's offsets must only grow (Jepsen's nonmonotonic poll): going
//! back means it re-read records, or the log under it changed (a truncated log it was
//! reset into).
use crate::checker::Detail;
use std::collections::BTreeMap;

use super::history::Report;
use super::observation::{Lookup, ReadBy, RecordRef, StreamId};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct NonmonotonicPoll {
    /// Per (reader, stream): the offset it read last.
    last_offset: BTreeMap<(u32, StreamId), u64>,
}

impl NonmonotonicPoll {
    pub(super) fn advanced(
        &mut self,
        out: &mut Report,
        lookup: &impl Lookup,
        reader: u32,
        (record, stream, offset): (RecordRef, StreamId, u64),
    ) {
        if let Some(last) = self.last_offset.insert((reader, stream), offset) {
            if offset <= last {
                let (who, stream_name) = (lookup.client_name(ReadBy::Reader(reader)), lookup.stream_name(stream));
                let detail = Detail::new(
                    format!("{who} read offset {offset} of {stream_name} after offset {last}"),
                    format!("{who} 在读到 offset {last} 之后又读到了 {stream_name} 的 offset {offset}"),
                );
                out.push(AnomalyKind::NonmonotonicPoll, stream, vec![record], detail);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::observation::{Observation, RecordRef};
    use super::super::testing::{kinds, run, Fake, S0};
    use super::AnomalyKind;

    fn reads(offsets: &[u64]) -> Vec<Observation<'static>> {
        let at = |o: u64| Observation::ReadAdvanced { reader: 0, stream: S0, offset: o, record: RecordRef(10 + o) };
        offsets.iter().map(|o| at(*o)).collect()
    }

    #[test]
    fn fires_when_a_reader_goes_back() {
        let found = run(&Fake::default(), &reads(&[0, 1, 2, 1]));
        assert_eq!(kinds(&found), [AnomalyKind::NonmonotonicPoll]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (4, &[RecordRef(11)][..]));
        assert_eq!(found[0].detail, "reader read offset 1 of orders-0 after offset 2");
    }

    #[test]
    fn silent_while_offsets_grow() {
        assert!(run(&Fake::default(), &reads(&[0, 1, 2, 5])).is_empty());
    }
}
