//! The RocketMQ model's invariants, checked after every step (see
//! [`crate::kernel::invariant`]). Each rule is one RocketMQ itself keeps:
//! - the store (`S/CommitLog`, `S/ConsumeQueue`, `ReputMessageService`): every ConsumeQueue
//!   entry points at a message of its queue inside the CommitLog, at its own queue offset;
//!   flushed ≤ written; dispatched ≤ written (≤ flushed on 5.x under SYNC_FLUSH);
//! - HA (`S/ha/`): a slave's CommitLog is a prefix of its master's, which also means a
//!   SLAVE never took a write of its own. It stops holding once a master has lost power
//!   (the master may come back without a tail its slave has: an operator's repair);
//! - long polling (`PullRequestHoldService`, `NotifyMessageArrivingListener`): a held pull
//!   has nothing to read yet, on every broker whose arrival listener fires (all but a 4.x
//!   slave, which waits for its 5 s check);
//! - the client (`ControllableOffset.update`): a consumer's cached offset for a queue never
//!   goes down while it keeps the queue.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{FlushDiskType, Version};
use super::types::Mq;
use super::world::World;
use crate::kernel::invariant::ensure;
use crate::kernel::InvariantViolation;

/// What the checks remember between steps.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Broker groups whose master lost power at some point.
    power_lost_groups: BTreeSet<u32>,
    /// (consumer, queue) → (assignment generation, cached offset).
    client_offsets: BTreeMap<(u32, Mq), (u64, u64)>,
    /// (broker, queue) → ConsumeQueue entries already checked. Entries only change by
    /// truncation, which shortens the queue: then everything is checked again. This keeps
    /// a check after every step linear in what the step added.
    cq_checked: BTreeMap<(usize, Mq), usize>,
    /// Slave → CommitLog entries already found equal to its master's (same rule).
    prefix_checked: BTreeMap<usize, usize>,
}

pub fn check(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    for (b, lost) in world.power_lost.iter().enumerate() {
        if *lost && !world.spec.brokers[b].broker_role.is_master() {
            continue;
        }
        if *lost {
            memory.power_lost_groups.insert(world.spec.group_of(b));
        }
    }
    for b in 0..world.brokers.len() {
        // A master that lost power can come back without a tail its slave has, write new
        // messages at those offsets, and stream to the slave from the slave's end: RocketMQ
        // checks only the offset, so the slave's copy silently differs in the middle, and
        // its ConsumeQueues with it. Only "inside the CommitLog" holds for it then.
        let strict = !(world.brokers[b].is_slave() && memory.power_lost_groups.contains(&world.brokers[b].group));
        check_store(world, b)?;
        check_consume_queues(world, memory, b, strict)?;
        check_held_pulls(world, b)?;
        check_replica(world, memory, b)?;
    }
    check_client_offsets(world, memory)
}

fn check_store(world: &World, b: usize) -> Result<(), InvariantViolation> {
    let broker = &world.brokers[b];
    let name = || world.spec.node_name(broker.node);
    let log = &broker.store.commit_log;
    let written = log.max_offset();
    ensure(log.flushed <= written, "flushed <= written", name, || {
        format!("flushed {} > written {written}", log.flushed)
    })?;
    let reput = broker.store.reput_offset;
    ensure(reput <= written, "dispatched <= written", name, || format!("dispatched {reput} > written {written}"))?;
    if broker.version() == Version::V5 && broker.config.flush_disk_type == FlushDiskType::SyncFlush {
        ensure(reput <= log.flushed, "SYNC_FLUSH (5.x): consumers see only flushed messages", name, || {
            format!("dispatched {reput} > flushed {}", log.flushed)
        })?;
    }
    Ok(())
}

fn check_consume_queues(world: &World, memory: &mut Memory, b: usize, strict: bool) -> Result<(), InvariantViolation> {
    let broker = &world.brokers[b];
    let name = || world.spec.node_name(broker.node);
    let log = &broker.store.commit_log;
    let written = log.max_offset();
    for (mq, cq) in &broker.store.consume_queues {
        let checked = memory.cq_checked.entry((b, *mq)).or_insert(0);
        if cq.entries().len() < *checked {
            *checked = 0;
        }
        for (i, (phys, size)) in cq.entries().iter().enumerate().skip(*checked) {
            let entry = log.entry_at(*phys);
            let holds =
                entry.is_some_and(|e| !strict || (e.mq == *mq && e.queue_offset == i as u64 && e.size == *size));
            ensure(holds, "ConsumeQueue entries point at their messages in the CommitLog", name, || {
                format!("queue {mq:?} offset {i} -> physical offset {phys} ({entry:?}), CommitLog ends at {written}")
            })?;
        }
        *checked = cq.entries().len();
    }
    Ok(())
}

fn check_held_pulls(world: &World, b: usize) -> Result<(), InvariantViolation> {
    let broker = &world.brokers[b];
    if broker.version() == Version::V4_9 && broker.is_slave() {
        return Ok(());
    }
    for h in &broker.held {
        let max = broker.store.max_queue_offset(h.req.mq);
        ensure(
            h.req.queue_offset >= max,
            "a held pull has nothing to read (an arrival wakes it at once)",
            || format!("pull of {:?} held on {}", h.req.mq, world.spec.node_name(broker.node)),
            || format!("offset {} but the queue has {max}", h.req.queue_offset),
        )?;
    }
    Ok(())
}

fn check_replica(world: &World, memory: &mut Memory, b: usize) -> Result<(), InvariantViolation> {
    let broker = &world.brokers[b];
    if !broker.is_slave() || memory.power_lost_groups.contains(&broker.group) {
        return Ok(());
    }
    let master = world.master(broker.group);
    let (mine, theirs) = (broker.store.commit_log.entries(), master.store.commit_log.entries());
    let checked = memory.prefix_checked.entry(b).or_insert(0);
    if mine.len() < *checked || theirs.len() < *checked {
        *checked = 0;
    }
    let prefix = mine.len() <= theirs.len() && mine[*checked..].iter().zip(&theirs[*checked..]).all(|(a, b)| a == b);
    if prefix {
        *checked = mine.len();
    }
    ensure(
        prefix,
        "a slave's CommitLog is a prefix of its master's (a SLAVE takes no writes)",
        || world.spec.node_name(broker.node),
        || {
            format!(
                "slave has {} message(s) up to {}, master {} up to {}",
                mine.len(),
                broker.store.commit_log.max_offset(),
                theirs.len(),
                master.store.commit_log.max_offset()
            )
        },
    )
}

fn check_client_offsets(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    // A restarted consumer is a new process with new assignments.
    memory.client_offsets.retain(|(c, _), _| world.consumers[*c as usize].running);
    for c in world.consumers.iter().filter(|c| c.running) {
        for (mq, pr) in &c.pull_requests {
            let Some(offset) = c.offset_store.read(*mq) else { continue };
            let key = (c.index, *mq);
            if let Some((generation, last)) = memory.client_offsets.get(&key) {
                ensure(
                    *generation != pr.generation || offset >= *last,
                    "a consumer's cached offset only moves forward while it keeps the queue",
                    || format!("{} {mq:?}", c.client_id),
                    || format!("{last} -> {offset}"),
                )?;
            }
            memory.client_offsets.insert(key, (pr.generation, offset));
        }
    }
    Ok(())
}
