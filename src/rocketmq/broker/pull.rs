//! `B/processor/PullMessageProcessor` and `S/DefaultMessageStore.getMessage`: serve a pull
//! from the ConsumeQueue, suggest which broker to pull from next, hold a pull that finds
//! nothing (long polling), and store the offset the pull carries.

use super::{hold, Broker};
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::config::Version;
use crate::rocketmq::message::{Msg, PullMessage, PullResult, PullStatus, PulledMessage, ResponseCode};
use crate::rocketmq::types::{OffsetKey, MASTER_ID};
use crate::rocketmq::world::{Spec, World};

/// `MessageStoreConfig.maxTransferCountOnMessageInMemory` / `...InDisk`.
pub const MAX_TRANSFER_IN_MEMORY: u32 = 32;
pub const MAX_TRANSFER_IN_DISK: u32 = 8;

/// `GetMessageStatus`, the store's answer. OFFSET_TOO_SMALL cannot happen: nothing is
/// deleted by retention in this model, so every queue's min offset is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoreStatus {
    Found,
    NoMessageInQueue,
    OffsetOverflowOne,
    OffsetOverflowBadly,
}

struct GetResult {
    status: StoreStatus,
    messages: Vec<PulledMessage>,
    next_begin: u64,
    max: u64,
    suggest_slave: bool,
}

/// PULL_MESSAGE; `allow_suspend` is false when the PullRequestHoldService re-runs it.
pub fn process(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, req: PullMessage, allow_suspend: bool) {
    // 5.x `rejectRequest` (RIP-32): a SLAVE without slaveReadEnable serves no pulls.
    if b.version() == Version::V5 && b.is_slave() && !b.config.slave_read_enable {
        respond(b, ctx, from, &req, Err(ResponseCode::SystemBusy), None, MASTER_ID);
        return;
    }
    let got = get_message(b, spec, &req);
    let mut suggest = suggest_which_broker_id(b, spec, got.suggest_slave);
    let status = match got.status {
        StoreStatus::Found => Ok(PullStatus::Found),
        StoreStatus::NoMessageInQueue if req.queue_offset != 0 => offset_moved(b, spec, &mut suggest),
        StoreStatus::NoMessageInQueue | StoreStatus::OffsetOverflowOne => Ok(PullStatus::NoNewMsg),
        StoreStatus::OffsetOverflowBadly => offset_moved(b, spec, &mut suggest),
    };
    try_commit_offset(b, ctx, &req, allow_suspend);
    if status == Ok(PullStatus::NoNewMsg) && allow_suspend && req.suspend {
        let timeout = if b.config.long_polling_enable {
            req.suspend_timeout_millis
        } else {
            b.config.short_polling_time_mills as u64
        };
        hold::suspend(b, ctx, from, req, timeout);
        return;
    }
    respond(b, ctx, from, &req, status, Some(got), suggest);
}

/// PULL_OFFSET_MOVED; a slave (without `offsetCheckInSlave`) answers PULL_RETRY_IMMEDIATELY
/// and suggests the group's brokerId instead (`DefaultPullMessageResultHandler`).
fn offset_moved(b: &Broker, spec: &Spec, suggest: &mut i64) -> Result<PullStatus, ResponseCode> {
    if !b.is_slave() || b.config.offset_check_in_slave {
        Ok(PullStatus::OffsetIllegal)
    } else {
        *suggest = spec.subscription_group.broker_id;
        Ok(PullStatus::NoMatchedMsg)
    }
}

/// `composeResponseHeader`: with slaveReadEnable, the group's `whichBrokerWhenConsumeSlowly`
/// for a slow consumer, else the group's `brokerId`; without it, always the master.
fn suggest_which_broker_id(b: &Broker, spec: &Spec, slow: bool) -> i64 {
    if !b.config.slave_read_enable {
        MASTER_ID
    } else if slow {
        spec.subscription_group.which_broker_when_consume_slowly
    } else {
        spec.subscription_group.broker_id
    }
}

/// `tryCommitOffset`: only on the first pass, with the commit flag; 4.x never on a SLAVE
/// (5.x leaves that to the client, which clears the flag for a slave).
fn try_commit_offset(b: &mut Broker, ctx: &mut Ctx<World>, req: &PullMessage, allow_suspend: bool) {
    let role_ok = b.version() == Version::V5 || !b.is_slave();
    if allow_suspend && req.commit_offset_flag && role_ok {
        let key = OffsetKey { group: req.consumer_group.clone(), mq: req.mq };
        b.offsets.commit(ctx, b.index, key, req.commit_offset, "pull");
    }
}

/// `nextOffsetCorrection`: a slave (without offsetCheckInSlave) never corrects an offset.
fn correction(b: &Broker, old: u64, new: u64) -> u64 {
    if !b.is_slave() || b.config.offset_check_in_slave {
        new
    } else {
        old
    }
}

/// `DefaultMessageStore.getMessage`. The min offset is always 0 (no retention here).
fn get_message(b: &Broker, spec: &Spec, req: &PullMessage) -> GetResult {
    let offset = req.queue_offset;
    let max = b.store.max_queue_offset(req.mq);
    let mut got =
        GetResult { status: StoreStatus::Found, messages: Vec::new(), next_begin: offset, max, suggest_slave: false };
    if max == 0 {
        got.status = StoreStatus::NoMessageInQueue;
        got.next_begin = correction(b, offset, 0);
    } else if offset == max {
        got.status = StoreStatus::OffsetOverflowOne;
    } else if offset > max {
        // With min offset 0, RocketMQ corrects an overflowing offset to 0, not to max.
        got.status = StoreStatus::OffsetOverflowBadly;
        got.next_begin = correction(b, offset, 0);
    } else {
        read_messages(b, spec, req, &mut got);
    }
    got
}

/// Reads from `req.queue_offset` until the batch is full: `pullBatchSize`, and the
/// store's caps (32 from memory, 8 once a message is "in disk", i.e. further behind the
/// CommitLog's end than `accessMessageInMemoryMaxRatio` % of RAM).
fn read_messages(b: &Broker, spec: &Spec, req: &PullMessage, got: &mut GetResult) {
    let Some(cq) = b.store.consume_queues.get(&req.mq) else { return };
    let max_py = b.store.commit_log.max_offset();
    let memory = spec.physical_memory * b.config.access_message_in_memory_max_ratio as u64 / 100;
    let mut last_py = 0;
    let mut offset = req.queue_offset;
    while let Some((phys, _)) = cq.get(offset) {
        let in_disk = max_py - phys > memory;
        let cap = if in_disk { MAX_TRANSFER_IN_DISK } else { MAX_TRANSFER_IN_MEMORY }.min(req.max_msg_nums);
        if got.messages.len() as u32 >= cap {
            break;
        }
        let Some(e) = b.store.commit_log.entry_at(phys) else { break };
        got.messages.push(PulledMessage { record: e.record, queue_offset: offset, phys_offset: phys });
        last_py = phys;
        offset += 1;
    }
    got.next_begin = offset;
    got.suggest_slave = max_py - last_py > memory;
}

fn respond(
    b: &Broker,
    ctx: &mut Ctx<World>,
    to: NodeId,
    req: &PullMessage,
    status: Result<PullStatus, ResponseCode>,
    got: Option<GetResult>,
    suggest: i64,
) {
    let (messages, next_begin_offset, max_offset) = match got {
        Some(g) => (g.messages, g.next_begin, g.max),
        None => (Vec::new(), req.queue_offset, 0),
    };
    let result = PullResult {
        opaque: req.opaque,
        mq: req.mq,
        status,
        next_begin_offset,
        min_offset: 0,
        max_offset,
        suggest_which_broker_id: suggest,
        messages,
    };
    ctx.send(b.node, to, Msg::PullMessageResponse(result));
}
