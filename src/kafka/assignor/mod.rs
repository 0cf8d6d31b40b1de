//! Kafka's classic consumer-group partition assignors, reproducing exactly what the
//! group leader's assignor returns in Kafka 4.x (non-rack path): `range`,
//! `roundrobin`, `sticky` and `cooperative-sticky`.
//!
//! The input models what the leader's `ConsumerCoordinator.onLeaderElected` hands the
//! assignor after decoding the JoinGroup response:
//! * members in JoinGroup-response order (they are put into a `java.util.HashMap`
//!   keyed by member id, and the sticky assignors iterate that map, so its order
//!   is emulated: see [`java_hashmap`]);
//! * each member's subscribed topics (the wire format sorts them; duplicates are impossible);
//! * `owned`: for `cooperative-sticky`, the protocol's `ownedPartitions` (the wire
//!   format sorts them by topic, then partition); for `sticky`, the member's previous
//!   assignment as the leader returned it (the StickyAssignor re-encodes it in its
//!   user data grouped by topic in `HashMap` order, which is emulated); ignored by
//!   `range` and `roundrobin`;
//! * `generation`: the member's last generation (`None`, or negative, = none).
//!
//! `partitions_per_topic` is the leader's metadata: only topics that someone
//! subscribes to and that have at least one partition take part, as in
//! `AbstractPartitionAssignor.assign(Cluster, GroupSubscription)`.
//!
//! Output lists are in the order Kafka's assignor returns them.

pub mod cooperative_sticky;
pub mod java_hashmap;
pub mod range;
pub mod roundrobin;
pub mod sticky;

use crate::kernel::sort::stable_sort_by;
use crate::kernel::sort::CollectBTree;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use java_hashmap::{java_string_cmp, put_order};

/// A topic partition: (topic, partition number).
pub type TopicPartition = (String, u32);

/// Member id -> assigned partitions, every member present.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// The built-in assignor to run (`partition.assignment.strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];

    /// The assignor's protocol name, as Kafka's `name()` returns it.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// Parses a protocol name (`range`, `roundrobin`, `sticky`, `cooperative-sticky`).
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == name)
    }

    /// True for the cooperative (incremental) rebalance protocol.
    pub fn is_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::from_name(s)
            .ok_or_else(|| format!("unknown strategy '{s}' (expected range, roundrobin, sticky or cooperative-sticky)"))
    }
}

/// One member's JoinGroup subscription, as the leader sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberSubscription {
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    /// Partitions the member reports as owned (see the module docs).
    pub owned: Vec<TopicPartition>,
    /// The member's last generation; `None` (or a negative value) means none.
    pub generation: Option<i32>,
}

impl MemberSubscription {
    /// A member with a subscription and nothing else.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        MemberSubscription {
            member_id: member_id.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        }
    }
}

/// Why no assignment could be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    /// Two members share a member id (a map key in Kafka, so impossible there).
    DuplicateMember(String),
    /// A sticky-family member claims a partition number the topic does not have
    /// (a topic recreated with fewer partitions). Kafka's sticky assignors keep such
    /// a claim and can hand the non-existent partition out again; that path is not emulated.
    OwnedPartitionOutOfRange { member: String, topic: String, partition: u32, partitions: u32 },
    /// The real assignor throws here (`exception` is the Java exception class).
    KafkaThrows { exception: &'static str, detail: String },
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssignError::DuplicateMember(id) => write!(f, "member id '{id}' appears more than once"),
            AssignError::OwnedPartitionOutOfRange { member, topic, partition, partitions } => write!(
                f,
                "member '{member}' owns {topic}-{partition} but topic '{topic}' has only {partitions} \
                 partition(s); Kafka's sticky assignors mishandle this case and it is not emulated"
            ),
            AssignError::KafkaThrows { exception, detail } => {
                write!(f, "Kafka's assignor throws {exception} for this input: {detail}")
            }
        }
    }
}

impl std::error::Error for AssignError {}

pub(crate) fn kafka_throws(exception: &'static str, detail: impl Into<String>) -> AssignError {
    AssignError::KafkaThrows { exception, detail: detail.into() }
}

/// `topic-partition`, Kafka's `TopicPartition.toString()`.
pub fn format_topic_partition(tp: &TopicPartition) -> String {
    format!("{}-{}", tp.0, tp.1)
}

/// Parses `topic-partition`, splitting at the **last** `-` (topic names may contain `-`).
/// The partition must be plain decimal digits that fit an `i32`.
pub fn parse_topic_partition(s: &str) -> Option<TopicPartition> {
    let (topic, num) = s.rsplit_once('-')?;
    if topic.is_empty() || num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let p: u32 = num.parse().ok()?;
    if p > i32::MAX as u32 {
        return None;
    }
    Some((topic.to_string(), p))
}

/// A member after the JoinGroup wire round trip.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub id: String,
    pub instance_id: Option<String>,
    /// Deduplicated and sorted in Java `String` order (the wire format sorts them).
    pub topics: Vec<String>,
    /// Deduplicated, in the order given.
    pub owned: Vec<TopicPartition>,
    pub generation: Option<i32>,
}

impl Member {
    pub fn subscribes(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t == topic)
    }
}

/// Everything an assignor needs, already normalised.
pub(crate) struct Group {
    /// Members in input (JoinGroup response) order.
    pub members: Vec<Member>,
    /// Indices into `members` in the iteration order of Kafka's `subscriptions` HashMap.
    pub hash_order: Vec<usize>,
    /// Topics subscribed by someone and having at least one partition.
    pub partitions_per_topic: BTreeMap<String, u32>,
}

impl Group {
    fn new(partitions_per_topic: &BTreeMap<String, u32>, members: &[MemberSubscription]) -> Result<Group, AssignError> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            if !seen.insert(m.member_id.clone()) {
                return Err(AssignError::DuplicateMember(m.member_id.clone()));
            }
            let mut topics: Vec<String> = m.topics.clone();
            stable_sort_by(&mut topics, &|a, b| java_string_cmp(a, b));
            topics.dedup();
            let mut owned: Vec<TopicPartition> = Vec::with_capacity(m.owned.len());
            let mut owned_seen = BTreeSet::new();
            for tp in &m.owned {
                if owned_seen.insert(tp.clone()) {
                    owned.push(tp.clone());
                }
            }
            out.push(Member {
                id: m.member_id.clone(),
                instance_id: m.group_instance_id.clone(),
                topics,
                owned,
                generation: m.generation.filter(|g| *g >= 0),
            });
        }
        let hash_order = {
            let order = put_order(out.iter().map(|m| m.id.clone()));
            let index: BTreeMap<&str, usize> = out.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).btree_map();
            order.iter().map(|id| index[id.as_str()]).collect()
        };
        let subscribed: BTreeSet<&str> = out.iter().flat_map(|m| m.topics.iter().map(|t| t.as_str())).btree_set();
        let partitions_per_topic = partitions_per_topic
            .iter()
            .filter(|(t, n)| **n > 0 && subscribed.contains(t.as_str()))
            .map(|(t, n)| (t.clone(), *n))
            .collect();
        Ok(Group { members: out, hash_order, partitions_per_topic })
    }

    /// `MemberInfo.compareTo`: static members first by `group.instance.id`, then
    /// dynamic members by member id. Equal instance ids compare equal (a stable sort
    /// then keeps the previous order).
    pub fn member_info_cmp(&self, a: usize, b: usize) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        let (ma, mb) = (&self.members[a], &self.members[b]);
        match (&ma.instance_id, &mb.instance_id) {
            (Some(x), Some(y)) => java_string_cmp(x, y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => java_string_cmp(&ma.id, &mb.id),
        }
    }

    fn assignment_from(&self, lists: Vec<Vec<TopicPartition>>) -> Assignment {
        self.members.iter().map(|m| m.id.clone()).zip(lists).btree_map()
    }
}

/// A long-lived assignor, like the instance a Kafka consumer keeps: the sticky
/// assignors remember the highest generation they have seen (`maxGeneration`, an
/// instance field in Java that is never reset), which affects later rebalances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignor {
    strategy: Strategy,
    max_generation: i32,
}

impl Assignor {
    pub fn new(strategy: Strategy) -> Self {
        Assignor { strategy, max_generation: -1 }
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The sticky family's `maxGeneration` (-1 until a member reported a generation).
    pub fn max_generation(&self) -> i32 {
        self.max_generation
    }

    /// Runs the assignor once, as the group leader would.
    pub fn assign(
        &mut self,
        partitions_per_topic: &BTreeMap<String, u32>,
        members: &[MemberSubscription],
    ) -> Result<Assignment, AssignError> {
        let group = Group::new(partitions_per_topic, members)?;
        let lists = match self.strategy {
            Strategy::Range => range::assign(&group),
            Strategy::RoundRobin => roundrobin::assign(&group)?,
            Strategy::Sticky => sticky::assign(&group, sticky::Flavor::Eager, &mut self.max_generation)?.lists,
            Strategy::CooperativeSticky => cooperative_sticky::assign(&group, &mut self.max_generation)?,
        };
        Ok(group.assignment_from(lists))
    }
}

/// Runs a fresh assignor once (for the sticky family: `maxGeneration` starts at -1).
pub fn assign(
    strategy: Strategy,
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignError> {
    Assignor::new(strategy).assign(partitions_per_topic, members)
}
