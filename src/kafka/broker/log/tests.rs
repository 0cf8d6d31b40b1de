use super::*;
use crate::kafka::types::RecordId;

fn rec(id: u64, epoch: u32) -> LogRecord {
    LogRecord {
        id: RecordId(id),
        leader_epoch: epoch,
        producer_id: -1,
        producer_epoch: 0,
        batch_first_seq: -1,
        batch_last_seq: -1,
        append_time: id,
        payload: None,
        transactional: false,
        control: None,
    }
}

fn log_with_epochs(epochs: &[u32]) -> PartitionLog {
    let mut log = PartitionLog::default();
    for (i, e) in epochs.iter().enumerate() {
        if log.latest_epoch() != Some(*e) {
            log.assign_epoch(*e);
        }
        log.append(&[rec(i as u64, *e)]);
    }
    log
}

#[test]
fn end_offset_for_epoch_follows_kafka_cache_rules() {
    // epochs: 0 at offset 0, 2 at offset 3, 5 at offset 5; LEO 7
    let log = log_with_epochs(&[0, 0, 0, 2, 2, 5, 5]);
    assert_eq!(log.epochs(), &[(0, 0), (2, 3), (5, 5)]);
    assert_eq!(log.end_offset_for_epoch(5), Some((5, 7)), "latest epoch ends at LEO");
    assert_eq!(log.end_offset_for_epoch(2), Some((2, 5)));
    assert_eq!(log.end_offset_for_epoch(3), Some((2, 5)), "unknown epoch: floor epoch, next start");
    assert_eq!(log.end_offset_for_epoch(6), None, "newer than anything known");
    let log = log_with_epochs(&[3, 3]);
    assert_eq!(log.end_offset_for_epoch(1), Some((1, 0)), "older than anything known");
}

#[test]
fn truncating_at_the_end_still_drops_an_empty_epoch() {
    // A leader of epoch 1 that wrote nothing, now a follower told to truncate at 2.
    let mut log = log_with_epochs(&[0, 0]);
    log.assign_epoch(1);
    assert_eq!(log.epochs(), &[(0, 0), (1, 2)]);
    assert!(log.truncate_to(2).is_empty());
    assert_eq!(log.epochs(), &[(0, 0)]);
}

#[test]
fn truncation_drops_epochs_and_caps_hw() {
    let mut log = log_with_epochs(&[0, 0, 1, 1, 1]);
    log.advance_high_watermark(4);
    let removed = log.truncate_to(2);
    assert_eq!(removed.len(), 3);
    assert_eq!(log.log_end_offset(), 2);
    assert_eq!(log.high_watermark(), 2);
    assert_eq!(log.epochs(), &[(0, 0)]);
}

#[test]
fn high_watermark_never_passes_leo_or_goes_back() {
    let mut log = log_with_epochs(&[0, 0, 0]);
    assert!(log.advance_high_watermark(10));
    assert_eq!(log.high_watermark(), 3);
    assert!(!log.advance_high_watermark(1));
    assert_eq!(log.high_watermark(), 3);
}

#[test]
fn power_loss_keeps_only_flushed_records_and_checkpointed_hw() {
    let mut log = log_with_epochs(&[0, 0, 0, 0]);
    log.advance_high_watermark(3);
    log.checkpoint_high_watermark();
    log.writeback(2 + 30_000, 30_000); // records appended at t=0,1,2 are old enough
    assert_eq!(log.flushed_offset(), 3);
    let lost = log.recover(true);
    assert_eq!(lost.len(), 1);
    assert_eq!(log.log_end_offset(), 3);
    assert_eq!(log.high_watermark(), 3);
}

#[test]
fn idempotence_detects_duplicates_gaps_and_old_epochs() {
    let mut log = PartitionLog::default();
    log.assign_epoch(0);
    let batch = |seq: i32, n: i32| -> Vec<LogRecord> {
        (0..n)
            .map(|i| LogRecord {
                producer_id: 7,
                producer_epoch: 1,
                batch_first_seq: seq,
                batch_last_seq: seq + n - 1,
                ..rec((seq + i) as u64, 0)
            })
            .collect()
    };
    assert_eq!(log.check_sequence(7, 1, 0, 2), SequenceCheck::Append);
    log.append(&batch(0, 3));
    assert_eq!(log.check_sequence(7, 1, 0, 2), SequenceCheck::Duplicate { first_offset: 0 });
    assert_eq!(log.check_sequence(7, 1, 5, 6), SequenceCheck::Reject(ErrorCode::OutOfOrderSequenceNumber));
    assert_eq!(log.check_sequence(7, 0, 3, 3), SequenceCheck::Reject(ErrorCode::InvalidProducerEpoch));
    assert_eq!(log.check_sequence(7, 1, 3, 3), SequenceCheck::Append);
    log.append(&batch(3, 1));
    log.truncate_to(3);
    assert_eq!(log.check_sequence(7, 1, 3, 3), SequenceCheck::Append, "state rebuilt after truncation");
}

/// A log of `n` records appended one per ms from t=0, all below the HW.
fn committed_log(config: LogConfig, n: u64) -> PartitionLog {
    let mut log = PartitionLog::default();
    log.set_config(config);
    log.assign_epoch(0);
    for i in 0..n {
        log.append(&[rec(i, 0)]);
    }
    log.advance_high_watermark(n);
    log
}

#[test]
fn segments_roll_at_segment_bytes_and_segment_ms() {
    let by_size = LogConfig { segment_bytes: 3 * RECORD_SIZE_BYTES, ..Default::default() };
    let log = committed_log(by_size, 7);
    let bases: Vec<u64> = log.segments().iter().map(|s| s.base_offset).collect();
    assert_eq!(bases, vec![0, 3, 6]);
    // segment.ms: a record more than 2 ms newer than the segment's first rolls it.
    let by_time = LogConfig { segment_ms: 2, ..Default::default() };
    let log = committed_log(by_time, 7);
    let bases: Vec<u64> = log.segments().iter().map(|s| s.base_offset).collect();
    assert_eq!(bases, vec![0, 3, 6]);
    assert_eq!(log.size_bytes(), 7 * RECORD_SIZE_BYTES);
}

#[test]
fn retention_ms_deletes_whole_old_segments_and_moves_the_log_start_offset() {
    let config = LogConfig { retention_ms: 10, segment_bytes: 4 * RECORD_SIZE_BYTES, ..Default::default() };
    let mut log = committed_log(config, 10); // segments [0..4) [4..8) [8..10), timestamps 0..9
    assert_eq!(log.next_deletion_due(), Some(3 + 10 + 1), "the first segment's newest record is at t=3");
    assert_eq!(log.delete_old_segments(13), None, "not older than retention.ms yet");
    let d = log.delete_old_segments(14).expect("first segment expired");
    assert_eq!(d, Deleted { segments: 1, records: 4, log_start_offset: 4 });
    assert_eq!(log.log_start_offset(), 4);
    assert_eq!(log.get(3), None);
    assert_eq!(log.get(4).map(|r| r.id), Some(RecordId(4)));
    assert_eq!(log.records().count(), 6);
    assert!(log.read(2, 10, 100).is_empty(), "nothing is read below the log start offset");
    // Everything old: the active segment goes too (rolled first), the log is empty.
    let d = log.delete_old_segments(1_000).expect("all expired");
    assert_eq!((d.segments, d.log_start_offset), (2, 10));
    assert_eq!((log.log_start_offset(), log.log_end_offset(), log.high_watermark()), (10, 10, 10));
    log.append(&[rec(10, 0)]);
    assert_eq!(log.get(10).map(|r| r.id), Some(RecordId(10)), "offsets go on after the deleted ones");
}

#[test]
fn retention_never_deletes_at_or_above_the_high_watermark() {
    let config = LogConfig { retention_ms: 0, segment_bytes: 2 * RECORD_SIZE_BYTES, ..Default::default() };
    let mut log = committed_log(config, 6);
    log.append(&[rec(6, 0), rec(7, 0)]);
    // HW 6: segments [0..2) [2..4) [4..6) may go, [6..8) not.
    let d = log.delete_old_segments(1_000).expect("deletes");
    assert_eq!(d.log_start_offset, 6);
    assert_eq!(log.records().count(), 2);
}

#[test]
fn retention_bytes_deletes_only_what_brings_the_log_under_the_limit() {
    let config = LogConfig {
        retention_bytes: 5 * RECORD_SIZE_BYTES as i64,
        segment_bytes: 2 * RECORD_SIZE_BYTES,
        ..Default::default()
    };
    let mut log = committed_log(config, 9); // 9 records in [0,2) [2,4) [4,6) [6,8) [8,9)
    assert_eq!(log.next_deletion_due(), Some(0));
    let d = log.delete_old_segments(0).expect("over retention.bytes");
    assert_eq!(d.log_start_offset, 4, "two segments bring 9 records down to 5");
    assert_eq!(log.delete_old_segments(0), None);
}

#[test]
fn a_follower_follows_the_leader_log_start_offset_and_deletes_below_it() {
    let config = LogConfig { segment_bytes: 2 * RECORD_SIZE_BYTES, ..Default::default() };
    let mut log = committed_log(config, 6);
    assert!(log.maybe_increment_log_start_offset(5));
    assert_eq!(log.get(4), None, "hidden at once");
    assert_eq!(log.next_deletion_due(), Some(0));
    let d = log.delete_old_segments(0).expect("segments below the log start offset");
    assert_eq!((d.segments, d.log_start_offset), (2, 5), "[0,2) and [2,4) go; [4,6) holds offset 5");
    assert!(!log.maybe_increment_log_start_offset(3), "never backwards");
}

#[test]
fn a_follower_behind_the_leader_log_start_starts_over_there() {
    let mut log = committed_log(LogConfig::default(), 3);
    let removed = log.truncate_fully_and_start_at(50);
    assert_eq!(removed.len(), 3);
    assert_eq!((log.log_start_offset(), log.log_end_offset(), log.high_watermark()), (50, 50, 50));
    log.append(&[rec(50, 0)]);
    assert_eq!(log.get(50).map(|r| r.id), Some(RecordId(50)));
}

#[test]
fn default_retention_is_a_week_away() {
    let log = committed_log(LogConfig::default(), 3);
    assert_eq!(log.next_deletion_due(), Some(2 + 604_800_000 + 1));
    assert_eq!(log.segments().len(), 1);
    let forever = committed_log(LogConfig::keep_everything(), 3);
    assert_eq!(forever.next_deletion_due(), None);
}
