//! The adversary: corrupt parties and a network that tampers with messages in transit, for
//! tests and demonstrations (`dsmpc run --inject KIND`). Honest party code imports nothing
//! from here; the session builds the corrupt parties and the network adversary from here.
//!
//! - **Corrupt parties** wrap honest ones: a DP whose dealing is off ([`corrupt_dealing`]), a CP
//!   whose sum-share is off ([`corrupt_check`]), a CP or DP whose messages are tampered with or
//!   withheld at its own end ([`corrupt_party`]).
//! - **The network adversary** ([`Scripted`] from the faults, [`Chaos`] at random) sees every
//!   message in transit and may drop, delay or replay it, or send messages of its own from the
//!   identities it controls (an outsider host, or a DP it corrupted): garbage, and whole dealings
//!   in another DP's name. It cannot make the network lie about who sent what.
//!
//! A [`Fault`] makes one party misbehave, or the adversary tamper with the network, in one
//! well-defined way. CPs are named by VID (`cp=I` is the candidate with VID I; with every
//! candidate valid and m = k, VID I gets index i = I). The kinds:
//!
//! | syntax | what happens |
//! |---|---|
//! | `bad-share:dp=D,cp=I` | DP D sends CP I a share off its polynomial (`y + 1`), with the attachment or commitments of the true one |
//! | `inconsistent-dealing:dp=D` | DP D gives the upper half of the CPs shares of a second polynomial with the same constant term |
//! | `bad-result:cp=I` | CP I uploads `sum + 1` |
//! | `drop-cp:cp=I` | CP I goes silent after selection: processes nothing, reports nothing, uploads nothing |
//! | `drop-dp:dp=D,reach=R` | DP D's share packets reach only the CPs with index 1..=R |
//! | `replay:cp=I` | the network delivers every message to and from CP I twice (every kind: announcement, auth request, index, shares, commitments, report, agreed set, upload) |
//! | `bad-signature:cp=I` | CP I's auth request carries a corrupted signature |
//! | `impersonate:dp=D` | another DP (or an outsider when n = 1) sends a complete, well-formed dealing in DP D's name (a different value) to every CP and the Edge, ahead of D's own |
//! | `garbage:cp=I` | malformed and misattributed messages reach CP I ahead of its shares, under various claimed senders (DPs in and out of range, the Edge, the Cloud) from an outsider and from a DP |
//! | `garbage-upload:cp=I` | garbage result uploads naming CP I's index reach the Edge ahead of CP I's own, from an outsider and from another CP |
//!
//! What the parties notice is reported as [`crate::event::Detection`]s, in the session report,
//! the log and the CLI output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::Attachment;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{Polynomial, Share};
use rand_core::Rng;

use crate::check::{Acceptor, Attaching, Check, CpCtx, Dealing, Dealt, Received, ShareTo, Verdict, Verification};
use crate::error::Result as RolesResult;
use crate::net::memory::BoxedParty;
use crate::net::{Adversary, Route, Wire};
use crate::parties::{Outbox, Party, PartyId, Probe, Time};
use crate::wire::{Message, MessageKind, ResultUpload, SharePacket, TaskId};

/// One injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// DP `dp` sends the CP with VID `cp` a wrong share.
    BadShare {
        /// The DP.
        dp: u32,
        /// The CP's VID.
        cp: u32,
    },
    /// DP `dp` deals shares that do not lie on one polynomial.
    InconsistentDealing {
        /// The DP.
        dp: u32,
    },
    /// The CP with VID `cp` uploads a wrong sum-share.
    BadResult {
        /// The CP's VID.
        cp: u32,
    },
    /// The CP with VID `cp` drops out after selection.
    DropCp {
        /// The CP's VID.
        cp: u32,
    },
    /// DP `dp` reaches only the CPs with index `1..=reach`.
    DropDp {
        /// The DP.
        dp: u32,
        /// How many CPs it reaches.
        reach: u16,
    },
    /// Messages to and from the CP with VID `cp` are replayed.
    Replay {
        /// The CP's VID.
        cp: u32,
    },
    /// The CP with VID `cp` signs its auth request wrongly.
    BadSignature {
        /// The CP's VID.
        cp: u32,
    },
    /// Someone else deals in DP `dp`'s name.
    Impersonate {
        /// The DP impersonated.
        dp: u32,
    },
    /// Garbage reaches the CP with VID `cp`.
    Garbage {
        /// The CP's VID.
        cp: u32,
    },
    /// Garbage uploads in the name of the CP with VID `cp` reach the Edge.
    GarbageUpload {
        /// The CP's VID.
        cp: u32,
    },
}

/// The syntax of every kind, for help texts and errors.
pub const SYNTAX: &str = "bad-share:dp=D,cp=I, inconsistent-dealing:dp=D, bad-result:cp=I, drop-cp:cp=I, \
drop-dp:dp=D,reach=R, replay:cp=I, bad-signature:cp=I, impersonate:dp=D, garbage:cp=I, garbage-upload:cp=I";

impl Fault {
    /// The kind's name, as on the command line.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::BadShare { .. } => "bad-share",
            Fault::InconsistentDealing { .. } => "inconsistent-dealing",
            Fault::BadResult { .. } => "bad-result",
            Fault::DropCp { .. } => "drop-cp",
            Fault::DropDp { .. } => "drop-dp",
            Fault::Replay { .. } => "replay",
            Fault::BadSignature { .. } => "bad-signature",
            Fault::Impersonate { .. } => "impersonate",
            Fault::Garbage { .. } => "garbage",
            Fault::GarbageUpload { .. } => "garbage-upload",
        }
    }

    /// The DP it concerns, if any.
    pub fn dp(&self) -> Option<u32> {
        match *self {
            Fault::BadShare { dp, .. }
            | Fault::InconsistentDealing { dp }
            | Fault::DropDp { dp, .. }
            | Fault::Impersonate { dp } => Some(dp),
            _ => None,
        }
    }

    /// The CP (VID) it concerns, if any.
    pub fn cp(&self) -> Option<u32> {
        match *self {
            Fault::BadShare { cp, .. }
            | Fault::BadResult { cp }
            | Fault::DropCp { cp }
            | Fault::Replay { cp }
            | Fault::BadSignature { cp }
            | Fault::Garbage { cp }
            | Fault::GarbageUpload { cp } => Some(cp),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fault::BadShare { dp, cp } => write!(f, "bad-share:dp={dp},cp={cp}"),
            Fault::InconsistentDealing { dp } => write!(f, "inconsistent-dealing:dp={dp}"),
            Fault::BadResult { cp } => write!(f, "bad-result:cp={cp}"),
            Fault::DropCp { cp } => write!(f, "drop-cp:cp={cp}"),
            Fault::DropDp { dp, reach } => write!(f, "drop-dp:dp={dp},reach={reach}"),
            Fault::Replay { cp } => write!(f, "replay:cp={cp}"),
            Fault::BadSignature { cp } => write!(f, "bad-signature:cp={cp}"),
            Fault::Impersonate { dp } => write!(f, "impersonate:dp={dp}"),
            Fault::Garbage { cp } => write!(f, "garbage:cp={cp}"),
            Fault::GarbageUpload { cp } => write!(f, "garbage-upload:cp={cp}"),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (kind, args) = s.split_once(':').unwrap_or((s, ""));
        let mut dp = None;
        let mut cp = None;
        let mut reach = None;
        for part in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{s:?}: {part:?} is not key=value"))?;
            let slot = match key.trim() {
                "dp" => &mut dp,
                "cp" => &mut cp,
                "reach" => &mut reach,
                other => return Err(format!("{s:?}: unknown parameter {other:?} (expected dp, cp or reach)")),
            };
            if slot.is_some() {
                return Err(format!("{s:?}: {key} given twice"));
            }
            let v: u32 = value
                .trim()
                .parse()
                .map_err(|_| format!("{s:?}: {key}={value:?} is not a non-negative integer"))?;
            *slot = Some(v);
        }
        let need = |v: Option<u32>, key: &str| v.ok_or_else(|| format!("{s:?}: {kind} needs {key}=..."));
        let fault = match kind.trim() {
            "bad-share" => Fault::BadShare {
                dp: need(dp, "dp")?,
                cp: need(cp, "cp")?,
            },
            "inconsistent-dealing" => Fault::InconsistentDealing { dp: need(dp, "dp")? },
            "bad-result" => Fault::BadResult { cp: need(cp, "cp")? },
            "drop-cp" => Fault::DropCp { cp: need(cp, "cp")? },
            "drop-dp" => {
                let r = need(reach, "reach")?;
                Fault::DropDp {
                    dp: need(dp, "dp")?,
                    reach: u16::try_from(r).map_err(|_| format!("{s:?}: reach={r} is too large"))?,
                }
            }
            "replay" => Fault::Replay { cp: need(cp, "cp")? },
            "bad-signature" => Fault::BadSignature { cp: need(cp, "cp")? },
            "impersonate" => Fault::Impersonate { dp: need(dp, "dp")? },
            "garbage" => Fault::Garbage { cp: need(cp, "cp")? },
            "garbage-upload" => Fault::GarbageUpload { cp: need(cp, "cp")? },
            other => return Err(format!("unknown fault kind {other:?}: expected one of {SYNTAX}")),
        };
        // Parameters the kind does not take are a mistake, not something to ignore.
        let used = (
            fault.dp().is_some(),
            fault.cp().is_some(),
            matches!(fault, Fault::DropDp { .. }),
        );
        for (given, takes, key) in [(dp, used.0, "dp"), (cp, used.1, "cp"), (reach, used.2, "reach")] {
            if given.is_some() && !takes {
                return Err(format!("{s:?}: {} does not take {key}=", fault.kind()));
            }
        }
        if fault.dp() == Some(0) || fault.cp() == Some(0) {
            return Err(format!("{s:?}: DPs and CPs are numbered from 1"));
        }
        Ok(fault)
    }
}

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
    fn deal(&self, group: &SchnorrGroup<B>, secret: &B::Int, t: usize, rng: &mut DsmpcRng) -> RolesResult<Dealing<B>> {
        let dealing = self.inner.deal(group, secret, t, rng)?;
        if self.inconsistent {
            let delta = Polynomial::random(group.zq(), &B::from_u64(0), t, rng)?;
            *self.delta.lock().unwrap_or_else(|e| e.into_inner()) = Some(delta);
        }
        Ok(dealing)
    }
    fn scalars(&self, group: &SchnorrGroup<B>, dealing: &Dealing<B>, to: &ShareTo) -> Dealt<B> {
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
    fn check_result(&self, g: &SchnorrGroup<B>, c: Option<&[B::Int]>, x: u16, s: &[B::Int]) -> Result<(), String> {
        self.inner.check_result(g, c, x, s)
    }
    fn conclude(&self, group: &SchnorrGroup<B>, results: &[Share<B>], t: usize) -> RolesResult<Check> {
        self.inner.conclude(group, results, t)
    }
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
}

impl<B: Backend> Verification<B> for OffByOne<B> {
    fn mode(&self) -> dsmpc_core::pvss::VerifyMode {
        self.inner.mode()
    }
    fn acceptor(&self) -> Box<dyn Acceptor<B>> {
        Box::new(OffByOneAcceptor {
            inner: self.inner.acceptor(),
        })
    }
}

impl<B: Backend> Acceptor<B> for OffByOneAcceptor<B> {
    fn share(&mut self, ctx: &CpCtx<'_, B>, share: Received<B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.inner.share(ctx, share, rng)
    }
    fn commitments(&mut self, ctx: &CpCtx<'_, B>, dp: u32, elements: Vec<B::Int>) -> Vec<(u32, Verdict)> {
        self.inner.commitments(ctx, dp, elements)
    }
    fn finish(&mut self, ctx: &CpCtx<'_, B>, rng: &mut DsmpcRng) -> Vec<(u32, Verdict)> {
        self.inner.finish(ctx, rng)
    }
    fn upload(&mut self, ctx: &CpCtx<'_, B>, excluded: &[u32]) -> Vec<u8> {
        let mut plain = self.inner.upload(ctx, excluded);
        let zq = ctx.group.zq();
        let sl = zq.element_len();
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
/// reach only the CPs with index up to R (`drop-dp`). Others are returned unchanged.
pub fn corrupt_party<'a>(faults: &[Fault], party: BoxedParty<'a>) -> BoxedParty<'a> {
    let how = match party.id() {
        PartyId::Cp(vid) => How::Cp {
            bad_signature: faults.contains(&Fault::BadSignature { cp: vid }),
            silent: faults.contains(&Fault::DropCp { cp: vid }),
            selected: false,
        },
        PartyId::Dp(d) => match faults.iter().find_map(|f| match *f {
            Fault::DropDp { dp, reach } if dp == d => Some(reach),
            _ => None,
        }) {
            Some(reach) => How::Dp { reach },
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

// ---------------------------------------------------------------------------------------------
// The network adversary from the faults.

/// The identity a dealing in DP `dp`'s name comes from: another DP, or an outsider when there
/// is no other DP.
pub fn impostor_of(dp: u32, dps: u32) -> PartyId {
    if dps > 1 {
        PartyId::Dp(dp % dps + 1)
    } else {
        PartyId::Outsider(1)
    }
}

/// The network adversary the faults describe: replays, impersonated dealings and garbage.
pub struct Scripted<'a> {
    replay: BTreeSet<u32>,
    garbage: BTreeSet<u32>,
    garbage_upload: BTreeSet<u32>,
    /// Impersonated DP -> (identity it comes from, an honest DP dealing another value as it).
    impostors: BTreeMap<u32, (PartyId, BoxedParty<'a>)>,
    dps: u32,
    task: Option<TaskId>,
    index_of: BTreeMap<u32, u16>,
    rng: DsmpcRng,
}

impl<'a> Scripted<'a> {
    /// The adversary for `faults` in a task with `dps` DPs; `impostors` are the dealers that
    /// impersonate (DP number, dealer), built by the session from honest DP code.
    pub fn new(faults: &[Fault], dps: u32, impostors: Vec<(u32, BoxedParty<'a>)>, rng: DsmpcRng) -> Self {
        let pick = |f: fn(&Fault) -> Option<u32>| faults.iter().filter_map(f).collect::<BTreeSet<u32>>();
        Scripted {
            replay: pick(|f| match *f {
                Fault::Replay { cp } => Some(cp),
                _ => None,
            }),
            garbage: pick(|f| match *f {
                Fault::Garbage { cp } => Some(cp),
                _ => None,
            }),
            garbage_upload: pick(|f| match *f {
                Fault::GarbageUpload { cp } => Some(cp),
                _ => None,
            }),
            impostors: impostors
                .into_iter()
                .map(|(d, p)| (d, (impostor_of(d, dps), p)))
                .collect(),
            dps,
            task: None,
            index_of: BTreeMap::new(),
            rng,
        }
    }

    /// Garbage for the CP `to` in place of (and claiming the sender of) share packet `m`.
    fn garbage_for(&mut self, to: PartyId, bytes: &[u8], m: &SharePacket) -> Vec<Wire> {
        let out = PartyId::Outsider(1);
        let dp = impostor_of(m.dp, self.dps);
        let mut noise = vec![0u8; 64];
        self.rng.fill_bytes(&mut noise);
        let forged = |dp_claimed: u32| {
            let mut f = m.clone();
            f.dp = dp_claimed;
            Message::SharePacket(f).encode()
        };
        let commitments = Message::Commitments(crate::wire::Commitments {
            task: m.task,
            dp: 1,
            elements: vec![noise.clone()],
            sig: noise.clone(),
        })
        .encode();
        let agreed = Message::AgreedSet(crate::wire::AgreedSet {
            task: m.task,
            excluded: vec![1],
        })
        .encode();
        let index = Message::IndexAssign(crate::wire::IndexAssign {
            task: m.task,
            ct: Some(noise.clone()),
        })
        .encode();
        let truncated = bytes[..bytes.len() / 2].to_vec();
        [
            (out, noise.clone()),
            (out, bytes.to_vec()),
            (dp, bytes.to_vec()),
            (out, forged(self.dps + 7)),
            (dp, forged(self.dps + 7)),
            (dp, truncated),
            (out, commitments),
            (dp, agreed),
            (out, index),
        ]
        .into_iter()
        .map(|(from, b)| Wire {
            from,
            to,
            bytes: b.into(),
        })
        .collect()
    }

    /// Garbage uploads naming CP `vid`'s index, for the Edge.
    fn garbage_uploads(&mut self, vid: u32, task: TaskId) -> Vec<Wire> {
        let Some(&index) = self.index_of.get(&vid) else {
            return Vec::new();
        };
        let other = self.index_of.keys().copied().find(|v| *v != vid);
        let mut ct = vec![0u8; 256];
        self.rng.fill_bytes(&mut ct);
        let up: Arc<[u8]> = Message::ResultUpload(ResultUpload { task, index, ct }).encode().into();
        std::iter::once(PartyId::Outsider(1))
            .chain(other.map(PartyId::Cp))
            .map(|from| Wire {
                from,
                to: PartyId::Edge,
                bytes: up.clone(),
            })
            .collect()
    }
}

impl Adversary for Scripted<'_> {
    fn route(&mut self, w: &Wire) -> Route {
        let mut route = Route::default();
        // Nothing scripted (the honest run): no message needs decoding here.
        if self.replay.is_empty()
            && self.garbage.is_empty()
            && self.garbage_upload.is_empty()
            && self.impostors.is_empty()
        {
            return route;
        }
        let msg = Message::decode(&w.bytes);
        if let Ok(Message::Roster(r)) = &msg {
            self.task = Some(r.task);
            self.index_of = r.entries.iter().map(|e| (e.vid, e.index)).collect();
        }
        // A dealing in DP D's name, sent as D gets the roster (so it arrives first).
        if let (PartyId::Dp(d), Ok(Message::Roster(_))) = (w.to, &msg)
            && let Some((from, mut dealer)) = self.impostors.remove(&d)
        {
            dealer.handle_input(0, PartyId::Cloud, &w.bytes, &mut crate::parties::NoProbe);
            while let Some(t) = dealer.poll_transmit() {
                route.before.push(Wire {
                    from,
                    to: t.to,
                    bytes: t.bytes,
                });
            }
        }
        if let (PartyId::Cp(vid), Ok(Message::SharePacket(m))) = (w.to, &msg)
            && self.garbage.remove(&vid)
        {
            route.before.extend(self.garbage_for(w.to, &w.bytes, m));
        }
        if let (PartyId::Cp(vid), Ok(Message::ResultUpload(m))) = (w.from, &msg)
            && self.garbage_upload.remove(&vid)
        {
            route.before.extend(self.garbage_uploads(vid, m.task));
        }
        let touches = |id: PartyId| matches!(id, PartyId::Cp(v) if self.replay.contains(&v));
        if touches(w.from) || touches(w.to) {
            route.replays = 1;
        }
        route
    }
}

// ---------------------------------------------------------------------------------------------
// A random network adversary.

/// What [`Chaos`] did, for checking afterwards.
#[derive(Clone, Debug, Default)]
pub struct ChaosLog {
    /// Messages acted on.
    pub actions: usize,
    /// Messages dropped, by kind.
    pub dropped: Vec<MessageKind>,
    /// DPs whose roster, share packet or commitments (direct or relayed) were dropped: the only
    /// honest DPs the network may get excluded.
    pub lost_dps: BTreeSet<u32>,
}

/// A network adversary that, with probability `rate` per message, drops, delays or replays it,
/// sends a mangled copy or a copy of it from an identity it controls, or sends random bytes.
pub struct Chaos {
    rate: f64,
    controls: Vec<PartyId>,
    rng: DsmpcRng,
    log: Arc<Mutex<ChaosLog>>,
}

impl Chaos {
    /// Chaos at `rate` (0..=1) sending from `controls` (at least one identity: an outsider is
    /// added), with its own randomness; the log to inspect afterwards.
    pub fn new(rate: f64, mut controls: Vec<PartyId>, rng: DsmpcRng) -> (Self, Arc<Mutex<ChaosLog>>) {
        controls.push(PartyId::Outsider(1));
        let log = Arc::new(Mutex::new(ChaosLog::default()));
        (
            Chaos {
                rate,
                controls,
                rng,
                log: log.clone(),
            },
            log,
        )
    }

    fn lost_dp(w: &Wire, m: &Message) -> Option<u32> {
        match (m, w.to) {
            (Message::Roster(_), PartyId::Dp(d)) => Some(d),
            (Message::SharePacket(p), _) => Some(p.dp),
            (Message::Commitments(c), _) => Some(c.dp),
            _ => None,
        }
    }
}

impl Adversary for Chaos {
    fn route(&mut self, w: &Wire) -> Route {
        let mut route = Route::default();
        if (self.rng.next_u64() as f64 / u64::MAX as f64) >= self.rate {
            return route;
        }
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.actions += 1;
        let from = self.controls[(self.rng.next_u32() as usize) % self.controls.len()];
        match self.rng.next_u32() % 6 {
            0 => {
                route.drop = true;
                if let Ok(m) = Message::decode(&w.bytes) {
                    log.dropped.push(m.kind());
                    if let Some(d) = Self::lost_dp(w, &m) {
                        log.lost_dps.insert(d);
                    }
                }
            }
            1 => route.delay = true,
            2 => route.replays = 1,
            3 => {
                let mut b = w.bytes.to_vec();
                let i = (self.rng.next_u32() as usize) % b.len().max(1);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << (self.rng.next_u32() % 8);
                }
                route.before.push(Wire {
                    from,
                    to: w.to,
                    bytes: b.into(),
                });
            }
            4 => route.before.push(Wire {
                from,
                to: w.to,
                bytes: w.bytes.clone(),
            }),
            _ => {
                let mut b = vec![0u8; 1 + (self.rng.next_u32() % 200) as usize];
                self.rng.fill_bytes(&mut b);
                route.before.push(Wire {
                    from,
                    to: w.to,
                    bytes: b.into(),
                });
            }
        }
        route
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for s in [
            "bad-share:dp=3,cp=2",
            "inconsistent-dealing:dp=1",
            "bad-result:cp=4",
            "drop-cp:cp=5",
            "drop-dp:dp=2,reach=0",
            "replay:cp=1",
            "bad-signature:cp=3",
            "impersonate:dp=2",
            "garbage:cp=1",
            "garbage-upload:cp=2",
        ] {
            let f: Fault = s.parse().unwrap();
            assert_eq!(f.to_string(), s);
        }
        assert_eq!(
            " bad-share : cp = 2 , dp = 3 ".parse::<Fault>(),
            Ok(Fault::BadShare { dp: 3, cp: 2 })
        );
    }

    #[test]
    fn bad_syntax_says_what_is_wrong() {
        let err = |s: &str| s.parse::<Fault>().unwrap_err();
        assert!(err("bad-shares:dp=1,cp=1").contains("unknown fault kind"));
        assert!(err("bad-share:dp=1").contains("needs cp="));
        assert!(err("drop-dp:dp=1").contains("needs reach="));
        assert!(err("bad-result:cp=x").contains("not a non-negative integer"));
        assert!(err("bad-result:cp=1,cp=2").contains("given twice"));
        assert!(err("bad-result:cp=1,dp=2").contains("does not take dp="));
        assert!(err("drop-cp:cp=1,reach=2").contains("does not take reach="));
        assert!(err("replay:cp=0").contains("numbered from 1"));
        assert!(err("replay:who=1").contains("unknown parameter"));
        assert!(err("replay:cp").contains("not key=value"));
        assert!(err("drop-dp:dp=1,reach=70000").contains("too large"));
    }
}
