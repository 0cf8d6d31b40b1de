//! A run saved to a file and opened again: the app's Export writes the scenario with a
//! `replay` section (seed, hand-made actions, step), its Import replays them, so what the
//! user did comes back with the file, as it does with a share link.
use super::{Command, Session};
use crate::scenario::{ReplaySection, Scenario};

/// One `STEP:ACTION` item, as a share link's `do=` lists them (`30:crash.2`).
pub fn action_item(at: u64, command: &Command) -> String {
    format!("{at}:{}", command.to_token())
}

/// Parse [`action_item`]'s form.
pub fn parse_action_item(item: &str) -> Result<(u64, Command), String> {
    let (at, token) = item.split_once(':').ok_or_else(|| "needs the form STEP:ACTION, e.g. 30:crash.2".to_string())?;
    let at = at.parse::<u64>().map_err(|_| format!("step \"{at}\" is not a whole number"))?;
    Ok((at, Command::from_token(token)?))
}

impl Session {
    /// A scenario file, replaying its `replay` section if it has one.
    pub fn from_scenario_json(text: &str) -> Result<Session, String> {
        let mut scenario = Scenario::from_json(text).map_err(|e| e.to_string())?;
        let Some(replay) = scenario.replay.take() else { return Ok(Session::new(scenario)) };
        if let Some(doc) = scenario.rocketmq.as_mut() {
            doc.replay = None;
        }
        let mut actions = Vec::with_capacity(replay.actions.len());
        for (i, item) in replay.actions.iter().enumerate() {
            actions.push(parse_action_item(item).map_err(|e| format!("replay.actions[{i}] \"{item}\": {e}"))?);
        }
        let seed = replay.seed.unwrap_or(scenario.seed);
        Session::replay(scenario, seed, &actions, replay.step).map_err(|e| format!("replay: {e}"))
    }

    /// The scenario as a file to open again: with a `replay` section when the run has
    /// hand-made actions, another seed or a step other than 0.
    pub fn scenario_to_save(&self) -> Scenario {
        let mut scenario = (*self.scenario).clone();
        let actions: Vec<String> = self.actions.iter().map(|(at, c)| action_item(*at, c)).collect();
        if !actions.is_empty() || self.seed != scenario.seed || self.cursor() > 0 {
            let seed = (self.seed != scenario.seed).then_some(self.seed);
            scenario.replay = Some(ReplaySection { seed, step: self.cursor(), actions });
        }
        scenario
    }
}
