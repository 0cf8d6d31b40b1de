//! Bounded memory under retention: what the checker may forget once a record can no longer
//! matter to any check.
//!
//! A record stops mattering when (1) its fate is settled (acknowledged, failed, or sent
//! without an acknowledgement to come), (2) retention deleted its offset from every replica
//! of its stream (no truncation, overwrite or later read can involve it again), and (3)
//! every group that consumes the stream has moved past it (processed it, or had its
//! position reset past it: the poll-skip check has judged it). Its track, its entry in the
//! acknowledged-offset index and the groups' processing entries are then dropped, a whole
//! chunk at a time from the front (record ids are given in send order, so the front is the
//! oldest). A group that stalls keeps its stream's records alive until it moves: they can
//! still become a poll skip.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::history::RecordTrack;
use super::observation::StreamId;
use crate::kernel::ChunkedVec;

#[derive(Clone, Debug, Default)]
pub(super) struct Forget {
    /// Per stream: offsets below this are deleted from every replica.
    expired: BTreeMap<StreamId, u64>,
    /// Per (group, stream): the offset the group has moved to.
    progress: BTreeMap<(Rc<str>, StreamId), u64>,
    /// Record tracks below this index are settled and forgettable.
    cursor: usize,
}

impl Forget {
    pub(super) fn moved(&mut self, group: &Rc<str>, stream: StreamId, offset: u64) {
        let p = self.progress.entry((group.clone(), stream)).or_insert(offset);
        *p = (*p).max(offset);
    }

    /// Offsets of `stream` below the returned one can be forgotten.
    pub(super) fn horizon(&self, stream: StreamId) -> u64 {
        let expired = self.expired.get(&stream).copied().unwrap_or(0);
        self.progress.iter().filter(|((_, s), _)| *s == stream).map(|(_, o)| *o).fold(expired, u64::min)
    }

    /// Retention deleted `stream` below `start` everywhere. Returns the record index below
    /// which every track may be dropped.
    pub(super) fn expired(&mut self, stream: StreamId, start: u64, records: &ChunkedVec<RecordTrack>) -> usize {
        let e = self.expired.entry(stream).or_insert(start);
        *e = (*e).max(start);
        let mut horizons: BTreeMap<StreamId, u64> = BTreeMap::new();
        let mut i = self.cursor.max(records.first_index());
        while let Some(t) = records.get(i) {
            let settled = t.acked_offset.is_some() || t.failed || t.sent_without_ack;
            let (Some(s), Some(offset)) = (t.stream, t.acked_offset.or(t.primary_offset)) else {
                if t.failed {
                    i += 1;
                    continue;
                }
                break;
            };
            let h = *horizons.entry(s).or_insert_with(|| self.horizon(s));
            if !settled || offset >= h {
                break;
            }
            i += 1;
        }
        self.cursor = i;
        i
    }
}
