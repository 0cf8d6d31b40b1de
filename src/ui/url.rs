//! The shareable link: scenario, seed, hand-made actions and the current step live in the
//! URL's fragment, so a link reproduces the exact view:
//!
//! `#s=acks1-leader-failure&seed=1&step=240&do=120:crash.1~300:restart.1`
//!
//! A scenario that is not built in (imported, or changed in the settings) travels inside
//! the link as compact JSON in base64url: `#s=custom&json=eyJpZCI6...`. Parsing never
//! panics; an error names the part of the link that is wrong.
use crate::session::Command;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    Builtin(String),
    /// The scenario's JSON text.
    Inline(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlState {
    pub scenario: ScenarioRef,
    pub seed: Option<u64>,
    pub step: u64,
    /// (cursor when applied, command), as `Session::actions` lists them.
    pub actions: Vec<(u64, Command)>,
}

impl UrlState {
    /// The fragment, without the leading `#`.
    pub fn to_fragment(&self) -> String {
        let mut parts = Vec::new();
        match &self.scenario {
            ScenarioRef::Builtin(id) => parts.push(format!("s={}", crate::session::encode_field(id))),
            ScenarioRef::Inline(json) => {
                parts.push("s=custom".to_string());
                parts.push(format!("json={}", base64url_encode(json.as_bytes())));
            }
        }
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        parts.push(format!("step={}", self.step));
        if !self.actions.is_empty() {
            let list: Vec<String> = self.actions.iter().map(|(at, c)| crate::session::action_item(*at, c)).collect();
            parts.push(format!("do={}", list.join("~")));
        }
        parts.join("&")
    }

    /// Parse a fragment (with or without `#`). `Ok(None)`: the fragment is empty.
    pub fn parse(fragment: &str) -> Result<Option<UrlState>, String> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.trim().is_empty() {
            return Ok(None);
        }
        let mut scenario: Option<String> = None;
        let mut json: Option<String> = None;
        let mut seed = None;
        let mut step = 0;
        let mut actions = Vec::new();
        for part in fragment.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("\"{}\" has no \"=\"", short(part)))?;
            match key {
                "s" => scenario = Some(crate::session::decode_field(value).map_err(|e| format!("in \"s=\": {e}"))?),
                "json" => {
                    let bytes = base64url_decode(value).map_err(|e| format!("in \"json=\": {e}"))?;
                    json = Some(
                        String::from_utf8(bytes)
                            .map_err(|_| "in \"json=\": the scenario is not UTF-8 text".to_string())?,
                    );
                }
                "seed" => {
                    seed = Some(
                        value
                            .parse::<u64>()
                            .map_err(|_| format!("seed \"{}\" is not a whole number (in \"seed=\")", short(value)))?,
                    )
                }
                "step" => {
                    step = value
                        .parse::<u64>()
                        .map_err(|_| format!("step \"{}\" is not a whole number (in \"step=\")", short(value)))?
                }
                "do" => {
                    for (i, item) in value.split('~').enumerate() {
                        let action = crate::session::parse_action_item(item)
                            .map_err(|e| format!("action {} \"{}\": {e} (in \"do=\")", i + 1, short(item)))?;
                        actions.push(action);
                    }
                }
                // Unknown keys are ignored, so later versions can add some.
                _ => {}
            }
        }
        let scenario = match (scenario.as_deref(), json) {
            (Some("custom"), Some(j)) => ScenarioRef::Inline(j),
            (Some("custom"), None) => return Err("\"s=custom\" needs the scenario in \"json=\"".into()),
            (Some(id), _) => ScenarioRef::Builtin(id.to_string()),
            (None, Some(j)) => ScenarioRef::Inline(j),
            (None, None) => return Err("the link names no scenario (\"s=\")".into()),
        };
        Ok(Some(UrlState { scenario, seed, step, actions }))
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(40).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
/// Whether going from link `old` to link `new` is a step the browser's Back should undo:
/// another scenario, seed or setting change, or another list of hand-made actions. Moving the
/// cursor alone is not (it would fill the history with every step).
pub fn is_new_history_entry(old: &str, new: &str) -> bool {
    let key = |fragment: &str| -> Vec<String> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        fragment.split('&').filter(|p| !p.starts_with("step=") && !p.is_empty()).map(str::to_string).collect()
    };
    key(old) != key(new)
}

pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decode base64url (padding and the standard `+/` alphabet are accepted too).
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, c) in text.chars().enumerate() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' | '+' => 62,
            '_' | '/' => 63,
            _ => return Err(format!("character {} ('{c}') is not base64url", i + 1)),
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if text.len() % 4 == 1 {
        return Err("the text was cut short (its length is not valid base64url)".into());
    }
    Ok(out)
}
