//! The producer's transaction manager (Kafka's `TransactionManager`): initTransactions,
//! beginTransaction, send, sendOffsetsToTransaction, commitTransaction and
//! abortTransaction, with the requests they make of the transaction coordinator.
//!
//! The application is one thread: its calls run in order, and a blocking call
//! (initTransactions, sendOffsetsToTransaction, commitTransaction, abortTransaction)
//! holds back the calls after it until it returns. The first call runs
//! initTransactions() (an application calls it once at start).
use crate::kafka::message::{AddPartitionsToTxnRequest, EndTxnRequest, TxnOffsetCommitRequest};
use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;

use crate::kafka::client::producer::Producer;
use crate::kafka::message::{Msg, OffsetCommitPartition};
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::Ctx;

/// An application call on a transactional producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnOp {
    Begin,
    Send(RecordId, Tp, &'static str),
    /// sendOffsetsToTransaction(offsets, groupMetadata).
    SendOffsets {
        group: Rc<str>,
        member_id: Rc<str>,
        generation: i32,
        offsets: Vec<OffsetCommitPartition>,
    },
    Commit,
    Abort,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnClientState {
    Uninitialized,
    Ready,
    InTransaction,
    /// Something failed inside the transaction: it can only be aborted.
    AbortableError(ErrorCode),
    /// Fenced (or another fatal error): the producer can do nothing more.
    Fatal(ErrorCode),
}

impl TxnClientState {
    pub fn name(self) -> &'static str {
        match self {
            TxnClientState::Uninitialized => "UNINITIALIZED",
            TxnClientState::Ready => "READY",
            TxnClientState::InTransaction => "IN_TRANSACTION",
            TxnClientState::AbortableError(_) => "ABORTABLE_ERROR",
            TxnClientState::Fatal(_) => "FATAL_ERROR",
        }
    }
}

/// A blocking call in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Blocking {
    Init,
    /// `offsets_added`: AddOffsetsToTxn is done; TxnOffsetCommit is next.
    SendOffsets {
        group: Rc<str>,
        member_id: Rc<str>,
        generation: i32,
        offsets: Vec<OffsetCommitPartition>,
        offsets_added: bool,
    },
    Commit,
    Abort,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    FindCoordinator,
    FindGroupCoordinator,
    InitProducerId,
    AddPartitions(Vec<Tp>),
    AddOffsets,
    TxnOffsetCommit,
    EndTxn(bool),
}

/// How the last commitTransaction() or abortTransaction() ended, for the application
/// that owns the producer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnOutcome {
    pub committed: bool,
    pub error: Option<ErrorCode>,
}

#[derive(Clone, Debug)]
pub struct TxnClient {
    pub transactional_id: Rc<str>,
    pub state: TxnClientState,
    pub coordinator: Option<BrokerId>,
    group_coordinator: Option<BrokerId>,
    ops: VecDeque<TxnOp>,
    current: Option<Blocking>,
    /// Partitions the coordinator has in this transaction.
    pub added: BTreeSet<Tp>,
    /// Partitions with records waiting to be added.
    to_add: BTreeSet<Tp>,
    in_flight: Option<(u64, BrokerId, Request)>,
    /// No request before then (retry.backoff.ms after a retriable error).
    backoff_until: u64,
    /// How the last commit or abort ended (taken by the owner).
    pub outcome: Option<TxnOutcome>,
}

impl TxnClient {
    pub fn new(transactional_id: Rc<str>) -> TxnClient {
        TxnClient {
            transactional_id,
            state: TxnClientState::Uninitialized,
            coordinator: None,
            group_coordinator: None,
            ops: VecDeque::new(),
            current: None,
            added: BTreeSet::new(),
            to_add: BTreeSet::new(),
            in_flight: None,
            backoff_until: 0,
            outcome: None,
        }
    }

    pub fn has_in_flight(&self, correlation: u64) -> bool {
        self.in_flight.as_ref().is_some_and(|(c, _, _)| *c == correlation)
    }

    pub fn requests_to(&self, broker: BrokerId) -> bool {
        self.in_flight.as_ref().is_some_and(|(_, b, _)| *b == broker)
    }

    /// Batches of a partition go out only once the coordinator has it in the transaction.
    pub fn may_send_to(&self, tp: Tp) -> bool {
        self.added.contains(&tp)
    }

    /// The name of the blocking call in progress, for the UI.
    pub fn current_call(&self) -> Option<&'static str> {
        self.current.as_ref().map(|c| match c {
            Blocking::Init => "initTransactions()",
            Blocking::SendOffsets { .. } => "sendOffsetsToTransaction()",
            Blocking::Commit => "commitTransaction()",
            Blocking::Abort => "abortTransaction()",
        })
    }
}

fn fatal_exception(error: ErrorCode) -> &'static str {
    match error {
        ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch => "ProducerFencedException",
        ErrorCode::InvalidTxnState => "InvalidTxnStateException",
        _ => "KafkaException",
    }
}

impl Producer {
    fn txn_mut(&mut self) -> &mut TxnClient {
        self.txn.as_mut().expect("transactional producer")
    }

    /// The application calls a transaction method (or send) on the producer.
    pub fn txn_call(&mut self, ctx: &mut Ctx<World>, op: TxnOp) {
        self.txn_mut().ops.push_back(op);
        self.txn_poll(ctx);
    }

    /// A send failed with `error` inside the transaction.
    pub(crate) fn txn_batch_failed(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        let t = self.txn_mut();
        if matches!(t.state, TxnClientState::InTransaction) {
            t.state = TxnClientState::AbortableError(error);
            let id = t.transactional_id.clone();
            ctx.note(Note::ProducerError {
                producer: self.index,
                error: "KafkaException",
                detail: format!(
                    "a send in the transaction of {id} failed with {}: the transaction can only be aborted",
                    error.name()
                ),
            });
        }
    }

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
            ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
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
        ctx.set_timer(self.node, self.config.request_timeout_ms, Timer::ClientRequestTimeout(correlation));
    }

    /// Run the application's calls in order until one blocks.
    fn run_calls(&mut self, ctx: &mut Ctx<World>) {
        loop {
            let t = self.txn.as_ref().expect("transactional producer");
            if t.current.is_some() {
                return;
            }
            if t.state == TxnClientState::Uninitialized && !t.ops.is_empty() {
                self.txn_mut().current = Some(Blocking::Init);
                ctx.note(Note::TxnClient { producer: self.index, call: "initTransactions()", outcome: "called" });
                return;
            }
            let Some(op) = self.txn_mut().ops.pop_front() else { return };
            let state = self.txn_mut().state;
            match op {
                TxnOp::Begin => match state {
                    TxnClientState::Ready => {
                        let t = self.txn_mut();
                        t.state = TxnClientState::InTransaction;
                        t.added.clear();
                        t.to_add.clear();
                        ctx.note(Note::TxnClient { producer: self.index, call: "beginTransaction()", outcome: "ok" });
                    }
                    _ => self.call_refused(ctx, "beginTransaction()", state),
                },
                TxnOp::Send(record, tp, rule) => match state {
                    TxnClientState::InTransaction => {
                        let t = self.txn_mut();
                        if !t.added.contains(&tp) {
                            t.to_add.insert(tp);
                        }
                        self.accept(ctx, record, tp, rule);
                    }
                    _ => {
                        ctx.note(Note::RecordSent { record, producer: self.index, tp, rule });
                        let error = match state {
                            TxnClientState::Fatal(e) | TxnClientState::AbortableError(e) => e,
                            _ => ErrorCode::InvalidTxnState,
                        };
                        ctx.note(Note::RecordFailed { record, tp, error });
                        self.failed += 1;
                        if matches!(state, TxnClientState::Ready) {
                            self.call_refused(ctx, "send()", state);
                        }
                    }
                },
                TxnOp::SendOffsets { group, member_id, generation, offsets } => match state {
                    TxnClientState::InTransaction => {
                        self.txn_mut().current =
                            Some(Blocking::SendOffsets { group, member_id, generation, offsets, offsets_added: false });
                    }
                    _ => self.call_refused(ctx, "sendOffsetsToTransaction()", state),
                },
                TxnOp::Commit => match state {
                    // In an abortable state, txn_poll turns the commit into an abort.
                    TxnClientState::InTransaction | TxnClientState::AbortableError(_) => {
                        self.txn_mut().current = Some(Blocking::Commit)
                    }
                    _ => {
                        self.call_refused(ctx, "commitTransaction()", state);
                        self.txn_mut().outcome =
                            Some(TxnOutcome { committed: false, error: Some(ErrorCode::InvalidTxnState) });
                    }
                },
                TxnOp::Abort => match state {
                    TxnClientState::InTransaction | TxnClientState::AbortableError(_) => {
                        self.drop_unsent(ctx);
                        self.txn_mut().current = Some(Blocking::Abort);
                    }
                    _ => {
                        self.call_refused(ctx, "abortTransaction()", state);
                        self.txn_mut().outcome =
                            Some(TxnOutcome { committed: false, error: Some(ErrorCode::InvalidTxnState) });
                    }
                },
            }
        }
    }

    fn call_refused(&mut self, ctx: &mut Ctx<World>, call: &'static str, state: TxnClientState) {
        let (error, detail) = match state {
            TxnClientState::Fatal(e) => (
                fatal_exception(e),
                format!("{call}: the producer was fenced or failed ({}) and must be closed", e.name()),
            ),
            _ => ("IllegalStateException", format!("{call} is not allowed in state {}", state.name())),
        };
        ctx.note(Note::ProducerError { producer: self.index, error, detail });
    }

    /// abortTransaction(): records not yet sent are dropped (TransactionAbortedException).
    fn drop_unsent(&mut self, ctx: &mut Ctx<World>) {
        let queued = std::mem::take(&mut self.queued);
        for (tp, q) in queued {
            for (record, _) in q {
                ctx.note(Note::RecordFailed { record, tp, error: ErrorCode::InvalidTxnState });
                self.failed += 1;
            }
        }
        let retries = std::mem::take(&mut self.retries);
        for b in retries.into_values().flatten() {
            for record in &b.records {
                ctx.note(Note::RecordFailed { record: *record, tp: b.tp, error: ErrorCode::InvalidTxnState });
                self.failed += 1;
            }
        }
        self.txn_mut().to_add.clear();
    }

    /// The transaction ended (committed or aborted, or failed with `error`).
    fn finish_end(&mut self, ctx: &mut Ctx<World>, commit: bool, error: Option<ErrorCode>) {
        let t = self.txn_mut();
        t.current = None;
        t.added.clear();
        t.to_add.clear();
        if error.is_none() {
            t.state = TxnClientState::Ready;
        }
        t.outcome = Some(TxnOutcome { committed: commit && error.is_none(), error });
        let call = if commit { "commitTransaction()" } else { "abortTransaction()" };
        let outcome = match error {
            None if commit => "committed",
            None => "aborted",
            Some(_) => "failed",
        };
        ctx.note(Note::TxnClient { producer: self.index, call, outcome });
        self.txn_poll(ctx);
    }

    /// Fenced or failed for good: nothing more can be sent.
    fn txn_fatal(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        let id = self.txn_mut().transactional_id.clone();
        self.txn_mut().state = TxnClientState::Fatal(error);
        ctx.note(Note::ProducerError {
            producer: self.index,
            error: fatal_exception(error),
            detail: format!("{}: a newer producer with transactional.id {id} exists (or the transaction timed out); this one is fenced", error.name()),
        });
        self.drop_unsent(ctx);
        let current = self.txn_mut().current.take();
        match current {
            Some(Blocking::Commit) => self.finish_end(ctx, true, Some(error)),
            Some(Blocking::Abort) => self.finish_end(ctx, false, Some(error)),
            _ => self.txn_poll(ctx),
        }
    }

    fn retry_later(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        let backoff = self.config.retry_backoff_ms;
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

    /// Answers to the transaction manager's requests; false if `msg` is not one.
    pub(crate) fn txn_on_message(&mut self, ctx: &mut Ctx<World>, msg: Msg) -> bool {
        let Some(t) = self.txn.as_mut() else { return false };
        let correlation = match &msg {
            Msg::FindCoordinatorResponse { correlation, .. }
            | Msg::AddPartitionsToTxnResponse { correlation, .. }
            | Msg::AddOffsetsToTxnResponse { correlation, .. }
            | Msg::TxnOffsetCommitResponse { correlation, .. }
            | Msg::EndTxnResponse { correlation, .. } => *correlation,
            _ => return false,
        };
        if !t.has_in_flight(correlation) {
            return true; // a late answer
        }
        let (_, _, request) = t.in_flight.take().expect("in flight");
        match msg {
            Msg::FindCoordinatorResponse { error: ErrorCode::None, coordinator: Some(c), .. } => {
                if request == Request::FindGroupCoordinator {
                    t.group_coordinator = Some(c);
                } else {
                    t.coordinator = Some(c);
                }
                self.txn_poll(ctx);
            }
            Msg::FindCoordinatorResponse { .. } => self.retry_later(ctx, ErrorCode::CoordinatorNotAvailable),
            Msg::AddPartitionsToTxnResponse { error, .. } => match error {
                ErrorCode::None => {
                    if let Request::AddPartitions(tps) = request {
                        for tp in tps {
                            t.to_add.remove(&tp);
                            t.added.insert(tp);
                        }
                    }
                    self.pump(ctx);
                }
                e if e.is_retriable() => self.retry_later(ctx, e),
                e => self.txn_fatal(ctx, e),
            },
            Msg::AddOffsetsToTxnResponse { error, .. } => match error {
                ErrorCode::None => {
                    if let Some(Blocking::SendOffsets { offsets_added, .. }) = &mut t.current {
                        *offsets_added = true;
                    }
                    self.txn_poll(ctx);
                }
                e if e.is_retriable() => self.retry_later(ctx, e),
                e => self.txn_fatal(ctx, e),
            },
            Msg::TxnOffsetCommitResponse { error, .. } => match error {
                ErrorCode::None => {
                    t.current = None;
                    ctx.note(Note::TxnClient {
                        producer: self.index,
                        call: "sendOffsetsToTransaction()",
                        outcome: "ok",
                    });
                    self.txn_poll(ctx);
                }
                ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::FencedInstanceId => {
                    // CommitFailedException: the consumer is no longer in that generation
                    // of the group (KIP-447 zombie fencing). The transaction must abort.
                    t.current = None;
                    t.state = TxnClientState::AbortableError(error);
                    ctx.note(Note::ProducerError {
                        producer: self.index,
                        error: "CommitFailedException",
                        detail: format!(
                            "sendOffsetsToTransaction() rejected with {}: this consumer was fenced by a rebalance",
                            error.name()
                        ),
                    });
                    self.txn_poll(ctx);
                }
                e if e.is_retriable() => self.retry_later(ctx, e),
                e => self.txn_fatal(ctx, e),
            },
            Msg::EndTxnResponse { error, .. } => {
                let commit = request == Request::EndTxn(true);
                match error {
                    ErrorCode::None => self.finish_end(ctx, commit, None),
                    e if e.is_retriable() => self.retry_later(ctx, e),
                    e => self.txn_fatal(ctx, e),
                }
            }
            _ => {}
        }
        true
    }

    /// InitProducerId answered (transactional).
    pub(crate) fn txn_init_response(
        &mut self,
        ctx: &mut Ctx<World>,
        correlation: u64,
        error: ErrorCode,
        producer_id: i64,
        epoch: u16,
    ) {
        let t = self.txn_mut();
        if !t.has_in_flight(correlation) {
            return;
        }
        t.in_flight = None;
        match error {
            ErrorCode::None => {
                t.current = None;
                t.state = TxnClientState::Ready;
                self.producer_id = producer_id;
                self.producer_epoch = epoch;
                self.next_sequence.clear();
                ctx.note(Note::TxnClient { producer: self.index, call: "initTransactions()", outcome: "ok" });
                self.txn_poll(ctx);
                self.pump(ctx);
            }
            // CONCURRENT_TRANSACTIONS: an older transaction is still being aborted.
            e if e.is_retriable() => self.retry_later(ctx, e),
            e => {
                t.current = None;
                self.txn_fatal(ctx, e);
            }
        }
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

    /// How the last commit or abort ended, once.
    pub fn take_txn_outcome(&mut self) -> Option<TxnOutcome> {
        self.txn.as_mut().and_then(|t| t.outcome.take())
    }
}
