//! Network commands of either model: a [`Command`] that cuts, heals, slows or drops becomes
//! a kernel [`NetFault`]. Only how a node is named differs between models ([`NodeLookup`]).
use crate::kernel::{NetFault, NodeId};
use crate::session::command::{Command, CommandError, MAX_PAUSE_MS};

/// How a model names its nodes in commands.
pub trait NodeLookup {
    /// The node called `name`, or an error on `field` that lists what is accepted.
    fn node(&self, name: &str, field: &str) -> Result<NodeId, CommandError>;
    /// Message kinds a `drop_next` may name.
    fn message_kinds(&self) -> &'static [&'static str];
}

fn err<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::new(field, message))
}

/// Two different nodes of one link.
fn link(n: &impl NodeLookup, a: &str, b: &str, fields: [&str; 2]) -> Result<(NodeId, NodeId), CommandError> {
    let (x, y) = (n.node(a, fields[0])?, n.node(b, fields[1])?);
    if x == y {
        return err(fields[1], "a link needs two different nodes");
    }
    Ok((x, y))
}

/// The fault of a network `command` (callers send only network commands here).
pub fn resolve(n: &impl NodeLookup, command: &Command) -> Result<NetFault, CommandError> {
    Ok(match command {
        Command::Isolate(x) => NetFault::Isolate(n.node(x, "node")?),
        Command::Cut(a, b) => {
            let (a, b) = link(n, a, b, ["between[0]", "between[1]"])?;
            NetFault::Cut(a, b)
        }
        Command::CutOneWay(a, b) => {
            let (a, b) = link(n, a, b, ["from", "to"])?;
            NetFault::CutOneWay(a, b)
        }
        Command::Heal(a, b) => NetFault::Heal(n.node(a, "between[0]")?, n.node(b, "between[1]")?),
        Command::HealAll => NetFault::HealAll,
        Command::Partition(groups) => {
            // Loops, not `collect::<Result<..>>()`: each of those is its own code in the page.
            let mut out = Vec::new();
            for (i, g) in groups.iter().enumerate() {
                let mut group = Vec::new();
                for (j, x) in g.iter().enumerate() {
                    group.push(n.node(x, &format!("groups[{i}][{j}]"))?);
                }
                out.push(group);
            }
            NetFault::Partition(out)
        }
        Command::Slow(x, ms) => {
            if *ms > MAX_PAUSE_MS {
                return err("extra_ms", format!("must be at most {MAX_PAUSE_MS} ms"));
            }
            NetFault::Slow(n.node(x, "node")?, *ms)
        }
        Command::Drop(p) if p.denominator == 0 => return err("probability.denominator", "must not be 0"),
        Command::Drop(p) => NetFault::SetDrop(*p),
        Command::DropNext { from, to, kind, count } => drop_next(n, from, to, kind, *count)?,
        _ => return err("", "not a network action"),
    })
}

fn drop_next(
    n: &impl NodeLookup,
    from: &str,
    to: &str,
    kind: &Option<String>,
    count: u32,
) -> Result<NetFault, CommandError> {
    if count == 0 {
        return err("count", "must be at least 1");
    }
    if let Some(k) = kind {
        if !n.message_kinds().contains(&k.as_str()) {
            let some: Vec<&str> = n.message_kinds().iter().take(4).copied().collect();
            return err("kind", format!("unknown message kind \"{k}\" (e.g. {})", some.join(", ")));
        }
    }
    Ok(NetFault::DropNext { from: n.node(from, "from")?, to: n.node(to, "to")?, kind: kind.clone(), count })
}
