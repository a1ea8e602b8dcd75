//! Schnorr groups: the order-q subgroup of Z_p^*, the first [`PrimeOrderGroup`](super::PrimeOrderGroup).
//!
//! Every shipped group has the shape `p = 2*q*r + 1` with q (256 bits) and r both prime, and
//! `g`, `h` derived by hashing a public seed string into the subgroup (`x^(2r) mod p`), so nobody
//! knows `log_g h` (see [`derive`](super::derive) for the exact procedure and
//! [`params`](super::params) for the constants). The prime cofactor r is what makes batch
//! verification sound: an element whose Jacobi symbol is 1 lies in the subgroup of order `q*r`,
//! which has no small subgroups that a small-exponent test could miss.
//!
//! Exponentiations go through [`SchnorrGroup`] so they are counted (see [`crate::counters`]):
//! plain (`pow`), secret (`pow_secret`, constant-time on GMP), fixed-base from a precomputed
//! [`FixedBaseTable`] (`pow_g`, `pow_h`, [`FixedBaseTable::pow`]: constant-time table lookups,
//! for the secret exponents the protocol has; [`FixedBaseTable::pow_vartime`] only for public
//! ones) and multi-exponentiation with small exponents ([`SchnorrGroup::multi_exp_small`]).
//! The tables live in `table.rs`, the multi-exponentiation in `multiexp.rs`.

mod multiexp;
mod prime;
mod table;

use std::sync::OnceLock;

use super::params;
use crate::backend::{Backend, ModArith};
use crate::counters::{self, Op};
use crate::error::{CoreError, Result};
use crate::field::Zq;

pub use self::table::{CT_WINDOW, FixedBaseTable, GENERATOR_CT_WINDOW, PK_TABLE_WINDOW};

/// Group sizes (bits of p) with shipped parameters.
pub const SUPPORTED_BITS: [u32; 4] = [1024, 2048, 3072, 4096];

/// Window (bits) of the fixed-base tables for g and h: 32 windows of 255 entries each.
pub const GENERATOR_TABLE_WINDOW: u32 = 8;

/// A Schnorr group over backend `B`, with lazily built fixed-base tables for g and h.
#[derive(Debug)]
pub struct SchnorrGroup<B: Backend> {
    bits: u32,
    p: B::Int,
    q: B::Int,
    r: B::Int,
    g: B::Int,
    h: B::Int,
    zq: Zq<B>,
    element_len: usize,
    /// p prepared for chains of multiplications (the tables, multi-exponentiation).
    arith: B::Arith,
    g_table: OnceLock<FixedBaseTable<B>>,
    h_table: OnceLock<FixedBaseTable<B>>,
}

impl<B: Backend> Clone for SchnorrGroup<B> {
    fn clone(&self) -> Self {
        SchnorrGroup {
            bits: self.bits,
            p: self.p.clone(),
            q: self.q.clone(),
            r: self.r.clone(),
            g: self.g.clone(),
            h: self.h.clone(),
            zq: self.zq.clone(),
            element_len: self.element_len,
            arith: self.arith.clone(),
            g_table: self.g_table.clone(),
            h_table: self.h_table.clone(),
        }
    }
}

impl<B: Backend> SchnorrGroup<B> {
    /// The shipped group with `bits`-bit p (1024, 2048, 3072 or 4096).
    pub fn standard(bits: u32) -> Result<Self> {
        let params = params::GroupParams::get(bits)?;
        Self::from_params(params)
    }

    /// A group from shipped or derived hex parameters (not validated: see [`Self::validate`]).
    pub fn from_params(params: &params::GroupParams) -> Result<Self> {
        let p = B::from_hex(params.p)?;
        let q = B::from_hex(params::Q_HEX)?;
        let r = B::from_hex(params.r)?;
        let g = B::from_hex(params.g)?;
        let h = B::from_hex(params.h)?;
        Ok(Self::from_parts(params.bits, p, q, r, g, h))
    }

    /// A group from its integers (not validated).
    pub fn from_parts(bits: u32, p: B::Int, q: B::Int, r: B::Int, g: B::Int, h: B::Int) -> Self {
        let element_len = B::bits(&p).div_ceil(8) as usize;
        SchnorrGroup {
            bits,
            zq: Zq::new(q.clone()),
            arith: B::Arith::new(&p),
            p,
            q,
            r,
            g,
            h,
            element_len,
            g_table: OnceLock::new(),
            h_table: OnceLock::new(),
        }
    }

    /// Check everything the protocol relies on: p, q, r prime; `p = 2qr + 1`; |p| as labelled;
    /// g and h of order q, not 1, distinct. Costs a few full-size primality tests.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason| {
            Err(CoreError::InvalidGroup {
                bits: self.bits,
                reason,
            })
        };
        let one = B::from_u64(1);
        if B::bits(&self.p) != u64::from(self.bits) {
            return bad("p does not have the labelled size");
        }
        if B::bits(&self.q) != 256 {
            return bad("q is not 256 bits");
        }
        let two_qr1 = B::add(&B::mul(&B::mul(&B::from_u64(2), &self.q), &self.r), &one);
        if two_qr1 != self.p {
            return bad("p != 2qr + 1");
        }
        if !B::is_probable_prime(&self.q, 40) {
            return bad("q is not prime");
        }
        if !B::is_probable_prime(&self.r, 40) {
            return bad("r is not prime");
        }
        if !B::is_probable_prime(&self.p, 40) {
            return bad("p is not prime");
        }
        for (x, name) in [(&self.g, "g"), (&self.h, "h")] {
            if *x <= one || *x >= self.p {
                return bad(if name == "g" {
                    "g out of range or 1"
                } else {
                    "h out of range or 1"
                });
            }
            if B::pow_mod(x, &self.q, &self.p) != one {
                return bad(if name == "g" { "g^q != 1" } else { "h^q != 1" });
            }
        }
        if self.g == self.h {
            return bad("g == h");
        }
        Ok(())
    }

    /// Bits of p.
    pub fn bits(&self) -> u32 {
        self.bits
    }
    /// Whether this group is below today's recommended size (1024-bit p: comparison only).
    pub fn is_weak(&self) -> bool {
        self.bits < 2048
    }
    /// The modulus p.
    pub fn p(&self) -> &B::Int {
        &self.p
    }
    /// The subgroup order q.
    pub fn q(&self) -> &B::Int {
        &self.q
    }
    /// The prime cofactor r, `p = 2qr + 1`.
    pub fn r(&self) -> &B::Int {
        &self.r
    }
    /// Generator g.
    pub fn g(&self) -> &B::Int {
        &self.g
    }
    /// Generator h (log_g h unknown).
    pub fn h(&self) -> &B::Int {
        &self.h
    }
    /// The field Z_q.
    pub fn zq(&self) -> &Zq<B> {
        &self.zq
    }
    /// Bytes of a fixed-length group element encoding (bytes of p).
    pub fn element_len(&self) -> usize {
        self.element_len
    }

    /// Encode an element as exactly [`Self::element_len`] bytes.
    pub fn element_to_bytes(&self, x: &B::Int) -> Vec<u8> {
        B::to_be_bytes_padded(x, self.element_len).unwrap_or_default()
    }

    /// Decode an element and check it is well formed ([`Self::check_element`]).
    pub fn element_from_bytes(&self, bytes: &[u8], what: &'static str) -> Result<B::Int> {
        let x = B::from_be_bytes(bytes);
        if self.is_well_formed(&x) {
            Ok(x)
        } else {
            Err(CoreError::BadElement { what })
        }
    }

    /// `1 <= x < p` and Jacobi symbol `(x/p) = 1`, i.e. x lies in the subgroup of order `q*r`.
    /// Cheap (no exponentiation); counted as [`Op::ElementCheck`].
    pub fn is_well_formed(&self, x: &B::Int) -> bool {
        if B::is_zero(x) || *x >= self.p {
            return false;
        }
        counters::record(Op::ElementCheck);
        B::jacobi(x, &self.p) == 1
    }

    /// Whether `x` is in the order-q subgroup: `x^q == 1`. A full exponentiation.
    pub fn is_in_subgroup(&self, x: &B::Int) -> bool {
        if B::is_zero(x) || *x >= self.p {
            return false;
        }
        counters::record(Op::VartimeMul);
        B::pow_mod(x, &self.q, &self.p) == B::from_u64(1)
    }

    /// p prepared for chains of multiplications ([`ModArith`]).
    pub fn arith(&self) -> &B::Arith {
        &self.arith
    }

    /// `a * b mod p`.
    pub fn mul(&self, a: &B::Int, b: &B::Int) -> B::Int {
        B::mul_mod(a, b, &self.p)
    }

    /// `base^e mod p`, variable-time; counted as [`Op::VartimeMul`].
    pub fn pow(&self, base: &B::Int, e: &B::Int) -> B::Int {
        counters::record(Op::VartimeMul);
        B::pow_mod(base, e, &self.p)
    }

    /// `base^e mod p` for a secret e, on the backend's constant-time path; counted as
    /// [`Op::SecretMul`].
    pub fn pow_secret(&self, base: &B::Int, e: &B::Int) -> B::Int {
        counters::record(Op::SecretMul);
        B::pow_mod_secret(base, e, &self.p)
    }

    /// The fixed-base table for g (built on first use).
    pub fn g_table(&self) -> &FixedBaseTable<B> {
        self.g_table
            .get_or_init(|| FixedBaseTable::with_ct_window(self, &self.g, GENERATOR_TABLE_WINDOW, GENERATOR_CT_WINDOW))
    }

    /// The fixed-base table for h (built on first use).
    pub fn h_table(&self) -> &FixedBaseTable<B> {
        self.h_table
            .get_or_init(|| FixedBaseTable::with_ct_window(self, &self.h, GENERATOR_TABLE_WINDOW, GENERATOR_CT_WINDOW))
    }

    /// `g^e` from the table, constant-time lookups (e may be secret); counted as
    /// [`Op::FixedBaseMul`].
    pub fn pow_g(&self, e: &B::Int) -> B::Int {
        self.g_table().pow(self, e)
    }

    /// `h^e` from the table, constant-time lookups (e may be secret); counted as
    /// [`Op::FixedBaseMul`].
    pub fn pow_h(&self, e: &B::Int) -> B::Int {
        self.h_table().pow(self, e)
    }

    /// `g^a * h^b` from both tables (a Pedersen commitment); counted as two [`Op::FixedBaseMul`].
    pub fn commit(&self, a: &B::Int, b: &B::Int) -> B::Int {
        let ga = self.pow_g(a);
        let hb = self.pow_h(b);
        self.mul(&ga, &hb)
    }
}
