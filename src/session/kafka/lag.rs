//! Consumer lag per group over a Kafka run, fed note by note as steps are indexed:
//! Σ (leader HW − committed offset) over the partitions the group has committed.
use std::collections::BTreeMap;

use crate::kafka::notes::Note;
use crate::kafka::types::Tp;
use crate::kafka::world::Spec;
use crate::session::view::{LagPoint, LagSeries};

/// Running state for the consumer-lag series.
#[derive(Clone, Default)]
pub struct LagTracker {
    /// (broker, partition) -> high watermark.
    hw: BTreeMap<(u32, Tp), u64>,
    /// Current leader per partition (from elections; the preferred replica before).
    leader: BTreeMap<Tp, u32>,
    /// (group index, partition) -> committed offset.
    committed: BTreeMap<(usize, Tp), u64>,
    /// (group index, partition) -> the owning member's position (its reset position, then
    /// past each record it processed): the lag of a partition with nothing committed yet.
    positions: BTreeMap<(usize, Tp), u64>,
}

fn preferred_leader(spec: &Spec, tp: Tp) -> Option<u32> {
    spec.topics.get(tp.topic as usize)?.assignment.get(tp.partition as usize)?.first().map(|b| b.0)
}

/// The (partition, offset) entries of group `g` in a map keyed by (group, partition).
fn of_group(m: &BTreeMap<(usize, Tp), u64>, g: usize) -> impl Iterator<Item = (Tp, u64)> + '_ {
    m.range((g, Tp { topic: 0, partition: 0 })..).take_while(move |((gi, _), _)| *gi == g).map(|((_, tp), o)| (*tp, *o))
}

/// The index in `groups` of the group of consumer `consumer`.
fn group_of(groups: &[String], spec: &Spec, consumer: u32) -> Option<usize> {
    let group = &spec.consumers.get(consumer as usize)?.group;
    groups.iter().position(|g| g == group)
}

impl LagTracker {
    /// Take one note into account; `changed` is set when a series may have moved.
    pub fn track(&mut self, groups: &[String], spec: &Spec, n: &Note, changed: &mut bool) {
        if groups.is_empty() {
            return;
        }
        match n {
            Note::HighWatermark { broker, tp, high_watermark } => {
                self.hw.insert((broker.0, *tp), *high_watermark);
                let leader = self.leader.get(tp).copied().or_else(|| preferred_leader(spec, *tp));
                if leader == Some(broker.0) {
                    *changed = true;
                }
            }
            Note::LeaderElected { tp, leader, .. } => {
                match leader {
                    Some(b) => self.leader.insert(*tp, b.0),
                    None => self.leader.insert(*tp, 0),
                };
                *changed = true;
            }
            Note::OffsetCommitted { group, tp, offset, .. } => {
                if let Some(g) = groups.iter().position(|x| x.as_str() == &**group) {
                    self.committed.insert((g, *tp), *offset);
                    *changed = true;
                }
            }
            Note::ConsumerPosition { consumer, tp, offset, .. } => {
                if let Some(g) = group_of(groups, spec, *consumer) {
                    self.positions.insert((g, *tp), *offset);
                    *changed |= !self.committed.contains_key(&(g, *tp));
                }
            }
            Note::RecordProcessed { consumer, tp, offset, .. } => {
                if let Some(g) = group_of(groups, spec, *consumer) {
                    self.positions.insert((g, *tp), offset + 1);
                    *changed |= !self.committed.contains_key(&(g, *tp));
                }
            }
            _ => {}
        }
    }

    /// A new point on each group's series whose lag moved.
    pub fn push_points(&self, lag_series: &mut [LagSeries], spec: &Spec, step: u64, time_ms: u64) {
        for (g, series) in lag_series.iter_mut().enumerate() {
            let mut lag = 0u64;
            let mut any = false;
            // Committed offsets, and where nothing is committed the member's position.
            let uncommitted = of_group(&self.positions, g).filter(|(tp, _)| !self.committed.contains_key(&(g, *tp)));
            for (tp, offset) in of_group(&self.committed, g).chain(uncommitted) {
                any = true;
                let leader = self.leader.get(&tp).copied().or_else(|| preferred_leader(spec, tp)).unwrap_or(0);
                let hw = self.hw.get(&(leader, tp)).copied().unwrap_or(0);
                lag += hw.saturating_sub(offset);
            }
            if !any {
                continue;
            }
            if series.points.last().is_none_or(|p| p.lag != lag) {
                series.points.push(LagPoint { step, time_ms, lag });
            }
        }
    }
}
