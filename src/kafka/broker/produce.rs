//! The leader's produce path (Kafka's `ReplicaManager.appendRecords`, `Partition.appendRecordsToLeader`
//! and `DelayedProduce`): append, wait for the ISR when acks=all, answer or expire; and
//! the transaction markers a leader writes for the transaction coordinator.
use super::*;
use crate::kafka::broker::log::SequenceCheck;
use crate::kafka::message::ControlType;
use crate::kafka::message::{LogRecord, Msg, ProduceBatch, ProducePartitionResponse};
use crate::kafka::message::{ProduceRequest, WriteTxnMarkersRequest};
use crate::kafka::notes::Note;
use crate::kafka::types::ErrorCode;
use crate::kafka::world::{Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

impl Broker {
    pub fn on_produce(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: ProduceRequest) {
        let ProduceRequest { correlation, acks, timeout_ms, batches } = req;
        let mut partitions = Vec::new();
        for batch in batches {
            let (resp, required) = self.append_as_leader(ctx, env, acks, batch);
            partitions.push((resp, required));
        }
        match acks {
            0 => {}
            1 | -1 if acks == 1 => {
                let partitions = partitions.into_iter().map(|(r, _)| r).collect();
                ctx.send(self.node(), from, Msg::ProduceResponse { correlation, partitions });
            }
            _ => {
                let id = self.next();
                self.delay_produce(id, DelayedProduce::new(from, correlation, partitions, Reply::Produce));
                ctx.set_timer(self.node(), timeout_ms, Timer::ProduceExpire(id));
                self.try_complete_delayed(ctx, env, id);
            }
        }
    }

    pub(super) fn append_as_leader(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        acks: i8,
        batch: ProduceBatch,
    ) -> (ProducePartitionResponse, Option<u64>) {
        let tp = batch.tp;
        let min_isr = env.spec.min_insync_replicas(tp.topic);
        let fail = |error| (ProducePartitionResponse { tp, error, base_offset: -1 }, None);
        if !(-1..=1).contains(&acks) {
            return fail(ErrorCode::InvalidRequiredAcks);
        }
        let Some(r) = self.replicas.get_mut(&tp) else { return fail(ErrorCode::NotLeaderOrFollower) };
        if !r.is_leader {
            return fail(ErrorCode::NotLeaderOrFollower);
        }
        let effective_min_isr = min_isr.min(r.state.replicas.len() as u32);
        if acks == -1 && (r.state.isr.len() as u32) < effective_min_isr {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let count = batch.records.len() as i32;
        let last_seq = if batch.producer_id >= 0 { batch.base_sequence.wrapping_add(count - 1) } else { -1 };
        match r.log.check_sequence(batch.producer_id, batch.producer_epoch, batch.base_sequence, last_seq) {
            SequenceCheck::Reject(e) => return fail(e),
            SequenceCheck::Duplicate { first_offset } => {
                ctx.note(Note::DuplicateBatchIgnored { broker: self.id, tp, producer_id: batch.producer_id });
                let required = first_offset + count as u64;
                let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: first_offset as i64 };
                return (resp, if acks == -1 { Some(required) } else { None });
            }
            SequenceCheck::Append => {}
        }
        let base = r.log.log_end_offset();
        let epoch = r.state.leader_epoch;
        let records: Vec<LogRecord> = batch
            .records
            .iter()
            .map(|id| LogRecord {
                id: *id,
                leader_epoch: epoch,
                producer_id: batch.producer_id,
                producer_epoch: batch.producer_epoch,
                batch_first_seq: if batch.producer_id >= 0 { batch.base_sequence } else { -1 },
                batch_last_seq: last_seq,
                append_time: ctx.now,
                payload: None,
                transactional: batch.transactional && batch.producer_id >= 0,
                control: None,
            })
            .collect();
        r.log.append(&records);
        self.parked_partition_changed(tp);
        let r = self.replicas.get_mut(&tp).expect("leader replica");
        if r.log.unflushed() >= env.broker.log_flush_interval_messages {
            r.log.flush();
        }
        ctx.note(Note::Appended { broker: self.id, tp, first_offset: base, count: count as u32, as_leader: true });
        self.after_append(ctx, env, tp);
        let required = base + count as u64;
        self.maybe_increment_high_watermark(ctx, env, tp);
        self.try_complete_parked_fetches(ctx, env, tp);
        let resp = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: base as i64 };
        (resp, if acks == -1 { Some(required) } else { None })
    }

    pub fn on_produce_expire(&mut self, ctx: &mut Ctx<World>, env: &Env, id: u64) {
        let Some(mut d) = self.undelay_produce(id) else { return };
        for (r, req) in d.partitions.iter_mut() {
            if req.take().is_some() {
                r.error = ErrorCode::RequestTimedOut;
            }
        }
        self.complete_delayed(ctx, env, d);
    }

    /// Answer whoever waited for a delayed append.
    pub(super) fn complete_delayed(&mut self, ctx: &mut Ctx<World>, env: &Env, d: DelayedProduce) {
        let partitions: Vec<ProducePartitionResponse> = d.partitions.into_iter().map(|(r, _)| r).collect();
        match d.reply {
            Reply::Produce => {
                ctx.send(self.node(), d.from, Msg::ProduceResponse { correlation: d.correlation, partitions })
            }
            Reply::OffsetCommit(pending) => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_commit_stored(ctx, env, pending, error);
            }
            Reply::GroupStored { group, generation } => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_group_stored(ctx, env, group, generation, error);
            }
            Reply::TxnOffsetCommit(pending, producer_id) => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_txn_offsets_stored(ctx, pending, producer_id, error);
            }
            Reply::TxnStored { transactional_id, then } => {
                let error = partitions.first().map(|p| p.error).unwrap_or(ErrorCode::None);
                self.on_txn_stored(ctx, env, transactional_id, then, error);
            }
            Reply::TxnMarkers { producer_id, commit } => {
                // The markers are replicated: pending transactional offsets of the
                // groups on these partitions now count, or are dropped.
                for p in partitions
                    .iter()
                    .filter(|p| p.error == ErrorCode::None && env.spec.offsets_topic == Some(p.tp.topic))
                {
                    self.complete_txn_offsets(ctx, p.tp, producer_id, commit);
                }
                let partitions = partitions.into_iter().map(|p| (p.tp, p.error)).collect();
                ctx.send(
                    self.node(),
                    d.from,
                    Msg::WriteTxnMarkersResponse { correlation: d.correlation, producer_id, partitions },
                );
            }
        }
    }

    /// WriteTxnMarkers: append a COMMIT or ABORT control record to each partition this
    /// broker leads, and answer once they are replicated (acks=all).
    pub fn on_write_txn_markers(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, req: WriteTxnMarkersRequest) {
        let WriteTxnMarkersRequest { correlation, producer_id, producer_epoch, commit, partitions } = req;
        let mut waits = Vec::new();
        for tp in partitions {
            let fail = |error| (ProducePartitionResponse { tp, error, base_offset: -1 }, None);
            let Some(r) = self.replicas.get_mut(&tp).filter(|r| r.is_leader) else {
                waits.push(fail(ErrorCode::NotLeaderOrFollower));
                continue;
            };
            let offset = r.log.log_end_offset();
            // The records of the transaction this marker ends (for the trace and checker).
            let records: Vec<crate::kafka::types::RecordId> =
                match r.log.producer(producer_id).and_then(|p| p.current_txn_first_offset) {
                    Some(first) => r
                        .log
                        .records_from(first)
                        .filter(|x| x.producer_id == producer_id && x.control.is_none() && x.payload.is_none())
                        .map(|x| x.id)
                        .collect(),
                    None => Vec::new(),
                };
            self.next_internal_id += 1;
            let marker = LogRecord {
                id: crate::kafka::types::RecordId(
                    crate::kafka::message::INTERNAL_RECORD_BIT | (u64::from(self.id.0) << 40) | self.next_internal_id,
                ),
                leader_epoch: r.state.leader_epoch,
                producer_id,
                producer_epoch,
                batch_first_seq: -1,
                batch_last_seq: -1,
                append_time: ctx.now,
                payload: None,
                transactional: true,
                control: Some(if commit { ControlType::Commit } else { ControlType::Abort }),
            };
            r.log.append(&[marker]);
            self.parked_partition_changed(tp);
            ctx.note(Note::Appended { broker: self.id, tp, first_offset: offset, count: 1, as_leader: true });
            self.after_append(ctx, env, tp);
            ctx.note(Note::TxnMarker { broker: self.id, tp, offset, producer_id, producer_epoch, commit, records });
            waits.push((
                ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: offset as i64 },
                Some(offset + 1),
            ));
            self.maybe_increment_high_watermark(ctx, env, tp);
            self.try_complete_parked_fetches(ctx, env, tp);
        }
        let id = self.next();
        self.delay_produce(
            id,
            DelayedProduce::new(from, correlation, waits, Reply::TxnMarkers { producer_id, commit }),
        );
        ctx.set_timer(self.node(), env.broker.offsets_commit_timeout_ms, Timer::ProduceExpire(id));
        self.try_complete_delayed(ctx, env, id);
    }
}
