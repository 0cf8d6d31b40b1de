//! `nonmonotonic-hw`: a reader saw a partition's high watermark go backwards. The HW marks
//! what is committed; a reader told it shrank has been shown records as committed that
//! the cluster then no longer counts as such (after an unclean election, or a new leader
//! whose HW lags the old one's).
use crate::checker::Detail;
use std::collections::BTreeMap;

use crate::checker::{AnomalyKind, At, History, Lookup, ReadBy};
use crate::kafka::types::Tp;

#[derive(Clone, Debug, Default)]
pub(super) struct NonmonotonicHw {
    /// Per (reader, partition): the HW it was told last.
    reader_hw: BTreeMap<(u32, Tp), u64>,
}

impl NonmonotonicHw {
    pub(super) fn reader_high_watermark(
        &mut self,
        history: &mut History,
        at: At,
        lookup: &impl Lookup,
        (reader, tp): (u32, Tp),
        hw: u64,
    ) {
        if let Some(last) = self.reader_hw.insert((reader, tp), hw) {
            if hw < last {
                let (who, name) = (lookup.client_name(ReadBy::Reader(reader)), lookup.stream_name(tp.into()));
                let detail = Detail::new(
                    format!("{who} saw the high watermark of {name} go from {last} back to {hw}"),
                    format!("{who} 看到 {name} 的高水位从 {last} 回退到 {hw}"),
                );
                history.report(at, AnomalyKind::NonmonotonicHw, tp.into(), vec![], detail);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{observe, world, TP};
    use crate::checker::AnomalyKind;
    use crate::kafka::notes::Note;

    fn told(high_watermark: u64) -> Note {
        Note::ReaderHighWatermark { reader: 0, tp: TP, high_watermark }
    }

    #[test]
    fn fires_when_a_reader_sees_the_high_watermark_go_back() {
        let checker = observe(&world(), &[told(3), told(5), told(2)]);
        let found: Vec<_> = checker.anomalies().collect();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].kind, found[0].step), (AnomalyKind::NonmonotonicHw, 3));
        assert_eq!(found[0].detail, "reader saw the high watermark of orders-0 go from 5 back to 2");
    }

    #[test]
    fn silent_while_it_grows_or_stays() {
        assert_eq!(observe(&world(), &[told(3), told(3), told(5)]).anomalies().count(), 0);
    }
}
