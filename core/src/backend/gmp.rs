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

use super::{Backend, BackendKind};

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
