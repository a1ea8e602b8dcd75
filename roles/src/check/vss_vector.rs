//! `vss` on vectors, at a CP: each DP's share vector and its commitments, held until the other
//! arrives, then checked in batches ([`dsmpc_core::vvss::verify_batch`]: one multiscalar
//! multiplication of d + 1 terms per batch, a failed batch checked DP by DP so the culprit is
//! named); the verified vectors are held until the agreed set is known, then summed for the
//! upload (`(sum vector, blinding sum)`, encoded).
//!
//! Memory: a CP holds every verified DP's share vector until the agreement round ends,
//! n (d + 1) 32 bytes (a DP the round excludes must be left out of the sum).

use std::collections::BTreeMap;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::AnyElement;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::vvss::{self, ShareVec};

use super::{Acceptor, CpCtx, Received, Verdict};
use crate::wire::Rejection;

/// DPs checked together at most (each waits for at most this many others).
pub(crate) const BATCH: usize = 32;
/// Bytes of share vectors a batch holds at most: fewer DPs per batch at large d (one at
/// d >= 2^21), so the batch's memory is bounded in bytes, not only in count.
pub(crate) const BATCH_BYTES: usize = 64 << 20;

/// A CP's share vectors and commitments in a `vss` vector session.
pub(crate) struct VssVectors<B: Backend> {
    dim: usize,
    /// DPs per batch: [`BATCH`], fewer where their vectors would pass [`BATCH_BYTES`].
    batch: usize,
    commitments: BTreeMap<u32, Vec<AnyElement<B>>>,
    unchecked: BTreeMap<u32, ShareVec<B>>,
    /// DPs whose share and commitments are both in, in arrival order.
    ready: Vec<u32>,
    verified: BTreeMap<u32, ShareVec<B>>,
}

impl<B: Backend> VssVectors<B> {
    /// Share vectors of `dim` elements.
    pub(crate) fn new(dim: usize) -> Self {
        VssVectors {
            dim,
            batch: (BATCH_BYTES / ((dim + 1) * 32)).clamp(1, BATCH),
            commitments: BTreeMap::new(),
            unchecked: BTreeMap::new(),
            ready: Vec::new(),
            verified: BTreeMap::new(),
        }
    }

    /// DP `dp`'s share or commitments came: ready once both did; a full batch is checked.
    fn arrived(&mut self, ctx: &CpCtx<'_, B>, dp: u32, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        if self.commitments.contains_key(&dp) && self.unchecked.contains_key(&dp) {
            self.ready.push(dp);
        }
        if self.ready.len() >= self.batch {
            self.check_ready(ctx, rng)
        } else {
            Vec::new()
        }
    }

    /// Check every ready DP: the batch at once, DP by DP if it fails.
    fn check_ready(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        let ready = std::mem::take(&mut self.ready);
        let x = u64::from(ctx.index);
        let items: Vec<(&[AnyElement<B>], &ShareVec<B>)> = ready
            .iter()
            .filter_map(|d| Some((self.commitments.get(d)?.as_slice(), self.unchecked.get(d)?)))
            .collect();
        let all = items.len() == ready.len() && vvss::verify_batch(ctx.group, x, &items, rng);
        let oks: Vec<bool> = if all {
            vec![true; items.len()]
        } else {
            items.iter().map(|(c, s)| vvss::verify(ctx.group, c, x, s)).collect()
        };
        drop(items);
        let mut out = Vec::with_capacity(ready.len());
        for (d, ok) in ready.into_iter().zip(oks) {
            self.commitments.remove(&d);
            let share = self.unchecked.remove(&d);
            match share {
                Some(s) if ok => {
                    self.verified.insert(d, s);
                    out.push((d, Verdict::Accepted));
                }
                _ => out.push((d, Verdict::Rejected(Rejection::Mismatch))),
            }
        }
        out
    }
}

impl<B: Backend> Acceptor<B> for VssVectors<B> {
    fn share(&mut self, _ctx: &CpCtx<'_, B>, share: Received<B>, _rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        // A scalar share in a vector session.
        vec![(share.dp, Verdict::Rejected(Rejection::Malformed))]
    }
    fn vector(&mut self, ctx: &CpCtx<'_, B>, dp: u32, share: ShareVec<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        if share.dim() != self.dim {
            return vec![(dp, Verdict::Rejected(Rejection::Malformed))];
        }
        self.unchecked.insert(dp, share);
        self.arrived(ctx, dp, rng)
    }
    fn commitments(
        &mut self,
        ctx: &CpCtx<'_, B>,
        dp: u32,
        elements: Vec<AnyElement<B>>,
        rng: &mut DsmpcRng,
    ) -> Vec<(u32, Verdict)> {
        self.commitments.insert(dp, elements);
        self.arrived(ctx, dp, rng)
    }
    fn pending(&self) -> usize {
        self.ready.len()
    }
    fn finish(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        let mut out = self.check_ready(ctx, rng);
        self.commitments.clear();
        out.extend(
            std::mem::take(&mut self.unchecked)
                .into_keys()
                .map(|d| (d, Verdict::Rejected(Rejection::NoCommitments))),
        );
        out.sort_by_key(|(d, _)| *d);
        out
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, excluded: &[u32]) -> Vec<u8> {
        let mut sum = ShareVec::zero(ctx.group, self.dim);
        for (d, v) in &self.verified {
            if excluded.binary_search(d).is_err() {
                // Same length by construction (checked when the share came).
                let _ = sum.add_assign(ctx.group, v);
            }
        }
        self.verified.clear();
        sum.encode(ctx.group).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_bounded_in_bytes_as_well_as_in_count() {
        assert_eq!(VssVectors::<dsmpc_core::backend::Num>::new(10).batch, BATCH);
        // 2^17 elements: 4 MiB a vector, 16 of them in 64 MiB.
        assert_eq!(VssVectors::<dsmpc_core::backend::Num>::new((1 << 17) - 1).batch, 16);
        assert_eq!(VssVectors::<dsmpc_core::backend::Num>::new(1 << 22).batch, 1);
    }
}
