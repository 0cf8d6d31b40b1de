//! The countdowns that decide what happens next, for the cards to draw as rings (as
//! RaftScope draws election timeouts): a broker's session at the controller, a follower's
//! `replica.lag.time.max.ms` at its leader, a member's session at its group coordinator and
//! its `max.poll.interval.ms`. Only a timer that is running late is listed: one whose
//! heartbeat or fetch is overdue, so the ring appears when it can decide something.
use super::Ctx;
use crate::kafka::broker::Broker;
use crate::kafka::client::consumer::{Consumer, ConsumerStatus, JoinState};
use crate::session::view::TimerView;

/// A broker's running timers: its session at the active controller, and its replicas'
/// time out of sync at their leaders.
pub(super) fn broker_timers(c: &Ctx, b: &Broker) -> Vec<TimerView> {
    let (now, cfg) = (c.sim.now(), &c.spec.broker);
    let mut out = Vec::new();
    let reg = c.world.controller.brokers.get(&b.id).filter(|r| !r.fenced);
    if let (Some(_), Some(r)) = (c.world.controller.active, reg) {
        if now.saturating_sub(r.last_heartbeat) > cfg.broker_heartbeat_interval_ms + 500 {
            out.push(timer(
                "broker.session.timeout.ms",
                String::new(),
                r.last_heartbeat,
                cfg.broker_session_timeout_ms,
                now,
            ));
        }
    }
    for tp in b.replicas.keys() {
        let Some(state) = c.world.controller.partitions.get(tp) else { continue };
        let Some(leader) = state.leader.filter(|l| *l != b.id && state.isr.contains(&b.id)) else { continue };
        let Some(f) = c.world.broker(leader).replicas.get(tp).and_then(|r| r.followers.get(&b.id)) else { continue };
        // A lazy state is a caught-up follower in a quiet fetch session.
        if !f.lazy && now.saturating_sub(f.last_caught_up_time) > 1_000 {
            let name = format!("{}-{}", c.topic_name(tp.topic), tp.partition);
            out.push(timer("replica.lag.time.max.ms", name, f.last_caught_up_time, cfg.replica_lag_time_max_ms, now));
        }
    }
    out
}

/// A group member's running timers: its session at the coordinator and the time since
/// its application last called `poll()`.
pub(super) fn consumer_timers(c: &Ctx, x: &Consumer) -> Vec<TimerView> {
    let now = c.sim.now();
    let mut out = Vec::new();
    if x.status != ConsumerStatus::Running && x.status != ConsumerStatus::Crashed {
        return out;
    }
    let member = c
        .coordinator_of(&x.group)
        .and_then(|b| c.world.broker(b).coordinator.groups.get(&x.group))
        .and_then(|g| g.members.get(&x.member_id));
    if let Some(m) = member {
        let started = m.session_deadline.saturating_sub(m.session_timeout_ms);
        if now.saturating_sub(started) > x.config.heartbeat_interval_ms + 1_000 {
            out.push(timer("session.timeout.ms", String::new(), started, m.session_timeout_ms, now));
        }
    }
    let polling_late = now.saturating_sub(x.last_poll) > (2 * x.config.poll_timeout_ms).max(5_000);
    if x.status == ConsumerStatus::Running && x.join_state == JoinState::Member && polling_late {
        out.push(timer("max.poll.interval.ms", String::new(), x.last_poll, x.config.max_poll_interval_ms, now));
    }
    out
}

fn timer(config: &'static str, subject: String, started: u64, total_ms: u64, now: u64) -> TimerView {
    TimerView { config: config.to_string(), subject, total_ms, left_ms: (started + total_ms).saturating_sub(now) }
}
