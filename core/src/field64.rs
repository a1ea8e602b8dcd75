//! The 64-bit prime field of vector shares: p = 2^64 - 2^32 + 1 ("Goldilocks"), the field of
//! Prio3's `Field64` (draft-irtf-cfrg-vdaf, the `prio` crate), so validity proofs for vectors
//! (the validation issue) can run on the same shares with several proofs for soundness.
//!
//! Why not Z_q of the group: a share in Z_q is 32 bytes (ristretto255) to 256 (group-2048) and
//! every operation a big-integer one; vector elements need neither, only a field whose order
//! bounds what a sum may reach (`n (2^v - 1) < p`, about 2^64). Per-element work is then a few
//! 64-bit multiplications, and a share is 8 bytes on the wire.
//!
//! Elements are `u64` kept reduced into `[0, p)`; [`F64`] is a newtype so an unreduced integer
//! cannot be mistaken for one. Multiplication reduces a 128-bit product with the identity
//! 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p), without division; carries are folded
//! arithmetically, and the one comparison (the final conditional subtraction) is a select the
//! compiler emits without a branch on x86-64, though Rust does not promise it.

use rand_core::Rng;
use zeroize::Zeroize;

/// The modulus p = 2^64 - 2^32 + 1.
pub const P: u64 = 0xFFFF_FFFF_0000_0001;
/// 2^64 mod p = 2^32 - 1.
const EPSILON: u64 = 0xFFFF_FFFF;

/// 2^64 mod p if `carry`, else 0: what a carry out of (or borrow into) bit 64 is worth.
#[inline(always)]
const fn fold(carry: bool) -> u64 {
    EPSILON * carry as u64
}

/// An element of GF(p), p = 2^64 - 2^32 + 1, reduced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Zeroize)]
pub struct F64(u64);

impl F64 {
    /// Zero.
    pub const ZERO: F64 = F64(0);
    /// One.
    pub const ONE: F64 = F64(1);
    /// Bytes of an element's encoding (little-endian, as Prio3's).
    pub const LEN: usize = 8;

    /// `v mod p`.
    pub const fn new(v: u64) -> F64 {
        // v < 2^64 < 2p: one conditional subtraction.
        F64(if v >= P { v - P } else { v })
    }
    /// The canonical representative in `[0, p)`.
    pub const fn value(self) -> u64 {
        self.0
    }
    /// `-v mod p` for a signed `v` (`|v| < p`): a negative number is encoded as `p - |v|`.
    pub fn from_i64(v: i64) -> F64 {
        if v < 0 {
            -F64::new(v.unsigned_abs())
        } else {
            F64::new(v as u64)
        }
    }
    /// The centred representative: `value` if it is at most (p - 1) / 2, else `value - p`.
    pub fn centred(self) -> i128 {
        if self.0 <= P / 2 {
            self.0 as i128
        } else {
            self.0 as i128 - P as i128
        }
    }
    /// The encoding: 8 bytes, little-endian.
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }
    /// Decode 8 little-endian bytes; `None` unless the value is below p (one encoding each).
    pub fn from_bytes(b: [u8; 8]) -> Option<F64> {
        let v = u64::from_le_bytes(b);
        (v < P).then_some(F64(v))
    }
    /// A uniform element (rejection sampling: a draw is refused with probability below 2^-32).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> F64 {
        loop {
            let v = rng.next_u64();
            if v < P {
                return F64(v);
            }
        }
    }
    /// `self^e`.
    pub fn pow(self, mut e: u64) -> F64 {
        let (mut base, mut acc) = (self, F64::ONE);
        while e > 0 {
            if e & 1 == 1 {
                acc *= base;
            }
            base *= base;
            e >>= 1;
        }
        acc
    }
    /// The inverse (`self^(p-2)`), `None` for zero.
    pub fn inv(self) -> Option<F64> {
        (self.0 != 0).then(|| self.pow(P - 2))
    }
    /// Reduce a 128-bit integer mod p.
    #[inline(always)]
    pub fn reduce128(x: u128) -> F64 {
        let lo = x as u64;
        let hi = (x >> 64) as u64;
        let hi_hi = hi >> 32;
        let hi_lo = hi & EPSILON;
        // x = lo + 2^64 hi_lo + 2^96 hi_hi = lo + (2^32 - 1) hi_lo - hi_hi (mod p).
        let (t0, borrow) = lo.overflowing_sub(hi_hi);
        // A borrow wrapped by 2^64 = 2^32 - 1 (mod p): take EPSILON back off.
        let t0 = t0.wrapping_sub(EPSILON * borrow as u64);
        let t1 = hi_lo * EPSILON;
        let (s, carry) = t0.overflowing_add(t1);
        F64::new(s.wrapping_add(EPSILON * carry as u64))
    }
}

impl std::ops::Add for F64 {
    type Output = F64;
    #[inline(always)]
    fn add(self, o: F64) -> F64 {
        let (s, carry) = self.0.overflowing_add(o.0);
        // s + 2^64 carry = s + EPSILON carry (mod p); no second carry: both inputs are < p.
        F64::new(s.wrapping_add(fold(carry)))
    }
}

impl std::ops::Sub for F64 {
    type Output = F64;
    #[inline(always)]
    fn sub(self, o: F64) -> F64 {
        let (d, borrow) = self.0.overflowing_sub(o.0);
        F64(d.wrapping_sub(fold(borrow)))
    }
}

impl std::ops::Neg for F64 {
    type Output = F64;
    fn neg(self) -> F64 {
        F64::ZERO - self
    }
}

impl std::ops::Mul for F64 {
    type Output = F64;
    #[inline(always)]
    fn mul(self, o: F64) -> F64 {
        F64::reduce128(self.0 as u128 * o.0 as u128)
    }
}

impl std::ops::AddAssign for F64 {
    #[inline(always)]
    fn add_assign(&mut self, o: F64) {
        *self = *self + o;
    }
}

impl std::ops::SubAssign for F64 {
    #[inline(always)]
    fn sub_assign(&mut self, o: F64) {
        *self = *self - o;
    }
}

impl std::ops::MulAssign for F64 {
    #[inline(always)]
    fn mul_assign(&mut self, o: F64) {
        *self = *self * o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PB: u128 = P as u128;

    fn edge() -> impl Strategy<Value = u64> {
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(P - 1),
            Just(P - 2),
            Just(EPSILON),
            Just(EPSILON + 1),
            Just(1 << 63),
            0..P,
        ]
    }

    proptest! {
        #[test]
        fn arithmetic_matches_u128(a in edge(), b in edge()) {
            let (x, y) = (F64::new(a), F64::new(b));
            prop_assert_eq!((x + y).value() as u128, (a as u128 + b as u128) % PB);
            prop_assert_eq!((x - y).value() as u128, (a as u128 + PB - b as u128) % PB);
            prop_assert_eq!((x * y).value() as u128, (a as u128 * b as u128) % PB);
            prop_assert_eq!(-x + x, F64::ZERO);
        }

        #[test]
        fn reduce128_matches(x in any::<u128>()) {
            prop_assert_eq!(F64::reduce128(x).value() as u128, x % PB);
        }

        #[test]
        fn inverse_and_encoding(a in 1..P) {
            let x = F64::new(a);
            prop_assert_eq!(x * x.inv().unwrap(), F64::ONE);
            prop_assert_eq!(F64::from_bytes(x.to_bytes()), Some(x));
        }

        #[test]
        fn signed_round_trip(v in -(1i64 << 62)..(1i64 << 62)) {
            prop_assert_eq!(F64::from_i64(v).centred(), v as i128);
        }
    }

    #[test]
    fn edges() {
        assert_eq!(F64::new(P), F64::ZERO);
        assert_eq!(F64::new(u64::MAX).value(), u64::MAX - P);
        assert_eq!(F64::ZERO.inv(), None);
        assert_eq!(F64::from_bytes(P.to_le_bytes()), None, "p itself is not an encoding");
        assert_eq!(F64::from_bytes(u64::MAX.to_le_bytes()), None);
        assert_eq!(F64::from_i64(-1).value(), P - 1);
        assert_eq!(F64::new(P - 1).centred(), -1);
        // The multiplicative group has order p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537.
        assert_eq!(F64::new(7).pow(P - 1), F64::ONE);
    }
}
