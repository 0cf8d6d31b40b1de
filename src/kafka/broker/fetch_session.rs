//! Fetch sessions on the leader (KIP-227; Kafka's `FetchSession` and `FetchSessionCache`).
//!
//! A follower opens a session with a full fetch; its later fetches list only the partitions
//! whose position changed. The leader keeps the rest (`CachedPartition`) and answers only the
//! partitions with something new: records, a moved high watermark or log start offset, an
//! error, a diverging epoch (`CachedPartition.maybeUpdateResponseData`).
//!
//! Kafka's leader still reads every partition of the session at each fetch. Here a session
//! reads only its `pending` partitions: those the request lists, those that changed on this
//! broker since (an append, a high watermark or log start move, a leadership or ISR change:
//! `Broker::parked_partition_changed` marks them), and those answered last time with records
//! or an error. A partition outside that set would read the same as before and be left out
//! of the answer. The one thing such a read still did, stamp the follower's fetch time on
//! the leader (`Replica.updateFetchStateOrThrow`), is kept lazily: see `FollowerState::lazy`.
use std::collections::{BTreeMap, BTreeSet};

use crate::kafka::message::{FetchPartition, FetchPartitionResponse};
use crate::kafka::types::{BrokerId, ErrorCode, Tp};

/// What the session last told the fetcher about one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sent {
    high_watermark: u64,
    log_start_offset: u64,
}

#[derive(Clone, Debug)]
struct CachedPartition {
    fetch: FetchPartition,
    /// None until answered, and after an error (so the next answer carries it again).
    sent: Option<Sent>,
}

#[derive(Clone, Debug)]
struct FetchSession {
    replica: BrokerId,
    /// The epoch the next incremental fetch must carry.
    epoch: i32,
    partitions: BTreeMap<Tp, CachedPartition>,
    /// The partitions to read at the next fetch.
    pending: BTreeSet<Tp>,
    /// The session's fetch parked in purgatory, if any.
    parked: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct FetchSessions {
    sessions: BTreeMap<u32, FetchSession>,
    /// (partition, session id) for every partition of every session.
    index: BTreeSet<(Tp, u32)>,
    next_id: u32,
    /// Per follower: when its session last fetched (a lazy `FollowerState` reads it).
    last_fetch: BTreeMap<BrokerId, u64>,
}

impl FetchSessions {
    /// A full fetch (epoch 0): a new session with every partition to read. The fetcher's
    /// previous session (`close`, or any other of the same replica) is closed.
    pub(crate) fn open(&mut self, replica: BrokerId, close: u32, partitions: &[FetchPartition]) -> u32 {
        let old: Vec<u32> =
            self.sessions.iter().filter(|(id, s)| **id == close || s.replica == replica).map(|(id, _)| *id).collect();
        for id in old {
            self.close(id);
        }
        self.next_id += 1;
        let id = self.next_id;
        let mut session =
            FetchSession { replica, epoch: 1, partitions: BTreeMap::new(), pending: BTreeSet::new(), parked: None };
        for p in partitions {
            session.partitions.insert(p.tp, CachedPartition { fetch: p.clone(), sent: None });
            session.pending.insert(p.tp);
            self.index.insert((p.tp, id));
        }
        self.sessions.insert(id, session);
        id
    }

    fn close(&mut self, id: u32) {
        if let Some(s) = self.sessions.remove(&id) {
            for tp in s.partitions.keys() {
                self.index.remove(&(*tp, id));
            }
        }
    }

    /// An incremental fetch: check the session and its epoch, take the changed positions,
    /// drop the forgotten partitions.
    pub(crate) fn update(
        &mut self,
        replica: BrokerId,
        id: u32,
        epoch: i32,
        partitions: &[FetchPartition],
        forgotten: &[Tp],
    ) -> Result<(), ErrorCode> {
        let s = match self.sessions.get_mut(&id) {
            Some(s) if s.replica == replica => s,
            _ => return Err(ErrorCode::FetchSessionIdNotFound),
        };
        if s.epoch != epoch {
            return Err(ErrorCode::InvalidFetchSessionEpoch);
        }
        s.epoch += 1;
        for p in partitions {
            // `CachedPartition.updateRequestParams`: a new position; what was sent stays.
            let sent = s.partitions.get(&p.tp).and_then(|c| c.sent);
            s.partitions.insert(p.tp, CachedPartition { fetch: p.clone(), sent });
            s.pending.insert(p.tp);
            self.index.insert((p.tp, id));
        }
        for tp in forgotten {
            s.partitions.remove(tp);
            s.pending.remove(tp);
            self.index.remove(&(*tp, id));
        }
        Ok(())
    }

    /// The fetch positions to read now (the pending partitions, in partition order).
    pub(crate) fn to_read(&self, id: u32) -> Vec<FetchPartition> {
        let Some(s) = self.sessions.get(&id) else { return Vec::new() };
        s.pending.iter().map(|tp| s.partitions[tp].fetch.clone()).collect()
    }

    /// The answer is going out: keep what it tells the fetcher, and say whether `resp`
    /// belongs in it. A partition answered with records or an error stays pending.
    pub(crate) fn answered(&mut self, id: u32, resp: &FetchPartitionResponse) -> bool {
        let Some(s) = self.sessions.get_mut(&id) else { return true };
        let Some(c) = s.partitions.get_mut(&resp.tp) else { return true };
        let busy = resp.is_busy();
        let now = Sent { high_watermark: resp.high_watermark, log_start_offset: resp.log_start_offset };
        let include = busy || c.sent != Some(now);
        c.sent = if resp.error == ErrorCode::None { Some(now) } else { None };
        if !busy {
            s.pending.remove(&resp.tp);
        }
        include
    }

    /// `tp` changed on this broker: every session holding it reads it at its next fetch.
    pub(crate) fn changed(&mut self, tp: Tp) {
        for &(_, id) in self.index.range((tp, 0)..=(tp, u32::MAX)) {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.pending.insert(tp);
            }
        }
    }

    /// The parked fetches of the sessions holding `tp`, with their session.
    pub(crate) fn parked_on(&self, tp: Tp) -> Vec<(u64, u32)> {
        self.index
            .range((tp, 0)..=(tp, u32::MAX))
            .filter_map(|&(_, id)| self.sessions.get(&id).and_then(|s| s.parked.map(|p| (p, id))))
            .collect()
    }

    /// Whether any position the session will read next satisfies `ready`.
    pub(crate) fn any_pending(&self, id: u32, ready: impl Fn(&FetchPartition) -> bool) -> bool {
        self.sessions.get(&id).is_some_and(|s| s.pending.iter().any(|tp| ready(&s.partitions[tp].fetch)))
    }

    /// Something every partition's reading depends on changed (a setting, the fenced
    /// brokers): every session reads everything at its next fetch.
    pub(crate) fn all_changed(&mut self) {
        for s in self.sessions.values_mut() {
            s.pending = s.partitions.keys().copied().collect();
        }
    }

    pub(crate) fn set_parked(&mut self, id: u32, parked: Option<u64>) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.parked = parked;
        }
    }

    pub(crate) fn fetched(&mut self, replica: BrokerId, now: u64) {
        self.last_fetch.insert(replica, now);
    }

    pub(crate) fn last_fetch(&self, replica: BrokerId) -> Option<u64> {
        self.last_fetch.get(&replica).copied()
    }

    /// Every position a parked session fetch waits at (for the debug check of readiness).
    #[cfg(debug_assertions)]
    pub(crate) fn positions(&self, id: u32) -> Vec<FetchPartition> {
        self.sessions.get(&id).map(|s| s.partitions.values().map(|c| c.fetch.clone()).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::message::LogRecord;
    use std::rc::Rc;

    const B2: BrokerId = BrokerId(2);

    fn tp(partition: u32) -> Tp {
        Tp { topic: 0, partition }
    }

    fn at(partition: u32, fetch_offset: u64) -> FetchPartition {
        FetchPartition { tp: tp(partition), fetch_offset, last_fetched_epoch: None, current_leader_epoch: 0 }
    }

    fn answer(partition: u32, high_watermark: u64, records: usize) -> FetchPartitionResponse {
        FetchPartitionResponse {
            tp: tp(partition),
            error: ErrorCode::None,
            high_watermark,
            log_start_offset: 0,
            diverging_epoch: None,
            log_end_offset: high_watermark,
            last_stable_offset: high_watermark,
            aborted_transactions: Vec::new(),
            fetch_offset: 0,
            records: Rc::from(vec![record(); records]),
        }
    }

    fn record() -> LogRecord {
        LogRecord {
            id: crate::kafka::types::RecordId(1),
            leader_epoch: 0,
            producer_id: -1,
            producer_epoch: 0,
            batch_first_seq: -1,
            batch_last_seq: -1,
            append_time: 0,
            payload: None,
            transactional: false,
            control: None,
        }
    }

    fn read(sessions: &FetchSessions, id: u32) -> Vec<u32> {
        sessions.to_read(id).iter().map(|p| p.tp.partition).collect()
    }

    #[test]
    fn a_full_fetch_reads_everything_then_only_what_changed_or_was_asked() {
        let mut s = FetchSessions::default();
        let id = s.open(B2, 0, &[at(0, 0), at(1, 0), at(2, 0)]);
        assert_eq!(read(&s, id), [0, 1, 2]);
        for p in 0..3 {
            assert!(s.answered(id, &answer(p, 0, 0)), "the first answer carries every partition");
        }
        assert_eq!(read(&s, id), Vec::<u32>::new(), "nothing changed, nothing to read");
        s.changed(tp(1));
        s.update(B2, id, 1, &[at(2, 5)], &[]).unwrap();
        assert_eq!(read(&s, id), [1, 2]);
        assert!(!s.answered(id, &answer(1, 0, 0)), "same high watermark: left out of the answer");
        assert!(s.answered(id, &answer(2, 5, 0)), "a new high watermark goes out");
        assert_eq!(read(&s, id), Vec::<u32>::new());
        s.update(B2, id, 2, &[at(2, 5)], &[]).unwrap();
        assert!(s.answered(id, &answer(2, 5, 3)), "records go out");
        assert_eq!(read(&s, id), [2], "a partition answered with records is read again");
    }

    #[test]
    fn a_wrong_session_or_epoch_is_refused_and_forgotten_partitions_go() {
        let mut s = FetchSessions::default();
        let id = s.open(B2, 0, &[at(0, 0), at(1, 0)]);
        assert_eq!(s.update(B2, id + 1, 1, &[], &[]), Err(ErrorCode::FetchSessionIdNotFound));
        assert_eq!(s.update(BrokerId(3), id, 1, &[], &[]), Err(ErrorCode::FetchSessionIdNotFound));
        assert_eq!(s.update(B2, id, 2, &[], &[]), Err(ErrorCode::InvalidFetchSessionEpoch));
        assert_eq!(s.update(B2, id, 1, &[], &[tp(0)]), Ok(()));
        assert_eq!(s.update(B2, id, 1, &[], &[]), Err(ErrorCode::InvalidFetchSessionEpoch), "epoch 1 was used");
        assert_eq!(read(&s, id), [1]);
        s.changed(tp(0));
        assert_eq!(read(&s, id), [1], "a forgotten partition is not watched");
        let again = s.open(B2, id, &[at(1, 0)]);
        assert_ne!(again, id);
        assert_eq!(s.update(B2, id, 2, &[], &[]), Err(ErrorCode::FetchSessionIdNotFound), "the old one is closed");
    }

    #[test]
    fn a_change_reports_the_parked_fetch_waiting_on_it() {
        let mut s = FetchSessions::default();
        let id = s.open(B2, 0, &[at(0, 4), at(1, 9)]);
        for p in 0..2 {
            s.answered(id, &answer(p, 0, 0));
        }
        s.set_parked(id, Some(77));
        s.changed(tp(0));
        assert_eq!(s.parked_on(tp(0)), [(77, id)]);
        assert!(s.any_pending(id, |p| p.fetch_offset == 4) && !s.any_pending(id, |p| p.fetch_offset == 9));
        s.set_parked(id, None);
        assert!(s.parked_on(tp(0)).is_empty());
    }
}
