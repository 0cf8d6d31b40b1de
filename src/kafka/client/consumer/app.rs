//! The application around the consumer: `poll()`, processing the records it returns one by
//! one, and handing its outputs and offsets to the embedded producer's transaction. How it
//! commits (auto, sync, async) is in `commit.rs`.
use super::*;
use crate::kafka::client::txn_manager::TxnOp;
use crate::kafka::config::{CommitPolicy, DedupPolicy};
use crate::kafka::message::OffsetCommitPartition;
use crate::kafka::notes::Note;
use crate::kafka::types::{RecordId, Tp};
use crate::kafka::world::{Env, Timer, World};
use crate::kernel::Ctx;
use std::collections::VecDeque;

impl Consumer {
    pub(super) fn poll(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        if let Some(until) = self.blocked_until {
            if until > ctx.now {
                self.schedule_poll(ctx, until - ctx.now);
                return;
            }
            self.blocked_until = None;
        }
        if self.app != App::Polling {
            return;
        }
        if let Some(assignment) = self.pending_assignment.take() {
            self.on_assignment(ctx, assignment);
        }
        self.last_poll = ctx.now;
        // ConsumerCoordinator.poll: coordinator, join, auto-commit.
        let Some(coordinator) = self.coordinator else {
            self.find_coordinator(ctx);
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        };
        if !self.usable(coordinator, ctx.now) {
            self.schedule_poll(ctx, retry_delay(self.config.retry_backoff_ms));
            return;
        }
        if self.join_state == JoinState::NotMember || (self.needs_rejoin && self.join_state == JoinState::Member) {
            self.join(ctx, env, coordinator);
            // A member that keeps partitions goes on in the same poll() (pollForFetches).
            if !self.rejoining_with_partitions() {
                self.schedule_poll(ctx, self.config.poll_timeout_ms);
                return;
            }
        }
        // poll() does not wait for a rebalance (updateAssignmentMetadataIfNeeded(timer, false)):
        // it goes on returning records of the partitions the member still owns. An eager
        // member revoked them all before joining; a cooperative one keeps consuming.
        if self.join_state != JoinState::Member && !self.rejoining_with_partitions() {
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        }
        if self.retry_commit(ctx, env) {
            return;
        }
        if self.config.enable_auto_commit && ctx.now >= self.auto_commit_deadline {
            self.auto_commit_deadline = ctx.now + self.config.auto_commit_interval_ms;
            self.commit(ctx, false);
        }
        self.ensure_positions(ctx);
        let records = self.collect_fetched();
        self.send_fetches(ctx);
        if records.is_empty() {
            // poll() returned nothing, but the position may have moved past transaction
            // markers and aborted records: the application's loop commits after every
            // poll, so that is committed too (nothing is sent if nothing moved).
            let moved = self.skipped_past && self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o));
            self.skipped_past = false;
            if moved && !self.transactional() {
                match self.config.commit {
                    CommitPolicy::SyncAfterProcessing => return self.commit_sync(ctx, env, VecDeque::new()),
                    CommitPolicy::AsyncAfterProcessing => {
                        self.commit(ctx, false);
                    }
                    CommitPolicy::None | CommitPolicy::SyncBeforeProcessing => {}
                }
            }
            self.schedule_poll(ctx, self.config.poll_timeout_ms);
            return;
        }
        if self.config.commit == CommitPolicy::SyncBeforeProcessing {
            self.commit_sync(ctx, env, records);
        } else {
            self.start_processing(ctx, env, records);
        }
    }

    pub(super) fn start_processing(&mut self, ctx: &mut Ctx<World>, env: &Env, records: VecDeque<(Tp, u64, RecordId)>) {
        if self.transactional() {
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::Begin));
        }
        self.app = App::Processing(records);
        if self.config.processing_ms_per_record == 0 {
            self.process_next(ctx, env);
        } else {
            ctx.set_timer(self.node, self.config.processing_ms_per_record, Timer::ConsumerProcess);
        }
    }

    /// One record finished processing (all of them at once without a processing time).
    pub(super) fn process_next(&mut self, ctx: &mut Ctx<World>, env: &Env) {
        if let Some(until) = self.blocked_until.filter(|u| *u > ctx.now) {
            ctx.set_timer(self.node, until - ctx.now, Timer::ConsumerProcess);
            return;
        }
        let dedup = self.config.dedup == DedupPolicy::ProcessedIds;
        let App::Processing(queue) = &mut self.app else { return };
        while let Some((tp, offset, record)) = queue.pop_front() {
            // The idempotent consumer: the id goes into the table in the same database
            // transaction as the processing's effect, so a record is either both processed
            // and recorded or neither; one already there is skipped at no processing cost.
            if dedup && !env.app_db.borrow_mut().processed_ids.entry(self.group.clone()).or_default().insert(record) {
                ctx.note(Note::DuplicateSkipped { consumer: self.index, tp, offset, record });
                continue;
            }
            self.processed += 1;
            ctx.note(Note::RecordProcessed {
                consumer: self.index,
                tp,
                offset,
                record,
                generation: self.generation,
                incarnation: self.incarnation,
            });
            if self.producer.is_some() {
                self.pipeline_ops.push(PipelineOp::Output(record));
            }
            if self.config.processing_ms_per_record > 0 {
                if !queue.is_empty() {
                    ctx.set_timer(self.node, self.config.processing_ms_per_record, Timer::ConsumerProcess);
                    return;
                }
                break;
            }
        }
        self.app = App::Polling;
        if self.transactional() {
            // Exactly-once: the input offsets go into the transaction, which commits them
            // together with the outputs (sendOffsetsToTransaction + commitTransaction).
            let offsets: Vec<OffsetCommitPartition> =
                self.positions.iter().map(|(tp, o)| OffsetCommitPartition { tp: *tp, offset: *o }).collect();
            let (member_id, generation) = self.group_metadata.clone();
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::SendOffsets {
                group: self.group.clone(),
                member_id,
                generation,
                offsets: offsets.clone(),
            }));
            self.pipeline_ops.push(PipelineOp::Txn(TxnOp::Commit));
            self.app = App::TxnCommitting { offsets };
            return;
        }
        match self.config.commit {
            CommitPolicy::SyncAfterProcessing => return self.commit_sync(ctx, env, VecDeque::new()),
            CommitPolicy::AsyncAfterProcessing => {
                self.commit(ctx, false);
            }
            CommitPolicy::None | CommitPolicy::SyncBeforeProcessing => {}
        }
        self.schedule_poll(ctx, 0);
    }

    /// The producer may have finished a commit or abort: go on. Returns true if there
    /// are new requests for the producer.
    pub fn after_producer(&mut self, ctx: &mut Ctx<World>) -> bool {
        if !self.is_running() {
            return false;
        }
        let Some(outcome) = self.producer.as_mut().and_then(|p| p.take_txn_outcome()) else { return false };
        let App::TxnCommitting { offsets } = std::mem::replace(&mut self.app, App::Polling) else { return false };
        if outcome.committed {
            for o in offsets {
                self.committed.insert(o.tp, o.offset);
            }
        } else if self.producer.as_ref().is_some_and(|p| {
            matches!(p.txn.as_ref().map(|t| t.state), Some(crate::kafka::client::txn_manager::TxnClientState::Fatal(_)))
        }) {
            // Fenced: the application closes (a newer instance owns the transactional.id).
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "ProducerFencedException",
                detail: "the pipeline's producer was fenced: the application stops".into(),
            });
            self.status = ConsumerStatus::Failed;
            return false;
        } else {
            // Aborted: the outputs are gone, so process the batch again from the last
            // committed offsets (the application seeks back).
            for tp in self.assignment.clone() {
                self.positions.remove(&tp);
                self.fetch_positions.remove(&tp);
            }
            self.buffer.clear();
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "TransactionAborted",
                detail: "the transaction was aborted: the consumer rewinds to its committed offsets".into(),
            });
        }
        self.schedule_poll(ctx, 0);
        !self.pipeline_ops.is_empty()
    }
}
