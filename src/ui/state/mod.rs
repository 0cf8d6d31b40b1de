//! The UI's single source of truth: a Yew reducer around the engine [`Session`].
//!
//! Every change goes through [`AppState::reduce`]. Anything that can fail (a link, a file,
//! a setting, a command) is tried on a copy or checked before it touches the session, so
//! an error leaves the simulation exactly as it was. Side effects (timers, the URL, local
//! storage, downloads) live in `app.rs`, never here.
mod acting;
mod loading;
mod stepping;

pub use loading::export_json;

use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use crate::session::{Command, EventFilter, Session, Stopped, ViewOptions};
use crate::ui::i18n::Lang;
use crate::ui::url::{ScenarioRef, UrlState};
use crate::view::{ClusterView, Marker, MessageView};

/// The scenario the reducer test and the old entry point open.
pub const BUILTIN_SCENARIO_NAME: &str = "acks1-leader-failure";

/// Play speeds, in steps per second.
pub const SPEEDS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 60.0, 240.0];
/// Play speeds in simulated time: simulated seconds per real second (listed after
/// `SPEEDS` in the speed menu: index `SPEEDS.len() + i`). Quiet stretches then take the
/// time they take, as the timers a class is waiting for.
pub const SIM_SPEEDS: &[f64] = &[1.0, 2.0, 10.0];
/// Ticks per second while playing in simulated time.
pub const SIM_TICKS_PER_S: f64 = 60.0;
pub const DEFAULT_SPEED: usize = 2;
/// Steps computed per `ComputeMore` (the rest follows in later turns of the event loop).
pub const COMPUTE_CHUNK: u64 = 20_000;
/// The page stops computing ahead once this much heap is live (1.5 GiB of wasm32's 4 GiB:
/// the rest is room for a chunk past the budget, the checkpoint a seek clones, the view
/// models and the allocator's own overhead). A long or huge run is cut there rather than
/// killing the page.
pub const MEMORY_BUDGET_BYTES: u64 = 1536 << 20;
/// Past this much of the budget of the budget (3/4), time travel keeps fewer checkpoints before the run
/// is cut: history stays seekable, seeks replay further.
pub fn thin_at(budget: u64) -> u64 {
    budget / 4 * 3
}

/// Where computing ahead stopped because the page's memory budget was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The last step computed: the UI goes no further.
    pub step: u64,
    /// Live heap when it stopped.
    pub bytes: u64,
}
/// Most messages drawn at once.
pub const MAX_DRAWN_MESSAGES: usize = 400;
/// Cells asked of the session per strip (the picture shows the tail that fits).
pub const CELLS: u32 = 64;

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
    /// The window height left below the narration (presenter mode fits the picture in it).
    SetRoom(f64),
    ToggleExpand(u32),
    ToggleInternal,
    SetFilter(EventFilter),
    DismissError,
    DismissNotice,
    DismissHelp,
    /// The last step computed so far (End), never more: a long run is computed in chunks.
    SeekEnd,
    /// The `?` key: the help banner again (or away).
    ToggleHelp,
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
    /// Where the livelock bound stopped the run, once computed that far (no verdict then).
    pub stopped: Option<Stopped>,
    /// Computing ahead stopped at the memory budget (see [`MEMORY_BUDGET_BYTES`]).
    pub cut: Option<Cut>,
    /// The budget in bytes of live heap (a test sets 0 to cut at the first chunk).
    pub memory_budget: u64,
    /// Time travel thinned its checkpoints to stay within the budget: the steps a seek may
    /// now replay.
    pub thinned: Option<u64>,
    pub playing: bool,
    pub speed: usize,
    /// Playing in simulated time: the simulated time (ms) the playback has reached.
    pub sim_clock: f64,
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
    /// The window height left for the picture (see `Action::SetRoom`).
    pub room: f64,
    pub help_dismissed: bool,
    pub filter: EventFilter,
    /// The last forward step reported that the scenario has ended.
    pub at_end: bool,
    /// How long the last view model took to build (ms), for the benchmark.
    pub view_ms: f64,
    /// How long the last seek took in the session, view model included (ms), for the
    /// long-run benchmark (tests/e2e/bench-long.mjs).
    pub seek_ms: f64,
}

/// The browser's clock, for the benchmark's view timing only (never the engine). Natively
/// (the reducer tests under `cargo test --features web`) there is no browser: 0.
#[cfg(target_arch = "wasm32")]
pub(super) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn now_ms() -> f64 {
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
            stopped: None,
            cut: None,
            memory_budget: MEMORY_BUDGET_BYTES,
            thinned: None,
            playing: false,
            speed: DEFAULT_SPEED,
            sim_clock: 0.0,
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
            room: 800.0,
            help_dismissed: false,
            filter: EventFilter::default(),
            at_end: false,
            view_ms: 0.0,
            seek_ms: 0.0,
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
        self.session.is_some() && !self.at_end && !self.at_cut()
    }
    /// The cursor is at the step where the memory budget cut the run.
    pub fn at_cut(&self) -> bool {
        self.cut.is_some_and(|c| self.view.step >= c.step)
    }

    /// The link that reproduces this view (the fragment, without `#`).
    pub fn fragment(&self) -> Option<String> {
        let handle = self.session.as_ref()?;
        handle.with(|s| {
            let scenario = match &self.builtin {
                Some(id) => ScenarioRef::Builtin(id.clone()),
                // A RocketMQ document, compact.
                None if s.scenario().rocketmq.is_some() => ScenarioRef::Inline(
                    serde_json::from_str::<serde_json::Value>(&s.scenario().to_json())
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ),
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
        self.stopped = s.stopped();
        // A branch made before the cut recomputes from there: computing ahead may go on
        // (and is cut again if the budget is still exceeded).
        if self.cut.is_some_and(|c| horizon < c.step) {
            self.cut = None;
        }
        self.at_end = s.at_end();
        self.inspected = match &self.selection {
            Some(Selection::Message(id)) => s.message(*id, 4_000),
            _ => None,
        };
    }
}

impl Reducible for AppState {
    type Action = Action;

    /// Each action goes to the handler of its theme; a handler that returns `false` changed
    /// nothing, and the same state comes back (so nothing re-renders).
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let changed = match action {
            Action::StepForward
            | Action::StepBack
            | Action::TogglePlay
            | Action::Tick
            | Action::SetSpeed(_)
            | Action::Seek(_)
            | Action::SeekEnd
            | Action::JumpMarker(_)
            | Action::ComputeMore => next.reduce_stepping(action),
            Action::OpenBuiltin(_) | Action::Import { .. } | Action::LoadFragment(_) | Action::ShowStart => {
                next.reduce_loading(action);
                true
            }
            Action::Act(_) | Action::Select(_) | Action::AddConsumer { .. } | Action::ApplySetting { .. } => {
                next.reduce_acting(action);
                true
            }
            _ => next.reduce_settings(action),
        };
        if changed {
            Rc::new(next)
        } else {
            self
        }
    }
}
