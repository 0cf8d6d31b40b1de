//! One replica's log as a strip of offset cells (SVG). Cells differ by colour *and*
//! pattern: committed = solid, not yet committed = diagonal stripes, truncated = cross-hatch
//! in a lane of their own under the strip. Transactions: a record of a transaction still
//! open has a dotted outline, one of an aborted transaction is grey, hatched and struck
//! through, and the markers (control records) are solid cells with ✓ (COMMIT) or ✗ (ABORT)
//! instead of their offset. HW and LEO are vertical lines with tags (HW's tag ends at its
//! line, LEO's starts at its line, so they never overlap); on a leader whose LSO is below
//! the HW, a dotted LSO line and tag too (left of HW's tag, or under it when there is no
//! room). The leader epoch of each run of records is a band under the cells. Consumers'
//! positions (▼) and groups' committed offsets (◆) are marked above the cells of the
//! leader's strip.
use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};
use crate::view::{CellView, ReplicaView, TruncationView};

/// Something to mark above a strip.
#[derive(Clone, Debug, PartialEq)]
pub struct StripMark {
    pub offset: u64,
    /// "position" (a consumer), "committed" (a group), "reader"
    pub kind: &'static str,
    pub label: String,
}

/// The first offset drawn, so the strip ends just after the window's last offset.
pub fn visible_start(r: &ReplicaView, slots: u64) -> u64 {
    (r.window_end + 1).saturating_sub(slots).max(r.window_start.min(r.window_end))
}

/// Where things go on one strip: cell width, first offset drawn and the rows.
struct Geom {
    s: f64,
    width: f64,
    cw: f64,
    start: u64,
    top: f64,
    ch: f64,
    band_y: f64,
    tag_y: f64,
    ghost_y: f64,
}

impl Geom {
    fn new(r: &ReplicaView, width: f64, s: f64) -> Geom {
        // Short logs get wider cells (easier to read from the back of a room); every replica
        // of a partition has the same window end, so their cells stay aligned.
        let cw = ((width - 6.0 * s) / (r.window_end + 2) as f64).clamp(24.0 * s, 36.0 * s);
        let slots = ((width - 6.0 * s) / cw).floor().max(2.0) as u64;
        let top = 14.0 * s;
        let ch = 24.0 * s;
        let band_y = top + ch + 2.0 * s;
        let tag_y = band_y + 7.0 * s;
        Geom { s, width, cw, start: visible_start(r, slots), top, ch, band_y, tag_y, ghost_y: tag_y + 17.0 * s }
    }

    fn x_of(&self, offset: u64) -> f64 {
        3.0 * self.s + (offset.saturating_sub(self.start)) as f64 * self.cw
    }

    /// `x_of`, pinned to the strip's left edge for offsets scrolled out of view.
    fn x_clamped(&self, offset: u64) -> f64 {
        if offset < self.start {
            3.0 * self.s
        } else {
            self.x_of(offset)
        }
    }

    /// Width of a tag holding `text`.
    fn tag_w(&self, text: &str) -> f64 {
        (text.chars().count() as f64 * 6.6 + 8.0) * self.s
    }
}

pub fn strip_svg(r: &ReplicaView, width: f64, height: f64, s: f64, marks: &[StripMark], lang: Lang) -> Html {
    let g = Geom::new(r, width, s);
    let (leo, hw, lso) = (r.log_end_offset, r.high_watermark, r.last_stable_offset);
    let cells = r.cells.iter().filter(|c| c.offset >= g.start).map(|c| cell_html(&g, r, c, lang));
    let aria =
        if lso < hw && r.is_leader { format!("LEO {leo}, HW {hw}, LSO {lso}") } else { format!("LEO {leo}, HW {hw}") };
    html! {
        <svg class="hw-strip-svg" width={fmt(width)} height={fmt(height)} role="img" aria-label={aria}>
            if leo == 0 && r.truncated.is_none() {
                <text class="hw-empty-log" x={fmt(3.0 * s)} y={fmt(g.top + g.ch / 2.0 + 4.0 * s)}>{ t(lang, K::EmptyLog) }</text>
            }
            // The next free slot (where LEO points).
            <rect class="hw-cell next" x={fmt(g.x_of(leo.max(g.start)) + 1.0)} y={fmt(g.top)} width={fmt(g.cw - 2.0)} height={fmt(g.ch)} rx="3" />
            { for cells }
            { for epoch_bands(&g, r, lang) }
            { for r.truncated.as_ref().map(|tr| ghosts_html(&g, tr, lang)) }
            { hw_leo_html(&g, hw, leo, lang) }
            { for (r.is_leader && lso < hw).then(|| lso_html(&g, lso, hw, leo, lang)) }
            { for marks.iter().enumerate().map(|(i, m)| mark_html(&g, i, m, lang)) }
        </svg>
    }
}

/// The tooltip of one cell: offset, what it holds, epoch, key, producer, state.
fn cell_title(c: &CellView, committed: bool, lang: Lang) -> String {
    let what = match (&c.record, &c.internal, c.control) {
        (_, _, Some("commit")) => t(lang, K::CommitMarker).to_string(),
        (_, _, Some(_)) => t(lang, K::AbortMarker).to_string(),
        (Some(id), _, _) => format!("{} #{id}", t(lang, K::Record)),
        (None, Some(text), _) => text.clone(),
        _ => String::new(),
    };
    let key = c.key.as_ref().map(|k| format!(" · {} {k}", t(lang, K::Key))).unwrap_or_default();
    let producer = c.producer.as_ref().map(|p| format!(" · {p}")).unwrap_or_default();
    let state = if committed { t(lang, K::Committed) } else { t(lang, K::NotCommitted) };
    let txn = match c.txn {
        Some("open") => format!(" · {}", t(lang, K::TxnOpen)),
        Some("aborted") => format!(" · {}", t(lang, K::TxnAborted)),
        Some(_) => format!(" · {}", t(lang, K::TxnCommitted)),
        None => String::new(),
    };
    format!(
        "{} {} · {} · {} {}{key}{producer} · {state}{txn}",
        t(lang, K::Offset),
        c.offset,
        what,
        t(lang, K::Epoch),
        c.epoch
    )
}

fn cell_html(g: &Geom, r: &ReplicaView, c: &CellView, lang: Lang) -> Html {
    let (s, cw, top, ch) = (g.s, g.cw, g.top, g.ch);
    let committed = c.offset < r.high_watermark;
    // What the cell shows: a marker's glyph, else its offset.
    let (class, glyph, on_dark) = match (c.control, c.txn) {
        (Some("commit"), _) => ("hw-cell marker-commit", Some("✓"), true),
        (Some(_), _) => ("hw-cell marker-abort", Some("✗"), true),
        (None, Some("aborted")) => ("hw-cell aborted", None, false),
        _ if committed => ("hw-cell committed", None, true),
        _ => ("hw-cell uncommitted", None, false),
    };
    let open = c.txn == Some("open");
    let unflushed = r.show_flush && c.offset >= r.flushed_offset;
    let x = g.x_of(c.offset);
    let (tx, ty) = (x + cw / 2.0, top + ch / 2.0 + 4.0 * s);
    let data_txn = c.txn.or(c.control.map(|m| if m == "commit" { "marker-commit" } else { "marker-abort" }));
    html! {
        <g key={c.offset} data-txn={data_txn}>
            <rect class={classes!(class, open.then_some("txn-open"))} x={fmt(x + 1.0)} y={fmt(top)} width={fmt(cw - 2.0)} height={fmt(ch)} rx="3" />
            if open {
                // A second, inner dotted outline: visible on green and on amber cells.
                <rect class="hw-txn-open-inner" x={fmt(x + 3.5 * s)} y={fmt(top + 2.5 * s)} width={fmt(cw - 7.0 * s)} height={fmt(ch - 5.0 * s)} rx="2" />
            }
            if let Some(glyph) = glyph {
                <text class="hw-cell-text on-dark hw-marker-glyph" x={fmt(tx)} y={fmt(ty + s)} text-anchor="middle">{ glyph }</text>
            } else if cw >= 16.0 {
                <text class={classes!("hw-cell-text", on_dark.then_some("on-dark"))} x={fmt(tx)} y={fmt(ty)} text-anchor="middle">{ c.offset }</text>
            }
            if unflushed {
                // A bar along the bottom: only in the page cache, gone if the host loses power.
                <rect class="hw-unflushed-bar" x={fmt(x + 3.0 * s)} y={fmt(top + ch - 6.0 * s)} width={fmt(cw - 6.0 * s)} height={fmt(4.5 * s)} rx="1.5" />
            }
            if c.txn == Some("aborted") {
                <line class="hw-strike" x1={fmt(x + 3.0)} x2={fmt(x + cw - 3.0)} y1={fmt(top + ch / 2.0)} y2={fmt(top + ch / 2.0)} />
            }
            <title>{ cell_title(c, committed, lang) }{ if unflushed { format!(" · {}", t(lang, K::PageCacheOnly)) } else { String::new() } }</title>
        </g>
    }
}

/// Leader-epoch runs under the cells, one band per run.
fn epoch_bands(g: &Geom, r: &ReplicaView, lang: Lang) -> Vec<Html> {
    let epoch_of = |offset: u64| -> u32 {
        r.epoch_runs.iter().rev().find(|(_, start)| *start <= offset).map(|(e, _)| *e).unwrap_or(0)
    };
    let leo = r.log_end_offset;
    let mut bands = Vec::new();
    let mut o = g.start.max(r.window_start);
    while o < leo {
        let e = epoch_of(o);
        let mut end = o;
        while end < leo && epoch_of(end) == e {
            end += 1;
        }
        let (x0, x1) = (g.x_of(o) + 1.0, g.x_of(end) - 1.0);
        bands.push(html! {
            <g>
                <rect class={format!("hw-epoch-band e{}", e % 6)} x={fmt(x0)} y={fmt(g.band_y)} width={fmt((x1 - x0).max(1.0))} height={fmt(4.0 * g.s)} />
                <title>{ format!("{} {e}: {} {o}–{}", t(lang, K::EpochLong), t(lang, K::Offset), end - 1) }</title>
            </g>
        });
        o = end;
    }
    bands
}

fn marker_line(g: &Geom, offset: u64, class: &'static str) -> Html {
    let x = g.x_clamped(offset);
    html! { <line class={class} x1={fmt(x)} x2={fmt(x)} y1={fmt(g.top - 4.0 * g.s)} y2={fmt(g.band_y + 5.0 * g.s)} /> }
}

fn marker_tag(g: &Geom, offset: u64, text: String, class: &'static str, right_aligned: bool, title: &str) -> Html {
    let x = g.x_clamped(offset);
    let w = g.tag_w(&text);
    let x0 = if right_aligned { (x - w).max(0.0) } else { x.min(g.width - w) };
    html! {
        <g class={class}>
            <rect x={fmt(x0)} y={fmt(g.tag_y)} width={fmt(w)} height={fmt(15.0 * g.s)} rx="3" />
            <text x={fmt(x0 + w / 2.0)} y={fmt(g.tag_y + 11.0 * g.s)} text-anchor="middle">{ text }</text>
            <title>{ title.to_string() }</title>
        </g>
    }
}

/// HW and LEO lines and tags (HW's tag ends at its line, LEO's starts at its line).
fn hw_leo_html(g: &Geom, hw: u64, leo: u64, lang: Lang) -> Html {
    if hw == leo {
        let title = format!("{} / {}", t(lang, K::HwLong), t(lang, K::LeoLong));
        html! {
            <>
                { marker_line(g, leo, "hw-leo-line") }
                { marker_tag(g, leo, format!("HW=LEO {leo}"), "hw-tag hw-tag-leo", false, &title) }
            </>
        }
    } else {
        html! {
            <>
                { marker_line(g, hw, "hw-hw-line") }
                { marker_line(g, leo, "hw-leo-line") }
                { marker_tag(g, hw, format!("HW {hw}"), "hw-tag hw-tag-hw", true, t(lang, K::HwLong)) }
                { marker_tag(g, leo, format!("LEO {leo}"), "hw-tag hw-tag-leo", false, t(lang, K::LeoLong)) }
            </>
        }
    }
}

/// The LSO, on a leader whose open transactions hold it below the HW: its tag ends at its
/// line, left of HW's tag (under it when there is no room there).
fn lso_html(g: &Geom, lso: u64, hw: u64, leo: u64, lang: Lang) -> Html {
    let s = g.s;
    let text = format!("LSO {lso}");
    let w = g.tag_w(&text);
    let x = g.x_clamped(lso);
    // HW's tag: right-aligned at HW's line, unless HW=LEO (then it starts there).
    let hw_x = g.x_clamped(hw);
    let hw_left = if hw == leo { hw_x } else { hw_x - g.tag_w(&format!("HW {hw}")) };
    let right = x.min(hw_left - 2.0 * s);
    let (x0, y) = if right - w >= 0.0 { (right - w, g.tag_y) } else { ((x - w).max(0.0), g.ghost_y) };
    html! {
        <g class="hw-tag hw-tag-lso" data-testid="lso">
            <line class="hw-lso-line" x1={fmt(x)} x2={fmt(x)} y1={fmt(g.top - 4.0 * s)} y2={fmt(y + 2.0 * s)} />
            <rect x={fmt(x0)} y={fmt(y)} width={fmt(w)} height={fmt(15.0 * s)} rx="3" />
            <text x={fmt(x0 + w / 2.0)} y={fmt(y + 11.0 * s)} text-anchor="middle">{ text }</text>
            <title>{ t(lang, K::LsoLong) }</title>
        </g>
    }
}

/// Truncated records, in a lane of their own under the strip.
fn ghosts_html(g: &Geom, tr: &TruncationView, lang: Lang) -> Html {
    let (s, cw) = (g.s, g.cw);
    let items = tr.records.iter().enumerate().filter_map(|(i, id)| {
        let offset = tr.offset + i as u64;
        if offset < g.start {
            return None;
        }
        let x = g.x_of(offset);
        let title = format!("{} {offset}: {} #{id} {} ({} {})", t(lang, K::Offset), t(lang, K::Record), t(lang, K::Truncated), t(lang, K::Step), tr.step);
        Some(html! {
            <g>
                <rect class="hw-cell truncated" x={fmt(x + 1.0)} y={fmt(g.ghost_y)} width={fmt(cw - 2.0)} height={fmt(12.0 * s)} rx="2" />
                <title>{ title }</title>
            </g>
        })
    });
    // The label goes after the cut records if it fits there, else before them.
    let label = format!("✂ {} {}", tr.records.len(), t(lang, K::Truncated));
    let label_w = label.chars().count() as f64 * 6.4 * s;
    let (first_x, last_x) = (g.x_of(tr.offset.max(g.start)), g.x_of(tr.offset + tr.records.len() as u64));
    let (lx, anchor) = if g.width - last_x >= label_w + 4.0 { (last_x + 4.0, "start") } else { (first_x - 4.0, "end") };
    html! {
        <g class="hw-ghosts" data-testid="truncated">
            { for items }
            <text class="hw-ghost-label" x={fmt(lx)} y={fmt(g.ghost_y + 10.0 * s)} text-anchor={anchor}>{ label }</text>
        </g>
    }
}

/// A consumer's position (▼) or a group's committed offset (◆) above the cells.
fn mark_html(g: &Geom, i: usize, m: &StripMark, lang: Lang) -> Html {
    let s = g.s;
    let x = g.x_clamped(m.offset);
    let shape = match m.kind {
        "committed" => format!(
            "M{:.1} {:.1} l{:.1} {:.1} l{:.1} {:.1} l{:.1} {:.1}z",
            x,
            2.0 * s,
            4.5 * s,
            5.0 * s,
            -4.5 * s,
            5.0 * s,
            -4.5 * s,
            -5.0 * s
        ),
        _ => format!("M{:.1} {:.1} l{:.1} 0 l{:.1} {:.1}z", x - 5.0 * s, 2.0 * s, 10.0 * s, -5.0 * s, 9.0 * s),
    };
    // Positions are labelled on the left, committed offsets on the right, so a consumer
    // and its group at the same offset stay readable.
    let label_w = m.label.chars().count() as f64 * 6.0 * s;
    let (label_x, anchor) = if m.kind == "committed" || x - 6.0 * s - label_w < 0.0 {
        (x + 6.0 * s, "start")
    } else {
        (x - 6.0 * s, "end")
    };
    let what = if m.kind == "committed" { t(lang, K::CommittedOffset) } else { t(lang, K::Position) };
    html! {
        <g key={i} class={format!("hw-mark-{}", m.kind)}>
            <path d={shape} />
            <text x={fmt(label_x)} y={fmt(10.0 * s)} text-anchor={anchor}>{ m.label.clone() }</text>
            <title>{ format!("{} {}: {}", m.label, what, m.offset) }</title>
        </g>
    }
}

pub fn fmt(v: f64) -> String {
    format!("{v:.1}")
}
