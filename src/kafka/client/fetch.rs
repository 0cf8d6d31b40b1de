//! The client side's fetch loop, shared by the consumer and the reader (Kafka's
//! `AbstractFetch.prepareFetchRequests` and `sendFetches`): group the partitions to fetch
//! by their leader, send one Fetch per leader, and arm a request timeout for each.
use std::collections::BTreeMap;

use crate::kafka::config::IsolationLevel;
use crate::kafka::message::{FetchPartition, FetchRequest, Msg, PartitionState, FINAL_SESSION_EPOCH};
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::{broker_node, Timer, World};
use crate::kernel::{Ctx, NodeId};

/// The partitions to fetch, grouped by their leader, and whether some partition has no
/// known leader (then metadata needs a refresh). `skip(leader)` leaves a leader out for
/// now: a fetch to it is already in flight, or its connection is backing off.
pub fn fetches_by_leader(
    positions: impl Iterator<Item = (Tp, u64)>,
    metadata: &BTreeMap<Tp, PartitionState>,
    skip: impl Fn(BrokerId) -> bool,
) -> (BTreeMap<BrokerId, Vec<FetchPartition>>, bool) {
    let mut per_leader: BTreeMap<BrokerId, Vec<FetchPartition>> = BTreeMap::new();
    let mut missing_leader = false;
    for (tp, fetch_offset) in positions {
        match metadata.get(&tp).and_then(|s| s.leader.map(|l| (l, s.leader_epoch))) {
            Some((leader, epoch)) if !skip(leader) => per_leader.entry(leader).or_default().push(FetchPartition {
                tp,
                fetch_offset,
                last_fetched_epoch: None,
                current_leader_epoch: epoch,
            }),
            Some(_) => {}
            None => missing_leader = true,
        }
    }
    (per_leader, missing_leader)
}

/// What every Fetch of one client carries.
pub struct FetchSettings {
    pub max_wait_ms: u64,
    pub isolation: IsolationLevel,
    pub request_timeout_ms: u64,
}

/// Sends one Fetch per leader in `per_leader` (in leader order), each under a new
/// correlation id drawn from `next_correlation` and recorded in `in_flight`. The timeout
/// is `request.timeout.ms` plus `fetch.max.wait.ms`, since the broker may hold the
/// request that long before answering.
pub fn send_fetches(
    ctx: &mut Ctx<World>,
    node: NodeId,
    per_leader: BTreeMap<BrokerId, Vec<FetchPartition>>,
    in_flight: &mut BTreeMap<u64, BrokerId>,
    next_correlation: &mut u64,
    settings: &FetchSettings,
) {
    for (leader, partitions) in per_leader {
        *next_correlation += 1;
        let correlation = *next_correlation;
        in_flight.insert(correlation, leader);
        let max_wait_ms = settings.max_wait_ms;
        let isolation = settings.isolation;
        // Consumers fetch without a session (a full fetch each time): KIP-227's sessions are
        // modelled for followers, whose fetches list every partition they replicate.
        let request = FetchRequest {
            correlation,
            replica: None,
            max_wait_ms,
            isolation,
            session_id: 0,
            session_epoch: FINAL_SESSION_EPOCH,
            partitions,
            forgotten: Vec::new(),
        };
        ctx.send(node, broker_node(leader), Msg::Fetch(request));
        let timeout = super::request_timeout_delay(settings.request_timeout_ms.saturating_add(max_wait_ms));
        ctx.set_timer(node, timeout, Timer::ClientRequestTimeout(correlation));
    }
}
