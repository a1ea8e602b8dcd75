//! The `gmp` backend: rug over the system libgmp (feature `gmp`).
//!
//! Secret exponents use AWS-LC's `BN_mod_exp_mont_consttime` ([`super::awslc_pow`], 1.3-1.4x
//! faster than GMP's own on this machine), falling back to `mpz_powm_sec` (rug's
//! `secure_pow_mod`), which GMP documents as side-channel silent in time and memory access. GMP's inverse is variable-time, so callers
//! invert secrets as `x^(q-2)` on the secure path instead (see `SchnorrGroup::invert_secret_q`).
//! Chains of multiplications (the fixed-base tables, multi-exponentiation) run in Montgomery
//! form on AWS-LC's `bn_mul_mont` ([`super::awslc_mont`]).
//! [`Gmp::wipe`] zeroes every allocated limb before resetting the value.

use rug::Integer;
use rug::integer::{IsPrime, Order};

use super::awslc_pow::limbs_padded;
use super::{Backend, BackendKind};
use crate::error::{CoreError, Result};

/// rug / GMP backend marker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gmp;

impl Backend for Gmp {
    type Int = Integer;
    const KIND: BackendKind = BackendKind::Gmp;
    const CONSTANT_TIME_SECRET_POW: bool = true;
    type Arith = super::awslc_mont::GmpArith;

    fn from_u64(v: u64) -> Integer {
        Integer::from(v)
    }
    fn from_be_bytes(bytes: &[u8]) -> Integer {
        Integer::from_digits(bytes, Order::Msf)
    }
    fn from_limbs_le(limbs: &[u64]) -> Integer {
        // Whole native limbs, least significant first: GMP copies them (no byte shuffling, no
        // intermediate buffer to wipe).
        Integer::from_digits(limbs, Order::Lsf)
    }
    fn to_be_bytes(x: &Integer) -> Vec<u8> {
        x.to_digits::<u8>(Order::Msf)
    }
    /// As the default, from GMP's limbs in one pass over the `len` bytes, so that the work
    /// does not depend on how many limbs `x` has (a secret's length): the table lookups of
    /// `FixedBaseTable::pow` read their digits from these bytes.
    fn to_be_bytes_padded(x: &Integer, len: usize) -> Result<Vec<u8>> {
        // The exact size only when the limbs could be too many (never for an exponent below q
        // and its 32-byte table: reading it costs more for some values than others).
        if x.as_limbs().len() * 8 > len && x.significant_bits() as usize > len * 8 {
            return Err(CoreError::TooLarge {
                bytes: x.significant_bits().div_ceil(8) as usize,
                max: len,
            });
        }
        let limbs = limbs_padded(x, len.div_ceil(8));
        let mut out = vec![0u8; len];
        for (chunk, limb) in out.rchunks_mut(8).zip(limbs.iter()) {
            chunk.copy_from_slice(&limb.to_be_bytes()[8 - chunk.len()..]);
        }
        Ok(out)
    }
    fn to_u64(x: &Integer) -> Option<u64> {
        x.to_u64()
    }
    fn bits(x: &Integer) -> u64 {
        u64::from(x.significant_bits())
    }
    fn add(a: &Integer, b: &Integer) -> Integer {
        Integer::from(a + b)
    }
    fn sub(a: &Integer, b: &Integer) -> Integer {
        Integer::from(a - b)
    }
    fn mul(a: &Integer, b: &Integer) -> Integer {
        Integer::from(a * b)
    }
    fn rem(a: &Integer, m: &Integer) -> Integer {
        // Operands are non-negative, so the truncating remainder is the modulus.
        Integer::from(a % m)
    }
    fn div(a: &Integer, b: &Integer) -> Integer {
        Integer::from(a / b)
    }
    fn mul_mod(a: &Integer, b: &Integer, m: &Integer) -> Integer {
        let mut r = Integer::from(a * b);
        r %= m;
        r
    }
    fn pow_mod(base: &Integer, exp: &Integer, m: &Integer) -> Integer {
        match base.pow_mod_ref(exp, m) {
            Some(r) => Integer::from(r),
            // Unreachable for non-negative exponents; keep a defined value anyway.
            None => Integer::new(),
        }
    }
    fn pow_mod_secret(base: &Integer, exp: &Integer, m: &Integer) -> Integer {
        if exp.cmp0() == std::cmp::Ordering::Equal {
            // mpz_powm_sec requires a positive exponent.
            return Integer::from(1) % m;
        }
        // AWS-LC's constant-time Montgomery exponentiation (faster here), else GMP's.
        super::awslc_pow::pow_mod(base, exp, m).unwrap_or_else(|| Integer::from(base.secure_pow_mod_ref(exp, m)))
    }
    fn inv_mod(a: &Integer, m: &Integer) -> Option<Integer> {
        a.invert_ref(m).map(Integer::from)
    }
    fn jacobi(a: &Integer, n: &Integer) -> i32 {
        a.jacobi(n)
    }
    fn is_probable_prime(x: &Integer, reps: u32) -> bool {
        x.is_probably_prime(reps) != IsPrime::No
    }
    fn wipe(x: &mut Integer) {
        // SAFETY: `as_raw_mut` gives the mpz_t; `d` points at `alloc` limbs owned by `x`.
        unsafe {
            let raw = x.as_raw_mut();
            let alloc = (*raw).alloc;
            if alloc > 0 {
                let limbs = (*raw).d.as_ptr();
                for i in 0..alloc as usize {
                    std::ptr::write_volatile(limbs.add(i), 0);
                }
            }
            (*raw).size = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Num;

    #[test]
    fn padded_bytes_equal_the_default_encoding() {
        let values = [
            "0",
            "1",
            "ff",
            "100",
            "ffffffffffffffff",
            "10000000000000000",
            "123456789abcdef0123456789",
        ];
        for hex in values {
            let (g, n) = (Gmp::from_hex(hex).unwrap(), Num::from_hex(hex).unwrap());
            for len in [0, 1, 2, 7, 8, 9, 12, 16, 17, 32, 40] {
                let (a, b) = (Gmp::to_be_bytes_padded(&g, len), Num::to_be_bytes_padded(&n, len));
                assert_eq!(a.is_ok(), b.is_ok(), "{hex} in {len} bytes");
                let minimal = Gmp::to_be_bytes(&g);
                assert_eq!(a.is_ok(), minimal.len() <= len, "{hex} in {len} bytes");
                if let (Ok(a), Ok(b)) = (a, b) {
                    assert_eq!(a, b, "{hex} in {len} bytes");
                    assert_eq!(a[len - minimal.len()..], minimal[..], "{hex} in {len} bytes");
                    assert!(a[..len - minimal.len()].iter().all(|b| *b == 0));
                }
            }
        }
        assert_eq!(limbs_padded(&Integer::from(0), 3).as_slice(), &[0, 0, 0]);
        assert_eq!(limbs_padded(&Integer::from(5), 2).as_slice(), &[5, 0]);
        assert_eq!(limbs_padded(&(Integer::from(1) << 64), 1).as_slice(), &[0, 1]);
    }
}
