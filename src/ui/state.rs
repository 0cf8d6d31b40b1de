//! The UI's single source of truth: a Yew reducer around the engine [`Session`].
use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use crate::session::Session;
use crate::view::ClusterView;

/// The scenario the app opens with.
pub const BUILTIN_SCENARIO_NAME: &str = "acks1-leader-failure";
pub const BUILTIN_SCENARIO_JSON: &str = include_str!("../../scenarios/acks1-leader-failure.json");

/// Autoplay speed: one step per this many milliseconds.
pub const PLAY_INTERVAL_MS: u32 = 600;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// One step forward (pauses autoplay).
    StepForward,
    /// One step back (pauses autoplay).
    StepBack,
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Autoplay timer fired: one step forward if still playing.
    Tick,
    /// Replace the session with a new scenario.
    Load { name: String, json: String },
    /// Hide the error banner.
    DismissError,
}

#[derive(Clone)]
pub struct AppState {
    session: Option<Rc<RefCell<Session>>>,
    pub scenario_name: String,
    pub view: ClusterView,
    pub playing: bool,
    /// The last forward step reported that the scenario has ended.
    pub at_end: bool,
    pub error: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        Self::builtin()
    }
}

impl AppState {
    /// The app's opening state: the built-in scenario at step 0.
    pub fn builtin() -> Self {
        Self::load(BUILTIN_SCENARIO_NAME, BUILTIN_SCENARIO_JSON)
    }

    /// A state for `json`; a scenario that does not parse gives an empty view and an error.
    pub fn load(name: &str, json: &str) -> Self {
        match Session::from_scenario_json(json) {
            Ok(session) => {
                let view = session.view();
                Self {
                    session: Some(Rc::new(RefCell::new(session))),
                    scenario_name: name.to_string(),
                    view,
                    playing: false,
                    at_end: false,
                    error: None,
                }
            }
            Err(err) => Self {
                session: None,
                scenario_name: name.to_string(),
                view: ClusterView::default(),
                playing: false,
                at_end: false,
                error: Some(format!("Could not load scenario \"{name}\": {err}")),
            },
        }
    }

    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }

    pub fn can_step_back(&self) -> bool {
        self.session.is_some() && self.view.step > 0
    }

    pub fn can_step_forward(&self) -> bool {
        self.session.is_some() && !self.at_end
    }

    /// Runs `f` on the session and refreshes the view. `None` (and an error) when
    /// there is no session or it is busy.
    fn with_session<R>(&mut self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let Some(session) = self.session.as_ref() else {
            self.playing = false;
            return None;
        };
        let Ok(mut session) = session.try_borrow_mut() else {
            self.error = Some("The simulation is busy; try again.".to_string());
            return None;
        };
        let out = f(&mut session);
        self.view = session.view();
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
        if let Some(moved) = self.with_session(Session::step_back) {
            if moved {
                self.at_end = false;
            }
        }
    }
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
            }
            Action::Tick => {
                if !next.playing {
                    return self;
                }
                next.step_forward();
            }
            Action::Load { name, json } => next = AppState::load(&name, &json),
            Action::DismissError => next.error = None,
        }
        Rc::new(next)
    }
}
