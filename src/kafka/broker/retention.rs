//! The log cleaner's deletion task (`LogManager`'s "kafka-log-retention", every
//! `log.retention.check.interval.ms` after a 30 s initial delay): each log deletes the old
//! segments `UnifiedLog.deleteOldSegments` allows (see `PartitionLog::delete_old_segments`).
//!
//! A check that deletes nothing changes nothing, so the broker arms its timer only for the
//! first tick of Kafka's schedule at which some log could delete something (the oldest
//! segment old enough for `retention.ms`, the log over `retention.bytes`, or a segment below
//! a follower's log start offset). With the defaults (7 days, unlimited size) a run shorter
//! than a week never fires it, and its trace is what it was before retention was modelled.
use super::*;

/// Kafka's `LogManager.InitialTaskDelayMs`.
const INITIAL_TASK_DELAY_MS: u64 = 30_000;

impl Broker {
    /// The first tick of the retention schedule at or after `t`.
    fn retention_tick_at_or_after(&self, env: &Env, t: u64) -> u64 {
        let first = self.started_at + INITIAL_TASK_DELAY_MS;
        let interval = env.broker.log_retention_check_interval_ms;
        if t <= first {
            first
        } else {
            first + (t - first).div_ceil(interval) * interval
        }
    }

    /// Arm the retention timer for the first tick that could delete something in `tp`'s log
    /// (every log when `tp` is None), unless it is armed for that tick or earlier already.
    pub(crate) fn maybe_schedule_retention(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Option<Tp>) {
        let due = match tp {
            Some(tp) => self.replicas.get(&tp).and_then(|r| r.log.next_deletion_due()),
            None => self.replicas.values().filter_map(|r| r.log.next_deletion_due()).min(),
        };
        let Some(due) = due else { return };
        let tick = self.retention_tick_at_or_after(env, due.max(ctx.now + 1));
        if self.retention_check_at.is_some_and(|at| at <= tick) {
            return;
        }
        self.retention_check_at = Some(tick);
        ctx.set_timer(self.node(), tick - ctx.now, Timer::RetentionCheck(tick));
    }

    /// A record was appended to `tp` (as leader or follower): the check may be due sooner.
    pub(crate) fn after_append(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let bounded = self.replicas.get(&tp).is_some_and(|r| r.log.config().retention_bytes >= 0);
        if self.retention_check_at.is_none() || bounded {
            self.maybe_schedule_retention(ctx, env, Some(tp));
        }
    }

    /// The retention tick: delete what may be deleted, note it, arm the next useful tick.
    pub fn on_retention_check(&mut self, ctx: &mut Ctx<World>, env: &Env, at: u64) {
        if self.retention_check_at != Some(at) {
            return; // superseded by an earlier tick
        }
        self.retention_check_at = None;
        let now = ctx.now;
        let mut moved = Vec::new();
        for (tp, r) in self.replicas.iter_mut() {
            if let Some(d) = r.log.delete_old_segments(now) {
                moved.push(*tp);
                ctx.note(Note::SegmentsDeleted {
                    broker: self.id,
                    tp: *tp,
                    segments: d.segments,
                    records: d.records,
                    log_start_offset: d.log_start_offset,
                });
            }
        }
        for tp in moved {
            // A new log start offset for the fetch sessions to pass on.
            self.parked_partition_changed(tp);
        }
        self.maybe_schedule_retention(ctx, env, None);
    }

    /// A follower takes its leader's log start offset from a fetch response.
    pub(crate) fn follow_log_start_offset(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp, leader_start: u64) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        if r.log.maybe_increment_log_start_offset(leader_start) {
            ctx.note(Note::LogStartOffset { broker: self.id, tp, log_start_offset: r.log.log_start_offset() });
            self.maybe_schedule_retention(ctx, env, Some(tp));
        }
    }
}
