//! Emulation of the *iteration order* of `java.util.HashMap` / `java.util.HashSet`
//! (OpenJDK 8 through 21+, which share this code path), plus the Java `String`
//! and Kafka `TopicPartition` hash codes and Java's `String.compareTo` order.
//!
//! Kafka's assignors iterate several hash maps, and for the sticky assignors the
//! iteration order changes the result. This module never iterates a Rust hash
//! map: it keeps Java's bucket table explicitly (a `Vec` of buckets, each an
//! ordered `Vec`), so the order is computed, not left to chance.
//!
//! What is modelled: the default capacity 16 and load factor 0.75, the
//! `HashMap(int)` constructor (`tableSizeFor`), lazy table allocation, doubling
//! with the lo/hi split that keeps the relative order inside a bucket, the
//! `spread` of the hash (`h ^ (h >>> 16)`), `put` appending to the tail of a
//! bucket, `computeIfAbsent` inserting at the *head* of a bucket and resizing
//! lazily (before, not after, the insert), `remove`, and the "resize instead of
//! treeify" rule for a bucket that reaches 8/9 entries while the table is
//! smaller than 64.
//!
//! What is not modelled: a bucket that Java turns into a red-black tree (9+ keys
//! in one bucket of a table of at least 64). Java then iterates that bucket in
//! an order that depends on the tree shape (and, for keys that are not
//! `Comparable`, such as `TopicPartition`, on `System.identityHashCode`, so not
//! even Java is deterministic there). We keep list order and record the event in
//! [`JavaHashMap::treeified`].

use std::cmp::Ordering;

/// `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, int32 wrapping.
pub fn string_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(unit as i32);
    }
    h
}

/// `TopicPartition.hashCode()`: `31 * (31 + partition) + topic.hashCode()`, int32 wrapping.
pub fn topic_partition_hash(topic: &str, partition: u32) -> i32 {
    let result = 31i32.wrapping_add(partition as i32);
    31i32.wrapping_mul(result).wrapping_add(string_hash(topic))
}

/// `HashMap.hash(key)`: the key's hash code with its high half folded into the low half.
pub fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// `String.compareTo`: lexicographic over UTF-16 code units, then by length.
/// (Rust's `str` order compares code points, which differs for characters at or
/// above U+E000 versus supplementary characters.)
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Keys whose Java `hashCode()` we know.
pub trait JavaHash {
    fn java_hash(&self) -> i32;
}

impl JavaHash for String {
    fn java_hash(&self) -> i32 {
        string_hash(self)
    }
}

impl JavaHash for (String, u32) {
    fn java_hash(&self) -> i32 {
        topic_partition_hash(&self.0, self.1)
    }
}

const DEFAULT_INITIAL_CAPACITY: usize = 16;
const MAXIMUM_CAPACITY: usize = 1 << 30;
const TREEIFY_THRESHOLD: usize = 8;
const MIN_TREEIFY_CAPACITY: usize = 64;

/// `HashMap.tableSizeFor`: the smallest power of two >= `cap` (at least 1).
pub fn table_size_for(cap: usize) -> usize {
    if cap <= 1 {
        1
    } else {
        cap.next_power_of_two().min(MAXIMUM_CAPACITY)
    }
}

/// The key set of a `java.util.HashMap` (values live elsewhere): enough to know
/// the order in which Java would iterate it.
#[derive(Clone, Debug)]
pub struct JavaHashMap<K> {
    /// Buckets, each in Java's linked-list order; empty until the first insert.
    table: Vec<Vec<(u32, K)>>,
    /// Java's `threshold` field (holds the initial capacity before allocation).
    threshold: usize,
    size: usize,
    /// Set when Java would have converted a bucket into a tree (order not modelled).
    pub treeified: bool,
}

impl<K: JavaHash + PartialEq + Clone> Default for JavaHashMap<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: JavaHash + PartialEq + Clone> JavaHashMap<K> {
    /// `new HashMap<>()`.
    pub fn new() -> Self {
        JavaHashMap { table: Vec::new(), threshold: 0, size: 0, treeified: false }
    }

    /// `new HashMap<>(initialCapacity)`.
    pub fn with_capacity(initial_capacity: usize) -> Self {
        JavaHashMap { table: Vec::new(), threshold: table_size_for(initial_capacity), size: 0, treeified: false }
    }

    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Current table length (0 before the first insert).
    pub fn capacity(&self) -> usize {
        self.table.len()
    }

    pub fn contains(&self, key: &K) -> bool {
        if self.table.is_empty() {
            return false;
        }
        let hash = spread(key.java_hash());
        let i = (self.table.len() - 1) & hash as usize;
        self.table[i].iter().any(|(h, k)| *h == hash && k == key)
    }

    fn resize(&mut self) {
        let old_cap = self.table.len();
        let old_thr = self.threshold;
        let mut new_thr = 0usize;
        let new_cap;
        if old_cap > 0 {
            if old_cap >= MAXIMUM_CAPACITY {
                self.threshold = i32::MAX as usize;
                return;
            }
            new_cap = old_cap << 1;
            if new_cap < MAXIMUM_CAPACITY && old_cap >= DEFAULT_INITIAL_CAPACITY {
                new_thr = old_thr << 1;
            }
        } else if old_thr > 0 {
            new_cap = old_thr;
        } else {
            new_cap = DEFAULT_INITIAL_CAPACITY;
            new_thr = 12;
        }
        if new_thr == 0 {
            // (int) (newCap * 0.75f); exact for the capacities reachable here.
            new_thr = if new_cap < MAXIMUM_CAPACITY { new_cap * 3 / 4 } else { i32::MAX as usize };
        }
        self.threshold = new_thr;
        let old = std::mem::take(&mut self.table);
        let mut table: Vec<Vec<(u32, K)>> = (0..new_cap).map(|_| Vec::new()).collect();
        for (j, bucket) in old.into_iter().enumerate() {
            for (h, k) in bucket {
                // lo list stays at j, hi list moves to j + oldCap; both keep their order.
                let idx = if (h as usize) & old_cap == 0 { j } else { j + old_cap };
                table[idx].push((h, k));
            }
        }
        self.table = table;
    }

    /// `put(key, v)`: appends a new key at the tail of its bucket; an existing key
    /// keeps its place. Returns true when the key was new.
    pub fn put(&mut self, key: K) -> bool {
        if self.table.is_empty() {
            self.resize();
        }
        let hash = spread(key.java_hash());
        let i = (self.table.len() - 1) & hash as usize;
        if self.table[i].iter().any(|(h, k)| *h == hash && k == &key) {
            return false;
        }
        let before = self.table[i].len();
        self.table[i].push((hash, key));
        // Java: binCount (= nodes before the append - 1) >= TREEIFY_THRESHOLD - 1.
        if before >= TREEIFY_THRESHOLD {
            self.treeify_bin();
        }
        self.size += 1;
        if self.size > self.threshold {
            self.resize();
        }
        true
    }

    /// `computeIfAbsent(key, f)` with a non-null result: a new key goes to the
    /// *head* of its bucket, and the table is resized before (not after) the insert.
    /// Returns true when the key was new.
    pub fn compute_if_absent(&mut self, key: K) -> bool {
        if self.size > self.threshold || self.table.is_empty() {
            self.resize();
        }
        let hash = spread(key.java_hash());
        let i = (self.table.len() - 1) & hash as usize;
        if self.table[i].iter().any(|(h, k)| *h == hash && k == &key) {
            return false;
        }
        let bin_count = self.table[i].len();
        self.table[i].insert(0, (hash, key));
        if bin_count >= TREEIFY_THRESHOLD - 1 {
            self.treeify_bin();
        }
        self.size += 1;
        true
    }

    fn treeify_bin(&mut self) {
        if self.table.len() < MIN_TREEIFY_CAPACITY {
            self.resize();
        } else {
            self.treeified = true;
        }
    }

    /// `remove(key)`; the rest of the bucket keeps its order. Returns true if present.
    pub fn remove(&mut self, key: &K) -> bool {
        if self.table.is_empty() {
            return false;
        }
        let hash = spread(key.java_hash());
        let i = (self.table.len() - 1) & hash as usize;
        if let Some(pos) = self.table[i].iter().position(|(h, k)| *h == hash && k == key) {
            self.table[i].remove(pos);
            self.size -= 1;
            true
        } else {
            false
        }
    }

    /// Keys in Java's iteration order (buckets ascending, each bucket in list order).
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.table.iter().flat_map(|b| b.iter().map(|(_, k)| k))
    }

    /// `iterator().next()`.
    pub fn first(&self) -> Option<&K> {
        self.keys().next()
    }
}

/// Order in which a `new HashMap<>()` filled by `put` in the given order iterates its keys.
pub fn put_order<K: JavaHash + PartialEq + Clone>(keys: impl IntoIterator<Item = K>) -> Vec<K> {
    let mut m = JavaHashMap::new();
    for k in keys {
        m.put(k);
    }
    m.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("t0"), 3644);
        // "hello".hashCode() == 99162322 in Java.
        assert_eq!(string_hash("hello"), 99162322);
        // Overflowing example: "consumer1".hashCode() == -421004549 (checked with a JVM).
        assert_eq!(string_hash("consumer1"), -421004549);
        // Java collision classic.
        assert_eq!(string_hash("Aa"), string_hash("BB"));
    }

    #[test]
    fn consumers_iterate_in_reverse() {
        // Documented in kafka-semantics.md 5.7: {consumer1,2,3} iterates 3, 2, 1.
        let order = put_order(["consumer1", "consumer2", "consumer3"].map(String::from));
        assert_eq!(order, vec!["consumer3", "consumer2", "consumer1"]);
    }

    #[test]
    fn compute_if_absent_inserts_at_head() {
        // "Aa" and "BB" share a hash, so they share a bucket.
        let mut put = JavaHashMap::new();
        put.put("Aa".to_string());
        put.put("BB".to_string());
        assert_eq!(put.keys().cloned().collect::<Vec<_>>(), vec!["Aa", "BB"]);
        let mut cia = JavaHashMap::new();
        cia.compute_if_absent("Aa".to_string());
        cia.compute_if_absent("BB".to_string());
        assert_eq!(cia.keys().cloned().collect::<Vec<_>>(), vec!["BB", "Aa"]);
    }

    #[test]
    fn growth_and_initial_capacity() {
        let mut m = JavaHashMap::new();
        for i in 0..12 {
            m.put(format!("k{i}"));
        }
        assert_eq!(m.capacity(), 16);
        m.put("k12".to_string());
        assert_eq!(m.capacity(), 32);
        let mut c = JavaHashMap::with_capacity(3);
        for i in 0..3 {
            c.put(format!("k{i}"));
        }
        assert_eq!(c.capacity(), 4);
        c.put("k3".to_string());
        assert_eq!(c.capacity(), 8);
        // computeIfAbsent resizes lazily: 13 keys still in 16 buckets.
        let mut l = JavaHashMap::new();
        for i in 0..13 {
            l.compute_if_absent(format!("k{i}"));
        }
        assert_eq!(l.capacity(), 16);
        l.compute_if_absent("k13".to_string());
        assert_eq!(l.capacity(), 32);
    }

    #[test]
    fn java_compare_is_utf16() {
        assert_eq!(java_string_cmp("c10", "c2"), Ordering::Less);
        assert_eq!(java_string_cmp("a", "ab"), Ordering::Less);
        // U+FF21 (fullwidth A) vs U+1F600 (surrogates D83D DE00): Java says U+1F600 is smaller.
        assert_eq!(java_string_cmp("\u{FF21}", "\u{1F600}"), Ordering::Greater);
        assert_eq!("\u{FF21}".cmp("\u{1F600}"), Ordering::Less);
    }
}
