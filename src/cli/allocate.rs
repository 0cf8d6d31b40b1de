//! `highwater allocate --strategy avg|avg-by-circle FILE`
//!
//! FILE (or `-` for standard input) is JSON:
//! ```json
//! {"queues": [{"topic": "t", "broker": "b", "queue_id": 0}],
//!  "consumers": ["c1", "c2"], "current": "c1"}
//! ```
//! Prints the queues RocketMQ's strategy gives `current`, as a JSON array of the same queue
//! objects in RocketMQ's order (one per line), or `[]` when it gives none (as when `current`
//! is not among the consumers). The queues and consumers are sorted first, as
//! `RebalanceImpl` does; duplicate queues count once (RocketMQ keeps them in a set).
//!
//! Exit codes: 0 success; 2 bad usage, bad input, or where RocketMQ's `allocate()` throws
//! (its `IllegalArgumentException` message is printed on standard error).

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::rocketmq::allocate::{allocate, AllocateStrategy, MessageQueue};
use crate::scenario::json_path::path_at;

const USAGE: &str = "usage: highwater allocate --strategy avg|avg-by-circle FILE|-";

/// The input file format.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocateInput {
    pub queues: Vec<InputQueue>,
    pub consumers: Vec<String>,
    /// Required, but may be `null` (Java's null: RocketMQ throws "currentCID is empty").
    #[serde(deserialize_with = "Option::deserialize")]
    pub current: Option<String>,
}

/// One queue, in the input and in the output.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InputQueue {
    pub topic: String,
    pub broker: String,
    pub queue_id: i32,
}

impl InputQueue {
    fn to_queue(&self) -> MessageQueue {
        MessageQueue::new(&self.topic, &self.broker, self.queue_id)
    }

    fn from_queue(q: &MessageQueue) -> InputQueue {
        InputQueue { topic: q.topic.clone(), broker: q.broker_name.clone(), queue_id: q.queue_id }
    }
}

impl AllocateInput {
    /// Parses the JSON text; errors name the path of the bad field and its line and column.
    pub fn parse(text: &str) -> Result<AllocateInput, String> {
        let input: AllocateInput = serde_json::from_str(text).map_err(|e: serde_json::Error| {
            let message = e.to_string();
            let path = match e.line() {
                0 => String::new(),
                line => path_at(text, line, e.column(), message.starts_with("missing field")),
            };
            if path.is_empty() {
                message
            } else {
                format!("at {path}: {message}")
            }
        })?;
        if let Some((i, q)) = input.queues.iter().enumerate().find(|(_, q)| q.queue_id < 0) {
            return Err(format!("at queues[{i}].queue_id: {} is negative; a queue id is 0..={}", q.queue_id, i32::MAX));
        }
        Ok(input)
    }
}

/// The output: one queue object per line, or `[]`.
pub fn render(queues: &[MessageQueue]) -> String {
    if queues.is_empty() {
        return "[]\n".to_string();
    }
    let lines: Vec<String> = queues
        .iter()
        .map(|q| format!("  {}", serde_json::to_string(&InputQueue::from_queue(q)).expect("queues serialize")))
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

/// Runs the subcommand, reading `-` from the process's standard input.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_with_stdin(args, &mut std::io::stdin(), out, err)
}

/// Like [`run`], with the stream that `-` reads from given explicitly.
pub fn run_with_stdin(args: &[String], stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (strategy, name, text) =
        match super::strategy_and_input::<AllocateStrategy>("allocate", USAGE, args, stdin, out, err) {
            Ok(read) => read,
            Err(code) => return code,
        };
    let input = match AllocateInput::parse(&text) {
        Ok(i) => i,
        Err(msg) => {
            let _ = writeln!(err, "highwater allocate: {name}: {msg}");
            return 2;
        }
    };
    let queues: Vec<MessageQueue> = input.queues.iter().map(InputQueue::to_queue).collect();
    match allocate(strategy, input.current.as_deref(), &queues, &input.consumers) {
        Ok(mine) => {
            if out.write_all(render(&mine).as_bytes()).is_err() {
                let _ = writeln!(err, "highwater allocate: cannot write the output");
                return 1;
            }
            0
        }
        Err(e) => {
            let _ = writeln!(
                err,
                "highwater allocate: {name}: {} throws IllegalArgumentException: {e}",
                strategy.class_name()
            );
            2
        }
    }
}
