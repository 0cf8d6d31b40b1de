//! `highwater epoch-cache FILE|-`
//!
//! Replays operations on one leader-epoch cache (the `EpochCache` every partition log in
//! the engine uses, Kafka's `LeaderEpochFileCache`) and prints each lookup, so its rules can
//! be checked against Kafka's own unit tests. FILE (or `-`, standard input) has one
//! operation per line; blank lines and `#` comments are skipped:
//! ```text
//! assign EPOCH START_OFFSET        # assign(epoch, startOffset)
//! truncate-from-end END_OFFSET     # truncateFromEnd(endOffset)
//! truncate-from-start START_OFFSET # truncateFromStart(startOffset)
//! end-offset-for EPOCH LEO         # endOffsetFor(epoch, logEndOffset): prints EPOCH OFFSET
//! entries                          # prints the cache: EPOCH@START ...
//! ```
//! `end-offset-for -1 LEO` asks for `UNDEFINED_EPOCH`; the undefined answer prints `-1 -1`.
//! A negative epoch or offset in `assign` is refused, as Kafka refuses it; a negative
//! truncation offset does nothing, as in Kafka.
//!
//! Exit codes: 0 success; 2 bad usage or a bad line (named by its number).

use std::io::{Read, Write};

use crate::kafka::broker::log::epoch_cache::EpochCache;

const USAGE: &str = "usage: highwater epoch-cache FILE|-   (one operation per line: assign E S, truncate-from-end O, truncate-from-start O, end-offset-for E LEO, entries)";

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_with_stdin(args, &mut std::io::stdin(), out, err)
}

/// Like [`run`], with the stream that `-` reads from given explicitly.
pub fn run_with_stdin(args: &[String], stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let file = match args {
        [a] if a == "--help" || a == "-h" => {
            let _ = writeln!(out, "{USAGE}");
            return 0;
        }
        [f] => f.as_str(),
        _ => {
            let _ = writeln!(err, "highwater epoch-cache: expected one FILE (use - for standard input)\n{USAGE}");
            return 2;
        }
    };
    let (name, text) = match super::read_input(file, stdin) {
        Ok(read) => read,
        Err(msg) => {
            let _ = writeln!(err, "highwater epoch-cache: {msg}");
            return 2;
        }
    };
    match replay(&text) {
        Ok(printed) => {
            if out.write_all(printed.as_bytes()).is_err() {
                let _ = writeln!(err, "highwater epoch-cache: cannot write the output");
                return 1;
            }
            0
        }
        Err(msg) => {
            let _ = writeln!(err, "highwater epoch-cache: {name}: {msg}");
            2
        }
    }
}

/// Every operation of `text` in order; what the lookups print.
pub fn replay(text: &str) -> Result<String, String> {
    let mut cache = EpochCache::default();
    let mut printed = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = |msg: String| format!("line {}: {msg} (in {line:?})", i + 1);
        let numbers = words[1..]
            .iter()
            .map(|w| w.parse::<i64>().map_err(|_| at(format!("'{w}' is not a whole number"))))
            .collect::<Result<Vec<i64>, String>>()?;
        match (words[0], numbers.as_slice()) {
            ("assign", &[epoch, start]) => {
                let (Ok(e), Ok(s)) = (u32::try_from(epoch), u64::try_from(start)) else {
                    return Err(at(format!("invalid leader epoch entry: epoch {epoch}, start offset {start}")));
                };
                cache.assign(e, s);
            }
            ("truncate-from-end", &[end]) => {
                if let Ok(end) = u64::try_from(end) {
                    cache.truncate_from_end(end);
                }
            }
            ("truncate-from-start", &[start]) => {
                if let Ok(start) = u64::try_from(start) {
                    cache.truncate_from_start(start);
                }
            }
            ("end-offset-for", &[epoch, leo]) => {
                let leo = u64::try_from(leo).map_err(|_| at(format!("log end offset {leo} is negative")))?;
                let (e, o) = cache.end_offset_for(epoch, leo);
                printed.push_str(&format!("end-offset-for {epoch} {leo}: {e} {o}\n"));
            }
            ("entries", &[]) => {
                let entries: Vec<String> = cache.entries().iter().map(|(e, s)| format!("{e}@{s}")).collect();
                printed.push_str(&format!(
                    "entries: {}\n",
                    if entries.is_empty() { "(empty)".into() } else { entries.join(" ") }
                ));
            }
            (op @ ("assign" | "truncate-from-end" | "truncate-from-start" | "end-offset-for" | "entries"), _) => {
                return Err(at(format!("wrong number of values for {op}")));
            }
            (op, _) => return Err(at(format!("unknown operation '{op}'"))),
        }
    }
    Ok(printed)
}
