//! Producers, readers and consumers in the view.
use super::Ctx;
use crate::kafka::consumer::{Consumer, ConsumerStatus, JoinState};
use crate::kafka::producer::Producer;
use crate::kafka::txn_client::TxnClientState;
use crate::session::kafka::text::tp_name;
use crate::session::view::{ClientView, ConsumerView, ProducerView, ReaderView};

/// A transactional id's state at its coordinator (None while the coordinator is down).
fn txn_state_of(c: &Ctx, id: &str) -> Option<String> {
    let broker = c.world.broker(c.txn_coordinator_of(id)?);
    if !broker.is_running() {
        return None;
    }
    broker.txn_coordinator.txns.get(id).map(|e| e.meta.state.name().to_string())
}

/// A producer, standalone or inside a pipeline (named after its consumer).
fn producer_view(c: &Ctx, p: &Producer, name: &str) -> ProducerView {
    let txn = p.txn.as_ref();
    ProducerView {
        name: name.to_string(),
        acks: p.config.acks.as_str().to_string(),
        idempotent: p.config.idempotent(),
        acked: p.acked,
        failed: p.failed,
        pending: p.pending() as u64,
        in_flight_requests: p.in_flight_requests() as u64,
        running: p.running,
        transactional_id: p.config.transactional_id.clone(),
        producer_id: p.producer_id,
        producer_epoch: p.producer_epoch,
        txn_state: txn.map(|t| t.state.name().to_string()),
        txn_error: txn.and_then(|t| match t.state {
            TxnClientState::AbortableError(e) | TxnClientState::Fatal(e) => Some(e.name().to_string()),
            _ => None,
        }),
        txn_call: txn.and_then(|t| t.current_call()).map(str::to_string),
        txn_partitions: txn.map(|t| t.added.iter().map(|tp| tp_name(c.spec, *tp)).collect()).unwrap_or_default(),
        txn_coordinator: txn.and_then(|t| t.coordinator).map(|b| b.0),
        coordinator_state: p.config.transactional_id.as_deref().and_then(|id| txn_state_of(c, id)),
    }
}

pub(super) fn producers(c: &Ctx) -> Vec<ProducerView> {
    c.world.producers.iter().map(|p| producer_view(c, p, &p.name)).collect()
}

pub(super) fn readers(c: &Ctx) -> Vec<ReaderView> {
    c.world
        .readers
        .iter()
        .map(|r| ReaderView {
            name: r.name.clone(),
            topic: c.topic_name(r.topic),
            isolation: r.config.isolation_level.as_str().to_string(),
            records_read: r.records_read,
            positions: r.positions.iter().map(|(tp, o)| (tp.partition, *o)).collect(),
        })
        .collect()
}

pub(super) fn consumers(c: &Ctx) -> Vec<ConsumerView> {
    c.world.consumers.iter().map(|x| consumer_view(c, x)).collect()
}

fn consumer_view(c: &Ctx, x: &Consumer) -> ConsumerView {
    let now = c.sim.now();
    let frozen = x.frozen_until.filter(|t| *t > now);
    let blocked = x.blocked_until.filter(|t| *t > now);
    let status = match x.status {
        ConsumerStatus::Crashed => "crashed",
        ConsumerStatus::Closed => "closed",
        ConsumerStatus::Failed => "failed",
        ConsumerStatus::Running if frozen.is_some() => "frozen",
        ConsumerStatus::Running if blocked.is_some() => "slow",
        ConsumerStatus::Running => "running",
    };
    let running = x.status == ConsumerStatus::Running;
    ConsumerView {
        name: x.name.clone(),
        group: x.group.to_string(),
        status: status.to_string(),
        member_id: x.member_id.to_string(),
        generation: x.generation,
        join_state: match x.join_state {
            JoinState::NotMember => "none",
            JoinState::Joining(_) => "joining",
            JoinState::Syncing(_) => "syncing",
            JoinState::Member => "member",
        }
        .to_string(),
        assignment: if running {
            x.assignment
                .iter()
                .map(|tp| (c.topic_name(tp.topic), tp.partition, x.positions.get(tp).copied().unwrap_or(0)))
                .collect()
        } else {
            Vec::new()
        },
        committed: x.committed.iter().map(|(tp, o)| (c.topic_name(tp.topic), tp.partition, *o)).collect(),
        processed: x.processed,
        coordinator: x.coordinator.map(|b| b.0),
        paused_until: frozen.or(blocked),
        isolation: x.config.isolation_level.as_str().to_string(),
        output_topic: c
            .spec
            .consumers
            .get(x.index as usize)
            .and_then(|cs| cs.transform.as_ref())
            .map(|t| c.topic_name(t.topic)),
        producer: x.producer.as_deref().map(|p| producer_view(c, p, &x.name)),
        timers: super::timers::consumer_timers(c, x),
    }
}

/// One line per client, for the compact list.
pub(super) fn summaries(
    producers: &[ProducerView],
    readers: &[ReaderView],
    consumers: &[ConsumerView],
) -> Vec<ClientView> {
    let mut clients: Vec<ClientView> = producers
        .iter()
        .map(|p| ClientView {
            name: p.name.clone(),
            kind: "producer".into(),
            summary: format!("acks={} acked={} failed={} pending={}", p.acks, p.acked, p.failed, p.pending),
        })
        .collect();
    clients.extend(readers.iter().map(|r| ClientView {
        name: r.name.clone(),
        kind: "reader".into(),
        summary: format!("read={} positions={:?}", r.records_read, r.positions.iter().map(|p| p.1).collect::<Vec<_>>()),
    }));
    clients.extend(consumers.iter().map(|c| ClientView {
        name: c.name.clone(),
        kind: "consumer".into(),
        summary: format!("group={} {} generation={} processed={}", c.group, c.status, c.generation, c.processed),
    }));
    clients
}
