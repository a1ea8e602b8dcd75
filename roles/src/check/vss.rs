//! `vss` (beyond the paper): each DP deals `f` and a blinding polynomial `b` with Pedersen
//! coefficient commitments ([`dsmpc_core::vss`]); CP i gets `(f(i), b(i))` without attachment and
//! checks it against the DP's commitments (signed by the DP, relayed by the Edge). After the
//! agreement round a CP uploads `(sum, blinding sum)` over the agreed DPs, which the Edge checks
//! against the product of their commitments: every result used is verified.

use std::collections::BTreeMap;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyElement, AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{Interpolation, Share};
use dsmpc_core::vss;

use super::{Acceptor, Check, CpCtx, Dealing, Dealt, Received, Verdict, Verification};
use crate::error::Result;
use crate::wire::Rejection;

/// Pedersen VSS with agreement and verified aggregation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Vss;

impl<B: Backend> Verification<B> for Vss {
    fn mode(&self) -> VerifyMode {
        VerifyMode::Vss
    }
    fn deal(&self, group: &AnyGroup<B>, secret: &B::Int, t: usize, rng: &mut DsmpcRng) -> Result<Dealing<B>> {
        let d = vss::deal(group, secret, t, rng)?;
        Ok(Dealing {
            f: d.f,
            b: Some(d.b),
            commitments: Some(d.commitments),
        })
    }
    fn vector_acceptor(&self, dim: usize) -> Option<Box<dyn Acceptor<B>>> {
        Some(Box::new(super::vss_vector::VssVectors::<B>::new(dim)))
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        Box::new(Held::<B> {
            commitments: BTreeMap::new(),
            unchecked: BTreeMap::new(),
            verified: BTreeMap::new(),
        })
    }
    fn check_result(
        &self,
        group: &AnyGroup<B>,
        combined: Option<&[AnyElement<B>]>,
        x: u16,
        scalars: &[B::Int],
    ) -> std::result::Result<(), String> {
        let (Some(c), [y, z]) = (combined, scalars) else {
            return Err("no combined commitments to check against".into());
        };
        if vss::verify_share(group, c, u64::from(x), y, z) {
            Ok(())
        } else {
            Err("(sum, blinding sum) does not match the agreed DPs' combined commitments".into())
        }
    }
    fn conclude(
        &self,
        _group: &AnyGroup<B>,
        _curve: &Interpolation<B>,
        _results: &[Share<B>],
        _t: usize,
    ) -> Result<Check> {
        Ok(Check::Verified)
    }
}

/// A CP's share pairs and commitments, each held until the other arrives, then the verified
/// pairs until the agreed set is known.
struct Held<B: Backend> {
    commitments: BTreeMap<u32, Vec<AnyElement<B>>>,
    unchecked: BTreeMap<u32, Dealt<B>>,
    verified: BTreeMap<u32, Dealt<B>>,
}

impl<B: Backend> Held<B> {
    fn check(&mut self, ctx: &CpCtx<'_, B>, dp: u32) -> Vec<(u32, Verdict)> {
        let (Some(c), Some(pair)) = (self.commitments.get(&dp), self.unchecked.get(&dp)) else {
            return Vec::new();
        };
        let ok = matches!(&pair.0[..], [y, z] if vss::verify_share(ctx.group, c, u64::from(ctx.index), y, z));
        self.commitments.remove(&dp);
        let pair = self.unchecked.remove(&dp);
        if ok {
            if let Some(p) = pair {
                self.verified.insert(dp, p);
            }
            vec![(dp, Verdict::Accepted)]
        } else {
            vec![(dp, Verdict::Rejected(Rejection::Mismatch))]
        }
    }
}

impl<B: Backend> Acceptor<B> for Held<B> {
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, _rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        let Received { dp, scalars, att } = share;
        if att.is_some() || scalars.0.len() != 2 {
            return vec![(dp, Verdict::Rejected(Rejection::Malformed))];
        }
        self.unchecked.insert(dp, scalars);
        self.check(ctx, dp)
    }
    fn commitments(
        &mut self,
        ctx: &CpCtx<'_, B>,
        dp: u32,
        elements: Vec<AnyElement<B>>,
        _rng: &mut DsmpcRng,
    ) -> Vec<(u32, Verdict)> {
        self.commitments.insert(dp, elements);
        self.check(ctx, dp)
    }
    fn finish(&mut self, _ctx: &CpCtx<'_, B>, _rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.commitments.clear();
        let mut out: Vec<(u32, Verdict)> = std::mem::take(&mut self.unchecked)
            .into_keys()
            .map(|d| (d, Verdict::Rejected(Rejection::NoCommitments)))
            .collect();
        out.sort_by_key(|(d, _)| *d);
        out
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, excluded: &[u32]) -> Vec<u8> {
        let zq = ctx.group.zq();
        let (mut sum, mut blind) = (B::from_u64(0), B::from_u64(0));
        for (d, pair) in &self.verified {
            if excluded.binary_search(d).is_err() {
                let (next_sum, next_blind) = (zq.add(&sum, &pair.0[0]), zq.add(&blind, &pair.0[1]));
                B::wipe(&mut sum);
                B::wipe(&mut blind);
                (sum, blind) = (next_sum, next_blind);
            }
        }
        self.verified.clear();
        let mut out = zq.to_bytes(&sum);
        out.extend_from_slice(&zq.to_bytes(&blind));
        B::wipe(&mut sum);
        B::wipe(&mut blind);
        out
    }
}
