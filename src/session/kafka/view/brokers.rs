//! Brokers in the view: status, roles, and each replica's log as a strip of cells whose
//! windows line up across the replicas of a partition.
use std::collections::BTreeMap;

use super::Ctx;
use crate::kafka::broker::{Broker, BrokerStatus, Replica};
use crate::kafka::message::ControlType;
use crate::kafka::types::Tp;
use crate::session::kafka::text::describe_internal;
use crate::session::view::{BrokerSummary, BrokerView, CellView, ReplicaView, TruncationView};

/// Who wrote transaction markers, and where each partition's strip window ends.
struct Strips {
    /// Producer ids as the producers know them now (two producers with one transactional
    /// id share it: "old/new").
    pid_names: BTreeMap<i64, String>,
    /// One window per partition, so the strips of its replicas line up.
    window_end: BTreeMap<Tp, u64>,
}

impl Strips {
    fn new(c: &Ctx) -> Strips {
        let world = c.world;
        let mut pid_names: BTreeMap<i64, String> = BTreeMap::new();
        if c.spec.transaction_topic.is_some() {
            let named = world.producers.iter().map(|p| (p.producer_id, &p.name));
            let embedded = world.consumers.iter().filter_map(|c| c.producer.as_ref().map(|p| (p.producer_id, &c.name)));
            for (pid, name) in named.chain(embedded).filter(|(pid, _)| *pid >= 0) {
                let entry = pid_names.entry(pid).or_default();
                if !entry.is_empty() {
                    entry.push('/');
                }
                entry.push_str(name);
            }
        }
        let mut window_end: BTreeMap<Tp, u64> = BTreeMap::new();
        for b in &world.brokers {
            for (tp, r) in &b.replicas {
                let mut end = r.log.log_end_offset();
                if let Some(t) = c.run.truncation_at(b.id.0, *tp, c.cursor) {
                    end = end.max(t.1 + t.2.len() as u64);
                }
                let e = window_end.entry(*tp).or_insert(0);
                *e = (*e).max(end);
            }
        }
        Strips { pid_names, window_end }
    }
}

/// Every broker, with replica details for those `opts.detail_brokers` asks for.
pub(super) fn brokers(c: &Ctx) -> Vec<BrokerView> {
    let strips = Strips::new(c);
    let txn_ids = transactional_ids(c);
    let active = c.world.controller.active;
    let group_names = &c.run.groups;
    c.world
        .brokers
        .iter()
        .map(|b| {
            let detailed = c.opts.detail_brokers.as_ref().is_none_or(|v| v.contains(&b.id.0));
            let replicas = if detailed {
                b.replicas.iter().map(|(tp, r)| replica(c, &strips, b, *tp, r)).collect()
            } else {
                Vec::new()
            };
            BrokerView {
                id: b.id.0,
                status: status(c, b).to_string(),
                is_controller: active == Some(b.id),
                replicas,
                coordinator_for: group_names.iter().filter(|g| c.coordinator_of(g) == Some(b.id)).cloned().collect(),
                slow_ms: c.sim.network().slowness(b.node()),
                summary: summary(c, b),
                txn_coordinator_for: txn_ids
                    .iter()
                    .filter(|id| c.txn_coordinator_of(id) == Some(b.id))
                    .cloned()
                    .collect(),
                timers: super::timers::broker_timers(c, b),
            }
        })
        .collect()
}

fn status(c: &Ctx, b: &Broker) -> &'static str {
    match b.status {
        BrokerStatus::Running if c.world.controller.brokers.get(&b.id).is_some_and(|r| r.fenced) => "fenced",
        BrokerStatus::Running => "up",
        BrokerStatus::Crashed => "crashed",
        BrokerStatus::PoweredOff => "powered-off",
    }
}

/// Counts for a broker card, detailed or not.
fn summary(c: &Ctx, b: &Broker) -> BrokerSummary {
    let mut summary = BrokerSummary::default();
    for (tp, r) in &b.replicas {
        summary.replicas += 1;
        summary.records += r.log.log_end_offset();
        let state = c.world.controller.partitions.get(tp);
        if r.is_leader {
            summary.leaders += 1;
            if state.is_some_and(|s| s.isr.len() < s.replicas.len()) {
                summary.under_replicated_led += 1;
            }
        }
        if !state.is_some_and(|s| s.isr.contains(&b.id)) {
            summary.out_of_isr += 1;
        }
    }
    summary
}

fn replica(c: &Ctx, strips: &Strips, b: &Broker, tp: Tp, r: &Replica) -> ReplicaView {
    let end = strips.window_end.get(&tp).copied().unwrap_or(0);
    let start = end.saturating_sub(u64::from(c.opts.cells));
    ReplicaView {
        topic: c.topic_name(tp.topic),
        partition: tp.partition,
        is_leader: r.is_leader,
        in_isr: c.world.controller.partitions.get(&tp).is_some_and(|s| s.isr.contains(&b.id)),
        leader_epoch: r.state.leader_epoch,
        log_start_offset: r.log.log_start_offset(),
        log_end_offset: r.log.log_end_offset(),
        high_watermark: r.log.high_watermark(),
        last_stable_offset: r.log.last_stable_offset(),
        epoch_runs: r.log.epochs().to_vec(),
        flushed_offset: r.log.flushed_offset(),
        show_flush: c.run.show_flush,
        internal: c.is_internal(tp.topic),
        window_start: start,
        window_end: end,
        cells: if c.opts.cells == 0 { Vec::new() } else { cells(c, strips, r, start) },
        truncated: c.run.truncation_at(b.id.0, tp, c.cursor).filter(|t| !t.2.is_empty()).map(|t| TruncationView {
            step: t.0,
            offset: t.1,
            records: t.2.clone(),
        }),
    }
}

/// The cells of a replica's log from offset `start` to its end.
fn cells(c: &Ctx, strips: &Strips, r: &Replica, start: u64) -> Vec<CellView> {
    let leo = r.log.log_end_offset();
    let open: Vec<(u64, i64)> = r.log.ongoing_transactions().collect();
    r.log
        .records_from(start.min(leo))
        .take((leo.saturating_sub(start)) as usize)
        .enumerate()
        .map(|(i, rec)| {
            let offset = start + i as u64;
            let app = rec.payload.is_none() && rec.control.is_none();
            let info = if app { rec.id.index().and_then(|i| c.world.records.get(i)) } else { None };
            let control = rec.control.map(|c| if c == ControlType::Commit { "commit" } else { "abort" });
            let txn = (rec.transactional && control.is_none()).then(|| {
                if r.log.is_aborted(offset) {
                    "aborted"
                } else if open.iter().any(|(first, pid)| *pid == rec.producer_id && *first <= offset) {
                    "open"
                } else {
                    "committed"
                }
            });
            CellView {
                offset,
                epoch: rec.leader_epoch,
                record: app.then_some(rec.id.0),
                key: info.and_then(|i| i.key.as_ref().map(|k| k.to_string())),
                producer: match info {
                    Some(i) => Some(c.spec.producer_name(i.producer)),
                    None if control.is_some() => strips.pid_names.get(&rec.producer_id).cloned(),
                    None => None,
                },
                internal: rec.payload.as_deref().map(|p| describe_internal(c.spec, p)),
                control,
                txn,
            }
        })
        .collect()
}

/// Every transactional id of the scenario: producers' and pipelines'.
fn transactional_ids(c: &Ctx) -> Vec<String> {
    let spec = c.spec;
    let mut ids: Vec<String> = spec.producers.iter().filter_map(|p| p.config.transactional_id.clone()).collect();
    ids.extend(spec.consumers.iter().filter_map(|c| c.transform.as_ref()?.producer.transactional_id.clone()));
    // Two producers may share an id (the zombie lessons): one coordinator badge.
    let mut seen = Vec::new();
    ids.retain(|id| {
        let new = !seen.contains(id);
        seen.push(id.clone());
        new
    });
    ids
}
