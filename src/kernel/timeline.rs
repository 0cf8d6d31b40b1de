//! Time travel: a run as a value you can seek, step back through, and branch.
//!
//! A timeline is the initial simulation plus the user's interventions (actions applied at
//! a given step). Any step is reproduced by replay, which is exact because the simulation
//! is deterministic. To make seeks fast, clones of the simulation are kept as
//! [`Checkpoints`] (cheap: logs are persistent vectors): a bounded number spread over the
//! whole run, plus a few near the cursor, so a seek replays at most their spacing. Acting at a past step truncates the future and starts a new
//! branch from there; the old branch is not kept (clone the timeline first to keep it).
use std::collections::BTreeMap;

use super::checkpoints::{wants_checkpoint, Checkpoints};
use super::chunked::ChunkedVec;
use super::model::{Checker, Model};
use super::paged::PagedGroups;
use super::sim::{Action, Simulation};
use super::trace::StepRecord;
use super::Time;

pub use super::checkpoints::CHECKPOINT_EVERY;

#[derive(Clone)]
pub struct Timeline<M: Model, C: Checker<M>> {
    checkpoints: Checkpoints<Simulation<M, C>>,
    /// The furthest state computed so far.
    frontier: Simulation<M, C>,
    /// The state at the cursor.
    current: Simulation<M, C>,
    /// `records[i]` and `notes[i]` are step `i + 1`'s.
    records: ChunkedVec<StepRecord>,
    notes: PagedGroups<M::Note>,
    /// Where a step's notes are gathered before they join `notes`.
    scratch: Vec<M::Note>,
    /// Actions applied by hand: the key is the step the action became.
    interventions: BTreeMap<u64, Action<M::Action>>,
    /// The end of the run an intervention pushed later (the key is its step): an action
    /// taken near the end gets the time to show what it does.
    extensions: BTreeMap<u64, Time>,
    /// No event is left to handle at the frontier.
    finished: bool,
}

impl<M: Model, C: Checker<M>> Timeline<M, C> {
    pub fn new(start: Simulation<M, C>) -> Self {
        assert_eq!(start.steps(), 0, "a timeline starts at step 0");
        Timeline {
            checkpoints: Checkpoints::new(start.clone()),
            frontier: start.clone(),
            current: start,
            records: ChunkedVec::new(),
            notes: PagedGroups::default(),
            scratch: Vec::new(),
            interventions: BTreeMap::new(),
            extensions: BTreeMap::new(),
            finished: false,
        }
    }

    /// The state at the cursor.
    pub fn current(&self) -> &Simulation<M, C> {
        &self.current
    }
    pub fn cursor(&self) -> u64 {
        self.current.steps()
    }
    /// Steps computed so far (the cursor can go anywhere in `0..=horizon`).
    pub fn horizon(&self) -> u64 {
        self.frontier.steps()
    }
    /// True once the run has nothing left to do at the frontier.
    pub fn finished(&self) -> bool {
        self.finished
    }
    /// Whether the run ended because its clock stopped (a livelock), not at its end.
    pub fn livelocked(&self) -> bool {
        self.frontier.livelocked()
    }
    /// The record of step `index` (1-based) and the notes it produced.
    /// Every step's record, in order.
    pub fn records(&self) -> impl Iterator<Item = &StepRecord> {
        self.records.iter()
    }
    pub fn record(&self, index: u64) -> Option<(&StepRecord, &[M::Note])> {
        if index == 0 || index > self.horizon() {
            return None;
        }
        let i = (index - 1) as usize;
        Some((self.records.get(i)?, self.notes.get(i)?))
    }
    pub fn interventions(&self) -> &BTreeMap<u64, Action<M::Action>> {
        &self.interventions
    }

    /// Compute up to `steps` more steps at the frontier. Returns how many ran.
    pub fn extend(&mut self, steps: u64) -> u64 {
        let mut n = 0;
        while n < steps && !self.finished {
            self.scratch.clear();
            let next = self.frontier.steps() + 1;
            let record = match self.interventions.get(&next) {
                Some(action) => {
                    extend_end(&mut self.frontier, self.extensions.get(&next));
                    Some(self.frontier.apply(&action.clone(), &mut self.scratch))
                }
                None => self.frontier.step(&mut self.scratch),
            };
            match record {
                Some(r) => {
                    self.records.push(r);
                    self.notes.push(&mut self.scratch);
                    let step = self.frontier.steps();
                    if wants_checkpoint(step) {
                        self.frontier.drop_dead_timers();
                        self.checkpoints.offer(step, &self.frontier, self.current.steps());
                    }
                    n += 1;
                }
                None => self.finished = true,
            }
            // A livelocked run ends here rather than filling memory at one instant: the
            // last step shows where the clock stopped (Simulation::livelocked says why).
            if self.frontier.livelocked() {
                self.finished = true;
            }
        }
        n
    }

    /// Move the cursor to `step`, computing the future if needed. Returns the step reached
    /// (less than asked when the run ends first).
    pub fn seek(&mut self, step: u64) -> u64 {
        if step > self.horizon() {
            self.extend(step - self.horizon());
        }
        let target = step.min(self.horizon());
        if target == self.current.steps() {
            return target;
        }
        let (from, state) = self.checkpoints.at_or_before(target);
        if target < self.current.steps() || from > self.current.steps() {
            self.current = state.clone();
        }
        let mut scratch = Vec::new();
        while self.current.steps() < target {
            let reached = self.current.steps();
            if reached > from && wants_checkpoint(reached) {
                self.current.drop_dead_timers();
                self.checkpoints.offer(reached, &self.current, target);
            }
            scratch.clear();
            let next = self.current.steps() + 1;
            match self.interventions.get(&next) {
                Some(action) => {
                    extend_end(&mut self.current, self.extensions.get(&next));
                    self.current.apply(&action.clone(), &mut scratch);
                }
                None => {
                    self.current.step(&mut scratch).expect("replay reproduces computed steps");
                }
            }
        }
        target
    }

    /// Under memory pressure: keep half as many checkpoints (seeks replay up to twice as
    /// far). False when there are already as few as time travel keeps.
    pub fn thin_checkpoints(&mut self) -> bool {
        self.checkpoints.thin_for_memory()
    }
    /// Steps between the checkpoints spread over the run.
    pub fn checkpoint_spacing(&self) -> u64 {
        self.checkpoints.spacing()
    }

    pub fn step_forward(&mut self) -> bool {
        let c = self.cursor();
        self.seek(c + 1) > c
    }

    pub fn step_back(&mut self) -> bool {
        let c = self.cursor();
        if c == 0 {
            return false;
        }
        self.seek(c - 1);
        true
    }

    /// Apply `action` at the cursor. The future after the cursor is discarded and the
    /// action becomes the next step of a new branch. Returns its record.
    /// Apply `action` at the cursor: it becomes the next step, and the run lasts at least
    /// `room_ms` of simulated time after it (the end moves later if need be, the same way
    /// at every replay).
    pub fn act(&mut self, action: Action<M::Action>, room_ms: Time) -> StepRecord {
        let c = self.cursor();
        self.truncate(c);
        self.interventions.insert(c + 1, action);
        let end = self.current.now().saturating_add(room_ms);
        if end > self.frontier.end_time() {
            self.extensions.insert(c + 1, end);
        }
        self.finished = false;
        self.extend(1);
        self.seek(c + 1);
        self.records.last().expect("the action made a step").clone()
    }

    fn truncate(&mut self, step: u64) {
        self.records.truncate(step as usize);
        self.notes.truncate(step as usize);
        self.checkpoints.truncate(step);
        self.interventions.retain(|k, _| *k <= step);
        self.extensions.retain(|k, _| *k <= step);
        self.frontier = self.current.clone();
        debug_assert_eq!(self.frontier.steps(), step);
    }
}

/// Move `sim`'s end to `end` if that is later (an intervention's extension).
fn extend_end<M: Model, C: Checker<M>>(sim: &mut Simulation<M, C>, end: Option<&Time>) {
    if let Some(&end) = end {
        if end > sim.end_time() {
            sim.set_end_time(end);
        }
    }
}
