//! The Edge's vector results: each CP's opened sum vector, then the aggregate. In the paper's
//! modes the sum vectors are in F64 and every one beyond the first t must lie on the polynomials
//! through the first t; in `vss` they are in Z_q ([`dsmpc_core::vvss`]) and all of them are
//! checked against the agreed DPs' combined commitments at once before the reconstruction
//! ([`Results::verify`]: one multiscalar multiplication of d + 1 terms for all, CP by CP only if
//! that fails), so any t of those kept reconstruct.

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyElement, AnyGroup};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::vshare;
use dsmpc_core::vvss::{self, ShareVec};
use zeroize::Zeroizing;

use super::{Opened, open, open_body};
use crate::check::Check;
use crate::error::Result;
use crate::suite::CipherSuite;

/// The kept results.
enum Kept<B: Backend> {
    /// Paper's modes: sum vectors in F64.
    F64(Vec<(u64, Zeroizing<Vec<F64>>)>),
    /// `vss`: sum vectors and blinding sums in Z_q, each verified.
    Zq(Vec<(u64, ShareVec<B>)>),
}

/// The Edge's vector results.
pub struct Results<B: Backend> {
    elements: usize,
    kept: Kept<B>,
}

impl<B: Backend> Results<B> {
    /// Results of `elements` elements each, in F64 (`zq` false) or in Z_q with commitments.
    pub fn new(elements: usize, zq: bool) -> Self {
        let kept = if zq {
            Kept::Zq(Vec::new())
        } else {
            Kept::F64(Vec::new())
        };
        Results { elements, kept }
    }

    /// Open CP `index`'s upload (sealed under `label` for `sk`) and keep it (in `vss` until
    /// [`Results::verify`]); why not otherwise.
    #[allow(clippy::too_many_arguments)]
    pub fn take<S: CipherSuite>(
        &mut self,
        suite: &S,
        sk: &S::EncPrivate,
        label: &[u8],
        index: u16,
        sealed: &[u8],
        group: &AnyGroup<B>,
        rng: &mut DsmpcRng,
    ) -> std::result::Result<(), String> {
        let x = u64::from(index);
        match &mut self.kept {
            Kept::F64(kept) => {
                let v = open(suite, sk, label, sealed, self.elements, None, rng).map_err(|r| r.to_string())?;
                kept.push((x, v));
            }
            Kept::Zq(kept) => {
                let width = vvss::scalar_len(group);
                let bytes = match open_body(suite, sk, label, sealed, width, self.elements + 1, rng) {
                    Ok(Opened::Bytes(b)) => b,
                    Ok(Opened::Seed(_)) => return Err("a seed where a sum vector must be".into()),
                    Err(r) => return Err(r.to_string()),
                };
                kept.push((x, ShareVec::decode(group, &bytes, self.elements)?));
            }
        }
        Ok(())
    }

    /// `vss`: check every kept result against the agreed DPs' `combined` commitments (all at
    /// once, then one by one if that fails) and drop those that do not match; their indices.
    pub fn verify(&mut self, group: &AnyGroup<B>, combined: &[AnyElement<B>], rng: &mut DsmpcRng) -> Vec<u64> {
        let Kept::Zq(kept) = &mut self.kept else {
            return Vec::new();
        };
        let all: Vec<(u64, &ShareVec<B>)> = kept.iter().map(|(x, v)| (*x, v)).collect();
        if vvss::verify_results(group, combined, &all, rng) {
            return Vec::new();
        }
        let bad: Vec<u64> = all
            .iter()
            .filter(|(x, v)| !vvss::verify_results(group, combined, &[(*x, *v)], rng))
            .map(|(x, _)| *x)
            .collect();
        kept.retain(|(x, _)| !bad.contains(x));
        bad
    }

    /// How many results are kept.
    pub fn len(&self) -> usize {
        match &self.kept {
            Kept::F64(k) => k.len(),
            Kept::Zq(k) => k.len(),
        }
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The aggregate at 0 from the first `t` results and how far it is checked; in the paper's
    /// modes, the indices of the further results that do not lie on the same polynomials (any
    /// coordinate), in `vss` none (each result was verified when it came).
    pub fn reconstruct(&self, group: &AnyGroup<B>, t: usize) -> Result<(Vec<F64>, Check, Vec<u64>)> {
        match &self.kept {
            Kept::F64(results) => {
                let (base, rest) = results.split_at(t.min(results.len()));
                let points: Vec<u64> = base.iter().map(|(x, _)| *x).collect();
                let vectors: Vec<&[F64]> = base.iter().map(|(_, v)| v.as_slice()).collect();
                let aggregate = vshare::reconstruct(&points, &vectors)?;
                let others: Vec<(u64, &[F64])> = rest.iter().map(|(x, v)| (*x, v.as_slice())).collect();
                let off = vshare::off_polynomial(&points, &vectors, &others)?;
                let check = if results.len() > t {
                    Check::CrossChecked(results.len())
                } else {
                    Check::Unchecked
                };
                Ok((aggregate, check, off))
            }
            Kept::Zq(results) => {
                let base: Vec<(u64, &ShareVec<B>)> = results.iter().take(t).map(|(x, v)| (*x, v)).collect();
                Ok((vvss::reconstruct(group, &base)?, Check::Verified, Vec::new()))
            }
        }
    }
}
