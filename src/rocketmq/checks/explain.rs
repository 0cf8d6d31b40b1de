//! RocketMQ's words for what the neutral checks found. The neutral `duplicate-processing`
//! names Kafka's causes (generations, fencing); RocketMQ has neither, so its cause is
//! replaced by one told from what this model does: a message stored twice by a producer
//! retry, a queue restarted from an offset table that was behind the group's commits (a
//! broker that reloaded consumerOffset.json, a slave whose one-way sync put its master's
//! older offset over a newer one), a queue that moved, a consumer that crashed before its
//! offset reached the broker. A `lost-write` at a power loss's restart says so.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::stream_of;
use crate::checker::{AnomalyKind, At, History, Lookup, ReadBy, StreamId};
use crate::rocketmq::types::{BrokerIndex, Mq, RecordId};
use crate::rocketmq::world::World;

/// A group's queue, as the tables below key it.
type GroupQueue = (Rc<str>, StreamId);

/// Offset tables that may hand a consumer an old offset.
#[derive(Clone, Debug, Default)]
pub(super) struct Stale {
    /// Per (group, stream): the highest offset the group committed, at which broker, when.
    highest: BTreeMap<GroupQueue, (u64, BrokerIndex, u64)>,
    /// Per (group, stream): the last sync that moved a slave's copy back: (slave, from, to, step).
    regressed: BTreeMap<GroupQueue, (BrokerIndex, u64, u64, u64)>,
    /// Per broker group: the last member that restarted (reloading consumerOffset.json), when.
    restarted: BTreeMap<u32, (BrokerIndex, u64)>,
}

impl Stale {
    pub(super) fn committed(&mut self, at: At, group: Rc<str>, stream: StreamId, (offset, broker): (u64, BrokerIndex)) {
        let e = self.highest.entry((group, stream)).or_insert((offset, broker, at.step));
        if offset > e.0 {
            *e = (offset, broker, at.step);
        }
    }

    pub(super) fn regressed(
        &mut self,
        at: At,
        group: Rc<str>,
        stream: StreamId,
        (slave, from, to): (BrokerIndex, u64, u64),
    ) {
        self.regressed.insert((group, stream), (slave, from, to, at.step));
    }

    pub(super) fn restarted(&mut self, world: &World, at: At, broker: BrokerIndex) {
        self.restarted.insert(world.spec.group_of(broker), (broker, at.step));
    }
}

/// A message a group just processed again.
pub(super) struct Duplicate {
    pub consumer: u32,
    pub incarnation: u32,
    /// Who processed it before (consumer, incarnation).
    pub prev: Option<(u32, u32)>,
    pub record: RecordId,
    pub mq: Mq,
    pub offset: u64,
    /// When the consumer took the queue (a table that went stale later did not feed it).
    pub took: Option<u64>,
}

fn broker_name(world: &World, b: BrokerIndex) -> String {
    world.spec.node_name(world.spec.broker_node(b))
}

/// Another place a master stores `d`'s message (a producer retry's copy).
fn other_copy(world: &World, d: &Duplicate) -> Option<(Mq, u64)> {
    let masters = (0..world.spec.groups.len() as u32).map(|g| world.spec.master_of(g));
    masters
        .flat_map(|b| world.brokers[b].store.commit_log.entries().iter())
        .find(|e| e.record == d.record && (e.mq, e.queue_offset) != (d.mq, d.offset))
        .map(|e| (e.mq, e.queue_offset))
}

/// Why `d` was processed again, in RocketMQ's terms.
pub(super) fn duplicate_cause(world: &World, stale: &Stale, group: &Rc<str>, d: &Duplicate) -> String {
    let lookup = super::WorldLookup(world);
    if let Some((mq, offset)) = other_copy(world, d) {
        return format!(
            "the message is stored more than once, also at {} offset {offset} (a producer retry after an attempt that had been stored; the copies share its msgId)",
            lookup.stream_name(stream_of(mq))
        );
    }
    let name = lookup.client_name(ReadBy::Consumer(d.consumer));
    let stream = stream_of(d.mq);
    // The group had committed past it before the consumer took the queue.
    let committed_past = |h: &&(u64, BrokerIndex, u64)| h.0 > d.offset && d.took.is_none_or(|t| h.2 <= t);
    if let Some(&(high, at_broker, since)) = stale.highest.get(&(group.clone(), stream)).filter(committed_past) {
        return format!(
            "stale offset: the group had committed {} up to offset {high} (at {}), but {name} took the queue from an older offset a broker's table held: {}",
            lookup.stream_name(stream),
            broker_name(world, at_broker),
            stale_tables(world, stale, (group, stream), d, since)
        );
    }
    match d.prev {
        Some((c, _)) if c != d.consumer => format!(
            "rebalance: {} processed it, then the queue moved to {name}, which started from the offset the broker had for the group (a consumer's offset reaches the broker every 5 s or with its next pull)",
            lookup.client_name(ReadBy::Consumer(c))
        ),
        Some((_, i)) if i != d.incarnation => format!(
            "crash before commit: {name} processed it, crashed before its offset reached the broker, and restarted from the committed offset"
        ),
        _ => format!("{name} dropped the queue and took it back from the committed offset"),
    }
}

/// Which tables went behind the group's highest commit (made at step `since`) before the
/// consumer took the queue.
fn stale_tables(world: &World, stale: &Stale, key: (&Rc<str>, StreamId), d: &Duplicate, since: u64) -> String {
    let mut why = Vec::new();
    let between = |step: u64| step >= since && d.took.is_none_or(|t| step <= t);
    if let Some(&(b, _)) = stale.restarted.get(&d.mq.group).filter(|r| between(r.1)) {
        why.push(format!(
            "{} restarted with the offsets of its last consumerOffset.json (persisted every 5 s)",
            broker_name(world, b)
        ));
    }
    let regression = stale.regressed.get(&(key.0.clone(), key.1)).filter(|r| between(r.3) && r.2 <= d.offset);
    if let Some(&(slave, from, to, _)) = regression {
        why.push(format!(
            "SlaveSynchronize put the master's older offset {to} over {}'s {from} (offsets are copied one way, master to slave)",
            broker_name(world, slave)
        ));
    }
    if why.is_empty() {
        why.push("the broker it asked had not got that commit".to_string());
    }
    why.join("; ")
}

/// Replace the neutral cause (after "N times: ") of the `kind` anomaly just reported.
pub(super) fn replace_cause(history: &mut History, kind: AnomalyKind, cause: &str) {
    let Some(i) = history.anomalies.len().checked_sub(1) else { return };
    let Some(a) = history.anomalies.get_mut(i).filter(|a| a.kind == kind) else { return };
    if let Some(at) = a.detail.find(" times: ") {
        a.detail.truncate(at + " times: ".len());
        a.detail.push_str(cause);
    }
    // The RocketMQ causes have no Chinese yet: the cause is given in English rather than
    // the neutral (Kafka-worded) one it replaces.
    if let Some(at) = a.detail_zh.find("次：") {
        a.detail_zh.truncate(at + "次：".len());
        a.detail_zh.push_str(cause);
    }
}

/// Say why a `lost-write` reported at a power loss's restart (if one was) happened.
pub(super) fn lost_at_restart(history: &mut History, before: usize, world: &World, broker: BrokerIndex) {
    if history.anomalies.len() <= before {
        return;
    }
    let i = history.anomalies.len() - 1;
    let Some(a) = history.anomalies.get_mut(i).filter(|a| a.kind == AnomalyKind::LostWrite) else { return };
    let group = &world.spec.brokers[broker].broker_name;
    let name = broker_name(world, broker);
    a.detail.push_str(&format!(
        " ({name} lost power before its CommitLog flushed it, and no other broker of {group} holds a copy)"
    ));
    a.detail_zh.push_str(&format!("（{name} 在 CommitLog 刷盘之前断电，而 {group} 中没有其他 broker 持有副本）"));
}
