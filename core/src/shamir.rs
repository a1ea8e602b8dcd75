//! Shamir secret sharing over Z_q: split with threshold t at chosen points, reconstruct at 0
//! from any t of them by Lagrange interpolation.
//!
//! For a fixed set of t points the Lagrange coefficients at 0 do not depend on the shares, so
//! [`Lagrange`] computes them once and [`Lagrange::combine`] is then t multiplications.
//! [`Interpolation`] is the polynomial through t given shares, evaluated at 0 and at further
//! points with one inversion in all (how the Edge reconstructs and cross-checks). The random
//! polynomial coefficients are wiped when the [`Polynomial`] is dropped.

use std::collections::BTreeSet;

use rand_core::Rng;

use crate::backend::Backend;
use crate::error::{CoreError, Result};
use crate::field::Zq;

/// One share: the evaluation point x (a CP index, never 0) and `f(x)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share<B: Backend> {
    /// The evaluation point.
    pub x: u64,
    /// The value `f(x)` in Z_q.
    pub y: B::Int,
}

/// A polynomial `f(x) = a_0 + a_1 x + ... + a_(t-1) x^(t-1)` over Z_q, wiped on drop.
pub struct Polynomial<B: Backend> {
    coeffs: Vec<B::Int>,
}

impl<B: Backend> std::fmt::Debug for Polynomial<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Polynomial {{ degree: {}, coefficients: <secret> }}",
            self.coeffs.len().saturating_sub(1)
        )
    }
}

impl<B: Backend> Drop for Polynomial<B> {
    fn drop(&mut self) {
        for c in &mut self.coeffs {
            B::wipe(c);
        }
    }
}

impl<B: Backend> Polynomial<B> {
    /// A random polynomial of degree `t - 1` with constant term `secret` (which must be < q).
    pub fn random<R: Rng + ?Sized>(zq: &Zq<B>, secret: &B::Int, t: usize, rng: &mut R) -> Result<Self> {
        if t < 2 {
            return Err(CoreError::ThresholdTooSmall { t });
        }
        let secret = zq.check(secret.clone(), "secret")?;
        let mut coeffs = Vec::with_capacity(t);
        coeffs.push(secret);
        for _ in 1..t {
            coeffs.push(zq.random(rng));
        }
        Ok(Polynomial { coeffs })
    }

    /// A polynomial from explicit coefficients (constant term first), each reduced mod q.
    pub fn from_coefficients(zq: &Zq<B>, coeffs: Vec<B::Int>) -> Self {
        Polynomial {
            coeffs: coeffs.into_iter().map(|c| B::rem(&c, zq.modulus())).collect(),
        }
    }

    /// The threshold t (number of coefficients).
    pub fn threshold(&self) -> usize {
        self.coeffs.len()
    }

    /// The coefficients, constant term first.
    pub fn coefficients(&self) -> &[B::Int] {
        &self.coeffs
    }

    /// `f(x)` by Horner's rule; the intermediate values (secret) are wiped as they are
    /// replaced.
    pub fn eval(&self, zq: &Zq<B>, x: u64) -> B::Int {
        let xv = zq.from_u64(x);
        let mut acc = B::from_u64(0);
        for c in self.coeffs.iter().rev() {
            let mut prod = zq.mul(&acc, &xv);
            let next = zq.add(&prod, c);
            B::wipe(&mut prod);
            B::wipe(&mut acc);
            acc = next;
        }
        acc
    }

    /// Shares at `points`, which must be non-zero, distinct and at least t of them.
    pub fn shares(&self, zq: &Zq<B>, points: &[u64]) -> Result<Vec<Share<B>>> {
        check_points(points)?;
        if points.len() < self.threshold() {
            return Err(CoreError::ThresholdTooLarge {
                t: self.threshold(),
                points: points.len(),
            });
        }
        Ok(points.iter().map(|&x| Share { x, y: self.eval(zq, x) }).collect())
    }
}

/// Split `secret` with threshold `t` into shares at `points`.
///
/// ```
/// use dsmpc_core::{backend::{Backend, Num}, field::Zq, shamir};
/// let zq = Zq::<Num>::new(Num::from_u64(1_000_003));
/// let mut rng = dsmpc_core::rng::seeded(1, "doc");
/// let shares = shamir::split(&zq, &Num::from_u64(42), 3, &[1, 2, 3, 4, 5], &mut rng).unwrap();
/// let secret = shamir::reconstruct(&zq, &shares[2..], 3).unwrap();
/// assert_eq!(secret, Num::from_u64(42));
/// ```
pub fn split<B: Backend, R: Rng + ?Sized>(
    zq: &Zq<B>,
    secret: &B::Int,
    t: usize,
    points: &[u64],
    rng: &mut R,
) -> Result<Vec<Share<B>>> {
    if t < 2 {
        return Err(CoreError::ThresholdTooSmall { t });
    }
    check_points(points)?;
    if points.len() < t {
        return Err(CoreError::ThresholdTooLarge {
            t,
            points: points.len(),
        });
    }
    Polynomial::random(zq, secret, t, rng)?.shares(zq, points)
}

/// Reconstruct `f(0)` from the first t of `shares` (at least t, distinct non-zero points).
pub fn reconstruct<B: Backend>(zq: &Zq<B>, shares: &[Share<B>], t: usize) -> Result<B::Int> {
    enough(shares, t)?;
    Ok(Interpolation::new(zq, &shares[..t])?.at(zq, 0))
}

/// The points among `shares[t..]` that do not lie on the polynomial of degree t-1 through
/// `shares[..t]` (empty: all shares are consistent). With more than t shares this is how a
/// receiver detects that some share is wrong without being able to say which.
pub fn off_polynomial<B: Backend>(zq: &Zq<B>, shares: &[Share<B>], t: usize) -> Result<Vec<u64>> {
    enough(shares, t)?;
    let all: Vec<u64> = shares.iter().map(|s| s.x).collect();
    check_points(&all)?;
    Ok(Interpolation::new(zq, &shares[..t])?.off(zq, &shares[t..]))
}

/// The polynomial of degree t-1 through t shares, to evaluate at 0 (the secret) and at other
/// points (to check further shares) with one inversion in all:
/// `f(x) = sum_i w_i prod_(j != i) (x - x_j)` with `w_i = y_i / prod_(j != i) (x_i - x_j)`,
/// the denominators inverted together and the products of the (small) points taken exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolation<B: Backend> {
    xs: Vec<i128>,
    ws: Vec<B::Int>,
}

impl<B: Backend> Interpolation<B> {
    /// Through `base` (at least 2 shares at distinct non-zero points, values below q).
    pub fn new(zq: &Zq<B>, base: &[Share<B>]) -> Result<Self> {
        if base.len() < 2 {
            return Err(CoreError::ThresholdTooSmall { t: base.len() });
        }
        let points: Vec<u64> = base.iter().map(|s| s.x).collect();
        check_points(&points)?;
        let (xs, invs) = inverted_denominators(zq, &points)?;
        let ws = base
            .iter()
            .zip(&invs)
            .map(|(s, inv)| Ok(zq.mul(&zq.check(s.y.clone(), "share value")?, inv)))
            .collect::<Result<_>>()?;
        Ok(Interpolation { xs, ws })
    }

    /// `f(x)`.
    pub fn at(&self, zq: &Zq<B>, x: u64) -> B::Int {
        let x = i128::from(x);
        let mut acc = B::from_u64(0);
        for (i, w) in self.ws.iter().enumerate() {
            let num = small_product(zq, others(&self.xs, i).map(|xj| x - xj));
            acc = zq.add(&acc, &zq.mul(&num, w));
        }
        acc
    }

    /// The points of `shares` whose value is not `f(x)`.
    pub fn off(&self, zq: &Zq<B>, shares: &[Share<B>]) -> Vec<u64> {
        shares.iter().filter(|s| self.at(zq, s.x) != s.y).map(|s| s.x).collect()
    }
}

/// The points as exact integers and the inverses of their denominators
/// `prod_(j != i) (x_i - x_j)`, inverted together; a zero denominator (two points that collide
/// mod q, only possible for points >= q) is [`CoreError::DuplicatePoint`].
fn inverted_denominators<B: Backend>(zq: &Zq<B>, points: &[u64]) -> Result<(Vec<i128>, Vec<B::Int>)> {
    let xs: Vec<i128> = points.iter().map(|&x| i128::from(x)).collect();
    let dens: Vec<B::Int> = (0..xs.len())
        .map(|i| small_product(zq, others(&xs, i).map(|xj| xs[i] - xj)))
        .collect();
    let invs = batch_inv(zq, &dens).ok_or(CoreError::DuplicatePoint { x: points[0] })?;
    Ok((xs, invs))
}

/// The points other than the `i`-th.
fn others(xs: &[i128], i: usize) -> impl Iterator<Item = i128> + '_ {
    xs.iter().enumerate().filter(move |&(j, _)| j != i).map(|(_, &x)| x)
}

/// `prod terms mod q` for small signed integers (points and their differences), multiplied
/// exactly in i128 while the product fits and folded into Z_q when it would not: a product of
/// a few indices costs one reduction instead of one modular multiplication per factor.
fn small_product<B: Backend>(zq: &Zq<B>, terms: impl IntoIterator<Item = i128>) -> B::Int {
    let mut exact: i128 = 1;
    let mut folded: Option<B::Int> = None;
    for t in terms {
        match exact.checked_mul(t) {
            Some(p) => exact = p,
            None => {
                let f = zq.from_i128(exact);
                folded = Some(match folded {
                    Some(a) => zq.mul(&a, &f),
                    None => f,
                });
                exact = t;
            }
        }
    }
    let last = zq.from_i128(exact);
    match folded {
        Some(a) => zq.mul(&a, &last),
        None => last,
    }
}

/// The inverses of `xs` (public values) with one inversion (Montgomery's trick); `None` if one
/// is zero.
fn batch_inv<B: Backend>(zq: &Zq<B>, xs: &[B::Int]) -> Option<Vec<B::Int>> {
    let mut prefix = Vec::with_capacity(xs.len());
    let mut acc = B::from_u64(1);
    for x in xs {
        prefix.push(acc.clone());
        acc = zq.mul(&acc, x);
    }
    let mut inv = zq.inv(&acc)?;
    let mut out = vec![B::from_u64(0); xs.len()];
    for i in (0..xs.len()).rev() {
        out[i] = zq.mul(&inv, &prefix[i]);
        inv = zq.mul(&inv, &xs[i]);
    }
    Some(out)
}

/// Lagrange coefficients at 0 for a fixed set of points: `lambda_i = prod_(j != i) x_j / (x_j - x_i)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lagrange<B: Backend> {
    points: Vec<u64>,
    coeffs: Vec<B::Int>,
}

impl<B: Backend> Lagrange<B> {
    /// Coefficients for `points` (distinct, non-zero, at least 2).
    pub fn new(zq: &Zq<B>, points: &[u64]) -> Result<Self> {
        check_points(points)?;
        if points.len() < 2 {
            return Err(CoreError::ThresholdTooSmall { t: points.len() });
        }
        let xs: Vec<B::Int> = points.iter().map(|&x| zq.from_u64(x)).collect();
        if xs.iter().collect::<BTreeSet<_>>().len() != xs.len() {
            // Points that collide mod q (only possible for points >= q).
            return Err(CoreError::DuplicatePoint { x: points[0] });
        }
        // lambda_i = prod_(j != i) x_j / (x_j - x_i) = prod_(j != i) (0 - x_j) / (x_i - x_j)
        let (exact, invs) = inverted_denominators(zq, points)?;
        let nums: Vec<B::Int> = (0..exact.len())
            .map(|i| small_product(zq, others(&exact, i).map(|xj| -xj)))
            .collect();
        let coeffs = nums.iter().zip(&invs).map(|(n, i)| zq.mul(n, i)).collect();
        Ok(Lagrange {
            points: points.to_vec(),
            coeffs,
        })
    }

    /// The points, in order.
    pub fn points(&self) -> &[u64] {
        &self.points
    }

    /// The coefficients, in the order of the points.
    pub fn coefficients(&self) -> &[B::Int] {
        &self.coeffs
    }

    /// `sum lambda_i * y_i`, with `ys` in the order of the points.
    pub fn combine(&self, zq: &Zq<B>, ys: &[B::Int]) -> Result<B::Int> {
        if ys.len() != self.coeffs.len() {
            return Err(CoreError::NotEnoughShares {
                need: self.coeffs.len(),
                got: ys.len(),
            });
        }
        let mut acc = B::from_u64(0);
        for (l, y) in self.coeffs.iter().zip(ys) {
            acc = zq.add(&acc, &zq.mul(l, y));
        }
        Ok(acc)
    }
}

/// At least t shares, and t at least 2.
fn enough<B: Backend>(shares: &[Share<B>], t: usize) -> Result<()> {
    if t < 2 {
        return Err(CoreError::ThresholdTooSmall { t });
    }
    if shares.len() < t {
        return Err(CoreError::NotEnoughShares {
            need: t,
            got: shares.len(),
        });
    }
    Ok(())
}

fn check_points(points: &[u64]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for &x in points {
        if x == 0 {
            return Err(CoreError::ZeroPoint);
        }
        if !seen.insert(x) {
            return Err(CoreError::DuplicatePoint { x });
        }
    }
    Ok(())
}
