//! The application's calls on a transactional producer, run in order until one blocks
//! (initTransactions, sendOffsetsToTransaction, commitTransaction, abortTransaction), and
//! what a call refused in the producer's state throws.
use super::{fatal_exception, Blocking, TxnClientState, TxnOp, TxnOutcome};
use crate::kafka::client::producer::Producer;
use crate::kafka::notes::Note;
use crate::kafka::types::ErrorCode;
use crate::kafka::world::World;
use crate::kernel::Ctx;

impl Producer {
    /// Run the application's calls in order until one blocks.
    pub(super) fn run_calls(&mut self, ctx: &mut Ctx<World>) {
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
    pub(super) fn drop_unsent(&mut self, ctx: &mut Ctx<World>) {
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
}
