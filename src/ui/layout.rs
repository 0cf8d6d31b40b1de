//! Geometry of the cluster picture: where every card, strip and client goes, computed from
//! the view and the width available. Pure functions of plain data, so the HTML cards, the
//! SVG wires under them and the SVG messages over them agree to the pixel.
//!
//! Layout: producers on the left, brokers in a grid in the middle, consumer groups and
//! readers on the right. A large cluster (see `AppState::large`) gets small summary cards;
//! the brokers a user expands are drawn full size below the grid.
use std::collections::BTreeMap;

use crate::view::ClusterView;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    /// The point where the ray from the centre towards `(tx, ty)` leaves the rectangle.
    pub fn border_towards(&self, tx: f64, ty: f64) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (dx, dy) = (tx - cx, ty - cy);
        if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
            return (cx, cy);
        }
        let sx = if dx.abs() > 1e-9 { (self.w / 2.0) / dx.abs() } else { f64::INFINITY };
        let sy = if dy.abs() > 1e-9 { (self.h / 2.0) / dy.abs() } else { f64::INFINITY };
        let s = sx.min(sy);
        (cx + dx * s, cy + dy * s)
    }
}

/// Sizes in CSS pixels at scale 1 (presenter mode scales them).
pub struct Metrics {
    pub s: f64,
}

impl Metrics {
    pub fn pad(&self) -> f64 {
        14.0 * self.s
    }
    pub fn gap(&self) -> f64 {
        26.0 * self.s
    }
    pub fn left_w(&self) -> f64 {
        164.0 * self.s
    }
    pub fn right_w(&self) -> f64 {
        206.0 * self.s
    }
    pub fn card_min_w(&self) -> f64 {
        205.0 * self.s
    }
    pub fn card_max_w(&self) -> f64 {
        470.0 * self.s
    }
    pub fn header_h(&self) -> f64 {
        50.0 * self.s
    }
    /// One replica strip: a label line and the cells picture.
    pub fn strip_h(&self) -> f64 {
        self.label_h() + self.strip_svg_h()
    }
    pub fn label_h(&self) -> f64 {
        24.0 * self.s
    }
    pub fn strip_svg_h(&self) -> f64 {
        80.0 * self.s
    }
    /// The collapsed line for internal topics.
    pub fn internal_h(&self) -> f64 {
        30.0 * self.s
    }
    pub fn card_pad(&self) -> f64 {
        10.0 * self.s
    }
    pub fn small_w(&self) -> f64 {
        158.0 * self.s
    }
    pub fn small_h(&self) -> f64 {
        96.0 * self.s
    }
    pub fn producer_h(&self) -> f64 {
        120.0 * self.s
    }
    pub fn group_header_h(&self) -> f64 {
        62.0 * self.s
    }
    pub fn member_h(&self) -> f64 {
        78.0 * self.s
    }
    pub fn reader_h(&self) -> f64 {
        76.0 * self.s
    }
    /// Strips per page of an expanded broker in a large cluster.
    pub const PAGE: usize = 12;
}

/// Where one replica strip is, for the markers and assignment lines drawn over it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StripGeom {
    /// The cells picture's box, in picture coordinates.
    pub svg: Rect,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Every node by key ("b1", or a client name): where messages start and end.
    pub nodes: BTreeMap<String, Rect>,
    /// Full broker cards (all of them, or the expanded ones of a large cluster).
    pub cards: Vec<(u32, Rect)>,
    /// Summary cards of a large cluster.
    pub small: Vec<(u32, Rect)>,
    pub producers: Vec<(String, Rect)>,
    pub groups: Vec<(String, Rect)>,
    /// Consumer member cards by consumer name.
    pub members: Vec<(String, Rect)>,
    pub readers: Vec<(String, Rect)>,
    /// A RocketMQ picture's name servers by key.
    pub name_servers: Vec<(String, Rect)>,
    /// (broker, topic, partition) -> strip, for full cards.
    pub strips: BTreeMap<(u32, String, u32), StripGeom>,
    /// Header height of each full broker card (taller when its badges need two rows).
    pub headers: BTreeMap<u32, f64>,
    /// Top of the column titles.
    pub columns: Vec<(&'static str, f64, f64)>,
    /// The scale the layout was computed at.
    pub scale: f64,
    /// The top of the cards, when a band above them carries the messages (see
    /// `routes`): the band's two tracks are 11 and 29 px (scaled) above it.
    pub bus: Option<f64>,
}

impl Layout {
    /// Every card and box that holds text: what messages route around and labels avoid.
    pub fn obstacles(&self) -> Vec<Rect> {
        let lists = [&self.producers, &self.groups, &self.members, &self.readers, &self.name_servers];
        self.cards
            .iter()
            .chain(&self.small)
            .map(|c| c.1)
            .chain(lists.into_iter().flat_map(|l| l.iter().map(|c| c.1)))
            .collect()
    }
}

/// Height of the band above the cards that carries messages, beyond the column titles'
/// row (two label tracks need 36 px; the titles' row gives 20 of them).
pub fn bus_h(s: f64) -> f64 {
    16.0 * s
}

pub struct LayoutInput<'a> {
    pub view: &'a ClusterView,
    pub width: f64,
    pub scale: f64,
    pub large: bool,
    pub expanded: &'a [u32],
    pub show_internal: bool,
    /// Page shown per expanded broker (large clusters).
    pub page: &'a BTreeMap<u32, usize>,
}

/// How many strips a full card draws, and how many of them are internal.
pub fn card_rows(
    replicas: &[crate::view::ReplicaView],
    show_internal: bool,
    large: bool,
    page: usize,
) -> (Vec<usize>, usize) {
    let data: Vec<usize> = replicas.iter().enumerate().filter(|(_, r)| !r.internal).map(|(i, _)| i).collect();
    let internal: Vec<usize> = replicas.iter().enumerate().filter(|(_, r)| r.internal).map(|(i, _)| i).collect();
    let mut rows: Vec<usize> =
        if large { data.into_iter().skip(page * Metrics::PAGE).take(Metrics::PAGE).collect() } else { data };
    if show_internal && !large {
        rows.extend(internal.iter().copied());
    }
    (rows, internal.len())
}

/// Whether the scenario has transactional producers (its picture shows transactions).
pub fn has_transactions(v: &ClusterView) -> bool {
    v.producers.iter().any(|p| p.transactional_id.is_some())
        || v.consumers.iter().any(|c| c.producer.as_ref().is_some_and(|p| p.transactional_id.is_some()))
}

/// Whether the strips mark unflushed records (a run about durability).
pub fn has_flush(v: &ClusterView) -> bool {
    v.brokers.iter().any(|b| b.replicas.iter().any(|r| r.show_flush))
}

/// Whether client cards show their `isolation.level` (it matters once there are
/// transactions, or when it is not the default).
pub fn shows_isolation(v: &ClusterView, isolation: &str) -> bool {
    isolation == "read_committed" || has_transactions(v)
}

/// Height of a producer card: compact when there are many, taller when transactional.
pub fn producer_h(m: &Metrics, v: &ClusterView, p: &crate::view::ProducerView) -> f64 {
    if v.producers.len() > 5 {
        62.0 * m.s
    } else if p.transactional_id.is_some() {
        m.producer_h() + 76.0 * m.s
    } else {
        // A line more than the counts take on a wide card: on a narrow one (presenter mode)
        // "✓ 330 acked ✗ 0 failed" wraps and "… 6 pending" still shows.
        m.producer_h() + 18.0 * m.s
    }
}

/// Height of a consumer's card: lines for its isolation level, a pipeline's output and a
/// transactional pipeline's state.
pub fn member_h(m: &Metrics, v: &ClusterView, c: &crate::view::ConsumerView) -> f64 {
    let iso = if shows_isolation(v, &c.isolation) { 22.0 } else { 0.0 };
    let pipe = if c.output_topic.is_some() { 22.0 } else { 0.0 };
    let txn = if c.producer.as_ref().is_some_and(|p| p.transactional_id.is_some()) { 62.0 } else { 0.0 };
    m.member_h() + (iso + pipe + txn) * m.s
}

/// Height of a broker card's header: the title row, then its badges (a countdown ring, ♛ controller,
/// ⚑ group coordinator, ⚖ transaction coordinator, ◔ slow) in as many rows as they need
/// in `width` (estimated from their text).
pub fn header_h(m: &Metrics, b: &crate::view::BrokerView, width: f64) -> f64 {
    let mut texts: Vec<usize> = Vec::new();
    if !b.timers.is_empty() {
        texts.push(6);
    }
    if b.is_controller {
        texts.push(12);
    }
    texts.extend(b.coordinator_for.iter().map(|g| 14 + g.chars().count()));
    texts.extend(b.txn_coordinator_for.iter().map(|id| 6 + id.chars().count()));
    if b.slow_ms > 0 {
        texts.push(16);
    }
    let avail = width - 16.0 * m.s;
    let (mut rows, mut used) = (0usize, f64::INFINITY);
    for n in texts {
        let w = (n as f64 * 7.6 + 22.0) * m.s;
        if used + w > avail {
            rows += 1;
            used = w;
        } else {
            used += w;
        }
    }
    m.header_h() + rows.saturating_sub(1) as f64 * 21.0 * m.s
}

/// The scale of presenter mode: 1.3 where the picture fits, less where it would wrap the
/// brokers into a second row (a 1280-pixel projector with three brokers, producers and
/// consumers: about 1.1), never below the normal 1.
pub fn presenter_scale(width: f64, v: &ClusterView) -> f64 {
    if let Some(r) = &v.rocketmq {
        return crate::ui::layout_rmq::presenter_scale(width, r);
    }
    let m = Metrics { s: 1.0 };
    let n = v.brokers.len().clamp(1, 3) as f64;
    let sides = if v.producers.is_empty() { 0.0 } else { m.left_w() * 1.2 + m.gap() }
        + if v.consumers.is_empty() && v.readers.is_empty() { 0.0 } else { m.right_w() * 1.12 + m.gap() };
    let need = 2.0 * m.pad() + sides + n * m.card_min_w() + (n - 1.0) * m.gap();
    (width / need).clamp(1.0, 1.3)
}

/// The columns of the picture: x and width of the left (producers), middle (brokers) and
/// right (consumers, readers) columns, and the top of the cards.
struct Columns {
    left_x: f64,
    left_w: f64,
    mid_x: f64,
    mid_w: f64,
    right_x: f64,
    right_w: f64,
    top: f64,
}

pub fn compute(input: &LayoutInput) -> Layout {
    if let Some(r) = &input.view.rocketmq {
        return crate::ui::layout_rmq::compute(input, r);
    }
    let m = Metrics { s: input.scale };
    let v = input.view;
    let mut l = Layout { width: input.width.max(600.0), scale: input.scale, ..Default::default() };
    let has_left = !v.producers.is_empty();
    let has_right = !v.consumers.is_empty() || !v.readers.is_empty();
    let left_x = m.pad();
    // Transactional producers have longer lines (states, calls): a wider column.
    let left_w = if v.producers.iter().any(|p| p.transactional_id.is_some()) { m.left_w() * 1.2 } else { m.left_w() };
    // ... and consumers' isolation levels and pipelines.
    let right_w = if has_transactions(v) { m.right_w() * 1.12 } else { m.right_w() };
    let mid_x = if has_left { left_x + left_w + m.gap() } else { m.pad() };
    let right_x = l.width - m.pad() - if has_right { right_w } else { 0.0 };
    let mid_w = (if has_right { right_x - m.gap() } else { right_x }) - mid_x;
    // A large cluster's hundreds of messages go straight (on a canvas): no band.
    let top = m.pad() + 26.0 * m.s + if input.large { 0.0 } else { bus_h(m.s) };
    l.bus = (!input.large).then_some(top);
    let cols = Columns { left_x, left_w, mid_x, mid_w, right_x, right_w, top };

    // Brokers.
    let bottom = if input.large {
        place_small_brokers(&mut l, &m, input, &cols)
    } else {
        place_brokers(&mut l, &m, input, &cols)
    };
    l.columns.push(("brokers", mid_x, mid_x + mid_w));

    // Producers.
    let mut left_bottom = top;
    if has_left {
        left_bottom = place_producers(&mut l, &m, v, &cols);
    }

    // Consumer groups (by configured group) and readers.
    let mut right_bottom = top;
    if has_right {
        right_bottom = place_consumers(&mut l, &m, v, &cols);
    }

    l.height = bottom.max(left_bottom).max(right_bottom) + m.pad();
    l
}

/// A large cluster: a grid of summary cards, then the expanded brokers full size below
/// it. Returns the bottom.
fn place_small_brokers(l: &mut Layout, m: &Metrics, input: &LayoutInput, cols: &Columns) -> f64 {
    let v = input.view;
    let Columns { mid_x, mid_w, top, .. } = *cols;
    let mut bottom = top;
    let cols = ((mid_w + 10.0 * m.s) / (m.small_w() + 10.0 * m.s)).floor().max(1.0) as usize;
    let w = (mid_w - 10.0 * m.s * (cols as f64 - 1.0)) / cols as f64;
    for (i, b) in v.brokers.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let rect = Rect {
            x: mid_x + c as f64 * (w + 10.0 * m.s),
            y: top + r as f64 * (m.small_h() + 10.0 * m.s),
            w,
            h: m.small_h(),
        };
        l.small.push((b.id, rect));
        l.nodes.insert(format!("b{}", b.id), rect);
        bottom = bottom.max(rect.y + rect.h);
    }
    let mut y = bottom + m.gap();
    for id in input.expanded {
        let Some(b) = v.brokers.iter().find(|b| b.id == *id) else { continue };
        let page = input.page.get(id).copied().unwrap_or(0);
        let (rows, _) = card_rows(&b.replicas, false, true, page);
        let w = mid_w.min(m.card_max_w() * 2.0);
        let head = header_h(m, b, w);
        let h = head + rows.len().max(1) as f64 * m.strip_h() + m.internal_h() + m.card_pad();
        let rect = Rect { x: mid_x, y, w, h };
        l.headers.insert(b.id, head);
        place_strips(l, m, b, &rows, rect, head);
        l.cards.push((b.id, rect));
        y += h + m.gap() / 2.0;
        bottom = y;
    }
    bottom
}

/// A grid of full broker cards, centred in the middle column. Returns the bottom.
fn place_brokers(l: &mut Layout, m: &Metrics, input: &LayoutInput, cols: &Columns) -> f64 {
    let v = input.view;
    let Columns { mid_x, mid_w, top, .. } = *cols;
    let n = v.brokers.len().max(1);
    let max_cols = ((mid_w + m.gap()) / (m.card_min_w() + m.gap())).floor().max(1.0) as usize;
    let rows = n.div_ceil(max_cols.min(n));
    let cols = n.div_ceil(rows);
    let w = ((mid_w - m.gap() * (cols as f64 - 1.0)) / cols as f64).min(m.card_max_w());
    // Centre the grid in the middle column.
    let grid_w = w * cols as f64 + m.gap() * (cols as f64 - 1.0);
    let x0 = mid_x + (mid_w - grid_w) / 2.0;
    let mut y = top;
    for r in 0..rows {
        let row: Vec<&crate::view::BrokerView> = v.brokers.iter().skip(r * cols).take(cols).collect();
        // One header height per row, so the strips of a row line up.
        let head = row.iter().map(|b| header_h(m, b, w)).fold(m.header_h(), f64::max);
        let h = row
            .iter()
            .map(|b| {
                let (rows, internal) = card_rows(&b.replicas, input.show_internal, false, 0);
                let internal_line = if internal > 0 { m.internal_h() } else { 0.0 };
                head + rows.len() as f64 * m.strip_h() + internal_line + m.card_pad()
            })
            .fold(head + m.card_pad(), f64::max);
        for (c, b) in row.iter().enumerate() {
            let rect = Rect { x: x0 + c as f64 * (w + m.gap()), y, w, h };
            let (rows, _) = card_rows(&b.replicas, input.show_internal, false, 0);
            l.headers.insert(b.id, head);
            place_strips(l, m, b, &rows, rect, head);
            l.cards.push((b.id, rect));
            l.nodes.insert(format!("b{}", b.id), rect);
        }
        y += h + m.gap();
    }
    y - m.gap()
}

/// Producer cards, one under the other in the left column. Returns the bottom.
fn place_producers(l: &mut Layout, m: &Metrics, v: &ClusterView, cols: &Columns) -> f64 {
    let Columns { left_x, left_w, top, .. } = *cols;
    let mut y = top;
    // Many producers: compact cards (name, acks and counts on two lines).
    for p in &v.producers {
        let h = producer_h(m, v, p);
        let rect = Rect { x: left_x, y, w: left_w, h };
        l.producers.push((p.name.clone(), rect));
        l.nodes.insert(p.name.clone(), rect);
        y += h + 8.0 * m.s;
    }
    l.columns.push(("producers", left_x, left_x + left_w));
    y
}

/// Consumer groups with their members, then readers, in the right column. Returns the bottom.
fn place_consumers(l: &mut Layout, m: &Metrics, v: &ClusterView, cols: &Columns) -> f64 {
    let Columns { right_x, right_w, top, .. } = *cols;
    let mut y = top;
    let mut groups: Vec<&str> = Vec::new();
    for c in &v.consumers {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    for g in groups {
        let members: Vec<&crate::view::ConsumerView> = v.consumers.iter().filter(|c| c.group == g).collect();
        let h = m.group_header_h() + members.iter().map(|c| member_h(m, v, c) + 8.0 * m.s).sum::<f64>() + 4.0 * m.s;
        let rect = Rect { x: right_x, y, w: right_w, h };
        l.groups.push((g.to_string(), rect));
        let mut my = y + m.group_header_h();
        for c in members {
            let mh = member_h(m, v, c);
            let mr = Rect { x: right_x + 8.0 * m.s, y: my, w: right_w - 16.0 * m.s, h: mh };
            l.members.push((c.name.clone(), mr));
            l.nodes.insert(c.name.clone(), mr);
            my += mh + 8.0 * m.s;
        }
        y += h + 14.0 * m.s;
    }
    for r in &v.readers {
        let h = m.reader_h() + if shows_isolation(v, &r.isolation) { 22.0 * m.s } else { 0.0 };
        let rect = Rect { x: right_x, y, w: right_w, h };
        l.readers.push((r.name.clone(), rect));
        l.nodes.insert(r.name.clone(), rect);
        y += h + 12.0 * m.s;
    }
    l.columns.push(("consumers", right_x, right_x + right_w));
    y
}

fn place_strips(l: &mut Layout, m: &Metrics, b: &crate::view::BrokerView, rows: &[usize], card: Rect, head: f64) {
    for (i, idx) in rows.iter().enumerate() {
        let r = &b.replicas[*idx];
        let y = card.y + head + i as f64 * m.strip_h() + m.label_h();
        let svg = Rect { x: card.x + m.card_pad(), y, w: card.w - 2.0 * m.card_pad(), h: m.strip_svg_h() };
        l.strips.insert((b.id, r.topic.clone(), r.partition), StripGeom { svg });
    }
}

/// The curve a message between two nodes follows: a quadratic Bézier from border to
/// border, bowed to one side, so the two directions of a link use separate lanes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lane {
    pub from: (f64, f64),
    pub ctrl: (f64, f64),
    pub to: (f64, f64),
}

impl Lane {
    pub fn between(a: &Rect, b: &Rect) -> Lane {
        let (ac, bc) = (a.center(), b.center());
        let from = a.border_towards(bc.0, bc.1);
        let to = b.border_towards(ac.0, ac.1);
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        // Perpendicular (to the right of the direction of travel).
        let (px, py) = (-dy / len, dx / len);
        let bow = (len * 0.12).clamp(10.0, 60.0);
        let mid = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
        Lane { from, ctrl: (mid.0 + px * bow, mid.1 + py * bow), to }
    }

    pub fn at(&self, p: f64) -> (f64, f64) {
        let p = p.clamp(0.0, 1.0);
        let q = 1.0 - p;
        (
            q * q * self.from.0 + 2.0 * q * p * self.ctrl.0 + p * p * self.to.0,
            q * q * self.from.1 + 2.0 * q * p * self.ctrl.1 + p * p * self.to.1,
        )
    }

    pub fn path(&self) -> String {
        format!(
            "M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}",
            self.from.0, self.from.1, self.ctrl.0, self.ctrl.1, self.to.0, self.to.1
        )
    }
}

/// How far along its lane a message is at `now` (0 at send, 1 at delivery).
pub fn progress(sent: u64, deliver: u64, now: u64) -> f64 {
    if deliver <= sent {
        return 1.0;
    }
    ((now.saturating_sub(sent)) as f64 / (deliver - sent) as f64).clamp(0.0, 1.0)
}
