//! The producer's `RecordAccumulator`: send() calls wait for room (`buffer.memory`, `max.block.ms`),
//! records queue per partition until a batch is full or `linger.ms` passes, records past
//! `delivery.timeout.ms` expire, and ready batches are drained per leader.
use std::collections::BTreeMap;

use super::{Batch, Producer};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::{Timer, World};
use crate::kernel::sort::CollectBTree;
use crate::kernel::Ctx;

/// What one drain found: batches per leader, whether a partition has no known leader, and
/// when the earliest backoff ends.
pub(super) struct Drained {
    pub(super) per_broker: BTreeMap<BrokerId, Vec<Batch>>,
    pub(super) missing_leader: bool,
    pub(super) wake_at: Option<u64>,
}

impl Producer {
    /// The application calls `send()`: the record joins its partition's queue. It leaves
    /// when the batch is full or `linger.ms` has passed since the batch started.
    pub fn send(&mut self, ctx: &mut Ctx<World>, record: RecordId, tp: Tp, rule: &'static str) {
        if self.txn.is_some() {
            // The application thread may be blocked in an earlier transaction call.
            return self.txn_call(ctx, crate::kafka::client::txn_manager::TxnOp::Send(record, tp, rule));
        }
        if self.app_queue.is_empty() {
            self.app_front_since = ctx.now;
        }
        self.app_queue.push_back((record, tp, rule));
        self.run_app(ctx);
    }

    /// Whether a record is still in the producer (queued, retrying or in flight).
    fn holds(&self, record: RecordId) -> bool {
        self.queued.values().flatten().any(|(r, _)| *r == record)
            || self
                .retries
                .values()
                .flatten()
                .chain(self.in_flight.values().flat_map(|f| &f.batches))
                .any(|b| b.records.contains(&record))
    }

    /// The application's send() calls, in order, as far as they can go now: a sync
    /// application waits for each result; a full `buffer.memory` blocks send() for up
    /// to `max.block.ms`, then it fails.
    pub(crate) fn run_app(&mut self, ctx: &mut Ctx<World>) {
        if self.sync_waiting.is_some_and(|r| !self.holds(r)) {
            self.sync_waiting = None;
            self.app_front_since = ctx.now;
        }
        while self.sync_waiting.is_none() {
            let Some(&(record, tp, rule)) = self.app_queue.front() else { return };
            let capacity = self.config.buffer_records();
            if self.pending_bound >= capacity {
                self.pending_bound = self.pending();
            }
            if self.pending_bound >= capacity {
                let deadline = self.app_front_since + self.config.max_block_ms;
                if ctx.now < deadline {
                    self.wake_at(ctx, deadline);
                    return;
                }
                self.app_queue.pop_front();
                self.app_front_since = ctx.now;
                ctx.note(Note::RecordSent { record, producer: self.index, tp, rule });
                ctx.note(Note::ProducerError {
                    producer: self.index,
                    error: "BufferExhaustedException",
                    detail: format!(
                        "send() waited max.block.ms ({} ms): buffer.memory is full of records that cannot be sent",
                        self.config.max_block_ms
                    ),
                });
                ctx.note(Note::RecordFailed { record, tp, error: ErrorCode::RequestTimedOut });
                self.failed += 1;
                continue;
            }
            self.app_queue.pop_front();
            self.app_front_since = ctx.now;
            if self.config.send_style == crate::kafka::config::SendStyle::Sync {
                self.sync_waiting = Some(record);
            }
            self.accept(ctx, record, tp, rule);
            if self.sync_waiting.is_some_and(|r| !self.holds(r)) {
                self.sync_waiting = None; // acks=0: done as soon as it is written
            }
        }
    }

    /// The record joins the accumulator.
    pub(crate) fn accept(&mut self, ctx: &mut Ctx<World>, record: RecordId, tp: Tp, rule: &'static str) {
        self.pending_bound += 1;
        let q = self.queued.entry(tp).or_default();
        q.push_back((record, ctx.now));
        let full = q.len() >= self.config.batch_max_records as usize;
        ctx.note(Note::RecordSent { record, producer: self.index, tp, rule });
        if full || self.config.linger_ms == 0 {
            self.pump(ctx);
        } else if !self.linger_armed {
            self.linger_armed = true;
            ctx.set_timer(self.node, self.config.linger_ms, Timer::ProducerLinger);
        }
    }

    pub fn on_linger_timer(&mut self, ctx: &mut Ctx<World>) {
        self.linger_armed = false;
        self.pump(ctx);
    }

    /// Records still waiting in the accumulator past `delivery.timeout.ms` fail
    /// (`RecordAccumulator.expiredBatches`), e.g. while their partition has no leader.
    pub(super) fn expire_queued(&mut self, ctx: &mut Ctx<World>) {
        let timeout = self.config.delivery_timeout_ms;
        let now = ctx.now;
        let mut expired: Vec<(Tp, Vec<RecordId>)> = Vec::new();
        for (tp, q) in self.queued.iter_mut() {
            let mut records = Vec::new();
            while q.front().is_some_and(|(_, created)| now.saturating_sub(*created) >= timeout) {
                records.push(q.pop_front().expect("front").0);
            }
            if !records.is_empty() {
                expired.push((*tp, records));
            }
        }
        self.queued.retain(|_, q| !q.is_empty());
        for q in self.retries.values_mut() {
            while q.front().is_some_and(|b| now.saturating_sub(b.created_at) >= timeout) {
                let b = q.pop_front().expect("front");
                expired.push((b.tp, b.records));
            }
        }
        self.retries.retain(|_, q| !q.is_empty());
        for (tp, records) in expired {
            self.fail_records(ctx, tp, &records, ErrorCode::RequestTimedOut);
        }
        let queued = self.queued.values().filter_map(|q| q.front()).map(|(_, c)| *c);
        let retrying = self.retries.values().filter_map(|q| q.front()).map(|b| b.created_at);
        if let Some(oldest) = queued.chain(retrying).min() {
            self.wake_at(ctx, oldest + timeout);
        }
    }

    /// One batch per partition that can send now, per leader (Kafka's
    /// `RecordAccumulator.ready` and `drain`), retries first.
    pub(super) fn drain(&mut self, now: u64) -> Drained {
        let mut per_broker: BTreeMap<BrokerId, Vec<Batch>> = BTreeMap::new();
        // One batch per partition per drain, retries first (Kafka's `RecordAccumulator.drain`).
        let tps: std::collections::BTreeSet<Tp> = self.queued.keys().chain(self.retries.keys()).copied().btree_set();
        let mut missing_leader = false;
        let mut wake_at: Option<u64> = None;
        let mut wake = |t: u64| wake_at = Some(wake_at.map_or(t, |w: u64| w.min(t)));
        for tp in tps {
            if self.txn.as_ref().is_some_and(|t| !t.may_send_to(tp)) {
                continue; // not yet added to the transaction (AddPartitionsToTxn)
            }
            let Some(leader) = self.metadata.get(&tp).and_then(|s| s.leader) else {
                missing_leader = true;
                continue;
            };
            if let Some(t) = self.conns.backoff_until(leader, now) {
                wake(t);
                continue; // reconnect.backoff.ms after a refused connection
            }
            let in_flight_to_leader = self.in_flight.values().filter(|r| r.broker == leader).count() as u32;
            if in_flight_to_leader >= self.config.max_in_flight_requests_per_connection {
                continue;
            }
            // With one request in flight the producer guarantees order: a partition with a
            // batch in flight is muted until it completes (Kafka's `guaranteeMessageOrder`).
            let muted = self.config.max_in_flight_requests_per_connection == 1
                && self.in_flight.values().any(|r| r.batches.iter().any(|b| b.tp == tp));
            if muted {
                continue;
            }
            if let Some(q) = self.retries.get_mut(&tp).filter(|q| !q.is_empty()) {
                // A partition with a retry in backoff sends nothing: order is kept.
                if q[0].ready_at <= now {
                    let batch = q.pop_front().expect("non-empty");
                    per_broker.entry(leader).or_default().push(batch);
                } else {
                    wake(q[0].ready_at);
                }
                continue;
            }
            // Idempotent producers send retries before anything new of the partition.
            let Some(q) = self.queued.get_mut(&tp) else { continue };
            if q.is_empty() {
                continue;
            }
            let n = q.len().min(self.config.batch_max_records as usize);
            let drained: Vec<(RecordId, u64)> = q.drain(..n).collect();
            let base_sequence = if self.config.idempotent() {
                let seq = self.next_sequence.entry(tp).or_insert(0);
                let base = *seq;
                *seq = seq.wrapping_add(n as i32);
                base
            } else {
                -1
            };
            per_broker.entry(leader).or_default().push(Batch {
                tp,
                records: drained.iter().map(|(r, _)| *r).collect(),
                base_sequence,
                created_at: drained[0].1,
                attempts: 0,
                ready_at: 0,
            });
        }
        self.queued.retain(|_, q| !q.is_empty());
        self.retries.retain(|_, q| !q.is_empty());
        Drained { per_broker, missing_leader, wake_at }
    }
}
