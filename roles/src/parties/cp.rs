//! A computing party: asks to be selected (Algorithm 1, step 2), learns its index, then
//! decrypts and verifies each DP's share (Eq. (4), in the chosen [`VerifyMode`]), adds it to
//! a running sum, and uploads the encrypted sum-share to the Edge (Algorithm 2, steps 3-4).
//!
//! In batch mode shares are held until [`BATCH`] have arrived (or the DPs are done) and
//! verified together; the sum only ever includes verified shares. The PVSS secret key lives
//! in a [`CpKeyPair`], wiped on drop.

use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, Attachment, CpKeyPair, Packet, VerifyMode};
use dsmpc_core::rng::DsmpcRng;

use super::{candidate_name, cp_name, decode, dp_name, malformed};
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{AuthRequest, Message, MessageKind, ResultUpload, TaskId, labels};

/// Packets a CP verifies together in batch mode.
pub const BATCH: usize = 128;

/// A CP's three keys: encryption (Vpk / ComVpk), signing (Vsk), PVSS.
pub struct CpKeys<B: Backend, S: CipherSuite> {
    /// Decryption key.
    pub enc: S::EncPrivate,
    /// Signing key.
    pub sign: S::SignPrivate,
    /// PVSS key pair.
    pub pvss: CpKeyPair<B>,
}

/// A computing party (vehicle) with its keys.
pub struct ComputingParty<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    vid: u32,
    enc_sk: S::EncPrivate,
    sign_sk: S::SignPrivate,
    pvss: CpKeyPair<B>,
    mode: VerifyMode,
    task: Option<TaskId>,
    cloud_pk: Option<S::EncPublic>,
    index: Option<u16>,
    sum: B::Int,
    accepted: usize,
    pending: Vec<(u32, B::Int, Attachment<B>)>,
    rng: DsmpcRng,
}

impl<B: Backend, S: CipherSuite> ComputingParty<B, S> {
    /// A CP with its keys, verifying in `mode`.
    pub fn new(
        suite: S,
        group: Arc<SchnorrGroup<B>>,
        vid: u32,
        keys: CpKeys<B, S>,
        mode: VerifyMode,
        rng: DsmpcRng,
    ) -> Self {
        ComputingParty {
            suite,
            group,
            vid,
            enc_sk: keys.enc,
            sign_sk: keys.sign,
            pvss: keys.pvss,
            mode,
            task: None,
            cloud_pk: None,
            index: None,
            sum: B::from_u64(0),
            accepted: 0,
            pending: Vec::new(),
            rng,
        }
    }

    /// The VID.
    pub fn vid(&self) -> u32 {
        self.vid
    }
    /// The index, once selected.
    pub fn index(&self) -> Option<u16> {
        self.index
    }
    /// The log name: `CP(i=..)` once selected, `CP(VID=..)` before.
    pub fn name(&self) -> String {
        self.index.map_or_else(|| candidate_name(self.vid), cp_name)
    }
    /// Its PVSS public key, encoded (registered with the Cloud out of band).
    pub fn pvss_pk_bytes(&self) -> Vec<u8> {
        self.group.element_to_bytes(self.pvss.pk())
    }
    /// Its public encryption key.
    pub fn enc_pk(&self) -> S::EncPublic {
        self.suite.enc_public(&self.enc_sk)
    }
    /// Its public verification key.
    pub fn sign_pk(&self) -> S::SignPublic {
        self.suite.sign_public(&self.sign_sk)
    }
    /// Shares verified and summed so far.
    pub fn accepted(&self) -> usize {
        self.accepted
    }

    /// Algorithm 1, step 2: answer the announcement with `token = Enc_Cpk(VID)` (task-bound),
    /// a fresh nonce, the time and `Sign(task || VID || nonce || ts)`.
    pub fn auth_request(&mut self, announce: &[u8], now: u64) -> Result<Vec<u8>> {
        let Message::TaskAnnounce(a) = decode(announce, MessageKind::TaskAnnounce, "Cloud")? else {
            return Err(malformed(MessageKind::TaskAnnounce, "Cloud", "not an announcement"));
        };
        let cloud_pk = self
            .suite
            .decode_enc_public(&a.cloud_pk)
            .map_err(|e| malformed(MessageKind::TaskAnnounce, "Cloud", e.to_string()))?;
        let token = self.suite.encrypt(
            &cloud_pk,
            &labels::token(&a.task),
            &self.vid.to_be_bytes(),
            &mut self.rng,
        )?;
        let mut nonce = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut self.rng, &mut nonce);
        let sig = self.suite.sign(
            &self.sign_sk,
            &labels::auth_statement(&a.task, self.vid, &nonce, now),
            &mut self.rng,
        )?;
        self.task = Some(a.task);
        self.cloud_pk = Some(cloud_pk);
        Ok(Message::AuthRequest(AuthRequest {
            task: a.task,
            token,
            nonce,
            ts: now,
            sig,
        })
        .encode())
    }

    /// Algorithm 1, end of step 3: learn the index (`None`: valid but not selected).
    pub fn receive_index(&mut self, bytes: &[u8]) -> Result<Option<u16>> {
        let task = self
            .task
            .ok_or_else(|| RolesError::Config("index before announcement".into()))?;
        let Message::IndexAssign(m) = decode(bytes, MessageKind::IndexAssign, "Cloud")? else {
            return Err(malformed(MessageKind::IndexAssign, "Cloud", "not an index answer"));
        };
        if m.task != task {
            return Err(RolesError::WrongTask {
                from: "Cloud".into(),
                kind: MessageKind::IndexAssign,
            });
        }
        let Some(ct) = m.ct else { return Ok(None) };
        let plain = self
            .suite
            .decrypt(&self.enc_sk, &labels::index(&task, self.vid), &ct, &mut self.rng)
            .ok_or_else(|| malformed(MessageKind::IndexAssign, "Cloud", "index ciphertext does not decrypt"))?;
        let index = <[u8; 2]>::try_from(plain.as_slice())
            .map(u16::from_be_bytes)
            .map_err(|_| malformed(MessageKind::IndexAssign, "Cloud", "index is not 2 bytes"))?;
        if index == 0 {
            return Err(malformed(MessageKind::IndexAssign, "Cloud", "index 0"));
        }
        self.index = Some(index);
        Ok(Some(index))
    }

    /// Algorithm 2, step 3: decrypt, check and (once verified) add one DP's share.
    pub fn receive_share(&mut self, bytes: &[u8]) -> Result<()> {
        let (task, index) = match (self.task, self.index) {
            (Some(t), Some(i)) => (t, i),
            _ => {
                return Err(RolesError::Config(format!(
                    "{} received a share but was not selected",
                    self.name()
                )));
            }
        };
        let Message::SharePacket(m) = decode(bytes, MessageKind::SharePacket, "a DP")? else {
            return Err(malformed(MessageKind::SharePacket, "a DP", "not a share packet"));
        };
        let from = dp_name(m.dp);
        if m.task != task {
            return Err(RolesError::WrongTask {
                from,
                kind: MessageKind::SharePacket,
            });
        }
        if m.index != index {
            return Err(malformed(
                MessageKind::SharePacket,
                &from,
                format!("addressed to CP(i={}), not {}", m.index, cp_name(index)),
            ));
        }
        let el = self.group.element_len();
        let sl = self.group.zq().element_len();
        if m.e.len() != el || m.c.len() != el || m.r.len() != sl {
            return Err(malformed(
                MessageKind::SharePacket,
                &from,
                format!("E and C must be {el} bytes and r {sl} bytes"),
            ));
        }
        let plain = self
            .suite
            .decrypt(
                &self.enc_sk,
                &labels::share(&task, m.dp, index),
                &m.eshare,
                &mut self.rng,
            )
            .ok_or(RolesError::ShareUndecryptable { dp: m.dp, cp: index })?;
        if plain.len() != sl {
            return Err(RolesError::ShareUndecryptable { dp: m.dp, cp: index });
        }
        let y = self
            .group
            .zq()
            .from_bytes(&plain, "share")
            .map_err(|_| RolesError::ShareOutOfRange { dp: m.dp, cp: index })?;
        let att = Attachment {
            e: B::from_be_bytes(&m.e),
            c: B::from_be_bytes(&m.c),
            r: B::from_be_bytes(&m.r),
        };
        match self.mode {
            VerifyMode::Paper | VerifyMode::Fast => {
                let pkt = Packet { y: &y, att: &att };
                let res = if self.mode == VerifyMode::Paper {
                    pvss::verify_paper(&self.group, &self.pvss, pkt)
                } else {
                    pvss::verify_fast(&self.group, &self.pvss, pkt)
                };
                res.map_err(|reason| RolesError::PvssRejected {
                    dp: m.dp,
                    cp: index,
                    reason,
                })?;
                self.add(&y);
            }
            VerifyMode::Batch => {
                self.pending.push((m.dp, y, att));
                if self.pending.len() >= BATCH {
                    self.flush()?;
                }
            }
        }
        Ok(())
    }

    fn add(&mut self, y: &B::Int) {
        self.sum = self.group.zq().add(&self.sum, y);
        self.accepted += 1;
    }

    /// Verify any shares still held for a batch.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let index = self.index.unwrap_or(0);
        let pending = std::mem::take(&mut self.pending);
        let packets: Vec<Packet<'_, B>> = pending.iter().map(|(_, y, att)| Packet { y, att }).collect();
        if let Err(bad) = pvss::verify_batch(&self.group, &self.pvss, &packets, &mut self.rng) {
            let (i, reason) = bad[0];
            return Err(RolesError::PvssRejected {
                dp: pending[i].0,
                cp: index,
                reason,
            });
        }
        drop(packets);
        for (_, y, _) in &pending {
            self.add(y);
        }
        Ok(())
    }

    /// Algorithm 2, step 4: `Enc_Cpk(sum_i)`, bound to the task and i.
    pub fn result_upload(&mut self) -> Result<Vec<u8>> {
        self.flush()?;
        let (task, index, cloud_pk) = match (self.task, self.index, self.cloud_pk.as_ref()) {
            (Some(t), Some(i), Some(pk)) => (t, i, pk.clone()),
            _ => return Err(RolesError::Config(format!("{} has no result to upload", self.name()))),
        };
        let plain = self.group.zq().to_bytes(&self.sum);
        let ct = self
            .suite
            .encrypt(&cloud_pk, &labels::result(&task, index), &plain, &mut self.rng)?;
        Ok(Message::ResultUpload(ResultUpload { task, index, ct }).encode())
    }
}
