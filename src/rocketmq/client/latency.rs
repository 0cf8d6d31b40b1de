//! `C/latency/MQFaultStrategy` and `LatencyFaultToleranceImpl` (`sendLatencyFaultEnable`):
//! after each send attempt the broker group is marked "not available" for a time that
//! grows with the attempt's latency; a failed attempt counts as a fixed long latency.
//!
//! The tables differ between the lines. 4.9.7: latencyMax {50, 100, 550, 1000, 2000, 3000,
//! 15000} → notAvailableDuration {0, 0, 30000, 60000, 120000, 180000, 600000}, a failure
//! counted as 30000. 5.x: {50, 100, 550, 1800, 3000, 5000, 15000} → {0, 0, 2000, 5000,
//! 6000, 10000, 30000}, a failure counted as 10000.

use std::collections::BTreeMap;

use crate::kernel::Time;
use crate::rocketmq::config::Version;

const LATENCY_MAX_V4: [u64; 7] = [50, 100, 550, 1_000, 2_000, 3_000, 15_000];
const NOT_AVAILABLE_V4: [u64; 7] = [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000];
const LATENCY_MAX_V5: [u64; 7] = [50, 100, 550, 1_800, 3_000, 5_000, 15_000];
const NOT_AVAILABLE_V5: [u64; 7] = [0, 0, 2_000, 5_000, 6_000, 10_000, 30_000];

/// Per broker group: not available until then.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencyFaultTolerance {
    pub not_available_until: BTreeMap<u32, Time>,
}

impl LatencyFaultTolerance {
    /// `computeNotAvailableDuration`: the duration of the largest latency step reached.
    fn duration(version: Version, latency: u64) -> u64 {
        let (max, dur) = match version {
            Version::V4_9 => (LATENCY_MAX_V4, NOT_AVAILABLE_V4),
            Version::V5 => (LATENCY_MAX_V5, NOT_AVAILABLE_V5),
        };
        (0..max.len()).rev().find(|i| latency >= max[*i]).map_or(0, |i| dur[i])
    }

    /// `updateFaultItem` after an attempt; `isolation` for a failed one.
    pub fn update(&mut self, version: Version, group: u32, now: Time, latency: u64, isolation: bool) {
        let latency = match (isolation, version) {
            (false, _) => latency,
            (true, Version::V4_9) => 30_000,
            (true, Version::V5) => 10_000,
        };
        self.not_available_until.insert(group, now + Self::duration(version, latency));
    }

    pub fn is_available(&self, group: u32, now: Time) -> bool {
        self.not_available_until.get(&group).is_none_or(|t| now >= *t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_tables_of_each_line() {
        assert_eq!(LatencyFaultTolerance::duration(Version::V4_9, 10), 0);
        assert_eq!(LatencyFaultTolerance::duration(Version::V4_9, 600), 30_000);
        assert_eq!(LatencyFaultTolerance::duration(Version::V4_9, 30_000), 600_000);
        assert_eq!(LatencyFaultTolerance::duration(Version::V5, 600), 2_000);
        assert_eq!(LatencyFaultTolerance::duration(Version::V5, 10_000), 10_000);
    }
}
