//! Subcommands of the native `highwater` CLI. Each takes its arguments and
//! writers so it can be tested without spawning a process.
pub mod allocate;
pub mod assign;
pub mod epoch_cache;
pub mod partition;
pub mod run;
pub mod run_rocketmq;

/// `--strategy NAME FILE` (also `--strategy=NAME`; FILE `-` is standard input), the
/// arguments of `assign` and `allocate`. `Ok(None)`: `--help` was asked for.
pub(crate) fn strategy_and_file<S>(args: &[String]) -> Result<Option<(S, &str)>, String>
where
    S: std::str::FromStr,
    S::Err: Into<String>,
{
    let mut strategy: Option<S> = None;
    let mut files: Vec<&str> = Vec::new();
    let mut options_done = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if options_done || a == "-" || !a.starts_with('-') {
            files.push(a);
        } else if a == "--" {
            options_done = true;
        } else if a == "--help" || a == "-h" {
            return Ok(None);
        } else if a == "--strategy" {
            let v = args.get(i).ok_or("--strategy needs a value")?;
            i += 1;
            strategy = Some(v.parse().map_err(Into::into)?);
        } else if let Some(v) = a.strip_prefix("--strategy=") {
            strategy = Some(v.parse().map_err(Into::into)?);
        } else {
            return Err(format!("unknown option '{a}'"));
        }
    }
    let strategy = strategy.ok_or("missing --strategy")?;
    match files.as_slice() {
        [f] => Ok(Some((strategy, f))),
        [] => Err("missing FILE (use - for standard input)".to_string()),
        _ => Err(format!("expected one FILE, got {}", files.len())),
    }
}

/// The text of FILE, or of standard input for `-`, with the name errors should use.
pub(crate) fn read_input(file: &str, stdin: &mut dyn std::io::Read) -> Result<(String, String), String> {
    if file == "-" {
        let mut text = String::new();
        stdin.read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(("<stdin>".to_string(), text))
    } else {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        Ok((file.to_string(), text))
    }
}

/// The common start of `assign` and `allocate`: their arguments, then the input text.
/// `Err(code)`: what to exit with, the message (and usage) already written.
pub(crate) fn strategy_and_input<S>(
    command: &str,
    usage: &str,
    args: &[String],
    stdin: &mut dyn std::io::Read,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> Result<(S, String, String), i32>
where
    S: std::str::FromStr,
    S::Err: Into<String>,
{
    let (strategy, file) = match strategy_and_file::<S>(args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            let _ = writeln!(out, "{usage}");
            return Err(0);
        }
        Err(msg) => {
            let _ = writeln!(err, "highwater {command}: {msg}\n{usage}");
            return Err(2);
        }
    };
    match read_input(file, stdin) {
        Ok((name, text)) => Ok((strategy, name, text)),
        Err(msg) => {
            let _ = writeln!(err, "highwater {command}: {msg}");
            Err(2)
        }
    }
}
