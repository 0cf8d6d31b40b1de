//! Minified copies of the scenario files for the browser build (`src/ui/scenarios.rs`
//! embeds them): whitespace outside strings is dropped, which saves ~2 KB of the gzipped
//! page. No dependencies, so it costs nothing to compile.
use std::path::Path;

/// JSON without the whitespace between tokens (strings are copied as they are).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    // RocketMQ lessons are named by their ids ("rmq-" + the file's name).
    for (dir, prefix) in [("scenarios", ""), ("scenarios/rocketmq", "rmq-"), ("src/ui/scenarios", "")] {
        println!("cargo:rerun-if-changed={dir}");
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read_to_string(&p).expect("a scenario file is UTF-8");
                let name = p.file_name().expect("a file name").to_string_lossy();
                std::fs::write(Path::new(&out).join(format!("{prefix}{name}")), minify(&text))
                    .expect("OUT_DIR is writable");
            }
        }
    }
}
