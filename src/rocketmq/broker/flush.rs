//! Flushing the CommitLog to disk (`S/CommitLog`, `DefaultFlushManager`).
//!
//! - ASYNC_FLUSH, `FlushRealTimeService`: wakes every `flushIntervalCommitLog` and flushes
//!   only when `flushCommitLogLeastPages` dirty 4 KiB pages have built up, except once every
//!   `flushCommitLogThoroughInterval`, when it flushes whatever is dirty.
//! - SYNC_FLUSH, `GroupCommitService`: a send that needs its flush wakes the service, which
//!   flushes everything written (it also flushes on its own every 10 ms; the model wakes it
//!   only when a message was written, which flushes the same bytes).
//!
//! After a flush, sends waiting for it are answered, and on 5.x under SYNC_FLUSH the
//! ConsumeQueues are dispatched up to the flushed position (`CommitLog.getConfirmOffset`).

use super::Broker;
use crate::kernel::Ctx;
use crate::rocketmq::config::{FlushDiskType, Version};
use crate::rocketmq::notes::Note;
use crate::rocketmq::store::commit_log::OS_PAGE_SIZE;
use crate::rocketmq::world::{Spec, Timer, World};

/// `GroupCommitService` waits this long between rounds.
pub const GROUP_COMMIT_INTERVAL: u64 = 10;

pub fn start(b: &mut Broker, ctx: &mut Ctx<World>) {
    if b.config.flush_disk_type == FlushDiskType::AsyncFlush {
        b.store.commit_log.last_thorough_flush = ctx.now;
        ctx.set_timer(b.node, b.config.flush_interval_commit_log as u64, Timer::FlushCommitLog);
    }
}

/// Where the reput service may dispatch up to: the flushed position on 5.x under
/// SYNC_FLUSH (since 5.3.0, `readUnCommitted` false), else everything written.
pub fn dispatch_end(b: &Broker) -> u64 {
    if b.version() == Version::V5 && b.config.flush_disk_type == FlushDiskType::SyncFlush {
        b.store.commit_log.flushed
    } else {
        b.store.commit_log.max_offset()
    }
}

/// Something was written: under SYNC_FLUSH, wake the group commit.
pub fn request_flush(b: &mut Broker, ctx: &mut Ctx<World>) {
    if b.config.flush_disk_type == FlushDiskType::SyncFlush {
        ctx.set_timer(b.node, 0, Timer::GroupCommit);
    }
}

/// `FlushRealTimeService` round.
pub fn on_flush_timer(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    let thorough =
        ctx.now >= b.store.commit_log.last_thorough_flush + b.config.flush_commit_log_thorough_interval as u64;
    let least = b.config.flush_commit_log_least_pages as u64 * OS_PAGE_SIZE;
    if thorough {
        b.store.commit_log.last_thorough_flush = ctx.now;
    }
    let dirty = b.store.commit_log.dirty_bytes();
    if dirty > 0 && (thorough || dirty >= least) {
        flush(b, ctx, spec);
    }
    ctx.set_timer(b.node, b.config.flush_interval_commit_log as u64, Timer::FlushCommitLog);
}

/// `GroupCommitService` round.
pub fn on_group_commit(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    if b.store.commit_log.dirty_bytes() > 0 {
        flush(b, ctx, spec);
    }
}

/// Flush everything written, unless the disk is stalled (then try again when it is back).
fn flush(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    if ctx.now < b.disk_stalled_until {
        if b.config.flush_disk_type == FlushDiskType::SyncFlush {
            ctx.set_timer(b.node, b.disk_stalled_until - ctx.now, Timer::GroupCommit);
        }
        return;
    }
    b.store.commit_log.flush_all();
    ctx.note(Note::Flushed { broker: b.index, flushed: b.store.commit_log.flushed });
    super::send::on_progress(b, ctx);
    dispatch(b, ctx, spec);
}

/// `ReputMessageService`: dispatch to the ConsumeQueues and tell the long-polling
/// listener. 4.x fired the listener only on a master (a held pull on a slave waits for the
/// periodic check); 5.x fires it on every role (`notifyMessageArriveIfNecessary`).
pub fn dispatch(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    let end = dispatch_end(b);
    let arrived = b.store.reput(end);
    if b.version() == Version::V4_9 && b.is_slave() {
        return;
    }
    for mq in arrived {
        super::hold::notify_message_arriving(b, ctx, spec, mq, crate::rocketmq::notes::WakeReason::Arrival);
    }
}
