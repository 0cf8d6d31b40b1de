//! The one source of randomness of a run: xoshiro256++ seeded from the run's seed.
//!
//! `rand_xoshiro` is the Rust project's own implementation (rust-random/rngs); the stream is
//! specified by the algorithm, not by the crate version, and it has no floats and no
//! `usize`, so wasm32 and x86_64 draw the same numbers. No OS entropy is ever touched.
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::network::Ratio;

#[derive(Clone, Debug)]
pub struct Prng {
    inner: Xoshiro256PlusPlus,
}

impl Prng {
    pub fn new(seed: u64) -> Prng {
        Prng { inner: Xoshiro256PlusPlus::seed_from_u64(seed) }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `0..bound` (bound > 0), without modulo bias (Lemire's method).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Prng::below(0)");
        loop {
            let x = self.next_u64();
            let m = u128::from(x) * u128::from(bound);
            let low = m as u64;
            if low >= bound.wrapping_neg() % bound {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        assert!(low <= high);
        if high - low == u64::MAX {
            return self.next_u64();
        }
        low + self.below(high - low + 1)
    }

    /// True with probability `ratio`. A zero ratio draws nothing, so adding a
    /// zero-probability fault to a scenario does not shift the random stream.
    pub fn chance(&mut self, ratio: Ratio) -> bool {
        if ratio.numerator == 0 {
            return false;
        }
        if ratio.numerator >= ratio.denominator {
            return true;
        }
        self.below(u64::from(ratio.denominator)) < u64::from(ratio.numerator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let mut a = Prng::new(42);
        let mut b = Prng::new(42);
        let mut c = Prng::new(43);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut p = Prng::new(1);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = p.below(7);
            assert!(v < 7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn chance_extremes() {
        let mut p = Prng::new(5);
        assert!(!p.chance(Ratio::new(0, 10)));
        assert!(p.chance(Ratio::new(10, 10)));
        let hits = (0..10_000).filter(|_| p.chance(Ratio::new(1, 4))).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
    }
}
