//! Schnorr groups: the order-q subgroup of Z_p^* used by the PVSS attachment.
//!
//! Every shipped group has the shape `p = 2*q*r + 1` with q (256 bits) and r both prime, and
//! `g`, `h` derived by hashing a public seed string into the subgroup (`x^(2r) mod p`), so nobody
//! knows `log_g h` (see [`derive`] for the exact procedure and [`params`] for the constants).
//! The prime cofactor r is what makes batch verification sound: an element whose Jacobi symbol
//! is 1 lies in the subgroup of order `q*r`, which has no small subgroups that a
//! small-exponent test could miss.
//!
//! Exponentiations go through [`SchnorrGroup`] so they are counted (see [`crate::counters`]):
//! plain (`pow`), secret (`pow_secret`, constant-time on GMP), fixed-base from a precomputed
//! [`FixedBaseTable`] (`pow_g`, `pow_h`, [`FixedBaseTable::pow`]: constant-time table lookups,
//! for the secret exponents the protocol has; [`FixedBaseTable::pow_vartime`] only for public
//! ones) and multi-exponentiation with small exponents ([`SchnorrGroup::multi_exp_small`]).

pub mod derive;
pub mod params;

use std::sync::OnceLock;

use crate::backend::{Backend, ModArith};
use crate::counters::{self, Op};
use crate::error::{CoreError, Result};
use crate::field::Zq;

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
    /// Cheap (no exponentiation); counted as [`Op::Jacobi`].
    pub fn is_well_formed(&self, x: &B::Int) -> bool {
        if B::is_zero(x) || *x >= self.p {
            return false;
        }
        counters::record(Op::Jacobi);
        B::jacobi(x, &self.p) == 1
    }

    /// Whether `x` is in the order-q subgroup: `x^q == 1`. A full exponentiation.
    pub fn is_in_subgroup(&self, x: &B::Int) -> bool {
        if B::is_zero(x) || *x >= self.p {
            return false;
        }
        counters::record(Op::ModExpVar);
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

    /// `base^e mod p`, variable-time; counted as [`Op::ModExpVar`].
    pub fn pow(&self, base: &B::Int, e: &B::Int) -> B::Int {
        counters::record(Op::ModExpVar);
        B::pow_mod(base, e, &self.p)
    }

    /// `base^e mod p` for a secret e, on the backend's constant-time path; counted as
    /// [`Op::ModExpSecret`].
    pub fn pow_secret(&self, base: &B::Int, e: &B::Int) -> B::Int {
        counters::record(Op::ModExpSecret);
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
    /// [`Op::ModExpFixed`].
    pub fn pow_g(&self, e: &B::Int) -> B::Int {
        self.g_table().pow(self, e)
    }

    /// `h^e` from the table, constant-time lookups (e may be secret); counted as
    /// [`Op::ModExpFixed`].
    pub fn pow_h(&self, e: &B::Int) -> B::Int {
        self.h_table().pow(self, e)
    }

    /// `g^a * h^b` from both tables (a Pedersen commitment); counted as two [`Op::ModExpFixed`].
    pub fn commit(&self, a: &B::Int, b: &B::Int) -> B::Int {
        let ga = self.pow_g(a);
        let hb = self.pow_h(b);
        self.mul(&ga, &hb)
    }

    /// `prod bases[i]^exps[i] mod p` for small (64-bit) exponents: for a few bases by
    /// interleaved sliding windows (Straus) with one shared chain of 64 squarings, for many by
    /// Pippenger's buckets, whichever needs fewer multiplications. Counted as one
    /// [`Op::MultiExpTerm`] per base.
    pub fn multi_exp_small(&self, bases: &[&B::Int], exps: &[u64]) -> B::Int {
        assert_eq!(bases.len(), exps.len(), "one exponent per base");
        const W: u32 = 4;
        counters::record_n(Op::MultiExpTerm, bases.len() as u64);
        // Multiplications, roughly: Straus about n (2^(W-1) + 64/(W+1)); buckets with c-bit
        // digits ceil(64/c) (n + 2^(c+1)). Buckets win from about 110 bases on (a batch of
        // 128 packets has 256).
        let n = bases.len() as f64;
        let straus = n * (f64::from(1u32 << (W - 1)) + 64.0 / f64::from(W + 1));
        let (c, buckets) = (2..=12u32)
            .map(|c| (c, f64::from(64u32.div_ceil(c)) * (n + f64::from(1u32 << (c + 1)))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((4, f64::INFINITY));
        if buckets < straus {
            return self.multi_exp_buckets(bases, exps, c);
        }
        let ar = &self.arith;
        // For each base, the odd powers x, x^3, ..., x^(2^W - 1).
        let mut tables: Vec<Vec<<B::Arith as ModArith>::Elem>> = Vec::with_capacity(bases.len());
        // Per bit position, the (base, odd digit) pairs whose window ends there.
        let mut at: Vec<Vec<(usize, usize)>> = vec![Vec::new(); 64];
        for (i, (base, &e)) in bases.iter().zip(exps).enumerate() {
            let x = ar.enter(base);
            let mut max_digit = 1u64;
            let mut pos = 0u32;
            while pos < 64 {
                if (e >> pos) & 1 == 0 {
                    pos += 1;
                    continue;
                }
                let width = W.min(64 - pos);
                let mut digit = (e >> pos) & ((1u64 << width) - 1);
                let mut w = width;
                // Keep the window odd-ended at its top: trim high zero bits.
                while digit >> (w - 1) == 0 {
                    w -= 1;
                }
                digit &= (1u64 << w) - 1;
                max_digit = max_digit.max(digit);
                at[pos as usize].push((i, (digit >> 1) as usize));
                pos += w;
            }
            let mut odd = Vec::with_capacity(1 << (W - 1));
            if max_digit > 1 {
                let mut sq = x.clone();
                ar.square_assign(&mut sq);
                odd.push(x);
                while (odd.len() as u64) * 2 - 1 < max_digit {
                    let next = ar.mul(&odd[odd.len() - 1], &sq);
                    odd.push(next);
                }
            } else {
                odd.push(x);
            }
            tables.push(odd);
        }
        let mut acc: Option<<B::Arith as ModArith>::Elem> = None;
        for pos in (0..64).rev() {
            if let Some(a) = acc.as_mut() {
                ar.square_assign(a);
            }
            for &(i, d) in &at[pos] {
                let t = &tables[i][d];
                match acc.as_mut() {
                    None => acc = Some(t.clone()),
                    Some(a) => ar.mul_assign(a, t),
                }
            }
        }
        acc.map(|a| ar.leave(&a)).unwrap_or_else(|| B::from_u64(1))
    }
}

impl<B: Backend> SchnorrGroup<B> {
    /// [`SchnorrGroup::multi_exp_small`] by Pippenger's buckets with `c`-bit digits: per digit
    /// position, from the top, square the accumulator c times, multiply each base into the
    /// bucket of its digit, then fold `prod_d bucket_d^d` with two running products.
    /// Variable-time (the exponents are public weights).
    fn multi_exp_buckets(&self, bases: &[&B::Int], exps: &[u64], c: u32) -> B::Int {
        let ar = &self.arith;
        let xs: Vec<<B::Arith as ModArith>::Elem> = bases.iter().map(|b| ar.enter(b)).collect();
        let mask = (1u64 << c) - 1;
        let mut buckets: Vec<Option<<B::Arith as ModArith>::Elem>> = vec![None; (1usize << c) - 1];
        let mut acc: Option<<B::Arith as ModArith>::Elem> = None;
        for w in (0..64u32.div_ceil(c)).rev() {
            if let Some(a) = acc.as_mut() {
                for _ in 0..c {
                    ar.square_assign(a);
                }
            }
            buckets.iter_mut().for_each(|b| *b = None);
            for (x, &e) in xs.iter().zip(exps) {
                let d = ((e >> (w * c)) & mask) as usize;
                if d == 0 {
                    continue;
                }
                match buckets[d - 1].as_mut() {
                    Some(b) => ar.mul_assign(b, x),
                    None => buckets[d - 1] = Some(x.clone()),
                }
            }
            // sum = prod_d bucket_d^d: running = prod of buckets >= d, multiplied in once per d.
            let mut running: Option<<B::Arith as ModArith>::Elem> = None;
            let mut sum: Option<<B::Arith as ModArith>::Elem> = None;
            for b in buckets.iter().rev() {
                if let Some(b) = b {
                    match running.as_mut() {
                        Some(r) => ar.mul_assign(r, b),
                        None => running = Some(b.clone()),
                    }
                }
                if let Some(r) = &running {
                    match sum.as_mut() {
                        Some(s) => ar.mul_assign(s, r),
                        None => sum = Some(r.clone()),
                    }
                }
            }
            if let Some(s) = sum {
                match acc.as_mut() {
                    Some(a) => ar.mul_assign(a, &s),
                    None => acc = Some(s),
                }
            }
        }
        acc.map(|a| ar.leave(&a)).unwrap_or_else(|| B::from_u64(1))
    }
}

/// Window (bits) of the constant-time lookups of a table made with [`FixedBaseTable::new`] (the
/// per-CP `pk` tables): 64 windows of 16 entries. Every entry of a window is read for each
/// digit, so a smaller window than the variable-time table's is cheaper overall, and the table
/// is cheap to build (1,024 multiplications).
pub const CT_WINDOW: u32 = 4;

/// Window (bits) of the constant-time lookups of the g and h tables, which are built once per
/// process and used for every share: 52 windows of 32 entries, 52 multiplications per
/// exponentiation instead of 64, for reading 1.6x the entries. Fewer instructions than 4 or 6
/// bits on both backends at 1024 and 2048 bits (measured in `core/README.md`).
pub const GENERATOR_CT_WINDOW: u32 = 5;

/// Precomputed powers of one fixed base for exponents below q, in two layouts:
///
/// - for secret exponents ([`FixedBaseTable::pow`], what the protocol uses): `2^c` entries
///   `base^(j * 2^(c i))`, `j = 0..2^c`, per c-bit window i (c = [`CT_WINDOW`], or
///   [`GENERATOR_CT_WINDOW`] for g and h), each as fixed-length 64-bit limbs. For each window every entry is read and the one wanted is selected by mask
///   (`subtle`), and one multiplication is done per window whatever the digit (0 included), so
///   neither the memory accessed nor the number of operations depends on the exponent;
/// - for public exponents ([`FixedBaseTable::pow_vartime`]): `rows[i][j-1] =
///   base^(j * 2^(w*i))` for `j` in `1..2^w`, one multiplication per non-zero digit.
///
/// The entries are kept in the backend's multiplication form ([`ModArith`]: Montgomery form on
/// `gmp`, multiplied by AWS-LC's constant-time `bn_mul_mont`; plain residues on `num`, where
/// num-bigint's multiplication and remainder are not constant-time).
#[derive(Clone, Debug)]
pub struct FixedBaseTable<B: Backend> {
    base: B::Int,
    window: u32,
    rows: Vec<Vec<<B::Arith as ModArith>::Elem>>,
    /// Constant-time layout: `ct_windows` x `2^ct_window` entries x `limbs` u64, each the
    /// [`ModArith::write_limbs`] of an element.
    ct: Vec<u64>,
    ct_window: u32,
    ct_windows: usize,
    limbs: usize,
}

impl<B: Backend> FixedBaseTable<B> {
    /// Build the table of `base` with `window`-bit digits (1..=12) for public exponents, plus
    /// the constant-time table with [`CT_WINDOW`]-bit digits. Costs about
    /// `ceil(256/w) * 2^w + 64 * 16` multiplications mod p.
    pub fn new(group: &SchnorrGroup<B>, base: &B::Int, window: u32) -> Self {
        Self::with_ct_window(group, base, window, CT_WINDOW)
    }

    /// As [`FixedBaseTable::new`], with `ct_window`-bit digits (1..=8) for the constant-time
    /// lookups: `ceil(256/c)` multiplications per exponentiation, each after reading `2^c`
    /// entries; the table costs `ceil(256/c) * 2^c` multiplications to build.
    pub fn with_ct_window(group: &SchnorrGroup<B>, base: &B::Int, window: u32, ct_window: u32) -> Self {
        let ar = group.arith();
        let window = window.clamp(1, 12);
        let ct_window = ct_window.clamp(1, 8);
        let exp_bits = B::bits(group.q()) as u32;
        let windows = exp_bits.div_ceil(window) as usize;
        let per_row = (1usize << window) - 1;
        let x = ar.enter(base);
        let mut rows = Vec::with_capacity(windows);
        let mut row_base = x.clone();
        for _ in 0..windows {
            let mut row = Vec::with_capacity(per_row);
            row.push(row_base.clone());
            for j in 1..per_row {
                let next = ar.mul(&row[j - 1], &row_base);
                row.push(next);
            }
            // Next row's base: row_base^(2^w) = row[last] * row_base.
            row_base = ar.mul(&row[per_row - 1], &row_base);
            rows.push(row);
        }
        let limbs = ar.limbs();
        let ct_windows = exp_bits.div_ceil(ct_window) as usize;
        let entries = 1usize << ct_window;
        let mut ct = vec![0u64; ct_windows * entries * limbs];
        let mut slots = ct.chunks_exact_mut(limbs);
        let mut row_base = x;
        for _ in 0..ct_windows {
            let mut y = ar.one();
            for _ in 0..entries {
                if let Some(slot) = slots.next() {
                    ar.write_limbs(&y, slot);
                }
                ar.mul_assign(&mut y, &row_base);
            }
            // y = row_base^(2^ct_window): the next window's base.
            row_base = y;
        }
        FixedBaseTable {
            base: base.clone(),
            window,
            rows,
            ct,
            ct_window,
            ct_windows,
            limbs,
        }
    }

    /// The window size in bits of the variable-time table.
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The window size in bits of the constant-time lookups.
    pub fn ct_window(&self) -> u32 {
        self.ct_window
    }

    /// `base^e mod p` for a secret `e < 2^256` (every exponent below q), with constant-time
    /// table lookups; counted as [`Op::ModExpFixed`]. An exponent too large for the table goes
    /// to the backend's constant-time exponentiation ([`Backend::pow_mod_secret`]).
    pub fn pow(&self, group: &SchnorrGroup<B>, e: &B::Int) -> B::Int {
        use subtle::ConstantTimeEq;
        counters::record(Op::ModExpFixed);
        // Whole bytes the windows cover (rounded down: a larger exponent goes to the fallback,
        // never past the table).
        let exp_bytes = self.ct_windows * self.ct_window as usize / 8;
        let Ok(mut be) = B::to_be_bytes_padded(e, exp_bytes) else {
            return B::pow_mod_secret(&self.base, e, group.p());
        };
        let ar = group.arith();
        let entries = 1usize << self.ct_window;
        let mut sel = vec![0u64; self.limbs];
        let mut t = ar.one();
        let mut acc = ar.one();
        for i in 0..self.ct_windows {
            let d = digit(&be, i as u32 * self.ct_window, self.ct_window) as u64;
            sel.iter_mut().for_each(|l| *l = 0);
            let window = &self.ct[i * entries * self.limbs..(i + 1) * entries * self.limbs];
            for (j, entry) in window.chunks_exact(self.limbs).enumerate() {
                // All ones for the wanted entry, zero for the others: `subtle` makes the
                // comparison (no branch on the digit), then a plain and/or over the limbs,
                // which the compiler vectorises.
                let mask = u64::from((j as u64).ct_eq(&d).unwrap_u8()).wrapping_neg();
                for (s, l) in sel.iter_mut().zip(entry) {
                    *s |= l & mask;
                }
            }
            if i == 0 {
                ar.read_limbs(&mut acc, &sel);
            } else {
                ar.read_limbs(&mut t, &sel);
                ar.mul_assign(&mut acc, &t);
            }
        }
        let out = ar.leave(&acc);
        <B::Arith as ModArith>::wipe(&mut acc);
        <B::Arith as ModArith>::wipe(&mut t);
        zeroize::Zeroize::zeroize(&mut be);
        zeroize::Zeroize::zeroize(&mut sel);
        out
    }

    /// `base^e mod p` for a **public** `e`, variable-time: one multiplication per non-zero
    /// digit of the larger window. The protocol has no public fixed-base exponent (every one
    /// is a share, a coefficient or a sum of shares) and uses [`FixedBaseTable::pow`]; this is
    /// the comparison the property tests and the benchmark make. Counted as
    /// [`Op::ModExpFixed`]; exponents too large for the table fall back to a plain modexp.
    pub fn pow_vartime(&self, group: &SchnorrGroup<B>, e: &B::Int) -> B::Int {
        counters::record(Op::ModExpFixed);
        let capacity_bits = self.window as u64 * self.rows.len() as u64;
        if B::bits(e) > capacity_bits {
            return B::pow_mod(&self.base, e, group.p());
        }
        let ar = group.arith();
        let bytes = B::to_be_bytes(e);
        let mut acc: Option<<B::Arith as ModArith>::Elem> = None;
        for (i, row) in self.rows.iter().enumerate() {
            let d = digit(&bytes, i as u32 * self.window, self.window);
            if d == 0 {
                continue;
            }
            let t = &row[d - 1];
            match acc.as_mut() {
                None => acc = Some(t.clone()),
                Some(a) => ar.mul_assign(a, t),
            }
        }
        acc.map(|a| ar.leave(&a)).unwrap_or_else(|| B::from_u64(1))
    }
}

/// The `width`-bit digit of a big-endian byte string starting at bit `lsb` (bit 0 = least
/// significant), without branching on the bits.
fn digit(be: &[u8], lsb: u32, width: u32) -> usize {
    let mut d = 0usize;
    for k in 0..width {
        let bit = lsb + k;
        let byte_from_end = (bit / 8) as usize;
        if byte_from_end >= be.len() {
            break;
        }
        let byte = be[be.len() - 1 - byte_from_end];
        d |= (((byte >> (bit % 8)) & 1) as usize) << k;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::digit;

    #[test]
    fn digits_of_big_endian_bytes() {
        let be = [0x12u8, 0x34, 0x56];
        assert_eq!(digit(&be, 0, 8), 0x56);
        assert_eq!(digit(&be, 8, 8), 0x34);
        assert_eq!(digit(&be, 4, 8), 0x45);
        assert_eq!(digit(&be, 20, 8), 0x01);
        assert_eq!(digit(&be, 24, 8), 0);
    }
}
