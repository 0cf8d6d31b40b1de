//! Random fault schedules: broker crashes, power losses and restarts, stalled disks,
//! consumer crashes and failing listeners, cut links and lost messages, on random settings of both release
//! lines. After every step the engine's invariants hold; once everything is healed and
//! restarted, messages sent afterwards reach the consumer group; the same seed gives the
//! same run.
use highwater::kernel::sim::Action;
use highwater::kernel::{NetFault, NetworkConfig, NodeId, Prng, Ratio, Time};
use highwater::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use highwater::rocketmq::notes::Note;
use highwater::rocketmq::world::Spec;
use highwater::rocketmq::{RocketMqAction, SendMode};

mod rocketmq_support;
use rocketmq_support::Run;

const HEAL_AT: Time = 60_000;
const LATE_SEND_AT: Time = 100_000;
const END: Time = 220_000;

fn pick<T: Copy>(prng: &mut Prng, xs: &[T]) -> T {
    xs[prng.below(xs.len() as u64) as usize]
}

/// Two groups (brokers 0-1 and 2-3), one topic of 4 queues, a producer, two consumers.
fn random_spec(prng: &mut Prng) -> Spec {
    let version = pick(prng, &[Version::V4_9, Version::V5]);
    let role = pick(prng, &[BrokerRole::AsyncMaster, BrokerRole::SyncMaster]);
    let flush = pick(prng, &[FlushDiskType::AsyncFlush, FlushDiskType::SyncFlush]);
    let mut spec = Spec::classic(version, &["broker-a", "broker-b"], role, flush, 1).unwrap();
    if prng.below(2) == 0 {
        spec.set_brokers("slaveReadEnable", "true").unwrap();
    }
    if version == Version::V5 && prng.below(2) == 0 {
        spec.set_brokers("inSyncReplicas", "2").unwrap();
    }
    if prng.below(3) == 0 {
        spec.set_brokers("longPollingEnable", "false").unwrap();
    }
    spec.topic("t", 4);
    spec.producer("p");
    spec.consumer("c1", "G", &[0]);
    spec.consumer("c2", "G", &[0]);
    spec.consumers[1].start_ms = prng.below(20_000);
    spec.consumers[0].config.pull_batch_size = pick(prng, &[1, 4, 32]);
    spec
}

fn random_fault(prng: &mut Prng) -> Action<RocketMqAction> {
    let broker = prng.below(4) as u32;
    let node = |prng: &mut Prng| NodeId(prng.below(8) as u32);
    match prng.below(10) {
        0 => Action::Model(RocketMqAction::BrokerCrash(broker)),
        1 => Action::Model(RocketMqAction::BrokerPowerLoss(broker)),
        2 | 3 => Action::Model(RocketMqAction::BrokerRestart(broker)),
        4 => Action::Model(RocketMqAction::DiskStall { broker, ms: prng.between(100, 8_000) }),
        5 => Action::Model(RocketMqAction::ConsumerCrash(prng.below(2) as u32)),
        6 => Action::Model(RocketMqAction::ConsumerRestart(prng.below(2) as u32)),
        7 => Action::Net(NetFault::Cut(node(prng), node(prng))),
        8 => Action::Model(RocketMqAction::ConsumerFailNext { consumer: prng.below(2) as u32, batches: 2 }),
        _ => Action::Net(NetFault::SetDrop(Ratio::new(prng.below(3) as u32, 50))),
    }
}

fn random_script(prng: &mut Prng) -> Vec<(Time, Action<RocketMqAction>)> {
    let mut script = Vec::new();
    for _ in 0..prng.between(5, 25) {
        let mode = pick(prng, &[SendMode::Sync, SendMode::Async, SendMode::Oneway]);
        let count = prng.between(1, 6) as u32;
        script.push((prng.below(HEAL_AT), Action::Model(RocketMqAction::Send { producer: 0, topic: 0, count, mode })));
    }
    for _ in 0..prng.between(2, 10) {
        script.push((prng.below(HEAL_AT), random_fault(prng)));
    }
    // Heal everything and restart what is down, then send once more.
    script.push((HEAL_AT, Action::Net(NetFault::HealAll)));
    script.push((HEAL_AT, Action::Net(NetFault::SetDrop(Ratio::ZERO))));
    for b in 0..4 {
        script.push((HEAL_AT + 1, Action::Model(RocketMqAction::BrokerRestart(b))));
    }
    for c in 0..2 {
        script.push((HEAL_AT + 1, Action::Model(RocketMqAction::ConsumerRestart(c))));
    }
    let late = RocketMqAction::Send { producer: 0, topic: 0, count: 8, mode: SendMode::Sync };
    script.push((LATE_SEND_AT, Action::Model(late)));
    script.sort_by_key(|(t, _)| *t);
    script
}

fn run_case(seed: u64) -> Run {
    let mut prng = Prng::new(seed);
    let spec = random_spec(&mut prng);
    let script = random_script(&mut prng);
    let network = NetworkConfig { latency_ms: 1, jitter_ms: 2, drop: Ratio::ZERO };
    let mut run = Run::with_network(spec, seed, script, network);
    run.until(END);
    run
}

#[test]
fn invariants_hold_after_every_step_of_random_fault_schedules_and_late_messages_arrive() {
    for seed in 0..300 {
        let run = run_case(seed);
        let first_late = run.world().records.len() as u64 - 8;
        let stored_ok: Vec<u64> = run
            .notes
            .iter()
            .filter_map(|(_, n)| match n {
                Note::SendFinished { record, status: Ok(_), .. } if *record >= first_late => Some(*record),
                _ => None,
            })
            .collect();
        let mut consumed: Vec<u64> = run.consumed(0);
        consumed.extend(run.consumed(1));
        for r in &stored_ok {
            assert!(consumed.contains(r), "seed {seed}: record {r} stored after the heal but never consumed");
        }
        // A master that lost power may come back behind its slave: classic HA cannot repair
        // that, so a SYNC_MASTER waiting for that slave never gets its ack (the producer's
        // 3 s timeout fires first). Otherwise every late send succeeds.
        let diverged = run.world().brokers.iter().any(|b| b.slaves.values().any(|c| c.diverged));
        assert!(stored_ok.len() == 8 || diverged, "seed {seed}: only {} late sends succeeded", stored_ok.len());
        // SYNC_FLUSH: a SEND_OK message was on the master's disk before the answer, so no
        // crash or power loss takes it (shared reference, 1.5).
        if run.world().spec.brokers[0].flush_disk_type == FlushDiskType::SyncFlush {
            for (r, status) in run.send_results() {
                if status.as_deref() == Ok("SEND_OK") {
                    assert!(!run.world().holders(r).is_empty(), "seed {seed}: SEND_OK record {r} is gone");
                }
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    for seed in [3, 17, 101] {
        assert_eq!(run_case(seed).sim.digest(), run_case(seed).sim.digest(), "seed {seed}");
    }
}

#[test]
#[ignore]
fn debug_seed() {
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let run = run_case(seed);
    let w = run.world();
    for b in &w.brokers {
        println!(
            "{} {:?} {:?} v{:?} running {} log {} flushed {} slaves {:?}",
            b.index,
            b.config.broker_role,
            b.config.flush_disk_type,
            b.version(),
            b.running,
            b.store.commit_log.max_offset(),
            b.store.commit_log.flushed,
            b.slaves
        );
    }
    for (t, n) in &run.notes {
        if *t >= 55_000 && !matches!(n, Note::PullResult { .. } | Note::PullHeld { .. } | Note::PullWoken { .. }) {
            println!("{t} {n:?}");
        }
    }
}
