//! [`ModArith`] for the `gmp` backend: elements in Montgomery form, multiplied by AWS-LC's
//! `BN_mod_mul_montgomery`, which on x86-64 runs `bn_mul_mont` (the MULX/ADX kernels RSA uses;
//! a squaring goes to `bn_sqr8x_mont` when the size allows). That is one fused
//! multiply-and-reduce per product, where GMP's `mpz_mul` + `mpz_tdiv_r` (the backend's
//! `mul_mod`) runs a full product and then a schoolbook division.
//!
//! Elements are plain `Vec<u64>` of exactly [`ModArith::limbs`] limbs (the modulus's), least
//! significant first, always fully reduced; AWS-LC sees them through `BIGNUM` headers made on
//! the stack that borrow the vector (`BN_FLG_STATIC_DATA`, width = capacity = the modulus's
//! width), so a product is computed in place with no allocation, and the fast path of
//! `BN_mod_mul_montgomery` (equal widths) always applies. The multiplication is constant-time
//! (no branch or memory access depends on the operands).
//!
//! Where AWS-LC cannot take a modulus (even, below 2^64, or a context that fails to
//! allocate), or should a product ever fail, the same elements are computed with GMP instead
//! (Montgomery form kept: `a * b * R^-1 mod m`), so the results never depend on which path ran.

use std::cell::Cell;
use std::ptr;
use std::sync::Arc;

use aws_lc_sys::{
    BIGNUM, BN_CTX, BN_CTX_new, BN_FLG_STATIC_DATA, BN_MONT_CTX, BN_MONT_CTX_free, BN_MONT_CTX_new_for_modulus,
    BN_free, BN_le2bn, BN_mod_mul_montgomery, bignum_st,
};
use rug::Integer;
use rug::integer::Order;

use super::ModArith;

/// An AWS-LC Montgomery context for one (public) modulus, read-only once made; shared with
/// `awslc_pow`, which keeps one per modulus and thread.
pub(super) struct MontCtx {
    /// The modulus as an AWS-LC number.
    pub(super) n: *mut BIGNUM,
    /// Its Montgomery context.
    pub(super) mont: *mut BN_MONT_CTX,
}

// SAFETY: after construction the context is only read (`BN_mod_mul_montgomery` and
// `BN_mod_exp_mont_consttime` take it as `const`), so sharing it between threads is sound.
unsafe impl Send for MontCtx {}
// SAFETY: as above.
unsafe impl Sync for MontCtx {}

impl MontCtx {
    /// The context for `m`, or `None` when AWS-LC declines it (even, not above 1) or an
    /// allocation fails.
    pub(super) fn new(m: &Integer) -> Option<MontCtx> {
        if m.is_even() || *m <= 1 {
            return None;
        }
        let bytes: Vec<u8> = m.to_digits::<u8>(Order::Lsf);
        // SAFETY: `bytes` is valid for its length; a null `ret` asks for a new BIGNUM.
        let n = unsafe { BN_le2bn(bytes.as_ptr(), bytes.len(), ptr::null_mut()) };
        if n.is_null() {
            return None;
        }
        // SAFETY: `n` is a valid BIGNUM; a null BN_CTX lets AWS-LC make its own.
        let mont = unsafe { BN_MONT_CTX_new_for_modulus(n, ptr::null_mut()) };
        let ctx = MontCtx { n, mont };
        (!mont.is_null()).then_some(ctx)
    }
}

impl Drop for MontCtx {
    fn drop(&mut self) {
        // SAFETY: both were allocated by AWS-LC for this context and are freed once, here
        // (BN_MONT_CTX_free takes null, for a context that failed to allocate).
        unsafe {
            BN_MONT_CTX_free(self.mont);
            BN_free(self.n);
        }
    }
}

thread_local! {
    /// A scratch `BN_CTX` for AWS-LC's slow path (never taken on x86-64 and AArch64 with the
    /// equal widths used here, but it must not find a null context if it is).
    static SCRATCH: Cell<*mut BN_CTX> = const { Cell::new(ptr::null_mut()) };
}

fn scratch() -> *mut BN_CTX {
    SCRATCH.with(|c| {
        if c.get().is_null() {
            // SAFETY: BN_CTX_new returns a fresh context or null (then AWS-LC's slow path
            // fails cleanly and the GMP path below takes over). Kept for the thread's life.
            c.set(unsafe { BN_CTX_new() });
        }
        c.get()
    })
}

/// A `BIGNUM` header over `len` limbs at `d` (borrowed, never freed or grown by AWS-LC).
fn view(d: *const u64, len: usize) -> bignum_st {
    bignum_st {
        d: d.cast_mut(),
        width: len as i32,
        dmax: len as i32,
        neg: 0,
        flags: BN_FLG_STATIC_DATA,
    }
}

/// A prepared modulus of the `gmp` backend (see the module docs).
#[derive(Clone)]
pub struct GmpArith {
    m: Integer,
    limbs: usize,
    /// `R^-1 mod m`, `R = 2^(64 limbs)`: the GMP path's Montgomery reduction.
    r_inv: Integer,
    /// `R mod m`: 1 in Montgomery form.
    one: Vec<u64>,
    /// `R^2 mod m`: a Montgomery product with it enters Montgomery form.
    rr: Vec<u64>,
    /// The limbs of plain 1, for leaving Montgomery form.
    plain_one: Vec<u64>,
    ctx: Option<Arc<MontCtx>>,
}

impl std::fmt::Debug for GmpArith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmpArith")
            .field("limbs", &self.limbs)
            .field("aws_lc", &self.ctx.is_some())
            .finish()
    }
}

impl GmpArith {
    /// Whether products run on AWS-LC (false: the GMP path).
    pub fn on_aws_lc(&self) -> bool {
        self.ctx.is_some()
    }

    /// AWS-LC's context for `m`, when it takes `m` at exactly `limbs` limbs (the fast path of
    /// `BN_mod_mul_montgomery` needs equal widths).
    fn ctx_for(m: &Integer, limbs: usize) -> Option<MontCtx> {
        if !(2..=1024).contains(&limbs) {
            return None;
        }
        let ctx = MontCtx::new(m)?;
        // SAFETY: `ctx.mont` is valid; N is stored minimally, which must be the limbs we use.
        (unsafe { (*ctx.mont).N.width } as usize == limbs).then_some(ctx)
    }

    fn to_int(x: &[u64]) -> Integer {
        Integer::from_digits(x, Order::Lsf)
    }

    /// `v` (below the modulus) into `out`, zero-padded.
    fn store(v: &Integer, out: &mut [u64]) {
        out.iter_mut().for_each(|l| *l = 0);
        let l = v.as_limbs();
        out[..l.len()].copy_from_slice(l);
    }

    /// `v` (below the modulus) as `limbs` limbs.
    fn limbs_of(v: &Integer, limbs: usize) -> Vec<u64> {
        let mut out = vec![0; limbs];
        Self::store(v, &mut out);
        out
    }

    /// `a * b * R^-1 mod m` into `r` (which may be `a` or `b`).
    fn mont_mul(&self, r: *mut u64, a: *const u64, b: *const u64) {
        let n = self.limbs;
        if let Some(ctx) = &self.ctx {
            let mut rv = view(r, n);
            let av = view(a, n);
            let bv = view(b, n);
            // SAFETY: the three headers describe `n` live limbs each (the callers' vectors);
            // `r` may alias `a` or `b`, which `bn_mul_mont` allows; the context is valid.
            let ok = unsafe { BN_mod_mul_montgomery(&mut rv, &av, &bv, ctx.mont, scratch()) };
            if ok == 1 && rv.d == r && rv.width as usize <= n {
                // A shorter width (AWS-LC's slow path) leaves the top limbs to clear.
                // SAFETY: `r` has `n` limbs.
                unsafe { std::slice::from_raw_parts_mut(r, n)[rv.width as usize..].fill(0) };
                return;
            }
        }
        // AWS-LC writes `r` only once a product has succeeded (the fast path checks the widths
        // first; the slow one computes in temporaries and fails before its last copy), so
        // here `a` and `b` are intact even when `r` aliases one of them.
        // SAFETY: `a`, `b` have `n` limbs each; they are read before `r` is written.
        let (ai, bi) = unsafe {
            (
                Self::to_int(std::slice::from_raw_parts(a, n)),
                Self::to_int(std::slice::from_raw_parts(b, n)),
            )
        };
        let mut p = Integer::from(&ai * &bi);
        p *= &self.r_inv;
        p %= &self.m;
        // SAFETY: `r` has `n` limbs, no other reference to them is live here.
        Self::store(&p, unsafe { std::slice::from_raw_parts_mut(r, n) });
        for mut x in [ai, bi, p] {
            <super::Gmp as super::Backend>::wipe(&mut x);
        }
    }
}

impl ModArith for GmpArith {
    type Int = Integer;
    type Elem = Vec<u64>;

    fn new(m: &Integer) -> Self {
        let limbs = m.as_limbs().len().max(1);
        let r = Integer::from(1) << (64 * limbs as u32);
        // m is odd and above one wherever this crate prepares it. For an even one R has no
        // inverse: then R^-1 = 1 and elements are plain residues (the GMP path only).
        let r_inv = r.invert_ref(m).map(Integer::from).unwrap_or_else(|| Integer::from(1));
        // R mod m is 1 in Montgomery form; R^2 mod m takes a value into it.
        let (r_mod, rr) = if r_inv == 1 {
            (Integer::from(1) % m, Integer::from(1) % m)
        } else {
            (Integer::from(&r % m), Integer::from(&r * &r) % m)
        };
        let mut plain_one = vec![0; limbs];
        plain_one[0] = 1;
        GmpArith {
            m: m.clone(),
            limbs,
            r_inv,
            one: Self::limbs_of(&r_mod, limbs),
            rr: Self::limbs_of(&rr, limbs),
            plain_one,
            ctx: Self::ctx_for(m, limbs).map(Arc::new),
        }
    }
    fn modulus(&self) -> &Integer {
        &self.m
    }
    fn limbs(&self) -> usize {
        self.limbs
    }
    fn enter(&self, x: &Integer) -> Vec<u64> {
        // x * R^2 * R^-1 = x * R (mod m), from x reduced below m.
        let mut out = vec![0; self.limbs];
        if *x < self.m {
            Self::store(x, &mut out);
        } else {
            let mut v = Integer::from(x % &self.m);
            Self::store(&v, &mut out);
            <super::Gmp as super::Backend>::wipe(&mut v);
        }
        let r = out.as_mut_ptr();
        self.mont_mul(r, r, self.rr.as_ptr());
        out
    }
    fn leave(&self, x: &Vec<u64>) -> Integer {
        let mut out = vec![0u64; self.limbs];
        self.mont_mul(out.as_mut_ptr(), x.as_ptr(), self.plain_one.as_ptr());
        let v = Self::to_int(&out);
        zeroize::Zeroize::zeroize(&mut out);
        v
    }
    fn one(&self) -> Vec<u64> {
        self.one.clone()
    }
    fn mul_assign(&self, a: &mut Vec<u64>, b: &Vec<u64>) {
        let r = a.as_mut_ptr();
        self.mont_mul(r, r, b.as_ptr());
    }
    fn square_assign(&self, a: &mut Vec<u64>) {
        let r = a.as_mut_ptr();
        self.mont_mul(r, r, r);
    }
    fn write_limbs(&self, x: &Vec<u64>, out: &mut [u64]) {
        out.copy_from_slice(x);
    }
    fn read_limbs(&self, x: &mut Vec<u64>, limbs: &[u64]) {
        x.copy_from_slice(limbs);
    }
    fn wipe(x: &mut Vec<u64>) {
        zeroize::Zeroize::zeroize(&mut x[..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(m: &Integer) {
        let a = GmpArith::new(m);
        let xs: Vec<Integer> = [3u64, 0, 1, 0xdead_beef_f00d, u64::MAX]
            .iter()
            .map(|&v| (Integer::from(v) * Integer::from(v) * 977u32 + 5u32) % m)
            .collect();
        for x in &xs {
            assert_eq!(a.leave(&a.enter(x)), *x, "round trip");
            for y in &xs {
                let want = Integer::from(x * y) % m;
                assert_eq!(a.leave(&a.mul(&a.enter(x), &a.enter(y))), want, "{x} * {y}");
                let mut s = a.enter(x);
                a.square_assign(&mut s);
                assert_eq!(a.leave(&s), Integer::from(x * x) % m);
            }
        }
        assert_eq!(a.leave(&a.one()), Integer::from(1) % m);
    }

    #[test]
    fn products_equal_gmp_on_aws_lc_and_on_the_gmp_path() {
        let big = (Integer::from(1) << 1023) + 1155u32; // odd, 16 limbs: AWS-LC
        assert!(GmpArith::new(&big).on_aws_lc());
        check(&big);
        let small = Integer::from(1_000_003u32); // one limb: the GMP path
        assert!(!GmpArith::new(&small).on_aws_lc());
        check(&small);
        let even = (Integer::from(1) << 200) + 6u32; // no Montgomery form: plain residues
        assert!(!GmpArith::new(&even).on_aws_lc());
        check(&even);
    }
}
