//! Multiscalar multiplication with small (64-bit) public scalars on ristretto255, the batch
//! tests' and the VSS checks' `sum k_i * X_i`.
//!
//! curve25519-dalek's variable-time multiscalar multiplication takes full 253-bit scalars and
//! always runs 256 doublings, so with 64-bit scalars three quarters of its work is spent on zero
//! bits, most visibly for the few terms of a VSS check (t commitments). Here the scalars'
//! 64 bits are all there is: Straus with 4-bit windows for a few terms (a table of up to 15
//! multiples per point, as many as its scalar can use, then 4 doublings and one addition per
//! term for each window below the largest scalar's top bit), buckets (Pippenger)
//! for more, with the window that needs the fewest additions for their number. From 190 terms
//! on (a CP's batch test of 128 packets has 256), curve25519-dalek's own Pippenger is faster
//! despite its 256-bit scalars, because its additions run four lanes wide (AVX2): 7.1 us
//! against 9.1 us per packet in the batch-100 bench (`cargo bench -p dsmpc-core --bench core
//! -- ristretto255/verify/batch`), so those go to it. Variable-time: public scalars only.
//! Tested against curve25519-dalek's result.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};

/// Up to this many terms Straus, above it buckets (whose window grows with the terms).
const STRAUS_MAX: usize = 16;
/// From this many terms on, curve25519-dalek's Pippenger (its own threshold between Straus and
/// Pippenger).
const DALEK_MIN: usize = 190;

/// `sum ks[i] * xs[i]`.
pub(crate) fn small_multiscalar(xs: &[&RistrettoPoint], ks: &[u64]) -> RistrettoPoint {
    if xs.len() <= STRAUS_MAX {
        straus(xs, ks)
    } else if xs.len() < DALEK_MIN {
        buckets(xs, ks)
    } else {
        RistrettoPoint::vartime_multiscalar_mul(ks.iter().map(|&k| Scalar::from(k)), xs.iter().copied())
    }
}

fn straus(xs: &[&RistrettoPoint], ks: &[u64]) -> RistrettoPoint {
    // Only the windows below the largest scalar's top bit, and per point only the multiples
    // its own digits can ask for: a VSS check's scalars are the powers x^j of a small index x
    // (1, x, x^2, ...), so most of a full table and most windows would be wasted.
    let top = ks.iter().fold(0u64, |a, &k| a | k);
    let windows = (64 - top.leading_zeros() as usize).div_ceil(4);
    // tables[i][d - 1] = d * xs[i], d = 1..=min(15, ks[i])
    let tables: Vec<Vec<RistrettoPoint>> = xs
        .iter()
        .zip(ks)
        .map(|(x, &k)| {
            let len = k.min(15) as usize;
            let mut t = Vec::with_capacity(len);
            if len > 0 {
                t.push(**x);
            }
            for d in 1..len {
                t.push(t[d - 1] + **x);
            }
            t
        })
        .collect();
    let mut acc = RistrettoPoint::identity();
    for w in (0..windows).rev() {
        if w + 1 != windows {
            for _ in 0..4 {
                acc = acc + acc;
            }
        }
        for (t, k) in tables.iter().zip(ks) {
            let d = ((k >> (4 * w)) & 0xf) as usize;
            if d != 0 {
                acc += t[d - 1];
            }
        }
    }
    acc
}

/// The bucket window (bits) with the fewest additions for `n` terms: per window, `c`
/// doublings, `n` bucket additions and two passes over the `2^c - 1` buckets.
fn window(n: usize) -> usize {
    (3..=10usize)
        .min_by_key(|&c| 64usize.div_ceil(c) * (c + n + 2 * ((1 << c) - 1)))
        .unwrap_or(6)
}

fn buckets(xs: &[&RistrettoPoint], ks: &[u64]) -> RistrettoPoint {
    let c = window(xs.len());
    let windows = 64usize.div_ceil(c);
    let mut acc = RistrettoPoint::identity();
    let mut bucket = vec![RistrettoPoint::identity(); (1 << c) - 1];
    for w in (0..windows).rev() {
        if w != windows - 1 {
            for _ in 0..c {
                acc = acc + acc;
            }
        }
        bucket.iter_mut().for_each(|b| *b = RistrettoPoint::identity());
        for (x, k) in xs.iter().zip(ks) {
            let d = ((k >> (c * w)) & ((1 << c) - 1)) as usize;
            if d != 0 {
                bucket[d - 1] += **x;
            }
        }
        // sum_d d * bucket[d - 1], by running sums from the top
        let (mut running, mut sum) = (RistrettoPoint::identity(), RistrettoPoint::identity());
        for b in bucket.iter().rev() {
            running += b;
            sum += running;
        }
        acc += sum;
    }
    acc
}

#[cfg(test)]
mod tests {
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    use super::*;

    #[test]
    fn agrees_with_curve25519_dalek_for_few_and_many_terms_and_extreme_scalars() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [0usize, 1, 2, 3, 5, 11, 16, 17, 24, 25, 64, 189, 190, 200] {
            let xs: Vec<RistrettoPoint> = (0..n)
                .map(|_| RISTRETTO_BASEPOINT_POINT * Scalar::from(next()))
                .collect();
            for pattern in 0..6 {
                let ks: Vec<u64> = (0..n)
                    .map(|i| match pattern {
                        0 => next(),
                        1 => u64::MAX,
                        2 => (i as u64) % 3,
                        // a VSS check's powers of a small index: 1, x, x^2, ...
                        3 => (2 + i as u64 % 5).pow((i % 5) as u32),
                        // one small scalar among zeros, and 15 / 16 at a window's edge
                        4 => [0, 0, 7, 15, 16, 17][i % 6],
                        _ => 1u64 << (i % 64),
                    })
                    .collect();
                let refs: Vec<&RistrettoPoint> = xs.iter().collect();
                let want = RistrettoPoint::vartime_multiscalar_mul(ks.iter().map(|&k| Scalar::from(k)), xs.iter());
                assert_eq!(small_multiscalar(&refs, &ks), want, "n = {n}, pattern {pattern}");
            }
        }
    }
}
