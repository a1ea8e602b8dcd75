//! `fast`: a per-packet check equivalent to Eq. (4) (`E == pk^y` and `C == g^y h^r`) with
//! fixed-base tables, and the table attachment on the DP side (same output for the same
//! randomness as the paper's).

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, Attachment, VerifyMode};
use dsmpc_core::rng::DsmpcRng;

use super::paper::PerPacket;
use super::{Acceptor, ShareTo, Sum, Verification};

/// The equivalent per-packet check with tables.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fast;

impl<B: Backend> Verification<B> for Fast {
    fn mode(&self) -> VerifyMode {
        VerifyMode::Fast
    }
    fn attach(
        &self,
        group: &SchnorrGroup<B>,
        _to: &ShareTo,
        pk: &B::Int,
        y: &B::Int,
        rng: &mut DsmpcRng,
    ) -> Option<Attachment<B>> {
        Some(pvss::attach_fast(group, pk, y, rng))
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        Box::new(PerPacket::<B> {
            verify: pvss::verify_fast::<B>,
            sum: Sum::default(),
        })
    }
}
