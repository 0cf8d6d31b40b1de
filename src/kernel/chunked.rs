//! A copy-on-write vector for state that time travel clones often and changes at the end:
//! partition logs and the checker's per-record tables.
//!
//! Elements live in fixed-size chunks behind `Rc`. Cloning copies one pointer per chunk;
//! writing to a chunk that a checkpoint shares copies that chunk only. Reads and appends
//! cost an index computation, unlike a general persistent vector (we tried `imbl`'s RRB
//! tree: its per-access overhead dominated the checker's profile).
//!
//! Indices are absolute and never shift: dropping the front (log retention, a checker
//! forgetting records that can no longer matter) frees whole leading chunks and leaves the
//! remaining elements at their old indices, so a log's index stays its offset.
use std::rc::Rc;

/// A checkpoint makes the next append to each growing vector copy its last chunk, and a
/// clone copies one pointer per chunk: 128 balances the two (measured with the time-travel
/// benchmark, docs/performance.md: 512 cost ~720 B per recorded step, 128 ~570).
const CHUNK: usize = 128;

#[derive(Debug)]
pub struct ChunkedVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    /// The index of `chunks[0][0]`: elements below it were dropped.
    base: usize,
    /// One past the last index (not the number of elements held).
    len: usize,
}

impl<T> Clone for ChunkedVec<T> {
    fn clone(&self) -> Self {
        ChunkedVec { chunks: self.chunks.clone(), base: self.base, len: self.len }
    }
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec { chunks: Vec::new(), base: 0, len: 0 }
    }
}

impl<T: Clone> ChunkedVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// One past the last index (elements dropped from the front still count).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The lowest index still held.
    pub fn first_index(&self) -> usize {
        self.base.min(self.len)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len || i < self.base {
            return None;
        }
        let j = i - self.base;
        Some(&self.chunks[j / CHUNK][j % CHUNK])
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len || i < self.base {
            return None;
        }
        let j = i - self.base;
        Some(&mut Rc::make_mut(&mut self.chunks[j / CHUNK])[j % CHUNK])
    }

    /// Free the leading chunks that hold only indices below `index` (a partial chunk
    /// stays whole: [`get`](Self::get) still answers for its elements below `index`,
    /// which the caller hides if it must).
    pub fn drop_before(&mut self, index: usize) {
        let whole = index.min(self.len).saturating_sub(self.base) / CHUNK;
        if whole > 0 {
            self.chunks.drain(..whole);
            self.base += whole * CHUNK;
        }
    }

    /// Drop everything and continue at `index` (the next push gets it).
    pub fn reset_to(&mut self, index: usize) {
        self.chunks.clear();
        self.base = index;
        self.len = index;
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn push(&mut self, value: T) {
        if (self.len - self.base) % CHUNK == 0 {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk with room");
        Rc::make_mut(last).push(value);
        self.len += 1;
    }

    /// Keep the indices below `len`.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if len <= self.base {
            self.reset_to(len);
            return;
        }
        let held = len - self.base;
        self.chunks.truncate(held.div_ceil(CHUNK));
        if held % CHUNK != 0 {
            let last = self.chunks.last_mut().expect("partial chunk");
            Rc::make_mut(last).truncate(held % CHUNK);
        }
        self.len = len;
    }

    /// Remove and return the elements from `at` on.
    pub fn split_off(&mut self, at: usize) -> Vec<T> {
        let removed: Vec<T> = self.iter_from(at).cloned().collect();
        self.truncate(at);
        removed
    }

    /// Elements from index `start` on (or from the first one held), in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        let start = start.clamp(self.base, self.len.max(self.base)) - self.base;
        let first = start / CHUNK;
        let skip = start % CHUNK;
        self.chunks[first.min(self.chunks.len())..].iter().flat_map(|c| c.iter()).skip(skip)
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.iter_from(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunk_boundaries() {
        let mut v = ChunkedVec::new();
        let mut model = Vec::new();
        for i in 0..(3 * CHUNK + 7) {
            v.push(i);
            model.push(i);
        }
        assert_eq!(v.len(), model.len());
        assert_eq!(v.get(CHUNK), Some(&CHUNK));
        assert_eq!(v.iter_from(CHUNK - 1).take(3).copied().collect::<Vec<_>>(), vec![CHUNK - 1, CHUNK, CHUNK + 1]);
        let tail = v.split_off(2 * CHUNK);
        assert_eq!(tail, model.split_off(2 * CHUNK));
        assert_eq!(v.iter().copied().collect::<Vec<_>>(), model);
        v.truncate(CHUNK + 1);
        model.truncate(CHUNK + 1);
        assert_eq!(v.iter().copied().collect::<Vec<_>>(), model);
        v.push(99);
        assert_eq!(v.last(), Some(&99));
    }

    #[test]
    fn dropping_the_front_frees_whole_chunks_and_keeps_indices() {
        let mut v = ChunkedVec::new();
        for i in 0..(3 * CHUNK + 5) {
            v.push(i);
        }
        let snapshot = v.clone();
        v.drop_before(CHUNK + 3);
        assert_eq!(v.first_index(), CHUNK, "a partial chunk stays");
        assert_eq!(v.chunks.len(), 3);
        assert_eq!(v.get(CHUNK - 1), None);
        assert_eq!(v.get(CHUNK + 3), Some(&(CHUNK + 3)));
        assert_eq!(v.iter_from(0).next(), Some(&CHUNK));
        assert_eq!(v.iter().count(), 2 * CHUNK + 5);
        v.push(7);
        assert_eq!(v.get(3 * CHUNK + 5), Some(&7));
        v.truncate(CHUNK + 1);
        assert_eq!(v.iter().copied().collect::<Vec<_>>(), vec![CHUNK]);
        v.truncate(5);
        assert_eq!((v.len(), v.first_index(), v.get(4)), (5, 5, None));
        v.reset_to(1000);
        v.push(1);
        assert_eq!((v.get(1000), v.len()), (Some(&1), 1001));
        assert_eq!(snapshot.get(0), Some(&0), "a checkpoint keeps what the original dropped");
    }

    #[test]
    fn a_clone_is_unaffected_by_writes_to_the_original() {
        let mut a = ChunkedVec::new();
        for i in 0..1000 {
            a.push(i);
        }
        let b = a.clone();
        *a.get_mut(3).unwrap() = 42;
        a.truncate(10);
        a.push(7);
        assert_eq!(b.get(3), Some(&3));
        assert_eq!(b.len(), 1000);
        assert_eq!(a.get(3), Some(&42));
        assert_eq!(a.get(10), Some(&7));
    }
}
