//! A minimal Kafka producer: metadata, InitProducerId (idempotence), per-partition
//! queues drained into one Produce request per broker, `acks`, `retries`,
//! `retry.backoff.ms`, `request.timeout.ms`, `delivery.timeout.ms` and
//! `max.in.flight.requests.per.connection`. Shaped like Kafka's `Sender` and
//! `RecordAccumulator` so batching and `linger.ms` can grow here later.
use crate::kafka::message::ProduceRequest;
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, VecDeque};

use crate::kafka::config::{Acks, ProducerConfig};
use crate::kafka::message::{Msg, PartitionState, ProduceBatch, ProducePartitionResponse};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::{Ctx, NodeId};

/// Correlation ids of a producer embedded in a consumer's process start here.
pub const EMBEDDED_CORRELATION_BASE: u64 = 1 << 40;

/// Kafka's exponential retry backoff (KIP-580): `retry.backoff.ms * 2^(attempts-1)`, capped
/// times a jitter factor in [0.8, 1.2] (`jitter_percent` is 0..=40), capped at `retry.backoff.max.ms`.
pub fn retry_backoff(config: &ProducerConfig, attempts: u32, jitter_percent: u64) -> u64 {
    let exp = attempts.saturating_sub(1).min(20);
    let base = config.retry_backoff_ms.saturating_mul(1 << exp);
    // Kafka's ExponentialBackoff applies the jitter first, then the cap.
    (base * (80 + jitter_percent) / 100).min(config.retry_backoff_max_ms.max(config.retry_backoff_ms))
}

#[derive(Clone, Debug)]
pub struct Batch {
    pub tp: Tp,
    pub records: Vec<RecordId>,
    /// First sequence number, -1 without idempotence.
    pub base_sequence: i32,
    /// When the first record was handed to the producer (for delivery.timeout.ms).
    pub created_at: u64,
    pub attempts: u32,
    /// A retried batch waits until then (`retry.backoff.ms`).
    pub ready_at: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct InFlightRequest {
    pub(crate) broker: BrokerId,
    pub(crate) batches: Vec<Batch>,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub index: u32,
    pub node: NodeId,
    pub name: String,
    pub config: ProducerConfig,
    pub conns: crate::kafka::client::Connections,
    pub metadata: BTreeMap<Tp, PartitionState>,
    metadata_in_flight: Option<(u64, BrokerId)>,
    pub producer_id: i64,
    pub producer_epoch: u16,
    /// InitProducerId in flight: correlation and the broker asked.
    init_in_flight: Option<(u64, BrokerId)>,
    /// Records waiting to be batched, per partition.
    pub(crate) queued: BTreeMap<Tp, VecDeque<(RecordId, u64)>>,
    /// Batches to send again, per partition, in sequence order.
    pub(crate) retries: BTreeMap<Tp, VecDeque<Batch>>,
    pub(crate) next_sequence: BTreeMap<Tp, i32>,
    pub(crate) in_flight: BTreeMap<u64, InFlightRequest>,
    next_correlation: u64,
    /// When the pending retry/reconnect wake-up fires, if one is set.
    retry_timer_at: Option<u64>,
    linger_armed: bool,
    /// Per topic: the sticky partition for records without a key, and how many went to it.
    sticky: BTreeMap<u32, (u32, u64)>,
    /// Per topic: the next partition of `partitioner.class=round-robin`.
    round_robin: BTreeMap<u32, u32>,
    pub acked: u64,
    pub failed: u64,
    /// The transaction manager, when `transactional.id` is set.
    pub txn: Option<crate::kafka::client::txn_manager::TxnClient>,
    /// False while the producer's process is down.
    pub running: bool,
    /// send() calls the application has made but the producer has not taken yet: the
    /// application waits for a result (`sim.send.style=sync`) or for room in
    /// `buffer.memory`.
    app_queue: VecDeque<(RecordId, Tp, &'static str)>,
    /// Since when the first call in `app_queue` has been waiting.
    app_front_since: u64,
    /// sync: the record whose result the application waits for.
    sync_waiting: Option<RecordId>,
    /// An upper bound of `pending()`: it was that at the last count, and only `accept`
    /// adds records. Counting walks every partition's queue, too slow for every send.
    pending_bound: usize,
}

impl Producer {
    pub fn new(index: u32, node: NodeId, name: String, config: ProducerConfig, bootstrap: Vec<BrokerId>) -> Self {
        Producer {
            index,
            node,
            name,
            config,
            conns: crate::kafka::client::Connections::new(bootstrap),
            metadata: BTreeMap::new(),
            metadata_in_flight: None,
            producer_id: -1,
            producer_epoch: 0,
            init_in_flight: None,
            queued: BTreeMap::new(),
            retries: BTreeMap::new(),
            next_sequence: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            next_correlation: 0,
            retry_timer_at: None,
            linger_armed: false,
            sticky: BTreeMap::new(),
            round_robin: BTreeMap::new(),
            acked: 0,
            failed: 0,
            txn: None,
            running: true,
            app_queue: VecDeque::new(),
            app_front_since: 0,
            sync_waiting: None,
            pending_bound: 0,
        }
        .with_transactions()
    }

    /// A producer that shares its network node with a consumer (a consume-transform-produce
    /// application): its correlation ids start high so the two never collide.
    pub fn embedded(index: u32, node: NodeId, name: String, config: ProducerConfig, bootstrap: Vec<BrokerId>) -> Self {
        let mut p = Producer::new(index, node, name, config, bootstrap);
        p.next_correlation = EMBEDDED_CORRELATION_BASE;
        p
    }

    /// The same producer as a new process: nothing of its state survives but the
    /// correlation counter, so that a late answer to the old process matches nothing.
    pub fn restarted(&self) -> Producer {
        let mut p =
            Producer::new(self.index, self.node, self.name.clone(), self.config.clone(), self.conns.brokers().to_vec());
        p.next_correlation = self.next_correlation;
        p
    }

    /// Whether a correlation id belongs to an embedded producer.
    pub fn owns_correlation(&self, correlation: u64) -> bool {
        (correlation >= EMBEDDED_CORRELATION_BASE) == (self.next_correlation >= EMBEDDED_CORRELATION_BASE)
    }

    fn with_transactions(mut self) -> Self {
        if let Some(id) = &self.config.transactional_id {
            self.txn = Some(crate::kafka::client::txn_manager::TxnClient::new(std::rc::Rc::from(id.as_str())));
        }
        self
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.next_correlation += 1;
        self.next_correlation
    }

    /// Records accepted but not yet acknowledged or failed.
    pub fn pending(&self) -> usize {
        self.queued.values().map(|q| q.len()).sum::<usize>()
            + self.retries.values().flatten().map(|b| b.records.len()).sum::<usize>()
            + self.in_flight.values().flat_map(|r| &r.batches).map(|b| b.records.len()).sum::<usize>()
    }

    /// Whether request `correlation` still waits for an answer.
    pub fn has_in_flight(&self, correlation: u64) -> bool {
        self.in_flight.contains_key(&correlation)
            || self.metadata_in_flight.is_some_and(|(c, _)| c == correlation)
            || self.init_in_flight.is_some_and(|(c, _)| c == correlation)
            || self.txn.as_ref().is_some_and(|t| t.has_in_flight(correlation))
    }

    pub fn in_flight_requests(&self) -> usize {
        self.in_flight.len()
    }

    /// Which partition a record goes to, and by which rule (`KafkaProducer.partition` and
    /// `BuiltInPartitioner`): an explicit partition; else murmur2 of the key; else the
    /// sticky partition, which moves to a random partition once `batch.size` worth of
    /// records went to it (KIP-794; records counted, not bytes; not weighted by queue
    /// sizes). `partitioner.class=round-robin` cycles through the partitions.
    pub fn partition_for(
        &mut self,
        ctx: &mut Ctx<World>,
        topic: u32,
        partitions: u32,
        key: Option<&str>,
        explicit: Option<u32>,
    ) -> (u32, &'static str) {
        if let Some(p) = explicit {
            return (p, "explicit");
        }
        if self.config.partitioner_class.is_some() {
            let rr = self.round_robin.entry(topic).or_insert(0);
            let p = *rr % partitions;
            *rr += 1;
            return (p, "round-robin");
        }
        if let (Some(k), false) = (key, self.config.partitioner_ignore_keys) {
            return (crate::kafka::partitioner::partition_for_key(k.as_bytes(), partitions), "key (murmur2)");
        }
        let limit = u64::from(self.config.batch_max_records);
        let sticky = self.sticky.get(&topic).copied();
        let p = match sticky {
            Some((p, n)) if n < limit && p < partitions => {
                self.sticky.insert(topic, (p, n + 1));
                p
            }
            _ => {
                // A new sticky partition, uniformly among those with a known leader (all,
                // if none is known yet).
                let with_leader: Vec<u32> = (0..partitions)
                    .filter(|p| self.metadata.get(&Tp { topic, partition: *p }).is_some_and(|s| s.leader.is_some()))
                    .collect();
                let p = if with_leader.is_empty() {
                    ctx.prng.below(u64::from(partitions)) as u32
                } else {
                    with_leader[ctx.prng.below(with_leader.len() as u64) as usize]
                };
                self.sticky.insert(topic, (p, 1));
                p
            }
        };
        (p, "sticky")
    }

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

    pub(crate) fn next_bootstrap(&mut self, now: u64) -> BrokerId {
        self.conns.pick(now)
    }

    fn request_metadata(&mut self, ctx: &mut Ctx<World>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        let broker = self.next_bootstrap(ctx.now);
        let correlation = self.next();
        self.metadata_in_flight = Some((correlation, broker));
        ctx.send(self.node, broker_node(broker), Msg::Metadata { correlation });
        ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
    }

    /// Records still waiting in the accumulator past `delivery.timeout.ms` fail
    /// (`RecordAccumulator.expiredBatches`), e.g. while their partition has no leader.
    fn expire_queued(&mut self, ctx: &mut Ctx<World>) {
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

    /// The producer gives up on records: their futures fail. What the application sees
    /// depends on how it sends (`sim.send.style`); a transaction can then only abort.
    fn fail_records(&mut self, ctx: &mut Ctx<World>, tp: Tp, records: &[RecordId], error: ErrorCode) {
        for r in records {
            ctx.note(Note::RecordFailed { record: *r, tp, error });
        }
        self.failed += records.len() as u64;
        if self.txn.is_some() {
            self.txn_batch_failed(ctx, error);
            return;
        }
        if self.config.idempotent() && self.producer_id >= 0 {
            // A failed batch leaves a gap in the partition's sequence numbers: the
            // idempotent producer bumps its epoch and starts the sequences over
            // (KIP-360; TransactionManager.handleFailedBatch). Here: a new producer id.
            self.producer_id = -1;
            self.next_sequence.clear();
        }
        let seen = match self.config.send_style {
            crate::kafka::config::SendStyle::Sync => Some(("ExecutionException", "send().get() threw")),
            crate::kafka::config::SendStyle::Async => Some(("Callback", "the send callback got")),
            crate::kafka::config::SendStyle::FireAndForget => None,
        };
        if let Some((error_name, how)) = seen {
            ctx.note(Note::ProducerError {
                producer: self.index,
                error: error_name,
                detail: format!(
                    "{how} {} for {} record(s): the application knows these records may not be written",
                    error.name(),
                    records.len()
                ),
            });
        }
    }

    /// Send whatever can be sent now (Kafka's `Sender.sendProducerData`).
    pub fn pump(&mut self, ctx: &mut Ctx<World>) {
        self.expire_queued(ctx);
        if self.txn.is_some() {
            // The transaction manager's requests come first (`maybeSendAndPollTransactionalRequest`).
            self.txn_poll(ctx);
        }
        let has_work = self.queued.values().any(|q| !q.is_empty()) || self.retries.values().any(|q| !q.is_empty());
        if !has_work {
            return;
        }
        if self.metadata.is_empty() {
            self.request_metadata(ctx);
            return;
        }
        if self.txn.is_some() && self.producer_id < 0 {
            return; // initTransactions() first
        }
        if self.config.idempotent() && self.producer_id < 0 {
            if self.init_in_flight.is_none() {
                let correlation = self.next();
                let broker = self.next_bootstrap(ctx.now);
                self.init_in_flight = Some((correlation, broker));
                ctx.send(
                    self.node,
                    broker_node(broker),
                    Msg::InitProducerId { correlation, transactional_id: None, transaction_timeout_ms: 0 },
                );
                ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
            }
            return;
        }
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
            if let Some(t) = self.conns.backoff_until(leader, ctx.now) {
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
                if q[0].ready_at <= ctx.now {
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
        for (broker, batches) in per_broker {
            self.send_produce(ctx, broker, batches);
        }
        if missing_leader {
            self.request_metadata(ctx);
        }
        if let Some(t) = wake_at {
            self.wake_at(ctx, t);
        }
    }

    /// Make sure the producer looks again at `t` (a retry or reconnect backoff ends).
    pub(crate) fn wake_at(&mut self, ctx: &mut Ctx<World>, t: u64) {
        if self.retry_timer_at.is_none_or(|at| at > t) {
            self.retry_timer_at = Some(t);
            ctx.set_timer(self.node, t.saturating_sub(ctx.now), Timer::ProducerRetry);
        }
    }

    fn send_produce(&mut self, ctx: &mut Ctx<World>, broker: BrokerId, mut batches: Vec<Batch>) {
        let correlation = self.next();
        for b in batches.iter_mut() {
            b.attempts += 1;
        }
        let acks = match self.config.acks {
            Acks::Zero => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        };
        let wire = batches
            .iter()
            .map(|b| ProduceBatch {
                tp: b.tp,
                records: b.records.clone(),
                producer_id: if self.config.idempotent() { self.producer_id } else { -1 },
                producer_epoch: self.producer_epoch,
                base_sequence: b.base_sequence,
                transactional: self.txn.is_some(),
            })
            .collect();
        ctx.send(
            self.node,
            broker_node(broker),
            Msg::Produce(ProduceRequest {
                correlation,
                acks,
                timeout_ms: self.config.request_timeout_ms,
                batches: wire,
            }),
        );
        if self.config.acks == Acks::Zero {
            // Written to the socket: as far as the producer knows, done.
            for b in &batches {
                for r in &b.records {
                    ctx.note(Note::RecordSentNoAck { record: *r, tp: b.tp });
                }
            }
            return;
        }
        self.in_flight.insert(correlation, InFlightRequest { broker, batches });
        ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
    }

    pub fn on_metadata_response(&mut self, ctx: &mut Ctx<World>, correlation: u64, partitions: Vec<PartitionState>) {
        if self.metadata_in_flight.map(|(c, _)| c) != Some(correlation) {
            return;
        }
        self.metadata_in_flight = None;
        for st in partitions {
            let newer = self.metadata.get(&st.tp).is_none_or(|old| st.leader_epoch >= old.leader_epoch);
            if newer {
                self.metadata.insert(st.tp, st);
            }
        }
        self.pump(ctx);
    }

    pub fn on_init_producer_id_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        error: ErrorCode,
        producer_id: i64,
        epoch: u16,
    ) {
        if self.txn.is_some() {
            return self.txn_init_response(ctx, correlation, error, producer_id, epoch);
        }
        if self.init_in_flight.map(|(c, _)| c) != Some(correlation) {
            return;
        }
        self.init_in_flight = None;
        if error == ErrorCode::None {
            self.producer_id = producer_id;
            self.producer_epoch = epoch;
        }
        self.pump(ctx);
    }

    pub fn on_produce_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        partitions: Vec<ProducePartitionResponse>,
    ) {
        let Some(req) = self.in_flight.remove(&correlation) else { return };
        self.conns.succeeded(req.broker);
        let mut refresh = false;
        for batch in req.batches {
            let resp = partitions.iter().find(|p| p.tp == batch.tp);
            let error = resp.map(|p| p.error).unwrap_or(ErrorCode::NetworkException);
            if error == ErrorCode::None {
                let base = resp.map(|p| p.base_offset).unwrap_or(-1).max(0) as u64;
                for (i, r) in batch.records.iter().enumerate() {
                    ctx.note(Note::RecordAcked { record: *r, tp: batch.tp, offset: base + i as u64 });
                }
                self.acked += batch.records.len() as u64;
                continue;
            }
            refresh |= matches!(
                error,
                ErrorCode::NotLeaderOrFollower | ErrorCode::LeaderNotAvailable | ErrorCode::UnknownTopicOrPartition
            );
            self.fail_or_retry(ctx, batch, error);
        }
        if refresh {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
        }
        self.pump(ctx);
        self.run_app(ctx);
    }

    fn fail_or_retry(&mut self, ctx: &mut Ctx<World>, batch: Batch, error: ErrorCode) {
        let expired = ctx.now.saturating_sub(batch.created_at) >= self.config.delivery_timeout_ms;
        // An idempotent producer's OUT_OF_ORDER_SEQUENCE_NUMBER is retriable while an
        // earlier batch of the partition is unresolved: it will be re-sent first, in
        // sequence order (TransactionManager.canRetry).
        let earlier_unresolved = self
            .in_flight
            .values()
            .flat_map(|r| &r.batches)
            .chain(self.retries.get(&batch.tp).into_iter().flatten())
            .any(|b| b.tp == batch.tp && b.base_sequence < batch.base_sequence);
        let retriable = error.is_retriable() || (error == ErrorCode::OutOfOrderSequenceNumber && earlier_unresolved);
        let retry = retriable && batch.attempts <= self.config.retries && !expired;
        ctx.note(Note::ProduceError { producer: self.index, tp: batch.tp, error, retrying: retry });
        if retry {
            // Retries go back in sequence order, ahead of anything new.
            let mut batch = batch;
            let backoff = retry_backoff(&self.config, batch.attempts, ctx.prng.between(0, 40));
            batch.ready_at = ctx.now + backoff;
            let q = self.retries.entry(batch.tp).or_default();
            let pos = q.iter().position(|b| b.base_sequence > batch.base_sequence).unwrap_or(q.len());
            q.insert(pos, batch);
            self.wake_at(ctx, ctx.now + backoff);
        } else {
            let error = if expired { ErrorCode::RequestTimedOut } else { error };
            self.fail_records(ctx, batch.tp, &batch.records, error);
        }
    }

    pub fn on_retry_timer(&mut self, ctx: &mut Ctx<World>) {
        if self.retry_timer_at.is_some_and(|t| t > ctx.now) {
            return; // an earlier timer than the one we now wait for
        }
        self.retry_timer_at = None;
        self.pump(ctx);
        self.run_app(ctx);
    }

    /// A request got no answer within request.timeout.ms (or the connection was refused).
    pub fn on_request_failed(&mut self, ctx: &mut Ctx<World>, correlation: u64) {
        if self.txn.as_ref().is_some_and(|t| t.has_in_flight(correlation)) {
            return self.txn_request_failed(ctx, correlation);
        }
        if self.metadata_in_flight.map(|(c, _)| c) == Some(correlation) {
            self.metadata_in_flight = None;
            self.request_metadata(ctx);
            return;
        }
        if self.init_in_flight.is_some_and(|(c, _)| c == correlation) {
            self.init_in_flight = None;
            self.pump(ctx);
            return;
        }
        let Some(req) = self.in_flight.remove(&correlation) else { return };
        for batch in req.batches {
            self.fail_or_retry(ctx, batch, ErrorCode::RequestTimedOut);
        }
        self.metadata_in_flight = None;
        self.request_metadata(ctx);
        self.run_app(ctx);
    }

    /// The connection to a broker closed: requests in flight to it fail (if any).
    pub fn on_connection_closed(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        let affected = self.in_flight.values().any(|r| r.broker == broker)
            || self.metadata_in_flight.is_some_and(|(_, b)| b == broker)
            || self.init_in_flight.is_some_and(|(_, b)| b == broker)
            || self.txn.as_ref().is_some_and(|t| t.requests_to(broker));
        if affected {
            self.on_connection_refused(ctx, broker);
        }
    }

    /// The broker's host refused the connection: every request to it fails now, and the
    /// producer waits `reconnect.backoff.ms` (doubling up to `reconnect.backoff.max.ms`).
    pub fn on_connection_refused(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        let until = self.conns.failed(broker, ctx.now);
        self.wake_at(ctx, until);
        let refused: Vec<u64> = self.in_flight.iter().filter(|(_, r)| r.broker == broker).map(|(c, _)| *c).collect();
        for c in refused {
            let req = self.in_flight.remove(&c).expect("in flight");
            for batch in req.batches {
                self.fail_or_retry(ctx, batch, ErrorCode::NetworkException);
            }
        }
        if self.metadata_in_flight.is_some_and(|(_, b)| b == broker) {
            self.metadata_in_flight = None;
        }
        if self.init_in_flight.is_some_and(|(_, b)| b == broker) {
            self.init_in_flight = None;
        }
        self.txn_connection_lost(ctx, broker);
        self.request_metadata(ctx);
        self.pump(ctx);
        self.run_app(ctx);
    }

    /// Every message a producer handles; false if it is not one of them.
    pub fn on_message(&mut self, ctx: &mut Ctx<World>, msg: Msg) -> bool {
        match msg {
            Msg::MetadataResponse { correlation, partitions, .. } => {
                self.on_metadata_response(ctx, correlation, partitions)
            }
            Msg::InitProducerIdResponse { correlation, error, producer_id, producer_epoch } => {
                self.on_init_producer_id_response(ctx, correlation, error, producer_id, producer_epoch)
            }
            Msg::ProduceResponse { correlation, partitions } => self.on_produce_response(ctx, correlation, partitions),
            other => return self.txn_on_message(ctx, other),
        }
        true
    }

    pub fn set_acks(&mut self, acks: Acks) {
        self.config.acks = acks;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restarted_producer_never_reuses_a_correlation_id() {
        // A late answer to the crashed process must match no request of the new one.
        let mut old = Producer::new(0, NodeId(3), "p".into(), ProducerConfig::default(), vec![BrokerId(1)]);
        let used: Vec<u64> = (0..5).map(|_| old.next()).collect();
        let mut new = old.restarted();
        assert!(new.next() > *used.last().unwrap());
        let mut embedded = Producer::embedded(1, NodeId(4), "c".into(), ProducerConfig::default(), vec![BrokerId(1)]);
        let first = embedded.next();
        let mut again = embedded.restarted();
        let next = again.next();
        assert!(next > first && again.owns_correlation(next), "still in the embedded range");
    }

    #[test]
    fn retry_backoff_doubles_up_to_the_max_with_jitter() {
        let c = ProducerConfig::default();
        assert_eq!(retry_backoff(&c, 1, 20), 100);
        assert_eq!(retry_backoff(&c, 2, 20), 200);
        assert_eq!(retry_backoff(&c, 4, 20), 800);
        assert_eq!(retry_backoff(&c, 5, 20), 1_000);
        assert_eq!(retry_backoff(&c, 30, 20), 1_000);
        assert_eq!(retry_backoff(&c, 30, 40), 1_000, "never above retry.backoff.max.ms");
        assert_eq!(retry_backoff(&c, 1, 0), 80);
        assert_eq!(retry_backoff(&c, 1, 40), 120);
    }
}
