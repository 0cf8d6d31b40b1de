//! One replica's partition log: records, leader-epoch cache, high watermark, what is
//! flushed to disk, and the idempotent-producer state derived from the records.
//!
//! Records live in a copy-on-write [`ChunkedVec`] so cloning a whole cluster for a time-travel
//! checkpoint shares them instead of copying. The log is split into segments as Kafka's is
//! (`segment.bytes`, `segment.ms`), and retention deletes whole segments from the front
//! (`retention.ms`, `retention.bytes`), which moves the log start offset and frees their
//! records' memory. Compaction is not modelled.
use std::collections::{BTreeMap, VecDeque};

use crate::kafka::message::LogRecord;
use crate::kafka::types::ErrorCode;
use crate::kernel::ChunkedVec;

pub mod epoch_cache;
mod segments;
pub use segments::{Deleted, LogConfig, Segment, RECORD_SIZE_BYTES};

/// Kafka keeps the metadata of the last 5 batches per producer (`NUM_BATCHES_TO_RETAIN`).
pub const PRODUCER_BATCHES_RETAINED: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BatchMeta {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducerEntry {
    pub epoch: u16,
    pub batches: VecDeque<BatchMeta>,
    /// First offset of the producer's open transaction in this partition, if any
    /// (`currentTxnFirstOffset`).
    pub current_txn_first_offset: Option<u64>,
}

/// A transaction whose marker is in the log: its data ran from `first_offset`, its
/// marker is at `last_offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompletedTxn {
    pub producer_id: i64,
    pub first_offset: u64,
    pub last_offset: u64,
    pub aborted: bool,
}

/// What the idempotence check decided for a batch about to be appended on a leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    Append,
    /// Already in the log: acknowledge with the original offset, append nothing.
    Duplicate {
        first_offset: u64,
    },
    Reject(ErrorCode),
}

#[derive(Clone, Debug, Default)]
pub struct PartitionLog {
    records: ChunkedVec<LogRecord>,
    /// Offsets below this are gone (deleted by retention, or below the leader's on a
    /// follower); reads below it get OFFSET_OUT_OF_RANGE.
    log_start_offset: u64,
    /// Non-empty once anything was appended; the last one is the active segment.
    segments: Vec<Segment>,
    config: LogConfig,
    /// HW: offsets below it are committed (replicated to the ISR).
    high_watermark: u64,
    /// Offsets below this are on disk; the rest is in the page cache.
    flushed_offset: u64,
    /// The high watermark as last written to `replication-offset-checkpoint`.
    checkpointed_high_watermark: u64,
    /// Leader-epoch cache: (epoch, start offset).
    epochs: epoch_cache::EpochCache,
    producers: BTreeMap<i64, ProducerEntry>,
    /// Open transactions: first offset -> producer id.
    ongoing_txns: BTreeMap<u64, i64>,
    /// Completed transactions whose marker may still be at or above the HW (they keep
    /// the LSO down until it is replicated).
    unstable_txns: VecDeque<CompletedTxn>,
    /// Every aborted transaction (Kafka's aborted-transaction index), in marker order.
    aborted_txns: Vec<CompletedTxn>,
}

impl PartitionLog {
    /// LEO: the offset the next record will get.
    pub fn log_end_offset(&self) -> u64 {
        self.records.len() as u64
    }
    pub fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
    pub fn config(&self) -> LogConfig {
        self.config
    }
    /// The topic's settings changed (or the replica was created): they apply from the next
    /// append and the next retention check, as in Kafka.
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
    }
    /// Bytes in the log (`UnifiedLog.size`).
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }
    pub fn high_watermark(&self) -> u64 {
        self.high_watermark
    }
    pub fn flushed_offset(&self) -> u64 {
        self.flushed_offset
    }
    pub fn checkpointed_high_watermark(&self) -> u64 {
        self.checkpointed_high_watermark
    }
    pub fn epochs(&self) -> &[(u32, u64)] {
        self.epochs.entries()
    }
    pub fn latest_epoch(&self) -> Option<u32> {
        self.epochs.latest_epoch()
    }
    pub fn get(&self, offset: u64) -> Option<&LogRecord> {
        if offset < self.log_start_offset {
            return None;
        }
        self.records.get(offset as usize)
    }
    /// The records from the log start offset on, in order.
    pub fn records(&self) -> impl Iterator<Item = &LogRecord> {
        self.records_from(self.log_start_offset)
    }
    /// Records from `offset` (at least the log start offset) on, in order.
    pub fn records_from(&self, offset: u64) -> impl Iterator<Item = &LogRecord> {
        let start = offset.max(self.log_start_offset) as usize;
        self.records.iter_from(start)
    }
    pub fn producer(&self, producer_id: i64) -> Option<&ProducerEntry> {
        self.producers.get(&producer_id)
    }

    /// LSO (`UnifiedLog.lastStableOffset`): the HW, or the first offset of the earliest
    /// transaction still open or whose marker is not yet below the HW, if lower.
    pub fn last_stable_offset(&self) -> u64 {
        let hw = self.high_watermark;
        let open = self.ongoing_txns.keys().next().copied();
        let unreplicated = self.unstable_txns.iter().filter(|t| t.last_offset >= hw).map(|t| t.first_offset).min();
        [Some(hw), open, unreplicated].into_iter().flatten().min().expect("hw")
    }

    /// Open transactions: (first offset, producer id), by first offset.
    pub fn ongoing_transactions(&self) -> impl Iterator<Item = (u64, i64)> + '_ {
        self.ongoing_txns.iter().map(|(o, p)| (*o, *p))
    }

    /// Aborted transactions that overlap `[from, to)` (`collectAbortedTxns`).
    pub fn aborted_between(&self, from: u64, to: u64) -> Vec<crate::kafka::message::AbortedTxn> {
        self.aborted_txns
            .iter()
            .filter(|t| t.last_offset >= from && t.first_offset < to)
            .map(|t| crate::kafka::message::AbortedTxn { producer_id: t.producer_id, first_offset: t.first_offset })
            .collect()
    }

    /// Whether the record at `offset` belongs to an aborted transaction.
    pub fn is_aborted(&self, offset: u64) -> bool {
        let Some(r) = self.get(offset) else { return false };
        r.transactional
            && r.control.is_none()
            && self
                .aborted_txns
                .iter()
                .any(|t| t.producer_id == r.producer_id && t.first_offset <= offset && offset < t.last_offset)
    }

    /// Up to `max` records from `offset`, stopping before `limit`.
    pub fn read(&self, offset: u64, limit: u64, max: u32) -> Vec<LogRecord> {
        let end = limit.min(self.log_end_offset()).min(offset.saturating_add(u64::from(max)));
        if offset >= end || offset < self.log_start_offset {
            return Vec::new();
        }
        self.records.iter_from(offset as usize).take((end - offset) as usize).cloned().collect()
    }

    /// Append records (as leader or follower). Epochs never go backwards in a log.
    pub fn append(&mut self, records: &[LogRecord]) {
        for r in records {
            let offset = self.log_end_offset();
            match self.latest_epoch() {
                Some(e) if r.leader_epoch < e => panic!("record epoch {} below log epoch {e}", r.leader_epoch),
                Some(e) if r.leader_epoch == e => {}
                _ => {
                    self.epochs.assign(r.leader_epoch, offset);
                }
            }
            self.maybe_roll(r.append_time);
            self.records.push(r.clone());
            let active = self.segments.last_mut().expect("rolled above");
            active.size_bytes += RECORD_SIZE_BYTES;
            active.max_timestamp = active.max_timestamp.max(r.append_time);
            // Producer state changes once per batch, not per record.
            let new_batch = match self.records.get(offset.wrapping_sub(1) as usize) {
                Some(prev) if offset > 0 => {
                    (prev.producer_id, prev.batch_first_seq, prev.producer_epoch)
                        != (r.producer_id, r.batch_first_seq, r.producer_epoch)
                }
                _ => true,
            };
            if new_batch || r.control.is_some() {
                self.track_producer(r, offset);
            }
        }
        self.assert_invariants();
    }

    /// A new leader records the start of its epoch at its LEO (`maybeAssignEpochStartOffset`).
    pub fn assign_epoch(&mut self, epoch: u32) {
        self.epochs.assign(epoch, self.log_end_offset());
        self.assert_invariants();
    }

    /// Remove every record at or above `offset`. Returns the removed records.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<LogRecord> {
        if offset < self.log_start_offset {
            // Nothing of the log may stay: it starts afresh at `offset`.
            return self.truncate_fully_and_start_at(offset);
        }
        if offset >= self.log_end_offset() {
            // Kafka truncates the epoch cache even then (UnifiedLog.truncateTo): an epoch
            // that started at the LEO but wrote nothing would otherwise linger and make
            // the follower diverge forever.
            self.epochs.truncate_from_end(offset);
            return Vec::new();
        }
        let removed: Vec<LogRecord> = self.records.split_off(offset as usize);
        while self.segments.last().is_some_and(|s| s.base_offset >= offset && self.segments.len() > 1) {
            self.segments.pop();
        }
        if let Some(active) = self.segments.last_mut() {
            // Sizes are exact (fixed per record); the timestamps stay an upper bound.
            active.size_bytes = (offset - active.base_offset.min(offset)) * RECORD_SIZE_BYTES;
        }
        self.epochs.truncate_from_end(offset);
        self.high_watermark = self.high_watermark.min(offset);
        self.flushed_offset = self.flushed_offset.min(offset);
        self.checkpointed_high_watermark = self.checkpointed_high_watermark.min(offset);
        self.rebuild_producers();
        self.assert_invariants();
        removed
    }

    /// Raise the HW (never lowers it; capped at the LEO). Returns true if it moved.
    pub fn advance_high_watermark(&mut self, hw: u64) -> bool {
        let hw = hw.min(self.log_end_offset());
        if hw > self.high_watermark {
            self.high_watermark = hw;
            // Transactions whose marker is now below the HW are stable.
            while self.unstable_txns.front().is_some_and(|t| t.last_offset < hw) {
                self.unstable_txns.pop_front();
            }
            self.assert_invariants();
            true
        } else {
            false
        }
    }

    /// A follower takes `min(leader HW, own LEO)`; after truncation it may be lower than before.
    /// Kafka sets it even when lower: a new leader's HW can lag the old one's.
    pub fn set_follower_high_watermark(&mut self, leader_hw: u64) -> bool {
        // `updateHighWatermark` keeps it between the log start offset and the LEO.
        let hw = leader_hw.min(self.log_end_offset()).max(self.log_start_offset);
        let moved = hw != self.high_watermark;
        self.high_watermark = hw;
        self.assert_invariants();
        moved
    }

    /// Write the HW checkpoint file (done periodically by every broker).
    pub fn checkpoint_high_watermark(&mut self) {
        self.checkpointed_high_watermark = self.high_watermark;
    }

    /// fsync: everything appended so far is on disk.
    pub fn flush(&mut self) {
        self.flushed_offset = self.log_end_offset();
    }

    /// The OS writes back dirty pages older than `expire_ms`.
    pub fn writeback(&mut self, now: u64, expire_ms: u64) {
        while let Some(r) = self.records.get(self.flushed_offset as usize) {
            if r.append_time.saturating_add(expire_ms) > now {
                break;
            }
            self.flushed_offset += 1;
        }
    }

    /// Unflushed records since the last flush.
    pub fn unflushed(&self) -> u64 {
        self.log_end_offset() - self.flushed_offset
    }

    /// Restart after a crash or power loss: the in-memory HW is gone and comes back from
    /// the checkpoint file; after power loss the page cache is gone too. Returns the
    /// records lost with the page cache.
    pub fn recover(&mut self, power_loss: bool) -> Vec<LogRecord> {
        let lost = if power_loss { self.truncate_to(self.flushed_offset) } else { Vec::new() };
        if !power_loss {
            // A process crash leaves the page cache to the OS, which writes it out.
            self.flush();
        }
        self.high_watermark = self.checkpointed_high_watermark.min(self.log_end_offset()).max(self.log_start_offset);
        self.assert_invariants();
        lost
    }

    /// `endOffsetForEpoch` of Kafka's `LeaderEpochFileCache` for this log.
    /// Returns (epoch, end offset); `None` stands for (UNDEFINED, UNDEFINED).
    pub fn end_offset_for_epoch(&self, requested: u32) -> Option<(u32, u64)> {
        match self.epochs.end_offset_for(i64::from(requested), self.log_end_offset()) {
            epoch_cache::UNDEFINED => None,
            (epoch, offset) => Some((epoch as u32, offset as u64)),
        }
    }

    /// The idempotent producer's sequence check (Kafka's `ProducerAppendInfo`).
    pub fn check_sequence(&self, producer_id: i64, epoch: u16, first_seq: i32, last_seq: i32) -> SequenceCheck {
        if producer_id < 0 {
            return SequenceCheck::Append;
        }
        let Some(entry) = self.producers.get(&producer_id) else {
            return SequenceCheck::Append;
        };
        if epoch < entry.epoch {
            return SequenceCheck::Reject(ErrorCode::InvalidProducerEpoch);
        }
        if epoch == entry.epoch {
            if let Some(b) = entry.batches.iter().find(|b| b.first_seq == first_seq && b.last_seq == last_seq) {
                return SequenceCheck::Duplicate { first_offset: b.first_offset };
            }
            let next = entry.batches.back().map(|b| b.last_seq.wrapping_add(1).max(0)).unwrap_or(0);
            if first_seq != next {
                return SequenceCheck::Reject(ErrorCode::OutOfOrderSequenceNumber);
            }
        } else if first_seq != 0 {
            return SequenceCheck::Reject(ErrorCode::OutOfOrderSequenceNumber);
        }
        SequenceCheck::Append
    }

    fn track_producer(&mut self, r: &LogRecord, offset: u64) {
        if r.producer_id < 0 {
            return;
        }
        let entry = self.producers.entry(r.producer_id).or_insert_with(|| ProducerEntry {
            epoch: r.producer_epoch,
            batches: VecDeque::new(),
            current_txn_first_offset: None,
        });
        if r.producer_epoch != entry.epoch {
            entry.epoch = r.producer_epoch;
            entry.batches.clear();
        }
        if let Some(kind) = r.control {
            // A transaction marker (`appendEndTxnMarker`): the producer's transaction in
            // this partition ends here; a marker with a bumped epoch fences older writes.
            if let Some(first) = entry.current_txn_first_offset.take() {
                self.ongoing_txns.remove(&first);
                let done = CompletedTxn {
                    producer_id: r.producer_id,
                    first_offset: first,
                    last_offset: offset,
                    aborted: kind == crate::kafka::message::ControlType::Abort,
                };
                self.unstable_txns.push_back(done);
                if done.aborted {
                    self.aborted_txns.push(done);
                }
            }
            return;
        }
        if r.transactional && entry.current_txn_first_offset.is_none() {
            entry.current_txn_first_offset = Some(offset);
            self.ongoing_txns.insert(offset, r.producer_id);
        }
        match entry.batches.back() {
            Some(b) if b.first_seq == r.batch_first_seq && b.last_seq == r.batch_last_seq => {}
            _ => {
                entry.batches.push_back(BatchMeta {
                    first_seq: r.batch_first_seq,
                    last_seq: r.batch_last_seq,
                    first_offset: offset,
                });
                if entry.batches.len() > PRODUCER_BATCHES_RETAINED {
                    entry.batches.pop_front();
                }
            }
        }
    }

    fn rebuild_producers(&mut self) {
        self.producers.clear();
        self.ongoing_txns.clear();
        self.unstable_txns.clear();
        self.aborted_txns.clear();
        let start = self.log_start_offset;
        let records: Vec<LogRecord> = self.records().cloned().collect();
        for (i, r) in records.iter().enumerate() {
            self.track_producer(r, start + i as u64);
        }
    }

    fn assert_invariants(&self) {
        assert!(self.high_watermark <= self.log_end_offset(), "HW <= LEO");
        assert!(self.flushed_offset <= self.log_end_offset(), "flushed <= LEO");
        assert!(self.log_start_offset <= self.high_watermark, "log start <= HW");
        let epochs = self.epochs.entries();
        debug_assert!(epochs.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "epoch cache ordered");
    }
}

#[cfg(test)]
mod tests;
