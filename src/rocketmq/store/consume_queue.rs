//! A ConsumeQueue (`S/ConsumeQueue`): one per message queue, a dense list of fixed 20-byte
//! entries (CommitLog offset, size, tag hash). The index of an entry is the queue
//! (logical) offset consumers use; the tag hash is left out (no filtering in this model).

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumeQueue {
    /// (physical offset, size) per logical offset.
    entries: Vec<(u64, u64)>,
}

impl ConsumeQueue {
    /// The max logical offset: the offset the next dispatched message gets.
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[(u64, u64)] {
        &self.entries
    }

    pub(super) fn push(&mut self, phys_offset: u64, size: u64) {
        self.entries.push((phys_offset, size));
    }

    /// The CommitLog position of logical offset `offset`.
    pub fn get(&self, offset: u64) -> Option<(u64, u64)> {
        self.entries.get(offset as usize).copied()
    }

    /// Drop entries that point at or beyond the CommitLog's end.
    pub(super) fn truncate_beyond(&mut self, commit_log_end: u64) {
        self.entries.retain(|(phys, size)| phys + size <= commit_log_end);
    }
}
