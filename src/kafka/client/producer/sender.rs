//! The producer's `Sender`: sends drained batches as Produce requests (after InitProducerId
//! for an idempotent producer), and handles what comes back: acks, retriable errors with
//! their backoff, timeouts, refused and closed connections, and metadata.
use super::accumulator::Drained;
use super::{retry_backoff, Batch, InFlightRequest, Producer};
use crate::kafka::config::Acks;
use crate::kafka::message::cache_partition_state;
use crate::kafka::message::{Msg, PartitionState, ProduceBatch, ProducePartitionResponse, ProduceRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::Ctx;

impl Producer {
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
            self.init_producer_id(ctx);
            return;
        }
        let Drained { per_broker, missing_leader, wake_at } = self.drain(ctx.now);
        for (broker, batches) in per_broker {
            self.send_produce(ctx, broker, batches);
        }
        if missing_leader || self.metadata_wanted {
            self.request_metadata(ctx);
        }
        if let Some(t) = wake_at {
            self.wake_at(ctx, t);
        }
    }

    /// An idempotent producer gets its producer id first (InitProducerId to any broker).
    fn init_producer_id(&mut self, ctx: &mut Ctx<World>) {
        if self.init_in_flight.is_none() {
            let correlation = self.next();
            let broker = self.next_bootstrap(ctx.now);
            self.init_in_flight = Some((correlation, broker));
            ctx.send(
                self.node,
                broker_node(broker),
                Msg::InitProducerId { correlation, transactional_id: None, transaction_timeout_ms: 0 },
            );
            ctx.set_timer(
                self.node,
                crate::kafka::client::request_timeout_delay(self.config.request_timeout_ms),
                Timer::ClientRequestTimeout(correlation),
            );
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
        ctx.set_timer(
            self.node,
            crate::kafka::client::request_timeout_delay(self.config.request_timeout_ms),
            Timer::ClientRequestTimeout(correlation),
        );
    }

    pub fn on_metadata_response(&mut self, ctx: &mut Ctx<World>, correlation: u64, partitions: Vec<PartitionState>) {
        if self.metadata_in_flight.map(|(c, _)| c) != Some(correlation) {
            return;
        }
        self.metadata_in_flight = None;
        self.metadata_backoff.answered(ctx.now, partitions.iter().any(|st| st.leader.is_none()));
        for st in partitions {
            let newer = self.metadata.get(&st.tp).is_none_or(|old| st.leader_epoch >= old.leader_epoch);
            if newer {
                cache_partition_state(&mut self.metadata, st);
            }
        }
        self.run_blocked(ctx);
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
        self.run_blocked(ctx);
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

    pub(super) fn request_metadata(&mut self, ctx: &mut Ctx<World>) {
        if self.metadata_in_flight.is_some() {
            return;
        }
        let c = &self.config;
        if let Some(t) = self.metadata_backoff.wait_until(ctx.now, c.retry_backoff_ms, c.retry_backoff_max_ms) {
            // See `MetadataBackoff`: only after an answer that took no simulated time.
            self.metadata_wanted = true;
            self.wake_at(ctx, t);
            return;
        }
        self.metadata_wanted = false;
        self.metadata_backoff.sent(ctx.now);
        let broker = self.next_bootstrap(ctx.now);
        let correlation = self.next();
        self.metadata_in_flight = Some((correlation, broker));
        ctx.send(self.node, broker_node(broker), Msg::Metadata { correlation });
        ctx.set_timer(
            self.node,
            crate::kafka::client::request_timeout_delay(self.config.request_timeout_ms),
            Timer::ClientRequestTimeout(correlation),
        );
    }

    /// The producer gives up on records: their futures fail. What the application sees
    /// depends on how it sends (`sim.send.style`); a transaction can then only abort.
    pub(super) fn fail_records(&mut self, ctx: &mut Ctx<World>, tp: Tp, records: &[RecordId], error: ErrorCode) {
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
}
