//! The simulation: a model plus the kernel state around it. One call to [`Simulation::step`]
//! takes the earliest event off the queue and handles it: that is one step of the trace.
use std::collections::BTreeMap;
use std::rc::Rc;

use super::digest::Digest;
use super::model::{Checker, Ctx, MessageInfo, Model};
use super::network::{Fate, NetFault, Network, NetworkConfig};
use super::queue::EventQueue;
use super::trace::{DropReason, StepKind, StepRecord};
use super::{InvariantViolation, MsgId, NodeId, Prng, Time};

/// An action a run can perform at a scripted time or when the user asks: a network fault
/// the kernel applies itself, or a protocol action the model applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action<A> {
    Net(NetFault),
    Model(A),
}

/// A message on the wire.
#[derive(Clone, Debug)]
pub struct InFlight<T> {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub lost: bool,
    /// Lost because another message on its connection was: the break was already reported.
    pub collateral: bool,
    pub msg: T,
}

#[derive(Clone, Debug)]
enum Event<T> {
    Deliver(MsgId),
    Timer { node: NodeId, incarnation: u32, timer: T },
    Scripted(usize),
}

/// Steps in a row at one simulated instant after which a run counts as livelocked. Network
/// latency spreads a correct run's events: the longest such burst in the shipped scenarios
/// is 101 steps (the 50-broker cluster). A hundred thousand means the clock has stopped
/// (something resends without backoff).
pub const LIVELOCK_STEPS: u64 = 100_000;

/// The whole state of a run at one step. `Clone` is the checkpoint.
#[derive(Clone)]
pub struct Simulation<M: Model, C: Checker<M>> {
    pub model: M,
    pub checker: C,
    prng: Prng,
    queue: EventQueue<Event<M::Timer>>,
    network: Network,
    in_flight: BTreeMap<MsgId, InFlight<M::Msg>>,
    next_msg: u64,
    up: Vec<bool>,
    incarnation: Vec<u32>,
    now: Time,
    steps: u64,
    digest: Digest,
    script: Rc<[(Time, Action<M::Action>)]>,
    /// The first scripted action not yet taken. Scripted actions are fed in as time reaches
    /// them rather than queued at the start, so a checkpoint does not copy the whole script
    /// with the queue.
    next_scripted: usize,
    /// No event after this time is handled: the run is over.
    end_time: Time,
    /// What the model's invariant check remembers between steps.
    invariants: M::InvariantMemory,
    /// The time of the last step and how many steps in a row happened at it: a run whose
    /// clock stops while steps go on is livelocked (see [`Simulation::steps_at_this_instant`]).
    last_step_time: Time,
    steps_at_this_instant: u64,
}

impl<M: Model, C: Checker<M>> Simulation<M, C> {
    /// A run of `model` from time 0 with `seed`; `script` lists timed actions.
    pub fn new(
        model: M,
        checker: C,
        seed: u64,
        network: NetworkConfig,
        mut script: Vec<(Time, Action<M::Action>)>,
    ) -> Self {
        // In time order, ties in the order given (see `pop_event`). Timelines are written
        // nearly in order, where the small insertion sort costs next to nothing.
        if !script.is_sorted_by_key(|(t, _)| *t) {
            super::sort::stable_sort_by(&mut script, &|a, b| a.0.cmp(&b.0));
        }
        let nodes = model.node_count();
        let mut sim = Simulation {
            model,
            checker,
            prng: Prng::new(seed),
            queue: EventQueue::default(),
            network: Network::new(network, nodes),
            in_flight: BTreeMap::new(),
            next_msg: 0,
            up: vec![true; nodes as usize],
            incarnation: vec![0; nodes as usize],
            now: 0,
            steps: 0,
            digest: Digest::default(),
            script: script.into(),
            next_scripted: 0,
            end_time: Time::MAX,
            invariants: Default::default(),
            last_step_time: 0,
            steps_at_this_instant: 0,
        };
        sim.digest.add(&seed);
        let mut notes = Vec::new();
        sim.with_ctx(&mut notes, |model, ctx| model.start(ctx));
        sim.digest.add(&notes);
        #[cfg(debug_assertions)]
        sim.assert_invariants(None);
        sim
    }

    /// Check the model's invariants now ([`Model::check_invariants`]). Debug builds do it
    /// after every step on their own; a release-mode test calls this after every step.
    pub fn check_invariants(&mut self) -> Result<(), InvariantViolation> {
        self.model.check_invariants(&mut self.invariants)
    }

    /// Panic, naming the rule, the step and the object, if an invariant does not hold.
    #[cfg(debug_assertions)]
    fn assert_invariants(&mut self, step: Option<&StepRecord>) {
        if !self.model.invariants_affordable_every_step() {
            return;
        }
        if let Err(v) = self.check_invariants() {
            match step {
                Some(s) => panic!("after step {} (t = {} ms, {:?}): {v}", s.index, s.time, s.kind),
                None => panic!("at the start: {v}"),
            }
        }
    }

    /// Stop the run at `end` (events after it are never handled).
    pub fn set_end_time(&mut self, end: Time) {
        self.end_time = end;
    }
    pub fn end_time(&self) -> Time {
        self.end_time
    }
    pub fn now(&self) -> Time {
        self.now
    }
    /// Events handled so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// Whether the clock has stopped: [`LIVELOCK_STEPS`] steps in a row at one instant.
    pub fn livelocked(&self) -> bool {
        self.steps_at_this_instant >= LIVELOCK_STEPS
    }
    /// How many steps in a row ended at the current simulated time. A correct run moves
    /// its clock on after a burst at one instant; when this grows into the millions, the
    /// model is resending something without backoff, and callers stop the run.
    pub fn steps_at_this_instant(&self) -> u64 {
        self.steps_at_this_instant
    }
    /// Running digest of every step so far (and the seed).
    pub fn digest(&self) -> u64 {
        self.digest.value()
    }
    pub fn network(&self) -> &Network {
        &self.network
    }
    pub fn is_up(&self, node: NodeId) -> bool {
        self.up[node.0 as usize]
    }
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight<M::Msg>> {
        self.in_flight.values()
    }
    /// Messages sent so far.
    pub fn messages_sent(&self) -> u64 {
        self.next_msg
    }

    /// Handle the next event. Returns `None` when nothing is left to happen.
    /// Notes (state changes) the step produced are appended to `notes`.
    pub fn step(&mut self, notes: &mut Vec<M::Note>) -> Option<StepRecord> {
        self.step_observed(notes, &mut |_| {})
    }

    /// [`Simulation::step`], showing the message it delivers or drops (if any) to `seen`
    /// first: for a trace that wants the payload of every message.
    pub fn step_observed(
        &mut self,
        notes: &mut Vec<M::Note>,
        seen: &mut dyn FnMut(&InFlight<M::Msg>),
    ) -> Option<StepRecord> {
        loop {
            if self.next_event_time()? > self.end_time {
                return None;
            }
            let (time, event) = self.pop_event()?;
            debug_assert!(time >= self.now, "time went backwards");
            self.now = time;
            let start = notes.len();
            let kind = match event {
                Event::Deliver(id) => {
                    seen(self.in_flight.get(&id).expect("delivered message is in flight"));
                    self.deliver(id, notes)
                }
                Event::Timer { node, incarnation, timer } => {
                    // A timer set before a crash belongs to a process that no longer exists.
                    if incarnation != self.incarnation[node.0 as usize]
                        || !self.up[node.0 as usize]
                        || !self.model.timer_is_live(node, &timer, time)
                    {
                        continue;
                    }
                    let name = M::timer_name(&timer);
                    self.with_ctx(notes, |model, ctx| model.on_timer(ctx, node, timer));
                    StepKind::Timer { node, name }
                }
                Event::Scripted(i) => {
                    let action = self.script[i].1.clone();
                    self.apply_inner(&action, notes)
                }
            };
            return Some(self.finish_step(kind, &notes[start..]));
        }
    }

    /// Drop the timers that can never fire: those of a process that has since crashed or
    /// restarted, and those the model says are finished ([`Model::timer_never_fires`]).
    /// They would be skipped without a step when due, so the run is unchanged; a checkpoint
    /// taken after this copies a queue of what can still happen.
    pub fn drop_dead_timers(&mut self) {
        let (model, incarnation) = (&self.model, &self.incarnation);
        self.queue.retain(|e| match e {
            Event::Timer { node, incarnation: born, timer } => {
                *born == incarnation[node.0 as usize] && !model.timer_never_fires(*node, timer)
            }
            _ => true,
        });
    }

    /// How many events are queued (a measure of what a checkpoint copies).
    pub fn queued_events(&self) -> usize {
        self.queue.len()
    }

    /// When the next event (queued or scripted) is due.
    fn next_event_time(&self) -> Option<Time> {
        let scripted = self.script.get(self.next_scripted).map(|(t, _)| *t);
        match (self.queue.peek_time(), scripted) {
            (Some(q), Some(s)) => Some(q.min(s)),
            (q, s) => q.or(s),
        }
    }

    /// The next event. At one instant scripted actions come first, in script order, as
    /// they did when all of them were queued (with the lowest sequence numbers) at the start.
    fn pop_event(&mut self) -> Option<(Time, Event<M::Timer>)> {
        if let Some((t, _)) = self.script.get(self.next_scripted) {
            if self.queue.peek_time().is_none_or(|q| *t <= q) {
                self.next_scripted += 1;
                return Some((*t, Event::Scripted(self.next_scripted - 1)));
            }
        }
        self.queue.pop()
    }

    /// Apply an action now, as a step of its own (a user's click, or a branch point).
    pub fn apply(&mut self, action: &Action<M::Action>, notes: &mut Vec<M::Note>) -> StepRecord {
        let start = notes.len();
        let kind = self.apply_inner(action, notes);
        self.finish_step(kind, &notes[start..])
    }

    /// Run until the next event would be after `until`, or `max_steps` more steps ran.
    pub fn run_until(&mut self, until: Time, max_steps: u64, notes: &mut Vec<M::Note>) -> u64 {
        let mut n = 0;
        while n < max_steps && self.next_event_time().is_some_and(|t| t <= until) {
            notes.clear();
            if self.step(notes).is_none() {
                break;
            }
            n += 1;
        }
        n
    }

    fn apply_inner(&mut self, action: &Action<M::Action>, notes: &mut Vec<M::Note>) -> StepKind {
        match action {
            Action::Net(fault) => {
                self.network.apply(fault);
                StepKind::Action { label: format!("{fault:?}") }
            }
            Action::Model(a) => {
                self.with_ctx(notes, |model, ctx| model.on_action(ctx, a));
                StepKind::Action { label: M::action_label(a) }
            }
        }
    }

    fn deliver(&mut self, id: MsgId, notes: &mut Vec<M::Note>) -> StepKind {
        let m = self.in_flight.remove(&id).expect("delivered message is in flight");
        let kind = m.msg.kind();
        let reason = if m.collateral {
            Some(DropReason::ConnectionBroken)
        } else if m.lost {
            Some(DropReason::Lost)
        } else if self.network.is_cut(m.from, m.to) {
            Some(DropReason::LinkCut)
        } else if !self.up[m.to.0 as usize] {
            Some(DropReason::ReceiverDown)
        } else {
            None
        };
        self.digest.add(&m.msg);
        if reason == Some(DropReason::Lost) {
            // The connection broke: nothing else in flight between the two arrives either.
            let (a, b) = (m.from, m.to);
            for other in self.in_flight.values_mut() {
                if (other.from == a && other.to == b) || (other.from == b && other.to == a) {
                    other.collateral = true;
                }
            }
            if self.up[a.0 as usize] && self.up[b.0 as usize] {
                self.with_ctx(notes, |model, ctx| model.on_connection_lost(ctx, a, b));
            }
        }
        match reason {
            Some(reason) => {
                // A lost message to a node that is down anyway: the sender finds the
                // receiver down as for any other message to it (a crashed process refuses
                // the connection), or it would never hear of it.
                let receiver_down =
                    !self.up[m.to.0 as usize] && matches!(reason, DropReason::ReceiverDown | DropReason::Lost);
                if receiver_down && self.up[m.from.0 as usize] {
                    let (from, to) = (m.from, m.to);
                    self.with_ctx(notes, |model, ctx| model.on_undeliverable(ctx, from, to, m.msg));
                }
                StepKind::Drop { msg: id, from: m.from, to: m.to, kind, reason }
            }
            None => {
                let (from, to) = (m.from, m.to);
                self.with_ctx(notes, |model, ctx| model.on_message(ctx, from, to, m.msg));
                StepKind::Deliver { msg: id, from, to, kind }
            }
        }
    }

    fn finish_step(&mut self, kind: StepKind, notes: &[M::Note]) -> StepRecord {
        self.steps += 1;
        if self.steps_at_this_instant > 0 && self.now == self.last_step_time {
            self.steps_at_this_instant += 1;
        } else {
            (self.last_step_time, self.steps_at_this_instant) = (self.now, 1);
        }
        let record = StepRecord { index: self.steps, time: self.now, kind };
        self.digest.add(&record);
        self.digest.add(notes);
        self.checker.observe(&self.model, &record, notes);
        self.model.forget_before(self.checker.forgotten_before());
        #[cfg(debug_assertions)]
        self.assert_invariants(Some(&record));
        record
    }

    /// Run a handler with a context, then carry out what it asked for.
    fn with_ctx(&mut self, notes: &mut Vec<M::Note>, f: impl FnOnce(&mut M, &mut Ctx<M>)) {
        let mut ctx = Ctx {
            now: self.now,
            prng: &mut self.prng,
            outbox: Vec::new(),
            last_words: Vec::new(),
            timers: Vec::new(),
            notes,
            node_changes: Vec::new(),
            up: &self.up,
            network: &self.network,
        };
        f(&mut self.model, &mut ctx);
        let Ctx { outbox, last_words, timers, node_changes, .. } = ctx;
        for (node, up) in node_changes {
            let i = node.0 as usize;
            self.up[i] = up;
            // Every restart is a new process: timers of the old one never fire.
            self.incarnation[i] += 1;
        }
        let sent = outbox.into_iter().map(|(f, t, m)| (f, t, m, false));
        for (from, to, msg, last_word) in sent.chain(last_words.into_iter().map(|(f, t, m)| (f, t, m, true))) {
            if !last_word && !self.up[from.0 as usize] {
                continue;
            }
            let (deliver_at, fate) = self.network.route(from, to, msg.kind(), self.now, &mut self.prng);
            let id = MsgId(self.next_msg);
            self.next_msg += 1;
            self.queue.push(deliver_at, Event::Deliver(id));
            let lost = fate == Fate::Lost;
            self.in_flight
                .insert(id, InFlight { id, from, to, sent_at: self.now, deliver_at, lost, collateral: false, msg });
        }
        for (node, delay, timer) in timers {
            let incarnation = self.incarnation[node.0 as usize];
            self.queue.push(self.now + delay, Event::Timer { node, incarnation, timer });
        }
    }
}
