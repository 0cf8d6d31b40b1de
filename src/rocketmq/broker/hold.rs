//! `B/longpolling/PullRequestHoldService`: pulls that found nothing, parked under their
//! queue until a message arrives (`NotifyMessageArrivingListener`), the periodic check
//! finds one, or their hold time runs out. A re-run pull cannot park again and does not
//! commit offsets.

use super::{pull, Broker};
use crate::kernel::{Ctx, NodeId, Time};
use crate::rocketmq::config::BrokerConfig;
use crate::rocketmq::message::PullMessage;
use crate::rocketmq::notes::{Note, WakeReason};
use crate::rocketmq::types::Mq;
use crate::rocketmq::world::{Spec, Timer, World};

/// A parked pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldPull {
    pub consumer: NodeId,
    pub req: PullMessage,
    pub suspended_at: Time,
    /// `suspendTimeoutMillis` (15 s from the push consumer), or `shortPollingTimeMills`.
    pub timeout: u64,
}

impl HeldPull {
    /// When the hold runs out (a UI's countdown). It is answered at the first check after.
    pub fn deadline(&self) -> Time {
        self.suspended_at + self.timeout
    }
}

/// The check loop: every 5 s with long polling, every `shortPollingTimeMills` without.
pub fn check_interval(config: &BrokerConfig) -> u64 {
    if config.long_polling_enable {
        5_000
    } else {
        config.short_polling_time_mills as u64
    }
}

pub fn suspend(b: &mut Broker, ctx: &mut Ctx<World>, consumer: NodeId, req: PullMessage, timeout: u64) {
    let held = HeldPull { consumer, req, suspended_at: ctx.now, timeout };
    ctx.note(Note::PullHeld {
        broker: b.index,
        consumer,
        mq: held.req.mq,
        offset: held.req.queue_offset,
        deadline: held.deadline(),
    });
    b.held.push(held);
}

/// `notifyMessageArriving`: re-run the held pulls of `mq` that a message now answers, and
/// those whose time is up.
pub fn notify_message_arriving(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec, mq: Mq, reason: WakeReason) {
    let max = b.store.max_queue_offset(mq);
    let mut i = 0;
    while i < b.held.len() {
        let h = &b.held[i];
        let why = if h.req.mq != mq {
            None
        } else if max > h.req.queue_offset {
            Some(reason)
        } else if ctx.now >= h.deadline() {
            Some(WakeReason::Timeout)
        } else {
            None
        };
        match why {
            Some(why) => {
                let h = b.held.remove(i);
                ctx.note(Note::PullWoken { broker: b.index, consumer: h.consumer, mq, reason: why });
                pull::process(b, ctx, spec, h.consumer, h.req, false);
            }
            None => i += 1,
        }
    }
}

/// The periodic check over every queue with a held pull.
pub fn on_check(b: &mut Broker, ctx: &mut Ctx<World>, spec: &Spec) {
    let mut queues: Vec<Mq> = b.held.iter().map(|h| h.req.mq).collect();
    queues.sort();
    queues.dedup();
    for mq in queues {
        notify_message_arriving(b, ctx, spec, mq, WakeReason::Check);
    }
    ctx.set_timer(b.node, check_interval(&b.config), Timer::PullHoldCheck);
}
