//! A running digest of the trace, identical on every platform.
//!
//! `std`'s `DefaultHasher` is not specified to be stable across releases, and `Hash` for
//! `usize` (and for collection lengths) writes a platform-sized integer. This hasher widens
//! every `usize` to 64 bits, so a wasm32 run and an x86_64 run of the same scenario hash
//! the same bytes. The mixing is FNV-1a over 64-bit words followed by a final avalanche:
//! ten lines, no dependency, and fast enough to hash every step of a million-event run.
use std::hash::{Hash, Hasher};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest {
    state: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for Digest {
    fn default() -> Self {
        Digest { state: FNV_OFFSET }
    }
}

impl Digest {
    /// Fold any `Hash` value into the digest.
    pub fn add<T: Hash + ?Sized>(&mut self, value: &T) {
        value.hash(self);
    }

    /// The digest so far, avalanched so that nearby states give distant values.
    pub fn value(&self) -> u64 {
        let mut x = self.state;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }

    fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(FNV_PRIME);
    }
}

impl Hasher for Digest {
    fn finish(&self) -> u64 {
        self.value()
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word) ^ ((chunk.len() as u64) << 56));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        // The point of this hasher: usize is 32 bits on wasm32 and 64 on x86_64.
        self.mix(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.mix(i as u32 as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as i64 as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usize_and_u64_hash_alike_so_wasm32_matches_native() {
        let mut a = Digest::default();
        a.add(&(7usize, vec![1u32, 2, 3]));
        // What a 64-bit target feeds the hasher: the usize widened, the length prefix
        // widened, then the u32 slice as little-endian bytes (wasm32 is little-endian too).
        let mut b = Digest::default();
        b.write_u64(7);
        b.write_u64(3);
        b.write(&[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
        assert_eq!(a.value(), b.value());
    }

    #[test]
    fn order_matters() {
        let mut a = Digest::default();
        a.add(&(1u64, 2u64));
        let mut b = Digest::default();
        b.add(&(2u64, 1u64));
        assert_ne!(a.value(), b.value());
    }
}
