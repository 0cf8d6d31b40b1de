//! The UI's single source of truth: a Yew reducer around the engine [`Session`].
//!
//! Every change goes through [`AppState::reduce`]. Anything that can fail (a link, a file,
//! a setting, a command) is tried on a copy or checked before it touches the session, so
//! an error leaves the simulation exactly as it was. Side effects (timers, the URL, local
//! storage, downloads) live in `app.rs`, never here.
use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use crate::scenario::Scenario;
use crate::session::{Command, EventFilter, Session, ViewOptions};
use crate::ui::i18n::{t, tf, Lang, K};
use crate::ui::scenarios;
use crate::ui::url::{ScenarioRef, UrlState};
use crate::view::{ClusterView, Marker, MessageView};

/// The scenario the reducer test and the old entry point open.
pub const BUILTIN_SCENARIO_NAME: &str = "acks1-leader-failure";

/// Play speeds, in steps per second.
pub const SPEEDS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 60.0, 240.0];
pub const DEFAULT_SPEED: usize = 2;
/// Steps computed per `ComputeMore` (the rest follows in later turns of the event loop).
pub const COMPUTE_CHUNK: u64 = 20_000;
/// Most messages drawn at once.
pub const MAX_DRAWN_MESSAGES: usize = 400;
/// Cells asked of the session per strip (the picture shows the tail that fits).
pub const CELLS: u32 = 64;

/// Kept for the old tests and code: autoplay interval at the default speed.
pub const PLAY_INTERVAL_MS: u32 = 200;

/// The session behind the UI, compared by identity and revision (not by value: cheap).
#[derive(Clone)]
pub struct SessionHandle {
    inner: Rc<RefCell<Session>>,
    pub rev: u64,
}

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.rev == other.rev
    }
}

impl SessionHandle {
    fn new(s: Session) -> Self {
        SessionHandle { inner: Rc::new(RefCell::new(s)), rev: 0 }
    }
    /// Read the session (None if it is being changed, which cannot happen between renders).
    pub fn with<R>(&self, f: impl FnOnce(&Session) -> R) -> Option<R> {
        self.inner.try_borrow().ok().map(|s| f(&s))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Start,
    Lab,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Events,
    Anomalies,
    Partitions,
    Lag,
    Settings,
}

/// What the user clicked in the picture (its menu or inspector is open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Broker(u32),
    Producer(String),
    Consumer(String),
    Reader(String),
    /// A link between two nodes (node keys).
    Link(String, String),
    Message(u64),
}

/// Where a setting lives in the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingScope {
    Broker,
    Topic(String),
    Producer(String),
    Consumer(String),
    Reader(String),
    /// The producer of a consume-transform-produce consumer (`transform.config`).
    Pipeline(String),
    Network,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// One step forward (pauses autoplay).
    StepForward,
    /// One step back (pauses autoplay).
    StepBack,
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Autoplay timer fired: step forward if still playing.
    Tick,
    SetSpeed(usize),
    Seek(u64),
    /// Jump to the next (+1) or previous (-1) marker.
    JumpMarker(i32),
    /// Compute more of the run in the background.
    ComputeMore,
    OpenBuiltin(String),
    /// A scenario file the user picked.
    Import {
        name: String,
        text: String,
    },
    /// A link's fragment (at start-up, or when the address changes).
    LoadFragment(String),
    ShowStart,
    /// Replace the session with a new scenario (tests and the old entry point).
    Load {
        name: String,
        json: String,
    },
    Act(Command),
    Select(Option<Selection>),
    AddConsumer {
        group: String,
    },
    ApplySetting {
        scope: SettingScope,
        key: String,
        value: String,
    },
    SetLang(Lang),
    SetTheme(Theme),
    TogglePresenter,
    SetPanel(Panel),
    SetWidth(f64),
    ToggleExpand(u32),
    ToggleInternal,
    SetFilter(EventFilter),
    DismissError,
    DismissNotice,
    DismissHelp,
    Notice(String),
    ShowError(String),
}

#[derive(Clone)]
pub struct AppState {
    pub session: Option<SessionHandle>,
    /// The built-in scenario's id, or None for an imported or changed one.
    pub builtin: Option<String>,
    pub title: (String, String),
    /// The scenario's description (en, zh), shown until the first narration.
    pub description: (String, String),
    pub view: Rc<ClusterView>,
    pub markers: Rc<Vec<Marker>>,
    pub horizon: u64,
    pub finished: bool,
    pub playing: bool,
    pub speed: usize,
    pub lang: Lang,
    pub theme: Theme,
    pub presenter: bool,
    pub screen: Screen,
    pub selection: Option<Selection>,
    /// The selected message with its payload (while it is on the wire).
    pub inspected: Option<MessageView>,
    pub panel: Panel,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// Large clusters are drawn as summaries; these brokers are expanded.
    pub large: bool,
    pub expanded: Vec<u32>,
    pub show_internal: bool,
    /// Width of the picture, in CSS pixels.
    pub width: f64,
    pub help_dismissed: bool,
    pub filter: EventFilter,
    /// The last forward step reported that the scenario has ended.
    pub at_end: bool,
    /// How long the last view model took to build (ms), for the benchmark.
    pub view_ms: f64,
}

/// The browser's clock, for the benchmark's view timing only (never the engine). Natively
/// (the reducer tests under `cargo test --features web`) there is no browser: 0.
#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}
#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    0.0
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            session: None,
            builtin: None,
            title: (String::new(), String::new()),
            description: (String::new(), String::new()),
            view: Rc::new(ClusterView::default()),
            markers: Rc::new(Vec::new()),
            horizon: 0,
            finished: false,
            playing: false,
            speed: DEFAULT_SPEED,
            lang: Lang::En,
            theme: Theme::Light,
            presenter: false,
            screen: Screen::Start,
            selection: None,
            inspected: None,
            panel: Panel::Events,
            error: None,
            notice: None,
            large: false,
            expanded: Vec::new(),
            show_internal: false,
            width: 1200.0,
            help_dismissed: false,
            filter: EventFilter::default(),
            at_end: false,
            view_ms: 0.0,
        }
    }
}

impl AppState {
    /// The app's state with the built-in lesson open at step 0 (tests, old entry point).
    pub fn builtin() -> Self {
        let mut s = AppState::default();
        s.open_builtin(BUILTIN_SCENARIO_NAME);
        s
    }

    /// A state for `json`; a scenario that does not parse gives no session and an error.
    pub fn load(name: &str, json: &str) -> Self {
        let mut s = AppState::default();
        s.import(name, json);
        s
    }

    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }
    pub fn cursor(&self) -> u64 {
        self.view.step
    }
    pub fn can_step_back(&self) -> bool {
        self.session.is_some() && self.view.step > 0
    }
    pub fn can_step_forward(&self) -> bool {
        self.session.is_some() && !self.at_end
    }

    /// The link that reproduces this view (the fragment, without `#`).
    pub fn fragment(&self) -> Option<String> {
        let handle = self.session.as_ref()?;
        handle.with(|s| {
            let scenario = match &self.builtin {
                Some(id) => ScenarioRef::Builtin(id.clone()),
                // Through a Value, like the settings: one less serializer of Scenario in the wasm.
                None => {
                    ScenarioRef::Inline(serde_json::to_value(s.scenario()).map(|v| v.to_string()).unwrap_or_default())
                }
            };
            let seed = (s.seed() != s.scenario().seed).then_some(s.seed());
            UrlState { scenario, seed, step: s.cursor(), actions: s.actions().to_vec() }.to_fragment()
        })
    }

    fn view_options(&self) -> ViewOptions {
        ViewOptions {
            cells: CELLS,
            detail_brokers: self.large.then(|| self.expanded.clone()),
            max_messages: MAX_DRAWN_MESSAGES,
            lang: self.lang,
            summaries: false,
            partitions: !self.large || self.panel == Panel::Partitions,
        }
    }

    /// Rebuild the view (and the markers when the run grew) from the session.
    fn refresh(&mut self) {
        let opts = self.view_options();
        let Some(handle) = self.session.as_mut() else {
            self.view = Rc::new(ClusterView::default());
            return;
        };
        handle.rev += 1;
        let s = handle.inner.borrow();
        let t0 = now_ms();
        self.view = Rc::new(s.view_with(&opts));
        self.view_ms = now_ms() - t0;
        let (horizon, finished) = (s.horizon(), s.finished());
        if horizon != self.horizon || finished != self.finished || self.markers.is_empty() {
            self.markers = Rc::new(s.timeline_markers());
        }
        self.horizon = horizon;
        self.finished = finished;
        self.at_end = s.at_end();
        self.inspected = match &self.selection {
            Some(Selection::Message(id)) => s.message(*id, 4_000),
            _ => None,
        };
    }

    /// Put `session` in place (after it loaded without error).
    fn install(&mut self, session: Session, builtin: Option<String>) {
        let sc = session.scenario();
        self.title = (sc.title.en.clone(), sc.title.zh.clone().unwrap_or_else(|| sc.title.en.clone()));
        self.description = sc
            .description
            .as_ref()
            .map(|d| (d.en.clone(), d.zh.clone().unwrap_or_else(|| d.en.clone())))
            .unwrap_or_default();
        let data_replicas: u64 =
            sc.topics.iter().map(|t| u64::from(t.partitions) * u64::from(t.replication_factor)).sum();
        self.large = sc.cluster.brokers > 12 || data_replicas > 150;
        self.expanded.clear();
        self.session = Some(SessionHandle::new(session));
        self.builtin = builtin;
        self.playing = false;
        self.selection = None;
        self.screen = Screen::Lab;
        self.horizon = 0;
        self.finished = false;
        self.markers = Rc::new(Vec::new());
        self.refresh();
    }

    fn open_builtin(&mut self, id: &str) {
        match scenarios::builtin(id) {
            Some(b) => match Session::from_scenario_json(b.json) {
                Ok(s) => {
                    self.install(s, Some(id.to_string()));
                    self.error = None;
                }
                Err(e) => self.error = Some(format!("{}: {e}", b.id)),
            },
            None => self.error = Some(format!("{}: \"{id}\"", t(self.lang, K::ErrLink))),
        }
    }

    fn import(&mut self, name: &str, text: &str) {
        match Session::from_scenario_json(text) {
            Ok(s) => {
                self.install(s, None);
                self.error = None;
            }
            Err(e) => {
                let mut msg = format!("{}: {e}.", tf(self.lang, K::ErrImport, &[&name]));
                if self.session.is_some() {
                    msg.push(' ');
                    msg.push_str(t(self.lang, K::SimUnchanged));
                }
                self.error = Some(msg);
            }
        }
    }

    fn load_fragment(&mut self, fragment: &str) {
        // Our own link: nothing to do.
        if self.fragment().as_deref() == Some(fragment.trim_start_matches('#')) {
            return;
        }
        let result = UrlState::parse(fragment).and_then(|state| {
            let Some(state) = state else { return Ok(None) };
            let (scenario, builtin) = match &state.scenario {
                ScenarioRef::Builtin(id) => {
                    let b = scenarios::builtin(id)
                        .ok_or_else(|| format!("there is no built-in scenario \"{id}\" (in \"s=\")"))?;
                    (Scenario::from_json(b.json).map_err(|e| e.to_string())?, Some(id.clone()))
                }
                ScenarioRef::Inline(json) => {
                    (Scenario::from_json(json).map_err(|e| format!("the scenario in \"json=\": {e}"))?, None)
                }
            };
            let seed = state.seed.unwrap_or(scenario.seed);
            let session = Session::replay(scenario, seed, &state.actions, state.step)?;
            Ok(Some((session, builtin)))
        });
        match result {
            Ok(Some((session, builtin))) => {
                self.install(session, builtin);
                self.error = None;
            }
            Ok(None) => {}
            Err(e) => {
                let mut msg = format!("{}: {e}.", t(self.lang, K::ErrLink));
                if self.session.is_some() {
                    msg.push(' ');
                    msg.push_str(t(self.lang, K::SimUnchanged));
                }
                self.error = Some(msg);
            }
        }
    }

    /// Runs `f` on the session, then refreshes the view. None when there is no session.
    fn with_session<R>(&mut self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let handle = self.session.as_ref()?;
        let out = {
            let mut s = handle.inner.try_borrow_mut().ok()?;
            f(&mut s)
        };
        self.refresh();
        Some(out)
    }

    fn step_forward(&mut self) {
        if self.at_end {
            self.playing = false;
            return;
        }
        if let Some(moved) = self.with_session(Session::step_forward) {
            if !moved {
                self.at_end = true;
                self.playing = false;
            }
        }
    }

    fn step_back(&mut self) {
        if self.view.step == 0 {
            return;
        }
        self.with_session(Session::step_back);
    }

    fn jump_marker(&mut self, dir: i32) {
        let cursor = self.cursor();
        let target = if dir > 0 {
            self.markers.iter().map(|m| m.step).find(|s| *s > cursor)
        } else {
            self.markers.iter().rev().map(|m| m.step).find(|s| *s < cursor)
        };
        if let Some(step) = target {
            self.with_session(|s| s.seek(step));
        }
    }

    fn act(&mut self, command: Command) {
        let lang = self.lang;
        let Some(handle) = self.session.as_ref() else { return };
        let result = {
            let Ok(mut s) = handle.inner.try_borrow_mut() else { return };
            let was_past = s.cursor() < s.horizon();
            s.act(&command).map(|step| (step, was_past))
        };
        match result {
            Ok((step, was_past)) => {
                self.notice = Some(if was_past {
                    tf(lang, K::BranchedAt, &[&(step - 1)])
                } else {
                    tf(lang, K::Applied, &[&step])
                });
                self.error = None;
                self.selection = None;
            }
            Err(e) => self.error = Some(format!("{}: {e}. {}", t(lang, K::ErrAction), t(lang, K::SimUnchanged))),
        }
        self.refresh();
    }

    /// Rebuild the session with a changed scenario; on error nothing changes.
    fn rebuild(&mut self, change: impl FnOnce(&mut serde_json::Value) -> Result<(), String>, what: &str) {
        let lang = self.lang;
        let Some(handle) = self.session.as_ref() else { return };
        let result = handle
            .with(|s| -> Result<Session, String> {
                let mut value = serde_json::to_value(s.scenario()).map_err(|e| e.to_string())?;
                change(&mut value)?;
                let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
                let scenario = Scenario::from_json(&text).map_err(|e| e.to_string())?;
                s.rebuilt_with(scenario)
            })
            .unwrap_or_else(|| Err("busy".into()));
        match result {
            Ok(session) => {
                let step = session.cursor();
                let large = self.large;
                let expanded = self.expanded.clone();
                self.install(session, None);
                self.large = large;
                self.expanded = expanded;
                self.refresh();
                self.notice = Some(tf(lang, K::RestartedRun, &[&step]));
                self.error = None;
            }
            Err(e) => {
                self.error = Some(format!("{}: {e}. {}", tf(lang, K::ErrSetting, &[&what]), t(lang, K::SimUnchanged)))
            }
        }
    }

    fn add_consumer(&mut self, group: &str) {
        let now = self.view.time_ms;
        let group = group.to_string();
        self.rebuild(
            move |v| {
                let consumers =
                    v.get_mut("consumers").and_then(|c| c.as_array_mut()).ok_or("this scenario has no consumers")?;
                let template = consumers
                    .iter()
                    .find(|c| c.get("group").and_then(|g| g.as_str()) == Some(group.as_str()))
                    .cloned()
                    .ok_or_else(|| format!("no consumer is in group \"{group}\""))?;
                let names: Vec<String> = consumers
                    .iter()
                    .filter_map(|c| c.get("name").and_then(|n| n.as_str()).map(str::to_string))
                    .collect();
                let name = (1..).map(|i| format!("c{i}")).find(|n| !names.contains(n)).unwrap_or_default();
                let mut c = template;
                c["name"] = serde_json::Value::String(name);
                // One millisecond after now, so everything up to this step happens as before.
                c["start_ms"] = serde_json::Value::from(now + 1);
                consumers.push(c);
                Ok(())
            },
            "consumers",
        );
    }

    fn apply_setting(&mut self, scope: SettingScope, key: String, value: String) {
        // acks can change mid-run: a command at this step.
        if let (SettingScope::Producer(p), "acks") = (&scope, key.as_str()) {
            self.act(Command::SetAcks { producer: p.clone(), acks: value.trim().to_string() });
            return;
        }
        let parsed = parse_setting_value(&key, &value);
        let what = key.clone();
        self.rebuild(
            move |v| {
                let parsed = parsed?;
                let target = match &scope {
                    SettingScope::Broker => {
                        let cluster = v.get_mut("cluster").ok_or("no cluster section")?;
                        if cluster.get("config").is_none() {
                            cluster["config"] = serde_json::json!({});
                        }
                        &mut cluster["config"]
                    }
                    SettingScope::Network => v.get_mut("network").ok_or("no network section")?,
                    SettingScope::Topic(name) => find_named(v, "topics", name)?,
                    SettingScope::Producer(name) => find_named(v, "producers", name)?,
                    SettingScope::Consumer(name) => find_named(v, "consumers", name)?,
                    SettingScope::Reader(name) => find_named(v, "readers", name)?,
                    SettingScope::Pipeline(name) => find_named(v, "consumers", name)?
                        .get_mut("transform")
                        .filter(|t| t.is_object())
                        .ok_or_else(|| format!("consumer \"{name}\" has no transform"))?,
                };
                let target = if matches!(scope, SettingScope::Broker | SettingScope::Network) {
                    target
                } else {
                    if target.get("config").is_none() {
                        target["config"] = serde_json::json!({});
                    }
                    &mut target["config"]
                };
                // `null` (typed as "none") removes a setting that is off by default.
                match (parsed.is_null(), target.as_object_mut()) {
                    (true, Some(map)) => {
                        map.remove(key.as_str());
                    }
                    _ => target[key.as_str()] = parsed,
                }
                Ok(())
            },
            &what,
        );
    }
}

/// A scenario as a pretty JSON file, its sections in the usual order (id, title, ...).
/// Written from a `serde_json::Value` (which the settings and links use too), so the wasm
/// carries one serializer of `Scenario` instead of two.
pub fn export_json(scenario: &Scenario) -> String {
    const ORDER: &[&str] = &[
        "id",
        "title",
        "description",
        "seed",
        "duration_ms",
        "cluster",
        "network",
        "topics",
        "producers",
        "consumers",
        "readers",
        "timeline",
        "expect",
    ];
    let value = serde_json::to_value(scenario).unwrap_or_default();
    let Some(map) = value.as_object() else { return value.to_string() };
    let mut keys: Vec<&String> = map.keys().collect();
    crate::kernel::sort::stable_sort_by(&mut keys, &|a, b| {
        let rank = |k: &_| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len());
        rank(a).cmp(&rank(b))
    });
    let fields: Vec<String> = keys
        .iter()
        .map(|k| {
            let body = serde_json::to_string_pretty(&map[k.as_str()]).unwrap_or_default().replace('\n', "\n  ");
            format!("  {}: {body}", serde_json::Value::String(k.to_string()))
        })
        .collect();
    format!("{{\n{}\n}}\n", fields.join(",\n"))
}

fn find_named<'a>(v: &'a mut serde_json::Value, list: &str, name: &str) -> Result<&'a mut serde_json::Value, String> {
    v.get_mut(list)
        .and_then(|l| l.as_array_mut())
        .and_then(|l| l.iter_mut().find(|x| x.get("name").and_then(|n| n.as_str()) == Some(name)))
        .ok_or_else(|| format!("no {} named \"{name}\"", list.trim_end_matches('s')))
}

/// A setting's text as JSON: numbers, booleans and Kafka's enum words. The scenario's own
/// validation then checks ranges and combinations (and names the field).
pub fn parse_setting_value(key: &str, value: &str) -> Result<serde_json::Value, String> {
    let v = value.trim();
    if key == "transactional.id" && (v.is_empty() || v == "none" || v == "null") {
        return Ok(serde_json::Value::Null);
    }
    if key == "transactional.id" {
        return Ok(serde_json::Value::String(v.to_string()));
    }
    if v.is_empty() {
        return Err(format!("{key}: a value is needed"));
    }
    match v {
        "true" => return Ok(serde_json::Value::Bool(true)),
        "false" => return Ok(serde_json::Value::Bool(false)),
        _ => {}
    }
    if let Ok(n) = v.parse::<u64>() {
        return Ok(serde_json::Value::from(n));
    }
    if v.starts_with('-') || v.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return Err(format!("{key}: \"{v}\" is not a whole number ≥ 0"));
    }
    if key == "partition.assignment.strategy" {
        return Ok(serde_json::Value::Array(
            v.split(',').map(|s| serde_json::Value::String(s.trim().to_string())).collect(),
        ));
    }
    Ok(serde_json::Value::String(v.to_string()))
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::StepForward => {
                next.playing = false;
                next.step_forward();
            }
            Action::StepBack => {
                next.playing = false;
                next.step_back();
            }
            Action::TogglePlay => {
                next.playing = !next.playing && next.can_step_forward();
                next.selection = None;
            }
            Action::Tick => {
                if !next.playing {
                    return self;
                }
                let speed = SPEEDS[next.speed.min(SPEEDS.len() - 1)];
                let steps = (speed / 60.0).ceil().max(1.0) as u32;
                for _ in 0..steps {
                    next.step_forward();
                    if !next.playing {
                        break;
                    }
                }
            }
            Action::SetSpeed(i) => next.speed = i.min(SPEEDS.len() - 1),
            Action::Seek(step) => {
                next.playing = false;
                next.with_session(|s| s.seek(step));
            }
            Action::JumpMarker(dir) => {
                next.playing = false;
                next.jump_marker(dir);
            }
            Action::ComputeMore => {
                if next.finished || next.session.is_none() {
                    return self;
                }
                next.with_session(|s| s.compute_ahead(COMPUTE_CHUNK));
            }
            Action::OpenBuiltin(id) => next.open_builtin(&id),
            Action::Import { name, text } => next.import(&name, &text),
            Action::LoadFragment(f) => next.load_fragment(&f),
            Action::ShowStart => {
                next.playing = false;
                next.screen = Screen::Start;
            }
            Action::Load { name, json } => next = AppState::load(&name, &json),
            Action::Act(c) => {
                next.playing = false;
                next.act(c);
            }
            Action::Select(sel) => {
                next.selection = sel;
                next.refresh();
            }
            Action::AddConsumer { group } => next.add_consumer(&group),
            Action::ApplySetting { scope, key, value } => next.apply_setting(scope, key, value),
            Action::SetLang(l) => {
                next.lang = l;
                next.refresh();
            }
            Action::SetTheme(th) => next.theme = th,
            Action::TogglePresenter => next.presenter = !next.presenter,
            Action::SetPanel(p) => {
                next.panel = p;
                if next.large {
                    next.refresh();
                }
            }
            Action::SetWidth(w) => {
                if (w - next.width).abs() < 1.0 {
                    return self;
                }
                next.width = w;
            }
            Action::ToggleExpand(b) => {
                if let Some(i) = next.expanded.iter().position(|x| *x == b) {
                    next.expanded.remove(i);
                } else {
                    next.expanded.push(b);
                }
                next.refresh();
            }
            Action::ToggleInternal => next.show_internal = !next.show_internal,
            Action::SetFilter(f) => next.filter = f,
            Action::DismissError => next.error = None,
            Action::DismissNotice => next.notice = None,
            Action::DismissHelp => next.help_dismissed = true,
            Action::Notice(n) => next.notice = Some(n),
            Action::ShowError(e) => next.error = Some(e),
        }
        Rc::new(next)
    }
}
