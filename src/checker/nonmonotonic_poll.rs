//! `nonmonotonic-poll`: a reader got an offset of a stream no higher than one it had
//! already read. A reader's offsets must only grow (Jepsen's nonmonotonic poll): going
//! back means it re-read records, or the log under it changed (a truncated log it was
//! reset into).
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
                let detail = format!(
                    "{} read offset {offset} of {} after offset {last}",
                    lookup.client_name(ReadBy::Reader(reader)),
                    lookup.stream_name(stream)
                );
                out.push(AnomalyKind::NonmonotonicPoll, stream, vec![record], detail);
            }
        }
    }
}
