//! The Cloud: announces the task, authenticates candidate CPs and selects up to k of them
//! (Algorithm 1), then hands the roster to the DPs.
//!
//! Checks on an auth request, in order: message well formed and for this task; token decrypts
//! (task-bound label); VID registered; signature valid under the VID's signing key; timestamp
//! within the freshness window; nonce not seen before for this task; VID not already selected.
//! The signature comes before the stateful checks so an impostor cannot burn nonces. A valid
//! request past capacity gets a "not selected" answer, not an error.

use std::collections::{BTreeMap, HashMap, HashSet};

use dsmpc_core::rng::DsmpcRng;

use super::candidate_name;
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{IndexAssign, Message, Roster, RosterEntry, TaskAnnounce, TaskId, labels};

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
    window_s: u64,
    registry: HashMap<u32, Registration<S>>,
    seen_nonces: HashSet<[u8; 16]>,
    selected: BTreeMap<u16, u32>,
    rng: DsmpcRng,
}

impl<S: CipherSuite> Cloud<S> {
    /// A Cloud with its key, a fresh task id from `rng`, capacity k and freshness window.
    pub fn new(suite: S, sk: S::EncPrivate, capacity: usize, window_s: u64, mut rng: DsmpcRng) -> Self {
        let mut task = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut rng, &mut task);
        let pk_bytes = suite.encode_enc_public(&suite.enc_public(&sk));
        Cloud {
            suite,
            sk,
            pk_bytes,
            task,
            capacity,
            window_s,
            registry: HashMap::new(),
            seen_nonces: HashSet::new(),
            selected: BTreeMap::new(),
            rng,
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

    /// Step 1: the announcement for every candidate.
    pub fn announce(&self) -> Vec<u8> {
        Message::TaskAnnounce(TaskAnnounce {
            task: self.task,
            cloud_pk: self.pk_bytes.clone(),
        })
        .encode()
    }

    /// Step 3: check one auth request from transport-level sender `from` at time `now`; the
    /// answer to send back, or the reason it was rejected.
    pub fn handle_auth(&mut self, from: &str, bytes: &[u8], now: u64) -> Result<Vec<u8>> {
        let req = receive!(bytes, AuthRequest, from, &self.task);
        let vid_bytes = self
            .suite
            .decrypt(&self.sk, &labels::token(&self.task), &req.token, &mut self.rng)
            .ok_or_else(|| RolesError::TokenUndecryptable { from: from.into() })?;
        let vid = <[u8; 4]>::try_from(vid_bytes.as_slice())
            .map(u32::from_be_bytes)
            .map_err(|_| RolesError::TokenUndecryptable { from: from.into() })?;
        let reg = self
            .registry
            .get(&vid)
            .ok_or_else(|| RolesError::UnknownVid { from: from.into(), vid })?;
        let statement = labels::auth_statement(&self.task, vid, &req.nonce, req.ts);
        if !self.suite.verify(&reg.sign_pk, &statement, &req.sig) {
            return Err(RolesError::BadSignature { from: from.into(), vid });
        }
        let skew = req.ts as i64 - now as i64;
        if skew.unsigned_abs() > self.window_s {
            return Err(RolesError::StaleTimestamp {
                from: from.into(),
                vid,
                ts: req.ts,
                skew_s: skew,
                window_s: self.window_s,
            });
        }
        if !self.seen_nonces.insert(req.nonce) {
            return Err(RolesError::ReplayedNonce { from: from.into(), vid });
        }
        if self.selected.values().any(|v| *v == vid) {
            return Err(RolesError::VidAlreadySelected { from: from.into(), vid });
        }
        let ct = if self.selected.len() < self.capacity {
            let index = self.selected.len() as u16 + 1;
            let enc_pk = reg.enc_pk.clone();
            self.selected.insert(index, vid);
            Some(self.suite.encrypt(
                &enc_pk,
                &labels::index(&self.task, vid),
                &index.to_be_bytes(),
                &mut self.rng,
            )?)
        } else {
            None
        };
        Ok(Message::IndexAssign(IndexAssign { task: self.task, ct }).encode())
    }

    /// Selected CPs: index -> VID.
    pub fn selected(&self) -> &BTreeMap<u16, u32> {
        &self.selected
    }

    /// Step 4: the roster for threshold t, refused unless `2 <= t <= selected`.
    pub fn roster(&self, t: usize) -> Result<Vec<u8>> {
        if t < 2 || t > self.selected.len() {
            return Err(RolesError::BadThreshold {
                t,
                selected: self.selected.len(),
            });
        }
        let entries = self
            .selected
            .iter()
            .map(|(&index, vid)| {
                let reg = &self.registry[vid];
                RosterEntry {
                    index,
                    enc_pk: self.suite.encode_enc_public(&reg.enc_pk),
                    pvss_pk: reg.pvss_pk.clone(),
                }
            })
            .collect();
        Ok(Message::Roster(Roster {
            task: self.task,
            t: t as u16,
            entries,
        })
        .encode())
    }

    /// Whether `vid` is registered (used by tests and the CLI's report).
    pub fn is_registered(&self, vid: u32) -> bool {
        self.registry.contains_key(&vid)
    }

    /// The name used for a candidate in logs.
    pub fn candidate(vid: u32) -> String {
        candidate_name(vid)
    }
}
