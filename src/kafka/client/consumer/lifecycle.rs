//! The consumer's process: a GC pause that freezes it (messages and timers held back and
//! replayed in order), a crash, a restart as a new process, and `close()`.
use super::*;
use crate::kafka::notes::Note;
use crate::kafka::world::{broker_node, Env, Timer, World};
use crate::kernel::{Ctx, NodeId};

impl Consumer {
    // ----- GC pause: hold everything -----------------------------------------------------

    /// While frozen, a message or timer is held back. Returns true if it was.
    pub fn hold_message(&mut self, from: NodeId, msg: &Msg, now: u64) -> bool {
        if self.frozen_until.is_some_and(|t| t > now) {
            self.held.push(Held::Message(from, msg.clone()));
            return true;
        }
        false
    }

    pub fn hold_timer(&mut self, timer: &Timer, now: u64) -> bool {
        if self.frozen_until.is_some_and(|t| t > now) && *timer != Timer::ConsumerResume {
            self.held.push(Held::Timer(timer.clone()));
            return true;
        }
        false
    }

    pub fn pause(&mut self, ctx: &mut Ctx<World>, ms: u64, gc: bool) {
        let until = ctx.now + ms;
        if gc {
            self.frozen_until = Some(until);
            ctx.set_timer(self.node, ms, Timer::ConsumerResume);
        } else {
            self.blocked_until = Some(until);
        }
        ctx.note(Note::ConsumerPaused { consumer: self.index, until, gc });
    }

    /// End a pause now (or when its timer fires): replay what was held, in order.
    pub fn resume(&mut self, ctx: &mut Ctx<World>, env: &Env) -> Vec<(NodeId, Msg)> {
        self.blocked_until = None;
        if self.frozen_until.take().is_none() {
            self.schedule_poll(ctx, 0);
            return Vec::new();
        }
        let held = std::mem::take(&mut self.held);
        let mut messages = Vec::new();
        for h in held {
            match h {
                Held::Message(from, m) => messages.push((from, m)),
                Held::Timer(t) => self.on_timer(ctx, env, t),
            }
        }
        self.schedule_poll(ctx, 0);
        messages
    }

    // ----- lifecycle -----------------------------------------------------------------------

    pub fn crash(&mut self, ctx: &mut Ctx<World>) {
        self.status = ConsumerStatus::Crashed;
        ctx.note(Note::ConsumerCrashed { consumer: self.index });
    }

    /// A new process of the same application: it joins as a new member.
    pub fn restart(&mut self, ctx: &mut Ctx<World>) {
        let keep = (
            self.index,
            self.node,
            self.name.clone(),
            self.group.clone(),
            self.topics.clone(),
            self.config.clone(),
            self.conns.brokers().to_vec(),
        );
        let incarnation = self.incarnation + 1;
        let producer = self.producer.take();
        // Correlation ids keep growing: an answer to the old process that arrives late
        // must not match a request of the new one.
        let next_correlation = self.next_correlation;
        *self = Consumer::new(keep.0, keep.1, keep.2, keep.3, keep.4, keep.5, keep.6);
        self.incarnation = incarnation;
        self.producer = producer;
        self.next_correlation = next_correlation;
        ctx.note(Note::ConsumerRestarted { consumer: self.index });
        self.start(ctx);
    }

    /// `close()`: commit (with auto-commit), leave the group, stop.
    pub fn close(&mut self, ctx: &mut Ctx<World>) {
        if self.config.enable_auto_commit && self.join_state == JoinState::Member {
            self.commit(ctx, false);
        }
        if let (Some(c), false) = (self.coordinator, self.member_id.is_empty()) {
            let correlation = self.next();
            let msg = Msg::LeaveGroup { correlation, group: self.group.clone(), member_id: self.member_id.clone() };
            ctx.send(self.node, broker_node(c), msg);
        }
        self.status = ConsumerStatus::Closed;
        ctx.note(Note::ConsumerClosed { consumer: self.index });
    }
}
