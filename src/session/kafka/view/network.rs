//! The network in the view: messages on the wire, cut links, slow nodes, recent drops.
use super::Ctx;
use crate::kafka::message::Msg;
use crate::kafka::world::Spec;
use crate::kernel::sim::InFlight;
use crate::kernel::{MessageInfo, NodeId, StepKind};
use crate::session::kafka::resolve::node_key;
use crate::session::view::{DroppedView, MessageView};

/// A message on the wire, with `summary` as the caller made it.
pub(in crate::session::kafka) fn message_view(spec: &Spec, m: &InFlight<Msg>, summary: String) -> MessageView {
    MessageView {
        id: m.id.0,
        from: spec.node_name(m.from),
        to: spec.node_name(m.to),
        src: node_key(spec, m.from),
        dst: node_key(spec, m.to),
        kind: m.msg.kind().to_string(),
        summary,
        sent_at_ms: m.sent_at,
        deliver_at_ms: m.deliver_at,
    }
}

/// The oldest `opts.max_messages` messages on the wire.
pub(super) fn in_flight(c: &Ctx) -> Vec<MessageView> {
    c.sim
        .in_flight()
        .take(c.opts.max_messages)
        .map(|m| message_view(c.spec, m, if c.opts.summaries { m.msg.summary() } else { String::new() }))
        .collect()
}

/// Directed cuts: (from, to) node keys.
pub(super) fn cuts(c: &Ctx) -> Vec<(String, String)> {
    c.sim.network().cuts().map(|(a, b)| (c.key(*a), c.key(*b))).collect()
}

/// Nodes with extra latency.
pub(super) fn slow(c: &Ctx) -> Vec<(String, u64)> {
    let net = c.sim.network();
    (0..net.node_count())
        .map(NodeId)
        .filter_map(|n| {
            let ms = net.slowness(n);
            (ms > 0).then(|| (c.key(n), ms))
        })
        .collect()
}

/// Messages dropped in the last five steps, so a drop can be drawn.
pub(super) fn dropped(c: &Ctx) -> Vec<DroppedView> {
    (c.cursor.saturating_sub(5) + 1..=c.cursor)
        .filter_map(|s| {
            let (rec, _) = c.run.timeline.record(s)?;
            match &rec.kind {
                StepKind::Drop { msg, from, to, kind, reason } => Some(DroppedView {
                    step: s,
                    msg: msg.0,
                    kind: kind.to_string(),
                    src: c.key(*from),
                    dst: c.key(*to),
                    reason: reason.as_str().to_string(),
                }),
                _ => None,
            }
        })
        .collect()
}
