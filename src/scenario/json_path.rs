//! Where in a JSON document a parse error is: `topics[0].replication_factor`.
//!
//! serde_json says at which line and column it stopped; this walks the text up to that
//! point and names the field being read. (serde_path_to_error did the same by wrapping
//! every deserializer, which doubled the deserialization code in the page.) The scenario
//! loader and `highwater assign` both use it.

/// One level of nesting: an object (and the key last seen in it) or an array (and the
/// index of the element being read).
enum Frame {
    /// `start`: line and column of its `{`.
    Object {
        key: Option<String>,
        start: (usize, usize),
    },
    Array {
        index: usize,
    },
}

/// Where an error is: the field's path, and the line and column to show.
#[derive(Debug, PartialEq, Eq)]
pub struct Located {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// The path of the value at 1-based `line` and `column` of `text`. `missing`: the error is
/// about the object itself (a missing field), not about its last key.
pub fn path_at(text: &str, line: usize, column: usize, missing: bool) -> String {
    walk(text, line, column, missing, false).path
}

/// Like [`path_at`], with the position to show. An error about a whole array element (an
/// object checked after it was read, like a timeline entry with an unknown `action`) is
/// reported by serde_json past the element's end, at the next element; it belongs to the
/// element that just closed, at its `{`. (A type error is about the value at the position.)
pub fn locate(text: &str, line: usize, column: usize, message: &str) -> Located {
    let about_value = message.starts_with("invalid type") || message.starts_with("invalid value");
    walk(text, line, column, message.starts_with("missing field"), !about_value)
}

fn walk(text: &str, line: usize, column: usize, missing: bool, whole_element: bool) -> Located {
    let mut stack: Vec<Frame> = Vec::new();
    // The array element that closed last (its index and start), while only `,` and
    // white space follow it.
    let mut just_closed: Option<(usize, (usize, usize))> = None;
    let (mut l, mut c) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    // In an object, whether the next string is a key.
    let mut expect_key = false;
    while let Some(ch) = chars.next() {
        if ch == '\n' {
            l += 1;
            c = 0;
        } else {
            c += 1;
        }
        if l > line || (l == line && c >= column) {
            break;
        }
        if !(ch.is_whitespace() || ch == ',') {
            just_closed = None;
        }
        match ch {
            '{' => {
                stack.push(Frame::Object { key: None, start: (l, c) });
                expect_key = true;
            }
            '[' => {
                stack.push(Frame::Array { index: 0 });
                expect_key = false;
            }
            '}' | ']' => {
                let closed = stack.pop();
                if let (Some(Frame::Object { start, .. }), Some(Frame::Array { index })) = (closed, stack.last()) {
                    just_closed = Some((*index, start));
                }
                expect_key = false;
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { .. }) => expect_key = true,
                None => {}
            },
            ':' => expect_key = false,
            '"' => {
                let s = read_string(&mut chars, &mut l, &mut c);
                if expect_key {
                    if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                        *key = Some(s);
                    }
                }
            }
            _ => {}
        }
    }
    if let (true, Some((index, (l, c))), Some(Frame::Array { index: at })) =
        (whole_element, just_closed, stack.last_mut())
    {
        *at = index;
        return Located { path: render(&stack, missing), line: l, column: c };
    }
    Located { path: render(&stack, missing), line, column }
}

/// The rest of a string literal whose opening `"` was just read, unescaped, keeping the
/// line and column up to date.
fn read_string(chars: &mut impl Iterator<Item = char>, l: &mut usize, c: &mut usize) -> String {
    let mut s = String::new();
    let mut escaped = false;
    for ch in chars.by_ref() {
        if ch == '\n' {
            *l += 1;
            *c = 0;
        } else {
            *c += 1;
        }
        if escaped {
            s.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            break;
        } else {
            s.push(ch);
        }
    }
    s
}

/// `a.b[2].c` from the frames open at the error.
fn render(stack: &[Frame], missing: bool) -> String {
    let mut out = String::new();
    let n = stack.len();
    for (i, f) in stack.iter().enumerate() {
        match f {
            Frame::Object { key: Some(k), .. } if !(missing && i + 1 == n) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Object { .. } => {}
            Frame::Array { index } => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path serde_json's error position points at.
    fn path_of_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        let e = serde_json::from_str::<T>(text).unwrap_err();
        path_at(text, e.line(), e.column(), e.to_string().starts_with("missing field"))
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        cluster: Cluster,
        topics: Vec<Topic>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Cluster {
        brokers: u32,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Topic {
        name: String,
        partitions: u32,
    }

    #[test]
    fn names_the_field_of_a_type_error_an_unknown_field_and_a_missing_one() {
        let t = "{\n  \"cluster\": {\"brokers\": \"three\"},\n  \"topics\": []\n}";
        assert_eq!(path_of_error::<Doc>(t), "cluster.brokers");
        let t = r#"{"cluster": {"brokers": 3}, "topics": [{"name": "a", "partitions": 1}, {"name": "b\"{", "partitions": 1, "replicas": 2}]}"#;
        assert_eq!(path_of_error::<Doc>(t), "topics[1].replicas", "strings with quotes and braces are skipped");
        let t = r#"{"cluster": {"brokers": 3}, "topics": [{"name": "a"}]}"#;
        assert_eq!(path_of_error::<Doc>(t), "topics[0]", "a missing field names its object");
        let t = r#"{"cluster": {"brokers": 3}, "topics": [{"name": "a", "partitions": -1}]}"#;
        assert_eq!(path_of_error::<Doc>(t), "topics[0].partitions");
    }
}
