//! The event log: which lines a filter keeps, and the search that finds the lines nearest
//! to a step. The lines themselves come from the run's model.
use crate::session::view::EventLine;

/// Which steps the event log shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Case-insensitive text the line must contain (empty: any).
    pub text: String,
    /// Categories shown ("deliver", "drop", "timer", "action"); empty: all.
    pub categories: Vec<String>,
    /// Only steps with a notable state change (elections, ISR changes, crashes, ...).
    pub notable_only: bool,
}

impl EventFilter {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.categories.is_empty() && !self.notable_only
    }
}

/// Up to `limit` lines of steps `1..=horizon` matching `filter`, the nearest to step
/// `around` (half before it, half after, more on one side when the other runs out), in
/// step order. `line` makes the line of one step.
pub fn search(
    filter: &EventFilter,
    horizon: u64,
    around: u64,
    limit: usize,
    line: &dyn Fn(u64) -> Option<EventLine>,
) -> Vec<EventLine> {
    let around = around.clamp(1, horizon.max(1));
    let needle = filter.text.to_lowercase();
    let matches = |l: &EventLine| -> bool {
        filter.is_empty()
            || ((filter.categories.is_empty() || filter.categories.iter().any(|c| c == l.category))
                && (!filter.notable_only || l.notable)
                && (needle.is_empty() || l.text.to_lowercase().contains(&needle)))
    };
    let keep = |s: u64, out: &mut Vec<EventLine>| {
        if let Some(l) = line(s).filter(|l| matches(l)) {
            out.push(l);
        }
    };
    let mut before: Vec<EventLine> = Vec::new();
    let mut after: Vec<EventLine> = Vec::new();
    let half = limit / 2;
    let mut s = around;
    while s >= 1 && before.len() < limit {
        keep(s, &mut before);
        s -= 1;
        if before.len() >= half.max(1) {
            break;
        }
    }
    let mut s = around + 1;
    while s <= horizon && after.len() + before.len() < limit {
        keep(s, &mut after);
        s += 1;
    }
    // The later steps ran out: take more from before.
    let mut s = before.last().map(|l| l.step).unwrap_or(around + 1).saturating_sub(1);
    while s >= 1 && after.len() + before.len() < limit {
        keep(s, &mut before);
        s -= 1;
    }
    before.reverse();
    before.extend(after);
    before
}
