//! The RocketMQ model as a kernel [`Model`]: name servers, brokers (masters and slaves of
//! each broker group), producers and push consumers; their timers; and the actions a
//! scenario or a user can take. Message routing is in [`dispatch`], actions in [`actions`].
mod actions;
mod dispatch;
mod spec;

use std::rc::Rc;

use serde::{Deserialize, Serialize};

pub use spec::{ConsumerSpec, NodeRole, ProducerSpec, Spec, TopicSpec};

use super::broker::Broker;
use super::client::consumer::Consumer;
use super::client::producer::Producer;
use super::namesrv::NameServer;
use super::types::{BrokerIndex, Mq, RecordId, SendMode};
use crate::kernel::{ChunkedVec, Time};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    // Name server.
    ScanNotActiveBroker,
    // Broker.
    RegisterBroker,
    FlushCommitLog,
    GroupCommit,
    FlushWaitTimeout(u64),
    SlaveWaitTimeout(u64),
    HaHeartbeat,
    PullHoldCheck,
    PersistConsumerOffset,
    SlaveSync,
    ScanNotActiveChannel,
    // Clients.
    ClientStart,
    UpdateRoute,
    HeartBeat,
    SendTimeout(u64),
    Rebalance,
    PersistAll,
    PullNow(Mq, u64),
    RequestTimeout(u64),
    ConsumeDone(u64),
}

impl Timer {
    /// RocketMQ's name of the service or task behind the timer.
    pub fn name(&self) -> &'static str {
        match self {
            Timer::ScanNotActiveBroker => "scanNotActiveBroker",
            Timer::RegisterBroker => "registerBrokerAll",
            Timer::FlushCommitLog => "FlushRealTimeService",
            Timer::GroupCommit => "GroupCommitService",
            Timer::FlushWaitTimeout(_) => "syncFlushTimeout",
            Timer::SlaveWaitTimeout(_) => "slaveTimeout",
            Timer::HaHeartbeat => "HAClient.reportSlaveMaxOffset",
            Timer::PullHoldCheck => "PullRequestHoldService",
            Timer::PersistConsumerOffset => "ConsumerOffsetManager.persist",
            Timer::SlaveSync => "SlaveSynchronize.syncAll",
            Timer::ScanNotActiveChannel => "scanNotActiveChannel",
            Timer::ClientStart => "start",
            Timer::UpdateRoute => "updateTopicRouteInfoFromNameServer",
            Timer::HeartBeat => "sendHeartbeatToAllBroker",
            Timer::SendTimeout(_) => "sendMsgTimeout",
            Timer::Rebalance => "RebalanceService",
            Timer::PersistAll => "persistAllConsumerOffset",
            Timer::PullNow(_, _) => "PullMessageService",
            Timer::RequestTimeout(_) => "RequestTimeout",
            Timer::ConsumeDone(_) => "consumeMessage",
        }
    }
}

/// Things a scenario or a user can do to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RocketMqAction {
    /// The producer's application sends `count` messages to `topic` in `mode`.
    Send {
        producer: u32,
        topic: u32,
        count: u32,
        mode: SendMode,
    },
    /// The broker process dies (kill -9); the OS and its page cache survive, and its
    /// connections close at once.
    BrokerCrash(u32),
    /// The broker's host loses power: the page cache (unflushed CommitLog) is gone, and
    /// nobody is told (peers find out by timeouts).
    BrokerPowerLoss(u32),
    BrokerRestart(u32),
    /// The broker's disk takes no flush for `ms` (SYNC_FLUSH sends then time out).
    DiskStall {
        broker: u32,
        ms: u64,
    },
    ConsumerCrash(u32),
    ConsumerRestart(u32),
    /// The consumer's listener returns RECONSUME_LATER for its next `batches` batches.
    ConsumerFailNext {
        consumer: u32,
        batches: u32,
    },
    /// Show narration `index` of the scenario.
    Narrate(u32),
}

/// A message a producer was asked to send: what a checker tracks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordInfo {
    pub producer: u32,
    pub topic: u32,
    pub mode: SendMode,
    pub sent_at: Time,
}

#[derive(Clone)]
pub struct World {
    pub spec: Rc<Spec>,
    pub name_servers: Vec<NameServer>,
    pub brokers: Vec<Broker>,
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    /// Every message ever sent, by record id.
    pub records: ChunkedVec<RecordInfo>,
    /// Brokers that lost power and have not restarted yet (their restart truncates).
    pub power_lost: Vec<bool>,
}

impl World {
    pub fn new(spec: Spec) -> World {
        let name_servers = (0..spec.name_servers).map(|i| NameServer::new(i, spec.namesrv_node(i))).collect();
        let brokers = (0..spec.brokers.len()).map(|b| Broker::new(&spec, b)).collect();
        let producers = (0..spec.producers.len() as u32).map(|p| Producer::new(&spec, p)).collect();
        let consumers = (0..spec.consumers.len() as u32).map(|c| Consumer::new(&spec, c)).collect();
        let power_lost = vec![false; spec.brokers.len()];
        World {
            spec: Rc::new(spec),
            name_servers,
            brokers,
            producers,
            consumers,
            records: ChunkedVec::new(),
            power_lost,
        }
    }

    /// The master of broker group `g`.
    pub fn master(&self, g: u32) -> &Broker {
        &self.brokers[self.spec.master_of(g)]
    }

    /// A broker by group and brokerId.
    pub fn broker_by_id(&self, g: u32, broker_id: i64) -> Option<&Broker> {
        self.spec.members(g).into_iter().map(|b| &self.brokers[b]).find(|b| b.config.broker_id == broker_id)
    }

    /// The group's broker index for `broker_id`.
    pub fn broker_index(&self, g: u32, broker_id: i64) -> Option<BrokerIndex> {
        self.spec.members(g).into_iter().find(|b| self.spec.brokers[*b].broker_id == broker_id)
    }

    /// A broker's consumerOffset table entry (in memory).
    pub fn broker_offset(&self, b: BrokerIndex, group: &str, mq: Mq) -> Option<u64> {
        self.brokers[b].offsets.query(group, mq)
    }

    pub fn record(&self, r: RecordId) -> Option<&RecordInfo> {
        self.records.get(r as usize)
    }

    /// The brokers whose CommitLog holds record `r` now (a checker's "is it still
    /// anywhere?"; a producer retry can put one record in several places).
    pub fn holders(&self, r: RecordId) -> Vec<BrokerIndex> {
        let has = |b: &Broker| b.store.commit_log.entries().iter().any(|e| e.record == r);
        self.brokers.iter().filter(|b| has(b)).map(|b| b.index).collect()
    }
}
