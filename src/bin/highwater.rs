//! The native CLI: run scenarios headless, compute Kafka partitions and assignments
//! and RocketMQ queue allocations.
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "highwater: a deterministic Kafka and RocketMQ cluster simulator

usage:
  highwater run FILE [--seed N] [--until MS] [--trace OUT.jsonl] [--json]
      run a scenario; print the summary and the checker's verdict
      (exit 0: no anomaly, 1: anomalies found, 2: bad input,
       3: stopped early: a livelock or the 50,000,000-step bound)
  highwater digest FILE [--seed N]
      print the trace digest of a whole run (same seed, same digest, everywhere)
  highwater partition --partitions N [--hex] [--] KEY...
      the partition Kafka's default partitioner picks for each key
  highwater assign --strategy range|roundrobin|sticky|cooperative-sticky FILE
      the assignment Kafka's consumer-group assignors compute
  highwater allocate --strategy avg|avg-by-circle FILE
      the queues RocketMQ's allocation strategy gives one consumer
  highwater epoch-cache FILE
      replay leader-epoch cache operations (assign, truncate-from-end,
      truncate-from-start, end-offset-for, entries) and print the lookups
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let rest = if args.is_empty() { &[][..] } else { &args[1..] };
    let code = match args.first().map(String::as_str) {
        Some("run") => highwater::cli::run::run(rest, &mut out, &mut err),
        Some("digest") => highwater::cli::run::digest(rest, &mut out, &mut err),
        Some("partition") => highwater::cli::partition::run(rest, &mut out, &mut err),
        Some("assign") => highwater::cli::assign::run(rest, &mut out, &mut err),
        Some("allocate") => highwater::cli::allocate::run(rest, &mut out, &mut err),
        Some("epoch-cache") => highwater::cli::epoch_cache::run(rest, &mut out, &mut err),
        Some("-h" | "--help" | "help") => {
            let _ = write!(out, "{USAGE}");
            0
        }
        Some(other) => {
            let _ = write!(err, "highwater: unknown command {other:?}\n\n{USAGE}");
            2
        }
        None => {
            let _ = write!(err, "{USAGE}");
            2
        }
    };
    let _ = out.flush();
    ExitCode::from(code.clamp(0, 255) as u8)
}
