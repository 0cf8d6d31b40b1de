//! Where a message's label goes: near the message, on free space, never over a card.
//!
//! A label drawn over a card hides the card's text (a partition, the leader badge, the HW
//! tag). Each label is tried in its forms, longest first ("BrokerHeartbeat ↩", then "BHB ↩",
//! ...), at the places around its message, nearest first; it takes the first place that
//! neither a card nor a label placed before it occupies. A label with no place is not drawn
//! (the message keeps its shape and its tooltip). Labels are placed in order of
//! importance: the message that just arrived, drops, the selected message, the rest.
use crate::ui::layout::Rect;

/// Where a label would rather be, relative to its anchor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prefer {
    /// On the anchor (a pill that is the message itself), else around it.
    Centre,
    /// Above the anchor (an arrival's label over its ring).
    Above,
    /// Right of the anchor (a drop's reason beside its ✕).
    Right,
}

/// Free space for labels: the picture minus the cards and the labels placed so far.
pub struct Placer {
    taken: Vec<Rect>,
    /// The messages' own shapes, by id: a label covers none but its own.
    glyphs: Vec<(u64, Rect)>,
    bounds: Rect,
}

/// A label's place: which of its forms fits, its box, and whether the box holds the anchor
/// (if not, a line joins them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub form: usize,
    pub rect: Rect,
    pub on_anchor: bool,
}

/// Room kept between a label and a card, and between two labels.
const MARGIN: f64 = 1.5;

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

impl Placer {
    /// `obstacles`: the cards (and anything else labels must not cover); `bounds`: the picture.
    pub fn new(obstacles: &[Rect], bounds: Rect) -> Placer {
        let taken = obstacles
            .iter()
            .map(|r| Rect { x: r.x - MARGIN, y: r.y - MARGIN, w: r.w + 2.0 * MARGIN, h: r.h + 2.0 * MARGIN })
            .collect();
        Placer { taken, glyphs: Vec::new(), bounds }
    }

    /// The shapes of the messages (id, box), which labels leave visible.
    pub fn with_glyphs(mut self, glyphs: Vec<(u64, Rect)>) -> Placer {
        self.glyphs = glyphs;
        self
    }

    fn free(&self, r: &Rect, own: Option<u64>) -> bool {
        let b = &self.bounds;
        r.x >= b.x
            && r.y >= b.y
            && r.x + r.w <= b.x + b.w
            && r.y + r.h <= b.y + b.h
            && !self.taken.iter().any(|t| overlaps(t, r))
            && !self.glyphs.iter().any(|(id, g)| Some(*id) != own && overlaps(g, r))
    }

    /// Places a label of one of `widths` (its forms, longest first), `h` high, near
    /// `anchor`; `gap` is the room to leave around the anchor's own shape; `own` is the
    /// message the label names (it may cover that message's shape). None: no form fits
    /// anywhere near.
    pub fn place(
        &mut self,
        anchor: (f64, f64),
        widths: &[f64],
        h: f64,
        gap: f64,
        prefer: Prefer,
        own: Option<u64>,
    ) -> Option<Placed> {
        for (form, &w) in widths.iter().enumerate() {
            for (cx, cy) in candidates(anchor, w, h, gap, prefer) {
                let rect = Rect { x: cx - w / 2.0, y: cy - h / 2.0, w, h };
                if self.free(&rect, own) {
                    self.taken.push(Rect {
                        x: rect.x - MARGIN / 2.0,
                        y: rect.y - MARGIN / 2.0,
                        w: w + MARGIN,
                        h: h + MARGIN,
                    });
                    let on_anchor =
                        anchor.0 >= rect.x && anchor.0 <= rect.x + w && anchor.1 >= rect.y && anchor.1 <= rect.y + h;
                    return Some(Placed { form, rect, on_anchor });
                }
            }
        }
        None
    }
}

/// Centres to try for a label `w` x `h` near `anchor`, the preferred side first, then the
/// others, then stacked one label further out (above and below, to the sides).
fn candidates(anchor: (f64, f64), w: f64, h: f64, gap: f64, prefer: Prefer) -> Vec<(f64, f64)> {
    let (x, y) = anchor;
    let (dx, dy) = (w / 2.0 + gap, h / 2.0 + gap);
    let (row, col) = (h + 2.0 * MARGIN, w + 2.0 * MARGIN);
    let mut out = Vec::with_capacity(24);
    match prefer {
        Prefer::Centre => out.push((x, y)),
        Prefer::Above => out.push((x, y - dy)),
        Prefer::Right => out.push((x + dx, y)),
    }
    out.extend([(x, y - dy), (x, y + dy), (x + dx, y), (x - dx, y)]);
    // Beside, a little up or down (a label on a track, its neighbour's place taken).
    out.extend([(x + dx, y - dy), (x - dx, y - dy), (x + dx, y + dy), (x - dx, y + dy)]);
    // One label further out.
    out.extend([(x, y - dy - row), (x, y + dy + row), (x + dx + col, y), (x - dx - col, y)]);
    out.extend([(x + w / 2.0, y - dy), (x - w / 2.0, y - dy), (x + w / 2.0, y + dy), (x - w / 2.0, y + dy)]);
    out.dedup();
    out
}
