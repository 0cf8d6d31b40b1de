//! `highwater partition --partitions N [--] KEY...`
//!
//! Prints `KEY<TAB>PARTITION` for each key, in input order: the partition Kafka's
//! producer picks for that key (murmur2 of the key's UTF-8 bytes, sign bit cleared,
//! modulo N). The empty string is a key too (Kafka hashes the empty byte array).
//! `--` ends the options, so keys starting with `-` can follow it. With `--hex`, each KEY
//! is the key's raw bytes in hexadecimal (`0000002a`: the int 42 as Kafka's
//! `IntegerSerializer` writes it), for keys that are not text.

use std::io::Write;

use crate::kafka::partitioner::partition_for_key;

const USAGE: &str = "usage: highwater partition --partitions N [--hex] [--] KEY...";

/// Runs the subcommand; `args` excludes the program and subcommand names.
/// Returns the exit code: 0 on success, 2 on bad usage.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match parse(args) {
        Ok(Parsed::Help) => {
            let _ = writeln!(out, "{USAGE}");
            let _ = writeln!(
                out,
                "Prints KEY<TAB>PARTITION per key: murmur2(UTF-8 bytes of KEY) & 0x7fffffff, modulo N,\n\
                 as Kafka's producer partitions a record with that key."
            );
            0
        }
        Ok(Parsed::Run { partitions, keys, hex }) => {
            for key in keys {
                let bytes = if hex {
                    match decode_hex(key) {
                        Ok(b) => b,
                        Err(msg) => {
                            let _ = writeln!(err, "highwater partition: {msg}");
                            return 2;
                        }
                    }
                } else {
                    key.as_bytes().to_vec()
                };
                let p = partition_for_key(&bytes, partitions);
                if writeln!(out, "{key}\t{p}").is_err() {
                    let _ = writeln!(err, "highwater partition: cannot write the output");
                    return 1;
                }
            }
            0
        }
        Err(msg) => {
            let _ = writeln!(err, "highwater partition: {msg}\n{USAGE}");
            2
        }
    }
}

enum Parsed<'a> {
    Help,
    Run { partitions: u32, keys: Vec<&'a str>, hex: bool },
}

/// A key's bytes from hexadecimal. Hand-written: eight lines, not worth a dependency.
fn decode_hex(key: &str) -> Result<Vec<u8>, String> {
    let bad = || format!("--hex key '{key}' is not hexadecimal bytes (an even number of 0-9, a-f digits)");
    if key.len() % 2 != 0 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    (0..key.len()).step_by(2).map(|i| u8::from_str_radix(&key[i..i + 2], 16).map_err(|_| bad())).collect()
}

fn parse_partitions(value: &str) -> Result<u32, String> {
    let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<u32>() {
        Ok(0) => Err("--partitions must be at least 1".to_string()),
        Ok(n) if ok && n <= i32::MAX as u32 => Ok(n),
        _ => Err(format!("--partitions needs a whole number from 1 to {}, got '{value}'", i32::MAX)),
    }
}

fn parse(args: &[String]) -> Result<Parsed<'_>, String> {
    let mut partitions: Option<u32> = None;
    let mut keys: Vec<&str> = Vec::new();
    let mut i = 0;
    let mut options_done = false;
    let mut hex = false;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if options_done {
            keys.push(a);
        } else if a == "--" {
            options_done = true;
        } else if a == "--help" || a == "-h" {
            return Ok(Parsed::Help);
        } else if a == "--hex" {
            hex = true;
        } else if a == "--partitions" {
            let Some(v) = args.get(i) else {
                return Err("--partitions needs a value".to_string());
            };
            i += 1;
            partitions = Some(parse_partitions(v)?);
        } else if let Some(v) = a.strip_prefix("--partitions=") {
            partitions = Some(parse_partitions(v)?);
        } else if a.starts_with('-') && a.len() > 1 {
            return Err(format!("unknown option '{a}' (use -- before keys that start with '-')"));
        } else {
            keys.push(a);
        }
    }
    let Some(partitions) = partitions else {
        return Err("missing --partitions N".to_string());
    };
    if keys.is_empty() {
        return Err("no keys given".to_string());
    }
    Ok(Parsed::Run { partitions, keys, hex })
}
