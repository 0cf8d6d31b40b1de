//! `duplicate-output`: a reader saw two outputs of one input record of a
//! consume-transform-produce pipeline. The input was processed twice and both results are
//! visible downstream: exactly-once is broken end to end.
//!
//! A transactional pipeline may process a record twice (an aborted attempt, then the one
//! that commits): exactly-once is about effects, so it is judged here, by the outputs a
//! reader sees, not by `duplicate-processing`.
use std::collections::BTreeMap;

use super::history::Report;
use super::observation::{Lookup, Read, ReadBy, RecordRef};
use super::AnomalyKind;

#[derive(Clone, Debug, Default)]
pub(super) struct DuplicateOutput {
    /// Per (reader, input record): the pipeline output the reader saw for it.
    outputs_seen: BTreeMap<(u32, RecordRef), RecordRef>,
}

impl DuplicateOutput {
    /// A reader read a pipeline output: was another output of the same input seen before?
    pub(super) fn read(&mut self, out: &mut Report, lookup: &impl Lookup, r: &Read) {
        let Some(source) = r.source else { return };
        match self.outputs_seen.get(&(r.reader, source)).copied() {
            Some(first) if first != r.record => {
                let detail = format!(
                    "{} saw records #{} and #{}: two outputs of input record #{} written by {} (the input was processed twice and both results are visible: exactly-once is broken)",
                    lookup.client_name(ReadBy::Reader(r.reader)),
                    first.0,
                    r.record.0,
                    source.0,
                    lookup.writer_name(r.writer)
                );
                out.push(AnomalyKind::DuplicateOutput, r.stream, vec![first, r.record], detail);
            }
            Some(_) => {}
            None => {
                self.outputs_seen.insert((r.reader, source), r.record);
            }
        }
    }
}
