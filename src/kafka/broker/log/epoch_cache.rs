//! The leader-epoch cache (Kafka's `LeaderEpochFileCache`): for each leader epoch of a
//! log, the offset where it starts. Its rules, as Kafka states them:
//! * `assign(epoch, start)` changes nothing when the latest entry has that epoch and a start
//!   no higher (an epoch once assigned keeps its start offset); otherwise it first removes,
//!   from the end, every entry whose epoch or start is not below the new one's;
//! * `truncate_from_end(end)` removes every entry starting at or after `end` (a log
//!   truncated to `end`);
//! * `truncate_from_start(start)` removes every entry starting at or before `start` and puts
//!   the last of them back starting at `start` (the log start offset moved up);
//! * `end_offset_for(epoch, leo)`: see [`EpochCache::end_offset_for`].
//!
//! `highwater epoch-cache` replays these operations, to check them against Kafka's tests.

/// `UNDEFINED_EPOCH` and `UNDEFINED_EPOCH_OFFSET`, as a pair.
pub const UNDEFINED: (i64, i64) = (-1, -1);

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EpochCache {
    /// (epoch, start offset), strictly increasing in epoch, non-decreasing in offset.
    entries: Vec<(u32, u64)>,
}

impl EpochCache {
    pub fn entries(&self) -> &[(u32, u64)] {
        &self.entries
    }

    pub fn latest_epoch(&self) -> Option<u32> {
        self.entries.last().map(|e| e.0)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Returns whether the cache changed.
    pub fn assign(&mut self, epoch: u32, start: u64) -> bool {
        let needed = self.entries.last().is_none_or(|&(e, s)| epoch != e || start < s);
        if needed {
            while self.entries.last().is_some_and(|&(e, s)| e >= epoch || s >= start) {
                self.entries.pop();
            }
            self.entries.push((epoch, start));
        }
        needed
    }

    pub fn truncate_from_end(&mut self, end: u64) {
        self.entries.retain(|&(_, s)| s < end);
    }

    pub fn truncate_from_start(&mut self, start: u64) {
        let removed = self.entries.iter().take_while(|&&(_, s)| s <= start).count();
        if removed > 0 {
            let epoch = self.entries[removed - 1].0;
            self.entries.drain(..removed);
            self.entries.insert(0, (epoch, start));
        }
    }

    /// `endOffsetFor(requestedEpoch, logEndOffset)`: the requested epoch (or the latest
    /// known one below it) and the offset where the next known epoch starts; the latest
    /// epoch ends at the LEO; an epoch older than everything known ends where the first
    /// known one starts; `UNDEFINED` for an undefined (negative) epoch or one newer than
    /// everything known.
    pub fn end_offset_for(&self, requested: i64, log_end_offset: u64) -> (i64, i64) {
        let Ok(requested) = u32::try_from(requested) else { return UNDEFINED };
        if self.latest_epoch() == Some(requested) {
            return (i64::from(requested), log_end_offset as i64);
        }
        let Some(&(_, higher_start)) = self.entries.iter().find(|&&(e, _)| e > requested) else {
            return UNDEFINED;
        };
        match self.entries.iter().rev().find(|&&(e, _)| e <= requested) {
            None => (i64::from(requested), higher_start as i64),
            Some(&(floor, _)) => (i64::from(floor), higher_start as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(entries: &[(u32, u64)]) -> EpochCache {
        let mut c = EpochCache::default();
        for &(e, s) in entries {
            c.assign(e, s);
        }
        c
    }

    #[test]
    fn an_assigned_epoch_keeps_its_start_offset() {
        let mut c = cache(&[(2, 6)]);
        assert!(!c.assign(2, 7), "same epoch, later offset: unchanged");
        assert_eq!(c.entries(), &[(2, 6)]);
        assert!(c.assign(2, 5), "same epoch, earlier offset: replaced");
        assert_eq!(c.entries(), &[(2, 5)]);
    }

    #[test]
    fn a_lower_epoch_or_offset_drops_the_entries_after_it() {
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.assign(3, 7);
        assert_eq!(c.entries(), &[(2, 6), (3, 7)]);
        c.assign(5, 7);
        assert_eq!(c.entries(), &[(2, 6), (5, 7)], "epoch 3 started at 7 too: removed");
    }

    #[test]
    fn truncation_from_both_ends() {
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_end(9);
        assert_eq!(c.entries(), &[(2, 6), (3, 8)]);
        c.truncate_from_start(9);
        assert_eq!(c.entries(), &[(3, 9)], "the epoch in force at 9 now starts there");
        c.truncate_from_start(2);
        assert_eq!(c.entries(), &[(3, 9)], "below the first start: nothing to do");
    }

    #[test]
    fn end_offsets_for_known_unknown_and_undefined_epochs() {
        let c = cache(&[(2, 6), (3, 8), (5, 11)]);
        assert_eq!(c.end_offset_for(5, 20), (5, 20), "latest epoch: the LEO");
        assert_eq!(c.end_offset_for(2, 20), (2, 8));
        assert_eq!(c.end_offset_for(4, 20), (3, 11), "unknown: the floor epoch, the next start");
        assert_eq!(c.end_offset_for(1, 20), (1, 6), "older than all: the first start");
        assert_eq!(c.end_offset_for(6, 20), UNDEFINED, "newer than all");
        assert_eq!(c.end_offset_for(-1, 20), UNDEFINED, "undefined epoch");
        assert_eq!(EpochCache::default().end_offset_for(0, 0), UNDEFINED, "empty cache");
    }
}
