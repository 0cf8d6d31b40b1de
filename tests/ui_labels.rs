//! Messages route around the cards, and their labels go where they hide no card (issue 14):
//! the routing and the label placement are pure geometry, tested here natively
//! (`cargo test --features web --test ui_labels`); tests/e2e/app.test.mjs checks the drawn
//! result in Chromium for every lesson.
#![cfg(feature = "web")]

use std::rc::Rc;

use highwater::ui::format;
use highwater::ui::labels::{Placer, Prefer};
use highwater::ui::layout::{self, Layout, LayoutInput, Rect};
use highwater::ui::routes::{Route, Router};
use highwater::ui::state::{Action, AppState};
use yew::Reducible;

fn layout_of(state: &AppState, width: f64, scale: f64) -> Layout {
    layout::compute(&LayoutInput {
        view: &state.view,
        width,
        scale,
        large: state.large,
        expanded: &[],
        show_internal: false,
        page: &Default::default(),
    })
}

fn inside(r: &Rect, p: (f64, f64)) -> bool {
    p.0 > r.x + 0.5 && p.0 < r.x + r.w - 0.5 && p.1 > r.y + 0.5 && p.1 < r.y + r.h - 0.5
}

/// Every message of these lessons, at these steps, travels around the cards: no point of
/// its route is inside a card other than its two ends (and the boxes holding them).
#[test]
fn routes_go_around_the_cards() {
    for (id, steps) in [
        ("acks1-leader-failure", [0, 120, 300, 600]),
        ("unclean-leader-election", [0, 400, 1200, 1700]),
        ("rebalance-cooperative-sticky", [0, 400, 1900, 2900]),
        ("pipeline-exactly-once", [0, 500, 1000, 1900]),
        ("transaction-aborted-read", [0, 76, 380, 750]),
        ("rmq-master-returns-keeps-progress", [0, 65, 327, 650]),
    ] {
        let mut state = Rc::new(AppState::default()).reduce(Action::OpenBuiltin(id.into()));
        let (mut routed, mut total) = (0, 0);
        for step in steps {
            state = state.reduce(Action::ComputeMore).reduce(Action::Seek(step));
            for width in [1232.0, 1552.0] {
                let scale = layout::presenter_scale(width, &state.view);
                let lay = layout_of(&state, width, scale);
                let router = Router::new(&lay);
                let cards = lay.obstacles();
                for msg in &state.view.in_flight {
                    let (Some(a), Some(b)) = (lay.nodes.get(&msg.src), lay.nodes.get(&msg.dst)) else { continue };
                    let route = router.route(&msg.src, &msg.dst).expect("both ends are drawn");
                    total += 1;
                    let Route::Bus { .. } = route else { continue };
                    routed += 1;
                    let holds = |c: &Rect, n: &Rect| {
                        c.x <= n.x && c.y <= n.y && c.x + c.w >= n.x + n.w && c.y + c.h >= n.y + n.h
                    };
                    for c in cards.iter().filter(|c| !holds(c, a) && !holds(c, b)) {
                        for i in 0..=200 {
                            let p = route.at(i as f64 / 200.0);
                            assert!(
                                !inside(c, p),
                                "{id} step {step} at {width}px: {} → {} crosses {c:?} at {p:?}",
                                msg.src,
                                msg.dst
                            );
                        }
                    }
                    // It starts on the sender's border and ends on the receiver's.
                    let on_border = |r: &Rect, p: (f64, f64)| {
                        let within =
                            p.0 >= r.x - 0.5 && p.0 <= r.x + r.w + 0.5 && p.1 >= r.y - 0.5 && p.1 <= r.y + r.h + 0.5;
                        within && !inside(r, p)
                    };
                    assert!(
                        on_border(a, route.at(0.0)) && on_border(b, route.at(1.0)),
                        "{id}: {} → {} ends on its nodes",
                        msg.src,
                        msg.dst
                    );
                }
            }
        }
        // Nearly every message goes around (a card boxed in on both sides would not).
        assert!(total > 0 && routed * 10 >= total * 9, "{id}: {routed} of {total} messages routed around the cards");
    }
}

/// The band over the cards is the room the routes need: each of the two tracks runs
/// above the top of every card.
#[test]
fn the_band_is_above_every_card() {
    let state = Rc::new(AppState::default())
        .reduce(Action::OpenBuiltin("acks1-leader-failure".into()))
        .reduce(Action::Seek(100));
    for (width, scale) in [(1232.0, 1.0), (1232.0, 1.1), (1552.0, 1.3)] {
        let lay = layout_of(&state, width, scale);
        let bus = lay.bus.expect("a band");
        for c in lay.obstacles() {
            assert!(c.y >= bus - 0.01, "{c:?} under the band at {bus}");
        }
        // Two tracks of 16 px labels fit between the column titles' row and the cards.
        assert!(bus - 14.0 * scale - 29.0 * scale - 8.0 * scale >= 0.0);
    }
}

/// Placed labels cover neither the cards nor each other; a label too long for the room
/// takes a shorter form; with no room at all it is not placed.
#[test]
fn labels_take_free_space_shorter_forms_or_none() {
    let cards = [Rect { x: 0.0, y: 40.0, w: 200.0, h: 200.0 }, Rect { x: 226.0, y: 40.0, w: 200.0, h: 200.0 }];
    let bounds = Rect { x: 0.0, y: 0.0, w: 426.0, h: 240.0 };
    let mut placer = Placer::new(&cards, bounds);
    let mut placed = Vec::new();
    for i in 0..12 {
        let at = (40.0 + i as f64 * 30.0, 29.0);
        if let Some(p) = placer.place(at, &[90.0, 40.0, 14.0], 16.0, 7.0, Prefer::Centre, None) {
            placed.push(p.rect);
        }
    }
    assert!(placed.len() >= 6, "the band holds several labels: {placed:?}");
    for (i, a) in placed.iter().enumerate() {
        let apart = |b: &Rect| a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        assert!(cards.iter().all(apart), "{a:?} covers a card");
        assert!(placed[i + 1..].iter().all(apart), "{a:?} covers another label");
        assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= 426.0, "{a:?} inside the picture");
    }
    // In the 26 px gutter between the cards, mid-height: only the shortest form fits.
    let mut placer = Placer::new(&cards, bounds);
    let p = placer.place((213.0, 140.0), &[90.0, 40.0, 14.0], 16.0, 1.0, Prefer::Centre, None).expect("a short form");
    assert_eq!(p.form, 2);
    // Nothing fits in a 10 px gutter.
    let narrow = [Rect { x: 0.0, y: 0.0, w: 200.0, h: 240.0 }, Rect { x: 210.0, y: 0.0, w: 200.0, h: 240.0 }];
    let mut placer = Placer::new(&narrow, Rect { x: 0.0, y: 0.0, w: 410.0, h: 240.0 });
    assert_eq!(placer.place((205.0, 120.0), &[90.0, 14.0], 16.0, 1.0, Prefer::Centre, None), None);
}

/// Every shorter form of a kind is shorter than the one before, and keeps the response mark.
#[test]
fn shorter_forms_of_kinds() {
    assert_eq!(format::abbrev_kinds("BrokerHeartbeatResponse"), vec!["BHB ↩".to_string(), "BH ↩".to_string()]);
    assert_eq!(format::abbrev_kinds("WriteTxnMarkers"), vec!["Markers".to_string(), "WTM".to_string()]);
    assert_eq!(format::abbrev_kinds("Fetch"), vec!["F".to_string()]);
    for kind in
        ["Produce", "FetchResponse", "LeaderAndIsr", "JoinGroupResponse", "UpdateConsumerOffset", "SomethingNew"]
    {
        let mut last = format::short_kind(kind).chars().count();
        for form in format::abbrev_kinds(kind) {
            assert!(form.chars().count() < last, "{kind}: {form}");
            assert_eq!(form.ends_with('↩'), kind.ends_with("Response"), "{kind}: {form}");
            last = form.chars().count();
        }
    }
}
