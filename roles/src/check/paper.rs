//! `paper`: the PVSS check of the paper's Eq. (4), literally (`D = E^(sk^-1)`, `D == g^y`,
//! `C == D h^r`), packet by packet (the DP side attaches the paper-literal way, the
//! [`super::Verification::attach`] default for this mode). Also home
//! of the per-packet acceptor that [`super::fast`] shares.

use dsmpc_core::backend::Backend;
use dsmpc_core::group::AnyGroup;
use dsmpc_core::pvss::{self, CpKeyPair, Packet, PvssFailure, VerifyMode};
use dsmpc_core::rng::DsmpcRng;

use super::{Acceptor, CpCtx, Received, Sum, Verdict, Verification};

/// Eq. (4), literally.
#[derive(Clone, Copy, Debug, Default)]
pub struct Paper;

impl<B: Backend> Verification<B> for Paper {
    fn mode(&self) -> VerifyMode {
        VerifyMode::Paper
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        PerPacket::boxed(pvss::verify_paper::<B, AnyGroup<B>>)
    }
}

type VerifyFn<B> = fn(&AnyGroup<B>, &CpKeyPair<B>, Packet<'_, B>) -> Result<(), PvssFailure>;

/// Checks each packet as it arrives and adds it to the sum once verified.
pub(crate) struct PerPacket<B: Backend> {
    verify: VerifyFn<B>,
    sum: Sum<B>,
}

impl<B: Backend> PerPacket<B> {
    /// An acceptor that checks each packet with `verify`.
    pub(crate) fn boxed(verify: VerifyFn<B>) -> Box<dyn Acceptor<B>> {
        Box::new(PerPacket {
            verify,
            sum: Sum::default(),
        })
    }
}

impl<B: Backend> Acceptor<B> for PerPacket<B> {
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, _rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        let Received { dp, scalars, att } = share;
        let (Some(y), Some(att)) = (scalars.0.first(), att) else {
            return vec![(dp, Verdict::Pvss(PvssFailure::MalformedE))];
        };
        match (self.verify)(ctx.group, ctx.pvss, Packet { y, att: &att }) {
            Ok(()) => {
                self.sum.add(ctx.group, y);
                vec![(dp, Verdict::Accepted)]
            }
            Err(f) => vec![(dp, Verdict::Pvss(f))],
        }
    }
    fn finish(&mut self, _ctx: &CpCtx<'_, B>, _rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        Vec::new()
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, _excluded: &[u32]) -> Vec<u8> {
        self.sum.bytes(ctx.group)
    }
}
