//! Helpers for the RocketMQ tests: run a `World` on the kernel, keep every note, check the
//! invariants after every step.
#![allow(dead_code)]

use highwater::kernel::{sim::Action, NetworkConfig, NoChecker, Simulation, Time};
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{Mq, RecordId, RocketMqAction, SendMode, World};

pub struct Run {
    pub sim: Simulation<World, NoChecker>,
    /// Every note so far, with the time of its step.
    pub notes: Vec<(Time, Note)>,
}

impl Run {
    pub fn new(spec: Spec, seed: u64, script: Vec<(Time, RocketMqAction)>) -> Run {
        let script = script.into_iter().map(|(t, a)| (t, Action::Model(a))).collect();
        let network = NetworkConfig { latency_ms: 1, jitter_ms: 0, drop: Default::default() };
        Run::with_network(spec, seed, script, network)
    }

    /// A run whose script may hold network faults too.
    pub fn with_network(
        spec: Spec,
        seed: u64,
        script: Vec<(Time, Action<RocketMqAction>)>,
        network: NetworkConfig,
    ) -> Run {
        Run { sim: Simulation::new(World::new(spec), NoChecker, seed, network, script), notes: Vec::new() }
    }

    /// Steps until the next event is after `t`, checking the invariants after each step.
    pub fn until(&mut self, t: Time) {
        let mut notes = Vec::new();
        loop {
            notes.clear();
            let before = self.sim.steps();
            self.sim.set_end_time(t);
            if self.sim.step(&mut notes).is_none() {
                break;
            }
            assert!(self.sim.steps() > before);
            let now = self.sim.now();
            self.notes.extend(notes.drain(..).map(|n| (now, n)));
            if let Err(v) = self.sim.check_invariants() {
                panic!("t = {now}: {v}");
            }
        }
    }

    /// Applies an action now (as a user's click would).
    pub fn act(&mut self, action: RocketMqAction) {
        let mut notes = Vec::new();
        self.sim.apply(&Action::Model(action), &mut notes);
        let now = self.sim.now();
        self.notes.extend(notes.into_iter().map(|n| (now, n)));
        if let Err(v) = self.sim.check_invariants() {
            panic!("t = {now}: {v}");
        }
    }

    pub fn world(&self) -> &World {
        &self.sim.model
    }

    /// Records consumer `c` consumed, in order (repeats included).
    pub fn consumed(&self, c: u32) -> Vec<RecordId> {
        self.notes
            .iter()
            .filter_map(|(_, n)| match n {
                Note::Consumed { consumer, record, .. } if *consumer == c => Some(*record),
                _ => None,
            })
            .collect()
    }

    /// Final send result of each record, by record id.
    pub fn send_results(&self) -> Vec<(RecordId, Result<String, String>)> {
        self.notes
            .iter()
            .filter_map(|(_, n)| match n {
                Note::SendFinished { record, status, .. } => {
                    Some((*record, status.clone().map(|s| s.java_name().to_string())))
                }
                _ => None,
            })
            .collect()
    }

    pub fn count_notes(&self, f: impl Fn(&Note) -> bool) -> usize {
        self.notes.iter().filter(|(_, n)| f(n)).count()
    }
}

/// One broker group "broker-a": master (index 0) and `slaves` slaves, topic "t" (index 0)
/// with `queues` queues, one producer "p" (index 0).
pub fn cluster(version: Version, role: BrokerRole, flush: FlushDiskType, slaves: u32, queues: i32) -> Spec {
    let mut spec = Spec::classic(version, &["broker-a"], role, flush, slaves).unwrap();
    spec.topic("t", queues);
    spec.producer("p");
    spec
}

pub fn send(count: u32, mode: SendMode) -> RocketMqAction {
    RocketMqAction::Send { producer: 0, topic: 0, count, mode }
}

pub fn mq(queue_id: u32) -> Mq {
    Mq { topic: 0, group: 0, queue_id }
}
