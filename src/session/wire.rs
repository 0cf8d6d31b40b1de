//! The network in either model's view: messages on the wire, cut links, slow nodes, recent
//! drops. Only how a node is named differs between models ([`Naming`]).
use crate::kernel::sim::InFlight;
use crate::kernel::{Checker, MessageInfo, Model, NodeId, Simulation, StepKind, Timeline};
use crate::session::view::{DroppedView, MessageView};

/// A model's names for a node: its key in commands and views ("b1", "broker-a-0", a
/// client's name) and its display name.
pub struct Naming<'a> {
    pub key: &'a dyn Fn(NodeId) -> String,
    pub name: &'a dyn Fn(NodeId) -> String,
}

/// A message on the wire, with `summary` as the caller made it.
pub fn message_view<T: MessageInfo>(n: &Naming, m: &InFlight<T>, summary: String) -> MessageView {
    MessageView {
        id: m.id.0,
        from: (n.name)(m.from),
        to: (n.name)(m.to),
        src: (n.key)(m.from),
        dst: (n.key)(m.to),
        kind: m.msg.kind().to_string(),
        summary,
        sent_at_ms: m.sent_at,
        deliver_at_ms: m.deliver_at,
    }
}

/// The oldest `max` messages on the wire (with their summaries when `summaries`).
pub fn in_flight<M: Model, C: Checker<M>>(
    sim: &Simulation<M, C>,
    n: &Naming,
    max: usize,
    summaries: bool,
) -> Vec<MessageView> {
    sim.in_flight()
        .take(max)
        .map(|m| message_view(n, m, if summaries { m.msg.summary() } else { String::new() }))
        .collect()
}

/// Directed cuts: (from, to) node keys.
pub fn cuts<M: Model, C: Checker<M>>(sim: &Simulation<M, C>, n: &Naming) -> Vec<(String, String)> {
    sim.network().cuts().map(|(a, b)| ((n.key)(*a), (n.key)(*b))).collect()
}

/// Nodes with extra latency.
pub fn slow<M: Model, C: Checker<M>>(sim: &Simulation<M, C>, n: &Naming) -> Vec<(String, u64)> {
    let net = sim.network();
    (0..net.node_count())
        .map(NodeId)
        .filter_map(|node| {
            let ms = net.slowness(node);
            (ms > 0).then(|| ((n.key)(node), ms))
        })
        .collect()
}

/// Messages dropped in the five steps up to `cursor`, so a drop can be drawn.
pub fn dropped<M: Model, C: Checker<M>>(timeline: &Timeline<M, C>, cursor: u64, n: &Naming) -> Vec<DroppedView> {
    (cursor.saturating_sub(5) + 1..=cursor)
        .filter_map(|s| {
            let (rec, _) = timeline.record(s)?;
            match &rec.kind {
                StepKind::Drop { msg, from, to, kind, reason } => Some(DroppedView {
                    step: s,
                    msg: msg.0,
                    kind: kind.to_string(),
                    src: (n.key)(*from),
                    dst: (n.key)(*to),
                    reason: reason.as_str().to_string(),
                }),
                _ => None,
            }
        })
        .collect()
}
