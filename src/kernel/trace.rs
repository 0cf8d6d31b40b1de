//! Trace records: one per step. The notes a step produced (state changes) are stored
//! beside it by whoever keeps the trace (see [`super::Timeline`]).
use serde::Serialize;

use super::{MsgId, NodeId, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DropReason {
    /// The random drop probability.
    Lost,
    /// The link was cut when the message arrived.
    LinkCut,
    /// The receiver was down when the message arrived.
    ReceiverDown,
    /// Another message of the same connection was lost: the connection broke.
    ConnectionBroken,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Lost => "lost",
            DropReason::LinkCut => "link cut",
            DropReason::ReceiverDown => "receiver down",
            DropReason::ConnectionBroken => "connection broken",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type")]
pub enum StepKind {
    Deliver {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
    },
    Drop {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        reason: DropReason,
    },
    Timer {
        node: NodeId,
        name: &'static str,
    },
    /// A scripted or user action; `label` describes it.
    Action {
        label: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StepRecord {
    /// 1-based: step 0 is the initial state, step n is the state after n events.
    pub index: u64,
    pub time: Time,
    pub kind: StepKind,
}
