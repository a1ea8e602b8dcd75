//! `batch`: shares are held until [`BATCH`] have arrived (or no more will come) and verified
//! together by a random linear combination, falling back to per-packet checks to name the
//! culprits. The sum only ever includes verified shares.

use dsmpc_core::backend::Backend;
use dsmpc_core::pvss::{self, Attachment, Packet, VerifyMode};
use dsmpc_core::rng::DsmpcRng;

use super::{Acceptor, CpCtx, Dealt, Received, Sum, Verdict, Verification};

/// Packets a CP verifies together.
pub const BATCH: usize = 128;

/// Batch verification.
#[derive(Clone, Copy, Debug, Default)]
pub struct Batch;

impl<B: Backend> Verification<B> for Batch {
    fn mode(&self) -> VerifyMode {
        VerifyMode::Batch
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        Box::new(Batched::<B> {
            pending: Vec::new(),
            sum: Sum::default(),
        })
    }
}

struct Batched<B: Backend> {
    pending: Vec<(u32, Dealt<B>, Attachment<B>)>,
    sum: Sum<B>,
}

impl<B: Backend> Batched<B> {
    fn flush(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let pending = std::mem::take(&mut self.pending);
        let packets: Vec<Packet<'_, B>> = pending.iter().map(|(_, y, att)| Packet { y: &y.0[0], att }).collect();
        let mut verdicts: Vec<(u32, Verdict)> = pending.iter().map(|(d, _, _)| (*d, Verdict::Accepted)).collect();
        if let Err(bad) = pvss::verify_batch(ctx.group, ctx.pvss, &packets, rng) {
            for (i, why) in bad {
                verdicts[i].1 = Verdict::Pvss(why);
            }
        }
        for ((_, v), (_, y, _)) in verdicts.iter().zip(&pending) {
            if *v == Verdict::Accepted {
                self.sum.add(ctx.group, &y.0[0]);
            }
        }
        verdicts
    }
}

impl<B: Backend> Acceptor<B> for Batched<B> {
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        let Received { dp, scalars, att } = share;
        let Some(att) = att.filter(|_| scalars.0.len() == 1) else {
            return vec![(dp, Verdict::Pvss(dsmpc_core::pvss::PvssFailure::MalformedE))];
        };
        self.pending.push((dp, scalars, att));
        if self.pending.len() >= BATCH {
            self.flush(ctx, rng)
        } else {
            Vec::new()
        }
    }
    fn finish(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.flush(ctx, rng)
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, _excluded: &[u32]) -> Vec<u8> {
        self.sum.bytes(ctx.group)
    }
}
