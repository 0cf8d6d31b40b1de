//! The transaction manager's requests to its coordinators: which one the blocking call
//! needs next (`txn_poll`), finding the coordinator first, and backing off after a
//! retriable failure, a timeout or a lost connection.
use super::{Blocking, Request, TxnClientState, TxnOp};
use crate::kafka::client::producer::Producer;
use crate::kafka::client::{request_timeout_delay, retry_delay};
use crate::kafka::message::{AddPartitionsToTxnRequest, EndTxnRequest, Msg, TxnOffsetCommitRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::Ctx;

impl Producer {
    /// Run what the application can run now, and send the transaction manager's next
    /// request. Called from `pump` and after every answer.
    pub(crate) fn txn_poll(&mut self, ctx: &mut Ctx<World>) {
        self.run_calls(ctx);
        let t = self.txn_mut();
        if let (Some(Blocking::Commit), TxnClientState::AbortableError(e)) = (&t.current, t.state) {
            // A send of the transaction failed (before or while commitTransaction()
            // flushed): it throws, and the application's catch block aborts.
            t.current = None;
            t.ops.push_front(TxnOp::Abort);
            ctx.note(Note::ProducerError {
                producer: self.index,
                error: "KafkaException",
                detail: format!("commitTransaction() failed ({}): the application aborts the transaction", e.name()),
            });
            return self.txn_poll(ctx);
        }
        let now = ctx.now;
        let t = self.txn.as_ref().expect("transactional producer");
        if t.in_flight.is_some() {
            return;
        }
        if t.backoff_until > now {
            let at = t.backoff_until;
            self.wake_at(ctx, at);
            return;
        }
        let pending_records = self.pending() > 0;
        let t = self.txn.as_ref().expect("transactional producer");
        let request = match &t.current {
            Some(Blocking::Init) => Some(Request::InitProducerId),
            Some(Blocking::Commit) | None if !t.to_add.is_empty() && t.state == TxnClientState::InTransaction => {
                Some(Request::AddPartitions(t.to_add.iter().copied().collect()))
            }
            Some(Blocking::Commit) if pending_records => None, // flush() first
            Some(Blocking::Commit) => Some(Request::EndTxn(true)),
            Some(Blocking::Abort) if !self.in_flight.is_empty() => None, // in-flight sends finish first
            Some(Blocking::Abort) => Some(Request::EndTxn(false)),
            Some(Blocking::SendOffsets { offsets_added: false, .. }) => Some(Request::AddOffsets),
            Some(Blocking::SendOffsets { offsets_added: true, .. }) => Some(Request::TxnOffsetCommit),
            None => None,
        };
        let Some(request) = request else { return };
        if let Request::EndTxn(commit) = request {
            if t.added.is_empty() {
                // Nothing was sent in this transaction: no EndTxn (Kafka completes it locally).
                return self.finish_end(ctx, commit, None);
            }
        }
        self.send_txn_request(ctx, request);
    }

    fn send_txn_request(&mut self, ctx: &mut Ctx<World>, request: Request) {
        let (pid, epoch) = (self.producer_id, self.producer_epoch);
        let timeout = self.config.transaction_timeout_ms;
        let t = self.txn.as_ref().expect("transactional producer");
        let id = t.transactional_id.clone();
        let group_request = matches!(request, Request::TxnOffsetCommit);
        let target = if group_request { t.group_coordinator } else { t.coordinator };
        let Some(broker) = target else {
            // Find the coordinator first (FindCoordinator to any broker).
            let find = if group_request { Request::FindGroupCoordinator } else { Request::FindCoordinator };
            let key = match (&find, &t.current) {
                (Request::FindGroupCoordinator, Some(Blocking::SendOffsets { group, .. })) => group.clone(),
                _ => id.clone(),
            };
            let broker = self.next_bootstrap(ctx.now);
            let correlation = self.next();
            let transaction = find == Request::FindCoordinator;
            self.txn_mut().in_flight = Some((correlation, broker, find));
            ctx.send(self.node, broker_node(broker), Msg::FindCoordinator { correlation, group: key, transaction });
            let timeout = request_timeout_delay(self.config.request_timeout_ms);
            ctx.set_timer(self.node, timeout, Timer::ClientRequestTimeout(correlation));
            return;
        };
        let current = t.current.clone();
        let correlation = self.next();
        let msg = match &request {
            Request::InitProducerId => {
                Msg::InitProducerId { correlation, transactional_id: Some(id), transaction_timeout_ms: timeout }
            }
            Request::AddPartitions(tps) => Msg::AddPartitionsToTxn(AddPartitionsToTxnRequest {
                correlation,
                transactional_id: id,
                producer_id: pid,
                producer_epoch: epoch,
                partitions: tps.clone(),
            }),
            Request::AddOffsets => {
                let Some(Blocking::SendOffsets { group, .. }) = &current else { return };
                Msg::AddOffsetsToTxn {
                    correlation,
                    transactional_id: id,
                    producer_id: pid,
                    producer_epoch: epoch,
                    group: group.clone(),
                }
            }
            Request::TxnOffsetCommit => {
                let Some(Blocking::SendOffsets { group, member_id, generation, offsets, .. }) = &current else {
                    return;
                };
                Msg::TxnOffsetCommit(TxnOffsetCommitRequest {
                    correlation,
                    transactional_id: id,
                    group: group.clone(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    member_id: member_id.clone(),
                    generation: *generation,
                    offsets: offsets.clone(),
                })
            }
            Request::EndTxn(commit) => Msg::EndTxn(EndTxnRequest {
                correlation,
                transactional_id: id,
                producer_id: pid,
                producer_epoch: epoch,
                commit: *commit,
            }),
            Request::FindCoordinator | Request::FindGroupCoordinator => return,
        };
        self.txn_mut().in_flight = Some((correlation, broker, request));
        ctx.send(self.node, broker_node(broker), msg);
        let timeout = request_timeout_delay(self.config.request_timeout_ms);
        ctx.set_timer(self.node, timeout, Timer::ClientRequestTimeout(correlation));
    }

    pub(super) fn retry_later(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        let backoff = retry_delay(self.config.retry_backoff_ms);
        let t = self.txn_mut();
        if matches!(
            error,
            ErrorCode::NotCoordinator
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NetworkException
                | ErrorCode::RequestTimedOut
        ) {
            t.coordinator = None;
            t.group_coordinator = None;
        }
        t.backoff_until = ctx.now + backoff;
        self.wake_at(ctx, ctx.now + backoff);
    }

    /// A transaction request timed out.
    pub(crate) fn txn_request_failed(&mut self, ctx: &mut Ctx<World>, correlation: u64) {
        let t = self.txn_mut();
        if t.has_in_flight(correlation) {
            t.in_flight = None;
            self.retry_later(ctx, ErrorCode::RequestTimedOut);
        }
    }

    pub(crate) fn txn_connection_lost(&mut self, ctx: &mut Ctx<World>, broker: BrokerId) {
        let Some(t) = self.txn.as_mut() else { return };
        if t.requests_to(broker) {
            t.in_flight = None;
            self.retry_later(ctx, ErrorCode::NetworkException);
        }
    }
}
