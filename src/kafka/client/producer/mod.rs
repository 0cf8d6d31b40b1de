//! A minimal Kafka producer: metadata, InitProducerId (idempotence), per-partition
//! queues drained into one Produce request per broker, `acks`, `retries`,
//! `retry.backoff.ms`, `request.timeout.ms`, `delivery.timeout.ms` and
//! `max.in.flight.requests.per.connection`. Shaped like Kafka's `Sender` and
//! `RecordAccumulator` so batching and `linger.ms` can grow here later.
//!
//! By Kafka's parts: which partition a record goes to (`partitioner.rs`), the
//! `RecordAccumulator` that queues and batches records (`accumulator.rs`), and the `Sender`
//! that sends them and handles the answers (`sender.rs`). Transactions are in
//! `client/txn_manager/`.
mod accumulator;
mod blocked;
mod partitioner;
mod sender;

pub use blocked::SendCall;

use crate::kafka::message::MetadataCache;
use std::collections::{BTreeMap, VecDeque};

use crate::kafka::config::{Acks, ProducerConfig};
use crate::kafka::message::Msg;
use crate::kafka::types::{BrokerId, RecordId, Tp};
use crate::kafka::world::World;
use crate::kernel::{Ctx, NodeId};

/// Correlation ids of a producer embedded in a consumer's process start here.
pub const EMBEDDED_CORRELATION_BASE: u64 = 1 << 40;

/// Kafka's exponential retry backoff (KIP-580): `retry.backoff.ms * 2^(attempts-1)`, capped
/// times a jitter factor in [0.8, 1.2] (`jitter_percent` is 0..=40), capped at `retry.backoff.max.ms`.
pub fn retry_backoff(config: &ProducerConfig, attempts: u32, jitter_percent: u64) -> u64 {
    let exp = attempts.saturating_sub(1).min(20);
    let base = config.retry_backoff_ms.saturating_mul(1 << exp);
    // Kafka's ExponentialBackoff applies the jitter first, then the cap.
    // At least 1 ms: `retry.backoff.ms` 0 must not retry at the same instant (see `retry_delay`).
    let backoff = (base * (80 + jitter_percent) / 100).min(config.retry_backoff_max_ms.max(config.retry_backoff_ms));
    crate::kafka::client::retry_delay(backoff)
}

#[derive(Clone, Debug)]
pub struct Batch {
    pub tp: Tp,
    pub records: Vec<RecordId>,
    /// First sequence number, -1 without idempotence.
    pub base_sequence: i32,
    /// When the first record was handed to the producer (for delivery.timeout.ms).
    pub created_at: u64,
    pub attempts: u32,
    /// A retried batch waits until then (`retry.backoff.ms`).
    pub ready_at: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct InFlightRequest {
    pub(crate) broker: BrokerId,
    pub(crate) batches: Vec<Batch>,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub index: u32,
    pub node: NodeId,
    pub name: String,
    pub config: ProducerConfig,
    pub conns: crate::kafka::client::Connections,
    pub metadata: MetadataCache,
    metadata_in_flight: Option<(u64, BrokerId)>,
    metadata_backoff: crate::kafka::client::MetadataBackoff,
    /// A refresh was asked for during the backoff: it is sent when the backoff ends.
    metadata_wanted: bool,
    pub producer_id: i64,
    pub producer_epoch: u16,
    /// InitProducerId in flight: correlation and the broker asked.
    init_in_flight: Option<(u64, BrokerId)>,
    /// Records waiting to be batched, per partition.
    pub(crate) queued: BTreeMap<Tp, VecDeque<(RecordId, u64)>>,
    /// Batches to send again, per partition, in sequence order.
    pub(crate) retries: BTreeMap<Tp, VecDeque<Batch>>,
    pub(crate) next_sequence: BTreeMap<Tp, i32>,
    pub(crate) in_flight: BTreeMap<u64, InFlightRequest>,
    next_correlation: u64,
    /// When the pending retry/reconnect wake-up fires, if one is set.
    retry_timer_at: Option<u64>,
    linger_armed: bool,
    /// Per topic: the sticky partition for records without a key, and how many went to it.
    sticky: BTreeMap<u32, (u32, u64)>,
    /// Per topic: the next partition of `partitioner.class=round-robin`.
    round_robin: BTreeMap<u32, u32>,
    pub acked: u64,
    pub failed: u64,
    /// The transaction manager, when `transactional.id` is set.
    pub txn: Option<crate::kafka::client::txn_manager::TxnClient>,
    /// False while the producer's process is down.
    pub running: bool,
    /// send() calls the application has made but the producer has not taken yet: the
    /// application waits for a result (`sim.send.style=sync`) or for room in
    /// `buffer.memory`.
    app_queue: VecDeque<(RecordId, Tp, &'static str)>,
    /// Since when the first call in `app_queue` has been waiting.
    app_front_since: u64,
    /// Calls waiting for the topic's metadata (see `blocked.rs`), and since when the first has.
    blocked: VecDeque<blocked::BlockedCall>,
    blocked_since: u64,
    /// sync: the record whose result the application waits for.
    sync_waiting: Option<RecordId>,
    /// An upper bound of `pending()`: it was that at the last count, and only `accept`
    /// adds records. Counting walks every partition's queue, too slow for every send.
    pending_bound: usize,
}

impl Producer {
    pub fn new(index: u32, node: NodeId, name: String, config: ProducerConfig, bootstrap: Vec<BrokerId>) -> Self {
        Producer {
            index,
            node,
            name,
            config,
            conns: crate::kafka::client::Connections::new(bootstrap),
            metadata: MetadataCache::default(),
            metadata_in_flight: None,
            metadata_backoff: Default::default(),
            metadata_wanted: false,
            producer_id: -1,
            producer_epoch: 0,
            init_in_flight: None,
            queued: BTreeMap::new(),
            retries: BTreeMap::new(),
            next_sequence: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            next_correlation: 0,
            retry_timer_at: None,
            linger_armed: false,
            sticky: BTreeMap::new(),
            round_robin: BTreeMap::new(),
            acked: 0,
            failed: 0,
            txn: None,
            running: true,
            app_queue: VecDeque::new(),
            app_front_since: 0,
            blocked: VecDeque::new(),
            blocked_since: 0,
            sync_waiting: None,
            pending_bound: 0,
        }
        .with_transactions()
    }

    /// A producer that shares its network node with a consumer (a consume-transform-produce
    /// application): its correlation ids start high so the two never collide.
    pub fn embedded(index: u32, node: NodeId, name: String, config: ProducerConfig, bootstrap: Vec<BrokerId>) -> Self {
        let mut p = Producer::new(index, node, name, config, bootstrap);
        p.next_correlation = EMBEDDED_CORRELATION_BASE;
        p
    }

    /// The same producer as a new process: nothing of its state survives but the
    /// correlation counter, so that a late answer to the old process matches nothing.
    pub fn restarted(&self) -> Producer {
        let mut p =
            Producer::new(self.index, self.node, self.name.clone(), self.config.clone(), self.conns.brokers().to_vec());
        p.next_correlation = self.next_correlation;
        p
    }

    /// Whether a correlation id belongs to an embedded producer.
    pub fn owns_correlation(&self, correlation: u64) -> bool {
        (correlation >= EMBEDDED_CORRELATION_BASE) == (self.next_correlation >= EMBEDDED_CORRELATION_BASE)
    }

    fn with_transactions(mut self) -> Self {
        if let Some(id) = &self.config.transactional_id {
            self.txn = Some(crate::kafka::client::txn_manager::TxnClient::new(std::rc::Rc::from(id.as_str())));
        }
        self
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.next_correlation += 1;
        self.next_correlation
    }

    /// Records accepted but not yet acknowledged or failed.
    pub fn pending(&self) -> usize {
        self.queued.values().map(|q| q.len()).sum::<usize>()
            + self.retries.values().flatten().map(|b| b.records.len()).sum::<usize>()
            + self.in_flight.values().flat_map(|r| &r.batches).map(|b| b.records.len()).sum::<usize>()
    }

    /// Whether request `correlation` still waits for an answer.
    pub fn has_in_flight(&self, correlation: u64) -> bool {
        self.in_flight.contains_key(&correlation)
            || self.metadata_in_flight.is_some_and(|(c, _)| c == correlation)
            || self.init_in_flight.is_some_and(|(c, _)| c == correlation)
            || self.txn.as_ref().is_some_and(|t| t.has_in_flight(correlation))
    }

    pub fn in_flight_requests(&self) -> usize {
        self.in_flight.len()
    }

    pub(crate) fn next_bootstrap(&mut self, now: u64) -> BrokerId {
        self.conns.pick(now)
    }

    /// Every message a producer handles; false if it is not one of them.
    pub fn on_message(&mut self, ctx: &mut Ctx<World>, msg: Msg) -> bool {
        match msg {
            Msg::MetadataResponse { correlation, partitions, .. } => {
                self.on_metadata_response(ctx, correlation, partitions)
            }
            Msg::InitProducerIdResponse { correlation, error, producer_id, producer_epoch } => {
                self.on_init_producer_id_response(ctx, correlation, error, producer_id, producer_epoch)
            }
            Msg::ProduceResponse { correlation, partitions } => self.on_produce_response(ctx, correlation, partitions),
            other => return self.txn_on_message(ctx, other),
        }
        true
    }

    pub fn set_acks(&mut self, acks: Acks) {
        self.config.acks = acks;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restarted_producer_never_reuses_a_correlation_id() {
        // A late answer to the crashed process must match no request of the new one.
        let mut old = Producer::new(0, NodeId(3), "p".into(), ProducerConfig::default(), vec![BrokerId(1)]);
        let used: Vec<u64> = (0..5).map(|_| old.next()).collect();
        let mut new = old.restarted();
        assert!(new.next() > *used.last().unwrap());
        let mut embedded = Producer::embedded(1, NodeId(4), "c".into(), ProducerConfig::default(), vec![BrokerId(1)]);
        let first = embedded.next();
        let mut again = embedded.restarted();
        let next = again.next();
        assert!(next > first && again.owns_correlation(next), "still in the embedded range");
    }

    #[test]
    fn retry_backoff_doubles_up_to_the_max_with_jitter() {
        let c = ProducerConfig::default();
        assert_eq!(retry_backoff(&c, 1, 20), 100);
        assert_eq!(retry_backoff(&c, 2, 20), 200);
        assert_eq!(retry_backoff(&c, 4, 20), 800);
        assert_eq!(retry_backoff(&c, 5, 20), 1_000);
        assert_eq!(retry_backoff(&c, 30, 20), 1_000);
        assert_eq!(retry_backoff(&c, 30, 40), 1_000, "never above retry.backoff.max.ms");
        assert_eq!(retry_backoff(&c, 1, 0), 80);
        assert_eq!(retry_backoff(&c, 1, 40), 120);
    }
}
