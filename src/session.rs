//! The façade the UI and the CLI drive: a scenario's run as a timeline you can step,
//! seek, act on and read as view models. Commands in, plain data out; nothing here
//! exposes engine internals to the UI.
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::checker::Anomaly;
use crate::kafka::broker::BrokerStatus;
use crate::kafka::checks::KafkaChecker;
use crate::kafka::config::Acks;
use crate::kafka::consumer::{ConsumerStatus, JoinState};
use crate::kafka::message::{ControlType, InternalRecord};
use crate::kafka::notes::Note;
use crate::kafka::producer::Producer;
use crate::kafka::txn_client::TxnClientState;
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::{KafkaAction, Spec, World};
use crate::kernel::sim::Action;
use crate::kernel::{MessageInfo, NetFault, NodeId, Simulation, StepKind, Timeline};
use crate::scenario::{Scenario, Text};
use crate::view::{
    AnomalyView, BrokerSummary, BrokerView, CellView, ClientView, ClusterView, ConsumerView, DroppedView, EventLine,
    GroupOffsetView, GroupView, LagPoint, LagSeries, Marker, MemberView, MessageView, PartitionView, ProducerView,
    ReaderView, ReplicaView, StepEventView, TopicView, TruncationView,
};

pub type KafkaSimulation = Simulation<World, KafkaChecker>;

/// Build the simulation of a scenario at step 0.
pub fn build_simulation(scenario: &Scenario, seed: u64) -> (KafkaSimulation, Vec<Text>) {
    let world = World::new(scenario.spec());
    let (script, narrations) = scenario.script();
    let mut sim = Simulation::new(world, KafkaChecker::default(), seed, scenario.network.clone(), script);
    sim.set_end_time(scenario.duration_ms);
    (sim, narrations)
}

/// What a user can do to the cluster from the UI, at the current step. Nodes are named as
/// in scenario files: "b1".."bN" for brokers, clients by name.
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
    Produce {
        producer: String,
        topic: String,
        key: Option<String>,
        count: u32,
    },
    /// Change a producer's `acks` ("0", "1" or "all") from this step on.
    SetAcks {
        producer: String,
        acks: String,
    },
    ConsumerCrash(String),
    ConsumerRestart(String),
    /// `gc`: a stop-the-world pause (no heartbeats); otherwise slow processing.
    ConsumerPause {
        consumer: String,
        ms: u64,
        gc: bool,
    },
    ConsumerResume(String),
    /// `close()`: commit and leave the group.
    ConsumerClose(String),
    /// Grow a topic to `partitions` partitions (Kafka's CreatePartitions).
    AddPartitions {
        topic: String,
        partitions: u32,
    },
    /// A transactional producer's application calls beginTransaction().
    BeginTransaction(String),
    /// ... commitTransaction().
    CommitTransaction(String),
    /// ... abortTransaction().
    AbortTransaction(String),
    /// A producer's process dies: everything in its memory is gone.
    ProducerCrash(String),
    /// The producer's process starts again (a transactional one calls initTransactions()
    /// with its next send or transaction call).
    ProducerRestart(String),
}

/// Most records one Produce command may send.
pub const MAX_PRODUCE_COUNT: u32 = 10_000;
/// Longest consumer pause or slow-down a command may ask for (one hour).
pub const MAX_PAUSE_MS: u64 = 3_600_000;

impl Command {
    /// A compact, URL-safe form: `crash.1`, `cut.b1.b2`, `produce.p.orders.3.key`, ...
    /// Names are percent-encoded, so any name round-trips.
    pub fn to_token(&self) -> String {
        let f = encode_field;
        match self {
            Command::Crash(b) => format!("crash.{b}"),
            Command::PowerLoss(b) => format!("power.{b}"),
            Command::Restart(b) => format!("restart.{b}"),
            Command::Isolate(n) => format!("isolate.{}", f(n)),
            Command::Cut(a, b) => format!("cut.{}.{}", f(a), f(b)),
            Command::Heal(a, b) => format!("heal.{}.{}", f(a), f(b)),
            Command::HealAll => "healall".into(),
            Command::Slow(n, ms) => format!("slow.{}.{ms}", f(n)),
            Command::Produce { producer, topic, key, count } => match key {
                Some(k) => format!("produce.{}.{}.{count}.{}", f(producer), f(topic), f(k)),
                None => format!("produce.{}.{}.{count}", f(producer), f(topic)),
            },
            Command::SetAcks { producer, acks } => format!("acks.{}.{}", f(producer), f(acks)),
            Command::ConsumerCrash(c) => format!("ccrash.{}", f(c)),
            Command::ConsumerRestart(c) => format!("crestart.{}", f(c)),
            Command::ConsumerPause { consumer, ms, gc } => {
                format!("cpause.{}.{ms}.{}", f(consumer), if *gc { "gc" } else { "slow" })
            }
            Command::ConsumerResume(c) => format!("cresume.{}", f(c)),
            Command::ConsumerClose(c) => format!("cclose.{}", f(c)),
            Command::AddPartitions { topic, partitions } => format!("partitions.{}.{partitions}", f(topic)),
            Command::BeginTransaction(p) => format!("begin.{}", f(p)),
            Command::CommitTransaction(p) => format!("commit.{}", f(p)),
            Command::AbortTransaction(p) => format!("abort.{}", f(p)),
            Command::ProducerCrash(p) => format!("pcrash.{}", f(p)),
            Command::ProducerRestart(p) => format!("prestart.{}", f(p)),
        }
    }

    /// Parse [`Command::to_token`]'s form; the error says what is wrong.
    pub fn from_token(token: &str) -> Result<Command, String> {
        let parts: Vec<&str> = token.split('.').collect();
        let name = parts[0];
        let want = |n: usize| -> Result<(), String> {
            if parts.len() == n + 1 {
                Ok(())
            } else {
                Err(format!("\"{name}\" takes {n} field(s), got {}", parts.len() - 1))
            }
        };
        let field = |i: usize| decode_field(parts[i]);
        let number = |i: usize| -> Result<u64, String> {
            parts[i]
                .parse::<u64>()
                .map_err(|_| format!("\"{}\" is not a whole number (field {i} of \"{name}\")", parts[i]))
        };
        let broker = |i: usize| -> Result<u32, String> {
            let b = number(i)?;
            u32::try_from(b).map_err(|_| format!("broker {b} is out of range"))
        };
        Ok(match name {
            "crash" => {
                want(1)?;
                Command::Crash(broker(1)?)
            }
            "power" => {
                want(1)?;
                Command::PowerLoss(broker(1)?)
            }
            "restart" => {
                want(1)?;
                Command::Restart(broker(1)?)
            }
            "isolate" => {
                want(1)?;
                Command::Isolate(field(1)?)
            }
            "cut" => {
                want(2)?;
                Command::Cut(field(1)?, field(2)?)
            }
            "heal" => {
                want(2)?;
                Command::Heal(field(1)?, field(2)?)
            }
            "healall" => {
                want(0)?;
                Command::HealAll
            }
            "slow" => {
                want(2)?;
                Command::Slow(field(1)?, number(2)?)
            }
            "produce" => {
                if parts.len() != 4 && parts.len() != 5 {
                    return Err(format!("\"produce\" takes 3 or 4 fields, got {}", parts.len() - 1));
                }
                let count = u32::try_from(number(3)?).map_err(|_| "count is out of range".to_string())?;
                let key = if parts.len() == 5 { Some(field(4)?) } else { None };
                Command::Produce { producer: field(1)?, topic: field(2)?, key, count }
            }
            "acks" => {
                want(2)?;
                Command::SetAcks { producer: field(1)?, acks: field(2)? }
            }
            "ccrash" => {
                want(1)?;
                Command::ConsumerCrash(field(1)?)
            }
            "crestart" => {
                want(1)?;
                Command::ConsumerRestart(field(1)?)
            }
            "cpause" => {
                want(3)?;
                let gc = match parts[3] {
                    "gc" => true,
                    "slow" => false,
                    other => return Err(format!("pause kind must be \"gc\" or \"slow\", got \"{other}\"")),
                };
                Command::ConsumerPause { consumer: field(1)?, ms: number(2)?, gc }
            }
            "cresume" => {
                want(1)?;
                Command::ConsumerResume(field(1)?)
            }
            "cclose" => {
                want(1)?;
                Command::ConsumerClose(field(1)?)
            }
            "partitions" => {
                want(2)?;
                let n = u32::try_from(number(2)?).map_err(|_| "partition count is out of range".to_string())?;
                Command::AddPartitions { topic: field(1)?, partitions: n }
            }
            "begin" | "commit" | "abort" | "pcrash" | "prestart" => {
                want(1)?;
                let p = field(1)?;
                match name {
                    "begin" => Command::BeginTransaction(p),
                    "commit" => Command::CommitTransaction(p),
                    "abort" => Command::AbortTransaction(p),
                    "pcrash" => Command::ProducerCrash(p),
                    _ => Command::ProducerRestart(p),
                }
            }
            "" => return Err("empty action".into()),
            other => return Err(format!("unknown action \"{other}\"")),
        })
    }
}

/// Percent-encode everything but `[A-Za-z0-9_-]` (so `.` and `~` can separate fields).
pub fn encode_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn decode_field(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| format!("incomplete %-escape in \"{s}\""))?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| format!("bad %-escape \"%{hex}\" in \"{s}\""))?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("\"{s}\" is not UTF-8 once decoded"))
}

/// What [`Session::view_with`] includes. Large clusters ask for less.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Offset cells per replica strip (the tail of each log); 0 = none.
    pub cells: u32,
    /// Brokers whose replicas are listed; `None` = every broker.
    pub detail_brokers: Option<Vec<u32>>,
    /// Most in-flight messages listed (the oldest first).
    pub max_messages: usize,
    /// Language of the step description ("en" or "zh").
    pub lang: &'static str,
    /// Fill `MessageView::summary` (a LeaderAndIsr of a large cluster is long: the UI
    /// leaves it out and asks [`Session::message`] for the one a user opens).
    pub summaries: bool,
    /// List every partition in `ClusterView::partitions` (a large cluster's picture does
    /// not need them; its partition table does).
    pub partitions: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            cells: 24,
            detail_brokers: None,
            max_messages: usize::MAX,
            lang: "en",
            summaries: true,
            partitions: true,
        }
    }
}

/// Which steps the event log shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Case-insensitive text the line must contain (empty: any).
    pub text: String,
    /// Categories shown ("deliver", "drop", "timer", "action"); empty: all.
    pub categories: Vec<String>,
    /// Only steps with a notable state change (elections, ISR changes, crashes, ...).
    pub notable_only: bool,
}

impl EventFilter {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.categories.is_empty() && !self.notable_only
    }
}

/// A truncation seen in the trace: (step, offset, removed record ids).
type Truncation = (u64, u64, Vec<u64>);

/// Running state for the consumer-lag series, fed note by note.
#[derive(Clone, Default)]
struct LagTracker {
    /// (broker, partition) -> high watermark.
    hw: BTreeMap<(u32, Tp), u64>,
    /// Current leader per partition (from elections; the preferred replica before).
    leader: BTreeMap<Tp, u32>,
    /// (group index, partition) -> committed offset.
    committed: BTreeMap<(usize, Tp), u64>,
}

#[derive(Clone)]
pub struct Session {
    scenario: Rc<Scenario>,
    seed: u64,
    narrations: Rc<Vec<Text>>,
    timeline: Timeline<World, KafkaChecker>,
    /// Markers of the computed steps, in step order (rebuilt past a branch point).
    markers: Vec<Marker>,
    /// Steps scanned for markers so far.
    indexed: u64,
    /// Per (broker, partition): the truncations seen, in step order.
    truncations: BTreeMap<(u32, Tp), Vec<Truncation>>,
    lag_tracker: LagTracker,
    /// Group names, in the order of the lag series.
    groups: Vec<String>,
    lag: Vec<LagSeries>,
    /// The commands applied by hand and still in effect: (cursor when applied, command).
    /// Each became step `cursor + 1`.
    actions: Vec<(u64, Command)>,
    /// Every anomaly of the run, once the whole run has been computed.
    final_anomalies: Option<Vec<AnomalyView>>,
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
        let mut groups: Vec<String> = Vec::new();
        for c in &scenario.consumers {
            if !groups.contains(&c.group) {
                groups.push(c.group.clone());
            }
        }
        let lag = groups.iter().map(|g| LagSeries { group: g.clone(), points: Vec::new() }).collect();
        Session {
            scenario: Rc::new(scenario),
            seed,
            narrations: Rc::new(narrations),
            timeline: Timeline::new(sim),
            markers: Vec::new(),
            indexed: 0,
            truncations: BTreeMap::new(),
            lag_tracker: LagTracker::default(),
            groups,
            lag,
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
            if last.is_some_and(|l| *at <= l) {
                return Err(format!(
                    "action {} ({}) is at step {at}, not after the previous one",
                    i + 1,
                    cmd.to_token()
                ));
            }
            if s.seek(*at) != *at {
                return Err(format!(
                    "action {} ({}) is at step {at}, but the run ends at step {}",
                    i + 1,
                    cmd.to_token(),
                    s.horizon()
                ));
            }
            s.act(cmd).map_err(|e| format!("action {} ({}): {e}", i + 1, cmd.to_token()))?;
            last = Some(*at);
        }
        let reached = s.seek(step);
        if reached != step {
            return Err(format!("step {step} is beyond the end of the run (it ends at step {reached})"));
        }
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
        self.timeline.cursor()
    }
    /// Steps computed so far.
    pub fn horizon(&self) -> u64 {
        self.timeline.horizon()
    }
    /// True once the whole run has been computed.
    pub fn finished(&self) -> bool {
        self.timeline.finished()
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
        if self.timeline.finished() && self.final_anomalies.is_none() {
            let cursor = self.cursor();
            self.timeline.seek(self.horizon());
            self.final_anomalies = Some(self.anomaly_views());
            self.timeline.seek(cursor);
        }
        n
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
                label_zh: format!("{} {}：{}", anomaly_name_zh(&a.kind), a.partition, a.detail),
            }));
            crate::kernel::sort::stable_sort_by(&mut all, &|a, b| a.step.cmp(&b.step));
        }
        all
    }

    /// Scan newly computed steps for markers, truncations and lag.
    fn index(&mut self) {
        let horizon = self.timeline.horizon();
        if self.indexed >= horizon {
            return;
        }
        let spec = self.timeline.current().model.spec.clone();
        for step in self.indexed + 1..=horizon {
            let (rec, notes) = self.timeline.record(step).expect("computed step");
            if let StepKind::Action { label } = &rec.kind {
                let is_narration = notes.iter().any(|n| matches!(n, Note::Narration { .. }));
                let is_hand_made = self.actions.iter().any(|(at, _)| at + 1 == step);
                if !is_narration && (is_hand_made || label.starts_with("producer")) {
                    let (label, label_zh) = (action_text(&spec, label, "en"), action_text(&spec, label, "zh"));
                    self.markers.push(Marker { step, time_ms: rec.time, kind: "action", label, label_zh });
                }
            }
            let mut lag_changed = false;
            for n in notes {
                track_lag(&mut self.lag_tracker, &self.groups, &spec, n, &mut lag_changed);
                if let Note::Truncated { broker, tp, offset, removed } = n {
                    self.truncations.entry((broker.0, *tp)).or_default().push((
                        step,
                        *offset,
                        removed.iter().map(|r| r.0).collect(),
                    ));
                }
                let kind = match n {
                    Note::LeaderElected { .. } => "election",
                    Note::IsrChanged { .. } => "isr",
                    Note::BrokerFenced { .. } | Note::TxnFenced { .. } => "fenced",
                    Note::BrokerCrashed { .. } | Note::ConsumerCrashed { .. } | Note::ProducerCrashed { .. } => "crash",
                    Note::BrokerRestarted { .. } | Note::ConsumerRestarted { .. } | Note::ProducerRestarted { .. } => {
                        "restart"
                    }
                    Note::TxnMarker { commit: true, .. } => "txn-commit",
                    Note::TxnMarker { commit: false, .. } => "txn-abort",
                    Note::ProducerError { .. } => "producer-error",
                    Note::ControllerElected { .. } => "controller",
                    Note::Narration { .. } => "narration",
                    Note::Truncated { .. } => "truncation",
                    Note::GroupState { state: "PreparingRebalance", .. } | Note::Assignment { .. } => "rebalance",
                    _ => continue,
                };
                let (label, label_zh) = match n {
                    Note::Narration { index } => match self.narrations.get(*index as usize) {
                        Some(t) => (t.en.clone(), t.get("zh").to_string()),
                        None => (String::new(), String::new()),
                    },
                    other => (
                        describe_note_in(&spec, other, "en").unwrap_or_default(),
                        describe_note_in(&spec, other, "zh").unwrap_or_default(),
                    ),
                };
                self.markers.push(Marker { step, time_ms: rec.time, kind, label, label_zh });
            }
            if lag_changed {
                push_lag_points(&mut self.lag, &self.lag_tracker, &spec, step, rec.time);
            }
        }
        self.indexed = horizon;
    }

    /// Forget everything indexed after `step` and scan again from the start.
    fn reindex(&mut self) {
        self.markers.clear();
        self.truncations.clear();
        self.lag_tracker = LagTracker::default();
        for s in &mut self.lag {
            s.points.clear();
        }
        self.indexed = 0;
        self.final_anomalies = None;
        self.index();
    }

    /// Consumer lag per group over the computed steps: Σ (leader HW − committed offset)
    /// over the partitions the group has committed.
    pub fn lag_series(&self) -> &[LagSeries] {
        &self.lag
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

    /// Anomalies visible at the cursor, as the UI lists them.
    pub fn anomaly_views(&self) -> Vec<AnomalyView> {
        let spec = &self.timeline.current().model.spec;
        self.timeline
            .current()
            .checker
            .anomalies()
            .map(|a| AnomalyView {
                kind: a.kind.name().to_string(),
                notice: a.kind.is_notice(),
                step: a.step,
                time_ms: a.time_ms,
                partition: tp_name(spec, a.stream.into()),
                records: a.records.iter().map(|r| r.0).collect(),
                detail: a.detail.clone(),
            })
            .collect()
    }

    /// Every anomaly of the run, once [`Session::compute_ahead`] has computed all of it.
    pub fn final_anomalies(&self) -> Option<&[AnomalyView]> {
        self.final_anomalies.as_deref()
    }

    /// The scenario as JSON (pretty), for export.
    pub fn scenario_json(&self) -> String {
        self.scenario.to_json()
    }

    /// Network node of "b3" or a client name (producer, reader or consumer).
    pub fn node(&self, name: &str) -> Option<NodeId> {
        node_of(&self.timeline.current().model.spec, name)
    }

    /// Apply a command at the cursor; the future after it is recomputed (a new branch).
    /// A command that cannot apply changes nothing and says why.
    pub fn act(&mut self, command: &Command) -> Result<u64, String> {
        let action = self.action_for(command)?;
        let cursor = self.cursor();
        let step = self.timeline.act(action).index;
        self.actions.retain(|(at, _)| *at < cursor);
        self.actions.push((cursor, command.clone()));
        // The old future is gone: so are its markers, truncations and lag points.
        self.reindex();
        Ok(step)
    }

    fn action_for(&self, command: &Command) -> Result<Action<KafkaAction>, String> {
        let spec = &self.timeline.current().model.spec;
        let node = |name: &str| node_of(spec, name).ok_or_else(|| format!("unknown node \"{name}\""));
        let broker = |b: u32| {
            if b >= 1 && b <= spec.broker_count {
                Ok(BrokerId(b))
            } else {
                Err(format!("no broker {b} (brokers are 1..={})", spec.broker_count))
            }
        };
        let producer = |name: &str| {
            spec.producers
                .iter()
                .position(|x| x.name == name)
                .map(|i| i as u32)
                .ok_or_else(|| format!("unknown producer \"{name}\""))
        };
        let consumer = |name: &str| {
            spec.consumers
                .iter()
                .position(|x| x.name == name)
                .map(|i| i as u32)
                .ok_or_else(|| format!("unknown consumer \"{name}\""))
        };
        let topic = |name: &str| {
            spec.topics
                .iter()
                .position(|x| x.name == name)
                .map(|i| i as u32)
                .filter(|i| Some(*i) != spec.offsets_topic)
                .ok_or_else(|| format!("unknown topic \"{name}\""))
        };
        Ok(match command {
            Command::Crash(b) => Action::Model(KafkaAction::Crash(broker(*b)?)),
            Command::PowerLoss(b) => Action::Model(KafkaAction::PowerLoss(broker(*b)?)),
            Command::Restart(b) => Action::Model(KafkaAction::Restart(broker(*b)?)),
            Command::Isolate(n) => Action::Net(NetFault::Isolate(node(n)?)),
            Command::Cut(a, b) => {
                let (a, b) = (node(a)?, node(b)?);
                if a == b {
                    return Err("a link needs two different nodes".into());
                }
                Action::Net(NetFault::Cut(a, b))
            }
            Command::Heal(a, b) => Action::Net(NetFault::Heal(node(a)?, node(b)?)),
            Command::HealAll => Action::Net(NetFault::HealAll),
            Command::Slow(n, ms) => {
                if *ms > MAX_PAUSE_MS {
                    return Err(format!("extra latency must be at most {MAX_PAUSE_MS} ms"));
                }
                Action::Net(NetFault::Slow(node(n)?, *ms))
            }
            Command::Produce { producer: p, topic: t, key, count } => {
                let p = producer(p)?;
                let t = topic(t)?;
                if *count == 0 || *count > MAX_PRODUCE_COUNT {
                    return Err(format!("count must be between 1 and {MAX_PRODUCE_COUNT}"));
                }
                Action::Model(KafkaAction::Produce {
                    producer: p,
                    topic: t,
                    key: key.clone(),
                    count: *count,
                    partition: None,
                })
            }
            Command::SetAcks { producer: p, acks } => {
                let p = producer(p)?;
                let acks = match acks.as_str() {
                    "0" => Acks::Zero,
                    "1" => Acks::Leader,
                    "all" | "-1" => Acks::All,
                    other => return Err(format!("acks must be 0, 1 or all, got \"{other}\"")),
                };
                let config = &spec.producers[p as usize].config;
                if config.enable_idempotence == Some(true) && acks != Acks::All {
                    return Err("this producer sets enable.idempotence=true, which requires acks=all".into());
                }
                Action::Model(KafkaAction::SetAcks { producer: p, acks })
            }
            Command::ConsumerCrash(c) => Action::Model(KafkaAction::ConsumerCrash(consumer(c)?)),
            Command::ConsumerRestart(c) => Action::Model(KafkaAction::ConsumerRestart(consumer(c)?)),
            Command::ConsumerPause { consumer: c, ms, gc } => {
                if *ms == 0 || *ms > MAX_PAUSE_MS {
                    return Err(format!("a pause must be between 1 and {MAX_PAUSE_MS} ms"));
                }
                Action::Model(KafkaAction::ConsumerPause { consumer: consumer(c)?, ms: *ms, gc: *gc })
            }
            Command::ConsumerResume(c) => Action::Model(KafkaAction::ConsumerResume(consumer(c)?)),
            Command::ConsumerClose(c) => Action::Model(KafkaAction::ConsumerClose(consumer(c)?)),
            Command::AddPartitions { topic: t, partitions } => {
                let ti = topic(t)?;
                let now = spec.topics[ti as usize].partitions;
                let total: u32 = spec.topics.iter().map(|x| x.partitions).sum();
                if *partitions <= now {
                    return Err(format!("topic \"{t}\" has {now} partitions; Kafka only grows a topic"));
                }
                if total - now + partitions > crate::scenario::MAX_PARTITIONS_TOTAL {
                    return Err(format!("at most {} partitions in all", crate::scenario::MAX_PARTITIONS_TOTAL));
                }
                Action::Model(KafkaAction::AddPartitions { topic: ti, partitions: *partitions })
            }
            Command::BeginTransaction(p) | Command::CommitTransaction(p) | Command::AbortTransaction(p) => {
                let i = producer(p)?;
                if spec.producers[i as usize].config.transactional_id.is_none() {
                    return Err(format!("producer \"{p}\" has no transactional.id"));
                }
                Action::Model(match command {
                    Command::BeginTransaction(_) => KafkaAction::BeginTransaction(i),
                    Command::CommitTransaction(_) => KafkaAction::CommitTransaction(i),
                    _ => KafkaAction::AbortTransaction(i),
                })
            }
            Command::ProducerCrash(p) => Action::Model(KafkaAction::ProducerCrash(producer(p)?)),
            Command::ProducerRestart(p) => Action::Model(KafkaAction::ProducerRestart(producer(p)?)),
        })
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

    /// The step of the latest narration at or before the cursor (0 if none).
    pub fn narration_step(&self) -> u64 {
        let cursor = self.cursor();
        let upto = self.markers.partition_point(|m| m.step <= cursor);
        self.markers[..upto].iter().rev().find(|m| m.kind == "narration").map(|m| m.step).unwrap_or(0)
    }

    /// Everything the picture needs at the cursor, with every detail.
    pub fn view(&self) -> ClusterView {
        self.view_with(&ViewOptions::default())
    }

    /// Everything the picture needs at the cursor, with the details `opts` asks for.
    pub fn view_with(&self, opts: &ViewOptions) -> ClusterView {
        let sim = self.timeline.current();
        let world = &sim.model;
        let spec = &world.spec;
        let cursor = sim.steps();
        let active = world.controller.active;
        let key = |n: NodeId| node_key(spec, n);

        // Coordinators: the leader of each group's __consumer_offsets partition.
        let group_names = self.groups.clone();
        let coordinator_of = |g: &str| -> Option<BrokerId> {
            let topic = spec.offsets_topic?;
            let parts = spec.topics[topic as usize].partitions;
            let tp = Tp { topic, partition: crate::kafka::group::offsets_partition_for(g, parts) };
            world.controller.partitions.get(&tp).and_then(|s| s.leader)
        };

        // Kafka's own topics.
        let is_internal = |topic: u32| Some(topic) == spec.offsets_topic || Some(topic) == spec.transaction_topic;
        // Transaction coordinators: the leader of each transactional id's __transaction_state partition.
        let txn_ids = transactional_ids(spec);
        let txn_coordinator_of = |id: &str| -> Option<BrokerId> {
            let topic = spec.transaction_topic?;
            let parts = spec.topics[topic as usize].partitions;
            let tp = Tp { topic, partition: crate::kafka::txn::txn_partition_for(id, parts) };
            world.controller.partitions.get(&tp).and_then(|s| s.leader)
        };
        // Who wrote a transaction marker: producer ids as the producers know them now (two
        // producers with one transactional id share it: "old/new").
        let mut pid_names: BTreeMap<i64, String> = BTreeMap::new();
        if spec.transaction_topic.is_some() {
            let named = world.producers.iter().map(|p| (p.producer_id, &p.name));
            let embedded = world.consumers.iter().filter_map(|c| c.producer.as_ref().map(|p| (p.producer_id, &c.name)));
            for (pid, name) in named.chain(embedded).filter(|(pid, _)| *pid >= 0) {
                let entry = pid_names.entry(pid).or_default();
                if !entry.is_empty() {
                    entry.push('/');
                }
                entry.push_str(name);
            }
        }

        // One window per partition, so the strips of its replicas line up.
        let mut window_end: BTreeMap<Tp, u64> = BTreeMap::new();
        for b in &world.brokers {
            for (tp, r) in &b.replicas {
                let mut end = r.log.log_end_offset();
                if let Some(t) = self.truncation_at(b.id.0, *tp, cursor) {
                    end = end.max(t.1 + t.2.len() as u64);
                }
                let e = window_end.entry(*tp).or_insert(0);
                *e = (*e).max(end);
            }
        }

        let brokers = world
            .brokers
            .iter()
            .map(|b| {
                let node = b.node();
                let mut summary = BrokerSummary::default();
                for (tp, r) in &b.replicas {
                    summary.replicas += 1;
                    summary.records += r.log.log_end_offset();
                    let state = world.controller.partitions.get(tp);
                    if r.is_leader {
                        summary.leaders += 1;
                        if state.is_some_and(|s| s.isr.len() < s.replicas.len()) {
                            summary.under_replicated_led += 1;
                        }
                    }
                    if !state.is_some_and(|s| s.isr.contains(&b.id)) {
                        summary.out_of_isr += 1;
                    }
                }
                let detailed = opts.detail_brokers.as_ref().is_none_or(|v| v.contains(&b.id.0));
                let replicas = if detailed {
                    b.replicas
                        .iter()
                        .map(|(tp, r)| {
                            let internal = is_internal(tp.topic);
                            let end = window_end.get(tp).copied().unwrap_or(0);
                            let start = end.saturating_sub(u64::from(opts.cells));
                            let leo = r.log.log_end_offset();
                            let open: Vec<(u64, i64)> = r.log.ongoing_transactions().collect();
                            let cells = if opts.cells == 0 {
                                Vec::new()
                            } else {
                                r.log
                                    .records_from(start.min(leo))
                                    .take((leo.saturating_sub(start)) as usize)
                                    .enumerate()
                                    .map(|(i, rec)| {
                                        let offset = start + i as u64;
                                        let app = rec.payload.is_none() && rec.control.is_none();
                                        let info =
                                            if app { rec.id.index().and_then(|i| world.records.get(i)) } else { None };
                                        let control =
                                            rec.control
                                                .map(|c| if c == ControlType::Commit { "commit" } else { "abort" });
                                        let txn = (rec.transactional && control.is_none()).then(|| {
                                            if r.log.is_aborted(offset) {
                                                "aborted"
                                            } else if open
                                                .iter()
                                                .any(|(first, pid)| *pid == rec.producer_id && *first <= offset)
                                            {
                                                "open"
                                            } else {
                                                "committed"
                                            }
                                        });
                                        CellView {
                                            offset,
                                            epoch: rec.leader_epoch,
                                            record: app.then_some(rec.id.0),
                                            key: info.and_then(|i| i.key.as_ref().map(|k| k.to_string())),
                                            producer: match info {
                                                Some(i) => Some(spec.producer_name(i.producer)),
                                                None if control.is_some() => pid_names.get(&rec.producer_id).cloned(),
                                                None => None,
                                            },
                                            internal: rec.payload.as_deref().map(|p| describe_internal(spec, p)),
                                            control,
                                            txn,
                                        }
                                    })
                                    .collect()
                            };
                            ReplicaView {
                                topic: spec.topics[tp.topic as usize].name.clone(),
                                partition: tp.partition,
                                is_leader: r.is_leader,
                                in_isr: world.controller.partitions.get(tp).is_some_and(|s| s.isr.contains(&b.id)),
                                leader_epoch: r.state.leader_epoch,
                                log_start_offset: r.log.log_start_offset(),
                                log_end_offset: leo,
                                high_watermark: r.log.high_watermark(),
                                last_stable_offset: r.log.last_stable_offset(),
                                epoch_runs: r.log.epochs().to_vec(),
                                flushed_offset: r.log.flushed_offset(),
                                internal,
                                window_start: start,
                                window_end: end,
                                cells,
                                truncated: self
                                    .truncation_at(b.id.0, *tp, cursor)
                                    .filter(|t| !t.2.is_empty())
                                    .map(|t| TruncationView { step: t.0, offset: t.1, records: t.2.clone() }),
                            }
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                BrokerView {
                    id: b.id.0,
                    status: match b.status {
                        BrokerStatus::Running if world.controller.brokers.get(&b.id).is_some_and(|r| r.fenced) => {
                            "fenced"
                        }
                        BrokerStatus::Running => "up",
                        BrokerStatus::Crashed => "crashed",
                        BrokerStatus::PoweredOff => "powered-off",
                    }
                    .to_string(),
                    is_controller: active == Some(b.id),
                    replicas,
                    coordinator_for: group_names.iter().filter(|g| coordinator_of(g) == Some(b.id)).cloned().collect(),
                    slow_ms: sim.network().slowness(node),
                    summary,
                    txn_coordinator_for: txn_ids
                        .iter()
                        .filter(|id| txn_coordinator_of(id) == Some(b.id))
                        .cloned()
                        .collect(),
                }
            })
            .collect();

        let groups = self.group_views(world, &coordinator_of);
        let partitions: Vec<PartitionView> = world
            .controller
            .partitions
            .values()
            .filter(|_| opts.partitions)
            .map(|st| {
                let leader_log = world.leader_log(st.tp);
                let hw = leader_log.map(|l| l.high_watermark()).unwrap_or(0);
                let topic = spec.topics[st.tp.topic as usize].name.clone();
                let internal = is_internal(st.tp.topic);
                let group_offsets = if internal {
                    Vec::new()
                } else {
                    groups
                        .iter()
                        .filter(|g| self.group_reads(spec, &g.id, st.tp.topic))
                        .map(|g| {
                            let committed =
                                g.offsets.iter().find(|o| o.0 == topic && o.1 == st.tp.partition).map(|o| o.2);
                            GroupOffsetView {
                                group: g.id.clone(),
                                committed,
                                lag: committed.map(|c| hw.saturating_sub(c)),
                                member: g
                                    .members
                                    .iter()
                                    .find(|m| m.assignment.iter().any(|a| a.0 == topic && a.1 == st.tp.partition))
                                    .map(|m| m.client.clone()),
                            }
                        })
                        .collect()
                };
                PartitionView {
                    topic,
                    partition: st.tp.partition,
                    leader: st.leader.map(|b| b.0),
                    leader_epoch: st.leader_epoch,
                    replicas: st.replicas.iter().map(|b| b.0).collect(),
                    isr: st.isr.iter().map(|b| b.0).collect(),
                    high_watermark: hw,
                    log_end_offset: leader_log.map(|l| l.log_end_offset()).unwrap_or(0),
                    last_stable_offset: leader_log.map(|l| l.last_stable_offset()).unwrap_or(0),
                    internal,
                    groups: group_offsets,
                }
            })
            .collect();

        let topics = spec
            .topics
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let first = Tp { topic: i as u32, partition: 0 };
                let last = Tp { topic: i as u32, partition: u32::MAX };
                let mut view = TopicView {
                    name: t.name.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                    internal: is_internal(i as u32),
                    ..TopicView::default()
                };
                for st in world.controller.partitions.range(first..=last).map(|(_, st)| st) {
                    view.offline += u32::from(st.leader.is_none());
                    view.under_replicated += u32::from(st.isr.len() < st.replicas.len());
                    view.records += world.leader_log(st.tp).map(|l| l.high_watermark()).unwrap_or(0);
                }
                view
            })
            .collect();

        let in_flight_total = sim.in_flight().count();
        let in_flight = sim
            .in_flight()
            .take(opts.max_messages)
            .map(|m| MessageView {
                id: m.id.0,
                from: spec.node_name(m.from),
                to: spec.node_name(m.to),
                src: key(m.from),
                dst: key(m.to),
                kind: m.msg.kind().to_string(),
                summary: if opts.summaries { m.msg.summary() } else { String::new() },
                sent_at_ms: m.sent_at,
                deliver_at_ms: m.deliver_at,
            })
            .collect();

        let txn_state_of = |id: &str| -> Option<String> {
            let b = txn_coordinator_of(id)?;
            let broker = world.broker(b);
            if !broker.is_running() {
                return None;
            }
            broker.txn_coordinator.txns.get(id).map(|e| e.meta.state.name().to_string())
        };
        let producer_view = |p: &Producer, name: &str| -> ProducerView {
            let txn = p.txn.as_ref();
            ProducerView {
                name: name.to_string(),
                acks: p.config.acks.as_str().to_string(),
                idempotent: p.config.idempotent(),
                acked: p.acked,
                failed: p.failed,
                pending: p.pending() as u64,
                in_flight_requests: p.in_flight_requests() as u64,
                running: p.running,
                transactional_id: p.config.transactional_id.clone(),
                producer_id: p.producer_id,
                producer_epoch: p.producer_epoch,
                txn_state: txn.map(|t| t.state.name().to_string()),
                txn_error: txn.and_then(|t| match t.state {
                    TxnClientState::AbortableError(e) | TxnClientState::Fatal(e) => Some(e.name().to_string()),
                    _ => None,
                }),
                txn_call: txn.and_then(|t| t.current_call()).map(str::to_string),
                txn_partitions: txn.map(|t| t.added.iter().map(|tp| tp_name(spec, *tp)).collect()).unwrap_or_default(),
                txn_coordinator: txn.and_then(|t| t.coordinator).map(|b| b.0),
                coordinator_state: p.config.transactional_id.as_deref().and_then(txn_state_of),
            }
        };
        let producers: Vec<ProducerView> = world.producers.iter().map(|p| producer_view(p, &p.name)).collect();
        let readers: Vec<ReaderView> = world
            .readers
            .iter()
            .map(|r| ReaderView {
                name: r.name.clone(),
                topic: spec.topics[r.topic as usize].name.clone(),
                isolation: r.config.isolation_level.as_str().to_string(),
                records_read: r.records_read,
                positions: r.positions.iter().map(|(tp, o)| (tp.partition, *o)).collect(),
            })
            .collect();
        let now = sim.now();
        let consumers: Vec<ConsumerView> = world
            .consumers
            .iter()
            .map(|c| {
                let frozen = c.frozen_until.filter(|t| *t > now);
                let blocked = c.blocked_until.filter(|t| *t > now);
                let status = match c.status {
                    ConsumerStatus::Crashed => "crashed",
                    ConsumerStatus::Closed => "closed",
                    ConsumerStatus::Failed => "failed",
                    ConsumerStatus::Running if frozen.is_some() => "frozen",
                    ConsumerStatus::Running if blocked.is_some() => "slow",
                    ConsumerStatus::Running => "running",
                };
                let running = c.status == ConsumerStatus::Running;
                ConsumerView {
                    name: c.name.clone(),
                    group: c.group.to_string(),
                    status: status.to_string(),
                    member_id: c.member_id.to_string(),
                    generation: c.generation,
                    join_state: match c.join_state {
                        JoinState::NotMember => "none",
                        JoinState::Joining(_) => "joining",
                        JoinState::Syncing(_) => "syncing",
                        JoinState::Member => "member",
                    }
                    .to_string(),
                    assignment: if running {
                        c.assignment
                            .iter()
                            .map(|tp| {
                                (
                                    spec.topics[tp.topic as usize].name.clone(),
                                    tp.partition,
                                    c.positions.get(tp).copied().unwrap_or(0),
                                )
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    committed: c
                        .committed
                        .iter()
                        .map(|(tp, o)| (spec.topics[tp.topic as usize].name.clone(), tp.partition, *o))
                        .collect(),
                    processed: c.processed,
                    coordinator: c.coordinator.map(|b| b.0),
                    paused_until: frozen.or(blocked),
                    isolation: c.config.isolation_level.as_str().to_string(),
                    output_topic: spec
                        .consumers
                        .get(c.index as usize)
                        .and_then(|cs| cs.transform.as_ref())
                        .map(|t| spec.topics[t.topic as usize].name.clone()),
                    producer: c.producer.as_deref().map(|p| producer_view(p, &c.name)),
                }
            })
            .collect();

        let mut clients: Vec<ClientView> = producers
            .iter()
            .map(|p| ClientView {
                name: p.name.clone(),
                kind: "producer".into(),
                summary: format!("acks={} acked={} failed={} pending={}", p.acks, p.acked, p.failed, p.pending),
            })
            .collect();
        clients.extend(readers.iter().map(|r| ClientView {
            name: r.name.clone(),
            kind: "reader".into(),
            summary: format!(
                "read={} positions={:?}",
                r.records_read,
                r.positions.iter().map(|p| p.1).collect::<Vec<_>>()
            ),
        }));
        clients.extend(consumers.iter().map(|c| ClientView {
            name: c.name.clone(),
            kind: "consumer".into(),
            summary: format!("group={} {} generation={} processed={}", c.group, c.status, c.generation, c.processed),
        }));

        let cuts = sim.network().cuts().map(|(a, b)| (key(*a), key(*b))).collect();
        let slow = (0..sim.network().node_count())
            .map(NodeId)
            .filter_map(|n| {
                let ms = sim.network().slowness(n);
                (ms > 0).then(|| (key(n), ms))
            })
            .collect();

        let event = self.step_event(cursor, opts.lang);
        let dropped = (cursor.saturating_sub(5) + 1..=cursor)
            .filter_map(|s| {
                let (rec, _) = self.timeline.record(s)?;
                match &rec.kind {
                    StepKind::Drop { msg, from, to, kind, reason } => Some(DroppedView {
                        step: s,
                        msg: msg.0,
                        kind: kind.to_string(),
                        src: key(*from),
                        dst: key(*to),
                        reason: reason.as_str().to_string(),
                    }),
                    _ => None,
                }
            })
            .collect();

        ClusterView {
            step: cursor,
            time_ms: now,
            brokers,
            partitions,
            in_flight,
            in_flight_total,
            clients,
            controller: active.map(|b| b.0),
            narration: self.narration(opts.lang),
            producers,
            readers,
            consumers,
            groups,
            topics,
            cuts,
            slow,
            event,
            dropped,
        }
    }

    /// One message on the wire at the cursor, with its payload summary (cut to
    /// `max_chars` characters).
    pub fn message(&self, id: u64, max_chars: usize) -> Option<MessageView> {
        let sim = self.timeline.current();
        let spec = &sim.model.spec;
        let m = sim.in_flight().find(|m| m.id.0 == id)?;
        let mut summary = named_partitions(spec, &m.msg.summary());
        if summary.chars().count() > max_chars {
            summary = summary.chars().take(max_chars).collect::<String>() + " …";
        }
        Some(MessageView {
            id,
            from: spec.node_name(m.from),
            to: spec.node_name(m.to),
            src: node_key(spec, m.from),
            dst: node_key(spec, m.to),
            kind: m.msg.kind().to_string(),
            summary,
            sent_at_ms: m.sent_at,
            deliver_at_ms: m.deliver_at,
        })
    }

    fn truncation_at(&self, broker: u32, tp: Tp, cursor: u64) -> Option<&Truncation> {
        let list = self.truncations.get(&(broker, tp))?;
        let upto = list.partition_point(|t| t.0 <= cursor);
        upto.checked_sub(1).map(|i| &list[i])
    }

    /// Whether any consumer of `group` subscribes to `topic`.
    fn group_reads(&self, spec: &Spec, group: &str, topic: u32) -> bool {
        spec.consumers.iter().any(|c| c.group == group && c.topics.contains(&topic))
    }

    fn group_views(&self, world: &World, coordinator_of: &dyn Fn(&str) -> Option<BrokerId>) -> Vec<GroupView> {
        let spec = &world.spec;
        let tp_key = |tp: &Tp| (spec.topics[tp.topic as usize].name.clone(), tp.partition);
        let hw_of = |tp: &Tp| -> u64 {
            world
                .controller
                .partitions
                .get(tp)
                .and_then(|s| s.leader)
                .and_then(|l| world.broker(l).replicas.get(tp))
                .map(|r| r.log.high_watermark())
                .unwrap_or(0)
        };
        let client_name = |n: NodeId| spec.node_name(n);
        self.groups
            .iter()
            .map(|g| {
                let coordinator = coordinator_of(g);
                let state = coordinator.and_then(|b| {
                    let broker = world.broker(b);
                    if !broker.is_running() {
                        return None;
                    }
                    broker.coordinator.groups.get(g.as_str())
                });
                match state {
                    Some(st) => GroupView {
                        id: g.clone(),
                        state: st.state.name().to_string(),
                        generation: st.generation,
                        protocol: st.protocol.map(str::to_string),
                        leader: st.leader.as_ref().map(|l| l.to_string()),
                        coordinator: coordinator.map(|b| b.0),
                        members: st
                            .members
                            .values()
                            .map(|m| MemberView {
                                member_id: m.id.to_string(),
                                client: client_name(m.client),
                                assignment: m.assignment.iter().map(tp_key).collect(),
                            })
                            .collect(),
                        offsets: st.offsets.iter().map(|(tp, (o, _))| (tp_key(tp).0, tp.partition, *o)).collect(),
                        lag: st.offsets.iter().map(|(tp, (o, _))| hw_of(tp).saturating_sub(*o)).sum(),
                    },
                    None => GroupView {
                        id: g.clone(),
                        state: "Unknown".into(),
                        generation: -1,
                        coordinator: coordinator.map(|b| b.0),
                        ..GroupView::default()
                    },
                }
            })
            .collect()
    }

    /// What step `index` did, for the caption under the picture.
    fn step_event(&self, index: u64, lang: &str) -> Option<StepEventView> {
        let (rec, _) = self.timeline.record(index)?;
        let spec = &self.timeline.current().model.spec;
        let key = |n: NodeId| node_key(spec, n);
        let text = self.describe_step_in(index, lang).unwrap_or_default();
        Some(match &rec.kind {
            StepKind::Deliver { msg, from, to, kind } => StepEventView {
                step: index,
                time_ms: rec.time,
                category: "deliver".into(),
                name: kind.to_string(),
                src: Some(key(*from)),
                dst: Some(key(*to)),
                msg: Some(msg.0),
                text,
            },
            StepKind::Drop { msg, from, to, kind, .. } => StepEventView {
                step: index,
                time_ms: rec.time,
                category: "drop".into(),
                name: kind.to_string(),
                src: Some(key(*from)),
                dst: Some(key(*to)),
                msg: Some(msg.0),
                text,
            },
            StepKind::Timer { node, name } => StepEventView {
                step: index,
                time_ms: rec.time,
                category: "timer".into(),
                name: name.to_string(),
                src: Some(key(*node)),
                dst: None,
                msg: None,
                text,
            },
            StepKind::Action { label } => StepEventView {
                step: index,
                time_ms: rec.time,
                category: "action".into(),
                name: label.clone(),
                src: None,
                dst: None,
                msg: None,
                text,
            },
        })
    }

    /// One line describing step `index` (1-based), for event logs.
    pub fn describe_step(&self, index: u64) -> Option<String> {
        self.describe_step_in(index, "en")
    }

    /// One line describing step `index` in `lang` ("en" or "zh"). Kafka's own names
    /// (message kinds, error codes) stay as they are, as Chinese articles use them.
    pub fn describe_step_in(&self, index: u64, lang: &str) -> Option<String> {
        let (rec, notes) = self.timeline.record(index)?;
        let spec = &self.timeline.current().model.spec;
        let name = |n: NodeId| spec.node_name(n);
        let zh = lang == "zh";
        let mut line = match &rec.kind {
            StepKind::Deliver { from, to, kind, .. } => format!("{kind} {} → {}", name(*from), name(*to)),
            StepKind::Drop { from, to, kind, reason, .. } => {
                if zh {
                    let r = match reason.as_str() {
                        "lost" => "网络丢包",
                        "link cut" => "链路已断开",
                        _ => "接收方已宕机",
                    };
                    format!("{kind} {} → {} 被丢弃（{r}）", name(*from), name(*to))
                } else {
                    format!("{kind} {} → {} dropped ({})", name(*from), name(*to), reason.as_str())
                }
            }
            StepKind::Timer { node, name: t } => {
                if zh {
                    format!("{} 定时器 {t}", name(*node))
                } else {
                    format!("{} timer {t}", name(*node))
                }
            }
            StepKind::Action { label } => {
                let narrated = notes.iter().find_map(|n| match n {
                    Note::Narration { index } => self.narrations.get(*index as usize).map(|t| t.get(lang).to_string()),
                    _ => None,
                });
                match narrated {
                    Some(text) => format!("{} {text}", if zh { "旁白：" } else { "Narration:" }),
                    None => action_text(spec, label, lang),
                }
            }
        };
        for n in notes {
            if let Some(s) = describe_note_in(spec, n, lang) {
                line.push_str("; ");
                line.push_str(&s);
            }
        }
        Some(line)
    }

    /// The event log lines of steps `from..=to` (clamped to the computed steps).
    pub fn events(&self, from: u64, to: u64, lang: &str) -> Vec<EventLine> {
        let to = to.min(self.horizon());
        (from.max(1)..=to).filter_map(|s| self.event_line(s, lang)).collect()
    }

    /// Up to `limit` event lines matching `filter`, the nearest to step `around` (half
    /// before it, half after, more on one side when the other runs out), in step order.
    pub fn search_events(&self, filter: &EventFilter, lang: &str, around: u64, limit: usize) -> Vec<EventLine> {
        let horizon = self.horizon();
        let around = around.clamp(1, horizon.max(1));
        let needle = filter.text.to_lowercase();
        let matches = |line: &EventLine| -> bool {
            (filter.categories.is_empty() || filter.categories.iter().any(|c| c == line.category))
                && (!filter.notable_only || line.notable)
                && (needle.is_empty() || line.text.to_lowercase().contains(&needle))
        };
        let mut before: Vec<EventLine> = Vec::new();
        let mut after: Vec<EventLine> = Vec::new();
        let half = limit / 2;
        let mut s = around;
        while s >= 1 && before.len() < limit {
            if let Some(l) = self.event_line(s, lang) {
                if filter.is_empty() || matches(&l) {
                    before.push(l);
                }
            }
            s -= 1;
            if before.len() >= half.max(1) {
                break;
            }
        }
        let mut s = around + 1;
        while s <= horizon && after.len() + before.len() < limit {
            if let Some(l) = self.event_line(s, lang) {
                if filter.is_empty() || matches(&l) {
                    after.push(l);
                }
            }
            s += 1;
        }
        // The later steps ran out: take more from before.
        let mut s = before.last().map(|l| l.step).unwrap_or(around + 1).saturating_sub(1);
        while s >= 1 && after.len() + before.len() < limit {
            if let Some(l) = self.event_line(s, lang) {
                if filter.is_empty() || matches(&l) {
                    before.push(l);
                }
            }
            s -= 1;
        }
        before.reverse();
        before.extend(after);
        before
    }

    fn event_line(&self, step: u64, lang: &str) -> Option<EventLine> {
        let (rec, notes) = self.timeline.record(step)?;
        let spec = &self.timeline.current().model.spec;
        let key = |n: NodeId| node_key(spec, n);
        let (category, nodes) = match &rec.kind {
            StepKind::Deliver { from, to, .. } => ("deliver", vec![key(*from), key(*to)]),
            StepKind::Drop { from, to, .. } => ("drop", vec![key(*from), key(*to)]),
            StepKind::Timer { node, .. } => ("timer", vec![key(*node)]),
            StepKind::Action { .. } => ("action", Vec::new()),
        };
        let notable = notes.iter().any(|n| {
            matches!(
                n,
                Note::LeaderElected { .. }
                    | Note::IsrChanged { .. }
                    | Note::BrokerFenced { .. }
                    | Note::BrokerCrashed { .. }
                    | Note::BrokerRestarted { .. }
                    | Note::ControllerElected { .. }
                    | Note::Truncated { .. }
                    | Note::Narration { .. }
                    | Note::GroupState { .. }
                    | Note::Assignment { .. }
                    | Note::CommitRejected { .. }
                    | Note::ConsumerCrashed { .. }
                    | Note::RecordFailed { .. }
                    | Note::TxnMarker { .. }
                    | Note::TxnStateChanged { .. }
                    | Note::TxnFenced { .. }
                    | Note::TxnLoaded { .. }
                    | Note::TxnClient { .. }
                    | Note::ProducerError { .. }
                    | Note::ProducerCrashed { .. }
                    | Note::ProducerRestarted { .. }
            )
        }) || category == "action"
            || category == "drop";
        Some(EventLine { step, time_ms: rec.time, category, nodes, notable, text: self.describe_step_in(step, lang)? })
    }
}

fn track_lag(t: &mut LagTracker, groups: &[String], spec: &Spec, n: &Note, changed: &mut bool) {
    if groups.is_empty() {
        return;
    }
    match n {
        Note::HighWatermark { broker, tp, high_watermark } => {
            t.hw.insert((broker.0, *tp), *high_watermark);
            let leader = t.leader.get(tp).copied().or_else(|| preferred_leader(spec, *tp));
            if leader == Some(broker.0) {
                *changed = true;
            }
        }
        Note::LeaderElected { tp, leader, .. } => {
            match leader {
                Some(b) => t.leader.insert(*tp, b.0),
                None => t.leader.insert(*tp, 0),
            };
            *changed = true;
        }
        Note::OffsetCommitted { group, tp, offset, .. } => {
            if let Some(g) = groups.iter().position(|x| x.as_str() == &**group) {
                t.committed.insert((g, *tp), *offset);
                *changed = true;
            }
        }
        _ => {}
    }
}

fn push_lag_points(lag_series: &mut [LagSeries], t: &LagTracker, spec: &Spec, step: u64, time_ms: u64) {
    for (g, series) in lag_series.iter_mut().enumerate() {
        let mut lag = 0u64;
        let mut any = false;
        for ((gi, tp), committed) in t.committed.range((g, Tp { topic: 0, partition: 0 })..) {
            if *gi != g {
                break;
            }
            any = true;
            let leader = t.leader.get(tp).copied().or_else(|| preferred_leader(spec, *tp)).unwrap_or(0);
            let hw = t.hw.get(&(leader, *tp)).copied().unwrap_or(0);
            lag += hw.saturating_sub(*committed);
        }
        if !any {
            continue;
        }
        if series.points.last().is_none_or(|p| p.lag != lag) {
            series.points.push(LagPoint { step, time_ms, lag });
        }
    }
}

/// Message summaries name partitions "t0-3" (topic index): use the topic's name.
fn named_partitions(spec: &Spec, text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_start && bytes[i] == b't' {
            let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && bytes.get(i + 1 + digits) == Some(&b'-') {
                if let Some(t) = text[i + 1..i + 1 + digits].parse::<usize>().ok().and_then(|t| spec.topics.get(t)) {
                    out.push_str(&t.name);
                    i += 1 + digits;
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A step's action label for people: node and client names instead of indexes, and
/// network faults in words, in `lang` ("en" or "zh").
pub fn action_text(spec: &Spec, label: &str, lang: &str) -> String {
    let zh = lang == "zh";
    // Network faults are labelled with their Debug form: NodeId(k) -> the node's key.
    let mut text = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(i) = rest.find("NodeId(") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        match after.find(')') {
            Some(j) => {
                match after[..j].parse::<u32>() {
                    Ok(n) => text.push_str(&node_key(spec, NodeId(n))),
                    Err(_) => text.push_str(&after[..j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    text.push_str(rest);
    let args = |t: &str| -> Vec<String> {
        let inner = t.find('(').and_then(|i| t.rfind(')').map(|j| &t[i + 1..j])).unwrap_or("");
        inner.split(',').map(|x| x.trim().to_string()).collect()
    };
    let word = text.split(['(', ' ']).next().unwrap_or("");
    let a = args(&text);
    let get = |i: usize| a.get(i).cloned().unwrap_or_default();
    let name_of = |list: &str, idx: &str| -> Option<String> {
        let i: usize = idx.parse().ok()?;
        match list {
            "producer" => spec.producers.get(i).map(|p| p.name.clone()),
            "consumer" => spec.consumers.get(i).map(|c| c.name.clone()),
            _ => spec.topics.get(i).map(|t| t.name.clone()),
        }
    };
    match (word, zh) {
        ("Cut", false) => format!("cut the link {} ↔ {}", get(0), get(1)),
        ("Cut", true) => format!("断开链路 {} ↔ {}", get(0), get(1)),
        ("CutOneWay", false) => format!("cut the link {} → {} (one way)", get(0), get(1)),
        ("CutOneWay", true) => format!("单向断开链路 {} → {}", get(0), get(1)),
        ("Heal", false) => format!("heal the link {} ↔ {}", get(0), get(1)),
        ("Heal", true) => format!("恢复链路 {} ↔ {}", get(0), get(1)),
        ("Isolate", false) => format!("isolate {} (cut all its links)", get(0)),
        ("Isolate", true) => format!("隔离 {}（断开它的所有链路）", get(0)),
        ("HealAll", false) => "heal every link".into(),
        ("HealAll", true) => "恢复所有链路".into(),
        ("Slow", false) => format!("{} slowed down by {} ms", get(0), get(1)),
        ("Slow", true) => format!("{} 变慢（+{} 毫秒）", get(0), get(1)),
        ("Partition", false) => format!("network partition {}", text.trim_start_matches("Partition")),
        ("Partition", true) => format!("网络分区 {}", text.trim_start_matches("Partition")),
        ("SetDrop", _) => text.clone(),
        _ => {
            // Model actions: "producer 0 sends ...", "crash consumer 1", "topic 0 grows to ...".
            let words: Vec<&str> = text.split(' ').collect();
            let mut out: Vec<String> = Vec::new();
            let mut i = 0;
            while i < words.len() {
                let w = words[i];
                if (w == "producer" || w == "consumer" || w == "topic") && i + 1 < words.len() {
                    if let Some(n) = name_of(w, words[i + 1]) {
                        out.push(if w == "topic" { format!("topic {n}") } else { n });
                        i += 2;
                        continue;
                    }
                }
                out.push(w.to_string());
                i += 1;
            }
            let en = out.join(" ");
            if !zh {
                return en;
            }
            let b = |x: &str| en.trim_start_matches(x).trim().to_string();
            if en.starts_with("crash broker") {
                format!("broker {} 宕机", b("crash broker"))
            } else if en.starts_with("power loss on broker") {
                format!("broker {} 断电", b("power loss on broker"))
            } else if en.starts_with("restart broker") {
                format!("重启 broker {}", b("restart broker"))
            } else if label.starts_with("crash producer") {
                format!("生产者 {} 宕机", b("crash"))
            } else if label.starts_with("restart producer") {
                format!("重启生产者 {}", b("restart"))
            } else if en.starts_with("crash ") {
                format!("消费者 {} 宕机", b("crash"))
            } else if en.starts_with("restart ") {
                format!("重启消费者 {}", b("restart"))
            } else if en.starts_with("resume ") {
                format!("恢复消费者 {}", b("resume"))
            } else if en.starts_with("close ") {
                format!("关闭消费者 {}", b("close"))
            } else if let Some((who, what)) = en.split_once(" sends ") {
                format!("{who} 发送 {}", what.replace("record(s)", "条消息"))
            } else {
                en
            }
        }
    }
}

/// A node's key in commands and views: "b3" for broker 3, else the client's name.
pub fn node_key(spec: &Spec, node: NodeId) -> String {
    if node.0 < spec.broker_count {
        format!("b{}", node.0 + 1)
    } else {
        spec.node_name(node)
    }
}

/// The network node of a key ("b3" or a client name).
pub fn node_of(spec: &Spec, name: &str) -> Option<NodeId> {
    if let Some(rest) = name.strip_prefix('b') {
        if let Ok(b) = rest.parse::<u32>() {
            return (b >= 1 && b <= spec.broker_count).then_some(NodeId(b - 1));
        }
    }
    if let Some(i) = spec.producers.iter().position(|p| p.name == name) {
        return Some(spec.producer_node(i as u32));
    }
    if let Some(i) = spec.readers.iter().position(|r| r.name == name) {
        return Some(spec.reader_node(i as u32));
    }
    spec.consumers.iter().position(|c| c.name == name).map(|i| spec.consumer_node(i as u32))
}

/// Every transactional id of the scenario: producers' and pipelines'.
fn transactional_ids(spec: &Spec) -> Vec<String> {
    let mut ids: Vec<String> = spec.producers.iter().filter_map(|p| p.config.transactional_id.clone()).collect();
    ids.extend(spec.consumers.iter().filter_map(|c| c.transform.as_ref()?.producer.transactional_id.clone()));
    // Two producers may share an id (the zombie lessons): one coordinator badge.
    let mut seen = Vec::new();
    ids.retain(|id| {
        let new = !seen.contains(id);
        seen.push(id.clone());
        new
    });
    ids
}

fn preferred_leader(spec: &Spec, tp: Tp) -> Option<u32> {
    spec.topics.get(tp.topic as usize)?.assignment.get(tp.partition as usize)?.first().map(|b| b.0)
}

fn tp_name(spec: &Spec, tp: Tp) -> String {
    match spec.topics.get(tp.topic as usize) {
        Some(t) => format!("{}-{}", t.name, tp.partition),
        None => format!("t{}-{}", tp.topic, tp.partition),
    }
}

fn describe_internal(spec: &Spec, r: &InternalRecord) -> String {
    match r {
        InternalRecord::OffsetCommit { group, tp, offset, member, .. } => {
            format!("commit {group} {}={offset} ({member})", tp_name(spec, *tp))
        }
        InternalRecord::GroupMetadata { group, generation, members, .. } => {
            format!("group {group} generation {generation}, {} member(s)", members.len())
        }
        InternalRecord::TxnState(m) => format!(
            "transaction {} {} epoch {} [{}]",
            m.transactional_id,
            m.state.name(),
            m.producer_epoch,
            m.partitions.iter().map(|tp| tp_name(spec, *tp)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Chinese name of an anomaly kind, with the English term kept (as the glossary does).
pub fn anomaly_name_zh(kind: &str) -> String {
    let zh = match kind {
        "lost-write" => "写丢失",
        "duplicate" => "重复写入",
        "nonmonotonic-send" => "发送乱序",
        "divergence" => "副本分歧",
        "nonmonotonic-hw" => "高水位回退",
        "read-above-hw" => "读到高水位之上",
        "nonmonotonic-poll" => "消费位移回退",
        "duplicate-processing" => "重复消费",
        "poll-skip" => "跳过消息（消息丢失）",
        "nonmonotonic-commit" => "提交位移回退",
        "idle-member" => "空闲成员",
        "aborted-read" => "读到已中止事务",
        "duplicate-output" => "重复输出",
        _ => return kind.to_string(),
    };
    format!("{zh} ({kind})")
}

/// Human text for the notes worth showing in an event log.
pub fn describe_note(spec: &Spec, n: &Note) -> Option<String> {
    describe_note_in(spec, n, "en")
}

/// [`describe_note`] in `lang` ("en" or "zh", with the glossary's terms).
pub fn describe_note_in(spec: &Spec, n: &Note, lang: &str) -> Option<String> {
    let zh = lang == "zh";
    let tp = |tp: &Tp| tp_name(spec, *tp);
    let ids = |v: &[BrokerId]| format!("{:?}", v.iter().map(|b| b.0).collect::<Vec<_>>());
    Some(match n {
        Note::LeaderElected { tp: t, leader, leader_epoch, unclean, .. } => {
            if zh {
                format!(
                    "{} 的 leader → {}（epoch {leader_epoch}）{}",
                    tp(t),
                    leader.map(|b| format!("broker {}", b.0)).unwrap_or_else(|| "无（分区离线）".into()),
                    if *unclean { " 非干净 leader 选举" } else { "" }
                )
            } else {
                format!(
                    "{} leader → {} (epoch {leader_epoch}){}",
                    tp(t),
                    leader.map(|b| format!("broker {}", b.0)).unwrap_or_else(|| "none (offline)".into()),
                    if *unclean { " UNCLEAN" } else { "" }
                )
            }
        }
        Note::IsrChanged { tp: t, isr, .. } => format!("{} ISR → {}", tp(t), ids(isr)),
        Note::BrokerFenced { broker } => {
            if zh {
                format!("broker {} 被隔离（fenced）", broker.0)
            } else {
                format!("broker {} fenced", broker.0)
            }
        }
        Note::BrokerUnfenced { broker } => {
            if zh {
                format!("broker {} 解除隔离（unfenced）", broker.0)
            } else {
                format!("broker {} unfenced", broker.0)
            }
        }
        Note::BrokerCrashed { broker, power_loss } => match (zh, power_loss) {
            (true, true) => format!("broker {} 断电", broker.0),
            (true, false) => format!("broker {} 宕机", broker.0),
            (false, true) => format!("broker {} lost power", broker.0),
            (false, false) => format!("broker {} crashed", broker.0),
        },
        Note::BrokerRestarted { broker, lost_unflushed } => {
            if zh {
                format!("broker {} 重启（丢失 {lost_unflushed} 条未刷盘消息）", broker.0)
            } else {
                format!("broker {} restarted (lost {lost_unflushed} unflushed)", broker.0)
            }
        }
        Note::ControllerElected { broker, epoch } => {
            if zh {
                format!("broker {} 成为活跃控制器（epoch {epoch}）", broker.0)
            } else {
                format!("broker {} is the active controller (epoch {epoch})", broker.0)
            }
        }
        Note::Truncated { broker, tp: t, offset, removed } => {
            if zh {
                format!("broker {} 将 {} 截断到位移 {offset}（删除 {} 条）", broker.0, tp(t), removed.len())
            } else {
                format!("broker {} truncated {} to {offset} ({} removed)", broker.0, tp(t), removed.len())
            }
        }
        Note::HighWatermark { broker, tp: t, high_watermark } => {
            if zh {
                format!("broker {} {} 高水位 HW={high_watermark}", broker.0, tp(t))
            } else {
                format!("broker {} {} HW={high_watermark}", broker.0, tp(t))
            }
        }
        Note::RecordAcked { record, tp: t, offset } => {
            if zh {
                format!("消息 #{} 已确认，位于 {} 位移 {offset}", record.0, tp(t))
            } else {
                format!("record #{} acked at {} offset {offset}", record.0, tp(t))
            }
        }
        Note::RecordFailed { record, error, .. } => {
            if zh {
                format!("消息 #{} 发送失败：{}", record.0, error.name())
            } else {
                format!("record #{} failed: {}", record.0, error.name())
            }
        }
        Note::ProduceError { tp: t, error, retrying, .. } => {
            if zh {
                format!("{} {}{}", tp(t), error.name(), if *retrying { "，重试" } else { "" })
            } else {
                format!("{} {}{}", tp(t), error.name(), if *retrying { ", retrying" } else { "" })
            }
        }
        Note::GroupState { group, state, generation, reason } => {
            if zh {
                format!("消费者组 {group} → {state}（代 generation {generation}，{reason}）")
            } else {
                format!("group {group} → {state} (generation {generation}, {reason})")
            }
        }
        Note::Assignment { group, generation, protocol, assignment } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(m, tps)| format!("{m}: [{}]", tps.iter().map(&tp).collect::<Vec<_>>().join(", ")))
                .collect();
            if zh {
                format!("消费者组 {group} 第 {generation} 代分配（{protocol}）：{}", parts.join("; "))
            } else {
                format!("group {group} generation {generation} assignment ({protocol}): {}", parts.join("; "))
            }
        }
        Note::OffsetCommitted { group, tp: t, offset, member, .. } => {
            if zh {
                format!("消费者组 {group} 提交 {}={offset}（{member}）", tp(t))
            } else {
                format!("group {group} committed {}={offset} ({member})", tp(t))
            }
        }
        Note::CommitRejected { group, member, generation, error } => {
            if zh {
                format!("消费者组 {group} 拒绝 {member} 的提交（generation {generation}）：{}", error.name())
            } else {
                format!("group {group} rejected a commit from {member} (generation {generation}): {}", error.name())
            }
        }
        Note::MemberJoined { group, member } => {
            if zh {
                format!("{member} 加入消费者组 {group}")
            } else {
                format!("{member} joined group {group}")
            }
        }
        Note::MemberRemoved { group, member, reason } => {
            if zh {
                format!("{member} 离开消费者组 {group}（{reason}）")
            } else {
                format!("{member} left group {group} ({reason})")
            }
        }
        Note::ConsumerCrashed { consumer } => {
            let c = spec.consumers.get(*consumer as usize).map(|c| c.name.clone()).unwrap_or_default();
            if zh {
                format!("消费者 {c} 宕机")
            } else {
                format!("consumer {c} crashed")
            }
        }
        Note::ConsumerError { consumer, error, detail } => {
            let c = spec.consumers.get(*consumer as usize).map(|c| c.name.clone()).unwrap_or_default();
            if zh {
                format!("消费者 {c} 抛出 {error}：{detail}")
            } else {
                format!("consumer {c} threw {error}: {detail}")
            }
        }
        Note::ConsumerRestarted { consumer } => {
            let c = spec.consumers.get(*consumer as usize).map(|c| c.name.clone()).unwrap_or_default();
            if zh {
                format!("消费者 {c} 重启")
            } else {
                format!("consumer {c} restarted")
            }
        }
        Note::ConsumerPaused { consumer, until, gc } => {
            let c = spec.consumers.get(*consumer as usize).map(|c| c.name.clone()).unwrap_or_default();
            match (zh, gc) {
                (true, true) => format!("消费者 {c} 停顿（GC）直到 {until} ms"),
                (true, false) => format!("消费者 {c} 处理变慢，直到 {until} ms"),
                (false, true) => format!("consumer {c} frozen (GC pause) until {until} ms"),
                (false, false) => format!("consumer {c} processing slowly until {until} ms"),
            }
        }
        Note::TxnMarker { broker, tp: t, offset, producer_id, producer_epoch, commit, records } => {
            let (kind, a) = if *commit { ("COMMIT", "a") } else { ("ABORT", "an") };
            if zh {
                format!(
                    "broker {} 在 {} 位移 {offset} 写入 {kind} 标记（producer id {producer_id}，epoch {producer_epoch}，结束 {} 条消息的事务）",
                    broker.0,
                    tp(t),
                    records.len()
                )
            } else {
                format!(
                    "broker {} wrote {a} {kind} marker in {} at offset {offset} (producer id {producer_id}, epoch {producer_epoch}, ends a transaction of {} record(s))",
                    broker.0,
                    tp(t),
                    records.len()
                )
            }
        }
        Note::TxnStateChanged { broker, transactional_id, producer_id, producer_epoch, state, partitions } => {
            let parts = partitions.iter().map(&tp).collect::<Vec<_>>().join(", ");
            if zh {
                format!("事务协调者 broker {}：{transactional_id} → {state}（producer id {producer_id}，epoch {producer_epoch}，分区 [{parts}]）", broker.0)
            } else {
                format!("transaction coordinator broker {}: {transactional_id} → {state} (producer id {producer_id}, epoch {producer_epoch}, partitions [{parts}])", broker.0)
            }
        }
        Note::TxnFenced { transactional_id, producer_epoch, reason } => {
            if zh {
                format!("{transactional_id} 的 epoch 提升到 {producer_epoch}：旧的生产者被隔离（fenced），它的事务被中止（{reason}）")
            } else {
                format!("{transactional_id}: epoch bumped to {producer_epoch}, the older producer is fenced and its transaction aborted ({reason})")
            }
        }
        Note::TxnLoaded { broker, transactional_id, state, producer_epoch } => {
            if zh {
                format!(
                    "broker {} 从 __transaction_state 载入事务 {transactional_id}（{state}，epoch {producer_epoch}）",
                    broker.0
                )
            } else {
                format!("broker {} loaded transaction {transactional_id} from __transaction_state ({state}, epoch {producer_epoch})", broker.0)
            }
        }
        Note::TxnClient { producer, call, outcome } => {
            let p = spec.producer_name(*producer);
            if zh {
                let o = match *outcome {
                    "ok" => "成功",
                    "called" => "已调用",
                    "committed" => "已提交",
                    "aborted" => "已中止",
                    "failed" => "失败",
                    other => other,
                };
                format!("{p}：{call} → {o}")
            } else {
                format!("{p}: {call} → {outcome}")
            }
        }
        Note::ProducerError { producer, error, detail } => {
            let p = spec.producer_name(*producer);
            if zh {
                format!("{p} 抛出 {error}：{detail}")
            } else {
                format!("{p} threw {error}: {detail}")
            }
        }
        Note::ProducerCrashed { producer } => {
            let p = spec.producer_name(*producer);
            if zh {
                format!("生产者 {p} 宕机")
            } else {
                format!("producer {p} crashed")
            }
        }
        Note::ProducerRestarted { producer } => {
            let p = spec.producer_name(*producer);
            if zh {
                format!("生产者 {p} 重启")
            } else {
                format!("producer {p} restarted")
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Scenario {
        let path = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn command_tokens_round_trip() {
        let all = vec![
            Command::Crash(1),
            Command::PowerLoss(2),
            Command::Restart(3),
            Command::Isolate("b2".into()),
            Command::Cut("b1".into(), "my producer.x".into()),
            Command::Heal("b1".into(), "b2".into()),
            Command::HealAll,
            Command::Slow("c1".into(), 250),
            Command::Produce { producer: "p".into(), topic: "orders".into(), key: Some("k~1.2%".into()), count: 3 },
            Command::Produce { producer: "p".into(), topic: "orders".into(), key: None, count: 1 },
            Command::SetAcks { producer: "p".into(), acks: "all".into() },
            Command::ConsumerCrash("c1".into()),
            Command::ConsumerRestart("c1".into()),
            Command::ConsumerPause { consumer: "c1".into(), ms: 5000, gc: true },
            Command::ConsumerResume("c1".into()),
            Command::ConsumerClose("c1".into()),
            Command::AddPartitions { topic: "orders".into(), partitions: 4 },
            Command::BeginTransaction("bank".into()),
            Command::CommitTransaction("my bank".into()),
            Command::AbortTransaction("bank".into()),
            Command::ProducerCrash("p.1".into()),
            Command::ProducerRestart("p.1".into()),
        ];
        for c in all {
            let t = c.to_token();
            assert!(!t.contains('~') && !t.contains('&') && !t.contains('#'), "{t}");
            assert_eq!(Command::from_token(&t), Ok(c));
        }
        assert!(Command::from_token("crash.x").unwrap_err().contains("not a whole number"));
        assert!(Command::from_token("explode.1").unwrap_err().contains("unknown action"));
        assert!(Command::from_token("cut.b1").unwrap_err().contains("takes 2"));
        assert!(Command::from_token("isolate.%Z1").unwrap_err().contains("escape"));
        assert!(Command::from_token("begin").unwrap_err().contains("takes 1"));
        assert!(Command::from_token("commit.a.b").unwrap_err().contains("takes 1"));
    }

    #[test]
    fn transactions_in_the_view() {
        let mut session = Session::new(load("transaction-aborted-read"));
        session.compute_ahead(u64::MAX);
        // While the first transaction is open, the leader's LSO stays at its first offset.
        let mut open_seen = false;
        for step in (0..=session.horizon()).step_by(5) {
            session.seek(step);
            let v = session.view();
            if v.brokers.iter().flat_map(|b| &b.replicas).any(|r| {
                r.is_leader
                    && !r.internal
                    && r.last_stable_offset < r.high_watermark
                    && r.cells.iter().any(|c| c.txn == Some("open"))
            }) {
                open_seen = true;
                break;
            }
        }
        assert!(open_seen, "an open transaction holds the LSO below the HW");
        session.seek(session.horizon());
        let v = session.view();
        let cells: Vec<&CellView> =
            v.brokers[0].replicas.iter().filter(|r| r.topic == "payments").flat_map(|r| &r.cells).collect();
        assert_eq!(cells.iter().filter(|c| c.txn == Some("aborted")).count(), 3, "three aborted payments");
        assert_eq!(cells.iter().filter(|c| c.txn == Some("committed")).count(), 2, "two committed ones");
        let markers: Vec<&&CellView> = cells.iter().filter(|c| c.control.is_some()).collect();
        assert_eq!(markers.len(), 2);
        assert!(markers.iter().all(|c| c.record.is_none() && c.producer.as_deref() == Some("bank")), "{markers:?}");
        assert!(
            markers.iter().any(|c| c.control == Some("abort")) && markers.iter().any(|c| c.control == Some("commit"))
        );
        assert_eq!(
            v.brokers.iter().filter(|b| b.txn_coordinator_for == ["bank-1"]).count(),
            1,
            "one transaction coordinator"
        );
        assert!(v.brokers[0].replicas.iter().any(|r| r.internal && r.topic == "__transaction_state"));
        let p = &v.producers[0];
        assert_eq!(p.transactional_id.as_deref(), Some("bank-1"));
        assert_eq!(p.txn_state.as_deref(), Some("READY"));
        assert!(p.producer_id >= 0 && p.running);
        assert_eq!(p.coordinator_state.as_deref(), Some("CompleteCommit"));
        assert_eq!(v.readers[0].isolation, "read_uncommitted");
        let kinds: Vec<&str> = session.timeline_markers().iter().map(|m| m.kind).collect();
        assert!(
            kinds.contains(&"txn-abort") && kinds.contains(&"txn-commit") && kinds.contains(&"anomaly"),
            "{kinds:?}"
        );
        assert!(session.final_anomalies().unwrap().iter().all(|a| a.kind == "aborted-read"));
        assert_eq!(anomaly_name_zh("aborted-read"), "读到已中止事务 (aborted-read)");
        let zh = session.search_events(&EventFilter { text: "ABORT 标记".into(), ..Default::default() }, "zh", 1, 10);
        assert!(!zh.is_empty(), "markers are described in Chinese");
    }

    #[test]
    fn transaction_and_producer_commands() {
        let mut session = Session::new(load("transaction-read-committed"));
        session.compute_ahead(u64::MAX);
        // After the lesson's own transactions, with time left in the run.
        let mut at = session.horizon();
        while at > 0 && session.timeline().record(at).unwrap().0.time > 7_000 {
            at -= 1;
        }
        session.seek(at);
        assert_eq!(session.view().producers[0].txn_state.as_deref(), Some("READY"));
        let before = session.digest();
        assert!(session.act(&Command::BeginTransaction("nobody".into())).unwrap_err().contains("unknown producer"));
        assert_eq!(session.digest(), before, "rejected commands change nothing");
        session.act(&Command::BeginTransaction("bank".into())).unwrap();
        session
            .act(&Command::Produce {
                producer: "bank".into(),
                topic: "payments".into(),
                key: Some("carol".into()),
                count: 2,
            })
            .unwrap();
        for _ in 0..200 {
            session.step_forward();
        }
        let v = session.view();
        assert_eq!(v.producers[0].txn_state.as_deref(), Some("IN_TRANSACTION"));
        assert!(!v.producers[0].txn_partitions.is_empty(), "the partition was added to the transaction");
        assert!(v
            .brokers
            .iter()
            .flat_map(|b| &b.replicas)
            .any(|r| r.is_leader && r.last_stable_offset < r.high_watermark));
        session.act(&Command::CommitTransaction("bank".into())).unwrap();
        for _ in 0..300 {
            session.step_forward();
        }
        let v = session.view();
        assert_eq!(v.producers[0].txn_state.as_deref(), Some("READY"));
        assert!(v.brokers.iter().flat_map(|b| &b.replicas).all(|r| r.last_stable_offset == r.high_watermark));
        session.act(&Command::ProducerCrash("bank".into())).unwrap();
        assert!(!session.view().producers[0].running);
        session.act(&Command::ProducerRestart("bank".into())).unwrap();
        assert!(session.view().producers[0].running);
        // The link form replays all of it.
        let replayed =
            Session::replay(session.scenario().clone(), session.seed(), session.actions(), session.cursor()).unwrap();
        assert_eq!(replayed.digest(), session.digest());
        // A producer without a transactional.id cannot begin a transaction.
        let mut plain = Session::new(load("acks1-leader-failure"));
        assert!(plain.act(&Command::BeginTransaction("producer".into())).unwrap_err().contains("no transactional.id"));
    }

    #[test]
    fn replay_reproduces_a_branch() {
        let s = load("acks1-leader-failure");
        let mut a = Session::new(s.clone());
        a.seek(40);
        a.act(&Command::Crash(1)).unwrap();
        a.seek(90);
        a.act(&Command::Restart(1)).unwrap();
        a.seek(200);
        let b = Session::replay(s.clone(), a.seed(), a.actions(), 200).unwrap();
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.view(), b.view());
        // Acting at an earlier step drops the later actions.
        a.seek(50);
        a.act(&Command::Crash(2)).unwrap();
        assert_eq!(a.actions().len(), 2);
        assert_eq!(a.actions()[1], (50, Command::Crash(2)));
        assert!(Session::replay(s.clone(), 1, &[(999_999, Command::Crash(1))], 0).err().unwrap().contains("run ends"));
        assert!(Session::replay(s, 1, &[], 999_999).err().unwrap().contains("beyond the end"));
    }

    #[test]
    fn view_has_cells_aligned_and_truncation_ghosts() {
        let s = load("acks1-leader-failure");
        let mut session = Session::new(s);
        session.compute_ahead(u64::MAX);
        let end = session.horizon();
        session.seek(end);
        let v = session.view();
        let b1 = v.brokers.iter().find(|b| b.id == 1).unwrap();
        let r1 = &b1.replicas[0];
        let t = r1.truncated.as_ref().expect("broker 1 truncated the records only it had");
        assert_eq!(t.offset, 2);
        assert_eq!(t.records.len(), 3);
        let starts: Vec<u64> = v.brokers.iter().map(|b| b.replicas[0].window_start).collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "strips line up: {starts:?}");
        assert_eq!(r1.cells.len() as u64, r1.log_end_offset - r1.window_start);
        assert!(r1.cells.iter().all(|c| c.record.is_some()));
        assert!(session.final_anomalies().unwrap().iter().any(|a| a.kind == "lost-write"));
        assert!(session.timeline_markers().iter().any(|m| m.kind == "anomaly"));
        // Summary-only view of a broker: counts without replica details.
        let small = session.view_with(&ViewOptions { detail_brokers: Some(vec![2]), cells: 0, ..Default::default() });
        assert!(small.brokers[0].replicas.is_empty());
        assert_eq!(small.brokers[0].summary.replicas, 1);
        assert_eq!(small.brokers[1].replicas.len(), 1);
        assert!(small.brokers[1].replicas[0].cells.is_empty());
    }

    #[test]
    fn groups_lag_and_consumer_commands() {
        let s = load("more-consumers-than-partitions");
        let mut session = Session::new(s);
        session.compute_ahead(u64::MAX);
        session.seek(session.horizon());
        let v = session.view();
        assert_eq!(v.groups.len(), 1);
        let g = &v.groups[0];
        assert_eq!(g.state, "Stable");
        assert_eq!(g.members.len(), 4);
        assert!(g.coordinator.is_some());
        assert_eq!(v.brokers.iter().filter(|b| !b.coordinator_for.is_empty()).count(), 1);
        let orders: Vec<&PartitionView> = v.partitions.iter().filter(|p| p.topic == "orders").collect();
        assert_eq!(orders.len(), 3);
        assert!(orders.iter().all(|p| p.groups.len() == 1 && p.groups[0].member.is_some()));
        assert!(!session.lag_series()[0].points.is_empty(), "commits make lag points");
        session.seek(2_000.min(session.horizon()));
        let before = session.digest();
        assert!(session.act(&Command::ConsumerPause { consumer: "c1".into(), ms: 0, gc: true }).is_err());
        assert!(session.act(&Command::ConsumerCrash("nobody".into())).is_err());
        assert_eq!(session.digest(), before, "rejected commands change nothing");
        session.act(&Command::ConsumerCrash("c2".into())).unwrap();
        let v = session.view();
        assert_eq!(v.consumers.iter().find(|c| c.name == "c2").unwrap().status, "crashed");
        session.act(&Command::AddPartitions { topic: "orders".into(), partitions: 4 }).unwrap();
        assert!(session.act(&Command::AddPartitions { topic: "orders".into(), partitions: 2 }).is_err());
    }

    #[test]
    fn payloads_name_topics() {
        let session = Session::new(load("acks1-leader-failure"));
        let spec = &session.current().model.spec;
        assert_eq!(named_partitions(spec, "t0-0 NONE records=1, at0-1, t9-2"), "orders-0 NONE records=1, at0-1, t9-2");
        let id = session.current().in_flight().next().map(|m| m.id.0).expect("LeaderAndIsr on the wire at step 0");
        let m = session.message(id, 10_000).unwrap();
        assert!(m.summary.contains("orders-0"), "{}", m.summary);
        assert!(session.message(id, 5).unwrap().summary.ends_with('…'));
    }

    #[test]
    fn events_search_and_chinese_text() {
        let s = load("acks1-leader-failure");
        let mut session = Session::new(s);
        session.compute_ahead(u64::MAX);
        let all = session.events(1, 30, "en");
        assert_eq!(all.len(), 30);
        assert_eq!(all[0].step, 1);
        let f = EventFilter { text: "leader →".into(), ..Default::default() };
        let hits = session.search_events(&f, "en", 1, 50);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|l| l.text.contains("leader →")));
        assert!(hits.windows(2).all(|w| w[0].step < w[1].step));
        let zh = session.search_events(&EventFilter { text: "宕机".into(), ..Default::default() }, "zh", 1, 10);
        assert!(!zh.is_empty(), "the crash is described in Chinese");
        let drops = EventFilter { categories: vec!["drop".into()], ..Default::default() };
        let cut =
            session.search_events(&EventFilter { text: "cut the link".into(), ..Default::default() }, "en", 1, 10);
        assert!(cut.iter().any(|l| l.text.contains("b1 → b2 (one way)")), "net faults in words: {cut:?}");
        let sends = session.search_events(&EventFilter { text: "发送".into(), ..Default::default() }, "zh", 1, 10);
        assert!(sends.iter().any(|l| l.text.contains("producer 发送 2 条消息")), "{sends:?}");
        assert!(session.search_events(&drops, "en", 1, 100).iter().all(|l| l.category == "drop"));
    }
}
