//! A countdown ring in a card's corner (as RaftScope draws election timeouts): how much is
//! left of the timer that decides what happens next to this node (its session, a
//! follower's time out of sync, a consumer's poll interval). The ring empties as time runs
//! out and turns red with a "!" in its last quarter (colour and shape); the tooltip names
//! the setting and what happens when it runs out, for every running timer of the node.
use std::f64::consts::PI;

use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};
use crate::view::TimerView;

/// The most urgent of `timers` as a ring with the seconds left beside it (`compact`: inside
/// it, whole seconds, for narrow cards); nothing without timers.
pub(super) fn timer_ring(l: Lang, timers: &[TimerView], compact: bool) -> Html {
    let fraction = |x: &TimerView| x.left_ms as f64 / x.total_ms.max(1) as f64;
    let Some(first) = timers.iter().min_by(|a, b| fraction(a).total_cmp(&fraction(b))) else { return html! {} };
    let left = fraction(first);
    let circumference = 2.0 * PI * 8.0;
    let urgent = left < 0.25;
    let title = timers.iter().map(|x| describe(l, x)).collect::<Vec<_>>().join("\n");
    html! {
        <span class={classes!("hw-timer", urgent.then_some("urgent"), compact.then_some("compact"))} data-testid="timer" data-config={first.config.clone()}
            data-left-ms={first.left_ms.to_string()} title={title.clone()} role="img" aria-label={title}>
            <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
                <circle class="hw-timer-track" cx="10" cy="10" r="8" />
                <circle class="hw-timer-left" cx="10" cy="10" r="8" transform="rotate(-90 10 10)"
                    stroke-dasharray={format!("{:.1} {:.1}", left * circumference, circumference)} />
                if compact {
                    <text class="hw-timer-inner" x="10" y="13.5" text-anchor="middle">{ (first.left_ms as f64 / 1000.0).ceil().to_string() }</text>
                }
            </svg>
            if !compact {
                <span class="hw-timer-text">{ format!("{}{:.1} s", if urgent { "! " } else { "" }, first.left_ms as f64 / 1000.0) }</span>
            }
        </span>
    }
}

/// "broker.session.timeout.ms: 6.2 s of 9 s left — the controller fences the broker when it runs out".
fn describe(l: Lang, x: &TimerView) -> String {
    let meaning = match x.config.as_str() {
        "broker.session.timeout.ms" => K::TimerBrokerSession,
        "replica.lag.time.max.ms" => K::TimerReplicaLag,
        "session.timeout.ms" => K::TimerMemberSession,
        _ => K::TimerMaxPoll,
    };
    let subject = if x.subject.is_empty() { String::new() } else { format!(" ({})", x.subject) };
    let secs = |ms: u64| format!("{:.1}", ms as f64 / 1000.0);
    match l {
        Lang::Zh => format!(
            "{}{subject}：剩余 {} 秒（共 {} 秒）— {}",
            x.config,
            secs(x.left_ms),
            secs(x.total_ms),
            t(l, meaning)
        ),
        Lang::En => {
            format!("{}{subject}: {} s of {} s left — {}", x.config, secs(x.left_ms), secs(x.total_ms), t(l, meaning))
        }
    }
}
