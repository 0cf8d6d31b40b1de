//! Committing the application's positions (Kafka's `ConsumerCoordinator` offset commits):
//! `commitSync()` with its retries until `default.api.timeout.ms`, async and auto commits,
//! and what an OffsetCommit answer does.
use super::*;
use crate::kafka::message::OffsetCommitRequest;
use crate::kafka::message::{Msg, OffsetCommitPartition};
use crate::kafka::notes::Note;
use crate::kafka::types::{ErrorCode, RecordId, Tp};
use crate::kafka::world::{Env, World};
use crate::kernel::Ctx;
use std::collections::VecDeque;

impl Consumer {
    /// `commitSync()`, then process `then_process` (or poll). With no coordinator known it
    /// finds one first; retriable failures are retried until `default.api.timeout.ms`.
    pub(super) fn commit_sync(&mut self, ctx: &mut Ctx<World>, env: &Env, then_process: VecDeque<(Tp, u64, RecordId)>) {
        let uncommitted = self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o));
        if self.coordinator.is_none() && self.generation >= 0 && uncommitted {
            self.commit_deadline.get_or_insert(ctx.now + self.config.default_api_timeout_ms);
            self.commit_retry = Some(then_process);
            self.app = App::Polling;
            self.schedule_poll(ctx, 0);
            return;
        }
        match self.commit(ctx, true) {
            Some(correlation) => self.app = App::Committing { correlation, then_process },
            None if then_process.is_empty() => {
                self.app = App::Polling;
                self.schedule_poll(ctx, 0);
            }
            None => self.start_processing(ctx, env, then_process),
        }
    }

    /// Commit the application's positions. Returns the correlation (None: nothing to do).
    pub(super) fn commit(&mut self, ctx: &mut Ctx<World>, sync: bool) -> Option<u64> {
        let coordinator = self.coordinator?;
        if self.join_state != JoinState::Member && self.generation >= 0 {
            // generationIfStable() is null while rebalancing: the client fails the commit
            // with RebalanceInProgressException before sending it (an async or auto commit
            // only logs it).
            if sync && self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o)) {
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: "RebalanceInProgressException",
                    detail: "a rebalance is in progress: the commit is not sent".into(),
                });
            }
            return None;
        }
        if self.generation < 0 || self.member_id.is_empty() {
            // Kafka's client refuses before sending: the consumer is not part of an active
            // group (its generation was reset) (ConsumerCoordinator.sendOffsetCommitRequest).
            if self.positions.iter().any(|(tp, o)| self.committed.get(tp) != Some(o)) {
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: "CommitFailedException",
                    detail: "not part of an active group: the commit is not sent".into(),
                });
            }
            return None;
        }
        let offsets: Vec<OffsetCommitPartition> = self
            .positions
            .iter()
            .filter(|(tp, o)| self.committed.get(tp) != Some(o))
            .map(|(tp, o)| OffsetCommitPartition { tp: *tp, offset: *o })
            .collect();
        if offsets.is_empty() {
            return None;
        }
        let correlation = self.next();
        self.commits_in_flight.insert(correlation, offsets.clone());
        let msg = Msg::OffsetCommit(OffsetCommitRequest {
            correlation,
            group: self.group.clone(),
            member_id: self.member_id.clone(),
            generation: self.generation,
            offsets,
        });
        self.send_to(ctx, coordinator, msg, correlation);
        Some(correlation)
    }

    /// The application is still inside a commitSync() that failed retriably: try again, or
    /// give up once `default.api.timeout.ms` has passed. True if poll() ends here (the
    /// commit is in flight again, or the records after it are being processed).
    pub(super) fn retry_commit(&mut self, ctx: &mut Ctx<World>, env: &Env) -> bool {
        let Some(then_process) = self.commit_retry.take() else { return false };
        if self.commit_deadline.is_some_and(|d| ctx.now >= d) {
            self.commit_deadline = None;
            ctx.note(Note::ConsumerError {
                consumer: self.index,
                error: "TimeoutException",
                detail: format!(
                    "commitSync() could not commit within default.api.timeout.ms ({} ms)",
                    self.config.default_api_timeout_ms
                ),
            });
        } else if let Some(correlation) = self.commit(ctx, true) {
            self.app = App::Committing { correlation, then_process };
            return true;
        } else {
            self.commit_deadline = None;
        }
        if !then_process.is_empty() {
            self.start_processing(ctx, env, then_process);
            return true;
        }
        false
    }

    pub(super) fn on_offset_commit_response(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        correlation: u64,
        error: ErrorCode,
        offsets: Vec<OffsetCommitPartition>,
    ) {
        if self.commits_in_flight.remove(&correlation).is_none() {
            return;
        }
        match error {
            ErrorCode::None => {
                self.commit_deadline = None;
                for o in offsets {
                    self.committed.insert(o.tp, o.offset);
                }
            }
            ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::RebalanceInProgress => {
                // CommitFailedException / RebalanceInProgressException to the application.
                ctx.note(Note::ConsumerError {
                    consumer: self.index,
                    error: if error == ErrorCode::RebalanceInProgress {
                        "RebalanceInProgressException"
                    } else {
                        "CommitFailedException"
                    },
                    detail: format!("commit rejected with {}: the group has rebalanced", error.name()),
                });
                if error != ErrorCode::RebalanceInProgress {
                    self.reset_generation(ctx, error == ErrorCode::UnknownMemberId);
                } else {
                    self.needs_rejoin = true;
                }
            }
            _ => self.coordinator_lost(ctx),
        }
        if let App::Committing { correlation: c, then_process } = &self.app {
            if *c == correlation {
                let records = then_process.clone();
                self.app = App::Polling;
                if records.is_empty() {
                    self.schedule_poll(ctx, 0);
                } else {
                    self.start_processing(ctx, env, records);
                }
            }
        }
    }
}
