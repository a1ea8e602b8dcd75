//! A variable-time fixed-base table on ristretto255, for public scalars times a fixed point
//! (`r * h`, with r sent in the clear).
//!
//! curve25519-dalek's basepoint tables are constant-time: each of their 64 additions first
//! selects its entry by scanning all eight of its row in constant time, which is about a third
//! of their cost. A public scalar needs none of that. Here the scalar is recoded into signed
//! 6-bit digits (in `[-32, 32)`, 44 of them for 253 bits and a final carry), and each non-zero
//! digit adds one precomputed multiple `|d| * 2^(6i) * P` (negated for a negative digit),
//! fetched by its index: at most 44 additions and no doublings. The table holds 44 x 32 points
//! (225 KiB), built once per point. Tested against curve25519-dalek's multiplication.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

/// Bits per digit.
const W: usize = 6;
/// Entries per row: the multiples `1..=2^(W-1)`.
const ROW: usize = 1 << (W - 1);
/// Rows: enough digits for 256 bits and the last digit's carry.
const ROWS: usize = 256usize.div_ceil(W) + 1;

/// `rows[i][j] = (j + 1) * 2^(W i) * P`.
#[derive(Clone)]
pub(crate) struct VartimeComb {
    rows: Vec<[RistrettoPoint; ROW]>,
}

impl VartimeComb {
    /// The table of `p`.
    pub(crate) fn new(p: &RistrettoPoint) -> Self {
        let mut rows = Vec::with_capacity(ROWS);
        let mut base = *p;
        for _ in 0..ROWS {
            let mut row = [RistrettoPoint::identity(); ROW];
            row[0] = base;
            for j in 1..ROW {
                row[j] = row[j - 1] + base;
            }
            // The next row's base, 2^W times this one's: the last entry is 2^(W-1) * base.
            base = row[ROW - 1] + row[ROW - 1];
            rows.push(row);
        }
        VartimeComb { rows }
    }

    /// `k * P`, variable-time: for public scalars only.
    pub(crate) fn mul_vartime(&self, k: &Scalar) -> RistrettoPoint {
        let mut acc = RistrettoPoint::identity();
        for (row, d) in self.rows.iter().zip(signed_digits(&k.to_bytes())) {
            match d {
                0 => {}
                d if d > 0 => acc += &row[d as usize - 1],
                d => acc -= &row[d.unsigned_abs() as usize - 1],
            }
        }
        acc
    }
}

/// The little-endian scalar `le` as `ROWS` signed digits `d_i` in `[-2^(W-1), 2^(W-1)]` with
/// `sum d_i 2^(W i)` equal to it (a digit of `2^(W-1)` is kept positive; the last takes the
/// carry).
fn signed_digits(le: &[u8; 32]) -> [i8; ROWS] {
    let bit = |i: usize| -> u32 {
        if i < 256 {
            u32::from((le[i / 8] >> (i % 8)) & 1)
        } else {
            0
        }
    };
    let mut digits = [0i8; ROWS];
    let mut carry = 0i32;
    for (i, d) in digits.iter_mut().enumerate() {
        let mut v = carry;
        for b in 0..W {
            v += (bit(W * i + b) << b) as i32;
        }
        // v in [0, 2^W]: keep it when at most 2^(W-1), else borrow from the next digit.
        if v > ROW as i32 {
            v -= 1 << W;
            carry = 1;
        } else {
            carry = 0;
        }
        *d = v as i8;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    fn check(k: Scalar, comb: &VartimeComb, p: &RistrettoPoint) {
        assert_eq!(comb.mul_vartime(&k), p * k, "k = {:?}", k.to_bytes());
    }

    #[test]
    fn agrees_with_dalek_on_edge_and_random_scalars() {
        let p = RISTRETTO_BASEPOINT_POINT * Scalar::from(987_654_321u64);
        let comb = VartimeComb::new(&p);
        let minus_one = -Scalar::ONE;
        for k in [
            Scalar::ZERO,
            Scalar::ONE,
            Scalar::from(31u8),
            Scalar::from(32u8),
            Scalar::from(33u8),
            minus_one,
        ] {
            check(k, &comb, &p);
        }
        // Every digit 2^(W-1) (the kept-positive edge) and every digit 2^W - 1 (a carry chain).
        for fill in [0x20u8, 0x3f, 0xff, 0x80] {
            check(Scalar::from_bytes_mod_order([fill; 32]), &comb, &p);
        }
        let mut x = [7u8; 64];
        for i in 0..200u8 {
            x[0] = i;
            x = sha2_like(&x);
            check(Scalar::from_bytes_mod_order_wide(&x), &comb, &p);
        }
    }

    /// A cheap, deterministic byte mixer for test scalars.
    fn sha2_like(x: &[u8; 64]) -> [u8; 64] {
        use sha2::{Digest, Sha512};
        Sha512::digest(x).into()
    }

    #[test]
    fn digits_sum_to_the_scalar() {
        for fill in [0u8, 1, 0x1f, 0x20, 0x21, 0x3f, 0x7f, 0xff] {
            let le = [fill; 32];
            let d = signed_digits(&le);
            assert!(d.iter().all(|&d| (-(ROW as i8)..=ROW as i8).contains(&d)));
            // Sum the digits back in 2^W steps, as a little-endian big integer.
            let mut acc = [0i64; 48];
            for (i, &v) in d.iter().enumerate() {
                let shift = W * i;
                acc[shift / 8] += i64::from(v) << (shift % 8);
            }
            let mut out = [0u8; 48];
            let mut carry = 0i64;
            for i in 0..48 {
                let v = acc[i] + carry;
                out[i] = v.rem_euclid(256) as u8;
                carry = v.div_euclid(256);
            }
            assert_eq!(carry, 0);
            assert_eq!(&out[..32], &le[..], "fill {fill:#x}");
            assert!(out[32..].iter().all(|&b| b == 0));
        }
    }
}
