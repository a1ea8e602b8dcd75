//! Vector Pedersen VSS: `vss` on vector inputs. A DP shares d elements with one commitment per
//! polynomial coefficient for the whole vector, instead of d scalar dealings.
//!
//! **Shares in Z_q.** Pedersen commitments open in the group's scalar field, so the share
//! vectors live in Z_q (32-byte scalars on ristretto255 and on the Schnorr groups, whose q has
//! 256 bits), not in [`F64`]. An input element is its canonical integer below p (the F64
//! modulus); n of them sum below n p < q, so the aggregate taken mod p is the F64 sum exactly.
//!
//! **Dealing** ([`deal`]). Coordinate e has `f_e(X) = sum_j a_(j,e) X^j` of degree t - 1, fixed
//! as in [`crate::vshare`] by `f_e(0)` (the input) and its values at the first t - 1 roster
//! points, expanded from 32-byte seeds ([`ShareVec::expand`]), so those CPs receive a seed
//! whatever d is. One blinding polynomial `b(X)` serves the whole vector; its values at the
//! seeded points are the expansions' last scalar. The coefficient commitments are
//!
//! ```text
//! C_j = sum_e a_(j,e) G_e + b_j H        (j = 0..t)
//! ```
//!
//! with independent generators `G_e` hashed to the group ([`generators`]) and the group's
//! Pedersen `h` as H: t multiscalar multiplications of d + 1 terms (constant-time on
//! ristretto255: the coefficients are secret). A share for CP x is `(f_e(x))_e` followed by
//! `b(x)`: d + 1 scalars.
//!
//! **Checking** ([`verify`], [`verify_batch`], [`verify_results`]). CP x accepts `(y, z)` iff
//! `sum_e y_e G_e + z H == sum_j x^j C_j`. A batch of DPs is checked at once with random
//! weights w_p: `sum_e (sum_p w_p y_(p,e)) G_e + (sum_p w_p z_p) H == sum_(p,j) w_p x^j C_(p,j)`,
//! one multiscalar multiplication of d + 1 terms for the batch plus d field multiplications per
//! DP; a batch that fails is checked DP by DP, so the culprit is named. A cheating dealer passes
//! a batch with probability at most 1/q over the weights. The commitments are homomorphic, so
//! the Edge checks a CP's sum vector against the agreed DPs' combined commitments
//! ([`crate::vss::combine`]) the same way.
//!
//! **Binding.** Nobody knows a relation between the `G_e`, g and h (each is a hash to the group),
//! so a dealer cannot open `C_j` to two vectors: shares that verify lie on one polynomial per
//! coordinate, and any t of them reconstruct the same vector ([`reconstruct`]).
//!
//! **Encoding.** A share is `d + 1` scalars of [`scalar_len`] bytes: ristretto255's canonical
//! little-endian encoding, a Schnorr group's big-endian one; a scalar not below q is refused.
//!
//! **Wiping.** [`ShareVec`] and the dealing's coefficient vectors are wiped when dropped.

mod ops;
#[cfg(test)]
mod tests;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use zeroize::{Zeroize, Zeroizing};

use self::ops::{Ops, RistOps, SchnorrOps};
use crate::backend::Backend;
use crate::error::{CoreError, Result};
use crate::field64::F64;
use crate::group::{AnyElement, AnyGroup};

pub use self::ops::generators;

/// Bytes of a seed.
pub const SEED_LEN: usize = 32;
/// Domain separation of the expansion key derivation.
const EXPAND_DOMAIN: &[u8] = b"dsmpc/vvss/expand/v1";

/// What a DP sends one CP: a seed (the first t - 1 CPs) or the encoded share vector.
pub enum VssShare {
    /// A seed the CP expands with [`ShareVec::expand`].
    Seed(Zeroizing<[u8; SEED_LEN]>),
    /// `d + 1` encoded scalars: the share vector, then the blinding share.
    Explicit(Zeroizing<Vec<u8>>),
}

/// One vector dealing: every CP's share (in the order of the points) and the commitments.
pub struct VDealing<B: Backend> {
    /// The shares.
    pub shares: Vec<VssShare>,
    /// `C_j` for `j = 0..t`.
    pub commitments: Vec<AnyElement<B>>,
}

/// A share vector (d elements and the blinding share) or a sum of them, in the group's scalar
/// field; wiped on drop.
pub enum ShareVec<B: Backend> {
    /// On ristretto255.
    Ristretto(Vec<curve25519_dalek::scalar::Scalar>),
    /// On a Schnorr group.
    Schnorr(Vec<B::Int>),
}

impl<B: Backend> Drop for ShareVec<B> {
    fn drop(&mut self) {
        match self {
            ShareVec::Ristretto(v) => v.zeroize(),
            ShareVec::Schnorr(v) => v.iter_mut().for_each(B::wipe),
        }
    }
}

/// Run `$body` with `$o` the operations of `$group`.
macro_rules! with_ops {
    ($group:expr, $o:ident => $body:expr) => {
        match $group.schnorr() {
            Some(g) => {
                let $o = &SchnorrOps(g);
                $body
            }
            None => {
                let $o = &RistOps::of($group);
                $body
            }
        }
    };
}

/// Bytes of one encoded scalar.
pub fn scalar_len<B: Backend>(group: &AnyGroup<B>) -> usize {
    with_ops!(group, o => o.scalar_len())
}

/// Bytes of an explicit share of a d-element vector.
pub fn share_len<B: Backend>(group: &AnyGroup<B>, d: usize) -> usize {
    (d + 1) * scalar_len(group)
}

impl<B: Backend> ShareVec<B> {
    /// The zero vector of d elements (and a zero blinding share): a running sum's start.
    pub fn zero(group: &AnyGroup<B>, d: usize) -> Self {
        with_ops!(group, o => o.wrap(vec![o.zero(); d + 1]))
    }

    /// Decode an explicit share of d elements; why not (wrong length, a scalar not below q).
    pub fn decode(group: &AnyGroup<B>, bytes: &[u8], d: usize) -> std::result::Result<Self, String> {
        with_ops!(group, o => {
            let len = o.scalar_len();
            if bytes.len() != (d + 1) * len {
                return Err(format!(
                    "a share vector of {} bytes, not {} ({d} elements and a blinding share of {len} bytes each)",
                    bytes.len(),
                    (d + 1) * len
                ));
            }
            let mut v = Vec::with_capacity(d + 1);
            for (i, c) in bytes.chunks_exact(len).enumerate() {
                match o.get(c) {
                    Some(s) => v.push(s),
                    None => {
                        drop(o.wrap(v));
                        return Err(format!("scalar {} of the share vector is not below q", i + 1));
                    }
                }
            }
            Ok(o.wrap(v))
        })
    }

    /// The share vector a seed stands for: d elements and the blinding share, drawn from
    /// ChaCha20 keyed by SHA-256 of the domain, `context` (the task and DP), `point` and the seed.
    pub fn expand(group: &AnyGroup<B>, seed: &[u8; SEED_LEN], context: &[u8], point: u64, d: usize) -> Self {
        with_ops!(group, o => {
            let mut prg = expander(seed, context, point);
            o.wrap((0..=d).map(|_| o.random(&mut prg)).collect())
        })
    }

    /// The encoding ([`scalar_len`] bytes per scalar).
    pub fn encode(&self, group: &AnyGroup<B>) -> Zeroizing<Vec<u8>> {
        with_ops!(group, o => {
            let v = o.slice(self).unwrap_or_default();
            let mut out = Zeroizing::new(Vec::with_capacity(v.len() * o.scalar_len()));
            for s in v {
                o.put(s, &mut out);
            }
            out
        })
    }

    /// Elements, without the blinding share.
    pub fn dim(&self) -> usize {
        match self {
            ShareVec::Ristretto(v) => v.len().saturating_sub(1),
            ShareVec::Schnorr(v) => v.len().saturating_sub(1),
        }
    }

    /// `self += other`, element by element (and the blinding shares).
    pub fn add_assign(&mut self, group: &AnyGroup<B>, other: &ShareVec<B>) -> Result<()> {
        let mismatch = |len, expected| CoreError::LengthMismatch { x: 0, len, expected };
        with_ops!(group, o => {
            let b = o.slice(other).ok_or(mismatch(0, self.dim()))?;
            let a = o.slice_mut(self).ok_or(mismatch(0, 0))?;
            if a.len() != b.len() {
                return Err(mismatch(b.len(), a.len()));
            }
            crate::counters::record_n(crate::counters::Op::ZqAdd, a.len() as u64);
            for (x, y) in a.iter_mut().zip(b) {
                let mut s = o.add(x, y);
                std::mem::swap(x, &mut s);
                o.wipe(&mut s);
            }
            Ok(())
        })
    }
}

/// The ChaCha20 generator a seed expands with ([`crate::vshare`]'s key derivation, under this
/// module's domain).
fn expander(seed: &[u8; SEED_LEN], context: &[u8], point: u64) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(*crate::vshare::expansion_key(EXPAND_DOMAIN, seed, context, point))
}

/// Deal `input` among the CPs at `points` (distinct, non-zero) with threshold t: seeds for the
/// first t - 1, explicit shares for the others, and the t coefficient commitments.
pub fn deal<B: Backend, R: Rng + ?Sized>(
    group: &AnyGroup<B>,
    input: &[F64],
    points: &[u64],
    t: usize,
    context: &[u8],
    rng: &mut R,
) -> Result<VDealing<B>> {
    crate::vshare::check_dealing(points, t)?;
    with_ops!(group, o => ops::deal(o, input, points, t, context, rng))
}

/// Whether `share` (d elements and the blinding share) is CP x's share of the dealing committed
/// to by `commitments` (constant-time on the share's side).
pub fn verify<B: Backend>(group: &AnyGroup<B>, commitments: &[AnyElement<B>], x: u64, share: &ShareVec<B>) -> bool {
    with_ops!(group, o => ops::verify_batch(o, &[(x, commitments, share)], None::<&mut ChaCha20Rng>, true))
}

/// Whether every `(commitments, share)` of the batch verifies at CP x, checked at once with
/// random weights from `rng` (one failing share fails the batch, except with probability 1/q).
/// Constant-time on the shares' side: a CP's shares are secret.
pub fn verify_batch<B: Backend, R: Rng + ?Sized>(
    group: &AnyGroup<B>,
    x: u64,
    items: &[(&[AnyElement<B>], &ShareVec<B>)],
    rng: &mut R,
) -> bool {
    let items: Vec<_> = items.iter().map(|(c, s)| (x, *c, *s)).collect();
    with_ops!(group, o => ops::verify_batch(o, &items, Some(rng), true))
}

/// Whether every result `(x, sum vector)` verifies against the same (combined) commitments,
/// checked at once with random weights from `rng`; variable-time: for the Edge, which holds the
/// results anyway.
pub fn verify_results<B: Backend, R: Rng + ?Sized>(
    group: &AnyGroup<B>,
    commitments: &[AnyElement<B>],
    results: &[(u64, &ShareVec<B>)],
    rng: &mut R,
) -> bool {
    let items: Vec<_> = results.iter().map(|(x, s)| (*x, commitments, *s)).collect();
    with_ops!(group, o => ops::verify_batch(o, &items, Some(rng), false))
}

/// The aggregate from t results `(x, sum vector)`: interpolated at 0 in Z_q, then each element
/// reduced mod p.
pub fn reconstruct<B: Backend>(group: &AnyGroup<B>, results: &[(u64, &ShareVec<B>)]) -> Result<Vec<F64>> {
    with_ops!(group, o => ops::reconstruct(o, results))
}

mod unit;
pub use self::unit::UnitWork;
