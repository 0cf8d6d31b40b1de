//! The leader's fetch path (Kafka's `ReplicaManager.fetchMessages`, `Partition.fetchRecords`
//! and `DelayedFetch`): read up to the high watermark (or the LSO for read_committed), park
//! a fetch that found nothing for up to max.wait.ms, and take a follower's fetch offset as
//! its acknowledgement (the HW and the ISR move on it).
use super::*;
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::FetchRequest;
use crate::kafka::message::{FetchPartition, FetchPartitionResponse, Msg, FINAL_SESSION_EPOCH, INITIAL_SESSION_EPOCH};
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{Env, World};
use crate::kernel::{Ctx, NodeId};
use std::rc::Rc;

impl Broker {
    pub fn on_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: FetchRequest) {
        if let (Some(b), false) = (req.replica, req.session_epoch == FINAL_SESSION_EPOCH) {
            return self.on_session_fetch(ctx, env, from, b, req);
        }
        let FetchRequest { correlation, replica, max_wait_ms, isolation, partitions, .. } = req;
        let mut responses = Vec::with_capacity(partitions.len());
        let mut anything = false;
        for p in &partitions {
            let resp = self.read_partition(ctx, env, replica, isolation, p, false);
            anything |= resp.is_busy();
            responses.push(resp);
        }
        if let Some(b) = replica {
            self.after_follower_fetches(ctx, env, b, partitions.iter().map(|p| p.tp));
        }
        if anything || max_wait_ms == 0 {
            let msg = Msg::FetchResponse { correlation, error: ErrorCode::None, session_id: 0, partitions: responses };
            ctx.send(self.node(), from, msg);
        } else {
            // DelayedFetch: hold it until data arrives or max wait passes.
            let f = ParkedFetch { from, correlation, replica, isolation, partitions, dirty: Vec::new(), session: None };
            self.park_fetch(ctx, f, max_wait_ms);
        }
    }

    /// A follower's fetch in a fetch session (KIP-227): open or update the session, read
    /// what may have changed, answer what did (or park the fetch, as any other).
    fn on_session_fetch(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        replica: BrokerId,
        req: FetchRequest,
    ) {
        let FetchRequest { correlation, max_wait_ms, session_id, session_epoch, partitions, forgotten, .. } = req;
        let id = if session_epoch == INITIAL_SESSION_EPOCH {
            self.fetch_sessions.open(replica, session_id, &partitions)
        } else {
            let update = self.fetch_sessions.update(replica, session_id, session_epoch, &partitions, &forgotten);
            if let Err(error) = update {
                let msg = Msg::FetchResponse { correlation, error, session_id: 0, partitions: Vec::new() };
                return ctx.send(self.node(), from, msg);
            }
            session_id
        };
        let (read, anything) = self.read_session(ctx, env, replica, id);
        if anything || max_wait_ms == 0 {
            self.answer_session(ctx, env, from, correlation, (replica, id), read);
        } else {
            let tps: Vec<Tp> = read.iter().map(|r| r.tp).collect();
            self.after_follower_fetches(ctx, env, replica, tps);
            let (replica, isolation) = (Some(replica), IsolationLevel::ReadUncommitted);
            let f = ParkedFetch {
                from,
                correlation,
                replica,
                isolation,
                partitions: Vec::new(),
                dirty: Vec::new(),
                session: Some(id),
            };
            let parked = self.park_fetch(ctx, f, max_wait_ms);
            self.fetch_sessions.set_parked(id, Some(parked));
        }
    }

    /// Read the session's pending partitions. The fetch counts as the session's latest
    /// for every partition it holds (see `FollowerState::lazy`).
    fn read_session(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        replica: BrokerId,
        id: u32,
    ) -> (Vec<FetchPartitionResponse>, bool) {
        let to_read = self.fetch_sessions.to_read(id);
        let isolation = IsolationLevel::ReadUncommitted;
        let read: Vec<FetchPartitionResponse> =
            to_read.iter().map(|p| self.read_partition(ctx, env, Some(replica), isolation, p, true)).collect();
        self.fetch_sessions.fetched(replica, ctx.now);
        let anything = read.iter().any(FetchPartitionResponse::is_busy);
        (read, anything)
    }

    /// Send what the fetcher does not know yet; then, as after any follower fetch, maybe
    /// expand the ISR and move the HW (which marks those partitions for the next fetch).
    fn answer_session(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        to: NodeId,
        correlation: u64,
        (replica, id): (BrokerId, u32),
        read: Vec<FetchPartitionResponse>,
    ) {
        let tps: Vec<Tp> = read.iter().map(|r| r.tp).collect();
        let partitions: Vec<FetchPartitionResponse> =
            read.into_iter().filter(|r| self.fetch_sessions.answered(id, r)).collect();
        self.after_follower_fetches(ctx, env, replica, tps);
        let msg = Msg::FetchResponse { correlation, error: ErrorCode::None, session_id: id, partitions };
        ctx.send(self.node(), to, msg);
    }

    fn after_follower_fetches(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        replica: BrokerId,
        tps: impl IntoIterator<Item = Tp>,
    ) {
        for tp in tps {
            self.after_follower_fetch(ctx, env, replica, tp);
        }
    }

    pub(super) fn read_partition(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        replica: Option<BrokerId>,
        isolation: IsolationLevel,
        p: &FetchPartition,
        in_session: bool,
    ) -> FetchPartitionResponse {
        let now = ctx.now;
        let session_last_fetch = replica.and_then(|b| self.fetch_sessions.last_fetch(b));
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
                // Replica.updateFetchStateOrThrow, on the state as of the session's last fetch.
                *f = f.effective(session_last_fetch);
                if p.fetch_offset >= leo {
                    f.last_caught_up_time = f.last_caught_up_time.max(now);
                } else if p.fetch_offset >= f.last_fetch_leader_log_end_offset {
                    f.last_caught_up_time = f.last_caught_up_time.max(f.last_fetch_time);
                }
                f.log_end_offset = Some(p.fetch_offset);
                f.last_fetch_leader_log_end_offset = leo;
                f.last_fetch_time = now;
                f.lazy = in_session && p.fetch_offset >= leo;
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
        if let (Some(session), Some(replica)) = (f.session, f.replica) {
            self.fetch_sessions.set_parked(session, None);
            let (read, _) = self.read_session(ctx, env, replica, session);
            return self.answer_session(ctx, env, f.from, f.correlation, (replica, session), read);
        }
        let mut responses = Vec::new();
        for p in &f.partitions {
            responses.push(self.read_partition(ctx, env, f.replica, f.isolation, p, false));
        }
        if let Some(b) = f.replica {
            self.after_follower_fetches(ctx, env, b, f.partitions.iter().map(|p| p.tp));
        }
        let msg = Msg::FetchResponse {
            correlation: f.correlation,
            error: ErrorCode::None,
            session_id: 0,
            partitions: responses,
        };
        ctx.send(self.node(), f.from, msg);
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
