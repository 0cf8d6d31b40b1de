//! The Kafka model's invariants: what Kafka itself guarantees about the state of a cluster
//! at every moment, checked after every step (see [`crate::kernel::invariant`]).
//!
//! One file per area, each rule citing the upstream file (paths in `apache/kafka`) that
//! states it:
//! - [`partitions`]: the controller's and every broker's view of each partition (leader in
//!   ISR, ISR within the replicas, one leader per leader epoch, no view ahead of the
//!   controller) and each replica's offsets (HW <= LEO, LSO <= HW);
//! - [`epochs`]: what never goes back: leader and partition epochs at the controller and on
//!   each replica, the controller epoch;
//! - [`groups`]: the group coordinator's groups (states, generations that never decrease)
//!   and how a consumer's idea of its membership agrees with its coordinator's.
//!
//! Only what holds in Kafka *and* here is asserted; where a rule legitimately stops holding
//! (a crashed broker's lost memory, unclean election, power loss), its scope says so.
pub mod epochs;
pub mod groups;
pub mod partitions;

use std::collections::BTreeMap;
use std::rc::Rc;

use super::types::{BrokerId, Tp};
use super::world::World;
use crate::kernel::InvariantViolation;

/// What the checks remember between steps: the last values of things that must never
/// decrease. Part of the simulation value, so time travel restores it with the world.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Controller epoch at the last check.
    pub(crate) controller_epoch: u32,
    /// Per partition: (leader epoch, partition epoch) at the controller.
    pub(crate) partition_epochs: epochs::Remembered<Tp, (u32, u32)>,
    /// Per replica: what it knew ([`epochs::ReplicaEpochs`]).
    pub(crate) replica_epochs: epochs::ReplicaEpochs,
    /// Per group a broker coordinates: (broker incarnation, generation).
    pub(crate) generations: BTreeMap<(BrokerId, Rc<str>), (u32, i32)>,
    /// Some broker lost power at some point of the run (unflushed data may be gone from
    /// every replica, so what was stored can be lost: see [`groups`]).
    pub(crate) power_lost: bool,
}

/// Every invariant of the Kafka model, against `world` after a step.
pub fn check(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    epochs::check_controller_epoch(world, memory)?;
    partitions::check(world, memory)?;
    groups::check(world, memory)
}

/// Replicas up to which debug builds check after every step on their own: the lessons and
/// the 9-broker cluster (162 replicas) are; the 50-broker benchmark (6 000 replicas, where
/// an unoptimised check costs some thousand times the step) is checked only when a
/// release-mode test asks (`tests/invariants.rs`).
pub const EVERY_STEP_MAX_REPLICAS: usize = 2_000;

/// Whether a debug build checks `world` after every step on its own.
pub fn affordable_every_step(world: &World) -> bool {
    world.brokers.iter().map(|b| b.replicas.len()).sum::<usize>() <= EVERY_STEP_MAX_REPLICAS
}

/// "orders-0" for a partition.
pub(crate) fn tp_name(world: &World, tp: Tp) -> String {
    match world.spec.topics.get(tp.topic as usize) {
        Some(_) => world.spec.tp_name(tp),
        None => format!("topic {} partition {}", tp.topic, tp.partition),
    }
}

/// "[1, 2, 3]" for a list of brokers.
pub(crate) fn brokers(list: &[BrokerId]) -> String {
    let ids: Vec<u32> = list.iter().map(|b| b.0).collect();
    format!("{ids:?}")
}

/// A small cluster to break by hand in the tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::kafka::world::World;
    use crate::kernel::{InvariantViolation, Model};
    use crate::scenario::Scenario;
    use crate::session::kafka::build_simulation;

    /// Three brokers, `orders` with two partitions on all three, a producer writing a few
    /// records, and a consumer group of two.
    pub(crate) const SCENARIO: &str = r#"{"id": "t", "title": {"en": "t"}, "duration_ms": 20000,
        "cluster": {"brokers": 3},
        "topics": [{"name": "orders", "partitions": 2, "replication_factor": 3}],
        "producers": [{"name": "app"}],
        "consumers": [{"name": "c1", "group": "g", "topics": ["orders"]},
                      {"name": "c2", "group": "g", "topics": ["orders"]}],
        "timeline": [{"at_ms": 100, "action": "produce", "producer": "app", "topic": "orders", "count": 5, "partition": 0},
                     {"at_ms": 9000, "action": "produce", "producer": "app", "topic": "orders", "count": 5, "partition": 0}]}"#;

    /// The world of [`SCENARIO`] after `ms` of simulated time (invariants checked after
    /// every step on the way, in release builds too).
    pub(crate) fn world_at(ms: u64) -> World {
        let s = Scenario::from_json(SCENARIO).expect("valid scenario");
        let (mut sim, _) = build_simulation(&s, s.seed);
        sim.set_end_time(ms);
        let mut notes = Vec::new();
        while sim.step(&mut notes).is_some() {
            notes.clear();
            sim.check_invariants().expect("a correct run keeps every invariant");
        }
        sim.model
    }

    /// What the check says of `world` with fresh memory.
    pub(crate) fn check(world: &World) -> Result<(), InvariantViolation> {
        world.check_invariants(&mut Default::default())
    }
}
