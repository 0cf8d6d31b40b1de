//! A stable sort that costs little code.
//!
//! The standard library's stable sort is a few KB of wasm for every element type and
//! comparison closure it is used with; here one small body per element type serves every
//! comparison (it is passed as `&dyn Fn`). Binary insertion sort: O(n log n) comparisons
//! and up to O(n²) moves, fine for the lists sorted here (members, topics, partitions,
//! timeline entries).
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sort `v` by `cmp`, keeping equal elements in their order.
pub fn stable_sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        // After the last element not greater than v[i]: that keeps the sort stable.
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if cmp(&v[i], &v[mid]) == Ordering::Less {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        v[lo..=i].rotate_right(1);
    }
}

/// `collect()` into a `BTreeMap` or `BTreeSet` without the standard library's bulk build,
/// which sorts its input with the stable sort first (again a few KB of wasm per type):
/// the items are inserted one by one. Equal keys: the last one wins, as with `collect()`.
pub trait CollectBTree: Iterator + Sized {
    fn btree_map<K: Ord, V>(self) -> BTreeMap<K, V>
    where
        Self: Iterator<Item = (K, V)>,
    {
        let mut m = BTreeMap::new();
        m.extend(self);
        m
    }

    fn btree_set(self) -> BTreeSet<Self::Item>
    where
        Self::Item: Ord,
    {
        let mut s = BTreeSet::new();
        s.extend(self);
        s
    }
}

impl<I: Iterator> CollectBTree for I {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Prng;

    #[test]
    fn collecting_into_btrees_keeps_the_last_of_equal_keys() {
        let m = [(2, 'a'), (1, 'b'), (2, 'c')].into_iter().btree_map();
        assert_eq!(m, [(1, 'b'), (2, 'c')].into_iter().collect());
        assert_eq!([3, 1, 3].into_iter().btree_set(), [1, 3].into_iter().collect());
    }

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut prng = Prng::new(3);
        for n in [0usize, 1, 2, 7, 50, 300] {
            let v: Vec<(u64, usize)> = (0..n).map(|i| (prng.below(10), i)).collect();
            let mut ours = v.clone();
            stable_sort_by(&mut ours, &|a, b| a.0.cmp(&b.0));
            let mut std = v;
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std, "n={n}: same order, equal keys kept in place");
        }
    }
}
