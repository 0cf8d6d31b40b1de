//! `B/processor/SendMessageProcessor` with the store's waits (`S/CommitLog.asyncPutMessage`,
//! `handleDiskFlush`, `handleHA`): append to the CommitLog, then answer at once or once the
//! flush (SYNC_FLUSH, up to `syncFlushTimeout`) and the slave's ack (SYNC_MASTER, up to
//! `slaveTimeout`) are in. A status other than SEND_OK still means "stored on this master".

use super::{flush, ha, Broker};
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use crate::rocketmq::message::{Msg, ResponseCode, SendMessage, SendResult, SendStatus};
use crate::rocketmq::notes::Note;
use crate::rocketmq::world::{Spec, Timer, World};

/// A stored send whose answer waits for its flush and/or its slave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingSend {
    pub opaque: u64,
    pub client: NodeId,
    /// The end of the message in the CommitLog: flushed / acked past it means done.
    pub end: u64,
    pub result: SendResult,
    pub wait_flush: bool,
    pub wait_slave: bool,
    pub oneway: bool,
}

/// SEND_MESSAGE.
pub fn on_send_message(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, req: SendMessage) {
    // `B/util/HookUtils.checkBeforePutMessage`: a SLAVE takes no writes.
    if b.is_slave() && !b.config.duplication_enable {
        ctx.note(Note::WriteRejected { broker: b.index, record: req.record });
        if !req.oneway {
            let result = Err(ResponseCode::ServiceNotAvailable);
            ctx.send(b.node, from, Msg::SendMessageResponse { opaque: req.opaque, result });
        }
        return;
    }
    let entry = b.store.append(req.record, req.mq, spec.message_size);
    ctx.note(Note::MessageStored {
        broker: b.index,
        record: req.record,
        mq: req.mq,
        queue_offset: entry.queue_offset,
        phys_offset: entry.phys_offset,
    });
    flush::dispatch(b, ctx, spec);
    ha::push_to_slaves(b, ctx);
    flush::request_flush(b, ctx);
    let mut status = SendStatus::SendOk;
    let wait_flush = b.config.flush_disk_type == FlushDiskType::SyncFlush;
    let mut wait_slave = needs_slave_ack(b);
    // 4.x `submitReplicaRequest`: no slave connected (or one too far behind) fails at once.
    if wait_slave && b.version() == Version::V4_9 && !ha::slave_ok(b, ctx.now) {
        status = SendStatus::SlaveNotAvailable;
        wait_slave = false;
    }
    let result = SendResult { status, queue_offset: entry.queue_offset, phys_offset: entry.phys_offset };
    let waiting = WaitingSend {
        opaque: req.opaque,
        client: from,
        end: entry.end(),
        result,
        wait_flush,
        wait_slave,
        oneway: req.oneway,
    };
    if !wait_flush && !wait_slave {
        answer(b, ctx, waiting);
        return;
    }
    let id = b.next_wait_id();
    if wait_flush {
        ctx.set_timer(b.node, b.config.sync_flush_timeout as u64, Timer::FlushWaitTimeout(id));
    }
    if wait_slave {
        ctx.set_timer(b.node, b.config.slave_timeout as u64, Timer::SlaveWaitTimeout(id));
    }
    b.waiting_sends.insert(id, waiting);
}

/// SYNC_MASTER waits for a slave in 4.x; in 5.x only when `inSyncReplicas` > 1
/// (`CommitLog.handleHA`: with the default 1, a SYNC_MASTER acts like an ASYNC_MASTER).
fn needs_slave_ack(b: &Broker) -> bool {
    b.config.broker_role == BrokerRole::SyncMaster && (b.version() == Version::V4_9 || b.config.in_sync_replicas > 1)
}

/// The flushed position or a slave's ack moved: answer every send that has what it waits for.
pub fn on_progress(b: &mut Broker, ctx: &mut Ctx<World>) {
    let flushed = b.store.commit_log.flushed;
    let acked = ha::max_ack(b);
    let done: Vec<u64> = b
        .waiting_sends
        .iter()
        .filter(|(_, w)| (!w.wait_flush || flushed >= w.end) && (!w.wait_slave || acked >= w.end))
        .map(|(id, _)| *id)
        .collect();
    for id in done {
        if let Some(w) = b.waiting_sends.remove(&id) {
            answer(b, ctx, w);
        }
    }
}

/// A wait ran out: FLUSH_DISK_TIMEOUT or FLUSH_SLAVE_TIMEOUT (the replica's status wins
/// when both fail, as in `asyncPutMessage`'s combine).
pub fn on_wait_timeout(b: &mut Broker, ctx: &mut Ctx<World>, id: u64, slave: bool) {
    let Some(w) = b.waiting_sends.get_mut(&id) else { return };
    if slave {
        w.wait_slave = false;
        w.result.status = SendStatus::FlushSlaveTimeout;
    } else {
        w.wait_flush = false;
        if w.result.status == SendStatus::SendOk {
            w.result.status = SendStatus::FlushDiskTimeout;
        }
    }
    if !w.wait_flush && !w.wait_slave {
        let w = b.waiting_sends.remove(&id).expect("present");
        answer(b, ctx, w);
    } else {
        on_progress(b, ctx);
    }
}

fn answer(b: &Broker, ctx: &mut Ctx<World>, w: WaitingSend) {
    if !w.oneway {
        ctx.send(b.node, w.client, Msg::SendMessageResponse { opaque: w.opaque, result: Ok(w.result) });
    }
}
