//! One step of a Kafka run in words: the event log's line and the caption under the
//! picture.
use crate::kafka::notes::Note;
use crate::kernel::{NodeId, StepKind};
use crate::lang::Lang;
use crate::scenario::Text;
use crate::session::net_text::drop_reason;
use crate::session::view::{EventLine, StepEventView};

use super::super::resolve::node_key;
use super::super::KafkaRun;
use super::{action_text, describe_note};

/// One line describing step `index` (1-based). Kafka's own names (message kinds, error
/// codes) stay as they are, as Chinese articles use them.
pub fn describe_step(run: &KafkaRun, narrations: &[Text], index: u64, lang: Lang) -> Option<String> {
    let (rec, notes) = run.timeline.record(index)?;
    let spec = &run.timeline.current().model.spec;
    let name = |n: NodeId| spec.node_name(n);
    let mut line = match &rec.kind {
        StepKind::Deliver { from, to, kind, .. } => format!("{kind} {} → {}", name(*from), name(*to)),
        StepKind::Drop { from, to, kind, reason, .. } => {
            let r = drop_reason(reason.as_str(), lang);
            match lang {
                Lang::Zh => format!("{kind} {} → {} 被丢弃（{r}）", name(*from), name(*to)),
                Lang::En => format!("{kind} {} → {} dropped ({r})", name(*from), name(*to)),
            }
        }
        StepKind::Timer { node, name: t } => match lang {
            Lang::Zh => format!("{} 定时器 {t}", name(*node)),
            Lang::En => format!("{} timer {t}", name(*node)),
        },
        StepKind::Action { label } => {
            let narrated = notes.iter().find_map(|n| match n {
                Note::Narration { index } => narrations.get(*index as usize).map(|t| t.get(lang).to_string()),
                _ => None,
            });
            let prefix = match lang {
                Lang::Zh => "旁白：",
                Lang::En => "Narration:",
            };
            match narrated {
                Some(text) => format!("{prefix} {text}"),
                None => action_text(spec, label, lang),
            }
        }
    };
    for n in notes {
        if let Some(s) = describe_note(spec, n, lang) {
            line.push_str("; ");
            line.push_str(&s);
        }
    }
    Some(line)
}

/// Notes that make a step worth seeing in a filtered log.
fn is_notable(n: &Note) -> bool {
    matches!(
        n,
        Note::LeaderElected { .. }
            | Note::IsrChanged { .. }
            | Note::BrokerFenced { .. }
            | Note::BrokerCrashed { .. }
            | Note::BrokerRestarted { .. }
            | Note::ControllerElected { .. }
            | Note::Truncated { .. }
            | Note::SegmentsDeleted { .. }
            | Note::ConsumerOffsetOutOfRange { .. }
            | Note::Narration { .. }
            | Note::GroupState { .. }
            | Note::Assignment { .. }
            | Note::CommitRejected { .. }
            | Note::ConsumerCrashed { .. }
            | Note::RecordFailed { .. }
            | Note::TxnMarker { .. }
            | Note::TxnStateChanged { .. }
            | Note::TxnFenced { .. }
            | Note::TxnLoaded { .. }
            | Note::TxnClient { .. }
            | Note::ProducerError { .. }
            | Note::ProducerCrashed { .. }
            | Note::ProducerRestarted { .. }
    )
}

/// The event log's line of step `step`.
pub fn event_line(run: &KafkaRun, narrations: &[Text], step: u64, lang: Lang) -> Option<EventLine> {
    let (rec, notes) = run.timeline.record(step)?;
    let spec = &run.timeline.current().model.spec;
    let key = |n: NodeId| node_key(spec, n);
    let (category, nodes) = match &rec.kind {
        StepKind::Deliver { from, to, .. } => ("deliver", vec![key(*from), key(*to)]),
        StepKind::Drop { from, to, .. } => ("drop", vec![key(*from), key(*to)]),
        StepKind::Timer { node, .. } => ("timer", vec![key(*node)]),
        StepKind::Action { .. } => ("action", Vec::new()),
    };
    let notable = notes.iter().any(is_notable) || category == "action" || category == "drop";
    let text = describe_step(run, narrations, step, lang)?;
    Some(EventLine { step, time_ms: rec.time, category, nodes, notable, text })
}

/// What step `index` did, for the caption under the picture.
pub fn step_event(run: &KafkaRun, narrations: &[Text], index: u64, lang: Lang) -> Option<StepEventView> {
    let (rec, _) = run.timeline.record(index)?;
    let spec = &run.timeline.current().model.spec;
    let key = |n: NodeId| node_key(spec, n);
    let text = describe_step(run, narrations, index, lang).unwrap_or_default();
    let (category, name, src, dst, msg) = match &rec.kind {
        StepKind::Deliver { msg, from, to, kind } => {
            ("deliver", kind.to_string(), Some(key(*from)), Some(key(*to)), Some(msg.0))
        }
        StepKind::Drop { msg, from, to, kind, .. } => {
            ("drop", kind.to_string(), Some(key(*from)), Some(key(*to)), Some(msg.0))
        }
        StepKind::Timer { node, name } => ("timer", name.to_string(), Some(key(*node)), None, None),
        StepKind::Action { label } => ("action", label.clone(), None, None, None),
    };
    Some(StepEventView { step: index, time_ms: rec.time, category: category.into(), name, src, dst, msg, text })
}
