//! View models: plain data the UI renders. Built from engine state by [`crate::session`];
//! the UI never touches engine internals.
use serde::Serialize;

/// Everything the picture needs at one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterView {
    pub step: u64,
    pub time_ms: u64,
    pub brokers: Vec<BrokerView>,
    pub partitions: Vec<PartitionView>,
    pub in_flight: Vec<MessageView>,
    pub clients: Vec<ClientView>,
    pub controller: Option<u32>,
    pub narration: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: u32,
    /// "up", "crashed", "fenced"
    pub status: String,
    pub is_controller: bool,
    pub replicas: Vec<ReplicaView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReplicaView {
    pub topic: String,
    pub partition: u32,
    pub is_leader: bool,
    pub in_isr: bool,
    pub leader_epoch: u32,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    /// The leader-epoch runs of the log: (epoch, first offset), ascending. Records from
    /// one run's offset up to the next run's carry that epoch.
    pub epoch_runs: Vec<(u32, u64)>,
    /// Records below this offset are flushed to disk; the rest is in the page cache.
    pub flushed_offset: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PartitionView {
    pub topic: String,
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub high_watermark: u64,
    pub log_end_offset: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub from: String,
    pub to: String,
    pub kind: String,
    pub summary: String,
    pub sent_at_ms: u64,
    pub deliver_at_ms: u64,
}

/// A moment worth jumping to on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marker {
    pub step: u64,
    pub time_ms: u64,
    /// "election", "isr", "fenced", "crash", "restart", "controller", "narration", "anomaly"
    pub kind: &'static str,
    pub label: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClientView {
    pub name: String,
    /// "producer" or "reader"
    pub kind: String,
    pub summary: String,
}
