//! The network in the Kafka view: the model-neutral [`crate::session::wire`] with Kafka's
//! node names.
use super::Ctx;
use crate::kafka::message::Msg;
use crate::kafka::world::Spec;
use crate::kernel::sim::InFlight;
use crate::kernel::NodeId;
use crate::session::kafka::resolve::node_key;
use crate::session::view::{DroppedView, MessageView};
use crate::session::wire::{self, Naming};

/// Calls `f` with Kafka's names for the nodes of `spec`.
fn with_naming<T>(spec: &Spec, f: impl FnOnce(&Naming) -> T) -> T {
    let key = |n: NodeId| node_key(spec, n);
    let name = |n: NodeId| spec.node_name(n);
    f(&Naming { key: &key, name: &name })
}

/// A message on the wire, with `summary` as the caller made it.
pub(in crate::session::kafka) fn message_view(spec: &Spec, m: &InFlight<Msg>, summary: String) -> MessageView {
    with_naming(spec, |n| wire::message_view(n, m, summary))
}

pub(super) fn in_flight(c: &Ctx) -> Vec<MessageView> {
    with_naming(c.spec, |n| wire::in_flight(c.sim, n, c.opts.max_messages, c.opts.summaries))
}

pub(super) fn cuts(c: &Ctx) -> Vec<(String, String)> {
    with_naming(c.spec, |n| wire::cuts(c.sim, n))
}

pub(super) fn slow(c: &Ctx) -> Vec<(String, u64)> {
    with_naming(c.spec, |n| wire::slow(c.sim, n))
}

pub(super) fn dropped(c: &Ctx) -> Vec<DroppedView> {
    with_naming(c.spec, |n| wire::dropped(&c.run.timeline, c.cursor, n))
}
