//! Checks a set of brokers the way RocketMQ's start-up and clients would see it (classic
//! master/slave mode): every broker group needs exactly one master, with `brokerId` 0, and
//! slaves need distinct ids above 0.
//!
//! - `B/BrokerStartup.java`: a SLAVE with `brokerId` ≤ 0 refuses to start ("Slave's brokerId
//!   must be > 0"); ASYNC_MASTER and SYNC_MASTER are given `brokerId` 0 whatever was set
//!   (Highwater asks for 0 to be written rather than change it silently).
//! - `C/impl/factory/MQClientInstance.topicRouteData2TopicPublishInfo`: producers skip a
//!   group with no id 0, so a group without a master never takes a write.
//!
//! DLedger and controller mode (where ids and roles change at run time) are not modelled yet.

use std::collections::BTreeMap;
use std::fmt;

use super::{BrokerConfig, Version};

/// Why a set of brokers is not a working topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologyError {
    NoBrokers,
    /// Brokers of different release lines.
    MixedVersions {
        first: Version,
        other: Version,
    },
    /// A SLAVE with `brokerId` ≤ 0.
    SlaveWithMasterId {
        broker_name: String,
        broker_id: i64,
    },
    /// An ASYNC_MASTER or SYNC_MASTER with `brokerId` ≠ 0.
    MasterWithSlaveId {
        broker_name: String,
        broker_id: i64,
        role: &'static str,
    },
    /// Two brokers of a group with one id.
    DuplicateId {
        broker_name: String,
        broker_id: i64,
    },
    /// A group of slaves only.
    NoMaster {
        broker_name: String,
        slave_ids: Vec<i64>,
    },
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopologyError::NoBrokers => write!(f, "no brokers: a cluster needs at least one master"),
            TopologyError::MixedVersions { first, other } => write!(
                f,
                "brokers of RocketMQ {} and {} mixed: pick one release line for the cluster",
                first.label(),
                other.label()
            ),
            TopologyError::SlaveWithMasterId { broker_name, broker_id } => write!(
                f,
                "broker group '{broker_name}': a SLAVE has brokerId {broker_id}, but a slave's brokerId must be > 0 \
                 (RocketMQ refuses to start it: \"Slave's brokerId must be > 0\"); 0 is the master's"
            ),
            TopologyError::MasterWithSlaveId { broker_name, broker_id, role } => write!(
                f,
                "broker group '{broker_name}': a {role} has brokerId {broker_id}; a master's brokerId is 0 \
                 (RocketMQ sets it to 0 at start-up), so write brokerId=0"
            ),
            TopologyError::DuplicateId { broker_name, broker_id } => {
                write!(f, "broker group '{broker_name}': two brokers have brokerId {broker_id}")
            }
            TopologyError::NoMaster { broker_name, slave_ids } => {
                let ids: Vec<String> = slave_ids.iter().map(i64::to_string).collect();
                write!(
                    f,
                    "broker group '{broker_name}' has no master (brokerId 0), only slaves with brokerId {}: \
                     producers skip a group without a master, so it could never take a write",
                    ids.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for TopologyError {}

/// Checks `brokers`; the first problem found, in broker-name order, is returned.
pub fn validate_topology(brokers: &[BrokerConfig]) -> Result<(), TopologyError> {
    let first = brokers.first().ok_or(TopologyError::NoBrokers)?;
    if let Some(other) = brokers.iter().find(|b| b.version != first.version) {
        return Err(TopologyError::MixedVersions { first: first.version, other: other.version });
    }
    let mut groups: BTreeMap<&str, Vec<&BrokerConfig>> = BTreeMap::new();
    for b in brokers {
        groups.entry(b.broker_name.as_str()).or_default().push(b);
    }
    for (name, members) in groups {
        check_group(name, &members)?;
    }
    Ok(())
}

fn check_group(name: &str, members: &[&BrokerConfig]) -> Result<(), TopologyError> {
    let broker_name = name.to_string();
    for b in members {
        let (role, id) = (b.broker_role, b.broker_id);
        if !role.is_master() && id <= 0 {
            return Err(TopologyError::SlaveWithMasterId { broker_name, broker_id: id });
        }
        if role.is_master() && id != 0 {
            return Err(TopologyError::MasterWithSlaveId { broker_name, broker_id: id, role: role.java_name() });
        }
    }
    let mut ids: Vec<i64> = members.iter().map(|b| b.broker_id).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(TopologyError::DuplicateId { broker_name, broker_id: w[0] });
    }
    if !ids.contains(&0) {
        return Err(TopologyError::NoMaster { broker_name, slave_ids: ids });
    }
    Ok(())
}
