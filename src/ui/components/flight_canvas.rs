//! Messages on the wire, drawn on a canvas when there are many of them.
//!
//! Up to a few dozen messages are SVG elements (labelled, with tooltips, gliding by CSS
//! transitions). Hundreds of moving DOM nodes cost the browser a style recalculation per
//! node per step, so beyond that the messages go to this canvas: one draw call per
//! message, interpolated between the previous step's positions and the new ones over the
//! glide time with requestAnimationFrame, and hit-tested on click. Shape and fill still
//! tell the message family and request/response apart, as in the SVG version.
use crate::kernel::sort::CollectBTree;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

/// One message to draw: where it is now, where it was is remembered by the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct FlightItem {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    /// "produce", "fetch", "control", "group", "txn", "meta"
    pub family: &'static str,
    pub response: bool,
    pub selected: bool,
}

/// Where each message was drawn last, shared with the picture, which hit-tests clicks
/// (the canvas itself lets clicks through to the cards under it).
#[derive(Clone, Default)]
pub struct Drawn(pub Rc<RefCell<BTreeMap<u64, (f64, f64)>>>);

impl PartialEq for Drawn {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Drawn {
    /// The message drawn nearest to (x, y), within `radius`.
    pub fn pick(&self, x: f64, y: f64, radius: f64) -> Option<u64> {
        self.0
            .borrow()
            .iter()
            .map(|(id, (px, py))| (*id, (px - x).powi(2) + (py - y).powi(2)))
            .filter(|(_, d2)| *d2 <= radius * radius)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, _)| id)
    }
}

#[derive(Properties, PartialEq)]
pub struct FlightCanvasProps {
    pub width: f64,
    pub height: f64,
    pub items: Rc<Vec<FlightItem>>,
    pub glide_ms: u32,
    pub scale: f64,
    pub label: AttrValue,
    pub drawn: Drawn,
}

#[derive(Default)]
struct Anim {
    /// Colours from the theme's CSS variables, and the theme they were read for
    /// (reading computed styles forces a style recalculation: once per theme).
    colours: Option<(String, Rc<[String; 7]>)>,
    from: BTreeMap<u64, (f64, f64)>,
    start: f64,
    frame: Option<Closure<dyn FnMut(f64)>>,
    handle: Option<i32>,
}

fn colours(canvas: &HtmlCanvasElement) -> [String; 7] {
    let style = web_sys::window().and_then(|w| w.get_computed_style(canvas).ok().flatten());
    let get = |name: &str, fallback: &str| -> String {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    [
        get("--msg-produce", "#0b6bcb"),
        get("--msg-fetch", "#178a46"),
        get("--msg-control", "#c25a00"),
        get("--msg-group", "#8a3fc2"),
        get("--msg-meta", "#5b6878"),
        get("--panel", "#ffffff"),
        get("--msg-txn", "#0b7285"),
    ]
}

fn draw(
    ctx: &CanvasRenderingContext2d,
    items: &[FlightItem],
    at: &dyn Fn(&FlightItem) -> (f64, f64),
    c: &[String; 7],
    w: f64,
    h: f64,
    s: f64,
) {
    ctx.clear_rect(0.0, 0.0, w, h);
    let r = 5.0 * s;
    for it in items {
        let (x, y) = at(it);
        let colour = match it.family {
            "produce" => &c[0],
            "fetch" => &c[1],
            "control" => &c[2],
            "group" => &c[3],
            "txn" => &c[6],
            _ => &c[4],
        };
        ctx.begin_path();
        match it.family {
            "produce" => {
                let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
            }
            "fetch" => ctx.rect(x - r, y - r, 2.0 * r, 2.0 * r),
            "control" => {
                ctx.move_to(x, y - 1.3 * r);
                ctx.line_to(x + 1.3 * r, y);
                ctx.line_to(x, y + 1.3 * r);
                ctx.line_to(x - 1.3 * r, y);
                ctx.close_path();
            }
            "group" => {
                ctx.move_to(x, y - 1.2 * r);
                ctx.line_to(x + 1.2 * r, y + r);
                ctx.line_to(x - 1.2 * r, y + r);
                ctx.close_path();
            }
            "txn" => {
                // A hexagon (corners without sin/cos, which would add libm to the wasm).
                let (a, b) = (1.15 * r, 1.15 * r * 0.866);
                ctx.move_to(x + a, y);
                ctx.line_to(x + a / 2.0, y + b);
                ctx.line_to(x - a / 2.0, y + b);
                ctx.line_to(x - a, y);
                ctx.line_to(x - a / 2.0, y - b);
                ctx.line_to(x + a / 2.0, y - b);
                ctx.close_path();
            }
            _ => {
                let _ = ctx.arc(x, y, 0.7 * r, 0.0, std::f64::consts::TAU);
            }
        }
        ctx.set_fill_style_str(if it.response { &c[5] } else { colour });
        ctx.fill();
        ctx.set_line_width(if it.selected { 3.0 } else { 2.0 });
        ctx.set_stroke_style_str(colour);
        ctx.stroke();
    }
}

#[function_component(FlightCanvas)]
pub fn flight_canvas(p: &FlightCanvasProps) -> Html {
    let canvas_ref = use_node_ref();
    let anim = use_mut_ref(Anim::default);
    {
        let canvas_ref = canvas_ref.clone();
        let anim = anim.clone();
        let items = p.items.clone();
        let drawn = p.drawn.clone();
        let size = Frame { w: p.width, h: p.height, glide: f64::from(p.glide_ms), s: p.scale };
        use_effect_with((p.items.clone(), p.width as i64, p.height as i64), move |_| {
            start(canvas_ref, anim, drawn, items, size);
        });
    }
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0);
    html! {
        <canvas ref={canvas_ref} class="hw-flight-canvas" data-testid="flight-canvas" data-count={p.items.len().to_string()}
            width={format!("{}", (p.width * dpr).round())} height={format!("{}", (p.height * dpr).round())}
            style={format!("width:{}px;height:{}px", p.width, p.height)} role="img" aria-label={p.label.clone()} />
    }
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The canvas size, the glide's duration (ms) and the presenter scale.
#[derive(Clone, Copy)]
struct Frame {
    w: f64,
    h: f64,
    glide: f64,
    s: f64,
}

/// Glide every message from where it was drawn to where it is now.
fn start(canvas_ref: NodeRef, anim: Rc<RefCell<Anim>>, drawn: Drawn, items: Rc<Vec<FlightItem>>, size: Frame) {
    let Frame { w, h, glide, s } = size;
    let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() else { return };
    let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    let theme =
        gloo::utils::document().document_element().and_then(|e| e.get_attribute("data-theme")).unwrap_or_default();
    let colours = {
        let mut a = anim.borrow_mut();
        match &a.colours {
            Some((t, c)) if *t == theme => c.clone(),
            _ => {
                let c = Rc::new(colours(&canvas));
                a.colours = Some((theme, c.clone()));
                c
            }
        }
    };
    {
        let mut a = anim.borrow_mut();
        if let (Some(handle), Some(window)) = (a.handle.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(handle);
        }
        // New messages start where they are; known ones from where they were drawn.
        let last = drawn.0.borrow();
        let from: BTreeMap<u64, (f64, f64)> =
            items.iter().map(|it| (it.id, last.get(&it.id).copied().unwrap_or((it.x, it.y)))).btree_map();
        drop(last);
        a.from = from;
        a.start = now();
    }
    let frame_anim = anim.clone();
    let tick = Closure::<dyn FnMut(f64)>::new(move |_ts: f64| {
        let mut a = frame_anim.borrow_mut();
        let t = if glide <= 0.0 { 1.0 } else { ((now() - a.start) / glide).clamp(0.0, 1.0) };
        let from = std::mem::take(&mut a.from);
        let at = |it: &FlightItem| {
            let (fx, fy) = from.get(&it.id).copied().unwrap_or((it.x, it.y));
            (fx + (it.x - fx) * t, fy + (it.y - fy) * t)
        };
        draw(&ctx, &items, &at, &colours, w, h, s);
        *drawn.0.borrow_mut() = items.iter().map(|it| (it.id, at(it))).collect();
        a.from = from;
        if t < 1.0 {
            if let (Some(window), Some(f)) = (web_sys::window(), a.frame.as_ref()) {
                a.handle = window.request_animation_frame(f.as_ref().unchecked_ref()).ok();
            }
        } else {
            a.handle = None;
        }
    });
    let mut a = anim.borrow_mut();
    if let Some(window) = web_sys::window() {
        a.handle = window.request_animation_frame(tick.as_ref().unchecked_ref()).ok();
    }
    a.frame = Some(tick);
}
