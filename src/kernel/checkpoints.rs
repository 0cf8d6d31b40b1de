//! Where time travel keeps its copies of the run, within a bound that does not grow with
//! the run's length.
//!
//! Two kinds of checkpoint. *Coarse* ones cover the whole run at an even spacing: when
//! there are more than the limit, every other one is dropped and the spacing doubles, so a
//! run of any length keeps at most `limit` of them and a seek replays at most `spacing`
//! steps. *Near* ones, every [`CHECKPOINT_EVERY`] steps, are kept only around where the
//! cursor has been (a few, the farthest from the cursor dropped first), so stepping back
//! and forth stays as cheap as it is at the start of a run even when the coarse spacing
//! has grown.
use std::collections::BTreeMap;

/// The finest spacing, and the coarse spacing a run starts with.
pub const CHECKPOINT_EVERY: u64 = 1024;
/// Coarse checkpoints kept over a whole run before thinning (a 1,000,000-step run ends
/// with a spacing of 4,096 steps).
pub const MAX_CHECKPOINTS: usize = 256;
/// Fewest coarse checkpoints memory pressure can thin down to.
pub const MIN_CHECKPOINTS: usize = 16;
/// Near checkpoints kept around the cursor.
pub const NEAR_CURSOR: usize = 12;

/// Whether the state after `step` steps should be offered (cheap test before cloning it).
pub fn wants_checkpoint(step: u64) -> bool {
    step % CHECKPOINT_EVERY == 0
}

#[derive(Clone)]
pub struct Checkpoints<S> {
    /// `coarse[i]` is the state after `i * spacing` steps.
    coarse: Vec<S>,
    spacing: u64,
    limit: usize,
    /// States after a multiple of [`CHECKPOINT_EVERY`] steps, near the cursor.
    near: BTreeMap<u64, S>,
}

impl<S: Clone> Checkpoints<S> {
    pub fn new(start: S) -> Self {
        Checkpoints { coarse: vec![start], spacing: CHECKPOINT_EVERY, limit: MAX_CHECKPOINTS, near: BTreeMap::new() }
    }

    /// Steps between two coarse checkpoints (the most a seek far from the cursor replays).
    pub fn spacing(&self) -> u64 {
        self.spacing
    }

    /// Keep the state after `step` steps (a multiple of [`CHECKPOINT_EVERY`]): as the next
    /// coarse checkpoint when it is one, otherwise near the `cursor`.
    pub fn offer(&mut self, step: u64, state: &S, cursor: u64) {
        debug_assert!(wants_checkpoint(step));
        if step % self.spacing == 0 && step / self.spacing == self.coarse.len() as u64 {
            self.coarse.push(state.clone());
            if self.coarse.len() > self.limit {
                self.thin();
            }
            return;
        }
        if step % self.spacing == 0 || self.near.contains_key(&step) {
            return;
        }
        self.near.insert(step, state.clone());
        while self.near.len() > NEAR_CURSOR {
            let farthest = *self.near.keys().max_by_key(|s| s.abs_diff(cursor)).expect("not empty");
            self.near.remove(&farthest);
        }
    }

    /// The latest state at or before `target` steps, and its step.
    pub fn at_or_before(&self, target: u64) -> (u64, &S) {
        let k = ((target / self.spacing) as usize).min(self.coarse.len() - 1);
        let coarse = (k as u64 * self.spacing, &self.coarse[k]);
        match self.near.range(..=target).next_back() {
            Some((&step, s)) if step > coarse.0 => (step, s),
            _ => coarse,
        }
    }

    /// Forget every state after `step` steps (a new branch starts there).
    pub fn truncate(&mut self, step: u64) {
        self.coarse.truncate((step / self.spacing) as usize + 1);
        self.near.retain(|s, _| *s <= step);
    }

    /// Halve the coarse checkpoints (keeping the even ones) and double the spacing; under
    /// memory pressure, also lower the limit so they stay fewer. False when already at
    /// [`MIN_CHECKPOINTS`].
    pub fn thin_for_memory(&mut self) -> bool {
        if self.coarse.len() <= MIN_CHECKPOINTS {
            return false;
        }
        self.thin();
        self.limit = (self.limit / 2).max(MIN_CHECKPOINTS);
        self.near.clear();
        true
    }

    fn thin(&mut self) {
        let mut i = 0;
        self.coarse.retain(|_| {
            i += 1;
            i % 2 == 1
        });
        self.spacing *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state that is its own step count, so a wrong checkpoint shows.
    fn record(steps: u64) -> (Checkpoints<u64>, u64) {
        let mut c = Checkpoints::new(0);
        for step in (CHECKPOINT_EVERY..=steps).step_by(CHECKPOINT_EVERY as usize) {
            c.offer(step, &step, 0);
        }
        (c, steps)
    }

    #[test]
    fn a_long_run_keeps_a_bounded_number_spread_evenly() {
        let (c, steps) = record(1_000_000);
        assert!(c.coarse.len() <= MAX_CHECKPOINTS, "{} kept", c.coarse.len());
        assert_eq!(c.spacing(), 4096);
        for target in (0..=steps).step_by(997) {
            let (from, state) = c.at_or_before(target);
            assert_eq!(*state, from, "a checkpoint holds the state of its own step");
            assert!(from <= target && target - from <= c.spacing(), "{from} for {target}");
        }
    }

    #[test]
    fn seeks_near_the_cursor_keep_fine_checkpoints_there() {
        let (mut c, _) = record(1_000_000);
        let cursor = 500_000;
        let (from, _) = c.at_or_before(cursor);
        for step in (from + 1..=cursor).filter(|s| wants_checkpoint(*s)) {
            c.offer(step, &step, cursor);
        }
        let (near, state) = c.at_or_before(cursor + 10);
        assert_eq!(*state, near);
        assert!(cursor + 10 - near <= CHECKPOINT_EVERY, "stepping near {cursor} replays from {near}");
        assert!(c.near.len() <= NEAR_CURSOR);
    }

    #[test]
    fn thinning_for_memory_halves_until_the_floor() {
        let (mut c, steps) = record(100_000);
        let before = c.coarse.len();
        assert!(c.thin_for_memory());
        assert_eq!(c.coarse.len(), before.div_ceil(2));
        while c.thin_for_memory() {}
        assert!(c.coarse.len() <= MIN_CHECKPOINTS && c.coarse.len() >= MIN_CHECKPOINTS / 2);
        let (from, state) = c.at_or_before(steps);
        assert_eq!(*state, from);
        assert!(steps - from <= c.spacing());
    }

    #[test]
    fn truncating_forgets_the_future_and_recording_resumes() {
        let (mut c, _) = record(300_000);
        let spacing = c.spacing();
        c.truncate(100_000);
        let (from, _) = c.at_or_before(u64::MAX / 2);
        assert!(from <= 100_000);
        let next = (100_000 / spacing + 1) * spacing;
        c.offer(next, &next, 0);
        assert_eq!(c.at_or_before(next), (next, &next));
    }
}
