//! The consumer's offsets: `RemoteBrokerOffsetStore` (CLUSTERING: a client cache, sent to
//! the broker every `persistConsumerOffsetInterval` and carried on pulls) and
//! `LocalFileOffsetStore` (BROADCASTING: a file on the consumer's host, `file` here).

use std::collections::BTreeMap;

use crate::rocketmq::types::Mq;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetStore {
    /// `offsetTable` in memory.
    pub table: BTreeMap<Mq, u64>,
    /// BROADCASTING only: offsets.json on the consumer's disk (survives a crash).
    pub file: BTreeMap<Mq, u64>,
}

impl OffsetStore {
    /// `updateOffset(mq, offset, increaseOnly)`; returns whether the value changed. Normal
    /// consumption only raises it (`ControllableOffset.update` in 5.x, a CAS loop with
    /// `MixAll.compareAndIncreaseOnly` in 4.x).
    pub fn update(&mut self, mq: Mq, offset: u64, increase_only: bool) -> bool {
        let slot = self.table.entry(mq).or_insert(offset);
        let new = if increase_only { (*slot).max(offset) } else { offset };
        let changed = *slot != new;
        *slot = new;
        changed
    }

    /// `readOffset(mq, READ_FROM_MEMORY)`.
    pub fn read(&self, mq: Mq) -> Option<u64> {
        self.table.get(&mq).copied()
    }

    pub fn remove(&mut self, mq: Mq) {
        self.table.remove(&mq);
    }
}
