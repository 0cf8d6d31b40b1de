//! The façade the UI and CLI drive. PLACEHOLDER until the engine lands.
use crate::view::ClusterView;

pub struct Session {
    cursor: u64,
}

impl Session {
    pub fn from_scenario_json(_text: &str) -> Result<Session, String> {
        Ok(Session { cursor: 0 })
    }
    pub fn cursor(&self) -> u64 { self.cursor }
    pub fn step_forward(&mut self) -> bool { self.cursor += 1; true }
    pub fn step_back(&mut self) -> bool { if self.cursor == 0 { return false; } self.cursor -= 1; true }
    pub fn seek(&mut self, step: u64) { self.cursor = step; }
    pub fn view(&self) -> ClusterView { ClusterView { step: self.cursor, ..Default::default() } }
    pub fn digest(&self) -> u64 { 0 }
}
