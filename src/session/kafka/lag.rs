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
}

fn preferred_leader(spec: &Spec, tp: Tp) -> Option<u32> {
    spec.topics.get(tp.topic as usize)?.assignment.get(tp.partition as usize)?.first().map(|b| b.0)
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
            _ => {}
        }
    }

    /// A new point on each group's series whose lag moved.
    pub fn push_points(&self, lag_series: &mut [LagSeries], spec: &Spec, step: u64, time_ms: u64) {
        for (g, series) in lag_series.iter_mut().enumerate() {
            let mut lag = 0u64;
            let mut any = false;
            for ((gi, tp), committed) in self.committed.range((g, Tp { topic: 0, partition: 0 })..) {
                if *gi != g {
                    break;
                }
                any = true;
                let leader = self.leader.get(tp).copied().or_else(|| preferred_leader(spec, *tp)).unwrap_or(0);
                let hw = self.hw.get(&(leader, *tp)).copied().unwrap_or(0);
                lag += hw.saturating_sub(*committed);
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
