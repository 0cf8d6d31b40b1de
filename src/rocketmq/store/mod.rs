//! A broker's message store (`S/DefaultMessageStore`): one CommitLog shared by every topic
//! and one ConsumeQueue per message queue, built from the CommitLog by the reput service.
pub mod commit_log;
pub mod consume_queue;

use std::collections::BTreeMap;

pub use commit_log::CommitLog;
pub use consume_queue::ConsumeQueue;

use super::message::LogEntry;
use super::types::Mq;

/// The store of one broker.
#[derive(Clone, Debug, Default)]
pub struct MessageStore {
    pub commit_log: CommitLog,
    pub consume_queues: BTreeMap<Mq, ConsumeQueue>,
    /// `ReputMessageService.reputFromOffset`: the CommitLog is dispatched to the
    /// ConsumeQueues up to here.
    pub reput_offset: u64,
    /// `topicQueueTable`: the next queue offset each queue's next message gets.
    pub next_queue_offset: BTreeMap<Mq, u64>,
}

impl MessageStore {
    /// Appends a message on a master: it gets the next queue offset of its queue.
    pub fn append(&mut self, record: u64, mq: Mq, size: u64) -> LogEntry {
        let next = self.next_queue_offset.entry(mq).or_insert(0);
        let entry = LogEntry { phys_offset: self.commit_log.max_offset(), size, record, mq, queue_offset: *next };
        *next += 1;
        self.commit_log.push(entry.clone());
        entry
    }

    /// Appends what the master sent (a slave keeps the master's offsets byte for byte).
    pub fn append_replicated(&mut self, entry: LogEntry) {
        self.next_queue_offset.insert(entry.mq, entry.queue_offset + 1);
        self.commit_log.push(entry);
    }

    /// `ReputMessageService`: dispatches CommitLog entries up to `end` to their
    /// ConsumeQueues; returns the queues that got a message (for the arrival listener).
    pub fn reput(&mut self, end: u64) -> Vec<Mq> {
        let mut arrived = Vec::new();
        let from = self.reput_offset;
        for e in self.commit_log.entries_from(from) {
            if e.end() > end {
                break;
            }
            self.consume_queues.entry(e.mq).or_default().push(e.phys_offset, e.size);
            self.reput_offset = e.end();
            if !arrived.contains(&e.mq) {
                arrived.push(e.mq);
            }
        }
        arrived
    }

    /// Recovery after a power loss: the CommitLog keeps only what was flushed, and the
    /// ConsumeQueues and queue offsets are cut back to match (`recoverNormally` /
    /// `truncateDirtyLogicFiles`). Returns the entries lost.
    pub fn truncate_to_flushed(&mut self) -> Vec<LogEntry> {
        let lost = self.commit_log.truncate(self.commit_log.flushed);
        let end = self.commit_log.max_offset();
        for cq in self.consume_queues.values_mut() {
            cq.truncate_beyond(end);
        }
        self.reput_offset = self.reput_offset.min(end);
        for e in &lost {
            let next = self.next_queue_offset.entry(e.mq).or_insert(0);
            *next = (*next).min(e.queue_offset);
        }
        lost
    }

    /// The max logical offset of a queue (entries dispatched so far).
    pub fn max_queue_offset(&self, mq: Mq) -> u64 {
        self.consume_queues.get(&mq).map_or(0, |cq| cq.len())
    }
}
