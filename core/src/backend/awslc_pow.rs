//! Constant-time modular exponentiation for the `gmp` backend on AWS-LC's
//! `BN_mod_exp_mont_consttime` (fixed windows, constant-time table reads, Montgomery
//! multiplication with the MULX/ADX kernels RSA uses).
//!
//! Measured against GMP's `mpz_powm_sec` in one run on the project's 2-core AMD EPYC VM (256-bit
//! exponent, conversions included): 111 us against 87 us at 1024 bits, 432 us against 313 us at
//! 2048 bits (`core/README.md`, "Secret exponentiation").
//!
//! Hygiene: the base and exponent are copied into AWS-LC numbers that are freed with
//! `BN_clear_free` (zeroed first); the result passes through a buffer wiped on drop; a fresh
//! `BN_CTX` per call, so no intermediate value outlives the call in a pool. One Montgomery
//! context per modulus and thread is kept (moduli are public). Any failure (an even modulus, an
//! allocation that fails) returns `None` and the caller falls back to `mpz_powm_sec`.

use std::cell::RefCell;
use std::ptr;

use aws_lc_sys::{
    BIGNUM, BN_CTX_free, BN_CTX_new, BN_bn2le_padded, BN_clear_free, BN_le2bn, BN_mod_exp_mont_consttime, BN_new,
};
use rug::Integer;
use rug::integer::Order;
use subtle::{ConditionallySelectable, ConstantTimeLess};
use zeroize::Zeroizing;

use super::awslc_mont::MontCtx;

/// `x`'s limbs, least significant first, padded with zeros to at least `n` limbs, in one pass
/// over the padded width: each limb is selected with `subtle`, not by a branch on the number
/// of significant limbs (a secret's length). Wiped on drop.
pub(super) fn limbs_padded(x: &Integer, n: usize) -> Zeroizing<Vec<u64>> {
    // Zero has no limbs: read a zero limb instead (the one branch on the value).
    let limbs = if x.as_limbs().is_empty() {
        &[0][..]
    } else {
        x.as_limbs()
    };
    let len = limbs.len() as u64;
    let padded = (0..limbs.len().max(n) as u64)
        .map(|i| {
            let inside = i.ct_lt(&len);
            let at = u64::conditional_select(&(len - 1), &i, inside);
            u64::conditional_select(&0, &limbs[at as usize], inside)
        })
        .collect();
    Zeroizing::new(padded)
}

/// Montgomery contexts kept per thread: the group's p, Z_q's q, and room for a test's moduli.
const CACHED_MODULI: usize = 4;

/// An owned AWS-LC number, zeroed and freed on drop.
struct Bn(*mut BIGNUM);

/// Exponents go to AWS-LC with at least this many 64-bit limbs (256 bits: every secret exponent
/// of the protocol is below q, which has 256 bits). `BN_mod_exp_mont_consttime` runs over every
/// limb of the exponent it is given (its width), and GMP keeps no leading zero limbs, so an
/// exponent with fewer limbs would take fewer steps: below 2^192, a third of the instructions
/// of a full-size one (`perf/tests/constant_time.rs`).
const EXP_MIN_LIMBS: usize = 4;

impl Bn {
    /// A copy of `x` (non-negative). The bytes are read in place from GMP's limbs.
    fn from_integer(x: &Integer) -> Option<Bn> {
        Self::from_limbs(x.as_limbs())
    }

    /// A copy of `x` (non-negative) with at least `min_limbs` limbs, leading zeros included.
    fn from_integer_padded(x: &Integer, min_limbs: usize) -> Option<Bn> {
        let padded = limbs_padded(x, min_limbs);
        Self::from_limbs(&padded)
    }

    /// The number whose limbs, least significant first, are `limbs` (its width is their count).
    fn from_limbs(limbs: &[u64]) -> Option<Bn> {
        // SAFETY: `limbs` is a live slice of u64; viewing it as bytes is valid for any u64 value.
        // Limbs are least significant first and each is native-endian, so on a little-endian
        // target the bytes are the number's little-endian bytes (checked at compile time below).
        let bytes = unsafe { std::slice::from_raw_parts(limbs.as_ptr().cast::<u8>(), std::mem::size_of_val(limbs)) };
        // SAFETY: `bytes` is valid for its length; a null `ret` asks AWS-LC for a new BIGNUM.
        let bn = unsafe { BN_le2bn(bytes.as_ptr(), bytes.len(), ptr::null_mut()) };
        (!bn.is_null()).then_some(Bn(bn))
    }
}

impl Drop for Bn {
    fn drop(&mut self) {
        // SAFETY: the pointer came from BN_le2bn / BN_new and is freed once, here.
        unsafe { BN_clear_free(self.0) }
    }
}

const _: () = assert!(
    cfg!(target_endian = "little"),
    "awslc_pow reads GMP limbs as little-endian bytes"
);

/// A Montgomery context for one (public) modulus, found by its value.
struct Mont {
    modulus: Integer,
    ctx: MontCtx,
}

thread_local! {
    static MONTS: RefCell<Vec<Mont>> = const { RefCell::new(Vec::new()) };
}

/// `base^exp mod m` in constant time (for a given bit length of `exp` and size of `m`), or
/// `None` when AWS-LC cannot do it (even modulus, allocation failure). Requires `m > 1`,
/// `exp > 0`; `base` is reduced first when it is not below `m`.
pub(super) fn pow_mod(base: &Integer, exp: &Integer, m: &Integer) -> Option<Integer> {
    if m.is_even() || *m <= 1 || exp.cmp0() != std::cmp::Ordering::Greater {
        return None;
    }
    let reduced;
    // Integers are non-negative (the backend contract), so the remainder is the residue.
    let base = if base >= m {
        reduced = Integer::from(base % m);
        &reduced
    } else {
        base
    };
    MONTS.with(|cell| {
        let mut monts = cell.borrow_mut();
        let at = match monts.iter().position(|c| c.modulus == *m) {
            Some(i) => i,
            None => {
                let ctx = MontCtx::new(m)?;
                if monts.len() == CACHED_MODULI {
                    monts.remove(0);
                }
                monts.push(Mont {
                    modulus: m.clone(),
                    ctx,
                });
                monts.len() - 1
            }
        };
        let mont = &monts[at];
        let a = Bn::from_integer(base)?;
        let e = Bn::from_integer_padded(exp, EXP_MIN_LIMBS)?;
        // SAFETY: BN_new returns a fresh BIGNUM or null.
        let r = unsafe { BN_new() };
        if r.is_null() {
            return None;
        }
        let r = Bn(r);
        // SAFETY: BN_CTX_new returns a fresh context or null; freed below on every path.
        let bctx = unsafe { BN_CTX_new() };
        if bctx.is_null() {
            return None;
        }
        // SAFETY: every pointer is valid and owned as above; `a < m` (reduced above), `m` odd.
        let ok = unsafe { BN_mod_exp_mont_consttime(r.0, a.0, e.0, mont.ctx.n, bctx, mont.ctx.mont) };
        // SAFETY: allocated above, freed once.
        unsafe { BN_CTX_free(bctx) };
        if ok != 1 {
            return None;
        }
        let limbs = m.as_limbs().len();
        let mut out = Zeroizing::new(vec![0u64; limbs]);
        // SAFETY: `out` holds `limbs * 8` writable bytes; the result is below m, so it fits.
        let written = unsafe { BN_bn2le_padded(out.as_mut_ptr().cast::<u8>(), limbs * 8, r.0) };
        if written != 1 {
            return None;
        }
        Some(Integer::from_digits(&out[..], Order::Lsf))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_gmp_on_odd_moduli_and_declines_even_ones() {
        let m = Integer::from_str_radix("f1e2d3c4b5a69788796a5b4c3d2e1f0123456789abcdef0123456789abcdef1", 16).unwrap();
        for (b, e) in [(2u64, 1u64), (3, 65537), (0, 5), (1, 12345), (u64::MAX, u64::MAX)] {
            let (b, e) = (Integer::from(b), Integer::from(e));
            let want = Integer::from(b.secure_pow_mod_ref(&e, &m));
            assert_eq!(pow_mod(&b, &e, &m), Some(want), "{b}^{e}");
        }
        // A base at or above m is reduced first.
        let big = Integer::from(&m * 3u32) + 7u32;
        assert_eq!(
            pow_mod(&big, &Integer::from(9), &m),
            Some(Integer::from(7).pow_mod(&Integer::from(9), &m).unwrap())
        );
        // An even modulus is left to GMP.
        assert_eq!(
            pow_mod(&Integer::from(3), &Integer::from(5), &Integer::from(1 << 20)),
            None
        );
        assert_eq!(pow_mod(&Integer::from(3), &Integer::from(0), &m), None);
    }

    #[test]
    fn more_moduli_than_the_cache_holds_stay_right() {
        let mut moduli = Vec::new();
        for i in 0..(2 * CACHED_MODULI as u32 + 1) {
            moduli.push((Integer::from(1) << (200 + 64 * i)) + 297u32);
        }
        for _ in 0..2 {
            for m in &moduli {
                let (b, e) = (
                    Integer::from(0x1234_5678_9abc_def1u64),
                    (Integer::from(1) << 255) + 77u32,
                );
                assert_eq!(pow_mod(&b, &e, m), Some(b.clone().pow_mod(&e, m).unwrap()));
            }
        }
    }
}
