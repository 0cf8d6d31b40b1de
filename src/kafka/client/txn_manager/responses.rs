//! The coordinators' answers to the transaction manager: each response by its handler, how
//! a transaction ends, and fencing (fatal: nothing more can be sent).
use super::{fatal_exception, Blocking, Request, TxnClientState, TxnOutcome};
use crate::kafka::client::producer::Producer;
use crate::kafka::message::Msg;
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode};
use crate::kafka::world::World;
use crate::kernel::Ctx;

impl Producer {
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
            Msg::FindCoordinatorResponse { error, coordinator, .. } => {
                self.on_txn_find_coordinator_response(ctx, request, error, coordinator)
            }
            Msg::AddPartitionsToTxnResponse { error, .. } => {
                self.on_add_partitions_to_txn_response(ctx, request, error)
            }
            Msg::AddOffsetsToTxnResponse { error, .. } => self.on_add_offsets_to_txn_response(ctx, error),
            Msg::TxnOffsetCommitResponse { error, .. } => self.on_txn_offset_commit_response(ctx, error),
            Msg::EndTxnResponse { error, .. } => self.on_end_txn_response(ctx, request, error),
            _ => {}
        }
        true
    }

    fn on_txn_find_coordinator_response(
        &mut self,
        ctx: &mut Ctx<World>,
        request: Request,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    ) {
        let (ErrorCode::None, Some(c)) = (error, coordinator) else {
            return self.retry_later(ctx, ErrorCode::CoordinatorNotAvailable);
        };
        let t = self.txn_mut();
        if request == Request::FindGroupCoordinator {
            t.group_coordinator = Some(c);
        } else {
            t.coordinator = Some(c);
        }
        self.txn_poll(ctx);
    }

    fn on_add_partitions_to_txn_response(&mut self, ctx: &mut Ctx<World>, request: Request, error: ErrorCode) {
        match error {
            ErrorCode::None => {
                let t = self.txn_mut();
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
        }
    }

    fn on_add_offsets_to_txn_response(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        match error {
            ErrorCode::None => {
                if let Some(Blocking::SendOffsets { offsets_added, .. }) = &mut self.txn_mut().current {
                    *offsets_added = true;
                }
                self.txn_poll(ctx);
            }
            e if e.is_retriable() => self.retry_later(ctx, e),
            e => self.txn_fatal(ctx, e),
        }
    }

    fn on_txn_offset_commit_response(&mut self, ctx: &mut Ctx<World>, error: ErrorCode) {
        let t = self.txn_mut();
        match error {
            ErrorCode::None => {
                t.current = None;
                ctx.note(Note::TxnClient { producer: self.index, call: "sendOffsetsToTransaction()", outcome: "ok" });
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
        }
    }

    fn on_end_txn_response(&mut self, ctx: &mut Ctx<World>, request: Request, error: ErrorCode) {
        let commit = request == Request::EndTxn(true);
        match error {
            ErrorCode::None => self.finish_end(ctx, commit, None),
            e if e.is_retriable() => self.retry_later(ctx, e),
            e => self.txn_fatal(ctx, e),
        }
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

    /// The transaction ended (committed or aborted, or failed with `error`).
    pub(super) fn finish_end(&mut self, ctx: &mut Ctx<World>, commit: bool, error: Option<ErrorCode>) {
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
}
