//! Vector shares: Shamir sharing of a vector of d elements of [`F64`] with threshold t among k
//! computing parties, one polynomial per coordinate, all at the same evaluation points (the CPs'
//! indices: distinct, non-zero, below p).
//!
//! **Seeded dealing** ([`deal`]). The polynomial of coordinate e (degree t - 1) is fixed by t
//! values: `f(0) = s_e` and its values at the *first* t - 1 points, which are pseudo-random
//! vectors expanded from fresh 32-byte seeds ([`expand`]). Those t - 1 CPs receive only their
//! seed ([`VShare::Seed`], 32 bytes whatever d is); the other k - t + 1 receive an explicit
//! vector ([`VShare::Explicit`]) computed by Lagrange interpolation through the t known points,
//! `y_j = L_0(x_j) s + sum_i L_i(x_j) y_i`. Any t - 1 shares are still uniform and independent
//! of the secret (the seeds are fresh and uniform, the explicit values are the polynomial's), so
//! secrecy is that of Shamir sharing, computational only through the PRG.
//!
//! **Expansion** ([`expand`], [`add_expanded`]). The key of ChaCha20 is
//! `SHA-256("dsmpc/vshare/expand/v1" || len(context) as u64 LE || context || point as u64 LE ||
//! seed)`, and the vector is `d` successive [`F64::random`] draws from it (64-bit words,
//! rejection sampling above p). `context` binds a seed to the caller's (task, DP), `point` to
//! the CP, so one seed never gives related vectors in two places.
//!
//! **Reconstruction** ([`Lagrange64`], [`reconstruct`], [`off_polynomial`]). The Lagrange
//! coefficients of t points are computed once (one inversion); the secret is then t
//! multiplications per element, and checking a further share against the polynomial through t
//! others t more.
//!
//! **Speed.** Every linear combination `sum_i c_i v_i` runs block by block ([`BLOCK`]
//! elements): the t inputs of the block are interleaved (element-major, in L1), then each output
//! element is one dot product of t contiguous values with the coefficients, unrolled for t up to
//! 12, its 128-bit products summed without reduction (an overflow past 2^128 is counted and
//! folded back as `2^128 = -2^32 mod p`) and reduced once. Dealing draws the seeded vectors
//! straight into that block, so no full-length intermediate vector exists; the consistency
//! check interleaves a block of the base once for all the vectors it checks.
//!
//! **Lengths.** `d = 0` is allowed everywhere: the shares are seeds and empty vectors, and an
//! empty vector reconstructs. Vectors that must have the same length but do not are
//! [`CoreError::LengthMismatch`], naming the point.
//!
//! **Wiping.** Seeds, explicit shares and expanded vectors are [`Zeroizing`]; the dealing's
//! interleaved block buffers are wiped when the call returns, and the ChaCha20 state is
//! overwritten when its generator is dropped (best effort: `rand_chacha` does not wipe, and the
//! SHA-256 state of the key derivation is wiped only if `sha2`'s `zeroize` feature is on).

use std::collections::BTreeSet;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::counters::{self, Op};
use crate::error::{CoreError, Result};
use crate::field64::{F64, P};

/// Domain separation of the expansion key derivation.
const EXPAND_DOMAIN: &[u8] = b"dsmpc/vshare/expand/v1";

/// Elements per block of the linear-combination kernel (t blocks interleaved: 10 KiB at t = 5).
pub const BLOCK: usize = 256;

/// Bytes of a seed.
pub const SEED_LEN: usize = 32;

/// One CP's share of a vector.
#[derive(Clone)]
pub enum VShare {
    /// The seed of a pseudo-random vector (the first t - 1 points): expand it with [`expand`]
    /// (or add it to a sum with [`add_expanded`]) under the dealing's context and this CP's
    /// point.
    Seed(Zeroizing<[u8; SEED_LEN]>),
    /// The share vector itself (the last k - t + 1 points).
    Explicit(Zeroizing<Vec<F64>>),
}

impl std::fmt::Debug for VShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VShare::Seed(_) => write!(f, "VShare::Seed(<secret>)"),
            VShare::Explicit(v) => write!(f, "VShare::Explicit(<secret, {} elements>)", v.len()),
        }
    }
}

impl VShare {
    /// Whether this is a seed.
    pub fn is_seed(&self) -> bool {
        matches!(self, VShare::Seed(_))
    }

    /// The share vector of length `d` at `point` under `context`: a seed expanded, an explicit
    /// vector copied ([`CoreError::LengthMismatch`] unless it has `d` elements).
    pub fn vector(&self, context: &[u8], point: u64, d: usize) -> Result<Zeroizing<Vec<F64>>> {
        match self {
            VShare::Seed(seed) => Ok(expand(seed, context, point, d)),
            VShare::Explicit(v) => {
                same_len(point, v.len(), d)?;
                Ok(v.clone())
            }
        }
    }

    /// `acc += ` this share's vector at `point` under `context` (how a CP sums the shares of
    /// many DPs); [`CoreError::LengthMismatch`] if an explicit vector is not as long as `acc`.
    pub fn add_to(&self, acc: &mut [F64], context: &[u8], point: u64) -> Result<()> {
        match self {
            VShare::Seed(seed) => add_expanded(acc, seed, context, point),
            VShare::Explicit(v) => {
                same_len(point, v.len(), acc.len())?;
                add_assign(acc, v);
            }
        }
        Ok(())
    }
}

/// Share `secret` (d elements) with threshold `t` at `points` (at least t, distinct, non-zero,
/// below p): one [`VShare`] per point, in order, the first `t - 1` [`VShare::Seed`] and the rest
/// [`VShare::Explicit`]. `context` must be the one the receivers expand under (e.g. the task
/// and the DP).
///
/// Errors: t < 2 ([`CoreError::ThresholdTooSmall`]), t > `points.len()`
/// ([`CoreError::ThresholdTooLarge`]), a zero, repeated or out-of-field point.
///
/// ```
/// use dsmpc_core::{field64::F64, vshare};
/// let mut rng = dsmpc_core::rng::seeded(1, "doc");
/// let secret = [F64::new(7), F64::new(0), F64::new(42)];
/// let points = [1, 2, 3, 4];
/// let shares = vshare::deal(&secret, &points, 3, b"task/dp", &mut rng).unwrap();
/// let ys: Vec<_> = shares.iter().zip(&points).map(|(s, &x)| s.vector(b"task/dp", x, 3).unwrap()).collect();
/// let back = vshare::reconstruct(&points[1..], &[&ys[1], &ys[2], &ys[3]]).unwrap();
/// assert_eq!(back, secret);
/// ```
pub fn deal<R: Rng + ?Sized>(
    secret: &[F64],
    points: &[u64],
    t: usize,
    context: &[u8],
    rng: &mut R,
) -> Result<Vec<VShare>> {
    check_dealing(points, t)?;
    let d = secret.len();
    let (seeded, explicit) = points.split_at(t - 1);
    // Counted: d draws per seeded point, t multiply-adds per element of each explicit share.
    counters::record_n(Op::F64Draw, (d * seeded.len()) as u64);
    counters::record_n(Op::F64MulAdd, (d * t * explicit.len()) as u64);

    let seeds = fresh_seeds(seeded.len(), rng);

    // The t nodes that fix each polynomial: 0 (the secret) and the seeded points.
    let nodes: Vec<u64> = std::iter::once(0).chain(seeded.iter().copied()).collect();
    let lagrange = Lagrange64::through(&nodes);
    let coeffs: Vec<Vec<F64>> = explicit.iter().map(|&x| lagrange.coefficients(F64::new(x))).collect();

    let mut prgs: Vec<Prg> = seeds
        .iter()
        .zip(seeded)
        .map(|(s, &x)| Prg::new(s, context, x))
        .collect();
    let mut outs: Vec<Zeroizing<Vec<F64>>> = explicit.iter().map(|_| Zeroizing::new(vec![F64::ZERO; d])).collect();
    // Block by block, the t values that fix each coordinate's polynomial, interleaved
    // (x[e t] = s_e, x[e t + i] = the i-th seeded vector's e-th element), then every explicit
    // share's element as one dot product of them.
    let mut x = Zeroizing::new(vec![F64::ZERO; t * BLOCK]);
    for start in (0..d).step_by(BLOCK) {
        let end = (start + BLOCK).min(d);
        for (xe, &s) in x.chunks_exact_mut(t).zip(&secret[start..end]) {
            xe[0] = s;
            for (xi, prg) in xe[1..].iter_mut().zip(prgs.iter_mut()) {
                *xi = prg.draw();
            }
        }
        for (c, out) in coeffs.iter().zip(outs.iter_mut()) {
            write_dots(c, &x, &mut out[start..end]);
        }
    }

    Ok(seeds
        .into_iter()
        .map(VShare::Seed)
        .chain(outs.into_iter().map(VShare::Explicit))
        .collect())
}

/// The pseudo-random vector of `d` elements of `seed` at `point` under `context` (the share of a
/// [`VShare::Seed`]).
pub fn expand(seed: &[u8; SEED_LEN], context: &[u8], point: u64, d: usize) -> Zeroizing<Vec<F64>> {
    let mut v = Zeroizing::new(vec![F64::ZERO; d]);
    counters::record_n(Op::F64Draw, d as u64);
    Prg::new(seed, context, point).fill(&mut v);
    v
}

/// `acc += expand(seed, context, point, acc.len())`, without allocating the vector.
pub fn add_expanded(acc: &mut [F64], seed: &[u8; SEED_LEN], context: &[u8], point: u64) {
    counters::record_n(Op::F64Draw, acc.len() as u64);
    Prg::new(seed, context, point).add_into(acc);
}

/// `acc += v`, element-wise.
///
/// # Panics
///
/// If the lengths differ (use [`VShare::add_to`] for a checked sum of shares).
pub fn add_assign(acc: &mut [F64], v: &[F64]) {
    assert_eq!(acc.len(), v.len(), "add_assign: vectors of different lengths");
    counters::record_n(Op::F64MulAdd, acc.len() as u64);
    for (a, &b) in acc.iter_mut().zip(v) {
        *a += b;
    }
}

/// `f(0)` for every coordinate, from the share vectors at exactly `points` (t = `points.len()`
/// of them, at least 2, in the order of the points, all the same length).
pub fn reconstruct(points: &[u64], shares: &[&[F64]]) -> Result<Vec<F64>> {
    Lagrange64::new(points)?.reconstruct(shares)
}

/// The points among `others` whose vector differs, in any coordinate, from the polynomials
/// through `base` (the share vectors at `base_points`); empty when all lie on them. The points
/// of `base_points` and `others` together must be distinct, non-zero and below p, and every
/// vector as long as the first of `base`.
pub fn off_polynomial(base_points: &[u64], base: &[&[F64]], others: &[(u64, &[F64])]) -> Result<Vec<u64>> {
    Lagrange64::new(base_points)?.off_polynomial(base, others)
}

/// Lagrange interpolation through t fixed points: the barycentric weights
/// `w_i = 1 / prod_(j != i) (x_i - x_j)` (one inversion for all) and the coefficients at 0,
/// `L_i(0)`; the coefficients at any other x, `L_i(x) = w_i prod_(j != i) (x - x_j)`, cost t^2
/// multiplications. Only public values are held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lagrange64 {
    points: Vec<u64>,
    xs: Vec<F64>,
    weights: Vec<F64>,
    at_zero: Vec<F64>,
}

impl Lagrange64 {
    /// Through `points`: at least 2 ([`CoreError::ThresholdTooSmall`]), distinct, non-zero and
    /// below p.
    pub fn new(points: &[u64]) -> Result<Self> {
        if points.len() < 2 {
            return Err(CoreError::ThresholdTooSmall { t: points.len() });
        }
        check_points(points)?;
        Ok(Self::through(points))
    }

    /// Through points already known to be distinct and below p (0 allowed: the dealing
    /// interpolates through the secret).
    fn through(points: &[u64]) -> Self {
        let xs: Vec<F64> = points.iter().map(|&x| F64::new(x)).collect();
        let dens: Vec<F64> = (0..xs.len())
            .map(|i| {
                xs.iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .fold(F64::ONE, |acc, (_, &xj)| acc * (xs[i] - xj))
            })
            .collect();
        let weights = batch_inv(&dens);
        let mut l = Lagrange64 {
            points: points.to_vec(),
            xs,
            weights,
            at_zero: Vec::new(),
        };
        l.at_zero = l.coefficients(F64::ZERO);
        l
    }

    /// The points, in order.
    pub fn points(&self) -> &[u64] {
        &self.points
    }

    /// The threshold t (number of points).
    pub fn threshold(&self) -> usize {
        self.points.len()
    }

    /// `L_i(0)`, in the order of the points: the secret is `sum_i L_i(0) y_i`.
    pub fn at_zero(&self) -> &[F64] {
        &self.at_zero
    }

    /// `L_i(x)`, in the order of the points (a unit vector if x is one of them); x must be
    /// below p.
    pub fn coefficients_at(&self, x: u64) -> Result<Vec<F64>> {
        if x >= P {
            return Err(CoreError::NotInField {
                what: "evaluation point",
            });
        }
        Ok(self.coefficients(F64::new(x)))
    }

    fn coefficients(&self, x: F64) -> Vec<F64> {
        if let Some(i) = self.xs.iter().position(|&xi| xi == x) {
            let mut unit = vec![F64::ZERO; self.xs.len()];
            unit[i] = F64::ONE;
            return unit;
        }
        (0..self.xs.len())
            .map(|i| {
                self.xs
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .fold(self.weights[i], |acc, (_, &xj)| acc * (x - xj))
            })
            .collect()
    }

    /// `f(0)` for every coordinate from the share vectors at the points (in their order, all
    /// the same length).
    pub fn reconstruct(&self, shares: &[&[F64]]) -> Result<Vec<F64>> {
        let d = self.check_base(shares)?;
        let mut out = vec![F64::ZERO; d];
        combine(&self.at_zero, shares, &mut out);
        Ok(out)
    }

    /// `f(x)` for every coordinate from the share vectors at the points (x below p).
    pub fn evaluate(&self, x: u64, shares: &[&[F64]]) -> Result<Vec<F64>> {
        let coeffs = self.coefficients_at(x)?;
        let d = self.check_base(shares)?;
        let mut out = vec![F64::ZERO; d];
        combine(&coeffs, shares, &mut out);
        Ok(out)
    }

    /// The points among `others` whose vector is not `f(x)` in some coordinate, `f` the
    /// polynomials through `base` (the share vectors at the points). All points together must
    /// be distinct, non-zero and below p; every vector as long as `base[0]`.
    pub fn off_polynomial(&self, base: &[&[F64]], others: &[(u64, &[F64])]) -> Result<Vec<u64>> {
        let d = self.check_base(base)?;
        check_points(self.points.iter().chain(others.iter().map(|(x, _)| x)))?;
        for &(x, v) in others {
            same_len(x, v.len(), d)?;
        }
        let coeffs: Vec<Vec<F64>> = others.iter().map(|&(x, _)| self.coefficients(F64::new(x))).collect();
        counters::record_n(Op::F64MulAdd, (d * self.threshold() * others.len()) as u64);
        let mut diffs = vec![0u64; others.len()];
        let t = self.threshold();
        let mut x = Zeroizing::new(vec![F64::ZERO; t * BLOCK]);
        for start in (0..d).step_by(BLOCK) {
            let end = (start + BLOCK).min(d);
            interleave(base, start, end, &mut x);
            for ((c, &(_, v)), diff) in coeffs.iter().zip(others).zip(diffs.iter_mut()) {
                *diff |= diff_dots(c, &x, &v[start..end]);
            }
        }
        Ok(others
            .iter()
            .zip(&diffs)
            .filter(|&(_, &diff)| diff != 0)
            .map(|(&(x, _), _)| x)
            .collect())
    }

    /// One vector per point, all of the first one's length; that length.
    fn check_base(&self, shares: &[&[F64]]) -> Result<usize> {
        if shares.len() != self.points.len() {
            return Err(CoreError::ShareCount {
                points: self.points.len(),
                shares: shares.len(),
            });
        }
        let d = shares[0].len();
        for (&x, s) in self.points.iter().zip(shares) {
            same_len(x, s.len(), d)?;
        }
        Ok(d)
    }
}

/// `out = sum_i coeffs[i] inputs[i]`, block by block; every input at least as long as `out`,
/// as many inputs as coefficients (at least one).
fn combine(coeffs: &[F64], inputs: &[&[F64]], out: &mut [F64]) {
    let t = coeffs.len();
    let mut x = Zeroizing::new(vec![F64::ZERO; t * BLOCK]);
    let d = out.len();
    counters::record_n(Op::F64MulAdd, (d * t) as u64);
    for start in (0..d).step_by(BLOCK) {
        let end = (start + BLOCK).min(d);
        interleave(inputs, start, end, &mut x);
        write_dots(coeffs, &x, &mut out[start..end]);
    }
}

/// `x[e t + i] = inputs[i][start + e]` for e in `0..end - start` (t = `inputs.len()`).
#[inline]
fn interleave(inputs: &[&[F64]], start: usize, end: usize, x: &mut [F64]) {
    let t = inputs.len();
    for (i, v) in inputs.iter().enumerate() {
        for (xe, &y) in x.chunks_exact_mut(t).zip(&v[start..end]) {
            xe[i] = y;
        }
    }
}

/// Calls `$f::<t>($args)` with t = `$t` as a constant for t in 2..=12 (the body unrolled),
/// `$dynamic($args)` otherwise.
macro_rules! by_threshold {
    ($t:expr, $f:ident, $dynamic:ident, $($args:expr),*) => {
        match $t {
            2 => $f::<2>($($args),*),
            3 => $f::<3>($($args),*),
            4 => $f::<4>($($args),*),
            5 => $f::<5>($($args),*),
            6 => $f::<6>($($args),*),
            7 => $f::<7>($($args),*),
            8 => $f::<8>($($args),*),
            9 => $f::<9>($($args),*),
            10 => $f::<10>($($args),*),
            11 => $f::<11>($($args),*),
            12 => $f::<12>($($args),*),
            _ => $dynamic($($args),*),
        }
    };
}

/// `out[e] = dot(c, x[e t..(e + 1) t])` for every e of `out` (t = `c.len()`).
fn write_dots(c: &[F64], x: &[F64], out: &mut [F64]) {
    by_threshold!(c.len(), write_dots_n, write_dots_any, c, x, out)
}

fn write_dots_n<const T: usize>(c: &[F64], x: &[F64], out: &mut [F64]) {
    let c: &[F64; T] = c.try_into().expect("T coefficients");
    for (o, xe) in out.iter_mut().zip(x.chunks_exact(T)) {
        *o = dot(c, xe.try_into().expect("T values"));
    }
}

fn write_dots_any(c: &[F64], x: &[F64], out: &mut [F64]) {
    for (o, xe) in out.iter_mut().zip(x.chunks_exact(c.len())) {
        *o = dot(c, xe);
    }
}

/// Non-zero iff `dot(c, x[e t..(e + 1) t]) != v[e]` for some e of `v` (no early exit: the time
/// does not say where a vector differs).
fn diff_dots(c: &[F64], x: &[F64], v: &[F64]) -> u64 {
    by_threshold!(c.len(), diff_dots_n, diff_dots_any, c, x, v)
}

fn diff_dots_n<const T: usize>(c: &[F64], x: &[F64], v: &[F64]) -> u64 {
    let c: &[F64; T] = c.try_into().expect("T coefficients");
    v.iter().zip(x.chunks_exact(T)).fold(0, |d, (y, xe)| {
        d | (dot(c, xe.try_into().expect("T values")).value() ^ y.value())
    })
}

fn diff_dots_any(c: &[F64], x: &[F64], v: &[F64]) -> u64 {
    v.iter()
        .zip(x.chunks_exact(c.len()))
        .fold(0, |d, (y, xe)| d | (dot(c, xe).value() ^ y.value()))
}

/// `sum_i c_i x_i`, reduced once: the 128-bit products are summed unreduced and each overflow
/// past 2^128 counted and folded back as 2^128 = -2^32 (mod p) (fewer than 2^32 terms).
#[inline(always)]
fn dot<C: AsRef<[F64]> + ?Sized>(c: &C, x: &C) -> F64 {
    let (c, x) = (c.as_ref(), x.as_ref());
    let mut sum = 0u128;
    let mut overflows = 0u64;
    for (&c, &y) in c.iter().zip(x) {
        let (s, o) = sum.overflowing_add(c.value() as u128 * y.value() as u128);
        sum = s;
        overflows += o as u64;
    }
    F64::reduce128(sum) - F64::new(overflows << 32)
}

/// The expansion generator of one (seed, context, point); its state is overwritten on drop.
struct Prg(ChaCha20Rng);

impl Prg {
    fn new(seed: &[u8; SEED_LEN], context: &[u8], point: u64) -> Prg {
        Prg(ChaCha20Rng::from_seed(*expansion_key(
            EXPAND_DOMAIN,
            seed,
            context,
            point,
        )))
    }

    /// The next draw.
    #[inline(always)]
    fn draw(&mut self) -> F64 {
        F64::random(&mut self.0)
    }

    /// `out[i] =` the next draws.
    fn fill(&mut self, out: &mut [F64]) {
        for o in out {
            *o = F64::random(&mut self.0);
        }
    }

    /// `acc[i] +=` the next draws.
    fn add_into(&mut self, acc: &mut [F64]) {
        for a in acc {
            *a += F64::random(&mut self.0);
        }
    }
}

impl Drop for Prg {
    fn drop(&mut self) {
        // Replace the key and the buffered output; black_box keeps the store.
        self.0 = ChaCha20Rng::from_seed([0; 32]);
        std::hint::black_box(&mut self.0);
    }
}

/// The inverses of non-zero public `xs` with one inversion (Montgomery's trick).
fn batch_inv(xs: &[F64]) -> Vec<F64> {
    let mut prefix = Vec::with_capacity(xs.len());
    let mut acc = F64::ONE;
    for &x in xs {
        prefix.push(acc);
        acc *= x;
    }
    let mut inv = acc.inv().expect("distinct points give non-zero denominators");
    let mut out = vec![F64::ZERO; xs.len()];
    for i in (0..xs.len()).rev() {
        out[i] = inv * prefix[i];
        inv *= xs[i];
    }
    out
}

/// Distinct, non-zero, below p.
/// The ChaCha20 key a seed expands with: SHA-256 of `domain`, the context's length (u64 LE),
/// the context, the point (u64 LE) and the seed (the digest's copy wiped).
pub(crate) fn expansion_key(domain: &[u8], seed: &[u8; SEED_LEN], context: &[u8], point: u64) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(domain);
    h.update((context.len() as u64).to_le_bytes());
    h.update(context);
    h.update(point.to_le_bytes());
    h.update(seed);
    let mut digest = h.finalize();
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&digest);
    digest.as_mut_slice().zeroize();
    key
}

/// `n` fresh seeds from `rng`.
pub(crate) fn fresh_seeds<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<Zeroizing<[u8; SEED_LEN]>> {
    (0..n)
        .map(|_| {
            let mut s = Zeroizing::new([0u8; SEED_LEN]);
            rng.fill_bytes(&mut s[..]);
            s
        })
        .collect()
}

/// A dealing's parameters: t at least 2 and at most the number of points, the points valid
/// ([`check_points`]).
pub(crate) fn check_dealing(points: &[u64], t: usize) -> Result<()> {
    if t < 2 {
        return Err(CoreError::ThresholdTooSmall { t });
    }
    check_points(points)?;
    if t > points.len() {
        return Err(CoreError::ThresholdTooLarge {
            t,
            points: points.len(),
        });
    }
    Ok(())
}

/// Points that are non-zero, below p and distinct.
pub(crate) fn check_points<'a>(points: impl IntoIterator<Item = &'a u64>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for &x in points {
        if x == 0 {
            return Err(CoreError::ZeroPoint);
        }
        if x >= P {
            return Err(CoreError::NotInField {
                what: "evaluation point",
            });
        }
        if !seen.insert(x) {
            return Err(CoreError::DuplicatePoint { x });
        }
    }
    Ok(())
}

/// [`CoreError::LengthMismatch`] unless `len == expected`.
fn same_len(x: u64, len: usize, expected: usize) -> Result<()> {
    if len == expected {
        Ok(())
    } else {
        Err(CoreError::LengthMismatch { x, len, expected })
    }
}

#[cfg(test)]
mod tests;
