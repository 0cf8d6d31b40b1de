//! K10, ordering is per partition: one key's records stay in send order only when they share
//! a partition. RoundRobinPartitioner ignores keys and the group processes them out of order
//! (`nonmonotonic-key`); the default partitioner hashes the key to one partition.
use highwater::checker::AnomalyKind;
use highwater::cli::run::run_to_end;
use highwater::kafka::notes::Note;
use highwater::kafka::types::RecordId;

mod common;
use common::{load, notes};

/// Records with their partition, in some order.
type Placed = Vec<(RecordId, u32)>;

/// (record, partition) in the order sent, and in the order the group processed them.
fn sent_and_processed(id: &str) -> (Placed, Placed) {
    let (_, all) = notes(load(id));
    let mut sent = Vec::new();
    let mut processed = Vec::new();
    for (_, n) in all {
        match n {
            Note::RecordSent { record, tp, .. } => sent.push((record, tp.partition)),
            Note::RecordProcessed { record, tp, .. } => processed.push((record, tp.partition)),
            _ => {}
        }
    }
    (sent, processed)
}

#[test]
fn round_robin_spreads_the_key_and_the_group_processes_it_out_of_order() {
    let (sent, processed) = sent_and_processed("key-order-round-robin");
    let partitions: Vec<u32> = sent.iter().map(|s| s.1).collect();
    assert_eq!(partitions, [0, 1, 2], "one key, three partitions");
    let order: Vec<RecordId> = processed.iter().map(|p| p.0).collect();
    assert_eq!(order, [RecordId(1), RecordId(2), RecordId(0)], "paid, shipped, then created");
    let s = load("key-order-round-robin");
    let sim = run_to_end(&s, s.seed, None, None).unwrap();
    let found: Vec<_> = sim.checker.anomalies().collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, AnomalyKind::NonmonotonicKey);
    let records: Vec<u64> = found[0].records.iter().map(|r| r.0).collect();
    assert_eq!(records, [0, 2], "created (#0) processed after shipped (#2)");
}

#[test]
fn the_default_partitioner_keeps_the_key_on_one_partition_in_send_order() {
    let (sent, processed) = sent_and_processed("key-order-same-partition");
    let want = highwater::kafka::partitioner::partition_for_key(b"order-42", 3);
    assert!(sent.iter().all(|s| s.1 == want), "{sent:?} all on partition {want}");
    assert_eq!(processed, sent, "processed in send order, on the same partition");
}
