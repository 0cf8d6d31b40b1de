//! What a protocol implements to run on the kernel, and the context it runs in.
//!
//! A model is a value (`Clone`): the whole state of every node. Handlers never do I/O or
//! read a clock; they read `ctx.now`, draw from `ctx.prng`, and record what they want done:
//! messages to send, timers to set, notes for the trace, nodes that went down or came up.
use std::fmt::Debug;
use std::hash::Hash;

use super::network::Network;
use super::{InvariantViolation, NodeId, Prng, StepRecord, Time};

/// How the trace and the UI name a message.
pub trait MessageInfo {
    /// Short kind, e.g. "Produce", "FetchResponse".
    fn kind(&self) -> &'static str;
    /// One line of payload, for the event log and the message inspector.
    fn summary(&self) -> String;
}

pub trait Model: Clone {
    type Msg: Clone + Debug + Hash + MessageInfo;
    type Timer: Clone + Debug + Hash;
    type Action: Clone + Debug + Hash;
    type Note: Clone + Debug + Hash;
    /// What [`Model::check_invariants`] remembers from one step to the next, e.g. the last
    /// value seen of something that must never decrease. `()` when it needs nothing.
    type InvariantMemory: Clone + Debug + Default;

    /// Number of network nodes; node ids are `0..node_count`.
    fn node_count(&self) -> u32;
    /// Called once at time 0, before any event.
    fn start(&mut self, ctx: &mut Ctx<Self>);
    fn on_message(&mut self, ctx: &mut Ctx<Self>, from: NodeId, to: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<Self>, node: NodeId, timer: Self::Timer);
    fn on_action(&mut self, ctx: &mut Ctx<Self>, action: &Self::Action);
    /// A message was dropped because its receiver was down. A process that crashed leaves
    /// its host up, which refuses connections: a model may tell the sender at once.
    fn on_undeliverable(&mut self, _ctx: &mut Ctx<Self>, _from: NodeId, _to: NodeId, _msg: Self::Msg) {}
    /// A message between `a` and `b` was lost. Kafka talks over TCP, where a lost message
    /// means a broken connection: the kernel also loses everything else in flight between
    /// the two, then tells the model so both ends can react (fail requests, reconnect).
    fn on_connection_lost(&mut self, _ctx: &mut Ctx<Self>, _a: NodeId, _b: NodeId) {}
    /// Whether a timer still matters when it comes due. A timeout whose request was
    /// answered long ago is skipped without a step, like a timer of a crashed process.
    fn timer_is_live(&self, _node: NodeId, _timer: &Self::Timer, _now: Time) -> bool {
        true
    }
    /// Whether a pending timer can never fire again, whatever happens next (its request was
    /// answered; its delayed operation completed). The kernel drops such timers from the
    /// queue before it takes a checkpoint, so time travel does not copy them by the
    /// thousand. Only say yes when it is final: [`Model::timer_is_live`] still decides at the
    /// time a timer comes due. The default keeps every timer.
    fn timer_never_fires(&self, _node: NodeId, _timer: &Self::Timer) -> bool {
        false
    }
    /// Check the model's own invariants against its state after a step (see
    /// [`super::invariant`]). `memory` holds what earlier checks saw; it is meant to be given
    /// every step's state in turn. The default checks nothing.
    fn check_invariants(&self, _memory: &mut Self::InvariantMemory) -> Result<(), InvariantViolation> {
        Ok(())
    }
    /// Whether debug builds can afford [`Model::check_invariants`] after every step of this
    /// model (unoptimised, a check that visits every object of a large model costs far more
    /// than the step). When false, only explicit calls check. The default says yes.
    /// The checker has forgotten every record numbered below `index` (see
    /// [`Checker::forgotten_before`]): the model may drop what it keeps of them only for
    /// the checker and the views. It must not drop what its own behaviour may still read.
    /// Called after every step; the default keeps everything.
    fn forget_before(&mut self, _index: u64) {}
    fn invariants_affordable_every_step(&self) -> bool {
        true
    }
    /// Short name of a timer for the trace.
    fn timer_name(timer: &Self::Timer) -> &'static str;
    /// One-line description of an action for the trace.
    fn action_label(action: &Self::Action) -> String;
}

/// Observes every step: the plumbing for checkers. A checker is part of the simulation
/// value, so time travel restores it with everything else.
pub trait Checker<M: Model>: Clone {
    fn observe(&mut self, model: &M, step: &StepRecord, notes: &[M::Note]);
    /// Every record numbered below this (the model's numbering) can no longer matter to
    /// any check and has been forgotten (bounded memory under log retention). Default 0.
    fn forgotten_before(&self) -> u64 {
        0
    }
}

/// A checker that checks nothing.
#[derive(Clone, Debug, Default)]
pub struct NoChecker;
impl<M: Model> Checker<M> for NoChecker {
    fn observe(&mut self, _: &M, _: &StepRecord, _: &[M::Note]) {}
}

/// What a handler may do. Everything here is applied by the kernel after the handler returns.
pub struct Ctx<'a, M: Model> {
    pub now: Time,
    pub prng: &'a mut Prng,
    pub(crate) outbox: Vec<(NodeId, NodeId, M::Msg)>,
    /// Sent for a process that has just died: see [`Ctx::send_last_word`].
    pub(crate) last_words: Vec<(NodeId, NodeId, M::Msg)>,
    pub(crate) timers: Vec<(NodeId, Time, M::Timer)>,
    pub(crate) notes: &'a mut Vec<M::Note>,
    pub(crate) node_changes: Vec<(NodeId, bool)>,
    pub(crate) up: &'a [bool],
    pub(crate) network: &'a Network,
}

impl<'a, M: Model> Ctx<'a, M> {
    /// Send a message over the simulated network.
    pub fn send(&mut self, from: NodeId, to: NodeId, msg: M::Msg) {
        self.outbox.push((from, to, msg));
    }
    /// Send for `from` as its process dies: what its operating system sends when it closes
    /// the dead process's connections (a TCP FIN). It goes out although `from` is down, on
    /// the same link and so behind everything `from` sent before: the peer reads the answers
    /// already on their way first, then learns the connection closed (a cut link loses it,
    /// and the peer learns by timeout).
    pub fn send_last_word(&mut self, from: NodeId, to: NodeId, msg: M::Msg) {
        self.last_words.push((from, to, msg));
    }
    /// Fire `timer` on `node` after `delay` ms (unless the node goes down first).
    pub fn set_timer(&mut self, node: NodeId, delay: Time, timer: M::Timer) {
        self.timers.push((node, delay, timer));
    }
    /// Record a state change in the trace.
    pub fn note(&mut self, note: M::Note) {
        self.notes.push(note);
    }
    /// Take a node down: its pending timers are cancelled and messages to it are lost.
    pub fn node_down(&mut self, node: NodeId) {
        self.node_changes.push((node, false));
    }
    pub fn node_up(&mut self, node: NodeId) {
        self.node_changes.push((node, true));
    }
    pub fn is_up(&self, node: NodeId) -> bool {
        self.up[node.0 as usize]
    }
    /// Whether `from` can currently reach `to` (no cut). Meant for models that abstract a
    /// protocol whose own traffic they do not simulate.
    pub fn link_up(&self, from: NodeId, to: NodeId) -> bool {
        !self.network.is_cut(from, to)
    }
}
