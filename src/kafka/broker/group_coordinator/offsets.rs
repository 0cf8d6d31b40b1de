//! The group coordinator's offsets (Kafka's `GroupCoordinator` / `GroupMetadataManager`):
//! OffsetCommit (checked against the member and generation), OffsetFetch, ListOffsets, and
//! TxnOffsetCommit, whose offsets count only once the transaction's COMMIT marker is written.
use super::*;
use crate::kafka::broker::{Broker, Reply};
use crate::kafka::config::IsolationLevel;
use crate::kafka::message::{InternalRecord, Msg, OffsetCommitPartition};
use crate::kafka::message::{OffsetCommitRequest, TxnOffsetCommitRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::{ErrorCode, Tp};
use crate::kafka::world::{Env, World};
use crate::kernel::{Ctx, NodeId};
use std::rc::Rc;

impl Broker {
    pub fn on_offset_commit(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: OffsetCommitRequest) {
        let OffsetCommitRequest { correlation, group: group_id, member_id, generation, offsets } = req;
        let node = self.node();
        let respond = |ctx: &mut Ctx<World>, error: ErrorCode, offsets: Vec<OffsetCommitPartition>| {
            if error != ErrorCode::None {
                ctx.note(Note::CommitRejected {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    generation,
                    error,
                });
            }
            ctx.send(node, from, Msg::OffsetCommitResponse { correlation, error, offsets });
        };
        let g = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return respond(ctx, e, offsets),
        };
        // ClassicGroup.validateOffsetCommit.
        let error = if g.state == GroupState::Dead {
            ErrorCode::CoordinatorNotAvailable
        } else if generation < 0 && g.state == GroupState::Empty {
            ErrorCode::None
        } else if !g.members.contains_key(&member_id) {
            ErrorCode::UnknownMemberId
        } else if generation != g.generation {
            ErrorCode::IllegalGeneration
        } else if g.state == GroupState::CompletingRebalance {
            ErrorCode::RebalanceInProgress
        } else {
            ErrorCode::None
        };
        if error != ErrorCode::None {
            return respond(ctx, error, offsets);
        }
        let tp = g.offsets_partition;
        let records = commit_records(&group_id, &member_id, generation, &offsets);
        let pending = PendingCommit {
            group: group_id.clone(),
            from,
            correlation,
            member: member_id.clone(),
            generation,
            offsets: offsets.clone(),
        };
        if let Err(e) = self.append_internal(ctx, env, tp, records, None, Reply::OffsetCommit(pending)) {
            respond(ctx, e, offsets);
        }
    }

    /// The commit's records are replicated (or failed): apply it and answer.
    pub(crate) fn on_commit_stored(&mut self, ctx: &mut Ctx<World>, _env: &Env, p: PendingCommit, error: ErrorCode) {
        let node = self.node();
        let error = coordinator_error(error);
        if error == ErrorCode::None {
            if let Some(g) = self.coordinator.groups.get_mut(&p.group) {
                for o in &p.offsets {
                    g.offsets.insert(o.tp, (o.offset, p.generation));
                    ctx.note(Note::OffsetCommitted {
                        group: p.group.clone(),
                        tp: o.tp,
                        offset: o.offset,
                        generation: p.generation,
                        member: p.member.clone(),
                    });
                }
            }
        } else {
            ctx.note(Note::CommitRejected {
                group: p.group.clone(),
                member: p.member.clone(),
                generation: p.generation,
                error,
            });
        }
        ctx.send(node, p.from, Msg::OffsetCommitResponse { correlation: p.correlation, error, offsets: p.offsets });
    }

    pub fn on_offset_fetch(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from: NodeId,
        correlation: u64,
        group_id: Rc<str>,
        partitions: Vec<Tp>,
    ) {
        let node = self.node();
        let (error, offsets) = match self.group_mut(env, &group_id) {
            Err(e) => (e, vec![]),
            // The consumer asks with require_stable (KIP-447): while a transaction holds
            // offsets for these partitions, the answer is UNSTABLE_OFFSET_COMMIT (retriable).
            Ok(g) if g.pending_txn_offsets.values().any(|p| partitions.iter().any(|tp| p.contains_key(tp))) => {
                (ErrorCode::UnstableOffsetCommit, vec![])
            }
            Ok(g) => (ErrorCode::None, partitions.iter().map(|tp| (*tp, g.offsets.get(tp).map(|o| o.0))).collect()),
        };
        ctx.send(node, from, Msg::OffsetFetchResponse { correlation, error, offsets });
    }

    pub fn on_list_offsets(
        &mut self,
        ctx: &mut Ctx<World>,
        from: NodeId,
        correlation: u64,
        partitions: Vec<Tp>,
        latest: bool,
        isolation: IsolationLevel,
    ) {
        let offsets = partitions
            .into_iter()
            .map(|tp| match self.replicas.get(&tp) {
                // "latest" is the high watermark for read_uncommitted, the LSO for read_committed.
                Some(r) if r.is_leader => {
                    let end = match isolation {
                        IsolationLevel::ReadUncommitted => r.log.high_watermark(),
                        IsolationLevel::ReadCommitted => r.log.last_stable_offset(),
                    };
                    (tp, ErrorCode::None, if latest { end } else { r.log.log_start_offset() })
                }
                _ => (tp, ErrorCode::NotLeaderOrFollower, 0),
            })
            .collect();
        ctx.send(self.node(), from, Msg::ListOffsetsResponse { correlation, offsets });
    }

    /// TxnOffsetCommit: offsets committed inside a transaction. The member and generation
    /// are checked as for a plain commit (KIP-447 fences zombie consumers this way); the
    /// offsets are written as transactional records and count only after the COMMIT marker.
    pub fn on_txn_offset_commit(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: TxnOffsetCommitRequest) {
        let TxnOffsetCommitRequest {
            correlation,
            group: group_id,
            producer_id,
            producer_epoch,
            member_id,
            generation,
            offsets,
            ..
        } = req;
        let node = self.node();
        let respond = |ctx: &mut Ctx<World>, error: ErrorCode| {
            if error != ErrorCode::None {
                ctx.note(Note::CommitRejected {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    generation,
                    error,
                });
            }
            ctx.send(node, from, Msg::TxnOffsetCommitResponse { correlation, error });
        };
        let g = match self.group_mut(env, &group_id) {
            Ok(g) => g,
            Err(e) => return respond(ctx, e),
        };
        let error = if generation < 0 {
            ErrorCode::None
        } else if !g.members.contains_key(&member_id) {
            ErrorCode::UnknownMemberId
        } else if generation != g.generation {
            ErrorCode::IllegalGeneration
        } else {
            ErrorCode::None
        };
        if error != ErrorCode::None {
            return respond(ctx, error);
        }
        let tp = g.offsets_partition;
        let records = commit_records(&group_id, &member_id, generation, &offsets);
        let pending = PendingCommit {
            group: group_id.clone(),
            from,
            correlation,
            member: member_id.clone(),
            generation,
            offsets,
        };
        if let Err(e) = self.append_internal(
            ctx,
            env,
            tp,
            records,
            Some((producer_id, producer_epoch)),
            Reply::TxnOffsetCommit(pending, producer_id),
        ) {
            respond(ctx, e);
        }
    }

    /// The transactional offsets are replicated: they wait for the transaction's end.
    pub(crate) fn on_txn_offsets_stored(
        &mut self,
        ctx: &mut Ctx<World>,
        p: PendingCommit,
        producer_id: i64,
        error: ErrorCode,
    ) {
        let error = coordinator_error(error);
        if error == ErrorCode::None {
            if let Some(g) = self.coordinator.groups.get_mut(&p.group) {
                let pending = g.pending_txn_offsets.entry(producer_id).or_default();
                for o in &p.offsets {
                    pending.insert(o.tp, (o.offset, p.generation, p.member.clone()));
                }
            }
        }
        ctx.send(self.node(), p.from, Msg::TxnOffsetCommitResponse { correlation: p.correlation, error });
    }

    /// A transaction marker reached `offsets_tp`: the producer's pending offsets in groups
    /// of that partition become committed (COMMIT) or are dropped (ABORT).
    pub(crate) fn complete_txn_offsets(
        &mut self,
        ctx: &mut Ctx<World>,
        offsets_tp: Tp,
        producer_id: i64,
        commit: bool,
    ) {
        for g in self.coordinator.groups.values_mut().filter(|g| g.offsets_partition == offsets_tp) {
            let Some(pending) = g.pending_txn_offsets.remove(&producer_id) else { continue };
            if !commit {
                continue;
            }
            for (tp, (offset, generation, member)) in pending {
                g.offsets.insert(tp, (offset, generation));
                ctx.note(Note::OffsetCommitted { group: g.id.clone(), tp, offset, generation, member });
            }
        }
    }
}

/// The `__consumer_offsets` records of a commit, one per partition.
pub(super) fn commit_records(
    group: &Rc<str>,
    member: &Rc<str>,
    generation: i32,
    offsets: &[OffsetCommitPartition],
) -> Vec<InternalRecord> {
    offsets
        .iter()
        .map(|o| InternalRecord::OffsetCommit {
            group: group.clone(),
            tp: o.tp,
            offset: o.offset,
            generation,
            member: member.clone(),
        })
        .collect()
}
