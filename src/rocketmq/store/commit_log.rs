//! The CommitLog (`S/CommitLog`): every message of every topic in arrival order, addressed
//! by physical (byte) offset. Files, mapped memory and the byte layout are left out: an
//! entry stands for a stored message of `size` bytes.

use crate::kernel::Time;
use crate::rocketmq::message::LogEntry;

/// `OS_PAGE_SIZE`: flush thresholds count 4 KiB pages.
pub const OS_PAGE_SIZE: u64 = 4096;

#[derive(Clone, Debug, Default)]
pub struct CommitLog {
    entries: Vec<LogEntry>,
    /// Bytes known to be on disk (`flushedWhere`). Below this, a power loss keeps the data.
    pub flushed: u64,
    /// When the ASYNC_FLUSH service last flushed whatever was dirty (the thorough flush).
    pub last_thorough_flush: Time,
}

impl CommitLog {
    /// The write position: the end of the last message (`getMaxOffset`).
    pub fn max_offset(&self) -> u64 {
        self.entries.last().map_or(0, LogEntry::end)
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(super) fn push(&mut self, entry: LogEntry) {
        debug_assert_eq!(entry.phys_offset, self.max_offset(), "CommitLog appends at its end");
        self.entries.push(entry);
    }

    /// The entries whose physical offset is at or after `offset`.
    pub fn entries_from(&self, offset: u64) -> &[LogEntry] {
        let i = self.entries.partition_point(|e| e.phys_offset < offset);
        &self.entries[i..]
    }

    /// The entry that starts at `offset`.
    pub fn entry_at(&self, offset: u64) -> Option<&LogEntry> {
        self.entries_from(offset).first().filter(|e| e.phys_offset == offset)
    }

    /// Bytes written but not flushed (dirty pages in the page cache).
    pub fn dirty_bytes(&self) -> u64 {
        self.max_offset() - self.flushed
    }

    /// Flush everything written.
    pub fn flush_all(&mut self) {
        self.flushed = self.max_offset();
    }

    /// Drop every entry that ends after `offset`; returns them.
    pub(super) fn truncate(&mut self, offset: u64) -> Vec<LogEntry> {
        let keep = self.entries.partition_point(|e| e.end() <= offset);
        let lost = self.entries.split_off(keep);
        self.flushed = self.flushed.min(self.max_offset());
        lost
    }
}
