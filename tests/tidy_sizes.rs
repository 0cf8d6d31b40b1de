//! Rooms small enough to change safely: no source file over 600 lines and no function over
//! 80 lines in src/, except where one algorithm needs the room (the sticky assignor follows
//! Kafka's AbstractStickyAssignor step by step, and reads best as Kafka's does).
use std::path::Path;

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;
const EXEMPT: &[&str] = &["src/kafka/assignor/sticky.rs"];

mod common;
use common::rust_files;

/// The code of `src` with string and char literals and comments blanked out (newlines
/// kept), so braces inside them are not counted.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        let next = b.get(i + 1).copied().map(char::from);
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(b, i) {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let end = src[j + 1..].find(&close).map_or(b.len(), |k| j + 1 + k + close.len());
            out.extend(src[i..end].chars().filter(|&ch| ch == '\n'));
            i = end;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                } else if b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && is_char_literal(b, i) {
            i += if b[i + 1] == b'\\' { b[i..].iter().skip(2).position(|&x| x == b'\'').unwrap_or(0) + 3 } else { 3 };
        } else {
            // Keep multi-byte characters whole.
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `'x'` or `'\n'` rather than a lifetime `'a`.
fn is_char_literal(b: &[u8], i: usize) -> bool {
    match b.get(i + 1) {
        Some(b'\\') => true,
        Some(_) => b.get(i + 2) == Some(&b'\''),
        None => false,
    }
}

/// (name, first line, length in lines) of every `fn` with a body in `src`.
fn functions(src: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(src);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ").filter(|&k| k == 0 || !prev_is_ident(line.as_bytes(), k)) else { continue };
        let name: String = line[at + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        // Walk to the body's closing brace; a declaration (`;` before any `{`) has none.
        let (mut depth, mut opened) = (0i64, false);
        'walk: for (k, l) in lines[start..].iter().enumerate() {
            let from = if k == 0 { at } else { 0 };
            for ch in l[from..].chars() {
                match ch {
                    ';' if !opened => break 'walk,
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
                if opened && depth == 0 {
                    found.push((name.clone(), start + 1, k + 1));
                    break 'walk;
                }
            }
        }
    }
    found
}

#[test]
fn the_measure_counts_function_bodies() {
    let src = "fn a() {\n    let s = \"}\";\n    let c = '{';\n}\nfn b();\nfn c<'a>(x: &'a str) { x }\n// fn d() {\n";
    assert_eq!(functions(src), vec![("a".into(), 1, 4), ("c".into(), 6, 1)]);
}

#[test]
fn files_and_functions_fit_on_a_screen() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut problems = Vec::new();
    for f in &files {
        let name = f.to_string_lossy().replace('\\', "/");
        if EXEMPT.contains(&name.as_str()) {
            continue;
        }
        let src = std::fs::read_to_string(f).unwrap();
        let n = src.lines().count();
        if n > MAX_FILE_LINES {
            problems.push(format!("{name}: {n} lines (at most {MAX_FILE_LINES})"));
        }
        for (func, line, len) in functions(&src) {
            if len > MAX_FN_LINES {
                problems.push(format!("{name}:{line}: fn {func} is {len} lines (at most {MAX_FN_LINES})"));
            }
        }
    }
    assert!(problems.is_empty(), "split these:\n{}", problems.join("\n"));
}
