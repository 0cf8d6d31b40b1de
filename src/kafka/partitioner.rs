//! Kafka's key partitioner: `murmur2` exactly as `org.apache.kafka.common.utils.Utils.murmur2`
//! computes it, and the built-in partitioner's keyed path
//! (`BuiltInPartitioner.partitionForKey`): `toPositive(murmur2(keyBytes)) % numPartitions`,
//! over **all** partitions of the topic.
//!
//! An empty key (zero bytes) is hashed like any other key; only a *null* key
//! (no key at all) goes to the sticky partitioner, which is not in this module.

/// Kafka's 32-bit murmur2 (seed `0x9747b28c`), with Java's int32 wrapping arithmetic.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;

    let length = data.len();
    // `int h = seed ^ length`: Java arrays are at most i32::MAX long, so the length fits.
    let mut h: u32 = SEED ^ (length as u32);

    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }

    let tail = blocks.remainder();
    // The Java switch falls through from case 3 to case 1.
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit (not `abs`, so `i32::MIN` maps to 0).
pub fn to_positive(n: i32) -> u32 {
    (n & 0x7fff_ffff) as u32
}

/// The partition Kafka's producer picks for a non-null serialized key.
///
/// # Panics
/// If `num_partitions` is 0 (a Kafka topic always has at least one partition).
pub fn partition_for_key(key_bytes: &[u8], num_partitions: u32) -> u32 {
    assert!(num_partitions > 0, "a topic has at least one partition");
    to_positive(murmur2(key_bytes)) % num_partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_key() {
        assert_eq!(murmur2(b""), 275646681);
    }

    #[test]
    fn kafka_unit_test_keys() {
        // UtilsTest.testMurmur2 in apache/kafka.
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    #[test]
    fn to_positive_clears_sign_bit() {
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
    }
}
