//! Geometry of a RocketMQ picture: producers and the name server on the left, broker groups
//! in the middle (one box per group, its master and slaves side by side), push consumers on
//! the right. Every node key ("broker-a-0", "namesrv-0", a client's name) gets a rectangle,
//! so the message layer draws RocketMQ's traffic as it draws Kafka's.
use crate::session::rocketmq_view::{RmqBrokerView, RmqConsumerView, RocketMqView};
use crate::ui::layout::{Layout, LayoutInput, Metrics, Rect};

/// Sizes of a RocketMQ broker card's parts, at scale `s` (the card draws its sections at
/// these heights, so the layout and the HTML agree).
pub struct RmqMetrics {
    pub s: f64,
}

impl RmqMetrics {
    pub fn head(&self) -> f64 {
        54.0 * self.s
    }
    /// One text line of a section.
    pub fn line(&self) -> f64 {
        19.0 * self.s
    }
    /// The CommitLog's cells picture.
    pub fn cells(&self) -> f64 {
        40.0 * self.s
    }
    pub fn cell_w(&self) -> f64 {
        46.0 * self.s
    }
    pub fn group_head(&self) -> f64 {
        30.0 * self.s
    }
    pub fn card_min_w(&self) -> f64 {
        250.0 * self.s
    }
    pub fn card_max_w(&self) -> f64 {
        460.0 * self.s
    }
    /// Lines of each section of a broker card: CommitLog label, ConsumeQueues,
    /// replication, held pulls (label + rows), offsets table (header + rows).
    pub fn sections(&self, b: &RmqBrokerView) -> [usize; 5] {
        let cq = b.consume_queues.len().div_ceil(3).max(1);
        let repl = if b.broker_id == 0 { b.slaves.len().max(1) } else { 1 };
        let held = 1 + b.held.len();
        let offsets = 1 + b.offsets.len().max(1);
        [1, cq, repl, held, offsets]
    }
    pub fn card_h(&self, b: &RmqBrokerView) -> f64 {
        let lines: usize = self.sections(b).iter().sum();
        self.head() + self.cells() + lines as f64 * self.line() + 5.0 * 4.0 * self.s + 8.0 * self.s
    }
    pub fn producer_h(&self) -> f64 {
        84.0 * self.s
    }
    pub fn namesrv_h(&self) -> f64 {
        76.0 * self.s
    }
    pub fn consumer_h(&self, c: &RmqConsumerView) -> f64 {
        (80.0 + 96.0 * c.queues.len().max(1) as f64) * self.s
    }
}

/// The presenter scale of a RocketMQ picture: as large as the widest group fits with its
/// cards wide enough for their offsets tables (330 px at scale 1), at most 1.25.
pub fn presenter_scale(width: f64, r: &RocketMqView) -> f64 {
    let m = Metrics { s: 1.0 };
    let n = r.groups.iter().map(|g| g.brokers.len()).max().unwrap_or(1).clamp(1, 3) as f64;
    let sides = left_w(&m) + m.gap() + if r.consumers.is_empty() { 0.0 } else { m.right_w() + m.gap() };
    let need = 2.0 * m.pad() + sides + n * 330.0 + (n - 1.0) * m.gap() / 2.0 + 2.0 * m.card_pad();
    (width / need).clamp(1.0, 1.25)
}

/// The left column (producers, name servers): a little wider than Kafka's, for the name
/// server's list of brokers.
fn left_w(m: &Metrics) -> f64 {
    m.left_w() * 1.1
}

pub fn compute(input: &LayoutInput, r: &RocketMqView) -> Layout {
    let (m, rm) = (Metrics { s: input.scale }, RmqMetrics { s: input.scale });
    let mut l = Layout { width: input.width.max(600.0), scale: input.scale, ..Default::default() };
    let top = m.pad() + 26.0 * m.s + crate::ui::layout::bus_h(m.s);
    l.bus = Some(top);
    let (left_x, left_w) = (m.pad(), left_w(&m));
    let has_right = !r.consumers.is_empty();
    let right_w = m.right_w();
    let right_x = l.width - m.pad() - if has_right { right_w } else { 0.0 };
    let mid_x = left_x + left_w + m.gap();
    let mid_w = (if has_right { right_x - m.gap() } else { right_x }) - mid_x;

    // Left: producers, then the name servers.
    let mut y = top;
    for p in &r.producers {
        let rect = Rect { x: left_x, y, w: left_w, h: rm.producer_h() };
        l.producers.push((p.key.clone(), rect));
        l.nodes.insert(p.key.clone(), rect);
        y += rect.h + 8.0 * m.s;
    }
    for ns in &r.name_servers {
        y += 6.0 * m.s;
        let rect = Rect { x: left_x, y, w: left_w, h: rm.namesrv_h() };
        l.name_servers.push((ns.key.clone(), rect));
        l.nodes.insert(ns.key.clone(), rect);
        y += rect.h + 8.0 * m.s;
    }
    l.columns.push(("producers", left_x, left_x + left_w));
    let left_bottom = y;

    // Middle: one box per broker group, its brokers side by side (numbered 1.. in order).
    let mut y = top;
    let mut number = 0u32;
    let inner = m.card_pad();
    for g in &r.groups {
        let n = g.brokers.len().max(1) as f64;
        let gap = m.gap() / 2.0;
        let w = ((mid_w - 2.0 * inner - gap * (n - 1.0)) / n).min(rm.card_max_w());
        let h = g.brokers.iter().map(|b| rm.card_h(b)).fold(0.0, f64::max);
        let box_w = w * n + gap * (n - 1.0) + 2.0 * inner;
        let x0 = mid_x + (mid_w - box_w) / 2.0;
        let rect = Rect { x: x0, y, w: box_w, h: rm.group_head() + h + inner };
        l.groups.push((g.name.clone(), rect));
        for (i, b) in g.brokers.iter().enumerate() {
            number += 1;
            let card = Rect { x: x0 + inner + i as f64 * (w + gap), y: y + rm.group_head(), w, h };
            l.cards.push((number, card));
            l.nodes.insert(b.key.clone(), card);
        }
        y += rect.h + m.gap() / 2.0;
    }
    l.columns.push(("brokers", mid_x, mid_x + mid_w));
    let mid_bottom = y;

    // Right: the consumers.
    let mut y = top;
    for c in &r.consumers {
        let rect = Rect { x: right_x, y, w: right_w, h: rm.consumer_h(c) };
        l.members.push((c.key.clone(), rect));
        l.nodes.insert(c.key.clone(), rect);
        y += rect.h + 8.0 * m.s;
    }
    if has_right {
        l.columns.push(("consumers", right_x, right_x + right_w));
    }
    l.height = left_bottom.max(mid_bottom).max(y) + m.pad();
    l
}
