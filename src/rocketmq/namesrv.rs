//! The name server (`N/routeinfo/RouteInfoManager`): which brokers are alive, and the
//! route of every topic built from them. Brokers register every `registerNameServerPeriod`;
//! one silent for `brokerChannelExpiredTime` is removed by the scan, and one whose channel
//! closes (its process died) is removed at once (`BrokerHousekeepingService`).

use std::collections::BTreeMap;

use super::message::{GroupRoute, Msg, RegisterBroker, TopicRouteData};
use super::notes::Note;
use super::types::{BrokerIndex, MASTER_ID};
use super::world::{Spec, Timer, World};
use crate::kernel::{Ctx, NodeId, Time};

#[derive(Clone, Debug)]
pub struct NameServer {
    pub index: u32,
    pub node: NodeId,
    /// Live brokers and when each last registered (`brokerLiveTable`).
    pub live: BTreeMap<BrokerIndex, Time>,
}

impl NameServer {
    pub fn new(index: u32, node: NodeId) -> NameServer {
        NameServer { index, node, live: BTreeMap::new() }
    }

    pub fn start(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        ctx.set_timer(self.node, spec.scan_not_active_broker_interval, Timer::ScanNotActiveBroker);
    }

    /// REGISTER_BROKER: the reply carries the group's master address, which a slave uses
    /// for its metadata sync (`B/BrokerController.handleRegisterBrokerResult`).
    pub fn on_register(
        &mut self,
        ctx: &mut Ctx<World>,
        spec: &Spec,
        from: NodeId,
        b: BrokerIndex,
        _req: RegisterBroker,
    ) {
        if self.live.insert(b, ctx.now).is_none() {
            ctx.note(Note::BrokerRegistered { namesrv: self.index, broker: b });
        }
        let master = spec.master_of(spec.group_of(b));
        let master_addr = self.live.contains_key(&master).then(|| spec.broker_node(master));
        ctx.send(self.node, from, Msg::RegisterBrokerResponse { master_addr });
    }

    /// GET_ROUTEINFO_BY_TOPIC. A group keeps its queue data while any of its brokers is
    /// registered; only registered brokers are in its address map
    /// (`RouteInfoManager.unregisterBroker`, the "reducedBroker" branch).
    pub fn route(&self, spec: &Spec, topic: u32) -> Option<TopicRouteData> {
        let config = &spec.topics.get(topic as usize)?.config;
        let mut groups = Vec::new();
        for g in 0..spec.groups.len() as u32 {
            let addrs: Vec<(i64, NodeId)> = spec
                .members(g)
                .into_iter()
                .filter(|b| self.live.contains_key(b))
                .map(|b| (spec.brokers[b].broker_id, spec.broker_node(b)))
                .collect();
            if !addrs.is_empty() {
                groups.push(GroupRoute {
                    group: g,
                    read_queue_nums: config.read_queue_nums as u32,
                    write_queue_nums: config.write_queue_nums as u32,
                    addrs,
                });
            }
        }
        (!groups.is_empty()).then_some(TopicRouteData { groups })
    }

    pub fn on_get_route(&self, ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, opaque: u64, topic: u32) {
        let route = self.route(spec, topic);
        ctx.send(self.node, from, Msg::GetRouteInfoByTopicResponse { opaque, topic, route });
    }

    /// `scanNotActiveBroker`: drop brokers silent for longer than the expiry.
    pub fn scan(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        let expired: Vec<BrokerIndex> = self
            .live
            .iter()
            .filter(|(_, t)| ctx.now.saturating_sub(**t) > spec.broker_channel_expired_time)
            .map(|(b, _)| *b)
            .collect();
        for b in expired {
            self.live.remove(&b);
            ctx.note(Note::BrokerRemoved { namesrv: self.index, broker: b, expired: true });
        }
        ctx.set_timer(self.node, spec.scan_not_active_broker_interval, Timer::ScanNotActiveBroker);
    }

    /// The broker's channel closed (its process died): removed at once.
    pub fn channel_closed(&mut self, ctx: &mut Ctx<World>, b: BrokerIndex) {
        if self.live.remove(&b).is_some() {
            ctx.note(Note::BrokerRemoved { namesrv: self.index, broker: b, expired: false });
        }
    }
}

/// Whether a route has a master for group route `g` (producers skip groups without one:
/// `MQClientInstance.topicRouteData2TopicPublishInfo`).
pub fn has_master(g: &GroupRoute) -> bool {
    g.addr(MASTER_ID).is_some()
}
