//! `nonmonotonic-hw`: a reader saw a partition's high watermark go backwards. The HW marks
//! what is committed; a reader told it shrank has been shown records as committed that
//! the cluster then no longer counts as such (after an unclean election, or a new leader
//! whose HW lags the old one's).
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
                let detail = format!(
                    "{} saw the high watermark of {} go from {last} back to {hw}",
                    lookup.client_name(ReadBy::Reader(reader)),
                    lookup.stream_name(tp.into())
                );
                history.report(at, AnomalyKind::NonmonotonicHw, tp.into(), vec![], detail);
            }
        }
    }
}
