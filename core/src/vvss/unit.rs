//! Fixed workloads of one counted vector-VSS operation each, run by the same code the dealing
//! and the checks run, so that the cost model can calibrate the per-element units
//! ([`Op::MsmSecretTerm`](crate::counters::Op::MsmSecretTerm),
//! [`Op::MsmVartimeTerm`](crate::counters::Op::MsmVartimeTerm),
//! [`Op::ZqMul`](crate::counters::Op::ZqMul); [`Op::ZqDraw`](crate::counters::Op::ZqDraw) is
//! [`ShareVec::expand`] itself).

use super::ops::Ops;
use super::{RistOps, SchnorrOps, ShareVec};
use crate::backend::Backend;
use crate::group::{AnyElement, AnyGroup};

/// A pseudo-random share vector of d elements and its blinding share, and a running sum.
pub struct UnitWork<B: Backend> {
    d: usize,
    v: ShareVec<B>,
    acc: ShareVec<B>,
}

impl<B: Backend> UnitWork<B> {
    /// Work on `d` elements (and the blinding share), drawn from `seed`.
    pub fn new(group: &AnyGroup<B>, d: usize, seed: &[u8; super::SEED_LEN]) -> Self {
        UnitWork {
            d,
            v: ShareVec::expand(group, seed, b"dsmpc/vvss/unit-work", 1, d),
            acc: ShareVec::zero(group, d),
        }
    }

    /// Terms of each multiscalar multiplication and multiplications of [`Self::mul_add`]:
    /// `d + 1`.
    pub fn terms(&self) -> usize {
        self.d + 1
    }

    /// A vector Pedersen commitment to the vector and its blinding share, constant-time (the
    /// dealing's and a CP's batch check's): `d + 1` secret-scalar terms.
    pub fn commit_secret(&self, group: &AnyGroup<B>) -> Option<AnyElement<B>> {
        with_ops!(group, o => {
            let s = o.slice(&self.v)?;
            let gens = o.generators(self.d);
            Some(o.element(o.commit(&gens[..self.d], &s[..self.d], &s[self.d])))
        })
    }

    /// The same commitment variable-time (the Edge's check of the results): `d + 1` public
    /// terms.
    pub fn commit_public(&self, group: &AnyGroup<B>) -> Option<AnyElement<B>> {
        with_ops!(group, o => {
            let s = o.slice(&self.v)?;
            let gens = o.generators(self.d);
            let mut bases = gens[..self.d].to_vec();
            bases.push(o.h());
            Some(o.element(o.public_msm(&bases, s)))
        })
    }

    /// The running sum plus the vector weighted by its first element (a batch check's weighted
    /// sum): `d + 1` multiplications and additions.
    pub fn mul_add(&mut self, group: &AnyGroup<B>) {
        with_ops!(group, o => {
            let (Some(s), Some(acc)) = (o.slice(&self.v), o.slice_mut(&mut self.acc)) else {
                return;
            };
            let w = &s[0];
            for (a, y) in acc.iter_mut().zip(s) {
                let mut next = o.add(a, &o.mul(w, y));
                std::mem::swap(a, &mut next);
                o.wipe(&mut next);
            }
        })
    }
}
