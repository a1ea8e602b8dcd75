//! Corrupt parties, each wrapping an honest one: a DP whose dealing cheats
//! ([`corrupt_dealing`]: a share off its polynomial, or an inconsistent dealing), a CP whose
//! sum-share is off ([`corrupt_check`]), and a CP or DP whose own messages are tampered with or
//! withheld ([`corrupt_party`]: a corrupted signature, silence after selection, a dealing that
//! reaches only some CPs).

use std::sync::{Arc, Mutex};

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyElement, AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::Attachment;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{Interpolation, Polynomial, Share};
use dsmpc_core::vvss::{self, ShareVec, VDealing, VssShare};

use super::Fault;
use crate::check::{Acceptor, Attaching, Check, CpCtx, Dealing, Dealt, Received, ShareTo, Verdict, Verification};
use crate::error::Result as RolesResult;
use crate::net::memory::BoxedParty;
use crate::parties::{Outbox, Party, PartyId, Probe, Time};
use crate::wire::Message;

// ---------------------------------------------------------------------------------------------
// Corrupt DPs: a dealing that cheats.

/// The dealing DP `d` uses under `faults`: `honest`, or one that sends `y + 1` to the CPs named
/// by `bad-share` (with the attachment of the true share) and shares of a second polynomial with
/// the same constant term to the upper half of the roster (`inconsistent-dealing`).
pub fn corrupt_dealing<B: Backend>(
    faults: &[Fault],
    d: u32,
    honest: Arc<dyn Verification<B>>,
) -> Arc<dyn Verification<B>> {
    let bad_for: Vec<u32> = faults
        .iter()
        .filter_map(|f| match *f {
            Fault::BadShare { dp, cp } if dp == d => Some(cp),
            _ => None,
        })
        .collect();
    let inconsistent = faults.contains(&Fault::InconsistentDealing { dp: d });
    if bad_for.is_empty() && !inconsistent {
        return honest;
    }
    Arc::new(CheatingDealer {
        inner: honest,
        bad_for,
        inconsistent,
        delta: Mutex::new(None),
    })
}

struct CheatingDealer<B: Backend> {
    inner: Arc<dyn Verification<B>>,
    bad_for: Vec<u32>,
    inconsistent: bool,
    delta: Mutex<Option<Polynomial<B>>>,
}

impl<B: Backend> Verification<B> for CheatingDealer<B> {
    fn mode(&self) -> dsmpc_core::pvss::VerifyMode {
        self.inner.mode()
    }
    fn deal(&self, group: &AnyGroup<B>, secret: &B::Int, t: usize, rng: &mut DsmpcRng) -> RolesResult<Dealing<B>> {
        let dealing = self.inner.deal(group, secret, t, rng)?;
        if self.inconsistent {
            let delta = Polynomial::random(group.zq(), &B::from_u64(0), t, rng)?;
            *self.delta.lock().unwrap_or_else(|e| e.into_inner()) = Some(delta);
        }
        Ok(dealing)
    }
    fn scalars(&self, group: &AnyGroup<B>, dealing: &Dealing<B>, to: &ShareTo) -> Dealt<B> {
        let zq = group.zq();
        let mut s = self.inner.scalars(group, dealing, to);
        let (pos, of) = to.pos;
        if pos >= of / 2
            && let Some(delta) = &*self.delta.lock().unwrap_or_else(|e| e.into_inner())
        {
            s.0[0] = zq.add(&s.0[0], &delta.eval(zq, u64::from(to.index)));
        }
        if self.bad_for.contains(&to.vid) {
            s.0[0] = zq.add(&s.0[0], &B::from_u64(1));
        }
        s
    }
    fn attach(&self, share: &Attaching<'_, B>, rng: &mut DsmpcRng) -> Option<Attachment<B>> {
        // A cheater attaches what the honest share would carry; the second polynomial of an
        // inconsistent dealing looks honest share by share.
        if !self.bad_for.contains(&share.to.vid) {
            return self.inner.attach(share, rng);
        }
        let shown = share.group.zq().sub(share.y, &B::from_u64(1));
        self.inner.attach(&Attaching { y: &shown, ..*share }, rng)
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        self.inner.acceptor()
    }
    fn vector_acceptor(&self, dim: usize) -> Option<Box<dyn Acceptor<B>>> {
        self.inner.vector_acceptor(dim)
    }
    fn deal_vector(
        &self,
        group: &AnyGroup<B>,
        input: &[F64],
        to: &[ShareTo],
        t: usize,
        context: &[u8],
        rng: &mut DsmpcRng,
    ) -> RolesResult<VDealing<B>> {
        let mut dealing = self.inner.deal_vector(group, input, to, t, context, rng)?;
        for (share, cp) in dealing.shares.iter_mut().zip(to) {
            // One coordinate off: by one for `bad-share`, by the CP's index in the second half
            // of an inconsistent dealing (so those shares lie on another polynomial).
            let (pos, of) = cp.pos;
            let off = if self.bad_for.contains(&cp.vid) {
                1
            } else if self.inconsistent && pos >= of / 2 {
                u64::from(cp.index)
            } else {
                continue;
            };
            *share = shifted(group, share, context, u64::from(cp.index), input.len(), off)?;
        }
        Ok(dealing)
    }
    fn check_result(&self, g: &AnyGroup<B>, c: Option<&[AnyElement<B>]>, x: u16, s: &[B::Int]) -> Result<(), String> {
        self.inner.check_result(g, c, x, s)
    }
    fn conclude(
        &self,
        group: &AnyGroup<B>,
        curve: &Interpolation<B>,
        results: &[Share<B>],
        t: usize,
    ) -> RolesResult<Check> {
        self.inner.conclude(group, curve, results, t)
    }
}

/// `share` (a seed is expanded) with `off` added to its first coordinate, as an explicit share.
fn shifted<B: Backend>(
    group: &AnyGroup<B>,
    share: &VssShare,
    context: &[u8],
    point: u64,
    dim: usize,
    off: u64,
) -> RolesResult<VssShare> {
    let bad = |why: String| crate::error::RolesError::Config(format!("a cheating dealer's share: {why}"));
    let mut v = match share {
        VssShare::Seed(seed) => ShareVec::expand(group, seed, context, point, dim),
        VssShare::Explicit(bytes) => ShareVec::decode(group, bytes, dim).map_err(bad)?,
    };
    let len = vvss::scalar_len(group);
    let mut delta = vec![0u8; vvss::share_len(group, dim)];
    // The encoding of `off` in the first slot: little-endian on ristretto255, big-endian on a
    // Schnorr group.
    let at = if group.schnorr().is_some() { len - 8 } else { 0 };
    let word = if group.schnorr().is_some() {
        off.to_be_bytes()
    } else {
        off.to_le_bytes()
    };
    delta[at..at + 8].copy_from_slice(&word);
    let delta = ShareVec::decode(group, &delta, dim).map_err(bad)?;
    v.add_assign(group, &delta).map_err(|e| bad(e.to_string()))?;
    Ok(VssShare::Explicit(v.encode(group)))
}

// ---------------------------------------------------------------------------------------------
// Corrupt CPs: a sum-share that is off.

/// The checks the CP with VID `vid` uses under `faults`: `honest`, or (`bad-result`) the same
/// checks with an upload of `sum + 1`.
pub fn corrupt_check<B: Backend>(
    faults: &[Fault],
    vid: u32,
    honest: Arc<dyn Verification<B>>,
) -> Arc<dyn Verification<B>> {
    if faults.contains(&Fault::BadResult { cp: vid }) {
        Arc::new(OffByOne { inner: honest })
    } else {
        honest
    }
}

struct OffByOne<B: Backend> {
    inner: Arc<dyn Verification<B>>,
}

struct OffByOneAcceptor<B: Backend> {
    inner: Box<dyn Acceptor<B>>,
    /// Whether the upload is a sum vector (`vss` on vectors).
    vector: bool,
}

impl<B: Backend> Verification<B> for OffByOne<B> {
    fn mode(&self) -> dsmpc_core::pvss::VerifyMode {
        self.inner.mode()
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        Box::new(OffByOneAcceptor {
            inner: self.inner.acceptor(),
            vector: false,
        })
    }
    fn vector_acceptor(&self, dim: usize) -> Option<Box<dyn Acceptor<B>>> {
        let inner = self.inner.vector_acceptor(dim)?;
        Some(Box::new(OffByOneAcceptor { inner, vector: true }))
    }
}

impl<B: Backend> Acceptor<B> for OffByOneAcceptor<B> {
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.inner.share(ctx, share, rng)
    }
    fn commitments(
        &mut self,
        ctx: &CpCtx<'_, B>,
        dp: u32,
        elements: Vec<AnyElement<B>>,
        rng: &mut DsmpcRng,
    ) -> Vec<(u32, Verdict)> {
        self.inner.commitments(ctx, dp, elements, rng)
    }
    fn vector(&mut self, ctx: &CpCtx<'_, B>, dp: u32, share: ShareVec<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.inner.vector(ctx, dp, share, rng)
    }
    fn pending(&self) -> usize {
        self.inner.pending()
    }
    fn finish(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.inner.finish(ctx, rng)
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, excluded: &[u32]) -> Vec<u8> {
        let mut plain = self.inner.upload(ctx, excluded);
        let zq = ctx.group.zq();
        let sl = zq.element_len();
        if self.vector && !plain.is_empty() {
            // A sum vector (`vss` on vectors): the first element's lowest bit flipped, in its
            // encoding (little-endian on ristretto255, big-endian on a Schnorr group).
            let at = if ctx.group.schnorr().is_some() { sl - 1 } else { 0 };
            plain[at] ^= 1;
            return plain;
        }
        if let Some(first) = plain.get(..sl)
            && let Ok(y) = zq.from_bytes(first, "sum-share")
        {
            let off = zq.to_bytes(&zq.add(&y, &B::from_u64(1)));
            plain[..sl].copy_from_slice(&off);
        }
        plain
    }
}

// ---------------------------------------------------------------------------------------------
// Corrupt parties at their own end: what they send, or whether they go on at all.

/// `party` as the faults make it behave: a CP whose auth request carries a corrupted signature
/// (`bad-signature`) or that goes silent once selected (`drop-cp`); a DP whose share packets
/// reach only the CPs with index up to R (`drop-dp`), or whose share vectors are one element
/// too long (`vector-length`) or cut short (`truncated-aead`). Others are returned unchanged.
pub fn corrupt_party<'a>(faults: &[Fault], party: BoxedParty<'a>) -> BoxedParty<'a> {
    let how = match party.id() {
        PartyId::Cp(vid) => How::Cp {
            bad_signature: faults.contains(&Fault::BadSignature { cp: vid }),
            silent: faults.contains(&Fault::DropCp { cp: vid }),
            selected: false,
        },
        PartyId::Dp(d) => match faults.iter().find_map(|f| match *f {
            Fault::DropDp { dp, reach } if dp == d => Some(How::Dp { reach }),
            Fault::VectorLength { dp } if dp == d => Some(How::VectorDp { truncate: false }),
            Fault::TruncatedAead { dp } if dp == d => Some(How::VectorDp { truncate: true }),
            _ => None,
        }) {
            Some(how) => how,
            None => return party,
        },
        _ => return party,
    };
    if matches!(
        how,
        How::Cp {
            bad_signature: false,
            silent: false,
            ..
        }
    ) {
        return party;
    }
    Box::new(Tampered {
        inner: party,
        out: Outbox::default(),
        how,
    })
}

enum How {
    Cp {
        bad_signature: bool,
        silent: bool,
        selected: bool,
    },
    Dp {
        reach: u16,
    },
    /// A DP whose explicit share vectors are cut (5 bytes off the AEAD) or one element longer.
    VectorDp {
        truncate: bool,
    },
}

/// An explicit vector share ([`crate::vector`]: length, key ciphertext, AEAD body) changed as
/// `truncate` says; a seed (no body) is left alone.
fn tamper_vector(eshare: &mut Vec<u8>, truncate: bool) {
    let kem = eshare
        .first_chunk::<4>()
        .map_or(usize::MAX, |l| u32::from_be_bytes(*l) as usize);
    if eshare.len() <= kem.saturating_add(4) {
        return;
    }
    if truncate {
        eshare.truncate(eshare.len() - 5);
    } else {
        eshare.extend_from_slice(&[0; 8]);
    }
}

struct Tampered<'a> {
    inner: BoxedParty<'a>,
    out: Outbox,
    how: How,
}

impl Tampered<'_> {
    fn silenced(&self) -> bool {
        matches!(
            self.how,
            How::Cp {
                silent: true,
                selected: true,
                ..
            }
        )
    }

    /// Take what the honest party produced, tampered with.
    fn pump(&mut self) {
        while let Some(t) = self.inner.poll_transmit() {
            let msg = Message::decode(&t.bytes);
            match (&self.how, msg) {
                (
                    How::Cp {
                        bad_signature: true, ..
                    },
                    Ok(Message::AuthRequest(mut m)),
                ) => {
                    if let Some(b) = m.sig.first_mut() {
                        *b ^= 0x01;
                    }
                    self.out.send(t.to, Message::AuthRequest(m).encode());
                }
                (How::Dp { reach }, Ok(Message::SharePacket(m))) if m.index > *reach => {}
                (How::VectorDp { truncate }, Ok(Message::SharePacket(mut m))) => {
                    tamper_vector(&mut m.eshare, *truncate);
                    self.out.send(t.to, Message::SharePacket(m).encode());
                }
                _ => self.out.send(t.to, t.bytes),
            }
        }
        while let Some(e) = self.inner.poll_event() {
            self.out.event(e);
        }
    }
}

impl Party for Tampered<'_> {
    fn id(&self) -> PartyId {
        self.inner.id()
    }
    fn start(&mut self, now: Time, probe: &mut dyn Probe) {
        self.inner.start(now, probe);
        self.pump();
    }
    fn handle_input(&mut self, now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe) {
        if self.silenced() {
            return;
        }
        self.inner.handle_input(now, from, bytes, probe);
        if let How::Cp {
            silent: true, selected, ..
        } = &mut self.how
            && matches!(Message::decode(bytes), Ok(Message::IndexAssign(_)))
        {
            *selected = true;
        }
        self.pump();
    }
    fn handle_timeout(&mut self, now: Time, probe: &mut dyn Probe) {
        if !self.silenced() {
            self.inner.handle_timeout(now, probe);
            self.pump();
        }
    }
    fn poll_timeout(&self) -> Option<Time> {
        if self.silenced() {
            None
        } else {
            self.inner.poll_timeout()
        }
    }
    fn outbox(&mut self) -> &mut Outbox {
        &mut self.out
    }
}
