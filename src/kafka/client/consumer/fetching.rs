//! The consumer's positions and fetches (Kafka's `Fetcher` and `SubscriptionState`):
//! initial positions from committed offsets or ListOffsets, the fetch loop (`client/fetch.rs`),
//! and what a fetch response does to the positions.
use super::*;
use crate::kafka::client::fetch::{fetches_by_leader, send_fetches, FetchSettings};
use crate::kafka::config::AutoOffsetReset;
use crate::kafka::message::cache_partition_state;
use crate::kafka::message::{FetchPartitionResponse, Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::World;
use crate::kernel::Ctx;
use std::collections::BTreeMap;

impl Consumer {
    pub(super) fn ensure_positions(&mut self, ctx: &mut Ctx<World>) {
        let missing: Vec<Tp> = self.assignment.iter().copied().filter(|tp| !self.positions.contains_key(tp)).collect();
        if missing.is_empty() || self.offset_fetch_in_flight.is_some() || !self.list_offsets_in_flight.is_empty() {
            return;
        }
        let Some(c) = self.coordinator else { return };
        let correlation = self.next();
        self.offset_fetch_in_flight = Some(correlation);
        self.send_to(
            ctx,
            c,
            Msg::OffsetFetch { correlation, group: self.group.clone(), partitions: missing },
            correlation,
        );
    }

    pub(super) fn set_position(&mut self, ctx: &mut Ctx<World>, tp: Tp, offset: u64, from: &'static str) {
        self.positions.insert(tp, offset);
        self.fetch_positions.insert(tp, offset);
        ctx.note(Note::ConsumerPosition { consumer: self.index, tp, offset, from });
    }

    /// No committed offset: apply `auto.offset.reset`.
    /// OFFSET_OUT_OF_RANGE: the position is beyond the log (after a truncation) or below
    /// its start (retention deleted it, the slow consumer's lesson): `auto.offset.reset`
    /// decides where to go (`FetchCollector.handleInitializeErrors`); with `none` the
    /// application gets an `OffsetOutOfRangeException` and stops.
    fn position_out_of_range(&mut self, ctx: &mut Ctx<World>, p: &crate::kafka::message::FetchPartitionResponse) {
        if p.fetch_offset < p.log_start_offset {
            ctx.note(Note::ConsumerOffsetOutOfRange {
                consumer: self.index,
                tp: p.tp,
                offset: p.fetch_offset,
                log_start_offset: p.log_start_offset,
            });
        }
        self.positions.remove(&p.tp);
        self.fetch_positions.remove(&p.tp);
        if self.config.auto_offset_reset == AutoOffsetReset::None {
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "OffsetOutOfRangeException",
                detail: format!(
                    "offset {} is out of range (log start offset {}) and auto.offset.reset=none: the application stops",
                    p.fetch_offset, p.log_start_offset
                ),
            });
            self.status = ConsumerStatus::Failed;
            return;
        }
        self.reset_positions(ctx, vec![p.tp]);
    }

    pub(super) fn reset_positions(&mut self, ctx: &mut Ctx<World>, tps: Vec<Tp>) {
        if tps.is_empty() {
            return;
        }
        if self.config.auto_offset_reset == AutoOffsetReset::None {
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "NoOffsetForPartitionException",
                detail: "no committed offset and auto.offset.reset=none: the application stops".into(),
            });
            self.status = ConsumerStatus::Failed;
            return;
        }
        let latest = self.config.auto_offset_reset == AutoOffsetReset::Latest;
        let mut per_leader: BTreeMap<BrokerId, Vec<Tp>> = BTreeMap::new();
        for tp in tps {
            match self.metadata.get(&tp).and_then(|s| s.leader) {
                Some(l) => per_leader.entry(l).or_default().push(tp),
                None => self.request_metadata(ctx),
            }
        }
        for (leader, partitions) in per_leader {
            let correlation = self.next();
            self.list_offsets_in_flight.insert(correlation, (leader, partitions.clone()));
            self.send_to(
                ctx,
                leader,
                Msg::ListOffsets { correlation, partitions, latest, isolation: self.config.isolation_level },
                correlation,
            );
        }
    }

    pub(super) fn request_metadata(&mut self, ctx: &mut Ctx<World>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        let max = crate::kafka::client::RETRY_BACKOFF_MAX_MS;
        if let Some(t) = self.metadata_backoff.wait_until(ctx.now, self.config.retry_backoff_ms, max) {
            // See `MetadataBackoff`: only after an answer that took no simulated time.
            self.metadata_wanted = true;
            self.schedule_poll(ctx, t - ctx.now);
            return;
        }
        self.metadata_wanted = false;
        self.metadata_backoff.sent(ctx.now);
        let broker = self.any_broker(ctx.now);
        let correlation = self.next();
        self.metadata_in_flight = Some((correlation, broker));
        self.send_to(ctx, broker, Msg::Metadata { correlation }, correlation);
    }

    /// One long-polling fetch per leader for the assigned partitions it leads.
    pub(super) fn send_fetches(&mut self, ctx: &mut Ctx<World>) {
        if self.join_state != JoinState::Member && !self.rejoining_with_partitions() {
            return;
        }
        let now = ctx.now;
        // `Fetcher.fetchablePartitions`: a partition whose fetched records still wait in the
        // buffer for poll() is not fetched again, so the buffer holds at most one response's
        // worth per partition however slow the application is.
        let mut buffered = std::collections::BTreeSet::new();
        for f in &self.buffer {
            buffered.insert(f.tp);
        }
        let positions = self
            .assignment
            .iter()
            .filter(|tp| !buffered.contains(tp))
            .filter_map(|tp| self.fetch_positions.get(tp).map(|p| (*tp, *p)));
        let busy = |leader: BrokerId| self.fetches.values().any(|b| *b == leader) || !self.usable(leader, now);
        let (per_leader, missing_leader) = fetches_by_leader(positions, &self.metadata, busy);
        let settings = FetchSettings {
            max_wait_ms: self.config.fetch_max_wait_ms,
            isolation: self.config.isolation_level,
            request_timeout_ms: self.config.request_timeout_ms,
        };
        send_fetches(ctx, self.node, per_leader, &mut self.fetches, &mut self.next_correlation, &settings);
        if missing_leader {
            self.request_metadata(ctx);
        }
    }

    /// The committed offsets of partitions without a position: they become the positions;
    /// partitions without one get `auto.offset.reset`.
    pub(super) fn on_offset_fetch_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        error: ErrorCode,
        offsets: Vec<(Tp, Option<u64>)>,
    ) {
        if self.offset_fetch_in_flight != Some(correlation) {
            return;
        }
        self.offset_fetch_in_flight = None;
        if error == ErrorCode::UnstableOffsetCommit {
            // A transaction holds offsets for these partitions: ask again after
            // retry.backoff.ms, until it commits or aborts.
            if self.app == App::Polling {
                self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
            }
            return;
        }
        if error != ErrorCode::None {
            self.coordinator_lost(ctx);
            return;
        }
        let mut reset = Vec::new();
        for (tp, committed) in offsets {
            if !self.assignment.contains(&tp) || self.positions.contains_key(&tp) {
                continue;
            }
            match committed {
                Some(o) => {
                    self.committed.insert(tp, o);
                    self.set_position(ctx, tp, o, "committed");
                }
                None => reset.push(tp),
            }
        }
        self.reset_positions(ctx, reset);
        if self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    pub(super) fn on_list_offsets_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        offsets: Vec<(Tp, ErrorCode, u64)>,
    ) {
        if self.list_offsets_in_flight.remove(&correlation).is_none() {
            return;
        }
        let from = if self.config.auto_offset_reset == AutoOffsetReset::Earliest { "earliest" } else { "latest" };
        let mut failed = false;
        for (tp, error, offset) in offsets {
            if error == ErrorCode::None && self.assignment.contains(&tp) && !self.positions.contains_key(&tp) {
                self.set_position(ctx, tp, offset, from);
            }
            failed |= error != ErrorCode::None;
        }
        if failed {
            // The leader moved (NOT_LEADER_OR_FOLLOWER): new metadata, and ask again
            // after retry.backoff.ms (Kafka's OffsetFetcher does the same).
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
        }
        if self.app == App::Polling {
            self.schedule_poll(ctx, if failed { retry_delay(self.config.retry_backoff_ms) } else { 0 });
        }
    }

    pub(super) fn on_metadata_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        partitions: Vec<PartitionState>,
    ) {
        if self.metadata_in_flight.map(|(c, _)| c) != Some(correlation) {
            return;
        }
        self.metadata_in_flight = None;
        self.metadata_backoff.answered(ctx.now, partitions.iter().any(|st| st.leader.is_none()));
        for st in partitions {
            if self.metadata.get(&st.tp).is_none_or(|o| st.leader_epoch >= o.leader_epoch) {
                cache_partition_state(&mut self.metadata, st);
            }
        }
        // A subscribed topic with a new partition count needs a new assignment.
        if self.join_state == JoinState::Member {
            let counts = self.counts();
            if self.joined_counts.is_empty() {
                // First metadata since joining: that is the snapshot to compare with.
                self.joined_counts = counts;
            } else if counts != self.joined_counts {
                self.request_rejoin(ctx, "the partition count of a subscribed topic changed");
            }
        }
        self.send_fetches(ctx);
    }

    pub(super) fn on_fetch_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        partitions: Vec<FetchPartitionResponse>,
    ) {
        if self.fetches.remove(&correlation).is_none() {
            return;
        }
        let mut errors = false;
        let mut got = false;
        for p in partitions {
            if p.error == ErrorCode::OffsetOutOfRange {
                self.position_out_of_range(ctx, &p);
                continue;
            }
            if p.error != ErrorCode::None {
                errors = true;
                continue;
            }
            if self.fetch_positions.get(&p.tp) != Some(&p.fetch_offset) {
                continue;
            }
            let mut cursor = p.fetch_offset;
            for (offset, r) in crate::kafka::client::visible_records(&p, self.config.isolation_level) {
                if offset > cursor {
                    self.buffer.push_back(Fetched { tp: p.tp, from: cursor, record: None, to: offset });
                }
                self.buffer.push_back(Fetched { tp: p.tp, from: offset, record: Some(r.id), to: offset + 1 });
                cursor = offset + 1;
            }
            let end = p.fetch_offset + p.records.len() as u64;
            if end > cursor {
                self.buffer.push_back(Fetched { tp: p.tp, from: cursor, record: None, to: end });
            }
            got |= !p.records.is_empty();
            self.fetch_positions.insert(p.tp, p.fetch_offset + p.records.len() as u64);
        }
        if errors {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
        } else if !got {
            self.send_fetches(ctx);
        }
        if got && self.app == App::Polling {
            self.schedule_poll(ctx, 0);
        }
    }

    /// What poll() returns: buffered records at the positions, up to `max.poll.records`
    /// (Kafka's `FetchCollector`). Each moves its partition's position; a stretch without
    /// records (markers, aborted data) moves it too, unseen.
    pub(super) fn collect_fetched(&mut self) -> VecDeque<(Tp, u64, RecordId)> {
        let mut records = VecDeque::new();
        while records.len() < self.config.max_poll_records as usize {
            let Some(f) = self.buffer.pop_front() else { break };
            if self.positions.get(&f.tp) != Some(&f.from) {
                continue; // stale: revoked or repositioned meanwhile
            }
            self.positions.insert(f.tp, f.to);
            match f.record {
                Some(id) => records.push_back((f.tp, f.from, id)),
                None => self.skipped_past = true,
            }
        }
        records
    }

    /// The records behind the position, per assigned partition.
    pub fn lag(&self, high_watermark: impl Fn(Tp) -> u64) -> Vec<(Tp, u64)> {
        self.assignment
            .iter()
            .map(|tp| (*tp, high_watermark(*tp).saturating_sub(self.committed.get(tp).copied().unwrap_or(0))))
            .collect()
    }
}
