//! `DefaultMQPushConsumerImpl.pullMessage`, `PullAPIWrapper` and
//! `ConsumeMessageConcurrentlyService`: one pull per assigned queue at a time, to the broker
//! id last suggested for that queue; what is found goes into the ProcessQueue and to the
//! listener; after consumption the ProcessQueue's lowest offset becomes the queue's offset.

use super::{ConsumeBatch, Consumer, Pending};
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::client::find_broker_address_in_subscribe;
use crate::rocketmq::message::{Msg, PullMessage, PullResult, PullStatus};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{Mq, MASTER_ID};
use crate::rocketmq::world::{Spec, Timer, World};

/// `CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND`: the client's timeout of a long-polling pull.
pub const PULL_TIMEOUT: u64 = 30_000;
/// `PULL_TIME_DELAY_MILLS_WHEN_CACHE_FLOW_CONTROL`.
pub const FLOW_CONTROL_DELAY: u64 = 50;
/// `submitConsumeRequestLater`: a batch that could not be sent back runs again after this.
pub const CONSUME_AGAIN_DELAY: u64 = 5_000;

impl Consumer {
    /// `pullMessage` for one queue.
    pub fn pull(&mut self, ctx: &mut Ctx<World>, _spec: &Spec, mq: Mq) {
        let Some(pr) = self.pull_requests.get(&mq) else { return };
        let (Some(offset), false) = (pr.next_offset, pr.pulling) else { return };
        let generation = pr.generation;
        let pq = &pr.process_queue;
        let span = match (pq.msgs.keys().next(), pq.msgs.keys().next_back()) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        if pq.msgs.len() as u64 > self.config.pull_threshold_for_queue as u64
            || span > self.config.consume_concurrently_max_span as u64
        {
            ctx.set_timer(self.node, FLOW_CONTROL_DELAY, Timer::PullNow(mq, generation));
            return;
        }
        let wanted = self.pull_from_which_node.get(&mq).copied().unwrap_or(MASTER_ID);
        let Some((node, broker_id)) = find_broker_address_in_subscribe(&self.routes, mq.group, wanted, false) else {
            self.pull_later_after_exception(ctx, mq, generation);
            return;
        };
        // The commit flag is set when the cached offset is > 0 (CLUSTERING), and cleared for
        // a slave (`PullAPIWrapper.pullKernelImpl`).
        let cached = self.offset_store.read(mq).unwrap_or(0);
        let commit_offset_flag = self.clustering() && cached > 0 && broker_id == MASTER_ID;
        let opaque = self.opaque(Pending::Pull { mq, generation, node });
        let req = PullMessage {
            opaque,
            consumer_group: self.group.clone(),
            mq,
            queue_offset: offset,
            max_msg_nums: self.config.pull_batch_size as u32,
            commit_offset_flag,
            commit_offset: cached,
            suspend: true,
            suspend_timeout_millis: self.config.broker_suspend_max_time_millis as u64,
        };
        ctx.send(self.node, node, Msg::PullMessage(req));
        ctx.set_timer(self.node, PULL_TIMEOUT, Timer::RequestTimeout(opaque));
        self.pull_requests.get_mut(&mq).expect("present").pulling = true;
    }

    /// A failed pull is tried again after `pullTimeDelayMillsWhenException`.
    pub(crate) fn pull_later_after_exception(&mut self, ctx: &mut Ctx<World>, mq: Mq, generation: u64) {
        if let Some(pr) = self.pull_requests.get_mut(&mq).filter(|p| p.generation == generation) {
            pr.pulling = false;
            let delay = self.config.pull_time_delay_mills_when_exception as u64;
            ctx.set_timer(self.node, delay, Timer::PullNow(mq, generation));
        }
    }

    pub fn on_pull_now(&mut self, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq, generation: u64) {
        if self.pull_requests.get(&mq).is_some_and(|p| p.generation == generation) {
            self.pull(ctx, spec, mq);
        }
    }

    /// `PullCallback.onSuccess` (or `onException` for an error code).
    pub fn on_pull_result(&mut self, ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, r: PullResult) {
        let Some(Pending::Pull { mq, generation, .. }) = self.pending.remove(&r.opaque) else { return };
        let status = match r.status {
            Ok(s) => s.java_name().to_string(),
            Err(c) => c.name().to_string(),
        };
        let count = r.messages.len() as u32;
        ctx.note(Note::PullResult {
            consumer: self.index,
            from,
            mq,
            status,
            count,
            suggest: r.suggest_which_broker_id,
        });
        let Ok(status) = r.status else {
            self.pull_later_after_exception(ctx, mq, generation);
            return;
        };
        let Some(pr) = self.pull_requests.get_mut(&mq).filter(|p| p.generation == generation) else { return };
        pr.pulling = false;
        self.pull_from_which_node.insert(mq, r.suggest_which_broker_id);
        pr.next_offset = Some(r.next_begin_offset);
        match status {
            PullStatus::Found => self.on_found(ctx, spec, mq, generation, r),
            PullStatus::NoNewMsg | PullStatus::NoMatchedMsg => {
                // `correctTagsOffset`: with nothing held, the offset follows the pull.
                if pr.process_queue.msgs.is_empty() && self.offset_store.update(mq, r.next_begin_offset, true) {
                    ctx.note(Note::ClientOffset { consumer: self.index, mq, offset: r.next_begin_offset });
                }
                self.pull(ctx, spec, mq);
            }
            PullStatus::OffsetIllegal => {
                // Drop the ProcessQueue, store the corrected offset and persist it; the next
                // rebalance takes the queue again from there.
                self.offset_store.update(mq, r.next_begin_offset, false);
                ctx.note(Note::ClientOffset { consumer: self.index, mq, offset: r.next_begin_offset });
                self.persist(ctx, mq);
                self.pull_requests.remove(&mq);
            }
        }
    }

    fn on_found(&mut self, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq, generation: u64, r: PullResult) {
        let pr = self.pull_requests.get_mut(&mq).expect("checked");
        for m in &r.messages {
            pr.process_queue.msgs.insert(m.queue_offset, m.record);
            let max = pr.process_queue.queue_offset_max.get_or_insert(m.queue_offset);
            *max = (*max).max(m.queue_offset);
        }
        let size = self.config.consume_message_batch_max_size.max(1) as usize;
        let msgs: Vec<(u64, u64)> = r.messages.iter().map(|m| (m.queue_offset, m.record)).collect();
        for chunk in msgs.chunks(size) {
            let id = self.next_batch_id();
            self.consuming.insert(id, ConsumeBatch { mq, generation, msgs: chunk.to_vec(), again: false });
            ctx.set_timer(self.node, self.consume_ms, Timer::ConsumeDone(id));
        }
        match self.config.pull_interval {
            0 => self.pull(ctx, spec, mq),
            d => ctx.set_timer(self.node, d as u64, Timer::PullNow(mq, generation)),
        }
    }

    /// The listener returned CONSUME_SUCCESS: remove the batch from the ProcessQueue and
    /// raise the cached offset (unless the queue was dropped meanwhile).
    pub fn on_consume_done(&mut self, ctx: &mut Ctx<World>, batch: u64) {
        let Some(b) = self.consuming.remove(&batch) else { return };
        let live = self.pull_requests.get(&b.mq).is_some_and(|p| p.generation == b.generation);
        if b.again && !live {
            return; // `ConsumeRequest.run`: a dropped ProcessQueue is not consumed.
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            if self.reconsume_later(ctx, b.clone()) {
                return;
            }
        } else {
            self.consumed(ctx, &b);
        }
        let Some(pr) = self.pull_requests.get_mut(&b.mq).filter(|p| p.generation == b.generation) else { return };
        let offsets: Vec<u64> = b.msgs.iter().map(|(o, _)| *o).collect();
        if let Some(offset) = pr.process_queue.remove(&offsets) {
            if self.offset_store.update(b.mq, offset, true) {
                ctx.note(Note::ClientOffset { consumer: self.index, mq: b.mq, offset });
            }
        }
    }

    fn consumed(&self, ctx: &mut Ctx<World>, b: &ConsumeBatch) {
        for (offset, record) in &b.msgs {
            ctx.note(Note::Consumed { consumer: self.index, record: *record, mq: b.mq, queue_offset: *offset });
        }
    }

    /// RECONSUME_LATER. Returns whether the batch stays (CLUSTERING: consumed again after
    /// 5 s, the offset held back meanwhile) rather than being dropped (BROADCASTING).
    fn reconsume_later(&mut self, ctx: &mut Ctx<World>, b: ConsumeBatch) -> bool {
        let records = b.msgs.iter().map(|(_, r)| *r).collect();
        let retried_in = self.clustering().then_some(CONSUME_AGAIN_DELAY);
        ctx.note(Note::ConsumeFailed { consumer: self.index, records, mq: b.mq, retried_in });
        if !self.clustering() {
            return false;
        }
        let id = self.next_batch_id();
        self.consuming.insert(id, ConsumeBatch { again: true, ..b });
        ctx.set_timer(self.node, CONSUME_AGAIN_DELAY + self.consume_ms, Timer::ConsumeDone(id));
        true
    }
}
