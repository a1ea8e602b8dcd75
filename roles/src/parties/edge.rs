//! The Edge as a state machine. It holds the Cloud's decryption key (as in the reference
//! prototype) and learns the task, t and the selected CPs (index and VID) from the Cloud's
//! roster; messages that come before it are held ([`Parked`]).
//!
//! In the paper's modes it takes every CP's upload, decrypts it and, once all selected CPs have
//! uploaded or the deadline passes, reconstructs the sum from the first t by Lagrange
//! interpolation at 0, checking any further results lie on the same polynomial of degree t-1
//! (a mismatch is [`RolesError::ResultsInconsistent`], an abort; with exactly t there is nothing
//! to check against: [`crate::check::Check::Unchecked`]). The average is the sum over the number
//! of DPs aggregated, printed exactly.
//!
//! When the mode has an agreement round (`vss`) the Edge holds its part ([`EdgeAgreement`]): it
//! takes each DP's signed commitments (from that DP only, once, well formed) and relays them
//! unchanged to every selected CP, takes each CP's [`DpReport`], decides the excluded DPs, and
//! checks every upload against the product of the agreed DPs' commitments before using it. The
//! Edge never asks the mode which: it holds the agreement round or not.
//!
//! An upload or report counts only from the CP the network authenticated as the holder of the
//! index it names, once, and only after every check passed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{Interpolation, Share};
use num_bigint::BigUint;

use super::agreement::{self, EdgeAgreement};
use super::{Outbox, Parked, Party, PartyId, Probe, Time, Timeouts, cp_name, decode_for, dp_name, passed, unexpected};
use crate::check::Verification;
use crate::error::RolesError;
use crate::event::{Action, Event, Outcome};
use crate::keys::DpKeys;
use crate::metrics::Phase;
use crate::suite::CipherSuite;
use crate::vector;
use crate::wire::{Commitments, DpReport, Message, ResultUpload, Roster, TaskId, labels};

/// Where the Edge is in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the roster.
    Roster,
    /// Agreement round: relaying commitments, waiting for the CPs' reports.
    Reports,
    /// Waiting for the uploads.
    Uploads,
    /// Outcome or failure given.
    Done,
}

/// The Edge.
pub struct Edge<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<AnyGroup<B>>,
    check: Arc<dyn Verification<B>>,
    sk: S::EncPrivate,
    dps: u32,
    /// The agreement round, if the mode has one.
    agreement: Option<EdgeAgreement<B>>,
    timeouts: Timeouts,
    step: Step,
    task: Option<TaskId>,
    t: usize,
    /// Selected CPs: index -> VID.
    cps: BTreeMap<u16, u32>,
    results: Vec<Share<B>>,
    /// Vector sessions: the CPs' sum vectors.
    vector: Option<vector::Results<B>>,
    uploaded: BTreeSet<u16>,
    parked: Parked,
    deadline: Option<Time>,
    rng: DsmpcRng,
    out: Outbox,
}

impl<B: Backend, S: CipherSuite> Edge<B, S> {
    /// An Edge holding the Cloud's decryption key, checking as `check` says, for a task with
    /// `dps` DPs whose commitment-signing keys are `dp_keys` (`vss`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        suite: S,
        group: Arc<AnyGroup<B>>,
        check: Arc<dyn Verification<B>>,
        sk: S::EncPrivate,
        dps: u32,
        dp_keys: Option<Arc<DpKeys>>,
        timeouts: Timeouts,
        rng: DsmpcRng,
    ) -> Self {
        let agreement = agreement::for_edge(&*check, group.clone(), dps, dp_keys);
        Edge {
            suite,
            group,
            check,
            sk,
            dps,
            agreement,
            timeouts,
            step: Step::Roster,
            task: None,
            t: 0,
            cps: BTreeMap::new(),
            results: Vec::new(),
            vector: None,
            uploaded: BTreeSet::new(),
            parked: Parked::default(),
            deadline: None,
            rng,
            out: Outbox::default(),
        }
    }

    /// Take sum vectors of `elements` elements (a vector session) instead of scalars.
    pub fn with_vector(mut self, elements: usize) -> Self {
        self.vector = Some(vector::Results::new(elements, self.check.commits()));
        self
    }

    /// Results accepted so far.
    pub fn results(&self) -> usize {
        self.results.len()
    }

    fn ignore(&mut self, from: PartyId, why: impl Into<String>) {
        self.out.detect("Edge", self.name_of(from), Action::Ignored, why);
    }

    /// A sender's log name: `CP(i=..)` for a selected CP.
    fn name_of(&self, from: PartyId) -> String {
        match from {
            PartyId::Cp(vid) => match self.cps.iter().find(|(_, v)| **v == vid) {
                Some((i, _)) => cp_name(*i),
                None => from.to_string(),
            },
            _ => from.to_string(),
        }
    }

    /// The index the CP `vid` holds, if it was selected.
    fn index_of(&self, vid: u32) -> Option<u16> {
        self.cps.iter().find(|(_, v)| **v == vid).map(|(i, _)| *i)
    }

    fn fail(&mut self, e: RolesError) {
        self.step = Step::Done;
        self.deadline = None;
        self.out.event(Event::Failed(e));
    }

    /// The roster: task, t and the selected CPs; then whatever was held.
    fn roster(&mut self, r: Roster, now: Time, probe: &mut dyn Probe) {
        let t = r.t as usize;
        let cps: BTreeMap<u16, u32> = r.entries.iter().map(|e| (e.index, e.vid)).collect();
        if t < 2 || t > cps.len() || cps.len() != r.entries.len() || cps.contains_key(&0) {
            return self.ignore(
                PartyId::Cloud,
                format!("bad roster: t = {t} with {} CPs", r.entries.len()),
            );
        }
        self.task = Some(r.task);
        self.t = t;
        self.cps = cps;
        self.step = if self.agreement.is_some() {
            Step::Reports
        } else {
            Step::Uploads
        };
        let wait = self.timeouts.shares_ms + self.timeouts.round_ms;
        self.deadline = Some(now.saturating_add(wait));
        for (from, bytes) in self.parked.take() {
            self.handle_input(now, from, &bytes, probe);
        }
    }

    /// Agreement round: DP d's commitments, checked and relayed by [`EdgeAgreement`].
    fn commitments(&mut self, d: u32, bytes: &[u8], m: Commitments) {
        let from = PartyId::Dp(d);
        let Some(agreement) = &mut self.agreement else {
            return self.ignore(from, unexpected(crate::wire::MessageKind::Commitments, from));
        };
        if let Err(why) = agreement.commitments((&self.cps, self.t), d, bytes, &m, &mut self.out) {
            self.ignore(from, why);
        }
    }

    /// Agreement round: one CP's report, from the CP holding the index it names.
    fn report(&mut self, vid: u32, m: DpReport, now: Time) {
        let from = PartyId::Cp(vid);
        if self.index_of(vid) != Some(m.index) {
            return self.ignore(from, format!("report claims to be from {}", cp_name(m.index)));
        }
        let Some(agreement) = &mut self.agreement else {
            return self.ignore(from, unexpected(crate::wire::MessageKind::DpReport, from));
        };
        match agreement.report(self.cps.len(), m) {
            Ok(true) => self.agree(now),
            Ok(false) => {}
            Err(why) => self.ignore(from, why),
        }
    }

    /// Agreement round: decide the agreed set and send it; then wait for the uploads.
    fn agree(&mut self, now: Time) {
        let Some(agreement) = &mut self.agreement else {
            return;
        };
        let task = self.task.unwrap_or_default();
        match agreement.agree(task, (&self.cps, self.t), &mut self.out) {
            Ok(()) => {
                self.step = Step::Uploads;
                self.deadline = Some(now.saturating_add(self.timeouts.round_ms));
            }
            Err(e) => self.fail(e),
        }
    }

    /// One upload: from the CP holding the index it names (with an agreement round, one that
    /// reported), once, decrypted and checked before it takes the slot.
    fn upload(&mut self, vid: u32, m: ResultUpload) -> Result<(), String> {
        if self.index_of(vid) != Some(m.index) {
            return Err(format!("upload claims to be from {}", cp_name(m.index)));
        }
        if self.uploaded.contains(&m.index) {
            return Err("a second upload; only the first counts".into());
        }
        if self.agreement.as_ref().is_some_and(|a| !a.reported(m.index)) {
            return Err("it took no part in the agreement round".into());
        }
        let task = self.task.unwrap_or_default();
        if let Some(v) = &mut self.vector {
            let label = labels::result(&task, m.index);
            v.take(
                &self.suite,
                &self.sk,
                &label,
                m.index,
                &m.ct,
                &self.group,
                &mut self.rng,
            )?;
            self.uploaded.insert(m.index);
            return Ok(());
        }
        let sl = self.group.zq().element_len();
        // The ciphertext's length (RSA: its number of blocks) before any decryption.
        let want = self.suite.ciphertext_len(self.check.share_scalars() * sl);
        if m.ct.len() != want {
            return Err(format!("a result ciphertext of {} bytes, not {want}", m.ct.len()));
        }
        let mut plain = self
            .suite
            .decrypt(&self.sk, &labels::result(&task, m.index), &m.ct, &mut self.rng)
            .ok_or("the result does not decrypt under the Cloud's key for this task and index")?;
        let zq = self.group.zq();
        let scalars: Option<Vec<B::Int>> = (plain.len() == self.check.share_scalars() * sl)
            .then(|| plain.chunks(sl).map(|c| zq.from_bytes(c, "sum-share").ok()).collect())
            .flatten();
        zeroize::Zeroize::zeroize(&mut plain);
        let scalars = scalars.ok_or("the result is not a sum-share below q")?;
        let combined = match &mut self.agreement {
            Some(a) => Some(a.combined()?),
            None => None,
        };
        self.check.check_result(&self.group, combined, m.index, &scalars)?;
        self.uploaded.insert(m.index);
        let y = scalars.into_iter().next().ok_or("empty result")?;
        self.results.push(Share {
            x: u64::from(m.index),
            y,
        });
        Ok(())
    }

    /// Every expected upload is in, or the deadline passed: reconstruct from the first t.
    fn reconstruct(&mut self) {
        let expected: Vec<u16> = match &self.agreement {
            Some(a) => a.reporters(),
            None => self.cps.keys().copied().collect(),
        };
        for i in expected.iter().filter(|i| !self.uploaded.contains(i)) {
            let why = self.cps.get(i).map_or_else(
                || "no usable result arrived".to_string(),
                |vid| format!("no usable result arrived from the CP with VID {vid}"),
            );
            self.out.detect("Edge", cp_name(*i), Action::Silent, why);
        }
        let got = self
            .vector
            .as_ref()
            .map_or(self.results.len(), vector::Results::<B>::len);
        if got < self.t {
            return self.fail(RolesError::NotEnoughResults { got, need: self.t });
        }
        if self.vector.is_some() {
            return self.reconstruct_vector();
        }
        // One polynomial through the first t results: the sum at 0, the others checked on it.
        let outcome = Interpolation::new(self.group.zq(), &self.results[..self.t])
            .map_err(RolesError::from)
            .and_then(|curve| {
                let check = self.check.conclude(&self.group, &curve, &self.results, self.t)?;
                let sum = curve.at(self.group.zq(), 0);
                let agreed = self.agreement.as_ref().and_then(EdgeAgreement::agreed);
                let n = agreed.map_or(self.dps as usize, <[u32]>::len);
                Ok(Outcome {
                    sum: BigUint::from_bytes_be(&B::to_be_bytes(&sum)),
                    n,
                    check,
                    vector: None,
                })
            });
        self.step = Step::Done;
        self.deadline = None;
        match outcome {
            Ok(o) => self.out.event(Event::Outcome(o)),
            Err(e) => self.fail(e),
        }
    }

    /// [`Self::reconstruct`] for a vector session: the aggregate from the first t sum vectors;
    /// in the paper's modes every further one must lie on the same polynomials, in `vss` each
    /// was checked against the agreed DPs' commitments when it came.
    fn reconstruct_vector(&mut self) {
        if let (Some(results), Some(agreement)) = (&mut self.vector, &mut self.agreement) {
            let bad = match agreement.combined() {
                Ok(combined) => results.verify(&self.group, combined, &mut self.rng),
                Err(e) => return self.fail(RolesError::Config(e)),
            };
            for x in bad {
                let why = "(sum vector, blinding sum) does not match the agreed DPs' combined commitments";
                self.out.detect("Edge", cp_name(x as u16), Action::Skipped, why);
            }
            if results.len() < self.t {
                let got = results.len();
                return self.fail(RolesError::NotEnoughResults { got, need: self.t });
            }
        }
        let Some(results) = &self.vector else { return };
        let agreed = self.agreement.as_ref().and_then(EdgeAgreement::agreed);
        let n = agreed.map_or(self.dps as usize, <[u32]>::len);
        let outcome = results
            .reconstruct(&self.group, self.t)
            .and_then(|(aggregate, check, off)| {
                if !off.is_empty() {
                    return Err(RolesError::ResultsInconsistent {
                        results: results.len(),
                        t: self.t,
                    });
                }
                Ok(Outcome {
                    sum: BigUint::default(),
                    n,
                    check,
                    vector: Some(aggregate),
                })
            });
        self.step = Step::Done;
        self.deadline = None;
        match outcome {
            Ok(o) => self.out.event(Event::Outcome(o)),
            Err(e) => self.fail(e),
        }
    }

    /// Uploads to expect: from every CP that reported (agreement round), or every selected CP.
    fn expected_uploads(&self) -> usize {
        match &self.agreement {
            Some(a) => a.reporting(),
            None => self.cps.len(),
        }
    }
}

impl<B: Backend, S: CipherSuite> Party for Edge<B, S> {
    fn id(&self) -> PartyId {
        PartyId::Edge
    }

    /// The roster is due once selection and sharing could be over.
    fn start(&mut self, now: Time, _probe: &mut dyn Probe) {
        let t = self.timeouts;
        self.deadline = Some(now.saturating_add(t.selection_ms + t.shares_ms + t.round_ms));
    }

    fn handle_input(&mut self, now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe) {
        let msg = match decode_for(bytes, self.task.as_ref()) {
            Ok(m) => m,
            Err(why) => return self.ignore(from, why),
        };
        let (step, agrees) = (self.step, self.agreement.is_some());
        match (msg, from) {
            (Message::Roster(r), PartyId::Cloud) if step == Step::Roster => self.roster(r, now, probe),
            // Early messages are held, each only from a sender that may send it: a DP's own
            // commitments, a vehicle's report or upload (checked once the roster says who holds
            // which index).
            (m @ (Message::Commitments(_) | Message::DpReport(_) | Message::ResultUpload(_)), _)
                if step == Step::Roster =>
            {
                let own = match (&m, from) {
                    (Message::Commitments(c), PartyId::Dp(d)) => c.dp == d,
                    (Message::DpReport(_) | Message::ResultUpload(_), PartyId::Cp(_)) => true,
                    _ => false,
                };
                if let (Message::Commitments(c), PartyId::Dp(d)) = (&m, from)
                    && c.dp != d
                {
                    self.ignore(from, format!("commitments claim to be from {}", dp_name(c.dp)));
                } else if !own {
                    self.ignore(from, unexpected(m.kind(), from));
                } else if !self.parked.park(from, bytes, 2) {
                    self.ignore(from, format!("{} before the roster, beyond what is held", m.kind()));
                }
            }
            (Message::Commitments(m), PartyId::Dp(d)) if step == Step::Reports => {
                probe.enter(Phase::DpSetAgreement, 0);
                self.commitments(d, bytes, m);
            }
            (Message::DpReport(m), PartyId::Cp(vid)) if step == Step::Reports => {
                probe.enter(Phase::DpSetAgreement, 0);
                self.report(vid, m, now);
            }
            (Message::ResultUpload(m), PartyId::Cp(vid)) if step == Step::Uploads => {
                probe.enter(Phase::EdgeReconstruct, 0);
                let index = m.index;
                if let Err(why) = self.upload(vid, m) {
                    let action = if why.starts_with("a second") || why.contains("claims") {
                        Action::Ignored
                    } else {
                        Action::Skipped
                    };
                    let subject = if why.contains("claims") {
                        self.name_of(from)
                    } else {
                        cp_name(index)
                    };
                    self.out.detect("Edge", subject, action, why);
                }
                if self.uploaded.len() == self.expected_uploads() {
                    self.reconstruct();
                }
            }
            (m, _) => {
                let why = if step == Step::Done || (agrees && m.kind() == crate::wire::MessageKind::Commitments) {
                    format!("{} message at a step that does not take it", m.kind())
                } else {
                    unexpected(m.kind(), from)
                };
                self.ignore(from, why);
            }
        }
    }

    fn handle_timeout(&mut self, now: Time, probe: &mut dyn Probe) {
        if !passed(&mut self.deadline, now) {
            return;
        }
        match self.step {
            Step::Reports => {
                probe.enter(Phase::DpSetAgreement, 0);
                self.agree(now);
            }
            Step::Uploads => {
                probe.enter(Phase::EdgeReconstruct, 0);
                self.reconstruct();
            }
            Step::Roster => self.fail(RolesError::NoRoster),
            Step::Done => {}
        }
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.deadline
    }

    fn outbox(&mut self) -> &mut Outbox {
        &mut self.out
    }
}
