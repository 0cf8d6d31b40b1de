//! Loading a scenario: a built-in one, a file, a link; and the export of a scenario file.
use std::rc::Rc;

use crate::scenario::Scenario;
use crate::session::Session;
use crate::ui::i18n::{t, tf, K};
use crate::ui::scenarios;
use crate::ui::url::{ScenarioRef, UrlState};

use super::{Action, AppState, Screen, SessionHandle};

impl AppState {
    /// Opening a scenario (built-in, file, link) or going back to the start screen.
    pub(super) fn reduce_loading(&mut self, action: Action) {
        match action {
            Action::OpenBuiltin(id) => self.open_builtin(&id),
            Action::Import { name, text } => self.import(&name, &text),
            Action::LoadFragment(f) => self.load_fragment(&f),
            Action::ShowStart => {
                self.playing = false;
                self.screen = Screen::Start;
            }
            _ => {}
        }
    }

    /// Put `session` in place (after it loaded without error).
    pub(super) fn install(&mut self, session: Session, builtin: Option<String>) {
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
        self.cut = None;
        self.thinned = None;
        self.markers = Rc::new(Vec::new());
        self.refresh();
    }

    pub(super) fn open_builtin(&mut self, id: &str) {
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

    pub(super) fn import(&mut self, name: &str, text: &str) {
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

    pub(super) fn load_fragment(&mut self, fragment: &str) {
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
            Ok(Some((session, builtin, state.step)))
        });
        match result {
            Ok(Some((session, builtin, asked))) => {
                let reached = session.cursor();
                self.install(session, builtin);
                self.error = None;
                if reached < asked {
                    self.notice = Some(tf(self.lang, K::StepBeyondEnd, &[&asked, &reached]));
                }
            }
            // An empty link is the start screen (the browser's Back from the first lesson).
            Ok(None) => {
                self.playing = false;
                self.screen = Screen::Start;
            }
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
}

/// A scenario as a pretty JSON file, its sections in the usual order (id, title, ...).
/// Written from a `serde_json::Value` (which the settings and links use too), so the wasm
/// carries one serializer of `Scenario` instead of two.
pub fn export_json(scenario: &Scenario) -> String {
    // A RocketMQ scenario is written as its own document (RocketMQ's section names).
    if scenario.rocketmq.is_some() {
        return format!("{}\n", scenario.to_json());
    }
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
