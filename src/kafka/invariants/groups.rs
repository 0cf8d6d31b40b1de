//! Consumer groups (classic protocol): the coordinator's groups, and how a member's idea of
//! its membership agrees with its group's.
//!
//! On the coordinator (`group-coordinator/src/main/java/org/apache/kafka/coordinator/group/classic/ClassicGroup.java`,
//! `GroupMetadataManager.java`):
//! - **An `Empty` group has no members**, and a group in `CompletingRebalance` or `Stable`
//!   has a leader that is one of its members (`ClassicGroup`: the leader is chosen when the
//!   join phase completes, and a group whose last member leaves becomes `Empty`).
//! - **A member waits for its JoinGroup answer only while the group prepares a rebalance,
//!   and for its SyncGroup answer only while it completes one**: completing the join
//!   answers every JoinGroup, and storing the assignment (or a new rebalance) every
//!   SyncGroup (`completeClassicGroupJoin`, `classicGroupSync`).
//! - **In a `Stable` group no partition is assigned to two members** (the leader's
//!   assignor gives each partition to one member of the generation,
//!   `clients/src/main/java/org/apache/kafka/clients/consumer/internals/AbstractPartitionAssignor.java`).
//! - **Generation never decreases** while one coordinator process holds the group
//!   (`ClassicGroup.initNextGeneration` only increments). Scoped to that: a coordinator
//!   that takes over loads the last generation *stored* in `__consumer_offsets`, which can
//!   be below one its predecessor had completed in memory but not stored yet (Kafka stores
//!   a generation with its assignment, at the leader's SyncGroup), so the memory of a group
//!   is dropped when it is unloaded or its broker restarts.
//!
//! A member's view against its coordinator (`clients/.../consumer/internals/AbstractCoordinator.java`):
//! - **A member is never ahead of its group**: a running consumer that holds an assignment
//!   of generation G (it has its SyncGroup answer, so G was stored and replicated) finds the
//!   group at generation >= G at whichever broker now coordinates it, and if the group is
//!   `Stable` at exactly G with it as a member, every partition it holds is its own there.
//!   Scoped to runs where what was replicated cannot be lost: not when
//!   `__consumer_offsets` allows unclean leader election (the new leader may lack the
//!   stored generation), and not after a broker lost power (unflushed records can vanish
//!   from every replica at once). The coordinator is the broker the controller names as
//!   leader of the group's offsets partition, once it acts as leader: a deposed
//!   coordinator that has not heard yet (a zombie) can lag behind generations its successor
//!   completed, and a fenced consumer (a zombie member) is never ahead of the real group.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::Memory;
use crate::kafka::broker::BrokerStatus;
use crate::kafka::consumer::{Consumer, ConsumerStatus, JoinState};
use crate::kafka::group::{offsets_partition_for, Group, GroupState};
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::World;
use crate::kernel::invariant::ensure;
use crate::kernel::InvariantViolation;

pub(super) fn check(world: &World, memory: &mut Memory) -> Result<(), InvariantViolation> {
    let mut generations = BTreeMap::new();
    for b in &world.brokers {
        memory.power_lost |= b.status == BrokerStatus::PoweredOff;
        for (id, g) in &b.coordinator.groups {
            let obj = || format!("group {id} at broker {}", b.id.0);
            check_group(g, obj)?;
            let key = (b.id, id.clone());
            if let Some((incarnation, before)) = memory.generations.get(&key) {
                if *incarnation == b.incarnation {
                    ensure(g.generation >= *before, "group generation never decreases", obj, || {
                        format!("generation {} after {before}", g.generation)
                    })?;
                }
            }
            generations.insert(key, (b.incarnation, g.generation));
        }
    }
    memory.generations = generations;
    if memory.power_lost || world.spec.offsets_topic.is_some_and(|t| world.spec.unclean_leader_election(t)) {
        return Ok(());
    }
    for c in &world.consumers {
        check_member(world, c)?;
    }
    Ok(())
}

/// The rules one coordinator's group keeps on its own.
pub(crate) fn check_group(g: &Group, obj: impl Fn() -> String) -> Result<(), InvariantViolation> {
    let state = g.state.name();
    ensure(g.state != GroupState::Empty || g.members.is_empty(), "an Empty group has no members", &obj, || {
        format!("{} members in state Empty", g.members.len())
    })?;
    if matches!(g.state, GroupState::CompletingRebalance | GroupState::Stable) {
        let leader = g.leader.as_ref().filter(|l| g.members.contains_key(*l));
        ensure(leader.is_some(), "the group's leader is a member", &obj, || {
            format!("leader {:?} in state {state}", g.leader.as_deref())
        })?;
    }
    for m in g.members.values() {
        ensure(
            m.awaiting_join.is_none() || g.state == GroupState::PreparingRebalance,
            "a JoinGroup waits only during PreparingRebalance",
            &obj,
            || format!("member {} waits for its JoinGroup answer in state {state}", m.id),
        )?;
        ensure(
            m.awaiting_sync.is_none() || g.state == GroupState::CompletingRebalance,
            "a SyncGroup waits only during CompletingRebalance",
            &obj,
            || format!("member {} waits for its SyncGroup answer in state {state}", m.id),
        )?;
    }
    if g.state == GroupState::Stable {
        let mut owner: BTreeMap<Tp, &Rc<str>> = BTreeMap::new();
        for m in g.members.values() {
            for tp in &m.assignment {
                if let Some(other) = owner.insert(*tp, &m.id) {
                    return Err(InvariantViolation::new(
                        "each partition assigned to one member",
                        obj(),
                        format!(
                            "partition {}/{} assigned to {other} and {} in generation {}",
                            tp.topic, tp.partition, m.id, g.generation
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The group as its current coordinator holds it: the broker the controller names leader
/// of the group's offsets partition, running and acting as that leader.
fn current_group<'a>(world: &'a World, group: &Rc<str>) -> Option<(BrokerId, &'a Group)> {
    let topic = world.spec.offsets_topic?;
    let tp = Tp { topic, partition: offsets_partition_for(group, world.spec.topics[topic as usize].partitions) };
    let leader = world.controller.partitions.get(&tp)?.leader?;
    let b = world.broker(leader);
    if !b.is_running() || !b.replicas.get(&tp).is_some_and(|r| r.is_leader) {
        return None;
    }
    b.coordinator.groups.get(group).map(|g| (leader, g))
}

/// A member holding an assignment of generation G is never ahead of its group.
fn check_member(world: &World, c: &Consumer) -> Result<(), InvariantViolation> {
    // A member whose new assignment waits for its next poll() (onJoinComplete) still holds
    // its old partitions, as Kafka's does.
    if c.status != ConsumerStatus::Running || c.join_state != JoinState::Member || c.assignment_pending() {
        return Ok(());
    }
    let Some((broker, g)) = current_group(world, &c.group) else { return Ok(()) };
    let obj =
        || format!("consumer {} (member {} of group {} in generation {})", c.name, c.member_id, c.group, c.generation);
    ensure(g.generation >= c.generation, "a member is never ahead of its group", obj, || {
        format!("its coordinator, broker {}, has the group at generation {}", broker.0, g.generation)
    })?;
    let Some(m) = g.members.get(&c.member_id) else { return Ok(()) };
    if g.generation != c.generation || g.state != GroupState::Stable {
        return Ok(());
    }
    let foreign: Vec<&Tp> = c.assignment.iter().filter(|tp| !m.assignment.contains(tp)).collect();
    ensure(foreign.is_empty(), "a member holds only its own partitions", obj, || {
        format!("it holds {foreign:?}, which broker {} does not assign to it", broker.0)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, world_at};
    use super::*;

    /// The run with its group stable, the coordinator's broker index and the group id.
    fn stable() -> (World, usize, Rc<str>) {
        let w = world_at(12_000);
        let id: Rc<str> = Rc::from("g");
        let (b, generation) = {
            let (b, g) = current_group(&w, &id).expect("the group has a coordinator");
            assert_eq!((g.state, g.members.len()), (GroupState::Stable, 2));
            ((b.0 - 1) as usize, g.generation)
        };
        assert!(w.consumers.iter().all(|c| c.join_state == JoinState::Member && c.generation == generation));
        (w, b, id)
    }

    fn group_mut<'a>(w: &'a mut World, b: usize, id: &Rc<str>) -> &'a mut Group {
        w.brokers[b].coordinator.groups.get_mut(id).unwrap()
    }

    fn fails_with(world: &World, invariant: &str) {
        let e = check(world).expect_err("the corrupted state is caught");
        assert_eq!(e.invariant, invariant, "{e}");
    }

    #[test]
    fn a_correct_run_keeps_them() {
        let (w, _, _) = stable();
        assert_eq!(check(&w), Ok(()));
    }

    #[test]
    fn an_empty_group_with_members_fires() {
        let (mut w, b, id) = stable();
        group_mut(&mut w, b, &id).state = GroupState::Empty;
        fails_with(&w, "an Empty group has no members");
    }

    #[test]
    fn a_stable_group_without_its_leader_fires() {
        let (mut w, b, id) = stable();
        group_mut(&mut w, b, &id).leader = Some(Rc::from("nobody"));
        fails_with(&w, "the group's leader is a member");
    }

    #[test]
    fn a_join_or_sync_waiting_in_the_wrong_state_fires() {
        let (mut w, b, id) = stable();
        group_mut(&mut w, b, &id).members.values_mut().next().unwrap().awaiting_join = Some(7);
        fails_with(&w, "a JoinGroup waits only during PreparingRebalance");
        let (mut w, b, id) = stable();
        group_mut(&mut w, b, &id).members.values_mut().next().unwrap().awaiting_sync = Some(7);
        fails_with(&w, "a SyncGroup waits only during CompletingRebalance");
    }

    #[test]
    fn a_partition_assigned_twice_fires() {
        let (mut w, b, id) = stable();
        let g = group_mut(&mut w, b, &id);
        let all: Vec<Tp> = g.members.values().flat_map(|m| m.assignment.clone()).collect();
        g.members.values_mut().next().unwrap().assignment = all;
        fails_with(&w, "each partition assigned to one member");
    }

    #[test]
    fn a_generation_going_back_fires_within_one_coordinator_only() {
        let (w, b, id) = stable();
        let mut memory = Memory::default();
        super::check(&w, &mut memory).unwrap();
        let mut later = w.clone();
        group_mut(&mut later, b, &id).generation -= 1;
        // Consumers that now look ahead of their group would fire too: not this rule's test.
        later.consumers.clear();
        let e = super::check(&later, &mut memory.clone()).unwrap_err();
        assert_eq!(e.invariant, "group generation never decreases");
        // A restarted coordinator loads what was stored: a fresh start.
        later.brokers[b].incarnation += 1;
        assert_eq!(super::check(&later, &mut memory.clone()), Ok(()));
        // So does one that unloaded the group in between.
        let mut unloaded = w.clone();
        unloaded.brokers[b].coordinator.groups.clear();
        let mut m = memory.clone();
        super::check(&unloaded, &mut m).unwrap();
        later.brokers[b].incarnation -= 1;
        assert_eq!(super::check(&later, &mut m), Ok(()));
    }

    #[test]
    fn a_member_ahead_of_its_group_fires() {
        let (mut w, _, _) = stable();
        w.consumers[0].generation += 1;
        fails_with(&w, "a member is never ahead of its group");
    }

    #[test]
    fn a_member_holding_a_partition_of_another_fires() {
        let (mut w, _, _) = stable();
        let theirs = w.consumers[1].assignment.clone();
        assert!(!theirs.is_empty());
        w.consumers[0].assignment.extend(theirs);
        fails_with(&w, "a member holds only its own partitions");
    }

    #[test]
    fn member_checks_are_off_after_a_power_loss() {
        let (mut w, _, _) = stable();
        w.consumers[0].generation += 1;
        let mut memory = Memory { power_lost: true, ..Default::default() };
        assert_eq!(super::check(&w, &mut memory), Ok(()));
    }
}
