//! The UI's pure logic (reducer, share links, layout, strings, export), tested natively by
//! `cargo test --features web --test ui_reducer` and in headless Chromium, where tests/web.rs
//! includes this file as a module (so the wasm32 build is checked too).
#![cfg(feature = "web")]

use std::rc::Rc;

use highwater::session::Command;
use highwater::ui::i18n::{Lang, K};
use highwater::ui::layout::{self, LayoutInput, Rect};
use highwater::ui::scenarios::BUILTINS;
use highwater::ui::state::{Action, AppState, Screen, Selection};
use highwater::ui::url::{base64url_decode, base64url_encode, is_new_history_entry, ScenarioRef, UrlState};
use yew::Reducible;

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reducer_survives_bad_input_and_keeps_the_simulation() {
    let state = Rc::new(AppState::load("garbage", "this is not json {"));
    assert!(!state.has_session());
    assert!(state.error.as_deref().unwrap().contains("garbage"), "the error names the file");
    let state = state.reduce(Action::StepForward).reduce(Action::StepBack).reduce(Action::TogglePlay);
    assert!(!state.playing);

    let state = Rc::new(AppState::builtin()).reduce(Action::StepBack);
    assert_eq!(state.view.step, 0, "Back at step 0 stays at 0");
    let state = state.reduce(Action::Seek(40));
    assert_eq!(state.view.step, 40);
    let before = state.fragment();
    // A bad file, a bad link, a bad command and a bad setting change nothing.
    let state = state.reduce(Action::Import { name: "bad.json".into(), text: "{\"id\": 1}".into() });
    assert!(state.error.as_deref().unwrap().contains("bad.json"));
    let state = state.reduce(Action::LoadFragment("s=acks1-leader-failure&step=zz".into()));
    assert!(state.error.as_deref().unwrap().contains("\"zz\""));
    let state = state.reduce(Action::Act(Command::Crash(9)));
    assert!(state.error.as_deref().unwrap().contains("no broker 9"));
    let state = state.reduce(Action::ApplySetting {
        scope: highwater::ui::state::SettingScope::Broker,
        key: "min.insync.replicas".into(),
        value: "zero".into(),
    });
    assert!(state.error.as_deref().unwrap().contains("min.insync.replicas"));
    assert_eq!(state.fragment(), before, "same scenario, step and actions");
    assert_eq!(state.view.step, 40);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn acting_in_the_past_branches_and_the_link_replays_it() {
    let state = Rc::new(AppState::builtin()).reduce(Action::ComputeMore).reduce(Action::Seek(30));
    assert!(state.finished);
    let state = state.reduce(Action::Act(Command::Crash(1)));
    assert_eq!(state.view.step, 31);
    assert!(state.notice.as_deref().unwrap().contains("30"), "branched at step 30");
    assert_eq!(state.horizon, 31, "the old future is gone until it is computed again");
    let fragment = state.fragment().unwrap();
    assert!(fragment.contains("do=30:crash.1"), "{fragment}");
    let other = Rc::new(AppState::default()).reduce(Action::LoadFragment(fragment.clone()));
    assert_eq!(other.screen, Screen::Lab);
    assert_eq!(other.view, state.view, "the link gives the same view");
    // Selecting a message shows its payload while it is on the wire.
    let id = other.view.in_flight.first().map(|m| m.id);
    if let Some(id) = id {
        let sel = other.reduce(Action::Select(Some(Selection::Message(id))));
        assert!(sel.inspected.as_ref().is_some_and(|m| !m.summary.is_empty()));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn adding_a_consumer_keeps_the_past() {
    let state = Rc::new(AppState::default())
        .reduce(Action::OpenBuiltin("more-consumers-than-partitions".into()))
        .reduce(Action::Seek(400));
    let before = state.view.clone();
    let state = state.reduce(Action::AddConsumer { group: "billing".into() });
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.view.step, 400);
    assert_eq!(state.view.consumers.len(), before.consumers.len() + 1);
    assert_eq!(state.view.brokers, before.brokers, "nothing before this step changed");
    assert!(state.builtin.is_none(), "the link now carries the changed scenario");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn url_fragments_round_trip_and_errors_say_where() {
    let s = UrlState {
        scenario: ScenarioRef::Inline("{\"id\":\"x ~&#\"}".into()),
        seed: Some(7),
        step: 99,
        actions: vec![
            (5, Command::Crash(2)),
            (9, Command::Cut("b1".into(), "my client".into())),
            (11, Command::BeginTransaction("bank".into())),
            (12, Command::CommitTransaction("my bank".into())),
            (13, Command::AbortTransaction("bank".into())),
            (14, Command::ProducerCrash("bank".into())),
            (15, Command::ProducerRestart("bank".into())),
        ],
    };
    assert_eq!(UrlState::parse(&s.to_fragment()), Ok(Some(s.clone())));
    assert_eq!(UrlState::parse(""), Ok(None));
    assert!(UrlState::parse("s=x&do=5-crash.1").unwrap_err().contains("STEP:ACTION"));
    assert!(UrlState::parse("s=custom&json=***").unwrap_err().contains("character 1"));
    assert!(UrlState::parse("step=3").unwrap_err().contains("no scenario"));
    for text in ["", "a", "ab", "abc", "héllo wörld ✂"] {
        assert_eq!(base64url_decode(&base64url_encode(text.as_bytes())).unwrap(), text.as_bytes());
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_string_has_both_languages_and_builtins_load() {
    for k in K::ALL {
        assert!(!k.en().is_empty() && !k.zh().is_empty(), "{k:?}");
    }
    assert_ne!(highwater::ui::i18n::t(Lang::Zh, K::Play), highwater::ui::i18n::t(Lang::En, K::Play));
    for b in BUILTINS {
        highwater::scenario::Scenario::from_json(b.json).unwrap_or_else(|e| panic!("{}: {e}", b.id));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn layout_cards_never_overlap() {
    for (id, width) in [
        ("acks1-leader-failure", 1024.0),
        ("more-consumers-than-partitions", 1280.0),
        ("cluster-9-brokers", 1500.0),
        ("transaction-aborted-read", 1024.0),
        ("zombie-producer-fenced", 1024.0),
        ("pipeline-exactly-once", 1024.0),
        ("pipeline-zombie-fenced", 1280.0),
    ] {
        let state = Rc::new(AppState::default()).reduce(Action::OpenBuiltin(id.into())).reduce(Action::Seek(300));
        for scale in [1.0, 1.3] {
            let lay = layout::compute(&LayoutInput {
                view: &state.view,
                width,
                scale,
                large: state.large,
                expanded: &[],
                show_internal: false,
                page: &Default::default(),
            });
            // Members sit inside their group's box: check they fit in it.
            for (name, m) in &lay.members {
                let c = state.view.consumers.iter().find(|c| &c.name == name).unwrap();
                let g = lay.groups.iter().find(|g| g.0 == c.group).unwrap().1;
                assert!(
                    m.y >= g.y && m.y + m.h <= g.y + g.h + 0.5 && m.x >= g.x && m.x + m.w <= g.x + g.w + 0.5,
                    "{id}: {name} inside its group"
                );
            }
            let mut rects: Vec<Rect> = lay.cards.iter().map(|c| c.1).collect();
            rects.extend(lay.producers.iter().map(|c| c.1));
            rects.extend(lay.groups.iter().map(|c| c.1));
            rects.extend(lay.readers.iter().map(|c| c.1));
            for (i, a) in rects.iter().enumerate() {
                assert!(a.x >= 0.0 && a.x + a.w <= width + 0.5, "{id}: inside the width");
                for b in &rects[i + 1..] {
                    let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                    assert!(apart, "{id} at {width}px x{scale}: {a:?} overlaps {b:?}");
                }
            }
        }
    }
}

/// Presenter mode on a 1280-pixel projector keeps the three brokers in one row (at 1.3 they
/// wrapped into two and the picture scrolled), and is full size where there is room.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn presenter_mode_keeps_the_brokers_in_one_row() {
    let state = Rc::new(AppState::default())
        .reduce(Action::OpenBuiltin("acks1-leader-failure".into()))
        .reduce(Action::Seek(300));
    let row_count = |width: f64, scale: f64| {
        let lay = layout::compute(&LayoutInput {
            view: &state.view,
            width,
            scale,
            large: false,
            expanded: &[],
            show_internal: false,
            page: &Default::default(),
        });
        let mut tops: Vec<i64> = lay.cards.iter().map(|c| c.1.y.round() as i64).collect();
        tops.dedup();
        tops.len()
    };
    assert_eq!(row_count(1240.0, 1.3), 2, "the old fixed scale wrapped");
    let s = layout::presenter_scale(1240.0, &state.view);
    assert!(s > 1.0 && s < 1.3, "{s}");
    assert_eq!(row_count(1240.0, s), 1);
    assert_eq!(layout::presenter_scale(1900.0, &state.view), 1.3);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn transaction_commands_from_the_menu_survive_the_link() {
    use highwater::ui::state::SettingScope;
    let state = Rc::new(AppState::default())
        .reduce(Action::OpenBuiltin("transaction-read-committed".into()))
        .reduce(Action::ComputeMore);
    assert!(state.finished);
    // After the lesson's last COMMIT marker, with time left in the run.
    let after = state.markers.iter().filter(|m| m.kind == "txn-commit").map(|m| m.step).max().unwrap() + 20;
    let mut state = state.reduce(Action::Seek(after));
    assert_eq!(state.view.producers[0].txn_state.as_deref(), Some("READY"));
    for c in [
        Command::BeginTransaction("bank".into()),
        Command::Produce { producer: "bank".into(), topic: "payments".into(), key: None, count: 2, partition: None },
        Command::CommitTransaction("bank".into()),
        Command::AbortTransaction("bank".into()),
        Command::ProducerCrash("bank".into()),
        Command::ProducerRestart("bank".into()),
    ] {
        state = state.reduce(Action::Act(c.clone()));
        assert!(state.error.is_none(), "{c:?}: {:?}", state.error);
        let next = state.view.step + 60;
        state = state.reduce(Action::ComputeMore).reduce(Action::Seek(next));
    }
    let fragment = state.fragment().unwrap();
    for token in ["begin.bank", "commit.bank", "abort.bank", "pcrash.bank", "prestart.bank"] {
        assert!(fragment.contains(token), "{token} in {fragment}");
    }
    let other = Rc::new(AppState::default()).reduce(Action::LoadFragment(fragment));
    assert!(other.error.is_none(), "{:?}", other.error);
    assert_eq!(other.view, state.view, "the link gives the same view");
    // Transaction commands need a transactional producer; refused ones change nothing.
    let plain = Rc::new(AppState::builtin()).reduce(Action::Seek(20));
    let refused = plain.clone().reduce(Action::Act(Command::BeginTransaction("producer".into())));
    assert!(refused.error.as_deref().unwrap().contains("no transactional.id"));
    assert_eq!(refused.fragment(), plain.fragment());
    // Settings of pipelines and readers: "none" removes a transactional.id.
    let eos = Rc::new(AppState::default())
        .reduce(Action::OpenBuiltin("pipeline-exactly-once".into()))
        .reduce(Action::Seek(10));
    assert!(eos.view.consumers[0].producer.as_ref().unwrap().transactional_id.is_some());
    let alo = eos.reduce(Action::ApplySetting {
        scope: SettingScope::Pipeline("billing".into()),
        key: "transactional.id".into(),
        value: "none".into(),
    });
    assert!(alo.error.is_none(), "{:?}", alo.error);
    assert_eq!(alo.view.step, 10);
    assert!(alo.view.consumers[0].producer.as_ref().unwrap().transactional_id.is_none(), "at-least-once now");
    let rc = Rc::new(AppState::default()).reduce(Action::OpenBuiltin("transaction-aborted-read".into())).reduce(
        Action::ApplySetting {
            scope: SettingScope::Reader("auditor".into()),
            key: "isolation.level".into(),
            value: "read_committed".into(),
        },
    );
    assert!(rc.error.is_none(), "{:?}", rc.error);
    assert_eq!(rc.view.readers[0].isolation, "read_committed");
    let rc = rc.reduce(Action::ComputeMore);
    let none = rc.session.as_ref().unwrap().with(|s| s.final_anomalies().map(|a| a.is_empty())).flatten();
    assert_eq!(none, Some(true), "read_committed skips the aborted records");
    let bad = rc.reduce(Action::ApplySetting {
        scope: SettingScope::Producer("bank".into()),
        key: "transaction.timeout.ms".into(),
        value: "0".into(),
    });
    assert!(bad.error.as_deref().unwrap().contains("transaction.timeout.ms"), "{:?}", bad.error);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn exported_scenarios_load_back_the_same() {
    for b in BUILTINS {
        let s = highwater::scenario::Scenario::from_json(b.json).unwrap();
        let text = highwater::ui::state::export_json(&s);
        if s.rocketmq.is_none() {
            assert!(text.starts_with("{\n  \"id\": "), "{}: sections in the usual order", b.id);
        }
        assert_eq!(highwater::scenario::Scenario::from_json(&text).unwrap(), s, "{}", b.id);
    }
}

/// Playing in simulated time: each tick moves the clock by the factor x 1/60 s, and the
/// cursor is at the last step not after it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn playing_in_simulated_time_follows_the_clock() {
    use highwater::ui::state::{SIM_SPEEDS, SPEEDS};
    let ten = SPEEDS.len() + SIM_SPEEDS.iter().position(|f| *f == 10.0).unwrap();
    let mut state = Rc::new(AppState::builtin()).reduce(Action::ComputeMore).reduce(Action::SetSpeed(ten));
    state = state.reduce(Action::TogglePlay);
    assert!(state.playing);
    for _ in 0..60 {
        state = state.reduce(Action::Tick);
    }
    let clock = 60.0 * 1000.0 / 60.0 * 10.0;
    assert!((state.sim_clock - clock).abs() < 1e-6, "{}", state.sim_clock);
    assert!(state.view.time_ms as f64 <= clock, "not past the clock: {}", state.view.time_ms);
    let next = state.session.as_ref().unwrap().with(|s| s.step_time(s.cursor() + 1)).flatten().unwrap();
    assert!(next as f64 > clock, "every step up to the clock was taken: next at {next}");
    assert!(state.view.step > 100, "ten simulated seconds of the lesson: {}", state.view.step);
}

/// A link to a step past the end opens at the last step and says so.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_link_past_the_end_opens_at_the_last_step() {
    let state = Rc::new(AppState::default()).reduce(Action::LoadFragment("s=acks1-leader-failure&step=999999".into()));
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.screen, Screen::Lab);
    let last = state.view.step;
    assert!(last > 500 && last < 999_999, "{last}");
    let notice = state.notice.as_deref().unwrap();
    assert!(notice.contains("999999") && notice.contains(&last.to_string()), "{notice}");
}

/// Home and End go to the first and the last computed step; `?` brings the help back.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn home_end_and_the_help_key() {
    use highwater::ui::keyboard::action_for_key;
    let state = Rc::new(AppState::builtin()).reduce(Action::ComputeMore).reduce(Action::Seek(40));
    let end = state.clone().reduce(action_for_key("End", false).unwrap());
    assert_eq!(end.view.step, state.horizon, "End: the last computed step");
    let home = end.reduce(action_for_key("Home", false).unwrap());
    assert_eq!(home.view.step, 0);
    let closed = home.reduce(Action::DismissHelp);
    assert!(closed.help_dismissed);
    let again = closed.reduce(action_for_key("?", false).unwrap());
    assert!(!again.help_dismissed, "? shows the help again");
}

/// Export writes the run as it is (scenario, hand-made actions, step) and Import restores it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn export_then_import_restores_the_actions_and_the_step() {
    let state = Rc::new(AppState::builtin()).reduce(Action::Seek(30)).reduce(Action::Act(Command::Crash(2)));
    let state = state.reduce(Action::Seek(120));
    let save = |s: &AppState| {
        s.session.as_ref().unwrap().with(|x| highwater::ui::state::export_json(&x.scenario_to_save())).unwrap()
    };
    let text = save(&state);
    assert!(text.contains("\"replay\"") && text.contains("\"30:crash.2\""), "{text}");
    let back = Rc::new(AppState::default()).reduce(Action::Import { name: "run.json".into(), text: text.clone() });
    assert!(back.error.is_none(), "{:?}", back.error);
    assert_eq!(back.view, state.view, "same step, same picture: the crash is there");
    let actions = |s: &AppState| s.session.as_ref().unwrap().with(|x| x.actions().to_vec()).unwrap();
    assert_eq!(actions(&back), actions(&state));
    assert_eq!(save(&back), text, "saving the imported run gives the same file");
    // A bad replay item is refused with its place, and the run in front stays.
    let bad = text.replace("30:crash.2", "30:crush.2");
    let kept = back.reduce(Action::Import { name: "bad.json".into(), text: bad });
    assert!(kept.error.as_deref().unwrap().contains("replay.actions[0]"), "{:?}", kept.error);
    assert_eq!(kept.view, state.view);
}

/// A run the livelock bound stops is shown as stopped (where, and with no verdict), in
/// both languages.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_stopped_run_is_shown_as_stopped() {
    let b = BUILTINS.iter().find(|b| b.id == "acks1-leader-failure").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(b.json).unwrap();
    // No latency and a Fetch the leader may not hold: the reader fetches at one instant forever.
    v["network"] = serde_json::json!({"latency_ms": 0, "jitter_ms": 0});
    v["readers"][0]["config"] = serde_json::json!({"fetch.max.wait.ms": 0});
    let mut state = Rc::new(AppState::load("loop.json", &v.to_string()));
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.stopped, None);
    while !state.finished {
        state = state.reduce(Action::ComputeMore);
    }
    let stopped = state.stopped.expect("stopped by the livelock bound");
    assert_eq!(stopped.step, state.horizon);
    let state = state.reduce(Action::Seek(stopped.step));
    assert!(state.at_end);
    for l in [Lang::En, Lang::Zh] {
        let text = highwater::ui::i18n::tf(l, K::StoppedLivelock, &[&stopped.step, &stopped.time_ms, &"100,000"]);
        assert!(text.contains(&stopped.step.to_string()) && text.contains("100,000"), "{text}");
    }
    let fine = Rc::new(AppState::builtin()).reduce(Action::ComputeMore);
    assert!(fine.finished && fine.stopped.is_none());
}

/// Computing ahead stops at the page's memory budget: the run is cut at a step the UI does
/// not go past (stepping, playing and seeking stop there), and a branch made before the cut
/// computes again (and is cut again while the budget is exceeded).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_run_past_the_memory_budget_is_cut() {
    let b = BUILTINS.iter().find(|b| b.id == "acks1-leader-failure").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(b.json).unwrap();
    // A run longer than one chunk (it loops at one instant until the livelock bound).
    v["network"] = serde_json::json!({"latency_ms": 0, "jitter_ms": 0});
    v["readers"][0]["config"] = serde_json::json!({"fetch.max.wait.ms": 0});
    let mut state = AppState::load("long.json", &v.to_string());
    assert_eq!(state.cut, None);
    state.memory_budget = 0; // natively the heap reads 0: a budget of 0 is reached at once
    let state = Rc::new(state).reduce(Action::ComputeMore);
    let cut = state.cut.expect("cut at the budget");
    let spacing = state.thinned.expect("checkpoints thinned before the cut");
    assert!(spacing > 1024, "thinning doubles the spacing: {spacing}");
    assert!(!state.finished && cut.step == state.horizon && cut.step > 0);
    assert!(!state.can_step_forward() || state.view.step < cut.step);
    let again = state.clone().reduce(Action::ComputeMore);
    assert_eq!(again.horizon, cut.step, "nothing more is computed");
    let state = state.reduce(Action::Seek(cut.step + 500));
    assert_eq!(state.view.step, cut.step, "a seek stops at the cut");
    assert!(state.at_cut() && !state.can_step_forward());
    let state = state.reduce(Action::StepForward);
    assert_eq!((state.view.step, state.horizon), (cut.step, cut.step), "a step stops at the cut");
    for l in [Lang::En, Lang::Zh] {
        let text = highwater::ui::i18n::tf(l, K::CutMemory, &[&cut.step, &0, &0]);
        assert!(text.contains(&cut.step.to_string()), "{text}");
    }
    // Acting earlier branches: the future is computed again, then cut again.
    let state = state.reduce(Action::Seek(10)).reduce(Action::Act(Command::Crash(2)));
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.cut, None, "the branch computes again");
    let state = state.reduce(Action::ComputeMore);
    assert!(state.cut.is_some());
}

/// The RocketMQ flagship in the UI's state: a RocketMQ view and layout (every node of its
/// traffic has a place, brokers numbered as commands number them), its actions, a refused
/// Kafka action that changes nothing, and the share link and export that replay it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_rocketmq_lesson_opens_acts_and_shares_in_the_same_shell() {
    let id = "rmq-master-returns-keeps-progress";
    let state = Rc::new(AppState::default()).reduce(Action::OpenBuiltin(id.into())).reduce(Action::ComputeMore);
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.screen, Screen::Lab);
    let state = state.reduce(Action::Seek(200));
    let r = state.view.rocketmq.clone().expect("a RocketMQ view");
    for width in [1232.0, 1552.0] {
        for scale in [1.0, layout::presenter_scale(width, &state.view)] {
            let lay = layout::compute(&LayoutInput {
                view: &state.view,
                width,
                scale,
                large: false,
                expanded: &[],
                show_internal: false,
                page: &Default::default(),
            });
            let keys: Vec<String> = r
                .groups
                .iter()
                .flat_map(|g| g.brokers.iter().map(|b| b.key.clone()))
                .chain(r.name_servers.iter().map(|n| n.key.clone()))
                .chain(r.producers.iter().map(|p| p.key.clone()))
                .chain(r.consumers.iter().map(|c| c.key.clone()))
                .collect();
            for k in &keys {
                let rect = lay.nodes.get(k).unwrap_or_else(|| panic!("{k} has a place"));
                assert!(rect.x >= 0.0 && rect.x + rect.w <= width + 0.5, "{k} inside the width at {width}px");
            }
            assert_eq!(lay.cards.iter().map(|c| c.0).collect::<Vec<_>>(), vec![1, 2]);
            let rects: Vec<Rect> = lay.nodes.values().copied().collect();
            for (i, a) in rects.iter().enumerate() {
                for b in &rects[i + 1..] {
                    let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                    assert!(apart, "{width}px x{scale}: {a:?} overlaps {b:?}");
                }
            }
        }
    }
    assert!(layout::presenter_scale(1232.0, &state.view) > 1.0);
    // A Kafka action is refused by name; nothing changes.
    let before = state.fragment();
    let bad = state.clone().reduce(Action::Act(Command::SetAcks { producer: "producer".into(), acks: "all".into() }));
    assert!(bad.error.as_deref().unwrap().contains("Kafka action"), "{:?}", bad.error);
    assert_eq!(bad.fragment(), before);
    // Crash the slave (broker 2), then send: both are kept in the link, which replays them.
    let state = state.reduce(Action::Act(Command::Crash(2))).reduce(Action::Act(Command::Send {
        producer: "producer".into(),
        topic: "TopicTest".into(),
        count: 2,
        mode: "oneway".into(),
    }));
    assert!(state.error.is_none(), "{:?}", state.error);
    assert_eq!(state.view.rocketmq.as_ref().unwrap().groups[0].brokers[1].status, "crashed");
    let fragment = state.fragment().unwrap();
    assert!(fragment.contains(&format!("s={id}")) && fragment.contains("crash.2"), "{fragment}");
    let again = Rc::new(AppState::default()).reduce(Action::LoadFragment(fragment));
    assert_eq!(again.view, state.view, "the link gives the same view");
    // Exported and imported back: the same run.
    let text = state.session.as_ref().unwrap().with(|s| highwater::ui::state::export_json(s.scenario())).unwrap();
    let imported = Rc::new(AppState::default()).reduce(Action::Import { name: "x.json".into(), text });
    assert!(imported.view.rocketmq.is_some(), "{:?}", imported.error);
}

/// The browser's Back undoes what changes the run (another lesson, seed, setting or action)
/// and not a move of the cursor.
#[test]
fn history_entries_are_made_by_what_changes_the_run() {
    let lesson = "s=acks1-leader-failure&step=30";
    assert!(!is_new_history_entry(lesson, "s=acks1-leader-failure&step=31"), "stepping");
    assert!(is_new_history_entry(lesson, "s=acks1-leader-failure&step=31&do=30:crash.2"), "an action");
    assert!(is_new_history_entry("#s=acks1-leader-failure&step=31&do=30:crash.2", lesson), "removing it");
    assert!(is_new_history_entry(lesson, "s=acks0-leader-failure&step=0"), "another lesson");
    assert!(is_new_history_entry("", lesson), "opening a lesson from the start screen");
    assert!(is_new_history_entry(lesson, "s=acks1-leader-failure&seed=7&step=30"), "another seed");
}
