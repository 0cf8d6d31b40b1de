//! `C/impl/producer/DefaultMQProducerImpl`: queue choice (round robin over the queues of
//! groups that have a master, skipping the last broker on a retry), retries, and the three
//! send modes. A sync call blocks the application: later calls wait for it. With
//! `sendLatencyFaultEnable`, groups marked not available ([`super::latency`]) are skipped
//! while another one is available.

use std::collections::{BTreeMap, VecDeque};

use super::latency::LatencyFaultTolerance;
use super::{request_route, Routes};
use crate::kernel::{Ctx, NodeId, Time};
use crate::rocketmq::config::ProducerConfig;
use crate::rocketmq::message::{Msg, ResponseCode, SendMessage, SendResult, SendStatus, TopicRouteData};
use crate::rocketmq::namesrv::has_master;
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::{Mq, RecordId, SendMode};
use crate::rocketmq::world::{Spec, Timer, World};

/// One application call of `send`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendCall {
    pub record: RecordId,
    pub topic: u32,
    pub mode: SendMode,
}

/// One attempt in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub call: SendCall,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When the call began: every attempt shares `sendMsgTimeout`.
    pub started_at: Time,
    pub mq: Mq,
    pub node: NodeId,
    /// When this attempt was sent (its latency feeds the fault tolerance).
    pub sent_at: Time,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub index: u32,
    pub node: NodeId,
    pub config: ProducerConfig,
    pub running: bool,
    pub routes: Routes,
    /// `ThreadLocalIndex`: starts at a seeded random value.
    send_which_queue: u64,
    next_opaque: u64,
    /// Calls not started yet (waiting for a route or for a sync call before them).
    pub waiting: VecDeque<SendCall>,
    pub in_flight: BTreeMap<u64, Attempt>,
    /// A sync call is running: the application thread is blocked.
    pub sync_busy: bool,
    pub fault: LatencyFaultTolerance,
}

impl Producer {
    pub fn new(spec: &Spec, index: u32) -> Producer {
        Producer {
            index,
            node: spec.producer_node(index),
            config: spec.producers[index as usize].config.clone(),
            running: true,
            routes: Routes::new(),
            send_which_queue: 0,
            next_opaque: 0,
            waiting: VecDeque::new(),
            in_flight: BTreeMap::new(),
            sync_busy: false,
            fault: LatencyFaultTolerance::default(),
        }
    }

    pub fn start(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        self.send_which_queue = ctx.prng.below(1 << 16);
        self.update_routes(ctx, spec);
    }

    /// Every `pollNameServerInterval`.
    pub fn update_routes(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        for t in 0..spec.topics.len() as u32 {
            self.next_opaque += 1;
            request_route(ctx, spec, self.node, self.next_opaque, t);
        }
        ctx.set_timer(self.node, self.config.poll_name_server_interval as u64, Timer::UpdateRoute);
    }

    pub fn on_route(&mut self, ctx: &mut Ctx<World>, spec: &Spec, topic: u32, route: Option<TopicRouteData>) {
        let masters = route.as_ref().map_or(0, |r| r.groups.iter().filter(|g| has_master(g)).count() as u32);
        // TOPIC_NOT_EXIST (no broker of the topic registered): the client keeps the route
        // it had (`updateTopicRouteInfoFromNameServer` changes nothing).
        let changed = match route {
            Some(r) => self.routes.insert(topic, r.clone()).as_ref() != Some(&r),
            None => false,
        };
        if changed {
            ctx.note(Note::RouteUpdated { client: self.node, topic, groups_with_master: masters });
        }
        self.pump(ctx, spec);
    }

    /// The application calls send.
    pub fn call(&mut self, ctx: &mut Ctx<World>, spec: &Spec, call: SendCall) {
        self.waiting.push_back(call);
        self.pump(ctx, spec);
    }

    /// Start calls while the application thread is free and the topic has a route.
    fn pump(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        while !self.sync_busy {
            let Some(call) = self.waiting.front() else { return };
            if !self.routes.contains_key(&call.topic) {
                return;
            }
            let call = self.waiting.pop_front().expect("front exists");
            self.sync_busy = call.mode == SendMode::Sync;
            self.attempt(ctx, spec, call, 1, ctx.now, None);
        }
    }

    /// `TopicPublishInfo.selectOneMessageQueue(lastBrokerName)`; with latency fault
    /// tolerance, first a queue of an available group other than the last one, then of
    /// any available group, then as without it.
    fn select_queue(&mut self, topic: u32, last_group: Option<u32>, now: Time) -> Option<(Mq, NodeId)> {
        let route = self.routes.get(&topic)?;
        let list: Vec<(Mq, NodeId)> = route
            .groups
            .iter()
            .filter_map(|g| g.addr(0).map(|n| (g, n)))
            .flat_map(|(g, n)| (0..g.write_queue_nums).map(move |q| (Mq { topic, group: g.group, queue_id: q }, n)))
            .collect();
        if list.is_empty() {
            return None;
        }
        if self.config.send_latency_fault_enable {
            for avoid_last in [true, false] {
                for _ in 0..list.len() {
                    self.send_which_queue += 1;
                    let pick = list[(self.send_which_queue % list.len() as u64) as usize];
                    let fresh = !avoid_last || Some(pick.0.group) != last_group;
                    if fresh && self.fault.is_available(pick.0.group, now) {
                        return Some(pick);
                    }
                }
            }
        }
        if let Some(last) = last_group {
            for _ in 0..list.len() {
                self.send_which_queue += 1;
                let pick = list[(self.send_which_queue % list.len() as u64) as usize];
                if pick.0.group != last {
                    return Some(pick);
                }
            }
        }
        self.send_which_queue += 1;
        Some(list[(self.send_which_queue % list.len() as u64) as usize])
    }

    fn attempt(
        &mut self,
        ctx: &mut Ctx<World>,
        spec: &Spec,
        call: SendCall,
        n: u32,
        started_at: Time,
        last: Option<u32>,
    ) {
        let Some((mq, node)) = self.select_queue(call.topic, last, ctx.now) else {
            self.finish(ctx, spec, call, Err("no route: no broker group with a master".into()), None);
            return;
        };
        self.next_opaque += 1;
        let opaque = self.next_opaque;
        let oneway = call.mode == SendMode::Oneway;
        ctx.send(self.node, node, Msg::SendMessage(SendMessage { opaque, record: call.record, mq, oneway }));
        if oneway {
            self.finish(ctx, spec, call, Err("oneway: no result".into()), Some(mq));
            return;
        }
        let left = (self.config.send_msg_timeout as u64).saturating_sub(ctx.now - started_at);
        ctx.set_timer(self.node, left, Timer::SendTimeout(opaque));
        self.in_flight.insert(opaque, Attempt { call, attempt: n, started_at, mq, node, sent_at: ctx.now });
    }

    fn max_attempts(&self, mode: SendMode) -> u32 {
        match mode {
            SendMode::Sync => 1 + self.config.retry_times_when_send_failed as u32,
            SendMode::Async => 1 + self.config.retry_times_when_send_async_failed as u32,
            SendMode::Oneway => 1,
        }
    }

    /// `updateFaultItem` (only with `sendLatencyFaultEnable`).
    fn update_fault_item(&mut self, now: Time, a: &Attempt, isolation: bool) {
        if self.config.send_latency_fault_enable {
            self.fault.update(self.config.version, a.mq.group, now, now - a.sent_at, isolation);
        }
    }

    /// Try again on another broker if attempts and time are left, else fail with `reason`.
    fn retry_or_fail(&mut self, ctx: &mut Ctx<World>, spec: &Spec, a: Attempt, reason: String) {
        ctx.note(Note::SendAttemptFailed { producer: self.index, record: a.call.record, reason: reason.clone() });
        let time_left = ctx.now - a.started_at < self.config.send_msg_timeout as u64;
        if a.attempt < self.max_attempts(a.call.mode) && time_left {
            self.attempt(ctx, spec, a.call, a.attempt + 1, a.started_at, Some(a.mq.group));
        } else {
            self.finish(ctx, spec, a.call, Err(reason), Some(a.mq));
        }
    }

    pub fn on_response(
        &mut self,
        ctx: &mut Ctx<World>,
        spec: &Spec,
        opaque: u64,
        result: Result<SendResult, ResponseCode>,
    ) {
        let Some(a) = self.in_flight.remove(&opaque) else { return };
        self.update_fault_item(ctx.now, &a, result.is_err());
        match result {
            Ok(r) if r.status == SendStatus::SendOk => self.finish(ctx, spec, a.call, Ok(r.status), Some(a.mq)),
            // Stored but not flushed/replicated: a result, retried only on request.
            Ok(r) => {
                if self.config.retry_another_broker_when_not_store_ok && a.call.mode == SendMode::Sync {
                    self.retry_or_fail(ctx, spec, a, r.status.java_name().to_string());
                } else {
                    self.finish(ctx, spec, a.call, Ok(r.status), Some(a.mq));
                }
            }
            // An async send is not retried after a broker's error reply.
            Err(code) if code.producer_retries() && a.call.mode == SendMode::Sync => {
                self.retry_or_fail(ctx, spec, a, code.name().to_string())
            }
            Err(code) => self.finish(ctx, spec, a.call, Err(code.name().to_string()), Some(a.mq)),
        }
    }

    /// The broker refused the connection (its process is gone): a network failure, which
    /// both sync and async sends retry.
    pub fn on_connection_failed(&mut self, ctx: &mut Ctx<World>, spec: &Spec, to: NodeId) {
        let failed: Vec<u64> = self.in_flight.iter().filter(|(_, a)| a.node == to).map(|(o, _)| *o).collect();
        for opaque in failed {
            let a = self.in_flight.remove(&opaque).expect("listed");
            self.update_fault_item(ctx.now, &a, true);
            self.retry_or_fail(ctx, spec, a, "connection refused".into());
        }
    }

    /// `sendMsgTimeout` ran out: all attempts share it, so nothing is left to retry.
    pub fn on_timeout(&mut self, ctx: &mut Ctx<World>, spec: &Spec, opaque: u64) {
        if let Some(a) = self.in_flight.remove(&opaque) {
            self.update_fault_item(ctx.now, &a, true);
            ctx.note(Note::SendAttemptFailed { producer: self.index, record: a.call.record, reason: "timeout".into() });
            self.finish(
                ctx,
                spec,
                a.call,
                Err("RemotingTooMuchRequestException: sendDefaultImpl call timeout".into()),
                Some(a.mq),
            );
        }
    }

    fn finish(
        &mut self,
        ctx: &mut Ctx<World>,
        spec: &Spec,
        call: SendCall,
        status: Result<SendStatus, String>,
        mq: Option<Mq>,
    ) {
        ctx.note(Note::SendFinished { producer: self.index, record: call.record, status, mq });
        if call.mode == SendMode::Sync {
            self.sync_busy = false;
            self.pump(ctx, spec);
        }
    }
}
