//! A computing party: asks to be selected (Algorithm 1, step 2), learns its index, then
//! decrypts and verifies each DP's share (Eq. (4), in the chosen [`VerifyMode`]), adds it to
//! a running sum, and uploads the encrypted sum-share to the Edge (Algorithm 2, steps 3-4).
//!
//! In batch mode shares are held until [`BATCH`] have arrived (or the DPs are done) and
//! verified together; the sum only ever includes verified shares. The PVSS secret key lives
//! in a [`CpKeyPair`], wiped on drop. A second share packet from a DP is ignored (a replay).
//!
//! In `vss` mode (beyond the paper) a CP receives each DP's Pedersen commitments (relayed by
//! the Edge) and the encrypted share pair `(f(i), b(i))`, and checks the pair against the
//! commitments. It never aborts on a DP's fault: it rejects that DP, tells the Edge which DPs
//! it accepted and which it rejected and why ([`ComputingParty::dp_report`]), sums over the set
//! the Edge sends back ([`ComputingParty::receive_agreed`]) and uploads `(sum, blinding sum)`.
//! Shares are kept until then and wiped on drop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, Attachment, CpKeyPair, Packet, VerifyMode};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::vss;

use super::{candidate_name, cp_name, decode, dp_name, malformed};
use crate::error::{Result, RolesError};
use crate::faults::{Action, Detection};
use crate::suite::CipherSuite;
use crate::wire::{AuthRequest, DpReport, Message, MessageKind, Rejection, ResultUpload, TaskId, labels};

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
    seen: HashSet<u32>,
    detections: Vec<Detection>,
    vss: VssState<B>,
    bad_result: bool,
    rng: DsmpcRng,
}

/// What a CP holds in `vss` mode between the shares and the agreement.
struct VssState<B: Backend> {
    /// Commitments relayed by the Edge, until the DP's share arrives.
    commitments: HashMap<u32, Vec<B::Int>>,
    /// Verified share pairs by DP.
    shares: BTreeMap<u32, (B::Int, B::Int)>,
    /// Rejected DPs and why.
    rejected: BTreeMap<u32, Rejection>,
    /// The blinding sum, once agreed.
    blind: B::Int,
    /// Whether the agreed set has arrived.
    agreed: bool,
}

impl<B: Backend, S: CipherSuite> Drop for ComputingParty<B, S> {
    fn drop(&mut self) {
        for (y, z) in self.vss.shares.values_mut() {
            B::wipe(y);
            B::wipe(z);
        }
        B::wipe(&mut self.sum);
        B::wipe(&mut self.vss.blind);
    }
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
            seen: HashSet::new(),
            detections: Vec::new(),
            vss: VssState {
                commitments: HashMap::new(),
                shares: BTreeMap::new(),
                rejected: BTreeMap::new(),
                blind: B::from_u64(0),
                agreed: false,
            },
            bad_result: false,
            rng,
        }
    }

    /// Fault injection: upload `sum + 1` instead of the sum-share.
    pub fn inject_bad_result(&mut self) {
        self.bad_result = true;
    }

    /// What this CP detected since the last call (replays ignored, DPs rejected in `vss` mode).
    pub fn take_detections(&mut self) -> Vec<Detection> {
        std::mem::take(&mut self.detections)
    }

    /// `vss` mode: the DPs rejected so far and why.
    pub fn rejected(&self) -> &BTreeMap<u32, Rejection> {
        &self.vss.rejected
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
        let m = receive!(bytes, IndexAssign, "Cloud", &task);
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
        if !self.seen.insert(m.dp) {
            self.detections.push(Detection::new(
                cp_name(index),
                &from,
                Action::Ignored,
                "a second share packet; only the first counts",
            ));
            return Ok(());
        }
        if self.mode == VerifyMode::Vss {
            let verdict = self.check_vss_share(&task, index, &m);
            return self.settle(m.dp, verdict);
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
            VerifyMode::Vss => unreachable!("handled above"),
        }
        Ok(())
    }

    /// `vss` mode: take a DP's commitments (relayed by the Edge), kept until its share arrives.
    pub fn receive_commitments(&mut self, bytes: &[u8]) -> Result<()> {
        let task = self
            .task
            .ok_or_else(|| RolesError::Config(format!("{} received commitments before the task", self.name())))?;
        let m = receive!(bytes, Commitments, "Edge", &task);
        let el = self.group.element_len();
        if m.elements.is_empty() || m.elements.iter().any(|e| e.len() != el) {
            return Err(malformed(
                MessageKind::Commitments,
                "Edge",
                format!("commitments of {} must be non-empty, {el} bytes each", dp_name(m.dp)),
            ));
        }
        if self.vss.commitments.contains_key(&m.dp) || self.seen.contains(&m.dp) {
            self.detections.push(Detection::new(
                self.name(),
                dp_name(m.dp),
                Action::Ignored,
                "second commitments; only the first count",
            ));
            return Ok(());
        }
        let elements = m.elements.iter().map(|e| B::from_be_bytes(e)).collect();
        self.vss.commitments.insert(m.dp, elements);
        Ok(())
    }

    /// `vss` mode: decrypt one share pair and check it against the DP's commitments.
    fn check_vss_share(
        &mut self,
        task: &TaskId,
        index: u16,
        m: &crate::wire::SharePacket,
    ) -> std::result::Result<(B::Int, B::Int), Rejection> {
        let commitments = self.vss.commitments.remove(&m.dp);
        if !(m.e.is_empty() && m.c.is_empty() && m.r.is_empty()) {
            return Err(Rejection::Malformed);
        }
        let mut plain = self
            .suite
            .decrypt(
                &self.enc_sk,
                &labels::share(task, m.dp, index),
                &m.eshare,
                &mut self.rng,
            )
            .ok_or(Rejection::Undecryptable)?;
        let sl = self.group.zq().element_len();
        let pair = if plain.len() == 2 * sl {
            let zq = self.group.zq();
            match (
                zq.from_bytes(&plain[..sl], "share"),
                zq.from_bytes(&plain[sl..], "blinding"),
            ) {
                (Ok(y), Ok(z)) => Some((y, z)),
                _ => None,
            }
        } else {
            None
        };
        zeroize::Zeroize::zeroize(&mut plain);
        let (y, z) = pair.ok_or(Rejection::Malformed)?;
        let c = commitments.ok_or(Rejection::NoCommitments)?;
        if vss::verify_share(&self.group, &c, u64::from(index), &y, &z) {
            Ok((y, z))
        } else {
            Err(Rejection::Mismatch)
        }
    }

    fn settle(&mut self, dp: u32, verdict: std::result::Result<(B::Int, B::Int), Rejection>) -> Result<()> {
        match verdict {
            Ok(pair) => {
                self.vss.shares.insert(dp, pair);
                self.accepted += 1;
            }
            Err(why) => {
                self.detections.push(Detection::new(
                    self.name(),
                    dp_name(dp),
                    Action::Rejected,
                    why.to_string(),
                ));
                self.vss.rejected.insert(dp, why);
            }
        }
        Ok(())
    }

    /// `vss` mode, agreement round: which DPs this CP accepted and which it rejected, for the
    /// Edge. Commitments whose share never came are dropped.
    pub fn dp_report(&mut self) -> Result<Vec<u8>> {
        let (task, index) = self.selected_task()?;
        self.vss.commitments.clear();
        Ok(Message::DpReport(DpReport {
            task,
            index,
            accepted: DpReport::ranges(self.vss.shares.keys().copied()),
            rejected: self.vss.rejected.iter().map(|(d, w)| (*d, *w)).collect(),
        })
        .encode())
    }

    /// `vss` mode, agreement round: the Edge's excluded DPs; sum the shares of every other
    /// accepted DP (and wipe the individual shares).
    pub fn receive_agreed(&mut self, bytes: &[u8]) -> Result<()> {
        let (task, _) = self.selected_task()?;
        let m = receive!(bytes, AgreedSet, "Edge", &task);
        let zq = self.group.zq();
        let (mut sum, mut blind) = (B::from_u64(0), B::from_u64(0));
        for (d, (y, z)) in self.vss.shares.iter_mut() {
            if m.excluded.binary_search(d).is_err() {
                sum = zq.add(&sum, y);
                blind = zq.add(&blind, z);
            }
            B::wipe(y);
            B::wipe(z);
        }
        self.vss.shares.clear();
        self.sum = sum;
        self.vss.blind = blind;
        self.vss.agreed = true;
        Ok(())
    }

    fn selected_task(&self) -> Result<(TaskId, u16)> {
        match (self.task, self.index) {
            (Some(t), Some(i)) => Ok((t, i)),
            _ => Err(RolesError::Config(format!("{} was not selected", self.name()))),
        }
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
        if self.mode == VerifyMode::Vss && !self.vss.agreed {
            return Err(RolesError::Config(format!(
                "{} cannot upload before the agreement round",
                self.name()
            )));
        }
        let zq = self.group.zq();
        let sum = if self.bad_result {
            zq.add(&self.sum, &B::from_u64(1))
        } else {
            self.sum.clone()
        };
        let mut plain = zq.to_bytes(&sum);
        if self.mode == VerifyMode::Vss {
            plain.extend_from_slice(&zq.to_bytes(&self.vss.blind));
        }
        let ct = self
            .suite
            .encrypt(&cloud_pk, &labels::result(&task, index), &plain, &mut self.rng)?;
        zeroize::Zeroize::zeroize(&mut plain);
        Ok(Message::ResultUpload(ResultUpload { task, index, ct }).encode())
    }
}
