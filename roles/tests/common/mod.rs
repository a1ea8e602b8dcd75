//! Test fixtures for driving single parties by hand: a seeded world (RSA-1024, group-1024, a
//! Cloud with its registered candidate CPs, the DPs' commitment-signing keys in `vss`, an Edge
//! on demand), [`deliver`] to hand a party one message from an authenticated sender and collect
//! what it sent and reported, and a small [`pump`] that runs a few parties to quiescence.

#![allow(dead_code, missing_docs)]

use std::collections::VecDeque;
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyGroup, GroupKind};
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::{self, RngSource};
use dsmpc_roles::RolesError;
use dsmpc_roles::check::{self, Verification};
use dsmpc_roles::event::{Action, Detection, Event};
use dsmpc_roles::keys::{DpKeys, DpSigningKey, KeyCache};
use dsmpc_roles::parties::{
    Cloud, ComputingParty, CpKeys, DataProvider, Edge, NoProbe, Party, PartyId, Registration, Time, Timeouts, Transmit,
};
use dsmpc_roles::suite::rustcrypto::RsaSuite;
use dsmpc_roles::wire::{Commitments, Message, MessageKind};
use num_bigint::BigUint;

/// The protocol clock of the tests (milliseconds): 2025-06-15T00:00:00Z, as seeded sessions.
pub const NOW: Time = 1_749_945_600_000;
/// The Cloud's freshness window for auth timestamps, seconds.
pub const WINDOW_S: u64 = 300;

/// What a party sent and reported while handling one thing.
pub type Output = (Vec<Transmit>, Vec<Event>);

/// Everything `p` has queued.
pub fn drain(p: &mut dyn Party) -> Output {
    let mut sent = Vec::new();
    while let Some(t) = p.poll_transmit() {
        sent.push(t);
    }
    let mut events = Vec::new();
    while let Some(e) = p.poll_event() {
        events.push(e);
    }
    (sent, events)
}

/// Hand `p` one message from the authenticated sender `from` at [`NOW`].
pub fn deliver(p: &mut dyn Party, from: PartyId, bytes: &[u8]) -> Output {
    deliver_at(p, NOW, from, bytes)
}

/// Hand `p` one message from `from` at `now`.
pub fn deliver_at(p: &mut dyn Party, now: Time, from: PartyId, bytes: &[u8]) -> Output {
    p.handle_input(now, from, bytes, &mut NoProbe);
    drain(p)
}

/// Let `p`'s deadline pass (it must have one).
pub fn expire(p: &mut dyn Party) -> Output {
    let at = p.poll_timeout().expect("the party is waiting for a deadline");
    p.handle_timeout(at, &mut NoProbe);
    drain(p)
}

/// The detections among `events`.
pub fn detections(events: &[Event]) -> Vec<&Detection> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Detection(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// The one event of `out`, a detection, with nothing sent.
pub fn refused(out: &Output) -> &Detection {
    assert!(out.0.is_empty(), "a refused input sends nothing: {:?}", out.0);
    match &out.1[..] {
        [Event::Detection(d)] => d,
        other => panic!("expected exactly one detection, got {other:?}"),
    }
}

/// The one event of `out`: an `ignored` detection by `by` of `subject`, whose reason contains
/// `why`; nothing sent.
pub fn ignored<'a>(out: &'a Output, by: &str, subject: &str, why: &str) -> &'a Detection {
    let d = refused(out);
    assert_eq!(
        (d.by.as_str(), d.subject.as_str(), d.action),
        (by, subject, Action::Ignored),
        "{d}"
    );
    assert!(d.reason.contains(why), "{d}: want {why:?}");
    d
}

/// The failure among `events` (exactly one).
pub fn failure(events: &[Event]) -> &RolesError {
    let f: Vec<&RolesError> = events
        .iter()
        .filter_map(|e| match e {
            Event::Failed(err) => Some(err),
            _ => None,
        })
        .collect();
    match f[..] {
        [e] => e,
        _ => panic!("expected exactly one failure, got {events:?}"),
    }
}

/// Nothing sent, nothing reported.
pub fn quiet(out: &Output) {
    assert!(out.0.is_empty() && out.1.is_empty(), "expected nothing, got {out:?}");
}

/// The bytes sent to `to`.
pub fn sent_to(sent: &[Transmit], to: PartyId) -> Vec<Vec<u8>> {
    sent.iter().filter(|t| t.to == to).map(|t| t.bytes.to_vec()).collect()
}

/// The one message sent to `to`, of `kind`.
pub fn only_to(sent: &[Transmit], to: PartyId, kind: MessageKind) -> Vec<u8> {
    match &sent_to(sent, to)[..] {
        [b] => {
            assert_eq!(decode(b).kind(), kind, "to {to}");
            b.clone()
        }
        other => panic!("expected one {kind} message to {to}, got {}", other.len()),
    }
}

/// Decode a message the parties produced.
pub fn decode(bytes: &[u8]) -> Message {
    Message::decode(bytes).expect("parties send well-formed messages")
}

/// What [`pump`] returns: every event with the party that reported it, and the messages to
/// parties that were not in the run, with their senders.
pub type Pumped = (Vec<(PartyId, Event)>, Vec<(PartyId, Transmit)>);

/// Run `parties` from the messages `first` (sent by `from`) until nothing is in flight,
/// delivering in order; messages to parties not in the slice are returned unsent. `filter`
/// may drop a message (false). Returns the events (with who reported them) and what was left.
pub fn pump(
    parties: &mut [&mut dyn Party],
    from: PartyId,
    first: Vec<Transmit>,
    mut filter: impl FnMut(PartyId, &Transmit) -> bool,
) -> Pumped {
    let mut queue: VecDeque<(PartyId, Transmit)> = first.into_iter().map(|t| (from, t)).collect();
    let mut events = Vec::new();
    let mut left = Vec::new();
    while let Some((sender, t)) = queue.pop_front() {
        if !filter(sender, &t) {
            continue;
        }
        let Some(p) = parties.iter_mut().find(|p| p.id() == t.to) else {
            left.push((sender, t));
            continue;
        };
        let me = p.id();
        let (sent, evs) = deliver(&mut **p, sender, &t.bytes);
        events.extend(evs.into_iter().map(|e| (me, e)));
        queue.extend(sent.into_iter().map(|t| (me, t)));
    }
    (events, left)
}

/// A seeded world: the Cloud (with the announcement it sent), candidate CPs with VIDs 1..=m
/// (all registered), n DPs' commitment-signing keys (`vss`), threshold t.
pub struct World<B: Backend> {
    pub suite: RsaSuite,
    pub group: Arc<AnyGroup<B>>,
    pub keys: KeyCache,
    pub mode: VerifyMode,
    pub check: Arc<dyn Verification<B>>,
    pub t: usize,
    pub n: u32,
    pub cloud: Cloud<RsaSuite>,
    pub cps: Vec<ComputingParty<B, RsaSuite>>,
    pub dp_signing: Vec<DpSigningKey>,
    pub dp_keys: Option<Arc<DpKeys>>,
    /// The Cloud's announcement (the same bytes to every candidate).
    pub announce: Vec<u8>,
    /// The roster, once the Cloud closed the selection.
    pub roster: Option<Vec<u8>>,
    /// Who the Cloud sent the roster to.
    pub roster_to: Vec<PartyId>,
    /// The Cloud's events from [`World::select_all`].
    pub selection: Vec<Event>,
}

/// `m` candidates, capacity `k`, threshold `t`, `n` DPs, checking as `mode`; RSA-1024 and the
/// 1024-bit group. The Cloud has started: [`World::announce`] is what it sent.
pub fn world<B: Backend>(m: u32, k: usize, t: usize, n: u32, mode: VerifyMode) -> World<B> {
    let suite = RsaSuite::new(1024).unwrap();
    let group = Arc::new(AnyGroup::<B>::new(GroupKind::Schnorr(1024)).unwrap());
    let keys = KeyCache::new(RngSource::Seed(7));
    let check = check::for_mode::<B>(mode);
    let (dp_signing, dp_keys) = if check.commits() {
        let (s, k) = DpKeys::generate(n as usize, RngSource::Seed(7)).unwrap();
        (s, Some(Arc::new(k)))
    } else {
        (Vec::new(), None)
    };
    let cloud = Cloud::new(
        suite,
        keys.enc_key(&suite, "cloud").unwrap(),
        k,
        t,
        n,
        WINDOW_S,
        Timeouts::default(),
        rng::seeded(7, "cloud"),
    );
    let mut w = World {
        suite,
        group,
        keys,
        mode,
        check,
        t,
        n,
        cloud,
        cps: Vec::new(),
        dp_signing,
        dp_keys,
        announce: Vec::new(),
        roster: None,
        roster_to: Vec::new(),
        selection: Vec::new(),
    };
    for vid in 1..=m {
        let c = w.candidate(vid, "cp");
        w.cloud.register(
            vid,
            Registration {
                enc_pk: c.enc_pk(),
                sign_pk: c.sign_pk(),
                pvss_pk: c.pvss_pk_bytes(),
            },
        );
        w.cps.push(c);
    }
    w.cloud.start(NOW, &mut NoProbe);
    let (sent, events) = drain(&mut w.cloud);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(sent.len(), m as usize, "one announcement per registered vehicle");
    if let Some(first) = sent.first() {
        w.announce = first.bytes.to_vec();
        assert!(sent.iter().all(|t| *t.bytes == *first.bytes));
    }
    w
}

impl<B: Backend> World<B> {
    /// A CP with VID `vid` and its keys, honest checks, randomness from `rng_tag`.
    pub fn candidate(&self, vid: u32, rng_tag: &str) -> ComputingParty<B, RsaSuite> {
        self.candidate_with(vid, rng_tag, self.check.clone())
    }

    /// A CP with VID `vid` that checks (and uploads) as `check` says.
    pub fn candidate_with(
        &self,
        vid: u32,
        rng_tag: &str,
        check: Arc<dyn Verification<B>>,
    ) -> ComputingParty<B, RsaSuite> {
        let party = format!("vid{vid}");
        let keys = CpKeys {
            enc: self.keys.enc_key(&self.suite, &party).unwrap(),
            sign: self.keys.sign_key(&self.suite, &party).unwrap(),
            pvss: CpKeyPair::generate(self.group.as_ref(), &mut rng::seeded(7, &format!("pvss/{party}"))),
        };
        ComputingParty::new(
            self.suite,
            self.group.clone(),
            check,
            vid,
            keys,
            self.n,
            self.dp_keys.clone(),
            Timeouts::default(),
            rng::seeded(7, &format!("{rng_tag}/{party}")),
        )
    }

    /// The auth request of candidate `j` (VID j + 1) given the announcement at `now`.
    pub fn request(&mut self, j: usize, now: Time) -> Vec<u8> {
        request_of(&self.announce, &mut self.cps[j], now)
    }

    /// Hand the Cloud `req` from vehicle `vid` at [`NOW`]; what it sent and reported.
    pub fn auth(&mut self, vid: u32, req: &[u8]) -> Output {
        deliver(&mut self.cloud, PartyId::Cp(vid), req)
    }

    /// The Cloud's answer to vehicle `vid` among what it sent.
    pub fn answer(sent: &[Transmit], vid: u32) -> Vec<u8> {
        only_to(sent, PartyId::Cp(vid), MessageKind::IndexAssign)
    }

    /// Run Algorithm 1 for every candidate in VID order; each one's index. Keeps the roster
    /// and the Cloud's events.
    pub fn select_all(&mut self) -> Vec<Option<u16>> {
        let mut out = Vec::new();
        for j in 0..self.cps.len() {
            let vid = j as u32 + 1;
            let req = self.request(j, NOW);
            let (sent, events) = self.auth(vid, &req);
            assert!(detections(&events).is_empty(), "{events:?}");
            let ans = Self::answer(&sent, vid);
            let (cp_sent, cp_events) = deliver(&mut self.cps[j], PartyId::Cloud, &ans);
            assert!(cp_sent.is_empty() && cp_events.is_empty(), "{cp_events:?}");
            out.push(self.cps[j].index());
            for t in sent.iter().filter(|t| decode(&t.bytes).kind() == MessageKind::Roster) {
                self.roster = Some(t.bytes.to_vec());
                self.roster_to.push(t.to);
            }
            self.selection.extend(events);
        }
        out
    }

    /// The roster (after [`World::select_all`]).
    pub fn roster(&self) -> &[u8] {
        self.roster.as_deref().expect("the selection is closed")
    }

    /// DP `d` holding `value`, dealing honestly.
    pub fn dp(&self, d: u32, value: u32) -> DataProvider<B, RsaSuite> {
        self.dp_with(d, value, self.check.clone())
    }

    /// DP `d` holding `value`, dealing as `dealing` says, signing with DP d's key (if any).
    pub fn dp_with(&self, d: u32, value: u32, dealing: Arc<dyn Verification<B>>) -> DataProvider<B, RsaSuite> {
        let key = (d as usize)
            .checked_sub(1)
            .and_then(|i| self.dp_signing.get(i))
            .cloned();
        let key = key.or_else(|| {
            // A DP outside the task (tests of misattribution) gets a key of its own.
            self.check.commits().then(|| {
                DpKeys::generate(1, RngSource::Seed(u64::from(d) + 1000))
                    .unwrap()
                    .0
                    .remove(0)
            })
        });
        DataProvider::new(
            self.suite,
            self.group.clone(),
            dealing,
            d,
            BigUint::from(value),
            key,
            rng::seeded(7, &format!("dp/{d}")),
        )
    }

    /// What DP `d` holding `value` sends once it has the roster.
    pub fn deal(&self, d: u32, value: u32) -> Dealt {
        self.deal_with(d, value, self.check.clone())
    }

    /// [`World::deal`] with a dealing of the test's choosing.
    pub fn deal_with(&self, d: u32, value: u32, dealing: Arc<dyn Verification<B>>) -> Dealt {
        let mut dp = self.dp_with(d, value, dealing);
        let (sent, events) = deliver(&mut dp, PartyId::Cloud, self.roster());
        assert!(events.is_empty(), "{events:?}");
        let commitments = sent_to(&sent, PartyId::Edge).into_iter().next();
        let packets = sent
            .iter()
            .filter_map(|t| match t.to {
                PartyId::Cp(vid) => Some((vid, t.bytes.to_vec())),
                _ => None,
            })
            .collect();
        Dealt { commitments, packets }
    }

    /// The Edge (holding the Cloud's key), without the roster yet.
    pub fn edge(&self) -> Edge<B, RsaSuite> {
        Edge::new(
            self.suite,
            self.group.clone(),
            self.check.clone(),
            self.keys.enc_key(&self.suite, "cloud").unwrap(),
            self.n,
            self.dp_keys.clone(),
            Timeouts::default(),
            rng::seeded(7, "edge"),
        )
    }

    /// The Edge, given the roster by the Cloud.
    pub fn edge_with_roster(&self) -> Edge<B, RsaSuite> {
        let mut e = self.edge();
        quiet(&deliver(&mut e, PartyId::Cloud, self.roster()));
        e
    }

    /// The task.
    pub fn task(&self) -> [u8; 16] {
        *self.cloud.task()
    }

    /// Sign `c` again with DP `d`'s key (after a test changed it).
    pub fn resign(&self, d: u32, c: &mut Commitments) {
        let key = &self.dp_signing[d as usize - 1];
        c.sig = dsmpc_roles::keys::sign_commitments(key, &c.task, c.dp, &c.elements, &mut rng::seeded(1, "resign"))
            .unwrap();
    }
}

/// Hand `cp` the announcement `announce` at `now`; the auth request it sends the Cloud.
pub fn request_of(announce: &[u8], cp: &mut dyn Party, now: Time) -> Vec<u8> {
    let (sent, events) = deliver_at(cp, now, PartyId::Cloud, announce);
    assert!(events.is_empty(), "{events:?}");
    only_to(&sent, PartyId::Cloud, MessageKind::AuthRequest)
}

/// What a DP sent once it had the roster.
pub struct Dealt {
    /// `vss`: its signed commitments, for the Edge.
    pub commitments: Option<Vec<u8>>,
    /// Its share packets, by recipient VID, in roster order.
    pub packets: Vec<(u32, Vec<u8>)>,
}

impl Dealt {
    /// The packet for the CP with VID `vid`.
    pub fn to(&self, vid: u32) -> &[u8] {
        &self
            .packets
            .iter()
            .find(|(v, _)| *v == vid)
            .expect("a packet for every roster CP")
            .1
    }

    /// The commitments (`vss`).
    pub fn commitments(&self) -> &[u8] {
        self.commitments.as_deref().expect("vss dealings have commitments")
    }
}

macro_rules! editor {
    ($name:ident, $kind:ident, $ty:ty) => {
        /// Re-encode a message of this kind after `f` changed it.
        pub fn $name(bytes: &[u8], f: impl FnOnce(&mut $ty)) -> Vec<u8> {
            let Message::$kind(mut m) = decode(bytes) else {
                panic!("not a {} message", stringify!($kind))
            };
            f(&mut m);
            Message::$kind(m).encode()
        }
    };
}

editor!(edit_request, AuthRequest, dsmpc_roles::wire::AuthRequest);
editor!(edit_share, SharePacket, dsmpc_roles::wire::SharePacket);
editor!(edit_commitments, Commitments, Commitments);
editor!(edit_upload, ResultUpload, dsmpc_roles::wire::ResultUpload);
