//! Parked fetches and delayed produces, indexed by partition (Kafka's purgatory keys its
//! watchers by `TopicPartitionOperationKey` for the same reason): a change to one partition
//! looks only at the operations that wait on it, so the cost of an append or a high
//! watermark move does not grow with the number of partitions or of waiting operations.
//!
//! Exactness: the old code, on every change to partition `tp`, scanned every waiting
//! operation that lists `tp` (in id order) and re-checked *all* of its partitions. Here each
//! waiting operation keeps `dirty`, the positions of its partitions that changed since it was
//! last checked; a partition not in it is known not to be ready, so checking the dirty ones
//! gives the same answer, at the same moment, as checking all of them. Debug builds (so the
//! whole test suite) assert that equivalence on every check.
use super::*;
use crate::kafka::types::ErrorCode;

/// Who waits on which partition: (partition, operation id, position in the operation's
/// list). Ordered by partition then id, so the waiters of one partition come in id order,
/// the order the old scan of the operations by id visited them.
#[derive(Clone, Debug, Default)]
pub(crate) struct WaitIndex(BTreeSet<(Tp, u64, u32)>);

impl WaitIndex {
    pub(crate) fn insert(&mut self, tp: Tp, id: u64, pos: usize) {
        self.0.insert((tp, id, pos as u32));
    }
    pub(crate) fn remove(&mut self, tp: Tp, id: u64, pos: usize) {
        self.0.remove(&(tp, id, pos as u32));
    }
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
    /// (id, position) of every operation waiting on `tp`, by id.
    pub(crate) fn on(&self, tp: Tp) -> Vec<(u64, usize)> {
        self.0.range((tp, 0, 0)..=(tp, u64::MAX, u32::MAX)).map(|&(_, id, pos)| (id, pos as usize)).collect()
    }
}

/// Remember that the partition at `pos` changed (once: a long wait may see many changes).
pub(crate) fn mark(dirty: &mut Vec<u32>, pos: usize) {
    let pos = pos as u32;
    if !dirty.contains(&pos) {
        dirty.push(pos);
    }
}

/// The ids of `waiters`, each once, in order.
fn ids(waiters: &[(u64, usize)]) -> Vec<u64> {
    let mut ids: Vec<u64> = waiters.iter().map(|w| w.0).collect();
    ids.dedup();
    ids
}

impl Broker {
    /// Park a fetch that found nothing (`DelayedFetch`): every partition is known not ready.
    /// Its id; it is answered when one of its partitions is ready or after `max_wait_ms`.
    pub(super) fn park_fetch(&mut self, ctx: &mut Ctx<World>, f: ParkedFetch, max_wait_ms: u64) -> u64 {
        let id = self.next();
        for (pos, p) in f.partitions.iter().enumerate() {
            self.parked_index.insert(p.tp, id, pos);
        }
        self.parked_fetches.insert(id, f);
        ctx.set_timer(self.node(), max_wait_ms, Timer::FetchExpire(id));
        id
    }

    pub(super) fn unpark_fetch(&mut self, id: u64) -> Option<ParkedFetch> {
        let f = self.parked_fetches.remove(&id)?;
        for (pos, p) in f.partitions.iter().enumerate() {
            self.parked_index.remove(p.tp, id, pos);
        }
        Some(f)
    }

    /// Whatever may have made `tp` readable for a parked fetch (an append, a HW move, a
    /// leadership change) happened: its waiters must look at it again.
    /// Fetch sessions read it at their next fetch; a follower state taken lazily from its
    /// session is written down first, as the partition may now move on without it.
    pub(crate) fn parked_partition_changed(&mut self, tp: Tp) {
        for (id, pos) in self.parked_index.on(tp) {
            if let Some(f) = self.parked_fetches.get_mut(&id) {
                mark(&mut f.dirty, pos);
            }
        }
        if let Some(r) = self.replicas.get_mut(&tp) {
            for (b, f) in r.followers.iter_mut() {
                *f = f.effective(self.fetch_sessions.last_fetch(*b));
            }
        }
        self.fetch_sessions.changed(tp);
    }

    /// `DelayedFetch.tryComplete` for the fetches waiting on `tp`: answer those with a
    /// partition to read (or one this broker no longer leads).
    pub(crate) fn try_complete_parked_fetches(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        self.parked_partition_changed(tp);
        for id in ids(&self.parked_index.on(tp)) {
            let Some(f) = self.parked_fetches.get_mut(&id) else { continue };
            let dirty = std::mem::take(&mut f.dirty);
            let f = &self.parked_fetches[&id];
            let ready = dirty.iter().any(|&i| self.fetch_partition_ready(f, &f.partitions[i as usize]));
            debug_assert_eq!(
                ready,
                f.partitions.iter().any(|p| self.fetch_partition_ready(f, p)),
                "a parked fetch's readiness must not depend on the partitions not marked changed"
            );
            if ready {
                self.answer_parked(ctx, env, id);
            }
        }
        // Session fetches: the sessions holding `tp` were marked by the call above.
        for (id, session) in self.fetch_sessions.parked_on(tp) {
            let Some(f) = self.parked_fetches.get(&id) else { continue };
            let ready = self.fetch_sessions.any_pending(session, |p| self.fetch_partition_ready(f, p));
            #[cfg(debug_assertions)]
            debug_assert_eq!(
                ready,
                self.fetch_sessions.positions(session).iter().any(|p| self.fetch_partition_ready(f, p)),
                "a parked session fetch's readiness must not depend on the partitions it does not read"
            );
            if ready {
                self.answer_parked(ctx, env, id);
            }
        }
    }

    fn fetch_partition_ready(&self, f: &ParkedFetch, p: &FetchPartition) -> bool {
        match self.replicas.get(&p.tp) {
            Some(r) if r.is_leader => read_limit(r, f.replica, f.isolation) > p.fetch_offset,
            _ => true,
        }
    }

    /// Hold an acks=all append until the ISR has it (the caller then tries to complete it):
    /// its undecided partitions are all checked at the first try, then when they change.
    pub(crate) fn delay_produce(&mut self, id: u64, mut d: DelayedProduce) {
        d.dirty.clear();
        d.pending = 0;
        for (pos, (resp, required)) in d.partitions.iter().enumerate() {
            if required.is_some() {
                self.delayed_index.insert(resp.tp, id, pos);
                d.dirty.push(pos as u32);
                d.pending += 1;
            }
        }
        self.delayed_produces.insert(id, d);
    }

    pub(super) fn undelay_produce(&mut self, id: u64) -> Option<DelayedProduce> {
        let d = self.delayed_produces.remove(&id)?;
        for (pos, (resp, required)) in d.partitions.iter().enumerate() {
            if required.is_some() {
                self.delayed_index.remove(resp.tp, id, pos);
            }
        }
        Some(d)
    }

    /// The HW of `tp` moved or its leadership was lost: the appends waiting on it may be decided.
    pub(super) fn try_complete_delayed_produces(&mut self, ctx: &mut Ctx<World>, env: &Env, tp: Tp) {
        let waiters = self.delayed_index.on(tp);
        for &(id, pos) in &waiters {
            if let Some(d) = self.delayed_produces.get_mut(&id) {
                mark(&mut d.dirty, pos);
            }
        }
        for id in ids(&waiters) {
            self.try_complete_delayed(ctx, env, id);
        }
    }

    /// `DelayedProduce.tryComplete` / `Partition.checkEnoughReplicasReachOffset`.
    pub(crate) fn try_complete_delayed(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(mut d) = self.delayed_produces.remove(&id) else { return };
        for pos in std::mem::take(&mut d.dirty) {
            let pos = pos as usize;
            let (resp, required) = &mut d.partitions[pos];
            let Some(req) = *required else { continue };
            if let Some(error) = self.produce_decision(env, resp.tp, req) {
                if let Some(e) = error {
                    resp.error = e;
                }
                *required = None;
                d.pending -= 1;
                self.delayed_index.remove(resp.tp, id, pos);
            }
        }
        debug_assert!(
            d.partitions.iter().all(|(p, req)| req.is_none_or(|req| self.produce_decision(env, p.tp, req).is_none())),
            "a delayed produce's partitions not marked changed must still be undecided"
        );
        if d.pending == 0 {
            self.complete_delayed(ctx, env, d);
        } else {
            self.delayed_produces.insert(id, d);
        }
    }

    /// None while the partition still waits for its ISR; Some(error to set, if any) once decided.
    fn produce_decision(&self, env: &Env, tp: Tp, required: u64) -> Option<Option<ErrorCode>> {
        match self.replicas.get(&tp) {
            Some(r) if r.is_leader => {
                if r.log.high_watermark() < required {
                    return None;
                }
                let effective = env.spec.min_insync_replicas(tp.topic).min(r.state.replicas.len() as u32);
                Some(((r.maximal_isr().len() as u32) < effective).then_some(ErrorCode::NotEnoughReplicasAfterAppend))
            }
            _ => Some(Some(ErrorCode::NotLeaderOrFollower)),
        }
    }
}
