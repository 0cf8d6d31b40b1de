//! Where a message travels between two nodes: around the cards, not over them.
//!
//! A card is text (partition names, roles, offsets, tags), and a message drawn over it hides
//! that text; so is a label riding with the message. The layout leaves a band above the
//! cards (`Layout::bus`): a route leaves its node by the top edge when nothing stands above
//! it (the first card of a column, the brokers of the first row), or else by its side into
//! the gutter between columns and up that gutter; it runs along the band on one of two
//! tracks (left to right on the lower one, right to left on the upper one, so a request and
//! its response do not share a line) and comes down into the other node the same way.
//! There is room in the band for a label beside the message; there is none in a 26-pixel
//! gutter or over a card. Where no such route exists (a card boxed in on both sides, a
//! large cluster's summary grid) the message keeps the direct curve of `Lane`.
use crate::ui::layout::{Lane, Layout, Rect};

/// A path from one node's border to another's.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// The direct curve (no band, or no way around).
    Curve(Lane),
    /// A polyline with rounded corners: out of the node, along the band, into the other.
    Bus { pts: Vec<(f64, f64)>, radius: f64 },
}

/// A piece of a route: a straight line, or a quadratic curve (a rounded corner, or the
/// whole of a direct curve).
#[derive(Clone, Copy, Debug)]
enum Piece {
    Line((f64, f64), (f64, f64)),
    Quad((f64, f64), (f64, f64), (f64, f64)),
}

/// Straight pieces a quadratic curve is measured by (the browser measures the same path
/// exactly; at this many the two agree within a tenth of a pixel).
const QUAD_STEPS: usize = 24;

impl Piece {
    /// Points along the piece, ends included.
    fn points(&self) -> Vec<(f64, f64)> {
        match *self {
            Piece::Line(a, b) => vec![a, b],
            Piece::Quad(a, c, b) => (0..=QUAD_STEPS)
                .map(|i| {
                    let t = i as f64 / QUAD_STEPS as f64;
                    let u = 1.0 - t;
                    (u * u * a.0 + 2.0 * u * t * c.0 + t * t * b.0, u * u * a.1 + 2.0 * u * t * c.1 + t * t * b.1)
                })
                .collect(),
        }
    }
}

impl Route {
    fn pieces(&self) -> Vec<Piece> {
        match self {
            Route::Curve(lane) => vec![Piece::Quad(lane.from, lane.ctrl, lane.to)],
            Route::Bus { pts, radius } => {
                let mut out = Vec::new();
                let mut from = match pts.first() {
                    Some(p) => *p,
                    None => return out,
                };
                for i in 1..pts.len() {
                    let (a, b) = (pts[i - 1], pts[i]);
                    match pts.get(i + 1) {
                        Some(&c) => {
                            let r = radius.min(dist(a, b) / 2.0).min(dist(b, c) / 2.0);
                            let (p, q) = (towards(b, a, r), towards(b, c, r));
                            out.push(Piece::Line(from, p));
                            out.push(Piece::Quad(p, b, q));
                            from = q;
                        }
                        None => out.push(Piece::Line(from, b)),
                    }
                }
                out
            }
        }
    }

    /// The route as a polyline (curves in short straight pieces).
    fn polyline(&self) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = Vec::new();
        for piece in self.pieces() {
            let more = piece.points();
            let skip = usize::from(!pts.is_empty());
            pts.extend(more.into_iter().skip(skip));
        }
        pts
    }

    /// The route's length, as the browser measures its path.
    pub fn length(&self) -> f64 {
        self.polyline().windows(2).map(|w| dist(w[0], w[1])).sum()
    }

    /// The point `p` of the way along (0 at the sender, 1 at the receiver), by length, so
    /// that it is where CSS puts an element at `offset-distance: p * length()` on `path()`
    /// (messages glide along their routes that way; see flight.rs).
    pub fn at(&self, p: f64) -> (f64, f64) {
        let pts = self.polyline();
        let total: f64 = pts.windows(2).map(|w| dist(w[0], w[1])).sum();
        let mut left = p.clamp(0.0, 1.0) * total;
        for w in pts.windows(2) {
            let d = dist(w[0], w[1]);
            if left <= d && d > 0.0 {
                let f = left / d;
                return (w[0].0 + (w[1].0 - w[0].0) * f, w[0].1 + (w[1].1 - w[0].1) * f);
            }
            left -= d;
        }
        *pts.last().unwrap_or(&(0.0, 0.0))
    }

    /// The SVG path (corners rounded).
    pub fn path(&self) -> String {
        let mut d = String::new();
        for (i, piece) in self.pieces().iter().enumerate() {
            let first = match *piece {
                Piece::Line(a, _) | Piece::Quad(a, _, _) => a,
            };
            if i == 0 {
                d += &format!("M{:.1} {:.1}", first.0, first.1);
            }
            match *piece {
                Piece::Line(_, b) => d += &format!(" L{:.1} {:.1}", b.0, b.1),
                Piece::Quad(_, c, b) => d += &format!(" Q{:.1} {:.1} {:.1} {:.1}", c.0, c.1, b.0, b.1),
            }
        }
        d
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt()
}

/// The point `r` from `from` towards `to`.
fn towards(from: (f64, f64), to: (f64, f64), r: f64) -> (f64, f64) {
    let d = dist(from, to);
    if d < 1e-9 {
        return from;
    }
    (from.0 + (to.0 - from.0) * r / d, from.1 + (to.1 - from.1) * r / d)
}

/// Whether the segment from `a` to `b` (horizontal or vertical) crosses `r`.
fn crosses(r: &Rect, a: (f64, f64), b: (f64, f64)) -> bool {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    x0 < r.x + r.w && r.x < x1.max(x0 + 0.01) && y0 < r.y + r.h && r.y < y1.max(y0 + 0.01)
}

fn contains(outer: &Rect, inner: &Rect) -> bool {
    outer.x <= inner.x + 0.01
        && outer.y <= inner.y + 0.01
        && inner.x + inner.w <= outer.x + outer.w + 0.01
        && inner.y + inner.h <= outer.y + outer.h + 0.01
        && outer != inner
}

/// Routes messages around the cards of one layout.
pub struct Router<'a> {
    lay: &'a Layout,
    cards: Vec<Rect>,
}

impl<'a> Router<'a> {
    pub fn new(lay: &'a Layout) -> Router<'a> {
        Router { lay, cards: lay.obstacles() }
    }

    /// The route from node `a` to node `b` (by key), if both are drawn.
    pub fn route(&self, a: &str, b: &str) -> Option<Route> {
        let (ra, rb) = (self.lay.nodes.get(a)?, self.lay.nodes.get(b)?);
        Some(self.between(ra, rb).unwrap_or_else(|| Route::Curve(Lane::between(ra, rb))))
    }

    fn between(&self, ra: &Rect, rb: &Rect) -> Option<Route> {
        let bus = self.lay.bus?;
        let s = self.lay.scale;
        if ra == rb {
            return self.self_loop(ra, bus);
        }
        let out = self.exit(ra, rb.center().0, bus)?;
        let back = self.exit(rb, ra.center().0, bus)?;
        // Two side exits into one gutter (neighbours in a lower row): across the gutter.
        if out.len() == 3 && back.len() == 3 && (out[1].0 - back[1].0).abs() < 1.0 {
            return Some(Route::Bus { pts: vec![out[0], out[1], (out[1].0, back[1].1), back[0]], radius: 8.0 * s });
        }
        // Left to right on the lower track, right to left on the upper one.
        let (xa, xb) = (out.last()?.0, back.last()?.0);
        let track = if xb >= xa { bus - 11.0 * s } else { bus - 29.0 * s };
        let mut pts = out;
        let mut rest = back;
        rest.reverse();
        if let Some(p) = pts.last_mut() {
            p.1 = track;
        }
        if let Some(p) = rest.first_mut() {
            p.1 = track;
        }
        pts.extend(rest);
        pts.dedup_by(|a, b| dist(*a, *b) < 0.01);
        Some(Route::Bus { pts, radius: 8.0 * s })
    }

    /// A message a node sends itself (a controller to its own broker): a loop over its top.
    fn self_loop(&self, n: &Rect, bus: f64) -> Option<Route> {
        let s = self.lay.scale;
        let (cx, track) = (n.center().0, bus - 11.0 * s);
        let (a, b) = (cx - 0.15 * n.w, cx + 0.15 * n.w);
        let blocked = self.cards.iter().filter(|c| *c != n).any(|c| crosses(c, (a, n.y), (b, bus - 0.5)));
        let pts = vec![(a, n.y), (a, track), (b, track), (b, n.y)];
        (!blocked).then_some(Route::Bus { pts, radius: 8.0 * s })
    }

    /// The way out of node `n` towards x = `toward`, up to the band: by its top edge if
    /// nothing stands above it, else by its side and up the gutter beyond it.
    fn exit(&self, n: &Rect, toward: f64, bus: f64) -> Option<Vec<(f64, f64)>> {
        let others: Vec<&Rect> = self.cards.iter().filter(|c| *c != n).collect();
        let cx = n.center().0;
        // The port faces the other node, so a node's links to different peers part.
        let port = cx + ((toward - cx) * 0.25).clamp(-0.38 * n.w, 0.38 * n.w);
        let up = [(port, n.y), (port, bus)];
        if !others.iter().any(|c| crosses(c, up[0], (up[1].0, up[1].1 - 0.5))) {
            return Some(up.to_vec());
        }
        let preferred = if toward < cx { -1.0 } else { 1.0 };
        [preferred, -preferred].into_iter().find_map(|dir| self.side_exit(n, &others, dir, bus))
    }

    /// Out of `n` by its side `dir` (-1 left, 1 right), to the middle of the gutter beyond
    /// the boxes that hold it, and up to the band, if no card is in the way.
    fn side_exit(&self, n: &Rect, others: &[&Rect], dir: f64, bus: f64) -> Option<Vec<(f64, f64)>> {
        let cy = n.center().1;
        let holders: Vec<&&Rect> = others.iter().filter(|c| contains(c, n)).collect();
        let edge = |r: &Rect| if dir < 0.0 { r.x } else { r.x + r.w };
        let outer =
            holders
                .iter()
                .map(|c| edge(c))
                .chain([edge(n)])
                .fold(edge(n), |a, b| if dir < 0.0 { a.min(b) } else { a.max(b) });
        // The nearest card beyond, beside the way up.
        let beyond = others
            .iter()
            .filter(|c| !contains(c, n) && c.y < cy && c.y + c.h > bus)
            .filter(|c| if dir < 0.0 { c.x + c.w <= outer + 0.5 } else { c.x >= outer - 0.5 })
            .map(|c| if dir < 0.0 { c.x + c.w } else { c.x })
            .fold(if dir < 0.0 { 0.0 } else { self.lay.width }, |a, b| if dir < 0.0 { a.max(b) } else { a.min(b) });
        let gutter = (outer + beyond) / 2.0;
        if (gutter - outer).abs() < 2.0 {
            return None;
        }
        let pts = vec![(edge(n), cy), (gutter, cy), (gutter, bus)];
        let blocked = others.iter().any(|c| {
            let holder = contains(c, n);
            (!holder && crosses(c, pts[0], pts[1])) || crosses(c, pts[1], (pts[2].0, pts[2].1 - 0.5))
        });
        (!blocked).then_some(pts)
    }
}
