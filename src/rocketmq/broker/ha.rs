//! Classic HA (`S/ha/DefaultHAService`, `DefaultHAConnection`, `DefaultHAClient`): the
//! slave reports its max CommitLog offset (on connect, after every batch it stores, and at
//! least every `haSendHeartbeatInterval`); the master streams the CommitLog from there.
//! Offsets are the same on both, so a slave's CommitLog is a copy of a prefix of its
//! master's. Batching by `haTransferBatchSize` is left out: the master sends what is new.

use super::{flush, send, Broker};
use crate::kernel::{Ctx, NodeId, Time};
use crate::rocketmq::message::{LogEntry, Msg};
use crate::rocketmq::notes::Note;
use crate::rocketmq::world::{Spec, Timer, World};

/// `haHousekeepingInterval`: a master drops a slave connection silent this long.
pub const HA_HOUSEKEEPING_INTERVAL: u64 = 20_000;

/// The master's view of one slave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlaveConnection {
    /// The slave's last reported max offset (`slaveAckOffset`).
    pub ack: u64,
    /// Where the master's next transfer starts (`nextTransferFromWhere`).
    pub pushed: u64,
    pub last_report: Time,
    /// The slave holds more than the master (the master lost a tail to a power loss):
    /// classic mode cannot repair this, so nothing is sent (an operator's job).
    pub diverged: bool,
}

/// The slave's side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HaClient {
    /// Whether the slave believes it has a connection (the next report says "connect" if not).
    pub connected: bool,
}

/// The group's master, which a slave's HA client connects to (`haMasterAddress`).
fn master_node(b: &Broker, spec: &Spec) -> NodeId {
    spec.broker_node(spec.master_of(b.group))
}

pub fn start_client(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    report(b, ctx, spec);
    ctx.set_timer(b.node, b.config.ha_send_heartbeat_interval as u64, Timer::HaHeartbeat);
}

/// The slave's periodic report (it also (re)connects).
pub fn on_heartbeat(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    report(b, ctx, spec);
    ctx.set_timer(b.node, b.config.ha_send_heartbeat_interval as u64, Timer::HaHeartbeat);
}

/// Reconnect at once after the connection broke.
pub fn on_heartbeat_now(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    report(b, ctx, spec);
}

fn report(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    let handshake = !b.ha_client.connected;
    b.ha_client.connected = true;
    let max_offset = b.store.commit_log.max_offset();
    ctx.send(b.node, master_node(b, spec), Msg::HaReport { max_offset, handshake });
}

/// Master: a slave's report. A new connection starts the transfer at the slave's offset.
pub fn on_report(b: &mut Broker, ctx: &mut Ctx<World>, from: NodeId, max_offset: u64, handshake: bool) {
    let own = b.store.commit_log.max_offset();
    // A connection silent for `haHousekeepingInterval` was closed by the master's
    // housekeeping; this report comes on a new one.
    let expired = b.slaves.get(&from).is_some_and(|c| ctx.now - c.last_report > HA_HOUSEKEEPING_INTERVAL);
    let new = handshake || expired || !b.slaves.contains_key(&from);
    let conn = b.slaves.entry(from).or_default();
    conn.last_report = ctx.now;
    if new {
        conn.diverged = max_offset > own;
        conn.pushed = max_offset.min(own);
        if conn.diverged {
            let reason = format!("slave at offset {max_offset} is ahead of the master's {own}");
            ctx.note(Note::HaBroken { broker: b.index, reason });
        }
    }
    if !conn.diverged && conn.ack != max_offset {
        conn.ack = max_offset;
        ctx.note(Note::HaAck { master: b.index, slave: from, offset: max_offset });
    }
    push_to_slaves(b, ctx);
    send::on_progress(b, ctx);
}

/// Master: send every connected slave what it lacks.
pub fn push_to_slaves(b: &mut Broker, ctx: &mut Ctx<World>) {
    let own = b.store.commit_log.max_offset();
    let node = b.node;
    for (slave, conn) in b.slaves.iter_mut().filter(|(_, c)| !c.diverged && c.pushed < own) {
        let entries: Vec<LogEntry> = b.store.commit_log.entries_from(conn.pushed).to_vec();
        ctx.send(node, *slave, Msg::HaTransfer { from_offset: conn.pushed, entries });
        conn.pushed = own;
    }
}

/// Slave: data from the master. A transfer that does not start at the slave's max offset
/// breaks the connection ("master pushed offset not equal the max phy offset in slave");
/// the HA client's loop connects again at once and reports its offset.
pub fn on_transfer(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec, from_offset: u64, entries: Vec<LogEntry>) {
    let own = b.store.commit_log.max_offset();
    if from_offset != own {
        b.ha_client.connected = false;
        let reason = format!("master pushed offset {from_offset} not equal the max phy offset {own} in slave");
        ctx.note(Note::HaBroken { broker: b.index, reason });
        report(b, ctx, spec);
        return;
    }
    for e in entries {
        b.store.append_replicated(e);
    }
    let max_offset = b.store.commit_log.max_offset();
    ctx.note(Note::Replicated { slave: b.index, max_offset });
    flush::request_flush(b, ctx);
    flush::dispatch(b, ctx, spec);
    ctx.send(b.node, master_node(b, spec), Msg::HaReport { max_offset, handshake: false });
}

/// `isSlaveOK` (4.x `submitReplicaRequest`): a live connection no more than
/// `haSlaveFallbehindMax` behind.
pub fn slave_ok(b: &Broker, now: Time) -> bool {
    let own = b.store.commit_log.max_offset();
    b.slaves.values().any(|c| {
        !c.diverged
            && now.saturating_sub(c.last_report) <= HA_HOUSEKEEPING_INTERVAL
            && own - c.ack.min(own) < b.config.ha_slave_fallbehind_max as u64
    })
}

/// The furthest any slave has acknowledged (`push2SlaveMaxOffset`).
pub fn max_ack(b: &Broker) -> u64 {
    b.slaves.values().filter(|c| !c.diverged).map(|c| c.ack).max().unwrap_or(0)
}

/// The connection to `peer` is gone (its process died): master drops the slave, a slave
/// will reconnect.
pub fn connection_closed(b: &mut Broker, peer: NodeId) {
    b.slaves.remove(&peer);
    if b.is_slave() {
        b.ha_client.connected = false;
    }
}
