//! Acting on the run (commands, added consumers, settings) and the view's own settings.
use crate::scenario::Scenario;
use crate::session::{Command, Session};
use crate::ui::i18n::{t, tf, K};

use super::{Action, AppState, SettingScope};

impl AppState {
    /// Commands, selections and scenario changes.
    pub(super) fn reduce_acting(&mut self, action: Action) {
        match action {
            Action::Act(c) => {
                self.playing = false;
                self.act(c);
            }
            Action::Select(sel) => {
                self.selection = sel;
                self.refresh();
            }
            Action::AddConsumer { group } => self.add_consumer(&group),
            Action::ApplySetting { scope, key, value } => self.apply_setting(scope, key, value),
            _ => {}
        }
    }

    /// The view's own settings (language, theme, panels, width, ...) and messages;
    /// `false` when nothing changed.
    pub(super) fn reduce_settings(&mut self, action: Action) -> bool {
        match action {
            Action::SetLang(l) => {
                self.lang = l;
                self.refresh();
            }
            Action::SetTheme(th) => self.theme = th,
            Action::TogglePresenter => self.presenter = !self.presenter,
            Action::SetPanel(p) => {
                self.panel = p;
                if self.large {
                    self.refresh();
                }
            }
            Action::SetRoom(h) => {
                if (h - self.room).abs() < 1.0 {
                    return false;
                }
                self.room = h;
            }
            Action::SetWidth(w) => {
                if (w - self.width).abs() < 1.0 {
                    return false;
                }
                self.width = w;
            }
            Action::ToggleExpand(b) => {
                if let Some(i) = self.expanded.iter().position(|x| *x == b) {
                    self.expanded.remove(i);
                } else {
                    self.expanded.push(b);
                }
                self.refresh();
            }
            Action::ToggleInternal => self.show_internal = !self.show_internal,
            Action::SetFilter(f) => self.filter = f,
            Action::DismissError => self.error = None,
            Action::DismissNotice => self.notice = None,
            Action::DismissHelp => self.help_dismissed = true,
            Action::ToggleHelp => self.help_dismissed = !self.help_dismissed,
            Action::Notice(n) => self.notice = Some(n),
            Action::ShowError(e) => self.error = Some(e),
            _ => {}
        }
        true
    }

    pub(super) fn act(&mut self, command: Command) {
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
    pub(super) fn rebuild(&mut self, change: impl FnOnce(&mut serde_json::Value) -> Result<(), String>, what: &str) {
        let lang = self.lang;
        let Some(handle) = self.session.as_ref() else { return };
        let result = handle
            .with(|s| -> Result<Session, String> {
                if s.scenario().rocketmq.is_some() {
                    return Err("a RocketMQ run cannot be rebuilt with changes yet".into());
                }
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

    pub(super) fn add_consumer(&mut self, group: &str) {
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

    pub(super) fn apply_setting(&mut self, scope: SettingScope, key: String, value: String) {
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

fn find_named<'a>(v: &'a mut serde_json::Value, list: &str, name: &str) -> Result<&'a mut serde_json::Value, String> {
    v.get_mut(list)
        .and_then(|l| l.as_array_mut())
        .and_then(|l| l.iter_mut().find(|x| x.get("name").and_then(|n| n.as_str()) == Some(name)))
        .ok_or_else(|| format!("no {} named \"{name}\"", list.trim_end_matches('s')))
}

/// A setting's text as JSON: numbers, booleans and Kafka's enum words. The scenario's own
/// validation then checks ranges and combinations (and names the field).
fn parse_setting_value(key: &str, value: &str) -> Result<serde_json::Value, String> {
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
