//! The simulation kernel: virtual clock, event queue, seeded PRNG, network with faults,
//! trace with a running digest, checker plumbing and time travel.
//!
//! Nothing in here knows about Kafka. A protocol plugs in by implementing [`Model`]; the
//! kernel delivers its messages, fires its timers and applies its actions, one event per
//! step, in `(time, sequence)` order. Same model + same seed + same actions = same trace.
pub mod checkpoints;
pub mod chunked;
pub mod digest;
pub mod invariant;
pub mod model;
pub mod network;
pub mod paged;
pub mod prng;
pub mod queue;
pub mod sim;
pub mod sort;
pub mod timeline;
pub mod trace;

pub use chunked::ChunkedVec;
pub use digest::Digest;
pub use invariant::InvariantViolation;
pub use model::{Checker, Ctx, MessageInfo, Model, NoChecker};
pub use network::{NetFault, NetworkConfig, Ratio};
pub use prng::Prng;
pub use sim::Simulation;
pub use timeline::Timeline;
pub use trace::{DropReason, StepKind, StepRecord};

use serde::{Deserialize, Serialize};

/// Simulated milliseconds since the start of the run.
pub type Time = u64;

/// A node of the simulated network (a broker, a client, ...). Dense, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

/// Every message ever sent in a run has a unique id, in send order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MsgId(pub u64);
