//! The consumer group protocol (classic): JoinGroup, SyncGroup, Heartbeat, and the offsets a
//! group commits and fetches, between a consumer and its group coordinator.
use std::rc::Rc;

use super::{tp_str, tps_str};
use crate::kafka::types::{BrokerId, ErrorCode, Tp};

/// A member's entry in a JoinGroup: its subscription and, for the sticky assignors, what
/// it owns (ConsumerProtocolSubscription).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupMemberMetadata {
    pub member_id: Rc<str>,
    pub group_instance_id: Option<Rc<str>>,
    pub topics: Vec<u32>,
    /// The protocol's `ownedPartitions` and `generationId` (what cooperative-sticky reads).
    pub owned: Vec<Tp>,
    pub generation: i32,
    /// The eager `StickyAssignor`'s user data: its previous assignment and generation,
    /// kept across the eager revoke-everything; `None` before its first assignment.
    pub sticky: Option<(Vec<Tp>, i32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OffsetCommitPartition {
    pub tp: Tp,
    pub offset: u64,
}

/// `protocols`: the member's assignors in preference order; `metadata` its subscription.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JoinGroupRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<&'static str>,
    pub metadata: GroupMemberMetadata,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyncGroupRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub assignments: Vec<(Rc<str>, Vec<Tp>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeartbeatRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OffsetCommitRequest {
    pub correlation: u64,
    pub group: Rc<str>,
    pub member_id: Rc<str>,
    pub generation: i32,
    pub offsets: Vec<OffsetCommitPartition>,
}

pub(super) fn find_coordinator_summary(group: &str, transaction: bool) -> String {
    format!("{} {group}", if transaction { "transactional.id" } else { "group" })
}

pub(super) fn find_coordinator_response_summary(error: ErrorCode, coordinator: Option<BrokerId>) -> String {
    format!("{} coordinator={}", error.name(), coordinator.map(|b| b.0.to_string()).unwrap_or_else(|| "none".into()))
}

impl JoinGroupRequest {
    pub(super) fn summary(&self) -> String {
        let previous = match &self.metadata.sticky {
            Some((tps, generation)) => format!(" sticky.previous={}@{generation}", tps_str(tps)),
            None => String::new(),
        };
        format!(
            "member={} protocols={} owned={}{previous}",
            if self.member_id.is_empty() { "(new)" } else { &*self.member_id },
            self.protocols.join(","),
            tps_str(&self.metadata.owned)
        )
    }
}

/// The JoinGroup answer; `members` (the count sent) is non-zero only for the leader.
pub(super) fn join_group_response_summary(
    error: ErrorCode,
    generation: i32,
    protocol: Option<&'static str>,
    leader: &str,
    member_id: &str,
    members: usize,
) -> String {
    format!(
        "{} generation={generation} protocol={} leader={leader} member={member_id}{}",
        error.name(),
        protocol.unwrap_or("-"),
        if members == 0 { String::new() } else { format!(" members={members}") }
    )
}

impl SyncGroupRequest {
    pub(super) fn summary(&self) -> String {
        format!(
            "member={} generation={}{}",
            self.member_id,
            self.generation,
            if self.assignments.is_empty() {
                String::new()
            } else {
                format!(" assignments for {}", self.assignments.len())
            }
        )
    }
}

impl OffsetCommitRequest {
    pub(super) fn summary(&self) -> String {
        format!("member={} generation={} {}", self.member_id, self.generation, offsets_str(&self.offsets))
    }
}

pub(super) fn offset_fetch_response_summary(error: ErrorCode, offsets: &[(Tp, Option<u64>)]) -> String {
    format!(
        "{} {}",
        error.name(),
        offsets
            .iter()
            .map(|(tp, o)| format!("{}={}", tp_str(tp), o.map(|o| o.to_string()).unwrap_or_else(|| "none".into())))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// `t0-1=5,t0-2=7`: committed offsets as the summaries show them.
pub(super) fn offsets_str(offsets: &[OffsetCommitPartition]) -> String {
    offsets.iter().map(|o| format!("{}={}", tp_str(&o.tp), o.offset)).collect::<Vec<_>>().join(",")
}
