//! The countdowns the cards draw as rings: listed while they run late, with what is left.
use highwater::session::view::{ClusterView, TimerView};
use highwater::session::Session;

mod common;
use common::load;

/// The view at every 250 ms of simulated time, with its time.
fn views(id: &str) -> Vec<(u64, ClusterView)> {
    let mut s = Session::new(load(id));
    let mut out = Vec::new();
    let mut next = 0;
    while s.step_forward() {
        let now = s.step_time(s.cursor()).unwrap();
        if now >= next {
            out.push((now, s.view()));
            next = now + 250;
        }
    }
    out
}

fn broker_timer<'a>(v: &'a ClusterView, id: u32, config: &str) -> Option<&'a TimerView> {
    v.brokers.iter().find(|b| b.id == id)?.timers.iter().find(|t| t.config == config)
}

#[test]
fn a_crashed_brokers_session_runs_down_until_the_controller_fences_it() {
    // acks1-leader-failure: broker 1 crashes at 1500 ms and is fenced 9 s after its last heartbeat.
    let vs = views("acks1-leader-failure");
    let running: Vec<(u64, u64)> = vs
        .iter()
        .filter_map(|(t, v)| broker_timer(v, 1, "broker.session.timeout.ms").map(|x| (*t, x.left_ms)))
        .collect();
    assert!(running.len() > 10, "{running:?}");
    assert!(running.windows(2).all(|w| w[1].1 < w[0].1), "the time left only goes down: {running:?}");
    assert!(running.iter().all(|(t, _)| *t > 1_500), "only after the crash: {running:?}");
    assert!(running.last().unwrap().1 < 1_000, "it runs out");
    // The live brokers heartbeat in time: no ring on them while all is well.
    assert!(vs.iter().all(|(_, v)| broker_timer(v, 2, "broker.session.timeout.ms").is_none()));
}

#[test]
fn a_slow_followers_time_out_of_sync_shows_on_its_card() {
    let vs = views("hw-gates-reads-isr-shrinks");
    let lag: Vec<&TimerView> = vs.iter().filter_map(|(_, v)| broker_timer(v, 3, "replica.lag.time.max.ms")).collect();
    assert!(!lag.is_empty());
    assert!(lag.iter().all(|x| x.subject == "orders-0" && x.total_ms == 5_000), "{lag:?}");
}

#[test]
fn a_paused_members_session_and_poll_interval_run_down() {
    let vs = views("zombie-consumer-fenced");
    let member = |v: &ClusterView, config: &str| {
        v.consumers
            .iter()
            .find(|c| c.name == "billing-1")
            .and_then(|c| c.timers.iter().find(|t| t.config == config).cloned())
    };
    // During the 20 s GC pause its session (10 s) runs down to nothing, without a heartbeat.
    let session: Vec<u64> = vs.iter().filter_map(|(_, v)| member(v, "session.timeout.ms")).map(|x| x.left_ms).collect();
    let first_run: Vec<u64> = session.iter().copied().take_while(|l| *l > 100).collect();
    assert!(first_run.len() > 8 && first_run.windows(2).all(|w| w[1] < w[0]), "{session:?}");
    assert!(
        vs.iter().any(|(_, v)| member(v, "max.poll.interval.ms").is_some()),
        "a 20 s GC pause shows its poll interval"
    );
    let billing2 = |v: &ClusterView| v.consumers.iter().find(|c| c.name == "billing-2").map(|c| c.timers.len());
    assert!(vs.iter().all(|(_, v)| billing2(v) == Some(0)), "billing-2 heartbeats and polls in time");
}
