//! The RocketMQ model behind the session: its world on a timeline, how a [`Command`]
//! becomes one of its actions ([`resolve`]), what the session indexes from its notes
//! (markers), its view model ([`view`]) and the text of its notes ([`text`]).
use std::ops::RangeInclusive;

pub mod resolve;
pub mod text;
mod view;

pub use resolve::{broker_name, node_key, node_of, resolve, KNOWN_MESSAGE_KINDS};
pub use text::{action_text, describe_note};

use crate::checker::Anomaly;
use crate::kernel::sim::Action;
use crate::kernel::{MessageInfo, Simulation, StepKind, Timeline};
use crate::lang::Lang;
use crate::rocketmq::checks::stream_name;
use crate::rocketmq::notes::Note;
use crate::rocketmq::world::{Spec, World};
use crate::rocketmq::RocketMqAction;
use crate::scenario::rocketmq::RocketMqScenario;
use crate::scenario::Text;
use crate::session::command::{Command, CommandError};
use crate::session::view::{AnomalyView, Marker, MessageView};
use crate::session::wire::{self, Naming};

pub use crate::rocketmq::checks::RocketMqChecker;
pub type RocketMqSimulation = Simulation<World, RocketMqChecker>;

/// Build the simulation of a RocketMQ scenario at step 0, and the texts of its narration.
pub fn build_simulation(doc: &RocketMqScenario, seed: u64) -> (RocketMqSimulation, Vec<Text>) {
    let spec = doc.build_spec().expect("validated");
    let (script, narrations) = doc.script(&spec);
    let mut sim = Simulation::new(World::new(spec), RocketMqChecker::default(), seed, doc.network.clone(), script);
    sim.set_end_time(doc.duration_ms);
    (sim, narrations)
}

/// Every anomaly the checker of `sim` has reported.
pub fn anomalies(sim: &RocketMqSimulation) -> Vec<Anomaly> {
    sim.checker.anomalies().cloned().collect()
}

#[derive(Clone)]
pub struct RocketMqRun {
    pub(super) timeline: Timeline<World, RocketMqChecker>,
    /// Per consumer, the steps at which its listener consumed a message (indexed).
    consumed_at: Vec<Vec<u64>>,
}

impl RocketMqRun {
    pub fn new(doc: &RocketMqScenario, seed: u64) -> (RocketMqRun, Vec<Text>) {
        let (sim, narrations) = build_simulation(doc, seed);
        let consumers = sim.model.consumers.len();
        (RocketMqRun { timeline: Timeline::new(sim), consumed_at: vec![Vec::new(); consumers] }, narrations)
    }

    pub fn timeline(&self) -> &Timeline<World, RocketMqChecker> {
        &self.timeline
    }

    fn spec(&self) -> &Spec {
        &self.timeline.current().model.spec
    }

    /// Apply `command` at the cursor (a narration gets index `narration`).
    pub fn act(&mut self, command: &Command, narration: u32) -> Result<u64, CommandError> {
        let action = match resolve(self.spec(), command)? {
            Action::Model(RocketMqAction::Narrate(_)) => Action::Model(RocketMqAction::Narrate(narration)),
            other => other,
        };
        Ok(self.timeline.act(action, crate::session::room_after(command)).index)
    }

    /// Scan computed `steps` for markers.
    pub fn index(&mut self, steps: RangeInclusive<u64>, narrations: &[Text], hand_made: &[u64], out: &mut Vec<Marker>) {
        let spec = self.spec().clone();
        for step in steps {
            let (rec, notes) = self.timeline.record(step).expect("computed step");
            if let StepKind::Action { label } = &rec.kind {
                let is_narration = notes.iter().any(|n| matches!(n, Note::Narration { .. }));
                if !is_narration && (hand_made.contains(&step) || label.starts_with("producer")) {
                    let (label, label_zh) = (action_text(&spec, label, Lang::En), action_text(&spec, label, Lang::Zh));
                    out.push(Marker { step, time_ms: rec.time, kind: "action", label, label_zh });
                }
            }
            for n in notes {
                if let Note::Consumed { consumer, .. } = n {
                    self.consumed_at[*consumer as usize].push(step);
                }
                if let Some(kind) = text::marker_kind(n) {
                    let (label, label_zh) = match n {
                        Note::Narration { index } => match narrations.get(*index as usize) {
                            Some(t) => (t.en.clone(), t.get(Lang::Zh).to_string()),
                            None => (String::new(), String::new()),
                        },
                        other => (
                            describe_note(&spec, other, Lang::En).unwrap_or_default(),
                            describe_note(&spec, other, Lang::Zh).unwrap_or_default(),
                        ),
                    };
                    out.push(Marker { step, time_ms: rec.time, kind, label, label_zh });
                }
            }
        }
    }

    /// Forget what was indexed, to index again from step 1.
    pub fn reset_index(&mut self) {
        self.consumed_at.iter_mut().for_each(Vec::clear);
    }

    /// Messages consumer `c`'s listener consumed up to step `at` (of the indexed steps).
    pub(super) fn consumed(&self, c: u32, at: u64) -> u64 {
        self.consumed_at[c as usize].partition_point(|s| *s <= at) as u64
    }

    /// Anomalies visible at the cursor.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        anomalies(self.timeline.current())
    }

    /// Anomalies visible at the cursor, as the UI lists them.
    pub fn anomaly_views(&self) -> Vec<AnomalyView> {
        let spec = self.spec();
        self.timeline
            .current()
            .checker
            .anomalies()
            .map(|a| AnomalyView {
                kind: a.kind.name().to_string(),
                notice: a.kind.is_notice(),
                step: a.step,
                time_ms: a.time_ms,
                partition: stream_name(spec, a.stream),
                records: a.records.iter().map(|r| r.0).collect(),
                detail: a.detail.clone(),
                // The checker words RocketMQ's causes in English only.
                detail_zh: crate::session::engine_zh::zh_tail(&a.detail_zh),
            })
            .collect()
    }

    /// One message on the wire at the cursor, with its payload summary.
    pub fn message(&self, id: u64, max_chars: usize) -> Option<MessageView> {
        let sim = self.timeline.current();
        let spec = &sim.model.spec;
        let m = sim.in_flight().find(|m| m.id.0 == id)?;
        let mut summary = m.msg.summary();
        if summary.chars().count() > max_chars {
            summary = summary.chars().take(max_chars).collect::<String>() + " …";
        }
        let key = |n| node_key(spec, n);
        Some(wire::message_view(&Naming { key: &key, name: &key }, m, summary))
    }
}
