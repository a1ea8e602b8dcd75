//! A computing party as a state machine, in protocol order:
//!
//! 1. the Cloud's announcement: answer with `token = Enc_Cpk(VID)` (task-bound), a fresh nonce,
//!    the time and `Sign(task || VID || nonce || ts)` (Algorithm 1, step 2);
//! 2. the Cloud's answer: learn the index, or that it was not selected;
//! 3. each DP's share packet (and in `vss` each DP's signed commitments, relayed by the Edge):
//!    decrypt and hand to the mode's [`Acceptor`] (Algorithm 2, step 3);
//! 4. once every DP is decided or the deadline passes: upload `Enc_Cpk(sum_i)` (step 4), or,
//!    when the mode has an agreement round ([`CpAgreement`], `vss`), report the accepted and
//!    rejected DPs to the Edge, wait for the agreed set, and upload `(sum, blinding sum)` over it.
//!
//! A share packet counts only from the DP the network authenticated as its sender, addressed to
//! this CP's index, for this task, once; commitments only with a valid signature of the DP they
//! name. Messages that arrive before the index are held ([`Parked`]). Without an agreement round
//! (the paper's modes) a DP's authentic packet that fails its check ends the session, as in the
//! paper; with one that DP is rejected and the CP goes on. The CP never asks the mode which: it
//! holds the agreement round or not. The PVSS secret key lives in a [`CpKeyPair`], wiped on drop.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::CpKeyPair;
use dsmpc_core::rng::DsmpcRng;

use super::agreement::{self, CpAgreement};
use super::{
    Outbox, Parked, Party, PartyId, Probe, Refusal, Time, Timeouts, candidate_name, cp_name, decode_for, dp_name,
    passed, unexpected,
};
use crate::check::{Acceptor, CpCtx, Verdict, Verification};
use crate::error::RolesError;
use crate::event::{Action, Event};
use crate::keys::DpKeys;
use crate::metrics::Phase;
use crate::suite::CipherSuite;
use crate::wire::{
    AgreedSet, AuthRequest, Commitments, IndexAssign, Message, Rejection, ResultUpload, TaskAnnounce, TaskId, labels,
};

mod share;
mod vector;

/// A CP's three keys: encryption (Vpk / ComVpk), signing (Vsk), PVSS.
pub struct CpKeys<B: Backend, S: CipherSuite> {
    /// Decryption key.
    pub enc: S::EncPrivate,
    /// Signing key.
    pub sign: S::SignPrivate,
    /// PVSS key pair.
    pub pvss: CpKeyPair<B>,
}

/// Where a CP is in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the announcement.
    Candidate,
    /// Asked to be selected; waiting for the answer.
    Requested,
    /// Selected: taking shares.
    Selected,
    /// Done with the shares; with an agreement round, reported and waiting for the agreed set.
    Reported,
    /// Uploaded, not selected, or failed: nothing more to do.
    Done,
}

/// A computing party (vehicle) with its keys.
pub struct ComputingParty<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<AnyGroup<B>>,
    check: Arc<dyn Verification<B>>,
    vid: u32,
    keys: CpKeys<B, S>,
    dps: u32,
    /// The agreement round, if the mode has one.
    agreement: Option<CpAgreement>,
    timeouts: Timeouts,
    step: Step,
    task: Option<TaskId>,
    cloud_pk: Option<S::EncPublic>,
    index: u16,
    acceptor: Box<dyn Acceptor<B>>,
    shares: BTreeSet<u32>,
    accepted: BTreeSet<u32>,
    parked: Parked,
    /// Vector sessions: the running sum of the DPs' share vectors (wiped on drop).
    vector: Option<zeroize::Zeroizing<Vec<F64>>>,
    deadline: Option<Time>,
    rng: DsmpcRng,
    out: Outbox,
}

impl<B: Backend, S: CipherSuite> ComputingParty<B, S> {
    /// Vehicle `vid` with its keys, checking shares as `check` says, in a task with `dps` DPs
    /// (DP1..=DPn) whose commitment-signing keys are `dp_keys` (`vss`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        suite: S,
        group: Arc<AnyGroup<B>>,
        check: Arc<dyn Verification<B>>,
        vid: u32,
        keys: CpKeys<B, S>,
        dps: u32,
        dp_keys: Option<Arc<DpKeys>>,
        timeouts: Timeouts,
        rng: DsmpcRng,
    ) -> Self {
        let acceptor = check.acceptor();
        let agreement = agreement::for_cp(&*check, dp_keys);
        ComputingParty {
            suite,
            group,
            check,
            vid,
            keys,
            dps,
            agreement,
            timeouts,
            step: Step::Candidate,
            task: None,
            cloud_pk: None,
            index: 0,
            acceptor,
            shares: BTreeSet::new(),
            accepted: BTreeSet::new(),
            parked: Parked::default(),
            vector: None,
            deadline: None,
            rng,
            out: Outbox::default(),
        }
    }

    /// Take share vectors of `elements` elements (a vector session) instead of scalars.
    pub fn with_vector(mut self, elements: usize) -> Self {
        self.vector = Some(zeroize::Zeroizing::new(vec![F64::ZERO; elements]));
        if let Some(a) = self.check.vector_acceptor(elements) {
            self.acceptor = a;
        }
        self
    }

    /// The VID.
    pub fn vid(&self) -> u32 {
        self.vid
    }
    /// The index, once selected.
    pub fn index(&self) -> Option<u16> {
        (self.index > 0).then_some(self.index)
    }
    /// The log name: `CP(i=..)` once selected, `CP(VID=..)` before.
    pub fn name(&self) -> String {
        self.index().map_or_else(|| candidate_name(self.vid), cp_name)
    }
    /// Its PVSS public key, encoded (registered with the Cloud out of band).
    pub fn pvss_pk_bytes(&self) -> Vec<u8> {
        self.group.encode_element(self.keys.pvss.pk())
    }
    /// Its public encryption key.
    pub fn enc_pk(&self) -> S::EncPublic {
        self.suite.enc_public(&self.keys.enc)
    }
    /// Its public verification key.
    pub fn sign_pk(&self) -> S::SignPublic {
        self.suite.sign_public(&self.keys.sign)
    }
    /// DPs whose shares were verified and counted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.len()
    }
    /// With an agreement round (`vss`): the DPs rejected so far and why (none without one).
    pub fn rejected(&self) -> &BTreeMap<u32, Rejection> {
        static NONE: BTreeMap<u32, Rejection> = BTreeMap::new();
        self.agreement.as_ref().map_or(&NONE, CpAgreement::rejected)
    }

    fn ignore(&mut self, from: PartyId, why: impl Into<String>) {
        let name = self.name();
        self.out.detect(name, from.to_string(), Action::Ignored, why);
    }

    fn fail(&mut self, e: RolesError) {
        self.step = Step::Done;
        self.deadline = None;
        self.out.event(Event::Failed(e));
    }

    /// Algorithm 1, step 2.
    fn request(&mut self, a: &TaskAnnounce, now: Time) {
        let cloud_pk = match self.suite.decode_enc_public(&a.cloud_pk) {
            Ok(pk) => pk,
            Err(e) => return self.ignore(PartyId::Cloud, format!("announcement with a bad Cloud key: {e}")),
        };
        let ts = now / 1000;
        let token = self.suite.encrypt(
            &cloud_pk,
            &labels::token(&a.task),
            &self.vid.to_be_bytes(),
            &mut self.rng,
        );
        let mut nonce = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut self.rng, &mut nonce);
        let statement = labels::auth_statement(&a.task, self.vid, &nonce, ts);
        let sig = self.suite.sign(&self.keys.sign, &statement, &mut self.rng);
        let (token, sig) = match (token, sig) {
            (Ok(t), Ok(s)) => (t, s),
            (Err(e), _) | (_, Err(e)) => return self.fail(e),
        };
        self.task = Some(a.task);
        self.cloud_pk = Some(cloud_pk);
        self.step = Step::Requested;
        self.deadline = Some(now.saturating_add(self.timeouts.selection_ms));
        let req = AuthRequest {
            task: a.task,
            token,
            nonce,
            ts,
            sig,
        };
        self.out.send(PartyId::Cloud, Message::AuthRequest(req).encode());
    }

    /// Algorithm 1, end of step 3: the index, or not selected.
    fn assigned(&mut self, m: &IndexAssign, now: Time, probe: &mut dyn Probe) {
        let Some(ct) = &m.ct else {
            self.step = Step::Done;
            self.deadline = None;
            self.parked.take();
            return;
        };
        let task = m.task;
        let index = (ct.len() == self.suite.ciphertext_len(2))
            .then(|| {
                self.suite
                    .decrypt(&self.keys.enc, &labels::index(&task, self.vid), ct, &mut self.rng)
            })
            .flatten()
            .and_then(|p| <[u8; 2]>::try_from(p.as_slice()).ok())
            .map(u16::from_be_bytes)
            .filter(|i| *i > 0);
        let Some(index) = index else {
            return self.ignore(PartyId::Cloud, "index ciphertext does not decrypt to an index");
        };
        self.index = index;
        self.step = Step::Selected;
        self.deadline = Some(now.saturating_add(self.timeouts.shares_ms));
        for (from, bytes) in self.parked.take() {
            self.handle_input(now, from, &bytes, probe);
        }
    }

    /// A DP's commitments, relayed by the Edge, checked by the agreement round (the DP's
    /// signature), then handed to the acceptor.
    fn commitments(&mut self, m: Commitments, now: Time, probe: &mut dyn Probe) {
        let Some(agreement) = &mut self.agreement else {
            return self.ignore(
                PartyId::Edge,
                unexpected(crate::wire::MessageKind::Commitments, PartyId::Edge),
            );
        };
        let elements = match agreement.commitments::<B>(&m, self.dps, &self.group) {
            Ok(e) => e,
            Err(why) => return self.ignore(PartyId::Edge, why),
        };
        let d = m.dp;
        let verdicts = self.accept(|a, ctx, rng| a.commitments(ctx, d, elements, rng));
        self.decide(verdicts, now, probe);
    }

    /// Hand the acceptor what its checks need: this CP's [`CpCtx`] and rng.
    fn accept<R>(&mut self, f: impl FnOnce(&mut dyn Acceptor<B>, &CpCtx<'_, B>, &mut DsmpcRng) -> R) -> R {
        let ctx = CpCtx {
            group: &self.group,
            pvss: &self.keys.pvss,
            index: self.index,
        };
        f(&mut *self.acceptor, &ctx, &mut self.rng)
    }

    /// Record verdicts; without an agreement round a failed check ends the session. Once every
    /// DP is decided, go on: with an agreement round a DP is decided by its verdict (its share
    /// waits for its commitments), without one by its share packet.
    fn decide(&mut self, verdicts: Vec<(u32, Verdict)>, now: Time, probe: &mut dyn Probe) {
        if !self.record(verdicts) {
            return;
        }
        let decided = match &self.agreement {
            Some(a) => self.accepted.len() + a.rejected().len() + self.acceptor.pending(),
            None => self.shares.len(),
        };
        if decided as u64 >= u64::from(self.dps) {
            self.shares_done(now, probe);
        }
    }

    /// Record verdicts: accepted DPs, rejected ones (with an agreement round), or the end of the
    /// session (without one). `false` once the session has ended.
    fn record(&mut self, verdicts: Vec<(u32, Verdict)>) -> bool {
        for (d, v) in verdicts {
            match v {
                Verdict::Accepted => {
                    self.accepted.insert(d);
                }
                Verdict::Pvss(reason) => {
                    self.fail(RolesError::PvssRejected {
                        dp: d,
                        cp: self.index,
                        reason,
                    });
                    return false;
                }
                Verdict::Rejected(why) => {
                    let name = self.name();
                    let Some(agreement) = &mut self.agreement else {
                        self.fail(RolesError::ShareUndecryptable { dp: d, cp: self.index });
                        return false;
                    };
                    agreement.reject(d, why);
                    self.out.detect(name, dp_name(d), Action::Rejected, why.to_string());
                }
            }
        }
        true
    }

    /// Every DP decided, or the deadline passed: finish pending checks, then upload (or report).
    /// Without an agreement round a DP whose share never came cannot be left out (the CPs would
    /// sum different sets): the session ends, naming it.
    fn shares_done(&mut self, now: Time, probe: &mut dyn Probe) {
        if self.agreement.is_none() && self.shares.len() < self.dps as usize {
            let missing: Vec<u32> = (1..=self.dps).filter(|d| !self.shares.contains(d)).collect();
            return self.fail(RolesError::MissingShares {
                cp: self.index,
                dps: missing,
            });
        }
        let verdicts = self.accept(|a, ctx, rng| a.finish(ctx, rng));
        self.step = Step::Reported;
        if !self.record(verdicts) {
            return;
        }
        match &self.agreement {
            Some(agreement) => {
                probe.enter(Phase::DpSetAgreement, self.vid);
                // Which DPs this CP accepted and which it rejected, for the Edge; wait for the
                // agreed set longer than the Edge may wait for other CPs' reports.
                let task = self.task.unwrap_or_default();
                let (report, wait) = agreement.report(task, self.index, &self.accepted, &self.timeouts);
                self.deadline = Some(now.saturating_add(wait));
                self.out.send(PartyId::Edge, Message::DpReport(report).encode());
            }
            None => {
                probe.enter(Phase::CpResultEncrypt, self.vid);
                self.upload();
            }
        }
    }

    /// Algorithm 2, step 4 without an agreement round: `Enc_Cpk(sum_i)` over every DP, bound to
    /// the task and i (with one, the agreed DPs are summed in [`Self::agreed`]).
    fn upload(&mut self) {
        let mut plain = self.accept(|a, ctx, _| a.upload(ctx, &[]));
        if let Some(sum) = self.vector.take() {
            // The acceptor summed the combinations; the upload is the sum vector.
            zeroize::Zeroize::zeroize(&mut plain);
            return self.encrypt_vector_upload(sum);
        }
        self.encrypt_upload(plain);
    }

    /// Algorithm 2, step 4 after the sum: encrypt `plain` (the upload's plaintext, wiped here)
    /// for the Cloud and send it to the Edge.
    fn encrypt_upload(&mut self, mut plain: Vec<u8>) {
        let task = self.task.unwrap_or_default();
        let ct = match &self.cloud_pk {
            Some(pk) => self
                .suite
                .encrypt(pk, &labels::result(&task, self.index), &plain, &mut self.rng),
            None => Err(RolesError::OutOfOrder(format!(
                "{} uploads without the Cloud's key",
                self.name()
            ))),
        };
        zeroize::Zeroize::zeroize(&mut plain);
        self.send_upload(ct);
    }

    /// Send the encrypted upload to the Edge (or fail with why it could not be made).
    fn send_upload(&mut self, ct: crate::error::Result<Vec<u8>>) {
        let task = self.task.unwrap_or_default();
        self.step = Step::Done;
        self.deadline = None;
        match ct {
            Ok(ct) => {
                let up = ResultUpload {
                    task,
                    index: self.index,
                    ct,
                };
                self.out.send(PartyId::Edge, Message::ResultUpload(up).encode());
            }
            Err(e) => self.fail(e),
        }
    }

    /// Why a message this CP does not take now is ignored: a second copy of one it took, one
    /// after it was done with the shares, or one it never takes from that sender.
    fn not_taken(&self, m: &Message, from: PartyId) -> Refusal {
        use crate::wire::MessageKind::{AgreedSet, IndexAssign, SharePacket, TaskAnnounce};
        let step = self.step;
        let kind = m.kind();
        let again = match kind {
            TaskAnnounce => step != Step::Candidate,
            IndexAssign => !matches!(step, Step::Candidate | Step::Requested),
            AgreedSet => step == Step::Done && self.index > 0,
            _ => false,
        };
        if matches!((m, from), (Message::SharePacket(p), PartyId::Dp(d)) if p.dp == d && self.shares.contains(&d)) {
            "a second share packet; only the first counts".to_string()
        } else if let (Message::Commitments(c), PartyId::Edge) = (m, from)
            && self.agreement.as_ref().is_some_and(|a| a.committed(c.dp))
        {
            format!("second commitments of {}; only the first count", dp_name(c.dp))
        } else if again && from == Self::source(kind) {
            format!("a second {kind} message; only the first counts")
        } else if step == Step::Done && kind == SharePacket {
            format!("{kind} message after this CP was done with the shares")
        } else {
            unexpected(kind, from)
        }
    }

    /// Who sends this CP a message of `kind`.
    fn source(kind: crate::wire::MessageKind) -> PartyId {
        match kind {
            crate::wire::MessageKind::TaskAnnounce | crate::wire::MessageKind::IndexAssign => PartyId::Cloud,
            _ => PartyId::Edge,
        }
    }

    /// The Edge's agreed set (agreement round). The sum over the agreed DPs is part of the
    /// agreement (`dp_set_agreement`, as in the paper's modes the running sum is part of the
    /// share checks); `cp_result_encrypt` is the encryption and upload alone.
    fn agreed(&mut self, m: &AgreedSet, probe: &mut dyn Probe) {
        probe.enter(Phase::DpSetAgreement, self.vid);
        let mut plain = self.accept(|a, ctx, _| a.upload(ctx, &m.excluded));
        probe.enter(Phase::CpResultEncrypt, self.vid);
        if self.vector.is_some() {
            // `vss` on vectors: the acceptor's sum vector and blinding sum, sealed like a share.
            self.seal_vector_upload(&plain);
            return zeroize::Zeroize::zeroize(&mut plain);
        }
        self.encrypt_upload(plain);
    }
}

impl<B: Backend, S: CipherSuite> Party for ComputingParty<B, S> {
    fn id(&self) -> PartyId {
        PartyId::Cp(self.vid)
    }

    fn handle_input(&mut self, now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe) {
        let msg = match decode_for(bytes, self.task.as_ref()) {
            Ok(m) => m,
            Err(why) => return self.ignore(from, why),
        };
        // Commitments and the agreed set belong to the agreement round, if this CP holds one.
        let (step, agrees) = (self.step, self.agreement.is_some());
        match (msg, from) {
            (Message::TaskAnnounce(a), PartyId::Cloud) if step == Step::Candidate => {
                probe.enter(Phase::CpAuthRequest, self.vid);
                self.request(&a, now);
            }
            (Message::IndexAssign(m), PartyId::Cloud) if step == Step::Requested => {
                probe.enter(Phase::CpIndexDecrypt, self.vid);
                self.assigned(&m, now, probe);
            }
            // Early shares and commitments are held, each only from its own sender (a share
            // claiming its authenticated DP, commitments from the Edge), one per DP.
            (m @ (Message::SharePacket(_) | Message::Commitments(_)), _) if step == Step::Requested => {
                let own = match (&m, from) {
                    (Message::SharePacket(p), PartyId::Dp(d)) => p.dp == d,
                    (Message::Commitments(_), PartyId::Edge) => true,
                    _ => false,
                };
                let cap = if from == PartyId::Edge { self.dps as usize } else { 1 };
                if let (Message::SharePacket(p), PartyId::Dp(d)) = (&m, from)
                    && p.dp != d
                {
                    self.ignore(from, format!("share packet claims to be from {}", dp_name(p.dp)));
                } else if !own {
                    self.ignore(from, unexpected(m.kind(), from));
                } else if !self.parked.park(from, bytes, cap) {
                    self.ignore(
                        from,
                        format!("{} before this CP knew its index, beyond what is held", m.kind()),
                    );
                }
            }
            (Message::SharePacket(m), PartyId::Dp(d)) if step == Step::Selected => {
                probe.enter(Phase::CpDecryptPvssVerifyLocalCompute, self.vid);
                self.share(d, m, now, probe);
            }
            (Message::Commitments(m), PartyId::Edge) if step == Step::Selected && agrees => {
                probe.enter(Phase::CpDecryptPvssVerifyLocalCompute, self.vid);
                self.commitments(m, now, probe);
            }
            (Message::AgreedSet(m), PartyId::Edge) if step == Step::Reported && agrees => self.agreed(&m, probe),
            (m, _) => {
                let why = self.not_taken(&m, from);
                self.ignore(from, why);
            }
        }
    }

    fn handle_timeout(&mut self, now: Time, probe: &mut dyn Probe) {
        if !passed(&mut self.deadline, now) {
            return;
        }
        match self.step {
            Step::Selected => {
                probe.enter(Phase::CpDecryptPvssVerifyLocalCompute, self.vid);
                self.shares_done(now, probe);
            }
            // Never selected, or the agreed set never came: nothing more to do.
            _ => {
                self.step = Step::Done;
                self.parked.take();
            }
        }
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.deadline
    }

    fn outbox(&mut self) -> &mut Outbox {
        &mut self.out
    }
}
