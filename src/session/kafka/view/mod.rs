//! The Kafka model's view model at the cursor, built part by part: brokers and their
//! replicas ([`brokers`]), partitions, topics and groups ([`partitions`]), producers,
//! readers and consumers ([`clients`]), and the network ([`network`]).
mod brokers;
mod clients;
mod network;
mod partitions;
mod timers;

pub(super) use network::message_view;

use super::text::step_event;
use super::{KafkaRun, KafkaSimulation};
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::{Spec, World};
use crate::scenario::Text;
use crate::session::view::{ClusterView, ViewOptions};

/// What every part of the view reads: the run at the cursor, the options, and Kafka's
/// lookups.
struct Ctx<'a> {
    run: &'a KafkaRun,
    sim: &'a KafkaSimulation,
    world: &'a World,
    spec: &'a Spec,
    cursor: u64,
    opts: &'a ViewOptions,
}

impl Ctx<'_> {
    fn topic_name(&self, topic: u32) -> String {
        self.spec.topics[topic as usize].name.clone()
    }

    /// Kafka's own topics.
    fn is_internal(&self, topic: u32) -> bool {
        Some(topic) == self.spec.offsets_topic || Some(topic) == self.spec.transaction_topic
    }

    fn leader_of(&self, tp: Tp) -> Option<BrokerId> {
        self.world.controller.partitions.get(&tp).and_then(|s| s.leader)
    }

    /// A group's coordinator: the leader of its __consumer_offsets partition.
    fn coordinator_of(&self, group: &str) -> Option<BrokerId> {
        let topic = self.spec.offsets_topic?;
        let parts = self.spec.topics[topic as usize].partitions;
        self.leader_of(Tp { topic, partition: crate::kafka::group::offsets_partition_for(group, parts) })
    }

    /// A transactional id's coordinator: the leader of its __transaction_state partition.
    fn txn_coordinator_of(&self, id: &str) -> Option<BrokerId> {
        let topic = self.spec.transaction_topic?;
        let parts = self.spec.topics[topic as usize].partitions;
        self.leader_of(Tp { topic, partition: crate::kafka::txn::txn_partition_for(id, parts) })
    }
}

impl KafkaRun {
    /// Everything the picture needs at the cursor, with the details `opts` asks for;
    /// `narration` is the caption the session found for the cursor.
    pub fn view(&self, opts: &ViewOptions, narrations: &[Text], narration: Option<String>) -> ClusterView {
        let sim = self.timeline.current();
        let c = Ctx { run: self, sim, world: &sim.model, spec: &sim.model.spec, cursor: sim.steps(), opts };
        let groups = partitions::groups(&c);
        let producers = clients::producers(&c);
        let readers = clients::readers(&c);
        let consumers = clients::consumers(&c);
        ClusterView {
            step: c.cursor,
            time_ms: sim.now(),
            brokers: brokers::brokers(&c),
            partitions: partitions::partitions(&c, &groups),
            in_flight: network::in_flight(&c),
            in_flight_total: sim.in_flight().count(),
            clients: clients::summaries(&producers, &readers, &consumers),
            // A controller whose broker is down leads nothing (with the quorum lost, no one
            // does): the ♛ badge goes with it.
            controller: c.world.controller.active.filter(|b| c.world.broker(*b).is_running()).map(|b| b.0),
            narration,
            off_script: None,
            producers,
            readers,
            consumers,
            groups,
            topics: partitions::topics(&c),
            cuts: network::cuts(&c),
            slow: network::slow(&c),
            event: step_event(self, narrations, c.cursor, opts.lang),
            dropped: network::dropped(&c),
            rocketmq: None,
        }
    }
}
