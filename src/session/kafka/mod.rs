//! The Kafka model behind the session: its world and checker on a timeline, how a
//! [`Command`] becomes one of its actions ([`resolve`]), what the session indexes from its
//! notes (markers, truncations, consumer lag), its view model ([`view`]) and the text of
//! its notes ([`text`]). The session reaches all of it through [`KafkaRun`].
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

mod lag;
pub mod resolve;
mod text;

pub(super) use text::event_line;
mod view;

pub use resolve::{node_key, node_of, resolve, KNOWN_MESSAGE_KINDS};
pub use text::{action_text, anomaly_name_zh, describe_note};

use crate::checker::Anomaly;
use crate::kafka::checks::KafkaChecker;
use crate::kafka::notes::Note;
use crate::kafka::types::Tp;
use crate::kafka::world::{KafkaAction, Spec, World};
use crate::kernel::sim::Action;
use crate::kernel::{MessageInfo, Simulation, StepKind, Timeline};
use crate::lang::Lang;
use crate::scenario::{Scenario, Text};
use crate::session::command::{Command, CommandError};
use crate::session::view::{AnomalyView, LagSeries, Marker, MessageView};
use lag::LagTracker;

pub type KafkaSimulation = Simulation<World, KafkaChecker>;

/// Build the simulation of a scenario at step 0, and the texts of its narration.
pub fn build_simulation(scenario: &Scenario, seed: u64) -> (KafkaSimulation, Vec<Text>) {
    let world = World::new(scenario.spec());
    let (script, narrations) = scenario.script();
    let mut sim = Simulation::new(world, KafkaChecker::default(), seed, scenario.network.clone(), script);
    sim.set_end_time(scenario.duration_ms);
    (sim, narrations)
}

/// A truncation seen in the trace: (step, offset, removed record ids).
type Truncation = (u64, u64, Vec<u64>);

/// A Kafka run and what the session has indexed of it.
#[derive(Clone)]
pub struct KafkaRun {
    pub(super) timeline: Timeline<World, KafkaChecker>,
    /// Per (broker, partition): the truncations seen, in step order.
    truncations: BTreeMap<(u32, Tp), Vec<Truncation>>,
    lag_tracker: LagTracker,
    /// Group names, in the order of the lag series.
    groups: Vec<String>,
    lag: Vec<LagSeries>,
    /// The scenario is about durability: views mark unflushed records.
    show_flush: bool,
}

impl KafkaRun {
    /// The run of `scenario` at `seed`, at step 0, and the texts of its narration.
    pub fn new(scenario: &Scenario, seed: u64) -> (KafkaRun, Vec<Text>) {
        let (sim, narrations) = build_simulation(scenario, seed);
        let mut groups: Vec<String> = Vec::new();
        for c in &scenario.consumers {
            if !groups.contains(&c.group) {
                groups.push(c.group.clone());
            }
        }
        let lag = groups.iter().map(|g| LagSeries { group: g.clone(), points: Vec::new() }).collect();
        let run = KafkaRun {
            timeline: Timeline::new(sim),
            truncations: BTreeMap::new(),
            lag_tracker: LagTracker::default(),
            groups,
            lag,
            show_flush: about_durability(scenario),
        };
        (run, narrations)
    }

    pub fn timeline(&self) -> &Timeline<World, KafkaChecker> {
        &self.timeline
    }

    fn spec(&self) -> &Spec {
        &self.timeline.current().model.spec
    }

    /// Apply `command` at the cursor (a narration gets index `narration`); the step it
    /// became. Nothing changes when it cannot apply.
    pub fn act(&mut self, command: &Command, narration: u32) -> Result<u64, CommandError> {
        let action = match resolve(self.spec(), command)? {
            Action::Model(KafkaAction::Narrate(_)) => Action::Model(KafkaAction::Narrate(narration)),
            other => other,
        };
        Ok(self.timeline.act(action, crate::session::room_after(command)).index)
    }

    /// Forget every truncation and lag point, to index again from step 1.
    pub fn reset_index(&mut self) {
        self.truncations.clear();
        self.lag_tracker = LagTracker::default();
        for s in &mut self.lag {
            s.points.clear();
        }
    }

    /// Scan computed `steps` for markers, truncations and lag. `hand_made`: the steps
    /// the user's commands became.
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
            let mut lag_changed = false;
            for n in notes {
                self.lag_tracker.track(&self.groups, &spec, n, &mut lag_changed);
                if let Note::Truncated { broker, tp, offset, removed } = n {
                    let removed = removed.iter().map(|r| r.0).collect();
                    self.truncations.entry((broker.0, *tp)).or_default().push((step, *offset, removed));
                }
                if let Some(kind) = marker_kind(n) {
                    let (label, label_zh) = marker_labels(&spec, narrations, n);
                    out.push(Marker { step, time_ms: rec.time, kind, label, label_zh });
                }
            }
            if lag_changed {
                self.lag_tracker.push_points(&mut self.lag, &spec, step, rec.time);
            }
        }
    }

    /// Consumer lag per group over the indexed steps.
    pub fn lag_series(&self) -> &[LagSeries] {
        &self.lag
    }

    /// Anomalies visible at the cursor.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        self.timeline.current().checker.anomalies().cloned().collect()
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
                partition: text::tp_name(spec, a.stream.into()),
                records: a.records.iter().map(|r| r.0).collect(),
                detail: a.detail.clone(),
                detail_zh: a.detail_zh.clone(),
            })
            .collect()
    }

    /// One message on the wire at the cursor, with its payload summary (cut to
    /// `max_chars` characters).
    pub fn message(&self, id: u64, max_chars: usize) -> Option<MessageView> {
        let sim = self.timeline.current();
        let spec = &sim.model.spec;
        let m = sim.in_flight().find(|m| m.id.0 == id)?;
        let mut summary = text::named_partitions(spec, &m.msg.summary());
        if summary.chars().count() > max_chars {
            summary = summary.chars().take(max_chars).collect::<String>() + " …";
        }
        Some(view::message_view(spec, m, summary))
    }

    fn truncation_at(&self, broker: u32, tp: Tp, cursor: u64) -> Option<&Truncation> {
        let list = self.truncations.get(&(broker, tp))?;
        let upto = list.partition_point(|t| t.0 <= cursor);
        upto.checked_sub(1).map(|i| &list[i])
    }
}

/// The timeline marker a note makes, if any.
fn marker_kind(n: &Note) -> Option<&'static str> {
    Some(match n {
        Note::LeaderElected { .. } => "election",
        Note::IsrChanged { .. } => "isr",
        Note::BrokerFenced { .. } | Note::TxnFenced { .. } => "fenced",
        Note::BrokerCrashed { .. } | Note::ConsumerCrashed { .. } | Note::ProducerCrashed { .. } => "crash",
        Note::BrokerRestarted { .. } | Note::ConsumerRestarted { .. } | Note::ProducerRestarted { .. } => "restart",
        Note::TxnMarker { commit: true, .. } => "txn-commit",
        Note::TxnMarker { commit: false, .. } => "txn-abort",
        Note::ProducerError { .. } => "producer-error",
        Note::ControllerElected { .. } => "controller",
        Note::Narration { .. } => "narration",
        Note::Truncated { .. } => "truncation",
        Note::SegmentsDeleted { .. } => "retention",
        Note::GroupState { state: "PreparingRebalance", .. } | Note::Assignment { .. } => "rebalance",
        _ => return None,
    })
}

/// A marker's label in English and in Chinese.
fn marker_labels(spec: &Spec, narrations: &[Text], n: &Note) -> (String, String) {
    match n {
        Note::Narration { index } => match narrations.get(*index as usize) {
            Some(t) => (t.en.clone(), t.get(Lang::Zh).to_string()),
            None => (String::new(), String::new()),
        },
        other => (
            describe_note(spec, other, Lang::En).unwrap_or_default(),
            describe_note(spec, other, Lang::Zh).unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests;

/// A power loss in the timeline, or flush settings of its own: page cache versus disk is
/// part of the lesson.
fn about_durability(scenario: &Scenario) -> bool {
    let c = &scenario.cluster.config;
    scenario.timeline.iter().any(|e| matches!(e.action, Command::PowerLoss(_)))
        || c.log_flush_interval_messages != crate::kafka::config::NEVER
        || c.log_flush_interval_ms != crate::kafka::config::NEVER
}
