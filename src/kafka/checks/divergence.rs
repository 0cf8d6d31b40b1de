//! `divergence`: two replicas of a partition hold different records at an offset below
//! both their high watermarks. Below the HW a record is committed: every replica must
//! agree there, whatever leader comes next (Kafka's replication invariant; in Jepsen's
//! words, replicas of one log that disagree on a committed prefix).
//!
//! Judged when a replica's HW moves: the offsets it newly covers are compared with every
//! other replica whose HW is above them. Reported once per partition.
use crate::checker::Detail;
use std::collections::{BTreeMap, BTreeSet};

use super::adapter::replicas_of;
use crate::checker::{AnomalyKind, At, History, RecordRef};
use crate::kafka::broker::log::PartitionLog;
use crate::kafka::types::{BrokerId, Tp};
use crate::kafka::world::World;

#[derive(Clone, Debug, Default)]
pub(super) struct Divergence {
    /// Per (broker, partition): the HW up to which replicas were compared.
    hw_compared: BTreeMap<(BrokerId, Tp), u64>,
    diverged: BTreeSet<Tp>,
}

impl Divergence {
    pub(super) fn high_watermark(
        &mut self,
        history: &mut History,
        at: At,
        world: &World,
        (broker, tp): (BrokerId, Tp),
        hw: u64,
    ) {
        let from = self.hw_compared.get(&(broker, tp)).copied().unwrap_or(0).min(hw);
        self.hw_compared.insert((broker, tp), hw);
        if self.diverged.contains(&tp) {
            return;
        }
        let Some(mine) = world.broker(broker).replicas.get(&tp) else { return };
        let others: Vec<(BrokerId, &PartitionLog)> = replicas_of(world, tp)
            .filter(|b| *b != broker)
            .filter_map(|b| world.broker(b).replicas.get(&tp).map(|r| (b, &r.log)))
            .filter(|(_, log)| log.high_watermark() > from)
            .collect();
        if others.is_empty() {
            return;
        }
        for (o, a) in (from..hw).zip(mine.log.records_from(from)) {
            for (other, theirs) in &others {
                if theirs.high_watermark() <= o {
                    continue;
                }
                let Some(b) = theirs.get(o).filter(|b| b.id != a.id) else { continue };
                let name = world.spec.tp_name(tp);
                let (x, y, ra, rb) = (broker.0, other.0, a.id.0, b.id.0);
                let detail = Detail::new(
                    format!("{name} offset {o}: broker {x} has record #{ra}, broker {y} has record #{rb}, both below their high watermarks"),
                    format!("{name} offset {o}：broker {x} 上是消息 #{ra}，broker {y} 上是消息 #{rb}，两者都低于各自的高水位"),
                );
                let records = vec![RecordRef(a.id.0), RecordRef(b.id.0)];
                history.report(at, AnomalyKind::Divergence, tp.into(), records, detail);
                self.diverged.insert(tp);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{observe, replica_log, world, TP};
    use crate::checker::{AnomalyKind, RecordRef};
    use crate::kafka::notes::Note;
    use crate::kafka::types::BrokerId;

    fn hw_moved(broker: u32) -> Note {
        Note::HighWatermark { broker: BrokerId(broker), tp: TP, high_watermark: 2 }
    }

    #[test]
    fn fires_when_replicas_disagree_below_their_high_watermarks() {
        let mut w = world();
        replica_log(&mut w, 1, &[1, 2]);
        replica_log(&mut w, 2, &[1, 3]);
        let checker = observe(&w, &[hw_moved(1), hw_moved(2)]);
        let found: Vec<_> = checker.anomalies().collect();
        // Once per partition.
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].kind, found[0].step), (AnomalyKind::Divergence, 1));
        assert_eq!(found[0].records, [RecordRef(2), RecordRef(3)]);
        assert_eq!(
            found[0].detail,
            "orders-0 offset 1: broker 1 has record #2, broker 2 has record #3, both below their high watermarks"
        );
    }

    #[test]
    fn silent_when_replicas_agree() {
        let mut w = world();
        replica_log(&mut w, 1, &[1, 2]);
        replica_log(&mut w, 2, &[1, 2]);
        // Broker 3 has nothing below its HW yet: nothing to compare.
        assert_eq!(observe(&w, &[hw_moved(1), hw_moved(2)]).anomalies().count(), 0);
    }
}
