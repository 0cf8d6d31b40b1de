//! The façade the UI and the CLI drive: a scenario's run as a timeline you can step,
//! seek, act on and read as view models. Commands in, plain data out; nothing here
//! exposes engine internals to the UI.
//!
//! A run is of one broker model, chosen by the scenario's `model` field. This file is
//! model-neutral: the session (cursor, hand-made actions and their replay, markers,
//! narration) dispatches to the model behind [`Run`], and each model's module (today
//! [`kafka`]) brings its world, how a [`Command`] becomes its action, its view model and
//! the text of its notes. See docs/engine.md, "Models".
use std::rc::Rc;

pub mod command;
mod engine_zh;
mod events;
pub mod kafka;
mod net_text;
pub(crate) mod network;
mod off_script;
mod replay;
pub mod rocketmq;
pub mod rocketmq_view;
pub mod view;
pub(crate) mod wire;

pub use crate::lang::Lang;
pub use command::{decode_field, encode_field, Command, CommandError, MAX_PAUSE_MS, MAX_PRODUCE_COUNT};
pub use events::EventFilter;
pub use kafka::{anomaly_name_zh, build_simulation, KafkaSimulation};
pub use replay::{action_item, parse_action_item};
pub use view::ViewOptions;

use crate::checker::Anomaly;
use crate::kafka::checks::KafkaChecker;
use crate::kafka::world::World;
use crate::kernel::Timeline;
use crate::scenario::{Model, Scenario, Text};
use view::{AnomalyView, ClusterView, EventLine, LagSeries, Marker, MessageView};

/// The run of one broker model. Boxed: a session is cloned and moved as a whole, and a
/// second model's run need not be the size of the first.
#[derive(Clone)]
enum Run {
    Kafka(Box<kafka::KafkaRun>),
    RocketMq(Box<rocketmq::RocketMqRun>),
}

impl Run {
    fn new(scenario: &Scenario, seed: u64) -> (Run, Vec<Text>) {
        match scenario.model {
            Model::Kafka => {
                let (run, narrations) = kafka::KafkaRun::new(scenario, seed);
                (Run::Kafka(Box::new(run)), narrations)
            }
            Model::RocketMq => {
                let doc = scenario.rocketmq.as_ref().expect("a RocketMQ scenario carries its document");
                let (run, narrations) = rocketmq::RocketMqRun::new(doc, seed);
                (Run::RocketMq(Box::new(run)), narrations)
            }
        }
    }
    fn cursor(&self) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.cursor(),
            Run::RocketMq(r) => r.timeline.cursor(),
        }
    }
    fn horizon(&self) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.horizon(),
            Run::RocketMq(r) => r.timeline.horizon(),
        }
    }
    fn finished(&self) -> bool {
        match self {
            Run::Kafka(k) => k.timeline.finished(),
            Run::RocketMq(r) => r.timeline.finished(),
        }
    }
    fn step_forward(&mut self) -> bool {
        match self {
            Run::Kafka(k) => k.timeline.step_forward(),
            Run::RocketMq(r) => r.timeline.step_forward(),
        }
    }
    fn step_back(&mut self) -> bool {
        match self {
            Run::Kafka(k) => k.timeline.step_back(),
            Run::RocketMq(r) => r.timeline.step_back(),
        }
    }
    fn seek(&mut self, step: u64) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.seek(step),
            Run::RocketMq(r) => r.timeline.seek(step),
        }
    }
    fn extend(&mut self, max_steps: u64) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.extend(max_steps),
            Run::RocketMq(r) => r.timeline.extend(max_steps),
        }
    }
    fn thin_checkpoints(&mut self) -> bool {
        match self {
            Run::Kafka(k) => k.timeline.thin_checkpoints(),
            Run::RocketMq(r) => r.timeline.thin_checkpoints(),
        }
    }
    fn checkpoint_spacing(&self) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.checkpoint_spacing(),
            Run::RocketMq(r) => r.timeline.checkpoint_spacing(),
        }
    }
    fn stopped(&self) -> Option<Stopped> {
        match self {
            Run::Kafka(k) => Stopped::of(k.timeline()),
            Run::RocketMq(r) => Stopped::of(r.timeline()),
        }
    }
    fn digest(&self) -> u64 {
        match self {
            Run::Kafka(k) => k.timeline.current().digest(),
            Run::RocketMq(r) => r.timeline.current().digest(),
        }
    }
    fn anomaly_views(&self) -> Vec<AnomalyView> {
        match self {
            Run::Kafka(k) => k.anomaly_views(),
            Run::RocketMq(r) => r.anomaly_views(),
        }
    }
    fn event_line(&self, narrations: &[Text], step: u64, lang: Lang) -> Option<EventLine> {
        match self {
            Run::Kafka(k) => kafka::event_line(k, narrations, step, lang),
            Run::RocketMq(r) => rocketmq::text::event_line(r, narrations, step, lang),
        }
    }
}

/// Where the kernel's livelock bound stopped a run: [`crate::kernel::sim::LIVELOCK_STEPS`]
/// steps in a row at one simulated instant (something resends without backoff). Such a
/// run ends there, before its `duration_ms`, and its verdict is not a verdict of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// The last step computed (the run ends here).
    pub step: u64,
    /// The simulated time at which the clock stopped, in ms.
    pub time_ms: u64,
    /// How many steps in a row ran at `time_ms` (the bound).
    pub steps_at_one_instant: u64,
}

impl Stopped {
    fn of<M: crate::kernel::Model, C: crate::kernel::Checker<M>>(t: &Timeline<M, C>) -> Option<Stopped> {
        if !t.livelocked() {
            return None;
        }
        // The frontier is the last computed step: where the bound stopped the run.
        let step = t.horizon();
        let time_ms = t.record(step).map_or(0, |(r, _)| r.time);
        Some(Stopped { step, time_ms, steps_at_one_instant: crate::kernel::sim::LIVELOCK_STEPS })
    }
}

#[derive(Clone)]
pub struct Session {
    scenario: Rc<Scenario>,
    seed: u64,
    /// The narration texts: the scenario's, then those of hand-made `Narrate` commands.
    narrations: Rc<Vec<Text>>,
    /// How many of `narrations` the scenario has.
    scenario_narrations: usize,
    run: Run,
    /// Markers of the computed steps, in step order (rebuilt past a branch point).
    markers: Vec<Marker>,
    /// Steps scanned for markers so far.
    indexed: u64,
    /// The commands applied by hand and still in effect: (cursor when applied, command).
    /// Each became step `cursor + 1`.
    actions: Vec<(u64, Command)>,
    /// Every anomaly of the run, once the whole run has been computed.
    final_anomalies: Option<Vec<AnomalyView>>,
}

impl Session {
    /// Load a scenario; the error says what is wrong and where.
    pub fn new(scenario: Scenario) -> Session {
        Self::with_seed(scenario.seed, scenario)
    }

    pub fn with_seed(seed: u64, scenario: Scenario) -> Session {
        let (run, narrations) = Run::new(&scenario, seed);
        Session {
            scenario: Rc::new(scenario),
            seed,
            scenario_narrations: narrations.len(),
            narrations: Rc::new(narrations),
            run,
            markers: Vec::new(),
            indexed: 0,
            actions: Vec::new(),
            final_anomalies: None,
        }
    }

    /// A session for `scenario` and `seed` with `actions` applied (as [`Session::actions`]
    /// lists them) and the cursor at `step`. The error names the action that failed.
    pub fn replay(scenario: Scenario, seed: u64, actions: &[(u64, Command)], step: u64) -> Result<Session, String> {
        let mut s = Session::with_seed(seed, scenario);
        let mut last: Option<u64> = None;
        for (i, (at, cmd)) in actions.iter().enumerate() {
            let n = i + 1;
            if last.is_some_and(|l| *at <= l) {
                return Err(format!("action {n} ({}) is at step {at}, not after the previous one", cmd.to_token()));
            }
            if s.seek(*at) != *at {
                let end = s.horizon();
                return Err(format!("action {n} ({}) is at step {at}, but the run ends at step {end}", cmd.to_token()));
            }
            s.act(cmd).map_err(|e| format!("action {n} ({}): {e}", cmd.to_token()))?;
            last = Some(*at);
        }
        // A step past the end opens at the last step (the caller can tell by the cursor).
        s.seek(step);
        Ok(s)
    }

    /// The same run with another scenario (for changes that cannot be made mid-run): the
    /// hand-made actions are applied again and the cursor returns to the same step.
    pub fn rebuilt_with(&self, scenario: Scenario) -> Result<Session, String> {
        Session::replay(scenario, self.seed, &self.actions, self.cursor())
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The commands applied by hand and still in effect: (cursor when applied, command).
    pub fn actions(&self) -> &[(u64, Command)] {
        &self.actions
    }
    pub fn cursor(&self) -> u64 {
        self.run.cursor()
    }
    /// Steps computed so far.
    pub fn horizon(&self) -> u64 {
        self.run.horizon()
    }
    /// True once the whole run has been computed.
    pub fn finished(&self) -> bool {
        self.run.finished()
    }
    /// Where the run was stopped by the livelock bound, once it has been computed that far:
    /// the run ends there, so the UI and the CLI must not call its verdict "ok".
    pub fn stopped(&self) -> Option<Stopped> {
        self.run.stopped()
    }
    /// True when the cursor is at the last step of the run.
    pub fn at_end(&self) -> bool {
        self.finished() && self.cursor() == self.horizon()
    }
    pub fn step_forward(&mut self) -> bool {
        let moved = self.run.step_forward();
        self.index();
        moved
    }
    pub fn step_back(&mut self) -> bool {
        self.run.step_back()
    }
    pub fn seek(&mut self, step: u64) -> u64 {
        let at = self.run.seek(step);
        self.index();
        at
    }
    /// Compute the whole run (up to `max_steps` more steps) without moving the cursor.
    pub fn compute_ahead(&mut self, max_steps: u64) -> u64 {
        let n = self.run.extend(max_steps);
        self.index();
        if self.finished() && self.final_anomalies.is_none() {
            let cursor = self.cursor();
            self.run.seek(self.horizon());
            self.final_anomalies = Some(self.run.anomaly_views());
            self.run.seek(cursor);
        }
        n
    }

    /// Under memory pressure, keep fewer time-travel checkpoints (seeks far from the cursor
    /// replay further). False when time travel already keeps as few as it can.
    pub fn thin_history(&mut self) -> bool {
        self.run.thin_checkpoints()
    }
    /// The most steps a seek far from the cursor replays (the checkpoints' spacing).
    pub fn checkpoint_spacing(&self) -> u64 {
        self.run.checkpoint_spacing()
    }

    /// Timeline markers of every computed step.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Markers plus one per anomaly of the run (once the run is computed), in step order.
    pub fn timeline_markers(&self) -> Vec<Marker> {
        let mut all = self.markers.clone();
        if let Some(anomalies) = &self.final_anomalies {
            all.extend(anomalies.iter().map(|a| Marker {
                step: a.step,
                time_ms: a.time_ms,
                kind: "anomaly",
                label: format!("{} {}: {}", a.kind, a.partition, a.detail),
                label_zh: format!("{} {}：{}", anomaly_name_zh(&a.kind), a.partition, a.detail_zh),
            }));
            crate::kernel::sort::stable_sort_by(&mut all, &|a, b| a.step.cmp(&b.step));
        }
        all
    }

    /// Scan newly computed steps for markers (and what the model indexes: truncations, lag).
    fn index(&mut self) {
        let horizon = self.horizon();
        if self.indexed >= horizon {
            return;
        }
        let hand_made: Vec<u64> = self.actions.iter().map(|(at, _)| at + 1).collect();
        let steps = self.indexed + 1..=horizon;
        match &mut self.run {
            Run::Kafka(k) => k.index(steps, &self.narrations, &hand_made, &mut self.markers),
            Run::RocketMq(r) => r.index(steps, &self.narrations, &hand_made, &mut self.markers),
        }
        self.indexed = horizon;
    }

    /// Forget everything indexed and scan again from the start.
    fn reindex(&mut self) {
        self.markers.clear();
        match &mut self.run {
            Run::Kafka(k) => k.reset_index(),
            Run::RocketMq(r) => r.reset_index(),
        }
        self.indexed = 0;
        self.final_anomalies = None;
        self.index();
    }

    /// Consumer lag per group over the computed steps: Σ (leader HW − committed offset)
    /// over the partitions the group has committed.
    pub fn lag_series(&self) -> &[LagSeries] {
        match &self.run {
            Run::Kafka(k) => k.lag_series(),
            Run::RocketMq(_) => &[],
        }
    }

    /// Trace digest at the cursor.
    pub fn digest(&self) -> u64 {
        self.run.digest()
    }

    /// The Kafka run's simulation at the cursor (for tests and tools that read Kafka's
    /// world; the UI reads only view models). Panics on a RocketMQ run: ask
    /// [`Session::model`] first.
    pub fn current(&self) -> &KafkaSimulation {
        self.timeline().current()
    }
    /// The simulated time of step `index`, if it is computed (either model).
    pub fn step_time(&self, index: u64) -> Option<u64> {
        match &self.run {
            Run::Kafka(k) => k.timeline().record(index).map(|(r, _)| r.time),
            Run::RocketMq(r) => r.timeline().record(index).map(|(r, _)| r.time),
        }
    }

    /// The Kafka run's timeline (see [`Session::current`]).
    pub fn timeline(&self) -> &Timeline<World, KafkaChecker> {
        match &self.run {
            Run::Kafka(k) => k.timeline(),
            Run::RocketMq(_) => panic!("a RocketMQ run has no Kafka timeline"),
        }
    }
    /// The RocketMQ run's timeline, or None for a Kafka run.
    pub fn rocketmq_timeline(&self) -> Option<&Timeline<crate::rocketmq::World, rocketmq::RocketMqChecker>> {
        match &self.run {
            Run::RocketMq(r) => Some(r.timeline()),
            Run::Kafka(_) => None,
        }
    }
    /// The broker model of the run.
    pub fn model(&self) -> Model {
        self.scenario.model
    }

    /// Anomalies visible at the cursor.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        match &self.run {
            Run::Kafka(k) => k.anomalies(),
            Run::RocketMq(r) => r.anomalies(),
        }
    }

    /// Anomalies visible at the cursor, as the UI lists them.
    pub fn anomaly_views(&self) -> Vec<AnomalyView> {
        self.run.anomaly_views()
    }

    /// Every anomaly of the run, once [`Session::compute_ahead`] has computed all of it.
    pub fn final_anomalies(&self) -> Option<&[AnomalyView]> {
        self.final_anomalies.as_deref()
    }

    /// Apply a command at the cursor; the future after it is recomputed (a new branch).
    /// A command that cannot apply changes nothing and says why (`FIELD: MESSAGE`, as a
    /// scenario file would say it of a timeline entry).
    pub fn act(&mut self, command: &Command) -> Result<u64, String> {
        let cursor = self.cursor();
        let mut kept: Vec<(u64, Command)> = self.actions.iter().filter(|(at, _)| *at < cursor).cloned().collect();
        // Narration texts of the dropped branch go with it, so a replay numbers them alike.
        let mut narrations: Vec<Text> = self.narrations[..self.scenario_narrations].to_vec();
        narrations.extend(kept.iter().filter_map(|(_, c)| match c {
            Command::Narrate(t) => Some(t.clone()),
            _ => None,
        }));
        let index = narrations.len() as u32;
        let step = match &mut self.run {
            Run::Kafka(k) => k.act(command, index),
            Run::RocketMq(r) => r.act(command, index),
        }
        .map_err(|e| e.to_string())?;
        if let Command::Narrate(t) = command {
            narrations.push(t.clone());
        }
        self.narrations = Rc::new(narrations);
        kept.push((cursor, command.clone()));
        self.actions = kept;
        // The old future is gone: so are its markers, truncations and lag points.
        self.reindex();
        Ok(step)
    }

    /// How much simulated time a run keeps after a hand-made action, at least: 30 s to show
    /// what follows (a leader's election after a crash, a timeout), and a pause's own length
    /// on top (a 60 s GC pause then reaches the session timeout and the rebalance).
    pub const ROOM_AFTER_ACTION_MS: u64 = 30_000;

    /// The latest narration at or before the cursor; off script (see `off_script.rs`), what
    /// the engine did instead.
    pub fn narration(&self, lang: Lang) -> Option<String> {
        if let Some(since) = self.off_script_since() {
            return Some(self.off_script_narration(since, lang));
        }
        let cursor = self.cursor();
        let upto = self.markers.partition_point(|m| m.step <= cursor);
        let m = self.markers[..upto].iter().rev().find(|m| m.kind == "narration")?;
        Some(match lang {
            Lang::En => m.label.clone(),
            Lang::Zh => m.label_zh.clone(),
        })
    }

    /// Everything the picture needs at the cursor, with every detail.
    pub fn view(&self) -> ClusterView {
        self.view_with(&ViewOptions::default())
    }

    /// Everything the picture needs at the cursor, with the details `opts` asks for.
    pub fn view_with(&self, opts: &ViewOptions) -> ClusterView {
        let narration = self.narration(opts.lang);
        let mut view = match &self.run {
            Run::Kafka(k) => k.view(opts, &self.narrations, narration),
            Run::RocketMq(r) => r.view(opts, &self.narrations, narration),
        };
        view.off_script = self.off_script_since();
        view
    }

    /// One message on the wire at the cursor, with its payload summary (cut to
    /// `max_chars` characters).
    pub fn message(&self, id: u64, max_chars: usize) -> Option<MessageView> {
        match &self.run {
            Run::Kafka(k) => k.message(id, max_chars),
            Run::RocketMq(r) => r.message(id, max_chars),
        }
    }

    /// Up to `limit` event lines matching `filter`, the nearest to step `around` (half
    /// before it, half after, more on one side when the other runs out), in step order.
    pub fn search_events(&self, filter: &EventFilter, lang: Lang, around: u64, limit: usize) -> Vec<EventLine> {
        let line = |s: u64| self.run.event_line(&self.narrations, s, lang);
        events::search(filter, self.horizon(), around, limit, &line)
    }
}

/// The simulated time a run keeps after `command` (see `Session::ROOM_AFTER_ACTION_MS`).
pub fn room_after(command: &Command) -> u64 {
    let pause = match command {
        Command::ConsumerPause { ms, .. } => *ms,
        _ => 0,
    };
    Session::ROOM_AFTER_ACTION_MS.saturating_add(pause)
}
