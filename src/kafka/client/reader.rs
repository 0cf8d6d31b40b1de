//! A plain reader: a consumer without a group. It fetches every partition of one topic
//! from the leader, from offset 0, reading below the high watermark
//! (`isolation.level=read_uncommitted`) or the last stable offset (`read_committed`),
//! long-polling with `fetch.max.wait.ms`.
//! Consumer groups and offset commits grow from here (issue 4).
use crate::kafka::client::fetch::{fetches_by_leader, send_fetches, FetchSettings};
use crate::kafka::message::{cache_partition_state, MetadataCache};
use crate::kernel::sort::CollectBTree;
use std::collections::BTreeMap;

use crate::kafka::config::{AutoOffsetReset, IsolationLevel, ReaderConfig};
use crate::kafka::message::{FetchPartitionResponse, Msg, PartitionState};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::{Ctx, NodeId};

#[derive(Clone, Debug)]
pub struct Reader {
    pub index: u32,
    pub node: NodeId,
    pub name: String,
    pub topic: u32,
    pub config: ReaderConfig,
    pub conns: crate::kafka::client::Connections,
    pub metadata: MetadataCache,
    metadata_in_flight: Option<u64>,
    /// Next offset to read, per partition.
    pub positions: BTreeMap<Tp, u64>,
    /// The latest high watermark each partition's leader reported.
    pub high_watermarks: BTreeMap<Tp, u64>,
    /// Fetches in flight: correlation -> broker.
    in_flight: BTreeMap<u64, BrokerId>,
    next_correlation: u64,
    pub records_read: u64,
    backing_off: bool,
    metadata_backoff: crate::kafka::client::MetadataBackoff,
}

impl Reader {
    pub fn new(
        index: u32,
        node: NodeId,
        name: String,
        topic: u32,
        partitions: u32,
        config: ReaderConfig,
        bootstrap: Vec<BrokerId>,
    ) -> Self {
        Reader {
            index,
            node,
            name,
            topic,
            config,
            conns: crate::kafka::client::Connections::new(bootstrap),
            metadata: MetadataCache::default(),
            metadata_in_flight: None,
            positions: (0..partitions).map(|p| (Tp { topic, partition: p }, 0)).btree_map(),
            high_watermarks: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            next_correlation: 0,
            records_read: 0,
            backing_off: false,
            metadata_backoff: Default::default(),
        }
    }

    fn next(&mut self) -> u64 {
        self.next_correlation += 1;
        self.next_correlation
    }

    pub fn has_in_flight(&self, correlation: u64) -> bool {
        self.in_flight.contains_key(&correlation) || self.metadata_in_flight == Some(correlation)
    }

    pub fn start(&mut self, ctx: &mut Ctx<World>) {
        self.request_metadata(ctx);
    }

    fn request_metadata(&mut self, ctx: &mut Ctx<World>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        let max = crate::kafka::client::RETRY_BACKOFF_MAX_MS;
        if let Some(t) = self.metadata_backoff.wait_until(ctx.now, self.config.retry_backoff_ms, max) {
            // See `MetadataBackoff`: only after an answer that took no simulated time.
            if !self.backing_off {
                self.backing_off = true;
                ctx.set_timer(self.node, t - ctx.now, Timer::ReaderPoll);
            }
            return;
        }
        self.metadata_backoff.sent(ctx.now);
        let broker = self.conns.pick(ctx.now);
        let correlation = self.next();
        self.metadata_in_flight = Some(correlation);
        ctx.send(self.node, broker_node(broker), Msg::Metadata { correlation });
        ctx.set_timer(
            self.node,
            crate::kafka::client::request_timeout_delay(self.config.request_timeout_ms),
            Timer::ClientRequestTimeout(correlation),
        );
    }

    /// Send one fetch per leader for the partitions it leads that have no fetch in flight.
    pub fn poll(&mut self, ctx: &mut Ctx<World>) {
        if self.backing_off {
            return; // the backoff timer polls when it fires
        }
        let positions = self.positions.iter().map(|(tp, pos)| (*tp, *pos));
        let now = ctx.now;
        let busy = |l: BrokerId| self.in_flight.values().any(|b| *b == l) || !self.conns.usable(l, now);
        let (per_leader, missing) = fetches_by_leader(positions, &self.metadata, busy);
        let settings = FetchSettings {
            max_wait_ms: self.config.fetch_max_wait_ms,
            isolation: self.config.isolation_level,
            request_timeout_ms: self.config.request_timeout_ms,
        };
        send_fetches(ctx, self.node, per_leader, &mut self.in_flight, &mut self.next_correlation, &settings);
        if missing {
            self.request_metadata(ctx);
        }
        // A leader in reconnect backoff: look again when its backoff ends.
        if !self.conns.any_backoff(now) {
            return;
        }
        let waiting = self
            .positions
            .keys()
            .filter_map(|tp| self.metadata.get(tp).and_then(|s| s.leader))
            .filter_map(|l| self.conns.backoff_until(l, now))
            .min();
        if let Some(until) = waiting {
            self.backing_off = true;
            ctx.set_timer(self.node, until - now, Timer::ReaderPoll);
        }
    }

    pub fn on_metadata_response(&mut self, ctx: &mut Ctx<World>, correlation: u64, partitions: Vec<PartitionState>) {
        if self.metadata_in_flight != Some(correlation) {
            return;
        }
        self.metadata_in_flight = None;
        self.metadata_backoff.answered(ctx.now, partitions.iter().any(|st| st.leader.is_none()));
        for st in partitions {
            if st.tp.topic == self.topic && self.metadata.get(&st.tp).is_none_or(|o| st.leader_epoch >= o.leader_epoch)
            {
                cache_partition_state(&mut self.metadata, st);
            }
        }
        self.poll(ctx);
    }

    pub fn on_fetch_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        partitions: Vec<FetchPartitionResponse>,
    ) {
        let Some(broker) = self.in_flight.remove(&correlation) else { return };
        self.conns.succeeded(broker);
        let mut errors = false;
        for p in partitions {
            if p.error == ErrorCode::OffsetOutOfRange && self.positions.get(&p.tp) == Some(&p.fetch_offset) {
                self.reset_position(ctx, &p);
                continue;
            }
            if p.error != ErrorCode::None {
                errors = true;
                continue;
            }
            ctx.note(Note::ReaderHighWatermark { reader: self.index, tp: p.tp, high_watermark: p.high_watermark });
            self.high_watermarks.insert(p.tp, p.high_watermark);
            let Some(pos) = self.positions.get_mut(&p.tp) else { continue }; // given up (auto.offset.reset=none)
            if p.fetch_offset != *pos {
                continue;
            }
            let visible = crate::kafka::client::visible_records(&p, self.config.isolation_level);
            for (offset, r) in &visible {
                ctx.note(Note::Read {
                    reader: self.index,
                    tp: p.tp,
                    offset: *offset,
                    record: r.id,
                    high_watermark: p.high_watermark,
                });
            }
            *pos += p.records.len() as u64;
            self.records_read += visible.len() as u64;
        }
        if errors {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
            self.back_off(ctx);
        } else {
            self.poll(ctx);
        }
    }

    /// The position is beyond the partition's log (it was truncated): `auto.offset.reset`.
    /// The answer carries the leader's HW and LSO, so no ListOffsets is needed here.
    fn reset_position(&mut self, ctx: &mut Ctx<World>, p: &FetchPartitionResponse) {
        let to = match self.config.auto_offset_reset {
            AutoOffsetReset::Earliest => p.log_start_offset,
            AutoOffsetReset::Latest => match self.config.isolation_level {
                IsolationLevel::ReadUncommitted => p.high_watermark,
                IsolationLevel::ReadCommitted => p.last_stable_offset,
            },
            AutoOffsetReset::None => {
                // OffsetOutOfRangeException: the application stops reading the partition.
                self.positions.remove(&p.tp);
                ctx.note(Note::ReaderReset { reader: self.index, tp: p.tp, from: p.fetch_offset, to: None });
                return;
            }
        };
        self.positions.insert(p.tp, to);
        ctx.note(Note::ReaderReset { reader: self.index, tp: p.tp, from: p.fetch_offset, to: Some(to) });
    }

    pub fn on_backoff_timer(&mut self, ctx: &mut Ctx<World>) {
        self.backing_off = false;
        self.poll(ctx);
    }

    fn back_off(&mut self, ctx: &mut Ctx<World>) {
        if !self.backing_off {
            self.backing_off = true;
            ctx.set_timer(
                self.node,
                crate::kafka::client::retry_delay(self.config.retry_backoff_ms),
                Timer::ReaderPoll,
            );
        }
    }

    pub fn on_request_failed(&mut self, ctx: &mut Ctx<World>, correlation: u64) {
        if self.metadata_in_flight == Some(correlation) {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
            return;
        }
        if self.in_flight.remove(&correlation).is_some() {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
            self.back_off(ctx);
        }
    }

    pub fn on_connection_closed(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        let affected = self.in_flight.values().any(|b| *b == broker);
        if affected {
            self.on_connection_refused(ctx, broker);
        }
    }

    pub fn on_connection_refused(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        self.conns.failed(broker, ctx.now);
        self.in_flight.retain(|_, b| *b != broker);
        if self.metadata_in_flight.is_some() {
            self.metadata_in_flight = None;
        }
        self.request_metadata(ctx);
        self.back_off(ctx);
    }
}
