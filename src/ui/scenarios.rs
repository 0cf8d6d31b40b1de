//! The scenarios the start screen offers, embedded in the wasm (so the app works offline
//! from static files), minified by `build.rs`. The lessons come from `scenarios/` (the
//! RocketMQ ones from `scenarios/rocketmq/`, as `rmq-<file>`); the two large clusters (for the
//! scale view and the benchmark) live next to this file.

/// Where a scenario sits on the start screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shelf {
    /// The first lessons a newcomer should open.
    Featured,
    More,
    /// acks, retries, idempotence, send styles.
    Producers,
    /// Transactions, read_committed, zombies and exactly-once pipelines.
    Transactions,
    /// The RocketMQ model: master/slave groups, consumer offsets, long polling, flush.
    RocketMq,
    Large,
}

pub struct Builtin {
    pub id: &'static str,
    pub json: &'static str,
    pub shelf: Shelf,
}

macro_rules! lesson {
    ($id:literal, $shelf:expr) => {
        Builtin { id: $id, json: include_str!(concat!(env!("OUT_DIR"), "/", $id, ".json")), shelf: $shelf }
    };
}

/// Every built-in scenario, in start-screen order.
pub const BUILTINS: &[Builtin] = &[
    lesson!("acks1-leader-failure", Shelf::Featured),
    lesson!("acks-all-leader-failure", Shelf::Featured),
    lesson!("unclean-leader-election", Shelf::Featured),
    lesson!("more-consumers-than-partitions", Shelf::Featured),
    lesson!("clean-leader-election", Shelf::More),
    lesson!("leader-epoch-legacy-truncation", Shelf::More),
    lesson!("leader-epoch-truncation", Shelf::More),
    lesson!("not-enough-replicas", Shelf::More),
    lesson!("hw-gates-reads", Shelf::More),
    lesson!("hw-gates-reads-isr-shrinks", Shelf::More),
    lesson!("power-loss-unflushed", Shelf::More),
    lesson!("power-loss-flush-every-message", Shelf::More),
    lesson!("power-loss-separate-racks", Shelf::More),
    lesson!("new-group-latest", Shelf::More),
    lesson!("new-group-earliest", Shelf::More),
    lesson!("add-partitions-for-idle-consumer", Shelf::More),
    lesson!("auto-commit-duplicates", Shelf::More),
    lesson!("idempotent-consumer", Shelf::More),
    lesson!("commit-before-processing", Shelf::More),
    lesson!("commit-after-processing", Shelf::More),
    lesson!("committed-offset-is-next", Shelf::More),
    lesson!("zombie-consumer-fenced", Shelf::More),
    lesson!("coordinator-failover", Shelf::More),
    lesson!("group-broker-failure-and-pause", Shelf::More),
    lesson!("slow-consumer-retention", Shelf::More),
    lesson!("slow-consumer-long-retention", Shelf::More),
    lesson!("consumer-lag-grows", Shelf::More),
    lesson!("consumer-lag-scaled-out", Shelf::More),
    lesson!("rebalance-range", Shelf::More),
    lesson!("rebalance-roundrobin", Shelf::More),
    lesson!("rebalance-sticky", Shelf::More),
    lesson!("rebalance-cooperative-sticky", Shelf::More),
    lesson!("acks0-leader-failure", Shelf::Producers),
    lesson!("fire-and-forget-loss", Shelf::Producers),
    lesson!("sync-send-sees-failures", Shelf::Producers),
    lesson!("key-order-round-robin", Shelf::Producers),
    lesson!("key-order-same-partition", Shelf::Producers),
    lesson!("retry-duplicates", Shelf::Producers),
    lesson!("retry-duplicates-idempotent", Shelf::Producers),
    lesson!("retry-reordering", Shelf::Producers),
    lesson!("retry-reordering-one-in-flight", Shelf::Producers),
    lesson!("retry-reordering-idempotent", Shelf::Producers),
    lesson!("transaction-aborted-read", Shelf::Transactions),
    lesson!("transaction-read-committed", Shelf::Transactions),
    lesson!("zombie-producer-fenced", Shelf::Transactions),
    lesson!("pipeline-duplicates", Shelf::Transactions),
    lesson!("pipeline-exactly-once", Shelf::Transactions),
    lesson!("pipeline-zombie-duplicates", Shelf::Transactions),
    lesson!("pipeline-zombie-fenced", Shelf::Transactions),
    lesson!("rmq-master-returns-keeps-progress", Shelf::RocketMq),
    lesson!("rmq-master-returns-stale-offset", Shelf::RocketMq),
    lesson!("rmq-long-polling", Shelf::RocketMq),
    lesson!("rmq-short-polling", Shelf::RocketMq),
    lesson!("rmq-async-flush-power-loss", Shelf::RocketMq),
    lesson!("rmq-sync-flush-power-loss", Shelf::RocketMq),
    Builtin {
        id: "cluster-9-brokers",
        json: include_str!(concat!(env!("OUT_DIR"), "/cluster-9-brokers.json")),
        shelf: Shelf::Large,
    },
    Builtin {
        id: "cluster-50-brokers",
        json: include_str!(concat!(env!("OUT_DIR"), "/cluster-50-brokers.json")),
        shelf: Shelf::Large,
    },
];

pub fn builtin(id: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.id == id)
}
