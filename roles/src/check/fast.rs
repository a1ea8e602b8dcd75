//! `fast`: a per-packet check equivalent to Eq. (4) (`E == pk^y` and `C == g^y h^r`) with
//! fixed-base tables, and the table attachment on the DP side (same output for the same
//! randomness as the paper's).

use dsmpc_core::backend::Backend;
use dsmpc_core::group::AnyGroup;
use dsmpc_core::pvss::{self, VerifyMode};

use super::paper::PerPacket;
use super::{Acceptor, Verification};

/// The equivalent per-packet check with tables.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fast;

impl<B: Backend> Verification<B> for Fast {
    fn mode(&self) -> VerifyMode {
        VerifyMode::Fast
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        PerPacket::boxed(pvss::verify_fast::<B, AnyGroup<B>>)
    }
}
