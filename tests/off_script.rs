//! After a branch the lesson's narration no longer applies: it says so, and narrates what the
//! engine did (issue 14's example: broker 2 crashed at step 30 of acks1-leader-failure, where
//! the script would say "Broker 2 is the new leader").
use highwater::session::{Command, Lang, Session};

mod common;
use common::load;

#[test]
fn a_branch_stops_the_script_and_narrates_the_engine() {
    let mut s = Session::new(load("acks1-leader-failure"));
    s.seek(300);
    let scripted = s.narration(Lang::En).unwrap();
    assert_eq!(s.view().off_script, None);
    s.seek(30);
    s.act(&Command::Crash(2)).unwrap();
    assert_eq!(s.cursor(), 31);
    s.seek(300);
    let v = s.view();
    assert_eq!(v.off_script, Some(31), "off script from the step the crash became");
    let en = s.narration(Lang::En).unwrap();
    assert_ne!(en, scripted);
    assert!(en.starts_with("Off script since step 31"), "{en}");
    assert!(en.contains("Latest from the engine (step "), "an engine event is narrated: {en}");
    assert!(!en.contains("Broker 2 is the new leader"), "{en}");
    let zh = s.narration(Lang::Zh).unwrap();
    assert!(zh.starts_with("自第 31 步起已偏离课程脚本") && zh.contains("引擎最新事件"), "{zh}");
    // Before the branch the lesson is still the lesson.
    s.seek(30);
    assert_eq!(s.view().off_script, None);
    assert!(!s.narration(Lang::En).unwrap_or_default().starts_with("Off script"));
}

#[test]
fn the_engine_narration_follows_the_cursor_and_a_narration_of_ones_own_is_not_a_branch() {
    let mut s = Session::new(load("acks1-leader-failure"));
    s.seek(30);
    s.act(&Command::Crash(2)).unwrap();
    s.seek(32);
    let early = s.narration(Lang::En).unwrap();
    assert!(early.contains("(step 31): "), "the crash itself is the latest event: {early}");
    s.seek(u64::MAX);
    let late = s.narration(Lang::En).unwrap();
    assert_ne!(early, late, "later, a later event");

    let mut own = Session::new(load("acks1-leader-failure"));
    own.seek(20);
    let text = highwater::scenario::Text { en: "My own words".into(), zh: None };
    own.act(&Command::Narrate(text)).unwrap();
    own.seek(100);
    assert_eq!(own.view().off_script, None);
}

/// A run extends itself when an action needs the time: a 60 s GC pause near the end of a
/// 20 s lesson still reaches the session timeout and the rebalance (issue 14).
#[test]
fn a_long_pause_near_the_end_extends_the_run() {
    let mut s = Session::new(load("zombie-consumer-fenced"));
    let end = s.scenario().duration_ms;
    s.seek(u64::MAX);
    let last = s.cursor();
    s.seek(last / 2);
    let at = s.current().now();
    let pause = Command::ConsumerPause { consumer: "billing-1".into(), ms: 60_000, gc: true };
    s.act(&pause).unwrap();
    s.seek(u64::MAX);
    let now = s.current().now();
    assert!(now > end, "the run goes past its {end} ms: {now}");
    assert!(now <= at + 60_000 + Session::ROOM_AFTER_ACTION_MS, "{now}");
    let notes = common::session_notes(&s);
    let woke = notes.iter().any(|(t, n)| *t >= at + 60_000 && format!("{n:?}").contains("billing-1"));
    assert!(woke, "the pause ends inside the run and what follows is shown");
    // The same branch from a link gives the same run.
    let again = Session::replay(load("zombie-consumer-fenced"), s.seed(), s.actions(), u64::MAX).unwrap();
    assert_eq!(again.cursor(), s.cursor());
    assert_eq!(again.digest(), s.digest());
}
