//! The Cloud as a state machine: announces the task to every registered vehicle, authenticates
//! candidate CPs and selects up to k of them (Algorithm 1), then, once every candidate has been
//! heard or the selection deadline passes, sends the roster to every DP and to the Edge.
//!
//! Checks on an auth request, in order: it comes from a vehicle; well formed and for this task;
//! the token decrypts (task-bound label) to the VID the network authenticated; VID registered;
//! signature valid under the VID's signing key; timestamp within the freshness window; nonce
//! not seen before; VID not already selected. The signature comes before the stateful checks so
//! an impostor cannot burn nonces; nothing is recorded for a request that fails. A valid request
//! past capacity gets a "not selected" answer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::rng::DsmpcRng;

use super::{Outbox, Party, PartyId, Probe, Time, Timeouts, decode_for, unexpected};
use crate::error::RolesError;
use crate::event::{Action, Event};
use crate::metrics::Phase;
use crate::suite::CipherSuite;
use crate::wire::{AuthRequest, IndexAssign, Message, Roster, RosterEntry, TaskAnnounce, TaskId, labels};

/// What the Cloud knows about a registered vehicle.
#[derive(Clone, Debug)]
pub struct Registration<S: CipherSuite> {
    /// Its encryption key (Vpk, also ComVpk once selected).
    pub enc_pk: S::EncPublic,
    /// Its signature verification key.
    pub sign_pk: S::SignPublic,
    /// Its PVSS public key `g^sk`, encoded.
    pub pvss_pk: Vec<u8>,
}

/// The Cloud.
pub struct Cloud<S: CipherSuite> {
    suite: S,
    sk: S::EncPrivate,
    pk_bytes: Vec<u8>,
    task: TaskId,
    capacity: usize,
    t: usize,
    dps: u32,
    window_s: u64,
    timeouts: Timeouts,
    registry: BTreeMap<u32, Registration<S>>,
    seen_nonces: BTreeSet<[u8; 16]>,
    heard: BTreeSet<u32>,
    selected: BTreeMap<u16, u32>,
    not_selected: Vec<u32>,
    deadline: Option<Time>,
    closed: bool,
    rng: DsmpcRng,
    out: Outbox,
}

impl<S: CipherSuite> Cloud<S> {
    /// A Cloud with its key, a fresh task id from `rng`, capacity k, threshold t, `dps` DPs
    /// (DP1..=DPn) and the freshness window for auth timestamps.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        suite: S,
        sk: S::EncPrivate,
        capacity: usize,
        t: usize,
        dps: u32,
        window_s: u64,
        timeouts: Timeouts,
        mut rng: DsmpcRng,
    ) -> Self {
        let mut task = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut rng, &mut task);
        let pk_bytes = suite.encode_enc_public(&suite.enc_public(&sk));
        Cloud {
            suite,
            sk,
            pk_bytes,
            task,
            capacity,
            t,
            dps,
            window_s,
            timeouts,
            registry: BTreeMap::new(),
            seen_nonces: BTreeSet::new(),
            heard: BTreeSet::new(),
            selected: BTreeMap::new(),
            not_selected: Vec::new(),
            deadline: None,
            closed: false,
            rng,
            out: Outbox::default(),
        }
    }

    /// Register a vehicle (done before the task, out of band).
    pub fn register(&mut self, vid: u32, reg: Registration<S>) {
        self.registry.insert(vid, reg);
    }

    /// The task id.
    pub fn task(&self) -> &TaskId {
        &self.task
    }

    /// Selected CPs: index -> VID.
    pub fn selected(&self) -> &BTreeMap<u16, u32> {
        &self.selected
    }

    /// Step 3: check one auth request from vehicle `vid` at `now_s`; the answer, or why not.
    fn check_auth(&mut self, vid: u32, req: &AuthRequest, now_s: u64) -> Result<Vec<u8>, RolesError> {
        let from = PartyId::Cp(vid).to_string();
        // The token's length (RSA: one block) is checked before any decryption.
        let token = (req.token.len() == self.suite.ciphertext_len(4))
            .then(|| {
                self.suite
                    .decrypt(&self.sk, &labels::token(&self.task), &req.token, &mut self.rng)
            })
            .flatten()
            .and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| RolesError::TokenUndecryptable { from: from.clone() })?;
        if token != vid {
            return Err(RolesError::Impersonation {
                from,
                claimed: PartyId::Cp(token).to_string(),
            });
        }
        let reg = self.registry.get(&vid).ok_or_else(|| RolesError::UnknownVid {
            from: from.clone(),
            vid,
        })?;
        let statement = labels::auth_statement(&self.task, vid, &req.nonce, req.ts);
        if !self.suite.verify(&reg.sign_pk, &statement, &req.sig) {
            return Err(RolesError::BadSignature { from, vid });
        }
        let skew = i128::from(req.ts) - i128::from(now_s);
        if skew.unsigned_abs() > u128::from(self.window_s) {
            return Err(RolesError::StaleTimestamp {
                from,
                vid,
                ts: req.ts,
                skew_s: skew.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
                window_s: self.window_s,
            });
        }
        if self.seen_nonces.contains(&req.nonce) {
            return Err(RolesError::ReplayedNonce { from, vid });
        }
        if self.selected.values().any(|v| *v == vid) || self.not_selected.contains(&vid) {
            return Err(RolesError::VidAlreadySelected { from, vid });
        }
        self.seen_nonces.insert(req.nonce);
        let ct = if self.selected.len() < self.capacity {
            let index = self.selected.len() as u16 + 1;
            let ct = self.suite.encrypt(
                &reg.enc_pk,
                &labels::index(&self.task, vid),
                &index.to_be_bytes(),
                &mut self.rng,
            )?;
            self.selected.insert(index, vid);
            Some(ct)
        } else {
            self.not_selected.push(vid);
            None
        };
        Ok(Message::IndexAssign(IndexAssign { task: self.task, ct }).encode())
    }

    /// Step 4: close the selection; the roster to every DP and the Edge, or a failure when
    /// fewer than t CPs were selected.
    fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.deadline = None;
        self.out.event(Event::Selected {
            selected: self.selected.clone(),
            not_selected: self.not_selected.clone(),
        });
        if self.selected.len() < self.t {
            return self.out.event(Event::Failed(RolesError::TooFewSelected {
                selected: self.selected.len(),
                t: self.t,
            }));
        }
        let entries = self
            .selected
            .iter()
            .map(|(&index, vid)| {
                let reg = &self.registry[vid];
                RosterEntry {
                    index,
                    vid: *vid,
                    enc_pk: self.suite.encode_enc_public_relayed(&reg.enc_pk),
                    pvss_pk: reg.pvss_pk.clone(),
                }
            })
            .collect();
        let roster: Arc<[u8]> = Message::Roster(Roster {
            task: self.task,
            t: self.t as u16,
            entries,
        })
        .encode()
        .into();
        for d in 1..=self.dps {
            self.out.send(PartyId::Dp(d), roster.clone());
        }
        self.out.send(PartyId::Edge, roster);
    }
}

impl<S: CipherSuite> Party for Cloud<S> {
    fn id(&self) -> PartyId {
        PartyId::Cloud
    }

    /// Step 1: announce the task to every registered vehicle.
    fn start(&mut self, now: Time, _probe: &mut dyn Probe) {
        let announce: Arc<[u8]> = Message::TaskAnnounce(TaskAnnounce {
            task: self.task,
            cloud_pk: self.pk_bytes.clone(),
        })
        .encode()
        .into();
        for vid in self.registry.keys() {
            self.out.send(PartyId::Cp(*vid), announce.clone());
        }
        self.deadline = Some(now.saturating_add(self.timeouts.selection_ms));
    }

    fn handle_input(&mut self, now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe) {
        let PartyId::Cp(vid) = from else {
            return self.out.detect(
                "Cloud",
                from.to_string(),
                Action::Ignored,
                "only vehicles talk to the Cloud",
            );
        };
        probe.enter(Phase::PartyAuthVerify, vid);
        let req = match decode_for(bytes, Some(&self.task)) {
            Ok(Message::AuthRequest(r)) => r,
            Ok(m) => {
                return self
                    .out
                    .detect("Cloud", from.to_string(), Action::Ignored, unexpected(m.kind(), from));
            }
            Err(why) => return self.out.detect("Cloud", from.to_string(), Action::Ignored, why),
        };
        if self.closed {
            return self
                .out
                .detect("Cloud", from.to_string(), Action::Ignored, "the selection is closed");
        }
        match self.check_auth(vid, &req, now / 1000) {
            Ok(answer) => {
                self.heard.insert(vid);
                self.out.send(from, answer);
            }
            Err(e) => {
                let replay = matches!(
                    e,
                    RolesError::ReplayedNonce { .. } | RolesError::VidAlreadySelected { .. }
                );
                let action = if replay { Action::Ignored } else { Action::NotSelected };
                if !replay && self.registry.contains_key(&vid) {
                    self.heard.insert(vid);
                }
                self.out.event(Event::Detection(crate::event::Detection::of_error(
                    "Cloud",
                    from.to_string(),
                    action,
                    &e,
                )));
            }
        }
        if self.heard.len() == self.registry.len() {
            self.close();
        }
    }

    fn handle_timeout(&mut self, now: Time, _probe: &mut dyn Probe) {
        if self.deadline.is_some_and(|d| now >= d) {
            self.close();
        }
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.deadline
    }

    fn outbox(&mut self) -> &mut Outbox {
        &mut self.out
    }
}
