//! Fixed-base tables of a Schnorr group: precomputed powers of one base, with a constant-time
//! path for secret exponents and a variable-time path for public ones.

use super::SchnorrGroup;
use crate::backend::{Backend, ModArith};
use crate::counters::{self, Op};

/// Window (bits) of the constant-time lookups of a table made with [`FixedBaseTable::new`] (the
/// per-CP `pk` tables): 64 windows of 16 entries. Every entry of a window is read for each
/// digit, so a smaller window than the variable-time table's is cheaper overall, and the table
/// is cheap to build (1,024 multiplications).
pub const CT_WINDOW: u32 = 4;

/// Window of the per-CP fixed-base table for pk, made by
/// [`PrimeOrderGroup::table`](crate::group::PrimeOrderGroup::table): 43 windows of 63 entries
/// (smaller than g's, as there is one per CP).
pub const PK_TABLE_WINDOW: u32 = 6;

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
    /// table lookups; counted as [`Op::FixedBaseMul`]. An exponent too large for the table goes
    /// to the backend's constant-time exponentiation ([`Backend::pow_mod_secret`]).
    pub fn pow(&self, group: &SchnorrGroup<B>, e: &B::Int) -> B::Int {
        use subtle::ConstantTimeEq;
        counters::record(Op::FixedBaseMul);
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
    /// [`Op::FixedBaseMul`]; exponents too large for the table fall back to a plain modexp.
    pub fn pow_vartime(&self, group: &SchnorrGroup<B>, e: &B::Int) -> B::Int {
        counters::record(Op::FixedBaseMul);
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
