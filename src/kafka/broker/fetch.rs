//! The leader's fetch path (Kafka's `ReplicaManager.fetchMessages`, `Partition.fetchRecords`
//! and `DelayedFetch`): read up to the high watermark (or the LSO for read_committed), park
//! a fetch that found nothing for up to max.wait.ms, and take a follower's fetch offset as
//! its acknowledgement (the HW and the ISR move on it).
use super::*;
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::FetchRequest;
use crate::kafka::message::{FetchPartition, FetchPartitionResponse, Msg};
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{Env, Timer, World};
use crate::kernel::{Ctx, NodeId};
use std::rc::Rc;

impl Broker {
    pub fn on_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: FetchRequest) {
        let FetchRequest { correlation, replica, max_wait_ms, isolation, partitions } = req;
        let mut responses = Vec::with_capacity(partitions.len());
        let mut anything = false;
        for p in &partitions {
            let resp = self.read_partition(ctx, env, replica, isolation, p);
            anything |= resp.error != ErrorCode::None || resp.diverging_epoch.is_some() || !resp.records.is_empty();
            responses.push(resp);
        }
        if let Some(b) = replica {
            for p in &partitions {
                self.after_follower_fetch(ctx, env, b, p.tp);
            }
        }
        if anything || max_wait_ms == 0 {
            ctx.send(self.node(), from, Msg::FetchResponse { correlation, partitions: responses });
        } else {
            // DelayedFetch: hold it until data arrives or max wait passes.
            let id = self.next();
            self.park_fetch(id, ParkedFetch { from, correlation, replica, isolation, partitions, dirty: Vec::new() });
            ctx.set_timer(self.node(), max_wait_ms, Timer::FetchExpire(id));
        }
    }

    pub(super) fn read_partition(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        replica: Option<BrokerId>,
        isolation: IsolationLevel,
        p: &FetchPartition,
    ) -> FetchPartitionResponse {
        let now = ctx.now;
        let mut resp = empty_response(p, &self.no_records);
        let Some(r) = self.replicas.get_mut(&p.tp) else {
            resp.error = ErrorCode::NotLeaderOrFollower;
            return resp;
        };
        if !r.is_leader {
            resp.error = ErrorCode::NotLeaderOrFollower;
            return resp;
        }
        if p.current_leader_epoch < r.state.leader_epoch {
            resp.error = ErrorCode::FencedLeaderEpoch;
            return resp;
        }
        if p.current_leader_epoch > r.state.leader_epoch {
            resp.error = ErrorCode::UnknownLeaderEpoch;
            return resp;
        }
        resp.high_watermark = r.log.high_watermark();
        resp.log_start_offset = r.log.log_start_offset();
        resp.log_end_offset = r.log.log_end_offset();
        resp.last_stable_offset = r.log.last_stable_offset();
        // Partition.fetchRecords: check the follower's last fetched epoch (KIP-320/595).
        if let Some(last_epoch) = p.last_fetched_epoch {
            let (e, end) = match r.log.end_offset_for_epoch(last_epoch) {
                Some((e, end)) => (e as i64, end as i64),
                None => (-1, -1),
            };
            if e < last_epoch as i64 || end < p.fetch_offset as i64 {
                resp.diverging_epoch = Some((e, end));
                return resp;
            }
        }
        let leo = r.log.log_end_offset();
        if p.fetch_offset > leo || p.fetch_offset < r.log.log_start_offset() {
            resp.error = ErrorCode::OffsetOutOfRange;
            return resp;
        }
        if let Some(b) = replica {
            if let Some(f) = r.followers.get_mut(&b) {
                // Replica.updateFetchStateOrThrow.
                if p.fetch_offset >= leo {
                    f.last_caught_up_time = f.last_caught_up_time.max(now);
                } else if p.fetch_offset >= f.last_fetch_leader_log_end_offset {
                    f.last_caught_up_time = f.last_caught_up_time.max(f.last_fetch_time);
                }
                f.log_end_offset = Some(p.fetch_offset);
                f.last_fetch_leader_log_end_offset = leo;
                f.last_fetch_time = now;
            }
        }
        // Followers read to the LEO; consumers below the HW (read_uncommitted) or the
        // LSO (read_committed), which also get the aborted transactions in range.
        let limit = read_limit(r, replica, isolation);
        let records = r.log.read(p.fetch_offset, limit, env.broker.fetch_max_records);
        if !records.is_empty() {
            resp.records = Rc::from(records);
        }
        if isolation == IsolationLevel::ReadCommitted && !resp.records.is_empty() {
            resp.aborted_transactions =
                r.log.aborted_between(p.fetch_offset, p.fetch_offset + resp.records.len() as u64);
        }
        resp
    }

    /// After a follower fetch: maybe expand the ISR, maybe move the HW.
    pub(super) fn after_follower_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, follower: BrokerId, tp: Tp) {
        let Some(r) = self.replicas.get(&tp) else { return };
        if !r.is_leader {
            return;
        }
        let f_leo = r.followers.get(&follower).and_then(|f| f.log_end_offset);
        // Partition.maybeExpandIsr.
        if let (Some(leo), None, Some(epoch)) = (f_leo, &r.pending_isr, self.broker_epoch) {
            let eligible = !self.fenced_brokers.contains(&follower);
            if eligible
                && !r.state.isr.contains(&follower)
                && leo >= r.log.high_watermark()
                && leo >= r.epoch_start_offset
            {
                let mut isr = r.state.isr.clone();
                isr.push(follower);
                self.propose_isr(ctx, env, tp, isr, epoch, true);
            }
        }
        self.maybe_increment_high_watermark(ctx, env, tp);
    }

    pub fn on_fetch_expire(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        self.answer_parked(ctx, env, id);
    }

    pub(super) fn answer_parked(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(f) = self.unpark_fetch(id) else { return };
        let mut responses = Vec::new();
        for p in &f.partitions {
            responses.push(self.read_partition(ctx, env, f.replica, f.isolation, p));
        }
        if let Some(b) = f.replica {
            for p in &f.partitions {
                self.after_follower_fetch(ctx, env, b, p.tp);
            }
        }
        ctx.send(self.node(), f.from, Msg::FetchResponse { correlation: f.correlation, partitions: responses });
    }
}

/// An answer with nothing in it yet (the empty record slice is shared, not allocated).
fn empty_response(p: &FetchPartition, no_records: &Rc<[LogRecord]>) -> FetchPartitionResponse {
    FetchPartitionResponse {
        tp: p.tp,
        error: ErrorCode::None,
        high_watermark: 0,
        log_start_offset: 0,
        diverging_epoch: None,
        fetch_offset: p.fetch_offset,
        log_end_offset: 0,
        last_stable_offset: 0,
        aborted_transactions: Vec::new(),
        records: no_records.clone(),
    }
}

/// How far a fetch may read: followers to the LEO, consumers to the HW or the LSO.
pub(super) fn read_limit(r: &Replica, replica: Option<BrokerId>, isolation: IsolationLevel) -> u64 {
    match (replica, isolation) {
        (Some(_), _) => r.log.log_end_offset(),
        (None, IsolationLevel::ReadUncommitted) => r.log.high_watermark(),
        (None, IsolationLevel::ReadCommitted) => r.log.last_stable_offset(),
    }
}

/// `Replica.isCaughtUp`.
pub(super) fn is_caught_up(f: Option<&FollowerState>, leader_leo: u64, now: u64, max_lag: u64) -> bool {
    match f {
        None => false,
        Some(f) => f.log_end_offset == Some(leader_leo) || now.saturating_sub(f.last_caught_up_time) <= max_lag,
    }
}
