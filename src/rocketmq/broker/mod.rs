//! A RocketMQ broker: a master (brokerId 0) or a slave of one broker group. Its message
//! store, flush services, HA, long polling, consumer offsets and the consumers it knows.
//!
//! One file per job: [`send`] (SendMessageProcessor and the flush/replication waits),
//! [`flush`] (FlushRealTimeService, GroupCommitService), [`ha`] (master → slave copy),
//! [`pull`] (PullMessageProcessor), [`hold`] (PullRequestHoldService), [`offsets`]
//! (ConsumerOffsetManager, SlaveSynchronize), [`consumers`] (ConsumerManager).
pub mod consumers;
pub mod flush;
pub mod ha;
pub mod hold;
pub mod offsets;
pub mod pull;
pub mod send;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::config::{BrokerConfig, BrokerRole, Version};
use super::message::{Msg, RegisterBroker};
use super::notes::Note;
use super::store::MessageStore;
use super::types::{BrokerIndex, RecordId};
use super::world::{Spec, Timer, World};
use crate::kernel::{Ctx, NodeId, Time};

pub use consumers::ConsumerChannel;
pub use ha::{HaClient, SlaveConnection};
pub use hold::HeldPull;
pub use offsets::ConsumerOffsetManager;
pub use send::WaitingSend;

#[derive(Clone, Debug)]
pub struct Broker {
    pub index: BrokerIndex,
    pub node: NodeId,
    pub group: u32,
    pub config: BrokerConfig,
    pub running: bool,
    pub store: MessageStore,
    /// A fault: the disk takes no flush until then (to show FLUSH_DISK_TIMEOUT).
    pub disk_stalled_until: Time,
    /// Sends waiting for their flush (SYNC_FLUSH) or their slave (SYNC_MASTER).
    pub waiting_sends: BTreeMap<u64, WaitingSend>,
    next_wait: u64,
    /// Master side of HA: one connection per slave (`DefaultHAConnection`).
    pub slaves: BTreeMap<NodeId, SlaveConnection>,
    /// Slave side of HA (`DefaultHAClient`).
    pub ha_client: HaClient,
    /// The master's address as the last register result gave it (`SlaveSynchronize`).
    pub master_addr: Option<NodeId>,
    /// PullRequestHoldService's parked pulls.
    pub held: Vec<HeldPull>,
    pub offsets: ConsumerOffsetManager,
    /// ConsumerManager: group → client id → channel.
    pub consumers: BTreeMap<String, BTreeMap<String, ConsumerChannel>>,
    /// When the slave last copied its master's offsets.
    pub last_slave_sync: Option<Time>,
}

impl Broker {
    pub fn new(spec: &Spec, index: BrokerIndex) -> Broker {
        Broker {
            index,
            node: spec.broker_node(index),
            group: spec.group_of(index),
            config: spec.brokers[index].clone(),
            running: true,
            store: MessageStore::default(),
            disk_stalled_until: 0,
            waiting_sends: BTreeMap::new(),
            next_wait: 0,
            slaves: BTreeMap::new(),
            ha_client: HaClient::default(),
            master_addr: None,
            held: Vec::new(),
            offsets: ConsumerOffsetManager::default(),
            consumers: BTreeMap::new(),
            last_slave_sync: None,
        }
    }

    pub fn is_slave(&self) -> bool {
        self.config.broker_role == BrokerRole::Slave
    }

    pub fn version(&self) -> Version {
        self.config.version
    }

    /// The process starts: register with every name server, start the services.
    pub fn start(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        self.register(ctx, spec);
        flush::start(self, ctx);
        ctx.set_timer(self.node, hold::check_interval(&self.config), Timer::PullHoldCheck);
        // `BrokerController`: consumerOffset.json every flushConsumerOffsetInterval after 10 s.
        ctx.set_timer(self.node, 10_000, Timer::PersistConsumerOffset);
        ctx.set_timer(self.node, consumers::SCAN_INTERVAL, Timer::ScanNotActiveChannel);
        if self.is_slave() {
            ha::start_client(self, ctx, spec);
            let first = if self.version() == Version::V4_9 { 3_000 } else { 10_000 };
            ctx.set_timer(self.node, first, Timer::SlaveSync);
        }
    }

    /// REGISTER_BROKER to every name server; again every `registerNameServerPeriod`
    /// (which RocketMQ clamps to 10000..=60000).
    pub fn register(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        for n in 0..spec.name_servers {
            let req = RegisterBroker {
                group: self.group,
                broker_id: self.config.broker_id,
                topics: spec.topics.len() as u32,
            };
            ctx.send(self.node, spec.namesrv_node(n), Msg::RegisterBroker(req));
        }
    }

    pub fn register_period(&self) -> u64 {
        self.config.register_name_server_period.clamp(10_000, 60_000) as u64
    }

    /// The register result: a slave learns (or loses) its master's address.
    pub fn on_register_response(&mut self, ctx: &mut Ctx<World>, master_addr: Option<NodeId>) {
        if self.is_slave() && self.master_addr != master_addr {
            self.master_addr = master_addr;
            ctx.note(Note::MasterAddrChanged { broker: self.index, master_addr });
        }
    }

    /// The process dies (after a power loss, the host with it). Everything in memory is
    /// gone; the disk (and, unless the power went, the page cache) stays for the restart,
    /// which is where a power loss's unflushed tail is dropped ([`Broker::restart`]).
    pub fn crash(&mut self) {
        self.running = false;
    }

    /// A new process on the same disk. After a power loss the CommitLog keeps only what
    /// was flushed; after a process crash the page cache survived and reaches the disk.
    /// The consumer offsets come back from consumerOffset.json.
    pub fn restart(&mut self, power_loss: bool) -> Vec<RecordId> {
        let lost: Vec<RecordId> = if power_loss {
            self.store.truncate_to_flushed().iter().map(|e| e.record).collect()
        } else {
            self.store.commit_log.flush_all();
            Vec::new()
        };
        self.running = true;
        self.disk_stalled_until = 0;
        self.waiting_sends.clear();
        self.slaves.clear();
        self.ha_client = HaClient::default();
        self.master_addr = None;
        self.held.clear();
        self.offsets.reload();
        self.consumers.clear();
        self.last_slave_sync = None;
        // On start the reput service dispatches whatever the ConsumeQueues lack.
        let end = self.store.commit_log.max_offset();
        self.store.reput(end);
        lost
    }

    pub fn next_wait_id(&mut self) -> u64 {
        self.next_wait += 1;
        self.next_wait
    }
}
