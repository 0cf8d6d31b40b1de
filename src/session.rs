//! The façade the UI and the CLI drive: a scenario's run as a timeline you can step,
//! seek, act on and read as view models. Commands in, plain data out; nothing here
//! exposes engine internals to the UI.
use std::rc::Rc;

use crate::checker::{Anomaly, KafkaChecker};
use crate::kafka::broker::BrokerStatus;
use crate::kafka::notes::Note;
use crate::kafka::types::BrokerId;
use crate::kafka::world::{KafkaAction, World};
use crate::kernel::sim::Action;
use crate::kernel::{MessageInfo, NetFault, NodeId, Simulation, StepKind, Timeline};
use crate::scenario::{Scenario, Text};
use crate::view::{BrokerView, ClientView, ClusterView, Marker, MessageView, PartitionView, ReplicaView};

pub type KafkaSimulation = Simulation<World, KafkaChecker>;

/// Build the simulation of a scenario at step 0.
pub fn build_simulation(scenario: &Scenario, seed: u64) -> (KafkaSimulation, Vec<Text>) {
    let world = World::new(scenario.spec());
    let (script, narrations) = scenario.script();
    let mut sim = Simulation::new(world, KafkaChecker::default(), seed, scenario.network.clone(), script);
    sim.set_end_time(scenario.duration_ms);
    (sim, narrations)
}

/// What a user can do to the cluster from the UI, at the current step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Crash(u32),
    PowerLoss(u32),
    Restart(u32),
    /// Cut every link of a node ("b2" or a client name).
    Isolate(String),
    Cut(String, String),
    Heal(String, String),
    HealAll,
    Slow(String, u64),
    Produce { producer: String, topic: String, key: Option<String>, count: u32 },
}

#[derive(Clone)]
pub struct Session {
    scenario: Rc<Scenario>,
    narrations: Rc<Vec<Text>>,
    timeline: Timeline<World, KafkaChecker>,
    /// Markers of the computed steps, in step order (rebuilt past a branch point).
    markers: Vec<Marker>,
    /// Steps scanned for markers so far.
    indexed: u64,
}

impl Session {
    /// Load a scenario; the error says what is wrong and where.
    pub fn from_scenario_json(text: &str) -> Result<Session, String> {
        Scenario::from_json(text).map(Session::new).map_err(|e| e.to_string())
    }

    pub fn new(scenario: Scenario) -> Session {
        Self::with_seed(scenario.seed, scenario)
    }

    pub fn with_seed(seed: u64, scenario: Scenario) -> Session {
        let (sim, narrations) = build_simulation(&scenario, seed);
        Session { scenario: Rc::new(scenario), narrations: Rc::new(narrations), timeline: Timeline::new(sim), markers: Vec::new(), indexed: 0 }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn cursor(&self) -> u64 {
        self.timeline.cursor()
    }
    /// Steps computed so far.
    pub fn horizon(&self) -> u64 {
        self.timeline.horizon()
    }
    /// True when the cursor is at the last step of the run.
    pub fn at_end(&self) -> bool {
        self.timeline.finished() && self.cursor() == self.horizon()
    }
    pub fn step_forward(&mut self) -> bool {
        let moved = self.timeline.step_forward();
        self.index();
        moved
    }
    pub fn step_back(&mut self) -> bool {
        self.timeline.step_back()
    }
    pub fn seek(&mut self, step: u64) -> u64 {
        let at = self.timeline.seek(step);
        self.index();
        at
    }
    /// Compute the whole run (up to `max_steps` more steps) without moving the cursor.
    pub fn compute_ahead(&mut self, max_steps: u64) -> u64 {
        let n = self.timeline.extend(max_steps);
        self.index();
        n
    }

    /// Timeline markers of every computed step.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Scan newly computed steps for markers.
    fn index(&mut self) {
        let horizon = self.timeline.horizon();
        let spec = self.timeline.current().model.spec.clone();
        for step in self.indexed + 1..=horizon {
            let (rec, notes) = self.timeline.record(step).expect("computed step");
            for n in notes {
                let kind = match n {
                    Note::LeaderElected { .. } => "election",
                    Note::IsrChanged { .. } => "isr",
                    Note::BrokerFenced { .. } => "fenced",
                    Note::BrokerCrashed { .. } => "crash",
                    Note::BrokerRestarted { .. } => "restart",
                    Note::ControllerElected { .. } => "controller",
                    Note::Narration { .. } => "narration",
                    Note::Truncated { .. } => "truncation",
                    _ => continue,
                };
                let label = match n {
                    Note::Narration { index } => self.narrations.get(*index as usize).map(|t| t.en.clone()).unwrap_or_default(),
                    other => describe_note(&spec, other).unwrap_or_default(),
                };
                self.markers.push(Marker { step, time_ms: rec.time, kind, label });
            }
        }
        self.indexed = horizon;
    }
    /// Trace digest at the cursor.
    pub fn digest(&self) -> u64 {
        self.timeline.current().digest()
    }
    pub fn current(&self) -> &KafkaSimulation {
        self.timeline.current()
    }
    pub fn timeline(&self) -> &Timeline<World, KafkaChecker> {
        &self.timeline
    }

    /// Anomalies visible at the cursor.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        self.timeline.current().checker.anomalies().cloned().collect()
    }

    /// Apply a command at the cursor; the future after it is recomputed (a new branch).
    pub fn act(&mut self, command: &Command) -> Result<u64, String> {
        let s = &self.scenario;
        let node = |name: &str| s.node(name).ok_or_else(|| format!("unknown node \"{name}\""));
        let broker = |b: u32| {
            if b >= 1 && b <= s.cluster.brokers {
                Ok(BrokerId(b))
            } else {
                Err(format!("no broker {b}"))
            }
        };
        let action = match command {
            Command::Crash(b) => Action::Model(KafkaAction::Crash(broker(*b)?)),
            Command::PowerLoss(b) => Action::Model(KafkaAction::PowerLoss(broker(*b)?)),
            Command::Restart(b) => Action::Model(KafkaAction::Restart(broker(*b)?)),
            Command::Isolate(n) => Action::Net(NetFault::Isolate(node(n)?)),
            Command::Cut(a, b) => Action::Net(NetFault::Cut(node(a)?, node(b)?)),
            Command::Heal(a, b) => Action::Net(NetFault::Heal(node(a)?, node(b)?)),
            Command::HealAll => Action::Net(NetFault::HealAll),
            Command::Slow(n, ms) => Action::Net(NetFault::Slow(node(n)?, *ms)),
            Command::Produce { producer, topic, key, count } => {
                let p = s.producers.iter().position(|x| &x.name == producer).ok_or_else(|| format!("unknown producer \"{producer}\""))?;
                let t = s.topics.iter().position(|x| &x.name == topic).ok_or_else(|| format!("unknown topic \"{topic}\""))?;
                if *count == 0 || *count > 10_000 {
                    return Err("count must be between 1 and 10000".into());
                }
                Action::Model(KafkaAction::Produce { producer: p as u32, topic: t as u32, key: key.clone(), count: *count, partition: None })
            }
        };
        let cursor = self.cursor();
        let step = self.timeline.act(action).index;
        // The old future is gone: so are its markers.
        let keep = self.markers.partition_point(|m| m.step <= cursor);
        self.markers.truncate(keep);
        self.indexed = cursor;
        self.index();
        Ok(step)
    }

    /// The latest narration at or before the cursor.
    pub fn narration(&self, lang: &str) -> Option<String> {
        let cursor = self.cursor();
        let upto = self.markers.partition_point(|m| m.step <= cursor);
        let m = self.markers[..upto].iter().rev().find(|m| m.kind == "narration")?;
        let (_, notes) = self.timeline.record(m.step)?;
        notes.iter().rev().find_map(|n| match n {
            Note::Narration { index } => self.narrations.get(*index as usize).map(|t| t.get(lang).to_string()),
            _ => None,
        })
    }

    /// Everything the picture needs at the cursor.
    pub fn view(&self) -> ClusterView {
        let sim = self.timeline.current();
        let world = &sim.model;
        let spec = &world.spec;
        let active = world.controller.active;
        let brokers = world
            .brokers
            .iter()
            .map(|b| BrokerView {
                id: b.id.0,
                status: match b.status {
                    BrokerStatus::Running if world.controller.brokers.get(&b.id).is_some_and(|r| r.fenced) => "fenced",
                    BrokerStatus::Running => "up",
                    BrokerStatus::Crashed => "crashed",
                    BrokerStatus::PoweredOff => "powered-off",
                }
                .to_string(),
                is_controller: active == Some(b.id),
                replicas: b
                    .replicas
                    .iter()
                    .map(|(tp, r)| ReplicaView {
                        topic: spec.topics[tp.topic as usize].name.clone(),
                        partition: tp.partition,
                        is_leader: r.is_leader,
                        in_isr: world.controller.partitions.get(tp).is_some_and(|s| s.isr.contains(&b.id)),
                        leader_epoch: r.state.leader_epoch,
                        log_start_offset: r.log.log_start_offset(),
                        log_end_offset: r.log.log_end_offset(),
                        high_watermark: r.log.high_watermark(),
                        epoch_runs: r.log.epochs().to_vec(),
                        flushed_offset: r.log.flushed_offset(),
                    })
                    .collect(),
            })
            .collect();
        let partitions = world
            .controller
            .partitions
            .values()
            .map(|st| {
                let leader_log = st.leader.and_then(|l| world.broker(l).replicas.get(&st.tp)).map(|r| &r.log);
                PartitionView {
                    topic: spec.topics[st.tp.topic as usize].name.clone(),
                    partition: st.tp.partition,
                    leader: st.leader.map(|b| b.0),
                    leader_epoch: st.leader_epoch,
                    replicas: st.replicas.iter().map(|b| b.0).collect(),
                    isr: st.isr.iter().map(|b| b.0).collect(),
                    high_watermark: leader_log.map(|l| l.high_watermark()).unwrap_or(0),
                    log_end_offset: leader_log.map(|l| l.log_end_offset()).unwrap_or(0),
                }
            })
            .collect();
        let in_flight = sim
            .in_flight()
            .map(|m| MessageView {
                id: m.id.0,
                from: spec.node_name(m.from),
                to: spec.node_name(m.to),
                kind: m.msg.kind().to_string(),
                summary: m.msg.summary(),
                sent_at_ms: m.sent_at,
                deliver_at_ms: m.deliver_at,
            })
            .collect();
        let mut clients: Vec<ClientView> = world
            .producers
            .iter()
            .map(|p| ClientView {
                name: p.name.clone(),
                kind: "producer".into(),
                summary: format!("acks={} acked={} failed={} pending={}", p.config.acks.as_str(), p.acked, p.failed, p.pending()),
            })
            .collect();
        clients.extend(world.readers.iter().map(|r| ClientView {
            name: r.name.clone(),
            kind: "reader".into(),
            summary: format!("read={} positions={:?}", r.records_read, r.positions.values().collect::<Vec<_>>()),
        }));
        ClusterView {
            step: sim.steps(),
            time_ms: sim.now(),
            brokers,
            partitions,
            in_flight,
            clients,
            controller: active.map(|b| b.0),
            narration: self.narration("en"),
        }
    }

    /// One line describing step `index` (1-based), for event logs.
    pub fn describe_step(&self, index: u64) -> Option<String> {
        let (rec, notes) = self.timeline.record(index)?;
        let spec = &self.timeline.current().model.spec;
        let name = |n: NodeId| spec.node_name(n);
        let mut line = match &rec.kind {
            StepKind::Deliver { from, to, kind, .. } => format!("{kind} {} → {}", name(*from), name(*to)),
            StepKind::Drop { from, to, kind, reason, .. } => format!("{kind} {} → {} dropped ({})", name(*from), name(*to), reason.as_str()),
            StepKind::Timer { node, name: t } => format!("{} timer {t}", name(*node)),
            StepKind::Action { label } => label.clone(),
        };
        for n in notes {
            if let Some(s) = describe_note(spec, n) {
                line.push_str("; ");
                line.push_str(&s);
            }
        }
        Some(line)
    }
}

/// Human text for the notes worth showing in an event log.
pub fn describe_note(spec: &crate::kafka::world::Spec, n: &Note) -> Option<String> {
    Some(match n {
        Note::LeaderElected { tp, leader, leader_epoch, unclean, .. } => format!(
            "{} leader → {} (epoch {leader_epoch}){}",
            spec.tp_name(*tp),
            leader.map(|b| format!("broker {}", b.0)).unwrap_or_else(|| "none (offline)".into()),
            if *unclean { " UNCLEAN" } else { "" }
        ),
        Note::IsrChanged { tp, isr, .. } => format!("{} ISR → {:?}", spec.tp_name(*tp), isr.iter().map(|b| b.0).collect::<Vec<_>>()),
        Note::BrokerFenced { broker } => format!("broker {} fenced", broker.0),
        Note::BrokerUnfenced { broker } => format!("broker {} unfenced", broker.0),
        Note::BrokerCrashed { broker, power_loss } => format!("broker {} {}", broker.0, if *power_loss { "lost power" } else { "crashed" }),
        Note::BrokerRestarted { broker, lost_unflushed } => format!("broker {} restarted (lost {lost_unflushed} unflushed)", broker.0),
        Note::ControllerElected { broker, epoch } => format!("broker {} is the active controller (epoch {epoch})", broker.0),
        Note::Truncated { broker, tp, offset, removed } => format!("broker {} truncated {} to {offset} ({} removed)", broker.0, spec.tp_name(*tp), removed.len()),
        Note::HighWatermark { broker, tp, high_watermark } => format!("broker {} {} HW={high_watermark}", broker.0, spec.tp_name(*tp)),
        Note::RecordAcked { record, tp, offset } => format!("record #{} acked at {} offset {offset}", record.0, spec.tp_name(*tp)),
        Note::RecordFailed { record, error, .. } => format!("record #{} failed: {}", record.0, error.name()),
        Note::ProduceError { tp, error, retrying, .. } => format!("{} {}{}", spec.tp_name(*tp), error.name(), if *retrying { ", retrying" } else { "" }),
        _ => return None,
    })
}
