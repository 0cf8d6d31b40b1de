//! Moving through the run: steps, seeks, markers, autoplay and computing ahead.
use crate::session::Session;

use super::{thin_at, Action, AppState, Cut, COMPUTE_CHUNK, SIM_SPEEDS, SIM_TICKS_PER_S, SPEEDS};

/// The simulated-time factor of speed `i`, if it is one (see `SIM_SPEEDS`).
pub fn sim_speed(i: usize) -> Option<f64> {
    i.checked_sub(SPEEDS.len()).and_then(|j| SIM_SPEEDS.get(j).copied())
}

impl AppState {
    /// Steps, seeks, markers, autoplay and computing ahead; `false` when nothing changed.
    pub(super) fn reduce_stepping(&mut self, action: Action) -> bool {
        match action {
            Action::StepForward => {
                self.playing = false;
                self.step_forward();
            }
            Action::StepBack => {
                self.playing = false;
                self.step_back();
            }
            Action::TogglePlay => {
                self.playing = !self.playing && self.can_step_forward();
                self.sim_clock = self.view.time_ms as f64;
                self.selection = None;
            }
            Action::Tick => return self.tick(),
            Action::SetSpeed(i) => {
                self.speed = i.min(SPEEDS.len() + SIM_SPEEDS.len() - 1);
                self.sim_clock = self.view.time_ms as f64;
            }
            Action::Seek(step) => {
                self.playing = false;
                let step = self.cut.map_or(step, |c| step.min(c.step));
                let t0 = super::now_ms();
                self.with_session(|s| s.seek(step));
                self.seek_ms = super::now_ms() - t0;
            }
            Action::SeekEnd => return self.reduce_stepping(Action::Seek(self.horizon)),
            Action::JumpMarker(dir) => {
                self.playing = false;
                self.jump_marker(dir);
            }
            Action::ComputeMore => {
                if self.finished || self.cut.is_some() || self.session.is_none() {
                    return false;
                }
                self.with_session(|s| s.compute_ahead(COMPUTE_CHUNK));
                let bytes = self.thin_history_to_budget();
                if !self.finished && bytes >= self.memory_budget {
                    self.cut = Some(Cut { step: self.horizon, bytes });
                }
            }
            _ => {}
        }
        true
    }

    /// Past [`thin_at`] of the budget, halve time travel's checkpoints until the heap
    /// is below it or they are as few as they go. Returns the live heap after.
    fn thin_history_to_budget(&mut self) -> u64 {
        let mut bytes = crate::ui::heap::live_bytes();
        // Also once the run is finished: what it holds stays within the budget for seeking.
        while bytes >= thin_at(self.memory_budget) {
            let Some(handle) = self.session.as_ref() else { break };
            let Ok(mut s) = handle.inner.try_borrow_mut() else { break };
            if !s.thin_history() {
                break;
            }
            self.thinned = Some(s.checkpoint_spacing());
            drop(s);
            bytes = crate::ui::heap::live_bytes();
        }
        bytes
    }

    /// Autoplay's timer: as many steps as the speed asks for in one frame.
    fn tick(&mut self) -> bool {
        if !self.playing {
            return false;
        }
        if let Some(factor) = sim_speed(self.speed) {
            return self.tick_sim_time(factor);
        }
        let speed = SPEEDS[self.speed.min(SPEEDS.len() - 1)];
        let steps = (speed / 60.0).ceil().max(1.0) as u32;
        for _ in 0..steps {
            self.step_forward();
            if !self.playing {
                break;
            }
        }
        true
    }

    /// One tick in simulated time: the clock moves by `factor` x the tick's real time, and
    /// every step up to it is taken (a bounded number per tick, so a burst of events at one
    /// instant cannot freeze the page; the next tick goes on).
    fn tick_sim_time(&mut self, factor: f64) -> bool {
        self.sim_clock += 1000.0 / SIM_TICKS_PER_S * factor;
        for _ in 0..2_000 {
            let next = self.session.as_ref().and_then(|h| h.with(|s| s.step_time(s.cursor() + 1)).flatten());
            match next {
                Some(t) if t as f64 <= self.sim_clock => self.step_forward(),
                Some(_) => break,
                // Not computed yet (or the end): one step computes or ends it.
                None => self.step_forward(),
            }
            if !self.playing {
                break;
            }
        }
        true
    }

    /// Runs `f` on the session, then refreshes the view. None when there is no session.
    pub(super) fn with_session<R>(&mut self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let handle = self.session.as_ref()?;
        let out = {
            let mut s = handle.inner.try_borrow_mut().ok()?;
            f(&mut s)
        };
        self.refresh();
        Some(out)
    }

    pub(super) fn step_forward(&mut self) {
        if self.at_end || self.at_cut() {
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

    pub(super) fn step_back(&mut self) {
        if self.view.step == 0 {
            return;
        }
        self.with_session(Session::step_back);
    }

    pub(super) fn jump_marker(&mut self, dir: i32) {
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
}
