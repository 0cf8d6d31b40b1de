//! `duplicate-output`: a reader saw two outputs of one input record of a
//! consume-transform-produce pipeline. The input was processed twice and both results are
//! visible downstream: exactly-once is broken end to end.
//!
//! A transactional pipeline may process a record twice (an aborted attempt, then the one
//! that commits): exactly-once is about effects, so it is judged here, by the outputs a
//! reader sees, not by `duplicate-processing`.
use crate::checker::Detail;
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
                let (reader, writer) = (lookup.client_name(ReadBy::Reader(r.reader)), lookup.writer_name(r.writer));
                let detail = Detail::new(format!(
                    "{reader} saw records #{} and #{}: two outputs of input record #{} written by {writer} (the input was processed twice and both results are visible: exactly-once is broken)",
                    first.0,
                    r.record.0,
                    source.0,
                ), format!(
                    "{reader} 看到了消息 #{} 和 #{}：由 {writer} 写入的、输入消息 #{} 的两份输出（输入被处理了两次，两个结果都可见：精确一次被破坏）",
                    first.0,
                    r.record.0,
                    source.0
                ));
                out.push(AnomalyKind::DuplicateOutput, r.stream, vec![first, r.record], detail);
            }
            Some(_) => {}
            None => {
                self.outputs_seen.insert((r.reader, source), r.record);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::observation::{Observation, Read, RecordRef};
    use super::super::testing::{kinds, run, Fake, S0};
    use super::AnomalyKind;

    /// Reader `reader` reads output `record`, made from input record #1.
    fn read(reader: u32, record: u64) -> Observation<'static> {
        let source = Some(RecordRef(1));
        Observation::Read(Read { reader, stream: S0, offset: record, record: RecordRef(record), writer: 2, source })
    }

    #[test]
    fn fires_when_a_reader_sees_two_outputs_of_one_input() {
        let found = run(&Fake::default(), &[read(0, 5), read(0, 6)]);
        assert_eq!(kinds(&found), [AnomalyKind::DuplicateOutput]);
        assert_eq!((found[0].step, found[0].records.as_slice()), (2, &[RecordRef(5), RecordRef(6)][..]));
        assert!(found[0]
            .detail
            .starts_with("reader saw records #5 and #6: two outputs of input record #1 written by p2"));
    }

    #[test]
    fn silent_for_one_output_read_again_or_by_another_reader() {
        assert!(run(&Fake::default(), &[read(0, 5), read(0, 5), read(1, 5)]).is_empty());
    }
}
