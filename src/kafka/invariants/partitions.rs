//! Partition state and replica offsets.
//!
//! - **Leader in ISR, ISR within the replicas, ISR never empty**, for the controller's
//!   record of every partition and for every replica's copy of it. The KRaft
//!   controller elects a leader from the ISR, or with unclean election sets the ISR to the
//!   new leader alone (`metadata/src/main/java/org/apache/kafka/controller/PartitionChangeBuilder.java`),
//!   and never empties an ISR: its last member stays, with no leader
//!   (`metadata/src/main/java/org/apache/kafka/controller/ReplicationControlManager.java`,
//!   `generateLeaderAndIsrUpdates`). ELR (KIP-966) is not modelled.
//! - **A leader's own view**: a broker that acts as leader knows itself as the leader and
//!   keeps itself in its ISR, committed and maximal (`core/src/main/scala/kafka/cluster/Partition.scala`:
//!   `makeLeader`; `maybeShrinkIsr` never proposes to drop the leader; the maximal ISR of
//!   KIP-497 only adds). A deposed leader that has not heard yet (a zombie) still holds a
//!   consistent view of its own, older epoch, so this holds for it too. A crashed broker
//!   leads nothing (`Broker::crash` forgets leadership, as a dead process has none).
//! - **One leader per leader epoch**: the controller bumps the leader epoch at every leader
//!   change (`PartitionChangeBuilder`), so two brokers that both act as leader of a
//!   partition (a zombie and its successor) do so in different epochs.
//! - **No broker is ahead of the controller**: brokers learn partition states only from
//!   the controller, so no copy has a higher leader or partition epoch than the
//!   controller's record (`ReplicationControlManager` is the only writer).
//! - **HW <= LEO** on every replica: the leader's HW is capped at its LEO and a follower
//!   takes min(leader HW, own LEO) (`core/src/main/scala/kafka/log/UnifiedLog.scala`,
//!   `maybeIncrementHighWatermark`/`updateHighWatermark`; `Partition.scala`).
//! - **LSO <= HW**, and no open transaction starts below the LSO
//!   (`UnifiedLog.lastStableOffset`). Checked on every replica (the LSO is defined on
//!   each); the leader is where consumers read it.
use super::epochs::never_decreases;
use super::{brokers, tp_name, Memory};
use crate::kafka::broker::Replica;
use crate::kafka::message::PartitionState;
use crate::kafka::types::BrokerId;
use crate::kafka::world::World;
use crate::kernel::invariant::ensure;
use crate::kernel::InvariantViolation;

/// One pass over every partition, at the controller and then on each of its replicas.
/// (Brokers' metadata caches, one copy of every partition per broker, are not visited: at
/// 50 brokers that would be most of the cost of a step in a debug build, and they are
/// written only from the same controller states, under the same epoch rule, as a
/// replica's state.)
pub(super) fn check(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    memory.partition_epochs.begin();
    memory.replica_epochs.begin();
    for (tp, c) in &world.controller.partitions {
        let obj = || format!("partition {} at the controller", tp_name(world, *tp));
        check_state(c, obj)?;
        if let Some(before) = memory.partition_epochs.see(*tp, (c.leader_epoch, c.partition_epoch)) {
            never_decreases(before, (c.leader_epoch, c.partition_epoch), obj)?;
        }
        for (j, b) in c.replicas.iter().enumerate() {
            let broker = world.broker(*b);
            // A partition added later exists on a broker once it heard of it.
            let Some(r) = broker.replicas.get(tp) else { continue };
            let obj = || format!("replica of {} on broker {}", tp_name(world, *tp), b.0);
            check_replica(c, *b, r, obj)?;
            let now = (*b, broker.incarnation, r.state.leader_epoch, r.state.partition_epoch);
            let before = memory.replica_epochs.see((*tp, j as u32), now);
            if let Some(before) = before.filter(|x| (x.0, x.1) == (now.0, now.1)) {
                never_decreases((before.2, before.3), (now.2, now.3), obj)?;
            }
        }
        one_leader_per_epoch(world, c)?;
    }
    memory.partition_epochs.end();
    memory.replica_epochs.end();
    Ok(())
}

/// Every rule about one replica of partition `c` (the controller's record) on broker `b`.
fn check_replica(
    c: &PartitionState,
    b: BrokerId,
    r: &Replica,
    obj: impl Fn() -> String,
) -> Result<(), InvariantViolation> {
    check_state(&r.state, &obj)?;
    check_not_ahead(c, &r.state, &obj)?;
    check_leader_view(b, r, &obj)?;
    let log = &r.log;
    let first_open = log.ongoing_transactions().next().map(|(o, _)| o);
    check_offsets(log.log_end_offset(), log.high_watermark(), log.last_stable_offset(), first_open, &obj)
}

/// No two brokers act as leader of partition `c` in the same leader epoch.
fn one_leader_per_epoch(world: &World, c: &PartitionState) -> Result<(), InvariantViolation> {
    let leader =
        |b: &BrokerId| world.broker(*b).replicas.get(&c.tp).filter(|r| r.is_leader).map(|r| r.state.leader_epoch);
    for (i, a) in c.replicas.iter().enumerate() {
        let Some(epoch) = leader(a) else { continue };
        for b in &c.replicas[i + 1..] {
            ensure(
                leader(b) != Some(epoch),
                "one leader per leader epoch",
                || format!("partition {}", tp_name(world, c.tp)),
                || format!("brokers {} and {} both lead it in epoch {epoch}", a.0, b.0),
            )?;
        }
    }
    Ok(())
}

/// Leader in ISR, ISR within the replicas and never empty, for one record of a partition.
pub(crate) fn check_state(st: &PartitionState, obj: impl Fn() -> String) -> Result<(), InvariantViolation> {
    let detail =
        || format!("leader {:?}, ISR {}, replicas {}", st.leader.map(|b| b.0), brokers(&st.isr), brokers(&st.replicas));
    ensure(!st.isr.is_empty(), "ISR never empty", &obj, detail)?;
    ensure(st.isr.iter().all(|b| st.replicas.contains(b)), "ISR within the replicas", &obj, detail)?;
    ensure(st.leader.is_none_or(|l| st.isr.contains(&l)), "leader in ISR", &obj, detail)
}

/// No copy of a partition's state has a higher (leader epoch, partition epoch) than the
/// controller's record `c`.
fn check_not_ahead(
    c: &PartitionState,
    st: &PartitionState,
    obj: impl Fn() -> String,
) -> Result<(), InvariantViolation> {
    ensure(
        st.leader_epoch <= c.leader_epoch && st.partition_epoch <= c.partition_epoch,
        "no broker ahead of the controller",
        obj,
        || {
            format!(
                "leader epoch {} / partition epoch {} here, {} / {} at the controller",
                st.leader_epoch, st.partition_epoch, c.leader_epoch, c.partition_epoch
            )
        },
    )
}

/// A broker acting as leader knows itself as leader and is in its ISR, committed and
/// maximal; its maximal ISR stays within the replicas.
pub(crate) fn check_leader_view(me: BrokerId, r: &Replica, obj: impl Fn() -> String) -> Result<(), InvariantViolation> {
    if !r.is_leader {
        return Ok(());
    }
    let maximal = r.maximal_isr();
    let detail = || {
        format!(
            "broker {} acts as leader; its state says leader {:?}, ISR {}, maximal ISR {}",
            me.0,
            r.state.leader.map(|b| b.0),
            brokers(&r.state.isr),
            brokers(&maximal)
        )
    };
    ensure(r.state.leader == Some(me), "a leader knows itself as leader", &obj, detail)?;
    ensure(r.state.isr.contains(&me) && maximal.contains(&me), "leader in ISR", &obj, detail)?;
    ensure(maximal.iter().all(|b| r.state.replicas.contains(b)), "ISR within the replicas", &obj, detail)
}

/// HW <= LEO, LSO <= HW, and no open transaction starts below the LSO.
pub(crate) fn check_offsets(
    leo: u64,
    hw: u64,
    lso: u64,
    first_open_txn: Option<u64>,
    obj: impl Fn() -> String,
) -> Result<(), InvariantViolation> {
    ensure(hw <= leo, "HW <= LEO", &obj, || format!("HW {hw} > LEO {leo}"))?;
    ensure(lso <= hw, "LSO <= HW", &obj, || format!("LSO {lso} > HW {hw}"))?;
    ensure(first_open_txn.is_none_or(|o| lso <= o), "LSO <= first open transaction", &obj, || {
        format!("LSO {lso} > first offset {} of an open transaction", first_open_txn.unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, world_at};
    use super::*;
    use crate::kafka::types::Tp;

    const TP: Tp = Tp { topic: 0, partition: 0 };

    fn fails_with(world: &World, invariant: &str) {
        let e = check(world).expect_err("the corrupted state is caught");
        assert_eq!(e.invariant, invariant, "{e}");
    }

    #[test]
    fn a_correct_run_keeps_them() {
        let w = world_at(12_000);
        assert!(w.controller.partitions.values().all(|p| p.leader.is_some()));
        assert!(w.brokers.iter().any(|b| b.replicas[&TP].log.high_watermark() > 0), "something was written");
        assert_eq!(check(&w), Ok(()));
    }

    #[test]
    fn leader_outside_the_controllers_isr_fires() {
        let mut w = world_at(1_000);
        let st = w.controller.partitions.get_mut(&TP).unwrap();
        st.isr.retain(|b| Some(*b) != st.leader);
        fails_with(&w, "leader in ISR");
    }

    #[test]
    fn isr_outside_the_replicas_fires() {
        let mut w = world_at(1_000);
        w.controller.partitions.get_mut(&TP).unwrap().isr.push(BrokerId(9));
        fails_with(&w, "ISR within the replicas");
    }

    #[test]
    fn an_empty_isr_fires() {
        let mut w = world_at(1_000);
        let st = w.controller.partitions.get_mut(&TP).unwrap();
        st.isr.clear();
        st.leader = None;
        fails_with(&w, "ISR never empty");
    }

    #[test]
    fn a_leader_missing_from_its_own_isr_fires() {
        let mut w = world_at(1_000);
        let leader = w.controller.partitions[&TP].leader.unwrap();
        let r = w.brokers[(leader.0 - 1) as usize].replicas.get_mut(&TP).unwrap();
        assert!(r.is_leader);
        r.state.isr.retain(|b| *b != leader);
        fails_with(&w, "leader in ISR");
    }

    #[test]
    fn a_leader_that_names_another_leader_fires() {
        let mut w = world_at(1_000);
        let leader = w.controller.partitions[&TP].leader.unwrap();
        let r = w.brokers[(leader.0 - 1) as usize].replicas.get_mut(&TP).unwrap();
        r.state.leader = r.state.isr.iter().copied().find(|b| *b != leader);
        fails_with(&w, "a leader knows itself as leader");
    }

    #[test]
    fn two_leaders_in_one_epoch_fire() {
        let mut w = world_at(1_000);
        let leader = w.controller.partitions[&TP].leader.unwrap();
        let other = w.brokers.iter_mut().find(|b| b.id != leader).unwrap();
        let r = other.replicas.get_mut(&TP).unwrap();
        r.is_leader = true;
        r.state.leader = Some(other.id);
        fails_with(&w, "one leader per leader epoch");
    }

    #[test]
    fn a_broker_ahead_of_the_controller_fires() {
        let mut w = world_at(1_000);
        w.brokers[0].replicas.get_mut(&TP).unwrap().state.leader_epoch += 1;
        fails_with(&w, "no broker ahead of the controller");
    }

    #[test]
    fn offsets_out_of_order_fire() {
        let obj = || "replica".to_string();
        assert_eq!(check_offsets(5, 5, 3, Some(3), obj), Ok(()));
        assert_eq!(check_offsets(5, 6, 5, None, obj).unwrap_err().invariant, "HW <= LEO");
        assert_eq!(check_offsets(5, 4, 5, None, obj).unwrap_err().invariant, "LSO <= HW");
        assert_eq!(check_offsets(5, 5, 4, Some(3), obj).unwrap_err().invariant, "LSO <= first open transaction");
    }
}
