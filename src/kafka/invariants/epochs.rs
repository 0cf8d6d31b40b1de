//! What never goes back: epochs.
//!
//! - **Controller epoch**: a new active controller always takes a higher epoch (KRaft's
//!   epoch of the metadata quorum, `raft/src/main/java/org/apache/kafka/raft/QuorumState.java`).
//! - **Leader epoch and partition epoch at the controller**, per partition: every change
//!   bumps the partition epoch, every leader change the leader epoch, and nothing lowers
//!   them (`metadata/src/main/java/org/apache/kafka/controller/PartitionChangeBuilder.java`).
//! - **Leader epoch and partition epoch on each replica**, per broker process: a broker
//!   ignores a partition state older than the one it has (KRaft brokers replay the
//!   metadata log in order; here `Broker::on_leader_and_isr` skips stale states). Scoped to
//!   one incarnation of the broker: a crashed process loses what it knew (here its
//!   metadata cache), and the restarted one starts from the states it is sent, so a
//!   replica's memory is reset when its broker's incarnation changes. (The leader-epoch
//!   cache of a log is not checked: truncation legitimately removes its newest entries,
//!   `storage/.../epoch/LeaderEpochFileCache.java`, `truncateFromEnd`.)
//!
//! The partition and replica rules are checked in the one pass of [`super::partitions`],
//! with the memory kept here.
use super::Memory;
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::World;
use crate::kernel::invariant::ensure;
use crate::kernel::InvariantViolation;

/// Values remembered from the last pass over a sequence of keys visited in increasing
/// order (a merge, so a pass costs no lookups and one buffer swap).
#[derive(Clone, Debug)]
pub struct Remembered<K, V> {
    last: Vec<(K, V)>,
    next: Vec<(K, V)>,
    cursor: usize,
}

impl<K, V> Default for Remembered<K, V> {
    fn default() -> Self {
        Remembered { last: Vec::new(), next: Vec::new(), cursor: 0 }
    }
}

impl<K: Ord + Copy, V: Copy> Remembered<K, V> {
    /// Start a pass.
    pub fn begin(&mut self) {
        self.next.clear();
        self.cursor = 0;
    }
    /// Record `value` for `key` (keys in increasing order); the value of the last pass.
    pub fn see(&mut self, key: K, value: V) -> Option<V> {
        while self.last.get(self.cursor).is_some_and(|(k, _)| *k < key) {
            self.cursor += 1;
        }
        self.next.push((key, value));
        self.last.get(self.cursor).filter(|(k, _)| *k == key).map(|(_, v)| *v)
    }
    /// End a complete pass: it becomes what the next one compares with.
    pub fn end(&mut self) {
        std::mem::swap(&mut self.last, &mut self.next);
    }
}

/// What a replica knew at the last check: (broker, its incarnation, leader epoch,
/// partition epoch), keyed by (partition, position in the replica list).
pub type ReplicaEpochs = Remembered<(Tp, u32), (BrokerId, u32, u32, u32)>;

pub(super) fn check_controller_epoch(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    let epoch = world.controller.epoch;
    let before = memory.controller_epoch;
    ensure(
        epoch >= before,
        "controller epoch never decreases",
        || "the controller".into(),
        || format!("epoch {epoch} after {before}"),
    )?;
    memory.controller_epoch = epoch;
    Ok(())
}

/// Neither the leader epoch nor the partition epoch went back.
pub(crate) fn never_decreases(
    before: (u32, u32),
    now: (u32, u32),
    obj: impl Fn() -> String,
) -> Result<(), InvariantViolation> {
    ensure(now.0 >= before.0, "leader epoch never decreases", &obj, || format!("{} after {}", now.0, before.0))?;
    ensure(now.1 >= before.1, "partition epoch never decreases", &obj, || format!("{} after {}", now.1, before.1))
}

#[cfg(test)]
mod tests {
    use super::super::testing::world_at;
    use super::super::{check, Memory};
    use super::*;

    const TP: Tp = Tp { topic: 0, partition: 0 };

    /// Memory of `world` as it is now, then the check of `later` against it.
    fn after(world: &World, later: &World) -> Result<(), InvariantViolation> {
        let mut memory = Memory::default();
        check(world, &mut memory).expect("the first state is fine");
        check(later, &mut memory)
    }

    #[test]
    fn a_correct_run_keeps_them() {
        let w = world_at(12_000);
        assert_eq!(after(&w, &w), Ok(()));
    }

    #[test]
    fn memory_follows_keys_that_come_and_go() {
        let mut m: Remembered<u32, u32> = Remembered::default();
        m.begin();
        assert_eq!((m.see(1, 10), m.see(3, 30)), (None, None));
        m.end();
        m.begin();
        assert_eq!((m.see(1, 11), m.see(2, 20), m.see(3, 31)), (Some(10), None, Some(30)));
        m.end();
        m.begin();
        assert_eq!((m.see(2, 21), m.see(4, 40)), (Some(20), None));
    }

    #[test]
    fn a_controller_epoch_going_back_fires() {
        let w = world_at(1_000);
        let mut later = w.clone();
        later.controller.epoch -= 1;
        assert_eq!(after(&w, &later).unwrap_err().invariant, "controller epoch never decreases");
    }

    #[test]
    fn a_leader_epoch_going_back_at_the_controller_fires() {
        let mut w = world_at(1_000);
        w.controller.partitions.get_mut(&TP).unwrap().leader_epoch = 3;
        let mut later = w.clone();
        later.controller.partitions.get_mut(&TP).unwrap().leader_epoch = 2;
        let e = after(&w, &later).unwrap_err();
        assert_eq!(
            (e.invariant, e.object.as_str()),
            ("leader epoch never decreases", "partition orders-0 at the controller")
        );
    }

    #[test]
    fn a_partition_epoch_going_back_at_the_controller_fires() {
        let mut w = world_at(1_000);
        w.controller.partitions.get_mut(&TP).unwrap().partition_epoch = 3;
        let mut later = w.clone();
        later.controller.partitions.get_mut(&TP).unwrap().partition_epoch = 2;
        assert_eq!(after(&w, &later).unwrap_err().invariant, "partition epoch never decreases");
    }

    #[test]
    fn a_replicas_epoch_going_back_fires_within_one_process_only() {
        let mut w = world_at(1_000);
        w.controller.partitions.get_mut(&TP).unwrap().leader_epoch = 3;
        w.brokers[1].replicas.get_mut(&TP).unwrap().state.leader_epoch = 3;
        let mut later = w.clone();
        later.brokers[1].replicas.get_mut(&TP).unwrap().state.leader_epoch = 2;
        let e = after(&w, &later).unwrap_err();
        assert_eq!(
            (e.invariant, e.object.as_str()),
            ("leader epoch never decreases", "replica of orders-0 on broker 2")
        );
        // A restarted process starts afresh.
        later.brokers[1].incarnation += 1;
        assert_eq!(after(&w, &later), Ok(()));
    }
}
