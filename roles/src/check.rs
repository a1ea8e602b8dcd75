//! The verification modes as one trait: how a DP deals, how a CP accepts shares and what it
//! uploads, how the Edge accepts results and how far the reconstruction is checked.
//!
//! [`Verification`] is implemented once per mode: [`paper::Paper`] (Eq. (4) literally),
//! [`fast::Fast`] (the same check with fixed-base tables), [`batch::Batch`] (a random linear
//! combination over many packets) and [`vss::Vss`] (Pedersen commitments, beyond the paper).
//! The parties hold an `Arc<dyn Verification<B>>` and never branch on the mode; each CP holds
//! its own [`Acceptor`], the mode's per-CP state (a pending batch, held share pairs). What
//! follows from the mode alone (the DP's attachment scheme, whether DPs commit, the scalars per
//! share) is the trait's default, so a mode states only what is its own and a wrapper (the
//! adversary's) only what it changes.
//!
//! [`Check`] is what the Edge can say about the results it reconstructed from, which each mode
//! concludes.
//!
//! Secrets: [`Dealt`] and the acceptors wipe the share scalars they hold when dropped.

pub mod batch;
pub mod fast;
pub mod paper;
pub mod vss;
mod vss_vector;

use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyElement, AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::{self, Attachment, CpKeyPair, PvssFailure, VerifyMode};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{Interpolation, Polynomial, Share};
use dsmpc_core::vvss::{self, ShareVec, VDealing};

use crate::error::{Result, RolesError};
use crate::wire::Rejection;

/// A DP's polynomial(s) for one dealing; wiped on drop.
pub struct Dealing<B: Backend> {
    /// `f`, with `f(0)` the value.
    pub f: Polynomial<B>,
    /// `vss`: the blinding polynomial.
    pub b: Option<Polynomial<B>>,
    /// `vss`: the coefficient commitments `C_j = g^(a_j) h^(b_j)`.
    pub commitments: Option<Vec<AnyElement<B>>>,
}

impl<B: Backend> Dealing<B> {
    /// The scalars CP `x` gets: `f(x)`, and `b(x)` in `vss`.
    pub fn scalars(&self, group: &AnyGroup<B>, x: u64) -> Dealt<B> {
        let zq = group.zq();
        // Allocated once at its final size: growing would free a copy of the first share.
        let mut s = Vec::with_capacity(2);
        s.push(self.f.eval(zq, x));
        if let Some(b) = &self.b {
            s.push(b.eval(zq, x));
        }
        Dealt(s)
    }
}

/// Share scalars on their way into a ciphertext; wiped on drop.
pub struct Dealt<B: Backend>(pub Vec<B::Int>);

impl<B: Backend> Drop for Dealt<B> {
    fn drop(&mut self) {
        for x in &mut self.0 {
            B::wipe(x);
        }
    }
}

/// The CP a DP is dealing a share to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareTo {
    /// Its index (the evaluation point).
    pub index: u16,
    /// Its VID.
    pub vid: u32,
    /// Its position in the roster, and the roster's length.
    pub pos: (usize, usize),
}

/// A share a DP attaches a PVSS proof to: scalar `y` for CP `to`, whose PVSS key is `pk`.
#[derive(Clone, Copy)]
pub struct Attaching<'a, B: Backend> {
    /// The group.
    pub group: &'a AnyGroup<B>,
    /// The CP the share is for.
    pub to: &'a ShareTo,
    /// The CP's PVSS public key.
    pub pk: &'a AnyElement<B>,
    /// The share.
    pub y: &'a B::Int,
}

/// What a CP decided about one DP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The DP's share is verified and counted.
    Accepted,
    /// A PVSS check failed (the paper's modes: the run aborts).
    Pvss(PvssFailure),
    /// `vss`: rejected for this reason (the DP is excluded, the run goes on).
    Rejected(Rejection),
}

/// One DP's share as a CP received it.
pub struct Received<B: Backend> {
    /// The DP.
    pub dp: u32,
    /// The decrypted share scalars.
    pub scalars: Dealt<B>,
    /// The PVSS attachment, if the packet carried one.
    pub att: Option<Attachment<B>>,
}

/// What a CP knows that checks need.
pub struct CpCtx<'a, B: Backend> {
    /// The group.
    pub group: &'a AnyGroup<B>,
    /// The CP's PVSS key pair.
    pub pvss: &'a CpKeyPair<B>,
    /// The CP's index.
    pub index: u16,
}

/// How far the Edge could check the results it reconstructed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// `vss`: every result used was checked against the commitments.
    Verified,
    /// Paper modes: this many results (more than t) all lie on one polynomial.
    CrossChecked(usize),
    /// Paper modes: exactly t results, so a wrong one could not be noticed.
    Unchecked,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Check::Verified => f.write_str("every result used verified against the DPs' commitments"),
            Check::CrossChecked(n) => write!(f, "{n} results cross-checked: all on one polynomial"),
            Check::Unchecked => f.write_str("NOT cross-checked: only t results, a wrong one would go unnoticed"),
        }
    }
}

/// One verification mode.
pub trait Verification<B: Backend>: Send + Sync {
    /// Which mode.
    fn mode(&self) -> VerifyMode;
    /// Scalars in a share plaintext: 1 (`y`), or 2 in `vss` (`y`, and the blinding share).
    fn share_scalars(&self) -> usize {
        if self.commits() { 2 } else { 1 }
    }
    /// Whether DPs commit (signed, relayed by the Edge) and the CPs and the Edge run the
    /// agreement round: `vss` only.
    fn commits(&self) -> bool {
        self.mode() == VerifyMode::Vss
    }
    /// DP: the polynomial(s) for `secret` with threshold t.
    fn deal(&self, group: &AnyGroup<B>, secret: &B::Int, t: usize, rng: &mut DsmpcRng) -> Result<Dealing<B>> {
        Ok(Dealing {
            f: Polynomial::random(group.zq(), secret, t, rng)?,
            b: None,
            commitments: None,
        })
    }
    /// DP: the scalars for CP `to`.
    fn scalars(&self, group: &AnyGroup<B>, dealing: &Dealing<B>, to: &ShareTo) -> Dealt<B> {
        dealing.scalars(group, u64::from(to.index))
    }
    /// DP: the PVSS attachment for `share` (`None`: no attachment, as in `vss`). The mode fixes
    /// the scheme: the paper-literal one in `paper`, the table one in `fast` and `batch`.
    fn attach(&self, share: &Attaching<'_, B>, rng: &mut DsmpcRng) -> Option<Attachment<B>> {
        let Attaching { group, pk, y, .. } = *share;
        match self.mode() {
            VerifyMode::Paper => Some(pvss::attach_paper(group, pk, y, rng)),
            VerifyMode::Fast | VerifyMode::Batch => Some(pvss::attach_fast(group, pk, y, rng)),
            VerifyMode::Vss => None,
        }
    }
    /// CP: a fresh per-CP acceptor.
    fn acceptor(&self) -> Box<dyn Acceptor<B>>;
    /// CP in a vector session of `dim` elements: the acceptor of the share vectors themselves,
    /// if the mode checks them (`vss`); otherwise the CP sums the vectors and hands its
    /// [`acceptor`](Verification::acceptor) one random linear combination per DP.
    fn vector_acceptor(&self, _dim: usize) -> Option<Box<dyn Acceptor<B>>> {
        None
    }
    /// DP, `vss` on vectors: deal `input` to the CPs `to` (index, VID) with threshold t
    /// ([`vvss::deal`]).
    fn deal_vector(
        &self,
        group: &AnyGroup<B>,
        input: &[F64],
        to: &[ShareTo],
        t: usize,
        context: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<VDealing<B>> {
        let points: Vec<u64> = to.iter().map(|c| u64::from(c.index)).collect();
        Ok(vvss::deal(group, input, &points, t, context, rng)?)
    }
    /// Edge: check one decrypted result `scalars` of CP `x` (`combined`: the agreed DPs'
    /// combined commitments in `vss`); the reason it is refused.
    fn check_result(
        &self,
        _group: &AnyGroup<B>,
        _combined: Option<&[AnyElement<B>]>,
        _x: u16,
        _scalars: &[B::Int],
    ) -> std::result::Result<(), String> {
        Ok(())
    }
    /// Edge: how far the results (each already checked) can be trusted; in the paper's modes
    /// the results beyond the first t must lie on `curve`, the polynomial through the first t.
    fn conclude(&self, group: &AnyGroup<B>, curve: &Interpolation<B>, results: &[Share<B>], t: usize) -> Result<Check> {
        if !curve.off(group.zq(), results.get(t..).unwrap_or_default()).is_empty() {
            return Err(RolesError::ResultsInconsistent {
                results: results.len(),
                t,
            });
        }
        Ok(if results.len() > t {
            Check::CrossChecked(results.len())
        } else {
            Check::Unchecked
        })
    }
}

/// A CP's per-session state for one mode: takes decrypted shares (and commitments), decides
/// about DPs, and makes the plaintext of the upload.
pub trait Acceptor<B: Backend>: Send {
    /// A DP's decrypted share scalars and attachment; the verdicts now decided (in batch mode
    /// possibly about earlier DPs too).
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)>;
    /// `vss`: DP `dp`'s commitments (signature already checked).
    fn commitments(
        &mut self,
        _ctx: &CpCtx<'_, B>,
        _dp: u32,
        _elements: Vec<AnyElement<B>>,
        _rng: &mut DsmpcRng,
    ) -> Vec<(u32, Verdict)> {
        Vec::new()
    }
    /// `vss` on vectors: DP `dp`'s share vector (decrypted, seed expanded); by default refused
    /// as malformed (a mode that takes vectors otherwise sums them outside its acceptor).
    fn vector(
        &mut self,
        _ctx: &CpCtx<'_, B>,
        dp: u32,
        _share: ShareVec<B>,
        _rng: &mut DsmpcRng,
    ) -> Vec<(u32, Verdict)> {
        vec![(dp, Verdict::Rejected(Rejection::Malformed))]
    }
    /// DPs whose share (and commitments) are in but whose verdict waits for a batch; the CP
    /// counts them as decided when it asks whether every DP is, and then [`Acceptor::finish`]
    /// decides them.
    fn pending(&self) -> usize {
        0
    }
    /// No more shares will come: decide everything still pending.
    fn finish(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)>;
    /// The plaintext of the upload: the sum of the accepted DPs' shares except `excluded`
    /// (and the blinding sum in `vss`), as fixed-width scalars.
    fn upload(&mut self, ctx: &CpCtx<'_, B>, excluded: &[u32]) -> Vec<u8>;
}

/// The honest implementation of `mode`.
pub fn for_mode<B: Backend>(mode: VerifyMode) -> Arc<dyn Verification<B>> {
    match mode {
        VerifyMode::Paper => Arc::new(paper::Paper),
        VerifyMode::Fast => Arc::new(fast::Fast),
        VerifyMode::Batch => Arc::new(batch::Batch),
        VerifyMode::Vss => Arc::new(vss::Vss),
    }
}

/// A running sum of verified shares, shared by the paper's modes; wiped on drop.
pub(crate) struct Sum<B: Backend> {
    sum: Option<B::Int>,
}

impl<B: Backend> Default for Sum<B> {
    fn default() -> Self {
        Sum { sum: None }
    }
}

impl<B: Backend> Sum<B> {
    pub(crate) fn add(&mut self, group: &AnyGroup<B>, y: &B::Int) {
        let zq = group.zq();
        self.sum = Some(match self.sum.take() {
            Some(mut s) => {
                let next = zq.add(&s, y);
                B::wipe(&mut s);
                next
            }
            None => y.clone(),
        });
    }
    pub(crate) fn bytes(&self, group: &AnyGroup<B>) -> Vec<u8> {
        let zero = B::from_u64(0);
        group.zq().to_bytes(self.sum.as_ref().unwrap_or(&zero))
    }
}

impl<B: Backend> Drop for Sum<B> {
    fn drop(&mut self) {
        if let Some(s) = &mut self.sum {
            B::wipe(s);
        }
    }
}
