//! `B/client/ConsumerManager`: the consumers of each group that heartbeat this broker.
//! A new or departed member makes the broker send NOTIFY_CONSUMER_IDS_CHANGED to the
//! group (`notifyConsumerIdsChangedEnable`); a member silent for `channelExpiredTimeout`
//! is dropped by a scan every 10 s, one whose channel closes at once.

use std::collections::BTreeMap;

use super::Broker;
use crate::kernel::{Ctx, NodeId, Time};
use crate::rocketmq::allocate::java_string_cmp;
use crate::rocketmq::message::Msg;
use crate::rocketmq::notes::Note;
use crate::rocketmq::world::{Timer, World};

/// `ClientHousekeepingService` scans every 10 s.
pub const SCAN_INTERVAL: u64 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerChannel {
    pub node: NodeId,
    pub last_update: Time,
}

/// HEART_BEAT from a consumer.
pub fn on_heartbeat(b: &mut Broker, ctx: &mut Ctx<World>, from: NodeId, client_id: String, group: String) {
    let members = b.consumers.entry(group.clone()).or_default();
    let channel = ConsumerChannel { node: from, last_update: ctx.now };
    if members.insert(client_id.clone(), channel).is_none() {
        ctx.note(Note::ConsumerRegistered { broker: b.index, group: group.clone(), client_id });
        notify(b, ctx, &group);
    }
}

/// GET_CONSUMER_LIST_BY_GROUP: the client ids (the client sorts them).
pub fn on_get_list(b: &Broker, ctx: &mut Ctx<World>, from: NodeId, opaque: u64, group: &str) {
    let mut consumer_ids: Vec<String> = b.consumers.get(group).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    consumer_ids.sort_by(|x, y| java_string_cmp(x, y));
    ctx.send(b.node, from, Msg::GetConsumerListByGroupResponse { opaque, consumer_ids });
}

fn notify(b: &Broker, ctx: &mut Ctx<World>, group: &str) {
    if !b.config.notify_consumer_ids_changed_enable {
        return;
    }
    for channel in b.consumers.get(group).map(|m| m.values()).into_iter().flatten() {
        ctx.send(b.node, channel.node, Msg::NotifyConsumerIdsChanged { consumer_group: group.to_string() });
    }
}

fn unregister(b: &mut Broker, ctx: &mut Ctx<World>, gone: Vec<(String, String)>) {
    for (group, client_id) in gone {
        if let Some(m) = b.consumers.get_mut(&group) {
            m.remove(&client_id);
        }
        ctx.note(Note::ConsumerUnregistered { broker: b.index, group: group.clone(), client_id });
        notify(b, ctx, &group);
    }
    b.consumers.retain(|_, m| !m.is_empty());
}

fn select(
    consumers: &BTreeMap<String, BTreeMap<String, ConsumerChannel>>,
    f: impl Fn(&ConsumerChannel) -> bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (group, members) in consumers {
        for (id, c) in members {
            if f(c) {
                out.push((group.clone(), id.clone()));
            }
        }
    }
    out
}

/// `scanNotActiveChannel`.
pub fn on_scan(b: &mut Broker, ctx: &mut Ctx<World>) {
    let timeout = b.config.channel_expired_timeout as u64;
    let now = ctx.now;
    let gone = select(&b.consumers, |c| now.saturating_sub(c.last_update) > timeout);
    unregister(b, ctx, gone);
    ctx.set_timer(b.node, SCAN_INTERVAL, Timer::ScanNotActiveChannel);
}

/// The client's process died: its channel closed.
pub fn channel_closed(b: &mut Broker, ctx: &mut Ctx<World>, node: NodeId) {
    let gone = select(&b.consumers, |c| c.node == node);
    unregister(b, ctx, gone);
}
