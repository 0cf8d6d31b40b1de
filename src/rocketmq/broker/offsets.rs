//! `B/offset/ConsumerOffsetManager` (the consumerOffset table, persisted to
//! consumerOffset.json every `flushConsumerOffsetInterval`) and the slave's one-way copy of
//! its master's table (`B/slave/SlaveSynchronize.syncConsumerOffset`).

use std::collections::BTreeMap;

use super::Broker;
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::config::Version;
use crate::rocketmq::message::{Msg, ResponseCode};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{BrokerIndex, Mq, OffsetKey};
use crate::rocketmq::world::{Spec, Timer, World};

/// Poll period of 5.x's sync task (it syncs once the sync period has passed).
pub const SLAVE_SYNC_TICK_V5: u64 = 3_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerOffsetManager {
    /// In memory: `topic@group` → queueId → offset, keyed here by group and queue.
    pub table: BTreeMap<OffsetKey, u64>,
    /// consumerOffset.json as last written (what a restart reads back). The model treats
    /// the file as durable once written.
    pub persisted: BTreeMap<OffsetKey, u64>,
}

impl ConsumerOffsetManager {
    /// `commitOffset` overwrites: a lower offset is stored too (RocketMQ only logs it).
    pub fn commit(
        &mut self,
        ctx: &mut Ctx<World>,
        broker: BrokerIndex,
        key: OffsetKey,
        offset: u64,
        via: &'static str,
    ) {
        let previous = self.table.insert(key.clone(), offset);
        if previous != Some(offset) {
            ctx.note(Note::OffsetCommitted { broker, key, offset, previous, via });
        }
    }

    pub fn query(&self, group: &str, mq: Mq) -> Option<u64> {
        self.table.get(&OffsetKey { group: group.to_string(), mq }).copied()
    }

    pub fn persist(&mut self) {
        self.persisted = self.table.clone();
    }

    /// A restart reads consumerOffset.json back.
    pub fn reload(&mut self) {
        self.table = self.persisted.clone();
    }
}

/// UPDATE_CONSUMER_OFFSET (oneway). No role check: a slave stores it too
/// (`ConsumerManageProcessor.updateConsumerOffset`).
pub fn on_update(b: &mut Broker, ctx: &mut Ctx<World>, key: OffsetKey, offset: u64) {
    b.offsets.commit(ctx, b.index, key, offset, "UpdateConsumerOffset");
}

/// QUERY_CONSUMER_OFFSET: the stored offset; with none, 0 for a young queue (min offset 0
/// and its first entry still in memory), else QUERY_NOT_FOUND
/// (`ConsumerManageProcessor.queryConsumerOffset`).
pub fn on_query(b: &Broker, ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, opaque: u64, key: OffsetKey) {
    let offset = match b.offsets.query(&key.group, key.mq) {
        Some(o) => Ok(o),
        None if !first_entry_in_disk(b, spec, key.mq) => Ok(0),
        None => Err(ResponseCode::QueryNotFound),
    };
    ctx.send(b.node, from, Msg::QueryConsumerOffsetResponse { opaque, offset });
}

/// `checkInDiskByConsumeOffset(topic, queueId, 0)`: false for an empty queue.
fn first_entry_in_disk(b: &Broker, spec: &Spec, mq: Mq) -> bool {
    let Some((phys, _)) = b.store.consume_queues.get(&mq).and_then(|cq| cq.get(0)) else { return false };
    let memory = spec.physical_memory * b.config.access_message_in_memory_max_ratio as u64 / 100;
    b.store.commit_log.max_offset() - phys > memory
}

/// GET_MAX_OFFSET.
pub fn on_get_max_offset(b: &Broker, ctx: &mut Ctx<World>, from: NodeId, opaque: u64, mq: Mq) {
    let offset = b.store.max_queue_offset(mq);
    ctx.send(b.node, from, Msg::GetMaxOffsetResponse { opaque, offset });
}

/// consumerOffset.json, every `flushConsumerOffsetInterval`.
pub fn on_persist_timer(b: &mut Broker, ctx: &mut Ctx<World>) {
    if b.offsets.persisted != b.offsets.table {
        b.offsets.persist();
        ctx.note(Note::OffsetsPersisted { broker: b.index });
    }
    ctx.set_timer(b.node, b.config.flush_consumer_offset_interval as u64, Timer::PersistConsumerOffset);
}

/// The slave's sync task. 4.x: `syncAll` every 10 s. 5.x: a task every 3 s that syncs once
/// more than 60 s have passed since the last sync. Skipped while `masterAddr` is null.
pub fn on_slave_sync_timer(b: &mut Broker, ctx: &mut Ctx<World>) {
    let period = b.config.slave_synchronize_period as u64;
    let (tick, due) = match b.version() {
        Version::V4_9 => (period, true),
        Version::V5 => (SLAVE_SYNC_TICK_V5, b.last_slave_sync.is_none_or(|t| ctx.now - t > period)),
    };
    if due {
        if let Some(master) = b.master_addr {
            ctx.send(b.node, master, Msg::GetAllConsumerOffset);
            b.last_slave_sync = Some(ctx.now);
        }
    }
    ctx.set_timer(b.node, tick, Timer::SlaveSync);
}

/// GET_ALL_CONSUMER_OFFSET: the whole table.
pub fn on_get_all(b: &Broker, ctx: &mut Ctx<World>, from: NodeId) {
    ctx.send(b.node, from, Msg::GetAllConsumerOffsetResponse { table: b.offsets.table.clone() });
}

/// The master's table put over the slave's (`putAll`: keys the master has overwrite, even
/// with an older offset; keys only the slave has stay), then persisted.
pub fn on_all_offsets(b: &mut Broker, ctx: &mut Ctx<World>, table: BTreeMap<OffsetKey, u64>) {
    let mut regressed = Vec::new();
    for (key, offset) in &table {
        if let Some(old) = b.offsets.table.insert(key.clone(), *offset) {
            if old > *offset {
                regressed.push((key.clone(), old, *offset));
            }
        }
    }
    b.offsets.persist();
    ctx.note(Note::OffsetsSynced { slave: b.index, copied: table.len() as u32, regressed });
}
