//! send() waits for the topic's metadata before the partitioner runs
//! (`KafkaProducer.doSend` → `waitOnMetadata`, up to `max.block.ms`), so the sticky
//! partitioner draws only among partitions with a leader
//! (`BuiltInPartitioner.nextPartition` → `availablePartitionsForTopic`). While one call
//! waits, the application's thread is blocked: later calls (sends and transaction calls)
//! wait behind it, in order.
use super::Producer;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::notes::Note;
use crate::kafka::types::{ErrorCode, RecordId, Tp};
use crate::kafka::world::World;
use crate::kernel::Ctx;
use std::rc::Rc;

/// One `send()` as the application makes it: the partition is not chosen yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SendCall {
    pub record: RecordId,
    pub topic: u32,
    /// The topic's partition count (what metadata will say).
    pub partitions: u32,
    pub key: Option<Rc<str>>,
    pub explicit: Option<u32>,
}

/// A call the application made while an earlier one was still waiting for metadata.
#[derive(Clone, Debug)]
pub enum BlockedCall {
    Send(SendCall),
    Txn(TxnOp),
}

impl Producer {
    /// The application calls `send()`: partitioned and handed on now if metadata knows the
    /// topic, else once it does.
    pub fn send_call(&mut self, ctx: &mut Ctx<World>, call: SendCall) {
        if self.blocked.is_empty() && self.knows_topic(call.topic) {
            return self.partition_and_send(ctx, call);
        }
        self.block(ctx, BlockedCall::Send(call));
        self.request_metadata(ctx);
    }

    /// A transaction call (begin, commit, abort, ...), behind any send still waiting.
    pub fn txn_call_in_order(&mut self, ctx: &mut Ctx<World>, op: TxnOp) {
        if self.blocked.is_empty() {
            self.txn_call(ctx, op);
        } else {
            self.block(ctx, BlockedCall::Txn(op));
        }
    }

    fn block(&mut self, ctx: &mut Ctx<World>, call: BlockedCall) {
        if self.blocked.is_empty() {
            self.blocked_since = ctx.now;
            self.wake_at(ctx, ctx.now + self.config.max_block_ms);
        }
        self.blocked.push_back(call);
    }

    /// Metadata arrived, or a wait ran out: carry on with the calls, in order.
    pub(crate) fn run_blocked(&mut self, ctx: &mut Ctx<World>) {
        while let Some(front) = self.blocked.front() {
            let deadline = self.blocked_since + self.config.max_block_ms;
            let unknown = matches!(front, BlockedCall::Send(c) if !self.knows_topic(c.topic));
            if unknown && ctx.now < deadline {
                return self.wake_at(ctx, deadline);
            }
            let call = self.blocked.pop_front().expect("front");
            self.blocked_since = ctx.now;
            match call {
                BlockedCall::Send(c) if unknown => self.metadata_timed_out(ctx, c),
                BlockedCall::Send(c) => self.partition_and_send(ctx, c),
                BlockedCall::Txn(op) => self.txn_call(ctx, op),
            }
        }
    }

    /// Whether metadata lists any partition of `topic`.
    fn knows_topic(&self, topic: u32) -> bool {
        let first = Tp { topic, partition: 0 };
        self.metadata.range(first..).next().is_some_and(|(tp, _)| tp.topic == topic)
    }

    /// Partition the record now (metadata known or not) and hand it to the accumulator.
    pub fn partition_and_send(&mut self, ctx: &mut Ctx<World>, c: SendCall) {
        let (partition, rule) = self.partition_for(ctx, c.topic, c.partitions, c.key.as_deref(), c.explicit);
        self.send(ctx, c.record, Tp { topic: c.topic, partition }, rule);
    }

    /// `send()` throws: "Topic … not present in metadata after max.block.ms". No partition
    /// was chosen; the notes name partition 0 of the topic.
    fn metadata_timed_out(&mut self, ctx: &mut Ctx<World>, c: SendCall) {
        let tp = Tp { topic: c.topic, partition: c.explicit.unwrap_or(0) };
        ctx.note(Note::RecordSent { record: c.record, producer: self.index, tp, rule: "none (no metadata)" });
        ctx.note(Note::ProducerError {
            producer: self.index,
            error: "TimeoutException",
            detail: format!("topic not present in metadata after max.block.ms ({} ms)", self.config.max_block_ms),
        });
        ctx.note(Note::RecordFailed { record: c.record, tp, error: ErrorCode::RequestTimedOut });
        self.failed += 1;
    }
}
