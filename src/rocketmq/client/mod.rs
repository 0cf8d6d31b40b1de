//! The clients: the producer ([`producer`]) and the push consumer ([`consumer`]), with what
//! both use from `C/impl/factory/MQClientInstance`: the route table and the choice of a
//! broker address in a group.
pub mod consumer;
pub mod latency;
pub mod producer;

use std::collections::BTreeMap;

use super::message::{Msg, TopicRouteData};
use super::world::Spec;
use crate::kernel::{Ctx, NodeId};
use crate::rocketmq::world::World;

/// A client's topic routes, as the name server last gave them.
pub type Routes = BTreeMap<u32, TopicRouteData>;

/// `findBrokerAddressInSubscribe(brokerName, brokerId, onlyThisBroker)`: the wanted id; a
/// missing slave id falls to id + 1; otherwise (unless `only_this`) the first address of
/// the group's map, which with small ids is the lowest id: a slave when the master is gone.
pub fn find_broker_address_in_subscribe(
    routes: &Routes,
    group: u32,
    broker_id: i64,
    only_this: bool,
) -> Option<(NodeId, i64)> {
    let g = routes.values().flat_map(|r| r.groups.iter()).find(|g| g.group == group)?;
    if let Some(n) = g.addr(broker_id) {
        return Some((n, broker_id));
    }
    if only_this {
        return None;
    }
    if broker_id != 0 {
        if let Some(n) = g.addr(broker_id + 1) {
            return Some((n, broker_id + 1));
        }
    }
    g.addrs.first().map(|(id, n)| (*n, *id))
}

/// GET_ROUTEINFO_BY_TOPIC to one name server (picked at random, as the client does).
pub fn request_route(ctx: &mut Ctx<World>, spec: &Spec, from: NodeId, opaque: u64, topic: u32) {
    let n = ctx.prng.below(spec.name_servers as u64) as u32;
    ctx.send(from, spec.namesrv_node(n), Msg::GetRouteInfoByTopic { opaque, topic });
}
