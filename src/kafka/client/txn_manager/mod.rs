//! The producer's transaction manager (Kafka's `TransactionManager`): initTransactions,
//! beginTransaction, send, sendOffsetsToTransaction, commitTransaction and
//! abortTransaction, with the requests they make of the transaction coordinator.
//!
//! The application is one thread: its calls run in order, and a blocking call
//! (initTransactions, sendOffsetsToTransaction, commitTransaction, abortTransaction)
//! holds back the calls after it until it returns. The first call runs
//! initTransactions() (an application calls it once at start).
//!
//! The application's calls run in `calls.rs`; the requests they need go out in
//! `requests.rs`, and the coordinators' answers land in `responses.rs`.
mod calls;
mod requests;
mod responses;

use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;

use crate::kafka::client::producer::Producer;
use crate::kafka::message::OffsetCommitPartition;
use crate::kafka::notes::Note;
use crate::kafka::types::{BrokerId, ErrorCode, RecordId, Tp};
use crate::kafka::world::World;
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

    /// How the last commit or abort ended, once.
    pub fn take_txn_outcome(&mut self) -> Option<TxnOutcome> {
        self.txn.as_mut().and_then(|t| t.outcome.take())
    }
}
