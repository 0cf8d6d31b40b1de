//! The kernel's entry points: which node gets a message or a timer, and what a refused
//! connection means to its sender.

use super::{NodeRole, RocketMqAction, Timer, World};
use crate::kernel::{Ctx, InvariantViolation, Model, NodeId};
use crate::rocketmq::broker::{consumers, flush, ha, hold, offsets, pull, send};
use crate::rocketmq::message::Msg;
use crate::rocketmq::notes::Note;

impl World {
    fn on_broker_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, b: usize, msg: Msg) {
        let spec = self.spec.clone();
        let broker = &mut self.brokers[b];
        match msg {
            Msg::RegisterBrokerResponse { master_addr } => broker.on_register_response(ctx, master_addr),
            Msg::SendMessage(req) => send::on_send_message(broker, ctx, &spec, from, req),
            Msg::PullMessage(req) => pull::process(broker, ctx, &spec, from, req, true),
            Msg::HaTransfer { from_offset, entries } => ha::on_transfer(broker, ctx, &spec, from_offset, entries),
            Msg::HaReport { max_offset, handshake } => ha::on_report(broker, ctx, from, max_offset, handshake),
            Msg::UpdateConsumerOffset { key, offset } => offsets::on_update(broker, ctx, key, offset),
            Msg::QueryConsumerOffset { opaque, key } => offsets::on_query(broker, ctx, &spec, from, opaque, key),
            Msg::GetMaxOffset { opaque, mq } => offsets::on_get_max_offset(broker, ctx, from, opaque, mq),
            Msg::GetAllConsumerOffset => offsets::on_get_all(broker, ctx, from),
            Msg::GetAllConsumerOffsetResponse { table } => offsets::on_all_offsets(broker, ctx, table),
            Msg::HeartBeat { client_id, consumer_group: Some(group) } => {
                consumers::on_heartbeat(broker, ctx, from, client_id, group)
            }
            Msg::GetConsumerListByGroup { opaque, consumer_group } => {
                consumers::on_get_list(broker, ctx, from, opaque, &consumer_group)
            }
            _ => {}
        }
    }

    fn on_client_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, role: NodeRole, msg: Msg) {
        let spec = self.spec.clone();
        match role {
            NodeRole::Producer(p) => {
                let producer = &mut self.producers[p as usize];
                match msg {
                    Msg::GetRouteInfoByTopicResponse { topic, route, .. } => {
                        producer.on_route(ctx, &spec, topic, route)
                    }
                    Msg::SendMessageResponse { opaque, result } => producer.on_response(ctx, &spec, opaque, result),
                    _ => {}
                }
            }
            NodeRole::Consumer(c) => {
                let consumer = &mut self.consumers[c as usize];
                match msg {
                    Msg::GetRouteInfoByTopicResponse { opaque, topic, route } => {
                        consumer.pending.remove(&opaque);
                        consumer.on_route(ctx, &spec, topic, route)
                    }
                    Msg::PullMessageResponse(r) => consumer.on_pull_result(ctx, &spec, from, r),
                    Msg::QueryConsumerOffsetResponse { opaque, offset } => {
                        consumer.on_query_offset(ctx, &spec, opaque, offset)
                    }
                    Msg::GetMaxOffsetResponse { opaque, offset } => consumer.on_max_offset(ctx, &spec, opaque, offset),
                    Msg::GetConsumerListByGroupResponse { opaque, consumer_ids } => {
                        consumer.on_consumer_list(ctx, &spec, opaque, consumer_ids)
                    }
                    // `RebalanceService.wakeup()`.
                    Msg::NotifyConsumerIdsChanged { .. } => consumer.wakeup_rebalance(ctx, &spec),
                    _ => {}
                }
            }
            NodeRole::NameServer(_) | NodeRole::Broker(_) => {}
        }
    }

    fn on_broker_timer(&mut self, ctx: &mut Ctx<World>, b: usize, timer: Timer) {
        let spec = self.spec.clone();
        let broker = &mut self.brokers[b];
        match timer {
            Timer::RegisterBroker => {
                broker.register(ctx, &spec);
                ctx.set_timer(broker.node, broker.register_period(), Timer::RegisterBroker);
            }
            Timer::FlushCommitLog => flush::on_flush_timer(broker, ctx, &spec),
            Timer::GroupCommit => flush::on_group_commit(broker, ctx, &spec),
            Timer::FlushWaitTimeout(id) => send::on_wait_timeout(broker, ctx, id, false),
            Timer::SlaveWaitTimeout(id) => send::on_wait_timeout(broker, ctx, id, true),
            Timer::HaHeartbeat => ha::on_heartbeat(broker, ctx, &spec),
            Timer::PullHoldCheck => hold::on_check(broker, ctx, &spec),
            Timer::PersistConsumerOffset => offsets::on_persist_timer(broker, ctx),
            Timer::SlaveSync => offsets::on_slave_sync_timer(broker, ctx),
            Timer::ScanNotActiveChannel => consumers::on_scan(broker, ctx),
            _ => {}
        }
    }

    fn on_client_timer(&mut self, ctx: &mut Ctx<World>, role: NodeRole, timer: Timer) {
        let spec = self.spec.clone();
        match role {
            NodeRole::Producer(p) => {
                let producer = &mut self.producers[p as usize];
                match timer {
                    Timer::UpdateRoute => producer.update_routes(ctx, &spec),
                    Timer::SendTimeout(opaque) => producer.on_timeout(ctx, &spec, opaque),
                    _ => {}
                }
            }
            NodeRole::Consumer(c) => {
                let consumer = &mut self.consumers[c as usize];
                match timer {
                    Timer::ClientStart => consumer.start(ctx, &spec),
                    Timer::UpdateRoute => consumer.update_routes(ctx, &spec),
                    Timer::HeartBeat => {
                        consumer.heartbeat(ctx);
                        ctx.set_timer(
                            consumer.node,
                            consumer.config.heartbeat_broker_interval as u64,
                            Timer::HeartBeat,
                        );
                    }
                    Timer::Rebalance => consumer.on_rebalance_timer(ctx, &spec),
                    Timer::PersistAll => {
                        consumer.persist_all(ctx);
                        let every = consumer.config.persist_consumer_offset_interval as u64;
                        ctx.set_timer(consumer.node, every, Timer::PersistAll);
                    }
                    Timer::PullNow(mq, generation) => consumer.on_pull_now(ctx, &spec, mq, generation),
                    Timer::RequestTimeout(opaque) => consumer.on_request_failed(ctx, opaque),
                    Timer::ConsumeDone(batch) => consumer.on_consume_done(ctx, batch),
                    _ => {}
                }
            }
            NodeRole::NameServer(_) | NodeRole::Broker(_) => {}
        }
    }
}

/// The opaque of a request, if it is one a client waits for.
fn request_opaque(msg: &Msg) -> Option<u64> {
    match msg {
        Msg::PullMessage(p) => Some(p.opaque),
        Msg::QueryConsumerOffset { opaque, .. }
        | Msg::GetMaxOffset { opaque, .. }
        | Msg::GetConsumerListByGroup { opaque, .. } => Some(*opaque),
        _ => None,
    }
}

impl Model for World {
    type Msg = Msg;
    type Timer = Timer;
    type Action = RocketMqAction;
    type Note = Note;
    type InvariantMemory = crate::rocketmq::invariants::Memory;

    fn node_count(&self) -> u32 {
        self.spec.node_count()
    }

    fn start(&mut self, ctx: &mut Ctx<Self>) {
        let spec = self.spec.clone();
        for n in &mut self.name_servers {
            n.start(ctx, &spec);
        }
        for b in &mut self.brokers {
            b.start(ctx, &spec);
            ctx.set_timer(b.node, b.register_period(), Timer::RegisterBroker);
        }
        for p in &mut self.producers {
            p.start(ctx, &spec);
        }
        for (i, c) in spec.consumers.iter().enumerate() {
            ctx.set_timer(spec.consumer_node(i as u32), c.start_ms, Timer::ClientStart);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Self>, from: NodeId, to: NodeId, msg: Msg) {
        let spec = self.spec.clone();
        match spec.role_of(to) {
            NodeRole::NameServer(n) => {
                let ns = &mut self.name_servers[n as usize];
                match (msg, spec.role_of(from)) {
                    (Msg::RegisterBroker(req), NodeRole::Broker(b)) => ns.on_register(ctx, &spec, from, b, req),
                    (Msg::GetRouteInfoByTopic { opaque, topic }, _) => ns.on_get_route(ctx, &spec, from, opaque, topic),
                    _ => {}
                }
            }
            NodeRole::Broker(b) => self.on_broker_message(ctx, from, b, msg),
            role => self.on_client_message(ctx, from, role, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Self>, node: NodeId, timer: Timer) {
        let spec = self.spec.clone();
        match spec.role_of(node) {
            NodeRole::NameServer(n) => self.name_servers[n as usize].scan(ctx, &spec),
            NodeRole::Broker(b) => self.on_broker_timer(ctx, b, timer),
            role => self.on_client_timer(ctx, role, timer),
        }
    }

    fn on_action(&mut self, ctx: &mut Ctx<Self>, action: &RocketMqAction) {
        self.apply_action(ctx, action);
    }

    /// Only a crashed process refuses connections; a host without power is just silent.
    fn on_undeliverable(&mut self, ctx: &mut Ctx<Self>, from: NodeId, to: NodeId, msg: Msg) {
        let spec = self.spec.clone();
        if let NodeRole::Broker(b) = spec.role_of(to) {
            if self.power_lost[b] {
                return;
            }
        }
        match spec.role_of(from) {
            NodeRole::Producer(p) => self.producers[p as usize].on_connection_failed(ctx, &spec, to),
            NodeRole::Consumer(c) => {
                if let Some(opaque) = request_opaque(&msg) {
                    self.consumers[c as usize].on_request_failed(ctx, opaque);
                }
            }
            NodeRole::Broker(b) => ha::connection_closed(&mut self.brokers[b], to),
            NodeRole::NameServer(_) => {}
        }
    }

    /// A lost message broke a TCP connection: requests on it fail; an HA link is closed on
    /// both ends and the slave reconnects at once, reporting its offset.
    fn on_connection_lost(&mut self, ctx: &mut Ctx<Self>, a: NodeId, b: NodeId) {
        let spec = self.spec.clone();
        for (x, y) in [(a, b), (b, a)] {
            match spec.role_of(x) {
                NodeRole::Producer(p) => self.producers[p as usize].on_connection_failed(ctx, &spec, y),
                NodeRole::Consumer(c) => self.consumers[c as usize].on_connection_failed(ctx, y),
                NodeRole::Broker(i) if matches!(spec.role_of(y), NodeRole::Broker(_)) => {
                    let broker = &mut self.brokers[i];
                    ha::connection_closed(broker, y);
                    if broker.is_slave() {
                        ha::on_heartbeat_now(broker, ctx, &spec);
                    }
                }
                _ => {}
            }
        }
    }

    fn timer_is_live(&self, node: NodeId, timer: &Timer, now: u64) -> bool {
        match (self.spec.role_of(node), timer) {
            (NodeRole::Broker(b), Timer::FlushWaitTimeout(id) | Timer::SlaveWaitTimeout(id)) => {
                self.brokers[b].waiting_sends.contains_key(id)
            }
            (NodeRole::Producer(p), Timer::SendTimeout(o)) => self.producers[p as usize].in_flight.contains_key(o),
            (NodeRole::Consumer(c), Timer::RequestTimeout(o)) => self.consumers[c as usize].pending.contains_key(o),
            (NodeRole::Consumer(c), Timer::Rebalance) => self.consumers[c as usize].rebalance_due(now),
            (NodeRole::Consumer(c), Timer::ConsumeDone(id)) => self.consumers[c as usize].consuming.contains_key(id),
            (NodeRole::Consumer(c), Timer::PullNow(mq, g)) => {
                self.consumers[c as usize].pull_requests.get(mq).is_some_and(|p| p.generation == *g && !p.pulling)
            }
            _ => true,
        }
    }

    fn check_invariants(&self, memory: &mut Self::InvariantMemory) -> Result<(), InvariantViolation> {
        crate::rocketmq::invariants::check(self, memory)
    }

    fn timer_name(timer: &Timer) -> &'static str {
        timer.name()
    }

    fn action_label(action: &RocketMqAction) -> String {
        super::actions::label(action)
    }
}
