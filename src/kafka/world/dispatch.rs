//! Routing: which broker or client handles a message or a timer (the `Model` handlers in
//! `world/mod.rs` land here).
use super::*;
use crate::kafka::broker::FollowerFetchResponse;
use crate::kafka::message::AddPartitionsToTxnRequest;
use crate::kafka::message::Msg;
use crate::kafka::types::{BrokerId, ErrorCode, Tp};
use crate::kernel::{Ctx, NodeId};

impl World {
    pub(super) fn on_broker_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, i: usize, msg: Msg) {
        let (spec, controller) = self.env_parts();
        // Brokers never read the applications' database; it is lent out so `self` stays free.
        let app_db = std::mem::take(&mut self.app_db);
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &app_db };
        let from_broker = self.broker_index(from).map(|j| BrokerId(j as u32 + 1));
        let b = &mut self.brokers[i];
        match msg {
            Msg::Produce(req) => b.on_produce(ctx, &env, from, req),
            Msg::Fetch(req) => b.on_fetch(ctx, &env, from, req),
            Msg::FetchResponse { correlation, error, session_id, partitions } => {
                if let Some(leader) = from_broker {
                    let resp = FollowerFetchResponse { leader, correlation, error, session_id, partitions };
                    b.on_fetch_response_as_follower(ctx, &env, resp);
                }
            }
            Msg::Metadata { correlation } => b.on_metadata(ctx, &env, from, correlation),
            Msg::ListOffsets { correlation, partitions, latest, isolation } => {
                b.on_list_offsets(ctx, from, correlation, partitions, latest, isolation)
            }
            Msg::InitProducerId { correlation, transactional_id: None, .. } => {
                b.on_init_producer_id(ctx, from, correlation)
            }
            Msg::InitProducerId { correlation, transactional_id: Some(id), transaction_timeout_ms } => {
                b.on_init_transactional_producer_id(ctx, &env, from, correlation, id, transaction_timeout_ms)
            }
            Msg::WriteTxnMarkers(req) => b.on_write_txn_markers(ctx, &env, from, req),
            Msg::WriteTxnMarkersResponse { correlation, partitions, .. } => {
                b.on_write_txn_markers_response(ctx, &env, correlation, partitions)
            }
            Msg::BrokerRegistration { .. }
            | Msg::BrokerHeartbeat { .. }
            | Msg::AlterPartition { .. }
            | Msg::BrokerRegistrationResponse { .. }
            | Msg::BrokerHeartbeatResponse { .. }
            | Msg::AlterPartitionResponse { .. }
            | Msg::LeaderAndIsr { .. }
            | Msg::ConnectionClosed => self.on_cluster_message(ctx, &env, from_broker, i, msg),
            Msg::FindCoordinator { .. }
            | Msg::JoinGroup(_)
            | Msg::SyncGroup(_)
            | Msg::Heartbeat(_)
            | Msg::LeaveGroup { .. }
            | Msg::OffsetCommit(_)
            | Msg::OffsetFetch { .. }
            | Msg::TxnOffsetCommit(_)
            | Msg::AddPartitionsToTxn(_)
            | Msg::AddOffsetsToTxn { .. }
            | Msg::EndTxn(_) => self.on_coordinator_request(ctx, &env, from, i, msg),
            // Answers meant for clients: a broker never gets one.
            Msg::ProduceResponse { .. }
            | Msg::MetadataResponse { .. }
            | Msg::InitProducerIdResponse { .. }
            | Msg::FindCoordinatorResponse { .. }
            | Msg::JoinGroupResponse { .. }
            | Msg::SyncGroupResponse { .. }
            | Msg::HeartbeatResponse { .. }
            | Msg::LeaveGroupResponse { .. }
            | Msg::OffsetCommitResponse { .. }
            | Msg::OffsetFetchResponse { .. }
            | Msg::ListOffsetsResponse { .. }
            | Msg::AddPartitionsToTxnResponse { .. }
            | Msg::AddOffsetsToTxnResponse { .. }
            | Msg::TxnOffsetCommitResponse { .. }
            | Msg::EndTxnResponse { .. } => {}
        }
        self.app_db = app_db;
    }

    /// Between brokers and the controller: registration, heartbeats, ISR changes, metadata,
    /// and a dead peer's closed connection.
    fn on_cluster_message(
        &mut self,
        ctx: &mut Ctx<World>,
        env: &Env,
        from_broker: Option<BrokerId>,
        i: usize,
        msg: Msg,
    ) {
        let me = self.brokers[i].id;
        let b = &mut self.brokers[i];
        match msg {
            Msg::BrokerRegistration { broker, incarnation } => {
                self.controller.on_registration(ctx, env, me, broker, incarnation)
            }
            Msg::BrokerHeartbeat { broker, broker_epoch, metadata_offset } => {
                self.controller.on_heartbeat(ctx, env, me, (broker, broker_epoch, metadata_offset))
            }
            Msg::AlterPartition { broker, broker_epoch, state } => {
                self.controller.on_alter_partition(ctx, env, me, broker, broker_epoch, state)
            }
            Msg::BrokerRegistrationResponse { error, broker_epoch } => {
                self.on_registration_response(ctx, i, error, broker_epoch)
            }
            Msg::BrokerHeartbeatResponse { error, .. } => self.on_broker_heartbeat_response(ctx, i, error),
            Msg::AlterPartitionResponse { tp, error, state, offset } => {
                b.on_alter_partition_response(ctx, env, tp, error, state);
                if let Some(offset) = offset {
                    b.applied_metadata(offset);
                }
            }
            Msg::LeaderAndIsr { partitions, fenced, offset, .. } => {
                b.on_leader_and_isr(ctx, env, &partitions, fenced, offset)
            }
            Msg::ConnectionClosed => {
                if let Some(dead) = from_broker {
                    self.on_connection_closed(ctx, broker_node(me), dead)
                }
            }
            // on_broker_message routes only these here.
            other => debug_assert!(false, "not a cluster message: {}", crate::kernel::MessageInfo::kind(&other)),
        }
    }

    /// A request for the group coordinator or the transaction coordinator on broker `i`
    /// (routed here by `on_broker_message`, which lists them).
    fn on_coordinator_request(&mut self, ctx: &mut Ctx<World>, env: &Env, from: NodeId, i: usize, msg: Msg) {
        let b = &mut self.brokers[i];
        match msg {
            Msg::FindCoordinator { correlation, group, transaction } => {
                b.on_find_coordinator(ctx, env, from, correlation, &group, transaction)
            }
            Msg::JoinGroup(req) => b.on_join_group(ctx, env, from, req),
            Msg::SyncGroup(req) => b.on_sync_group(ctx, env, from, req),
            Msg::Heartbeat(req) => b.on_heartbeat(ctx, env, from, req),
            Msg::LeaveGroup { correlation, group, member_id } => {
                b.on_leave_group(ctx, env, from, correlation, group, member_id)
            }
            Msg::OffsetCommit(req) => b.on_offset_commit(ctx, env, from, req),
            Msg::OffsetFetch { correlation, group, partitions } => {
                b.on_offset_fetch(ctx, env, from, correlation, group, partitions)
            }
            Msg::TxnOffsetCommit(req) => b.on_txn_offset_commit(ctx, env, from, req),
            Msg::AddPartitionsToTxn(req) => b.on_add_partitions_to_txn(ctx, env, from, req, false),
            Msg::AddOffsetsToTxn { correlation, transactional_id, producer_id, producer_epoch, group } => {
                // AddOffsetsToTxn adds the group's `__consumer_offsets` partition.
                let partitions = vec![offsets_tp(env.spec, &group)];
                let req = AddPartitionsToTxnRequest {
                    correlation,
                    transactional_id,
                    producer_id,
                    producer_epoch,
                    partitions,
                };
                b.on_add_partitions_to_txn(ctx, env, from, req, true)
            }
            Msg::EndTxn(req) => b.on_end_txn(ctx, env, from, req),
            // on_broker_message routes only coordinator requests here; a release build
            // drops anything else rather than take the page down.
            other => debug_assert!(false, "not a coordinator request: {}", crate::kernel::MessageInfo::kind(&other)),
        }
    }

    /// The controller registered broker `i`. Only the first answer counts: a late duplicate
    /// must neither replace the epoch nor start a second heartbeat chain.
    fn on_registration_response(&mut self, ctx: &mut Ctx<World>, i: usize, error: ErrorCode, broker_epoch: u64) {
        let me = self.brokers[i].id;
        if error == ErrorCode::None && self.brokers[i].broker_epoch.is_none() {
            self.brokers[i].on_registered(broker_epoch);
            ctx.set_timer(broker_node(me), 0, Timer::Heartbeat);
        }
    }

    /// A stale broker epoch: the controller has forgotten this broker, which registers again.
    fn on_broker_heartbeat_response(&mut self, ctx: &mut Ctx<World>, i: usize, error: ErrorCode) {
        let me = self.brokers[i].id;
        if error == ErrorCode::StaleBrokerEpoch {
            self.brokers[i].broker_epoch = None;
            ctx.set_timer(broker_node(me), 0, Timer::Register);
        }
    }

    pub(super) fn on_client_message(&mut self, ctx: &mut Ctx<World>, from: NodeId, to: NodeId, msg: Msg) {
        if let Client::Consumer(c) = self.client(to) {
            if !self.consumers[c].hold_message(from, &msg, ctx.now) {
                self.consumer_message(ctx, c, from, msg);
            }
            return;
        }
        if let (Msg::ConnectionClosed, Some(j)) = (&msg, self.broker_index(from)) {
            return self.on_connection_closed(ctx, to, BrokerId(j as u32 + 1));
        }
        match (self.client(to), msg) {
            (Client::Producer(p), msg) => {
                self.producers[p].on_message(ctx, msg);
            }
            (Client::Reader(r), Msg::MetadataResponse { correlation, partitions, .. }) => {
                self.readers[r].on_metadata_response(ctx, correlation, partitions)
            }
            (Client::Reader(r), Msg::FetchResponse { correlation, partitions, .. }) => {
                self.readers[r].on_fetch_response(ctx, correlation, partitions)
            }
            _ => {}
        }
    }

    /// A message for consumer `c`'s process (now, or replayed after a GC pause): its
    /// consumer's, its pipeline producer's, or a closed connection for both.
    pub(super) fn consumer_message(&mut self, ctx: &mut Ctx<World>, c: usize, from: NodeId, msg: Msg) {
        if let (Msg::ConnectionClosed, Some(j)) = (&msg, self.broker_index(from)) {
            let node = self.consumers[c].node;
            self.on_connection_closed(ctx, node, BrokerId(j as u32 + 1));
        } else if self.consumers[c]
            .producer
            .as_ref()
            .is_some_and(|p| msg.correlation().is_some_and(|x| p.owns_correlation(x)))
        {
            self.consumers[c].producer.as_mut().expect("checked").on_message(ctx, msg);
        } else {
            let (spec, controller) = self.env_parts();
            let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
            self.consumers[c].on_message(ctx, &env, from, msg);
        }
        self.run_pipeline(ctx, c);
    }

    pub(super) fn on_broker_timer(&mut self, ctx: &mut Ctx<World>, i: usize, timer: Timer) {
        let (spec, controller) = self.env_parts();
        let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
        let me = self.brokers[i].id;
        let node = broker_node(me);
        let b = &mut self.brokers[i];
        match timer {
            Timer::Register => {
                if b.broker_epoch.is_some() {
                    return; // registered meanwhile
                }
                if let Some(c) = controller {
                    ctx.send(node, broker_node(c), Msg::BrokerRegistration { broker: me, incarnation: b.incarnation });
                }
                // No answer (the controller may be gone): try again.
                ctx.set_timer(node, REGISTRATION_RETRY_MS, Timer::Register);
            }
            Timer::Heartbeat => {
                ctx.set_timer(node, spec.broker.broker_heartbeat_interval_ms, Timer::Heartbeat);
                if let (Some(c), Some(epoch)) = (controller, b.broker_epoch) {
                    ctx.send(
                        node,
                        broker_node(c),
                        Msg::BrokerHeartbeat { broker: me, broker_epoch: epoch, metadata_offset: b.metadata_offset },
                    );
                }
            }
            Timer::IsrExpiration => b.on_isr_expiration(ctx, &env),
            Timer::HwCheckpoint => b.on_hw_checkpoint(ctx, &env),
            Timer::Writeback => b.on_writeback(ctx, &env),
            Timer::RetentionCheck(at) => b.on_retention_check(ctx, &env, at),
            Timer::QuorumTick => self.controller.on_quorum_tick(ctx, &env, me),
            Timer::ControllerResync(broker) => self.controller.on_resync_backoff(ctx, me, broker),
            Timer::FetchExpire(id) => b.on_fetch_expire(ctx, &env, id),
            Timer::ProduceExpire(id) => b.on_produce_expire(ctx, &env, id),
            Timer::FetcherRetry(leader) => b.on_fetcher_retry(ctx, &env, leader),
            Timer::TxnMarkerRetry => b.on_txn_marker_retry(ctx, &env),
            Timer::TxnTimeoutCheck => b.on_txn_timeout_check(ctx, &env),
            Timer::FetcherTimeout(leader, c) => b.on_fetcher_timeout(ctx, &env, leader, c),
            Timer::AlterPartitionTimeout(tp, epoch) => b.on_alter_partition_timeout(tp, epoch),
            Timer::GroupTick => b.on_group_tick(ctx, &env),
            Timer::ClientStart
            | Timer::ClientRequestTimeout(_)
            | Timer::ProducerRetry
            | Timer::ProducerLinger
            | Timer::ReaderPoll
            | Timer::ConsumerPoll
            | Timer::ConsumerProcess
            | Timer::ConsumerHeartbeat
            | Timer::ConsumerResume
            | Timer::ConsumerMetadataRefresh => {}
        }
    }

    pub(super) fn on_client_timer(&mut self, ctx: &mut Ctx<World>, node: NodeId, timer: Timer) {
        if let Client::Consumer(c) = self.client(node) {
            if self.consumers[c].hold_timer(&timer, ctx.now) {
                return;
            }
            let (spec, controller) = self.env_parts();
            let env = Env { spec: &spec, broker: &spec.broker, controller, app_db: &self.app_db };
            let producer_timer = match &timer {
                Timer::ProducerRetry | Timer::ProducerLinger => true,
                Timer::ClientRequestTimeout(x) => {
                    self.consumers[c].producer.as_ref().is_some_and(|p| p.owns_correlation(*x))
                }
                _ => false,
            };
            if timer == Timer::ConsumerResume {
                self.resume_consumer(ctx, c);
            } else if producer_timer {
                let running = self.consumers[c].is_running();
                if let Some(p) = self.consumers[c].producer.as_mut().filter(|_| running) {
                    match timer {
                        Timer::ProducerRetry => p.on_retry_timer(ctx),
                        Timer::ProducerLinger => p.on_linger_timer(ctx),
                        Timer::ClientRequestTimeout(x) => p.on_request_failed(ctx, x),
                        _ => {}
                    }
                }
                self.run_pipeline(ctx, c);
            } else {
                self.consumers[c].on_timer(ctx, &env, timer);
                self.run_pipeline(ctx, c);
            }
            return;
        }
        match (self.client(node), timer) {
            (Client::Producer(p), Timer::ClientRequestTimeout(c)) => self.producers[p].on_request_failed(ctx, c),
            (Client::Producer(p), Timer::ProducerRetry) => self.producers[p].on_retry_timer(ctx),
            (Client::Producer(p), Timer::ProducerLinger) => self.producers[p].on_linger_timer(ctx),
            (Client::Reader(r), Timer::ClientStart) => self.readers[r].start(ctx),
            (Client::Reader(r), Timer::ClientRequestTimeout(c)) => self.readers[r].on_request_failed(ctx, c),
            (Client::Reader(r), Timer::ReaderPoll) => self.readers[r].on_backoff_timer(ctx),
            _ => {}
        }
    }
}

/// The `__consumer_offsets` partition of a group (where AddOffsetsToTxn points a transaction).
fn offsets_tp(spec: &Spec, group: &str) -> Tp {
    let topic = spec.offsets_topic.unwrap_or(0);
    let partition = crate::kafka::broker::group_coordinator::offsets_partition_for(
        group,
        spec.topics.get(topic as usize).map(|t| t.partitions).unwrap_or(1),
    );
    Tp { topic, partition }
}
