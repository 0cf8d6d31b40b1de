//! Segments and retention (`LogSegment`, `UnifiedLog.maybeRoll`, `deleteOldSegments`):
//! when a log rolls a new segment, and which leading segments the log cleaner may delete.
use super::PartitionLog;
use crate::kafka::message::LogRecord;

/// What a record weighs against `segment.bytes` and `retention.bytes`. Records here carry no
/// key or value; 100 bytes is a small record in Kafka's v2 format with its share of the
/// 61-byte batch header.
pub const RECORD_SIZE_BYTES: u64 = 100;

/// One segment of the log (`LogSegment`): records from `base_offset` to the next segment's
/// base offset (or the LEO for the last, active one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    pub base_offset: u64,
    pub size_bytes: u64,
    /// The largest record timestamp in it: retention.ms counts from this.
    pub max_timestamp: u64,
    /// The first record's timestamp: segment.ms counts from this (`rollingBasedTimestamp`).
    pub first_timestamp: u64,
}

/// A topic's log settings (`LogConfig`), with Kafka's meaning of -1 for "unlimited".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LogConfig {
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub segment_bytes: u64,
    pub segment_ms: u64,
}

impl Default for LogConfig {
    /// Kafka's defaults: 7 days, unlimited size, 1 GiB segments rolled at least weekly.
    fn default() -> Self {
        LogConfig { retention_ms: 604_800_000, retention_bytes: -1, segment_bytes: 1 << 30, segment_ms: 604_800_000 }
    }
}

impl LogConfig {
    /// Internal topics are compacted in Kafka (`cleanup.policy=compact`), never deleted by
    /// time or size; compaction is not modelled, so they keep everything.
    pub fn keep_everything() -> Self {
        LogConfig { retention_ms: -1, retention_bytes: -1, ..Default::default() }
    }
}

/// What one retention pass deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub segments: u32,
    pub records: u64,
    pub log_start_offset: u64,
}

impl PartitionLog {
    /// `UnifiedLog.maybeRoll` before an append: a new segment when the active one is full
    /// (`segment.bytes`) or its first record is older than `segment.ms` compared with the new
    /// record's timestamp (`LogSegment.shouldRoll`; `segment.jitter.ms` is 0). Timestamps
    /// are the leader's append times, so a follower's segments match the leader's.
    pub(super) fn maybe_roll(&mut self, timestamp: u64) {
        let leo = self.log_end_offset();
        let full = |s: &Segment| {
            s.size_bytes > 0
                && (s.size_bytes + RECORD_SIZE_BYTES > self.config.segment_bytes
                    || timestamp.saturating_sub(s.first_timestamp) > self.config.segment_ms)
        };
        match self.segments.last() {
            Some(s) if s.size_bytes == 0 => {
                let s = self.segments.last_mut().expect("active");
                s.first_timestamp = timestamp;
                s.max_timestamp = timestamp;
            }
            Some(s) if !full(s) => {}
            _ => self.segments.push(Segment {
                base_offset: leo,
                size_bytes: 0,
                max_timestamp: timestamp,
                first_timestamp: timestamp,
            }),
        }
    }

    /// The earliest time at which a retention check could delete something here, if ever
    /// (a check that deletes nothing changes nothing, so the broker may skip it).
    pub fn next_deletion_due(&self) -> Option<u64> {
        let first = self.segments.first().filter(|s| s.size_bytes > 0)?;
        if self.segments.get(1).is_some_and(|n| n.base_offset <= self.log_start_offset) {
            return Some(0);
        }
        if self.config.retention_bytes >= 0
            && self.size_bytes() >= first.size_bytes + self.config.retention_bytes as u64
        {
            return Some(0);
        }
        (self.config.retention_ms >= 0).then(|| first.max_timestamp + self.config.retention_ms as u64 + 1)
    }

    /// The log cleaner's deletion pass (`UnifiedLog.deleteOldSegments`): delete leading
    /// segments, never at or above the HW (so the log start offset never passes it), that
    /// are below the log start offset (a follower's, raised by its leader), or make the log
    /// exceed `retention.bytes`, or whose newest record is older than `retention.ms`. If the
    /// active segment goes too, a new empty one is rolled first. The log start offset moves
    /// to the first remaining segment.
    pub fn delete_old_segments(&mut self, now: u64) -> Option<Deleted> {
        let cfg = self.config;
        let mut excess = if cfg.retention_bytes >= 0 { self.size_bytes() as i64 - cfg.retention_bytes } else { -1 };
        let mut n = 0;
        while let Some(s) = self.segments.get(n) {
            let next = self.segments.get(n + 1).map(|x| x.base_offset);
            let upper = next.unwrap_or(self.log_end_offset());
            if s.size_bytes == 0 || self.high_watermark < upper {
                break;
            }
            let below_start = next.is_some_and(|b| b <= self.log_start_offset);
            let by_size = excess >= s.size_bytes as i64;
            let by_time = cfg.retention_ms >= 0 && now.saturating_sub(s.max_timestamp) > cfg.retention_ms as u64;
            if !(below_start || by_size || by_time) {
                break;
            }
            if by_size {
                excess -= s.size_bytes as i64;
            }
            n += 1;
        }
        if n == 0 {
            return None;
        }
        let leo = self.log_end_offset();
        if n == self.segments.len() {
            self.segments.push(Segment { base_offset: leo, size_bytes: 0, max_timestamp: 0, first_timestamp: 0 });
        }
        self.segments.drain(..n);
        let new_start = self.segments[0].base_offset.max(self.log_start_offset);
        let records = new_start - self.log_start_offset;
        self.log_start_offset = new_start;
        self.epochs.truncate_from_start(new_start);
        // Deleted segments need no writeback (they were below the HW, hence replicated).
        self.flushed_offset = self.flushed_offset.max(new_start);
        self.records.drop_before(new_start as usize);
        self.forget_producer_state_below(new_start);
        self.assert_invariants();
        Some(Deleted { segments: n as u32, records, log_start_offset: new_start })
    }

    /// A follower learns its leader's log start offset from each fetch response
    /// (`maybeIncrementLogStartOffset`, capped at its own HW as Kafka requires); its
    /// segments below it go at its next retention check.
    pub fn maybe_increment_log_start_offset(&mut self, offset: u64) -> bool {
        let offset = offset.min(self.high_watermark);
        if offset <= self.log_start_offset {
            return false;
        }
        self.log_start_offset = offset;
        self.epochs.truncate_from_start(offset);
        self.forget_producer_state_below(offset);
        true
    }

    /// A follower too far behind (its LEO below the leader's log start offset) empties its
    /// log and starts at the leader's log start offset (`truncateFullyAndStartAt`).
    pub fn truncate_fully_and_start_at(&mut self, offset: u64) -> Vec<LogRecord> {
        let removed: Vec<LogRecord> = self.records().cloned().collect();
        self.records.reset_to(offset as usize);
        self.segments.clear();
        self.log_start_offset = offset;
        self.high_watermark = offset;
        self.flushed_offset = offset;
        self.checkpointed_high_watermark = offset;
        self.epochs.clear();
        self.rebuild_producers();
        removed
    }

    /// Aborted transactions and completed ones entirely below the log start offset can no
    /// longer be read (Kafka drops their index entries with the segments).
    pub(super) fn forget_producer_state_below(&mut self, offset: u64) {
        self.aborted_txns.retain(|t| t.last_offset >= offset);
    }
}
