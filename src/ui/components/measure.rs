//! The width of a label's text as the browser will draw it, so the labels of messages can
//! be placed where they fit (`crate::ui::labels`). An estimate would be wrong for some font
//! on some projector; the canvas measures with the page's own font.
use std::cell::RefCell;
use std::collections::BTreeMap;

use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

thread_local! {
    /// The measuring context and the page's font family, made once.
    static CTX: RefCell<Option<(CanvasRenderingContext2d, String)>> = const { RefCell::new(None) };
    /// Widths already measured, by text, size (in hundredths of a pixel) and weight.
    static CACHE: RefCell<BTreeMap<(String, u32, u32), f64>> = const { RefCell::new(BTreeMap::new()) };
}

fn context() -> Option<(CanvasRenderingContext2d, String)> {
    let doc = web_sys::window()?.document()?;
    let canvas = doc.create_element("canvas").ok()?.dyn_into::<web_sys::HtmlCanvasElement>().ok()?;
    let ctx = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
    let root = doc.document_element()?;
    let family = web_sys::window()?
        .get_computed_style(&root)
        .ok()??
        .get_property_value("font-family")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| "sans-serif".into());
    Some((ctx, family))
}

/// The width of `text` at `px` pixels and font weight `weight`, in CSS pixels. Without a
/// canvas, a generous estimate (wide enough for DejaVu Sans Bold, one of the widest).
pub fn text_width(text: &str, px: f64, weight: u32) -> f64 {
    let key = (text.to_string(), (px * 100.0).round() as u32, weight);
    if let Some(w) = CACHE.with(|c| c.borrow().get(&key).copied()) {
        return w;
    }
    let measured = CTX.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = context();
        }
        let (ctx, family) = c.as_ref()?;
        ctx.set_font(&format!("{weight} {px}px {family}"));
        ctx.measure_text(text).ok().map(|m| m.width())
    });
    let w =
        measured.unwrap_or_else(|| text.chars().map(|ch| if ch.is_ascii() { 0.72 } else { 1.05 }).sum::<f64>() * px);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        // Kinds and reasons are few; a bound keeps a long session's cache small anyway.
        if c.len() > 4096 {
            c.clear();
        }
        c.insert(key, w);
    });
    w
}
