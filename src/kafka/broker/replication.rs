//! Replication on the broker side: applying the controller's leader and ISR changes
//! (Kafka's `Partition.makeLeader`/`makeFollower`), shrinking and expanding the ISR through
//! AlterPartition (`Partition.maybeShrinkIsr`/`maybeExpandIsr`), and the follower's replica
//! fetcher (`AbstractFetcherThread`: fetch, truncate by leader epoch, append, take the HW).
use super::fetcher::FollowerFetchResponse;
use super::*;
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::cache_partition_state;
use crate::kafka::message::FetchRequest;
use crate::kafka::message::{FetchPartition, FetchPartitionResponse, Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::sort::CollectBTree;
use crate::kernel::Ctx;

impl Broker {
    /// `maybeShrinkIsr`: drop followers that have not caught up within replica.lag.time.max.ms.
    pub fn on_isr_expiration(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        ctx.set_timer(self.node(), env.broker.replica_lag_time_max_ms / 2, Timer::IsrExpiration);
        let Some(epoch) = self.broker_epoch else { return };
        let now = ctx.now;
        let mut proposals = Vec::new();
        for (tp, r) in &self.replicas {
            if !r.is_leader || r.pending_isr.is_some() {
                continue;
            }
            let leo = r.log.log_end_offset();
            let out: Vec<BrokerId> = r
                .state
                .isr
                .iter()
                .copied()
                .filter(|b| *b != self.id)
                .filter(|b| {
                    let f = r.followers.get(b).map(|f| f.effective(self.fetch_sessions.last_fetch(*b)));
                    !is_caught_up(f.as_ref(), leo, now, env.broker.replica_lag_time_max_ms)
                })
                .collect();
            if !out.is_empty() {
                let isr: Vec<BrokerId> = r.state.isr.iter().copied().filter(|b| !out.contains(b)).collect();
                proposals.push((*tp, isr));
            }
        }
        for (tp, isr) in proposals {
            self.propose_isr(ctx, env, tp, isr, epoch, false);
        }
    }

    /// Apply partition states from the controller: become leader or follower as told.
    pub fn on_leader_and_isr(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        states: &[PartitionState],
        fenced: Vec<BrokerId>,
        offset: crate::kafka::message::MetadataOffset,
    ) {
        if self.broker_epoch.is_none() {
            return;
        }
        self.applied_metadata(offset);
        let fenced = fenced.into_iter().btree_set();
        if fenced != self.fenced_brokers {
            // Who may join an ISR changed for every partition: sessions read them all again.
            self.fetch_sessions.all_changed();
        }
        self.fenced_brokers = fenced;
        for st in states {
            let known = self.metadata.get(&st.tp);
            if known.is_some_and(|k| (k.leader_epoch, k.partition_epoch) >= (st.leader_epoch, st.partition_epoch)) {
                continue;
            }
            cache_partition_state(&mut self.metadata, st.clone());
            if !self.replicas.contains_key(&st.tp) && st.replicas.contains(&self.id) {
                // A partition created after start (CreatePartitions): an empty replica.
                let mut r = Replica::new(st);
                r.log.set_config(env.spec.log_config(st.tp.topic));
                self.replicas.insert(st.tp, Box::new(r));
            }
            if self.replicas.contains_key(&st.tp) {
                self.apply_partition_state(ctx, env, st.clone());
            }
        }
        self.restart_fetchers(ctx, env);
    }

    pub(super) fn apply_partition_state(&mut self, ctx: &mut Ctx<World>, env: &Env, st: PartitionState) {
        let me = self.id;
        let now = ctx.now;
        let tp = st.tp;
        let r = self.replicas.get_mut(&tp).expect("hosted replica");
        let new_epoch = st.leader_epoch > r.state.leader_epoch || r.state.leader.is_none();
        let mut became_leader = false;
        if st.leader == Some(me) {
            if !r.is_leader || new_epoch {
                // Partition.makeLeader: start the epoch at our LEO; reset follower state.
                r.log.assign_epoch(st.leader_epoch);
                r.epoch_start_offset = r.log.log_end_offset();
                r.followers = st
                    .replicas
                    .iter()
                    .filter(|b| **b != me)
                    .map(|b| {
                        let caught_up = if st.isr.contains(b) { now } else { 0 };
                        (*b, FollowerState { last_caught_up_time: caught_up, ..Default::default() })
                    })
                    .btree_map();
                r.is_leader = true;
                r.pending_isr = None;
                ctx.note(Note::BecameLeader { broker: me, tp, leader_epoch: st.leader_epoch });
                became_leader = true;
            }
            r.state = st;
            r.pending_isr = None;
            self.parked_partition_changed(tp);
            if became_leader && env.spec.offsets_topic == Some(tp.topic) {
                self.load_groups(ctx, tp);
                self.arm_group_tick(ctx);
            }
            if became_leader && env.spec.transaction_topic == Some(tp.topic) {
                self.load_transactions(ctx, env, tp);
            }
            for f in self.fetchers.values_mut() {
                if f.partitions.remove(&tp) {
                    f.mark_changed(tp);
                }
            }
            self.maybe_increment_high_watermark(ctx, env, tp);
        } else {
            let was_leader = r.is_leader;
            let changed = was_leader || new_epoch || r.state.leader != st.leader;
            r.is_leader = false;
            r.followers.clear();
            r.pending_isr = None;
            r.state = st.clone();
            if changed {
                ctx.note(Note::BecameFollower { broker: me, tp, leader: st.leader, leader_epoch: st.leader_epoch });
            }
            if changed && env.broker.legacy_truncate_to_high_watermark {
                truncate_to_own_high_watermark(ctx, me, tp, r);
            }
            self.parked_partition_changed(tp);
            for f in self.fetchers.values_mut() {
                if f.partitions.remove(&tp) {
                    f.mark_changed(tp);
                }
            }
            if let Some(leader) = st.leader {
                let f = self.fetchers.entry(leader).or_default();
                f.partitions.insert(tp);
                f.mark_changed(tp);
            }
            if was_leader {
                // Answers NOT_LEADER_OR_FOLLOWER to produces waiting on this partition.
                self.try_complete_delayed_produces(ctx, env, tp);
                if env.spec.offsets_topic == Some(tp.topic) {
                    self.unload_groups(ctx, tp);
                }
                if env.spec.transaction_topic == Some(tp.topic) {
                    self.unload_transactions(tp);
                }
            }
        }
    }

    pub(super) fn restart_fetchers(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        let leaders: Vec<BrokerId> = self.fetchers.keys().copied().collect();
        for l in leaders {
            let f = &self.fetchers[&l];
            if !f.partitions.is_empty() && f.in_flight.is_none() && !f.backing_off {
                self.send_fetch(ctx, env, l);
            }
        }
        self.fetchers.retain(|_, f| !f.partitions.is_empty() || f.in_flight.is_some());
    }

    pub(super) fn propose_isr(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        tp: Tp,
        isr: Vec<BrokerId>,
        broker_epoch: u64,
        expand: bool,
    ) {
        let r = self.replicas.get_mut(&tp).expect("leader replica");
        let mut state = r.state.clone();
        state.isr = isr.clone();
        // Shrinking, the maximal ISR stays the current one until the controller commits.
        r.pending_isr = Some(if expand { isr } else { r.state.isr.clone() });
        let controller = env.controller;
        if let Some(c) = controller {
            ctx.send(
                self.node(),
                broker_node(c),
                Msg::AlterPartition { broker: self.id, broker_epoch, state: state.clone() },
            );
        }
        ctx.set_timer(self.node(), 5_000, Timer::AlterPartitionTimeout(tp, state.partition_epoch));
    }

    pub fn on_alter_partition_timeout(&mut self, tp: Tp, partition_epoch: u32) {
        if let Some(r) = self.replicas.get_mut(&tp) {
            if r.state.partition_epoch == partition_epoch {
                r.pending_isr = None;
                self.parked_partition_changed(tp);
            }
        }
    }

    pub fn on_alter_partition_response(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        tp: Tp,
        error: ErrorCode,
        state: Option<PartitionState>,
    ) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        r.pending_isr = None;
        // The ISR may be expanded again at the next follower fetch.
        self.parked_partition_changed(tp);
        let r = self.replicas.get_mut(&tp).expect("replica");
        if error != ErrorCode::None {
            return;
        }
        if let Some(st) = state {
            if st.partition_epoch > r.state.partition_epoch && st.leader == Some(self.id) {
                cache_partition_state(&mut self.metadata, st.clone());
                r.state = st;
                self.maybe_increment_high_watermark(ctx, env, tp);
            }
        }
    }

    pub(super) fn send_fetch(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        let correlation = self.next();
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        let replicas = &self.replicas;
        let position = |tp: Tp| {
            let r = &replicas[&tp];
            FetchPartition {
                tp,
                fetch_offset: r.log.log_end_offset(),
                // Before KIP-101 followers fetched without epochs.
                last_fetched_epoch: r.log.latest_epoch().filter(|_| !env.broker.legacy_truncate_to_high_watermark),
                current_leader_epoch: r.state.leader_epoch,
            }
        };
        let Some(next) = f.next_fetch(position) else { return };
        f.in_flight = Some(correlation);
        let cfg_wait = env.broker.replica_fetch_wait_max_ms;
        let timeout = env.broker.replica_socket_timeout_ms;
        ctx.send(
            self.node(),
            broker_node(leader),
            Msg::Fetch(FetchRequest {
                correlation,
                replica: Some(self.id),
                max_wait_ms: cfg_wait,
                isolation: IsolationLevel::ReadUncommitted,
                session_id: next.session_id,
                session_epoch: next.session_epoch,
                partitions: next.partitions,
                forgotten: next.forgotten,
            }),
        );
        ctx.set_timer(self.node(), timeout, Timer::FetcherTimeout(leader, correlation));
    }

    pub fn on_fetcher_timeout(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId, correlation: u64) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            if f.in_flight == Some(correlation) {
                f.in_flight = None;
                f.reset_session();
                self.send_fetch(ctx, env, leader);
            }
        }
    }

    /// The leader's host refused the connection: back off, then try again.
    pub fn on_fetch_refused(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.in_flight = None;
            f.reset_session();
            if !f.backing_off {
                f.backing_off = true;
                ctx.set_timer(self.node(), env.broker.replica_fetch_backoff_ms, Timer::FetcherRetry(leader));
            }
        }
    }

    pub fn on_fetcher_retry(&mut self, ctx: &mut Ctx<World>, env: &Env, leader: BrokerId) {
        if let Some(f) = self.fetchers.get_mut(&leader) {
            f.backing_off = false;
            if f.in_flight.is_none() {
                self.send_fetch(ctx, env, leader);
            }
        }
    }

    pub fn on_fetch_response_as_follower(&mut self, ctx: &mut Ctx<World>, env: &Env, resp: FollowerFetchResponse) {
        let FollowerFetchResponse { leader, correlation, error, session_id, partitions } = resp;
        match self.fetchers.get_mut(&leader) {
            Some(f) if f.in_flight == Some(correlation) => {
                f.in_flight = None;
                f.session_answered(error, session_id);
            }
            _ => return,
        }
        let mut errors = usize::from(error != ErrorCode::None);
        for p in partitions {
            let f = self.fetchers.get_mut(&leader).expect("fetcher");
            if !f.partitions.contains(&p.tp) {
                continue;
            }
            // Its position may move now (appended, truncated, restarted).
            f.mark_changed(p.tp);
            if p.error == ErrorCode::OffsetOutOfRange && self.fell_off_leader_log(ctx, &p) {
                continue; // fetches again at once from the leader's log start offset
            }
            if p.error == ErrorCode::OffsetOutOfRange && self.legacy_past_leader_log_end(ctx, env, &p) {
                continue; // fetches again at once from the leader's log end
            }
            if p.error != ErrorCode::None {
                errors += 1;
                continue;
            }
            self.process_partition_data(ctx, env, p);
        }
        let f = self.fetchers.get_mut(&leader).expect("fetcher");
        if f.partitions.is_empty() {
            self.fetchers.remove(&leader);
        } else if errors > 0 {
            f.backing_off = true;
            ctx.set_timer(self.node(), env.broker.replica_fetch_backoff_ms, Timer::FetcherRetry(leader));
        } else {
            self.send_fetch(ctx, env, leader);
        }
    }

    pub(super) fn process_partition_data(&mut self, ctx: &mut Ctx<World>, env: &Env, p: FetchPartitionResponse) {
        let me = self.id;
        let r = self.replicas.get_mut(&p.tp).expect("followed replica");
        if let Some((epoch, end)) = p.diverging_epoch {
            // AbstractFetcherThread.getOffsetTruncationState.
            let leo = r.log.log_end_offset();
            let target = if epoch < 0 || end < 0 {
                r.log.high_watermark().min(leo)
            } else {
                match r.log.end_offset_for_epoch(epoch as u32) {
                    None => r.log.high_watermark().min(leo),
                    Some((own_epoch, own_end)) if own_epoch as i64 != epoch => own_end.min(leo),
                    Some((_, own_end)) => (end as u64).min(own_end).min(leo),
                }
            };
            truncated(ctx, me, p.tp, target, r.log.truncate_to(target));
            return;
        }
        if p.fetch_offset != r.log.log_end_offset() {
            return; // a response to an older fetch position
        }
        if !p.records.is_empty() {
            let first = r.log.log_end_offset();
            r.log.append(&p.records);
            if r.log.unflushed() >= env.broker.log_flush_interval_messages {
                r.log.flush();
            }
            ctx.note(Note::Appended {
                broker: me,
                tp: p.tp,
                first_offset: first,
                count: p.records.len() as u32,
                as_leader: false,
            });
        }
        if r.log.set_follower_high_watermark(p.high_watermark) {
            ctx.note(Note::HighWatermark { broker: me, tp: p.tp, high_watermark: r.log.high_watermark() });
        }
        if !p.records.is_empty() {
            self.after_append(ctx, env, p.tp);
        }
        self.follow_log_start_offset(ctx, env, p.tp, p.log_start_offset);
    }

    /// Without leader epochs (`legacy.truncate.to.high.watermark`), a follower whose log
    /// is longer than the new leader's learns it from OFFSET_OUT_OF_RANGE and truncates to
    /// the leader's log end (0.10's `handleOffsetOutOfRange`, which halted the broker instead
    /// when unclean leader election was disabled: not simulated).
    fn legacy_past_leader_log_end(&mut self, ctx: &mut Ctx<World>, env: &Env, p: &FetchPartitionResponse) -> bool {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p.tp) else { return false };
        let leo = r.log.log_end_offset();
        if !env.broker.legacy_truncate_to_high_watermark || p.fetch_offset != leo || p.log_end_offset >= leo {
            return false;
        }
        truncated(ctx, me, p.tp, p.log_end_offset, r.log.truncate_to(p.log_end_offset));
        true
    }

    /// OFFSET_OUT_OF_RANGE for a follower whose LEO is below the leader's log start offset
    /// (retention deleted what it still needs): `AbstractFetcherThread.handleOutOfRangeError`
    /// empties the log and starts at the leader's log start offset, which the response
    /// carries here (Kafka asks with ListOffsets). Any other out-of-range is an error, but
    /// for the legacy case above.
    fn fell_off_leader_log(&mut self, ctx: &mut Ctx<World>, p: &FetchPartitionResponse) -> bool {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p.tp) else { return false };
        let leo = r.log.log_end_offset();
        if p.fetch_offset != leo || p.log_start_offset <= leo {
            return false;
        }
        // Everything it held is below the leader's log start offset: deleted there by
        // retention already, so this is a deletion, not a truncation of live data.
        let segments = r.log.segments().len() as u32;
        let removed = r.log.truncate_fully_and_start_at(p.log_start_offset);
        ctx.note(Note::SegmentsDeleted {
            broker: me,
            tp: p.tp,
            segments,
            records: removed.len() as u64,
            log_start_offset: p.log_start_offset,
        });
        true
    }
}

/// `ReplicaManager.makeFollowers` before KIP-101: a new follower truncates to its own high
/// watermark without asking the leader what it holds.
fn truncate_to_own_high_watermark(ctx: &mut Ctx<World>, broker: BrokerId, tp: Tp, r: &mut Replica) {
    let target = r.log.high_watermark().min(r.log.log_end_offset());
    truncated(ctx, broker, tp, target, r.log.truncate_to(target));
}

/// A `Truncated` note for what a follower's truncation removed, if anything.
fn truncated(ctx: &mut Ctx<World>, broker: BrokerId, tp: Tp, offset: u64, removed: Vec<LogRecord>) {
    if !removed.is_empty() {
        ctx.note(Note::Truncated { broker, tp, offset, removed: removed.iter().map(|x| x.id).collect() });
    }
}
