//! Pedersen verifiable secret sharing: the math for a `vss` verification mode (issue 7),
//! where every CP and the Edge can check that a DP's shares lie on one polynomial.
//!
//! A dealer shares `s` with `f(x) = s + a_1 x + ... + a_(t-1) x^(t-1)` and a random blinding
//! polynomial `b(x)` of the same degree, and publishes the coefficient commitments
//! `C_j = g^(a_j) h^(b_j)`. CP i receives `(f(i), b(i))` and accepts iff
//! `g^(f(i)) h^(b(i)) == prod_j C_j^(i^j)`. Because `log_g h` is unknown, a dealer cannot
//! open the commitments to two different polynomials, so shares that all verify lie on one
//! polynomial of degree t-1: any t of them reconstruct the same value.
//!
//! Commitments are homomorphic: multiplying the commitments of several dealings coefficient by
//! coefficient commits to the sum of their polynomials, so the Edge can check a CP's uploaded
//! `(sum_i, blinding_sum_i)` against the product of the agreed DPs' commitments.
//! The exponents `i^j` are small (i is a CP index), so the right-hand side is one
//! multi-exponentiation with short exponents when `i^(t-1)` fits in 64 bits.
//!
//! Everything here is generic over the group ([`PrimeOrderGroup`], written multiplicatively as
//! in the paper); `G` defaults to the Schnorr group of the scalars' backend.

use rand_core::Rng;

use crate::backend::Backend;
use crate::error::{CoreError, Result};
use crate::group::{AnyGroup, PrimeOrderGroup, Scalar};
use crate::shamir::Polynomial;

/// One dealing: the secret polynomial, the blinding polynomial and the commitments.
pub struct Dealing<B: Backend, G: PrimeOrderGroup<Backend = B> = AnyGroup<B>> {
    /// `f`, with `f(0)` the secret.
    pub f: Polynomial<B>,
    /// `b`, the blinding polynomial.
    pub b: Polynomial<B>,
    /// `C_j = g^(a_j) h^(b_j)` for `j = 0..t`.
    pub commitments: Vec<G::Element>,
}

/// Deal `secret` (below q) with threshold t: random f and b, and their commitments
/// (2t fixed-base exponentiations).
pub fn deal<B: Backend, G: PrimeOrderGroup<Backend = B>, R: Rng + ?Sized>(
    group: &G,
    secret: &B::Int,
    t: usize,
    rng: &mut R,
) -> Result<Dealing<B, G>> {
    let f = Polynomial::random(group.zq(), secret, t, rng)?;
    let blind = group.zq().random(rng);
    let b = Polynomial::random(group.zq(), &blind, t, rng)?;
    let commitments = f
        .coefficients()
        .iter()
        .zip(b.coefficients())
        .map(|(a, bj)| group.commit(a, bj))
        .collect();
    Ok(Dealing { f, b, commitments })
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Dealing<B, G> {
    /// CP i's share pair `(f(i), b(i))`.
    pub fn share(&self, group: &G, i: u64) -> Result<(B::Int, B::Int)> {
        if i == 0 {
            return Err(CoreError::ZeroPoint);
        }
        Ok((self.f.eval(group.zq(), i), self.b.eval(group.zq(), i)))
    }
}

/// `prod_j commitments[j]^(i^j)`: what a share pair at point i must open.
pub fn expected<G: PrimeOrderGroup>(group: &G, commitments: &[G::Element], i: u64) -> G::Element {
    // Small exponents i^j while they fit in 64 bits: one multi-exponentiation.
    let mut small = Vec::with_capacity(commitments.len());
    let mut pow = 1u64;
    let mut fits = true;
    for j in 0..commitments.len() {
        if j > 0 {
            match pow.checked_mul(i) {
                Some(p) => pow = p,
                None => {
                    fits = false;
                    break;
                }
            }
        }
        small.push(pow);
    }
    if fits {
        let refs: Vec<&G::Element> = commitments.iter().collect();
        return group.vartime_multiscalar_mul_small(&refs, &small);
    }
    let zq = group.zq();
    let iv = zq.from_u64(i);
    let mut e = zq.from_u64(1);
    let mut acc = group.identity();
    for c in commitments {
        acc = group.op(&acc, &group.vartime_mul(c, &e));
        e = zq.mul(&e, &iv);
    }
    acc
}

/// Whether `(y, z)` is a valid share at point i for these commitments:
/// `g^y h^z == prod_j C_j^(i^j)`. Elements must be well formed and scalars below q.
pub fn verify_share<G: PrimeOrderGroup>(
    group: &G,
    commitments: &[G::Element],
    i: u64,
    y: &Scalar<G>,
    z: &Scalar<G>,
) -> bool {
    let q = group.zq().modulus();
    if i == 0 || commitments.is_empty() || y >= q || z >= q {
        return false;
    }
    if !commitments.iter().all(|c| group.check_element(c)) {
        return false;
    }
    group.commit(y, z) == expected(group, commitments, i)
}

/// Coefficient-wise product of several dealings' commitments: the commitments of the sum of
/// their polynomials. All must have the same length (the same t).
pub fn combine<G: PrimeOrderGroup>(group: &G, dealings: &[&[G::Element]]) -> Result<Vec<G::Element>> {
    let Some(first) = dealings.first() else {
        return Err(CoreError::NotEnoughShares { need: 1, got: 0 });
    };
    let t = first.len();
    let mut acc: Vec<G::Element> = vec![group.identity(); t];
    for d in dealings {
        if d.len() != t {
            return Err(CoreError::ThresholdTooLarge { t: d.len(), points: t });
        }
        for (a, c) in acc.iter_mut().zip(d.iter()) {
            *a = group.op(a, c);
        }
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Num;
    use crate::rng;
    use crate::shamir::{self, Share};

    use crate::group::{AnyElement, GroupKind};

    /// Every test runs on a Schnorr group and on ristretto255.
    fn groups() -> Vec<AnyGroup<Num>> {
        [GroupKind::Schnorr(1024), GroupKind::Ristretto255]
            .into_iter()
            .map(|k| AnyGroup::new(k).unwrap())
            .collect()
    }

    #[test]
    fn honest_shares_verify_and_reconstruct() {
        for g in &groups() {
            let mut r = rng::seeded(1, "vss");
            let secret = Num::from_u64(123_456);
            let d = deal(g, &secret, 3, &mut r).unwrap();
            let mut shares = Vec::new();
            for i in 1..=5u64 {
                let (y, z) = d.share(g, i).unwrap();
                assert!(verify_share(g, &d.commitments, i, &y, &z), "share {i}");
                shares.push(Share { x: i, y });
            }
            assert_eq!(shamir::reconstruct(g.zq(), &shares[2..], 3).unwrap(), secret);
        }
    }

    #[test]
    fn tampered_or_misplaced_shares_fail() {
        for g in &groups() {
            let mut r = rng::seeded(2, "vss");
            let d = deal(g, &Num::from_u64(7), 3, &mut r).unwrap();
            let (y, z) = d.share(g, 2).unwrap();
            let one = Num::from_u64(1);
            assert!(!verify_share(g, &d.commitments, 2, &g.zq().add(&y, &one), &z));
            assert!(!verify_share(g, &d.commitments, 2, &y, &g.zq().add(&z, &one)));
            assert!(
                !verify_share(g, &d.commitments, 3, &y, &z),
                "share of CP 2 is not CP 3's"
            );
            assert!(!verify_share(g, &d.commitments, 0, &y, &z));
            let mut c = d.commitments.clone();
            c[1] = g.op(&c[1], g.g());
            assert!(!verify_share(g, &c, 2, &y, &z));
        }
    }

    #[test]
    fn an_inconsistent_dealing_is_caught_by_the_cp_it_cheats() {
        // Shares from two different polynomials under one set of commitments.
        for g in &groups() {
            let mut r = rng::seeded(3, "vss");
            let honest = deal(g, &Num::from_u64(10), 3, &mut r).unwrap();
            let other = deal(g, &Num::from_u64(99), 3, &mut r).unwrap();
            let (y1, z1) = honest.share(g, 1).unwrap();
            let (y4, z4) = other.share(g, 4).unwrap();
            assert!(verify_share(g, &honest.commitments, 1, &y1, &z1));
            assert!(!verify_share(g, &honest.commitments, 4, &y4, &z4));
        }
    }

    #[test]
    fn combined_commitments_verify_summed_shares() {
        for g in &groups() {
            let mut r = rng::seeded(4, "vss");
            let dealings: Vec<Dealing<Num>> = (0..4u64)
                .map(|s| deal(g, &Num::from_u64(s * 1000 + 1), 3, &mut r).unwrap())
                .collect();
            let refs: Vec<&[AnyElement<Num>]> = dealings.iter().map(|d| d.commitments.as_slice()).collect();
            let combined = combine(g, &refs).unwrap();
            let zq = g.zq();
            let mut sums = Vec::new();
            for i in 1..=4u64 {
                let (mut ys, mut zs) = (Num::from_u64(0), Num::from_u64(0));
                for d in &dealings {
                    let (y, z) = d.share(g, i).unwrap();
                    ys = zq.add(&ys, &y);
                    zs = zq.add(&zs, &z);
                }
                assert!(verify_share(g, &combined, i, &ys, &zs), "sum at {i}");
                assert!(!verify_share(g, &combined, i, &zq.add(&ys, &Num::from_u64(1)), &zs));
                sums.push(Share { x: i, y: ys });
            }
            assert_eq!(
                shamir::reconstruct(zq, &sums[1..], 3).unwrap(),
                Num::from_u64(1 + 1001 + 2001 + 3001)
            );
            assert!(combine(g, &[]).is_err());
            let short = &dealings[0].commitments[..2];
            assert!(combine(g, &[refs[0], short]).is_err());
        }
    }

    #[test]
    fn large_indices_take_the_general_path() {
        for g in &groups() {
            let mut r = rng::seeded(5, "vss");
            // i^(t-1) = 60000^5 overflows 64 bits.
            let d = deal(g, &Num::from_u64(5), 6, &mut r).unwrap();
            let (y, z) = d.share(g, 60_000).unwrap();
            assert!(verify_share(g, &d.commitments, 60_000, &y, &z));
            assert!(!verify_share(g, &d.commitments, 60_001, &y, &z));
        }
    }
}
