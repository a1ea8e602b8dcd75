//! Multi-exponentiation with small (64-bit) exponents in a Schnorr group: interleaved
//! sliding windows (Straus) for a few bases, Pippenger's buckets for many. Used by batch
//! verification (random 64-bit weights) and by the `vss` share check (exponents `i^j`).

use super::SchnorrGroup;
use crate::backend::{Backend, ModArith};
use crate::counters::{self, Op};

impl<B: Backend> SchnorrGroup<B> {
    /// `prod bases[i]^exps[i] mod p` for small (64-bit) exponents: for a few bases by
    /// interleaved sliding windows (Straus) with one shared chain of 64 squarings, for many by
    /// Pippenger's buckets, whichever needs fewer multiplications. Counted as one
    /// [`Op::MultiscalarTerm`] per base.
    pub fn multi_exp_small(&self, bases: &[&B::Int], exps: &[u64]) -> B::Int {
        assert_eq!(bases.len(), exps.len(), "one exponent per base");
        const W: u32 = 4;
        counters::record_n(Op::MultiscalarTerm, bases.len() as u64);
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
