//! A follower's replica fetcher for one leader, with its side of the fetch session
//! (KIP-227; Kafka's `FetchSessionHandler`): the first fetch is a full one; later ones list
//! only the partitions whose position (fetch offset, last fetched epoch, leader epoch)
//! changed since it was last sent, and the ones to forget. Any error, timeout or refused
//! connection starts over with a full fetch.
use std::collections::{BTreeMap, BTreeSet};

use crate::kafka::message::{FetchPartition, FetchPartitionResponse, INITIAL_SESSION_EPOCH};
use crate::kafka::types::{BrokerId, ErrorCode, Tp};

/// A fetch response from a leader to a follower's fetcher.
#[derive(Clone, Debug)]
pub struct FollowerFetchResponse {
    pub leader: BrokerId,
    pub correlation: u64,
    pub error: ErrorCode,
    pub session_id: u32,
    pub partitions: Vec<FetchPartitionResponse>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Fetcher {
    pub(super) partitions: BTreeSet<Tp>,
    pub(super) in_flight: Option<u64>,
    /// A retry is scheduled (after an error or a refused connection).
    pub(super) backing_off: bool,
    session: FollowerSession,
}

#[derive(Clone, Debug, Default)]
struct FollowerSession {
    /// The leader's id for the session (0: none yet).
    id: u32,
    /// The epoch of the next fetch: 0 (`INITIAL_EPOCH`) asks for a full fetch.
    epoch: i32,
    /// Whether the fetch in flight is a full one.
    full_in_flight: bool,
    /// The positions the leader holds for the session.
    sent: BTreeMap<Tp, FetchPartition>,
    /// Partitions whose position may differ from `sent`.
    changed: BTreeSet<Tp>,
}

/// What the next fetch carries.
pub(super) struct SessionFetch {
    pub(super) session_id: u32,
    pub(super) session_epoch: i32,
    pub(super) partitions: Vec<FetchPartition>,
    pub(super) forgotten: Vec<Tp>,
}

impl Fetcher {
    /// `tp`'s position may have changed, or it joined or left the fetcher.
    pub(super) fn mark_changed(&mut self, tp: Tp) {
        self.session.changed.insert(tp);
    }

    /// Start over: the next fetch is a full one (and closes the old session on the leader).
    pub(super) fn reset_session(&mut self) {
        self.session.epoch = INITIAL_SESSION_EPOCH;
        self.session.sent.clear();
        self.session.changed.clear();
    }

    /// The next fetch, given each partition's current position. None when there is
    /// nothing to fetch.
    pub(super) fn next_fetch(&mut self, position: impl Fn(Tp) -> FetchPartition) -> Option<SessionFetch> {
        if self.partitions.is_empty() {
            return None;
        }
        let s = &mut self.session;
        s.full_in_flight = s.epoch == INITIAL_SESSION_EPOCH;
        let mut forgotten = Vec::new();
        let partitions = if s.full_in_flight {
            s.changed.clear();
            s.sent = self.partitions.iter().map(|tp| (*tp, position(*tp))).collect();
            s.sent.values().cloned().collect()
        } else {
            let mut partitions = Vec::new();
            for tp in std::mem::take(&mut s.changed) {
                if !self.partitions.contains(&tp) {
                    if s.sent.remove(&tp).is_some() {
                        forgotten.push(tp);
                    }
                    continue;
                }
                let p = position(tp);
                if s.sent.get(&tp) != Some(&p) {
                    s.sent.insert(tp, p.clone());
                    partitions.push(p);
                }
            }
            partitions
        };
        Some(SessionFetch { session_id: s.id, session_epoch: s.epoch, partitions, forgotten })
    }

    /// `FetchSessionHandler.handleResponse`: the session goes on at the next epoch, or
    /// starts over after an error.
    pub(super) fn session_answered(&mut self, error: ErrorCode, session_id: u32) {
        if error != ErrorCode::None || session_id == 0 {
            self.reset_session();
            return;
        }
        if self.session.full_in_flight {
            self.session.id = session_id;
            self.session.epoch = 1;
        } else {
            self.session.epoch += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(partition: u32) -> Tp {
        Tp { topic: 0, partition }
    }

    fn fetcher(partitions: &[u32]) -> Fetcher {
        Fetcher { partitions: partitions.iter().map(|p| tp(*p)).collect(), ..Default::default() }
    }

    fn listed(f: &SessionFetch) -> Vec<(u32, u64)> {
        f.partitions.iter().map(|p| (p.tp.partition, p.fetch_offset)).collect()
    }

    #[test]
    fn full_first_then_only_changed_positions_and_forgotten_partitions() {
        let mut offsets = [0u64; 4];
        let pos = |o: [u64; 4]| {
            move |tp: Tp| FetchPartition {
                tp,
                fetch_offset: o[tp.partition as usize],
                last_fetched_epoch: None,
                current_leader_epoch: 0,
            }
        };
        let mut f = fetcher(&[0, 1, 2]);
        let first = f.next_fetch(pos(offsets)).unwrap();
        assert_eq!((first.session_id, first.session_epoch), (0, INITIAL_SESSION_EPOCH));
        assert_eq!(listed(&first), [(0, 0), (1, 0), (2, 0)]);
        f.session_answered(ErrorCode::None, 9);
        offsets[1] = 5;
        f.mark_changed(tp(1));
        f.mark_changed(tp(2)); // marked, but its position did not move
        let second = f.next_fetch(pos(offsets)).unwrap();
        assert_eq!((second.session_id, second.session_epoch), (9, 1));
        assert_eq!(listed(&second), [(1, 5)]);
        f.session_answered(ErrorCode::None, 9);
        f.partitions.remove(&tp(0));
        f.mark_changed(tp(0));
        let third = f.next_fetch(pos(offsets)).unwrap();
        assert_eq!((third.session_epoch, listed(&third), third.forgotten), (2, vec![], vec![tp(0)]));
    }

    #[test]
    fn an_error_starts_over_with_a_full_fetch_naming_the_old_session() {
        let pos = |tp: Tp| FetchPartition { tp, fetch_offset: 3, last_fetched_epoch: None, current_leader_epoch: 0 };
        let mut f = fetcher(&[0, 1]);
        f.next_fetch(pos).unwrap();
        f.session_answered(ErrorCode::None, 4);
        f.next_fetch(pos).unwrap();
        f.session_answered(ErrorCode::FetchSessionIdNotFound, 0);
        let again = f.next_fetch(pos).unwrap();
        assert_eq!((again.session_id, again.session_epoch), (4, INITIAL_SESSION_EPOCH));
        assert_eq!(listed(&again), [(0, 3), (1, 3)]);
        f.partitions.clear();
        assert!(f.next_fetch(pos).is_none(), "nothing to fetch");
    }
}
