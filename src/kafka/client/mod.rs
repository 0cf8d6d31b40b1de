//! What Kafka's clients share: grouping partition fetches by leader (the consumer's
//! `Fetcher` sends one Fetch per node), and what a fetched batch shows the application.

pub mod consumer;
pub mod fetch;
pub mod producer;
pub mod reader;
pub mod txn_manager;
use std::collections::{BTreeMap, BTreeSet};

use crate::kafka::config::IsolationLevel;
use crate::kafka::message::{AbortedTxn, ControlType, FetchPartitionResponse, LogRecord};
use crate::kafka::types::BrokerId;

/// Kafka's `reconnect.backoff.ms` and `reconnect.backoff.max.ms` defaults.
pub const RECONNECT_BACKOFF_MS: u64 = 50;
pub const RECONNECT_BACKOFF_MAX_MS: u64 = 1_000;

/// How long a client waits before it retries after `retry.backoff.ms`. Kafka accepts 0
/// (`atLeast(0)`), and a real client that retries at once still lets time pass: its poll
/// loop blocks in `NetworkClient.poll` until a response, a connection or a timer is ready.
/// A simulation's time does not pass by itself, so a retry at the same simulated instant
/// would retry there forever (a consumer with `retry.backoff.ms` 0 whose coordinator is in
/// reconnect backoff polled at one instant without end): a retry waits at least 1 ms.
pub fn retry_delay(retry_backoff_ms: u64) -> u64 {
    retry_backoff_ms.max(1)
}

/// Kafka's `retry.backoff.max.ms` default (the reader has no setting of its own).
pub const RETRY_BACKOFF_MAX_MS: u64 = 1_000;

/// When a client's Metadata refresh may go out. Kafka's `Metadata` waits `retry.backoff.ms`
/// between any two refreshes (`timeToAllowUpdate`), growing exponentially up to
/// `retry.backoff.max.ms` while refreshes fail or find no leader (KIP-580, Kafka 3.7+).
/// The engine waits only where the last answer came back at the very instant its request
/// went out (a network with no latency): there a partition with no leader would be
/// refreshed at one simulated instant forever. Where a round trip takes time a client
/// refreshes as soon as it needs to, as it always has, so the traces of those runs stay as
/// they were (docs/engine.md, "What is not Kafka"). No jitter: no draw from the random stream.
#[derive(Clone, Debug, Default)]
pub struct MetadataBackoff {
    sent_at: Option<u64>,
    /// The instant of the last answer that took no simulated time.
    instant_answer_at: Option<u64>,
    /// Answers in a row with a partition that has no leader.
    without_leader: u32,
}

impl MetadataBackoff {
    /// A Metadata request goes out now.
    pub fn sent(&mut self, now: u64) {
        self.sent_at = Some(now);
    }
    /// Its answer came now; `leaderless` when a partition in it has no leader.
    pub fn answered(&mut self, now: u64, leaderless: bool) {
        if self.sent_at == Some(now) {
            self.instant_answer_at = Some(now);
        }
        self.without_leader = if leaderless { self.without_leader.saturating_add(1) } else { 0 };
    }
    /// None: a refresh may go out now; Some(t): not before t.
    pub fn wait_until(&self, now: u64, retry_backoff_ms: u64, retry_backoff_max_ms: u64) -> Option<u64> {
        if self.instant_answer_at != Some(now) {
            return None;
        }
        let exp = self.without_leader.saturating_sub(1).min(20);
        let backoff = retry_backoff_ms.saturating_mul(1 << exp).min(retry_backoff_max_ms.max(retry_backoff_ms));
        Some(now + retry_delay(backoff))
    }
}

/// How long after sending a request its `request.timeout.ms` timer fires. Kafka's
/// `InFlightRequests` expires a request once `now - sendTimeMs > requestTimeoutMs`
/// (strictly greater), so even `request.timeout.ms` 0 (which Kafka accepts: `atLeast(0)`)
/// times a request out a millisecond after it was sent, never at the instant it was sent.
/// The engine fires at the timeout itself, and at 1 ms for 0: a timer at the same instant
/// would fail the request, resend it and re-arm the timer at one simulated instant forever
/// (a simulation's time does not pass by itself).
pub fn request_timeout_delay(request_timeout_ms: u64) -> u64 {
    request_timeout_ms.max(1)
}

/// A client's connections to brokers (Kafka's `ClusterConnectionStates`, in miniature):
/// the bootstrap list it cycles through for metadata and coordinator lookups, and the
/// brokers that refused or broke a connection, which it leaves alone for
/// `reconnect.backoff.ms`, doubling up to `reconnect.backoff.max.ms` until one answers.
#[derive(Clone, Debug)]
pub struct Connections {
    brokers: Vec<BrokerId>,
    next: usize,
    /// Broker -> (no new connection before, current backoff).
    backoff: BTreeMap<BrokerId, (u64, u64)>,
}

impl Connections {
    pub fn new(brokers: Vec<BrokerId>) -> Connections {
        Connections { brokers, next: 0, backoff: BTreeMap::new() }
    }

    pub fn brokers(&self) -> &[BrokerId] {
        &self.brokers
    }

    /// The next bootstrap broker, skipping those in backoff when another is not.
    pub fn pick(&mut self, now: u64) -> BrokerId {
        for _ in 0..self.brokers.len() {
            let b = self.brokers[self.next % self.brokers.len()];
            self.next += 1;
            if self.usable(b, now) {
                return b;
            }
        }
        let b = self.brokers[self.next % self.brokers.len()];
        self.next += 1;
        b
    }

    /// Whether a connection to `broker` may be tried now.
    pub fn usable(&self, broker: BrokerId, now: u64) -> bool {
        self.backoff.get(&broker).is_none_or(|(until, _)| *until <= now)
    }

    /// Whether some broker is in backoff now (the common case, none, is answered at once).
    pub fn any_backoff(&self, now: u64) -> bool {
        self.backoff.values().any(|(until, _)| *until > now)
    }

    /// When `broker` may be tried again, if it is in backoff.
    pub fn backoff_until(&self, broker: BrokerId, now: u64) -> Option<u64> {
        self.backoff.get(&broker).map(|(until, _)| *until).filter(|t| *t > now)
    }

    /// A connection to `broker` was refused or broke: back off. Returns until when.
    pub fn failed(&mut self, broker: BrokerId, now: u64) -> u64 {
        let backoff = self
            .backoff
            .get(&broker)
            .map(|(_, b)| (b * 2).min(RECONNECT_BACKOFF_MAX_MS))
            .unwrap_or(RECONNECT_BACKOFF_MS);
        self.backoff.insert(broker, (now + backoff, backoff));
        now + backoff
    }

    /// `broker` answered: the connection works.
    pub fn succeeded(&mut self, broker: BrokerId) {
        self.backoff.remove(&broker);
    }
}

/// What a fetch response gives the application (Kafka's `CompletedFetch`): the records
/// it may see, with their offsets. Control records (transaction markers) are never
/// returned; with read_committed, records of aborted transactions are skipped too.
/// The position still moves past everything fetched.
pub fn visible_records(p: &FetchPartitionResponse, isolation: IsolationLevel) -> Vec<(u64, &LogRecord)> {
    let mut aborted_txns: Vec<AbortedTxn> = p.aborted_transactions.clone();
    crate::kernel::sort::stable_sort_by(&mut aborted_txns, &|a, b| b.first_offset.cmp(&a.first_offset));
    let mut aborted: BTreeSet<i64> = BTreeSet::new();
    let mut out = Vec::with_capacity(p.records.len());
    for (i, r) in p.records.iter().enumerate() {
        let offset = p.fetch_offset + i as u64;
        if isolation == IsolationLevel::ReadCommitted {
            while aborted_txns.last().is_some_and(|t| t.first_offset <= offset) {
                aborted.insert(aborted_txns.pop().expect("non-empty").producer_id);
            }
            if r.control == Some(ControlType::Abort) {
                aborted.remove(&r.producer_id);
            }
            if r.transactional && aborted.contains(&r.producer_id) {
                continue;
            }
        }
        if r.control.is_none() {
            out.push((offset, r));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::types::{RecordId, Tp};
    use std::rc::Rc;

    fn rec(id: u64, pid: i64, transactional: bool, control: Option<ControlType>) -> LogRecord {
        LogRecord {
            id: RecordId(id),
            leader_epoch: 0,
            producer_id: pid,
            producer_epoch: 0,
            batch_first_seq: 0,
            batch_last_seq: 0,
            append_time: 0,
            payload: None,
            transactional,
            control,
        }
    }

    #[test]
    fn connections_back_off_doubling_and_skip_brokers_in_backoff() {
        let (b1, b2) = (BrokerId(1), BrokerId(2));
        let mut c = Connections::new(vec![b1, b2]);
        assert_eq!(c.failed(b1, 1_000), 1_050);
        assert_eq!(c.failed(b1, 1_050), 1_150, "doubled");
        assert_eq!(c.pick(1_100), b2);
        assert_eq!(c.pick(1_100), b2, "b1 is skipped while in backoff");
        assert!(c.usable(b1, 1_150));
        for _ in 0..10 {
            c.failed(b2, 2_000);
        }
        assert_eq!(c.backoff_until(b2, 2_000), Some(3_000), "capped at reconnect.backoff.max.ms");
        c.succeeded(b2);
        assert!(c.usable(b2, 2_000));
    }

    #[test]
    fn read_committed_skips_aborted_transactions_and_markers() {
        // offsets: 0 plain, 1 txn(p7), 2 txn(p8), 3 ABORT(p7), 4 COMMIT(p8), 5 txn(p7) again
        let records = vec![
            rec(0, -1, false, None),
            rec(1, 7, true, None),
            rec(2, 8, true, None),
            rec(3, 7, true, Some(ControlType::Abort)),
            rec(4, 8, true, Some(ControlType::Commit)),
            rec(5, 7, true, None),
        ];
        let p = FetchPartitionResponse {
            tp: Tp { topic: 0, partition: 0 },
            error: crate::kafka::types::ErrorCode::None,
            high_watermark: 6,
            log_start_offset: 0,
            diverging_epoch: None,
            log_end_offset: 6,
            last_stable_offset: 6,
            aborted_transactions: vec![AbortedTxn { producer_id: 7, first_offset: 1 }],
            fetch_offset: 0,
            records: Rc::from(records),
        };
        let ids = |v: Vec<(u64, &LogRecord)>| v.into_iter().map(|(o, _)| o).collect::<Vec<_>>();
        assert_eq!(
            ids(visible_records(&p, IsolationLevel::ReadCommitted)),
            vec![0, 2, 5],
            "aborted record 1 and both markers skipped; p7's later transaction is visible"
        );
        assert_eq!(
            ids(visible_records(&p, IsolationLevel::ReadUncommitted)),
            vec![0, 1, 2, 5],
            "read_uncommitted sees aborted data, never markers"
        );
    }
}
