//! The Edge as a state machine. It holds the Cloud's decryption key (as in the reference
//! prototype) and learns the task, t and the selected CPs (index and VID) from the Cloud's
//! roster; messages that come before it are held ([`Parked`]).
//!
//! In the paper's modes it takes every CP's upload, decrypts it and, once all selected CPs have
//! uploaded or the deadline passes, reconstructs the sum from the first t by Lagrange
//! interpolation at 0, checking any further results lie on the same polynomial of degree t-1
//! (a mismatch is [`RolesError::ResultsInconsistent`], an abort; with exactly t there is nothing
//! to check against: [`Check::Unchecked`]). The average is the sum over the number of DPs
//! aggregated, printed exactly.
//!
//! In `vss` mode it also takes each DP's signed commitments (from that DP only, once, well
//! formed), relays them unchanged to every selected CP, runs the agreement round (each CP's
//! [`DpReport`] in, the excluded DPs out: a DP is excluded if its commitments did not arrive
//! well formed, if any reporting CP rejected it, or if any reporting CP did not get its share),
//! and checks every upload against the product of the agreed DPs' commitments before using it.
//!
//! An upload or report counts only from the CP the network authenticated as the holder of the
//! index it names, once, and only after every check passed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{self, Share};
use dsmpc_core::vss;
use num_bigint::BigUint;

use super::{Outbox, Parked, Party, PartyId, Probe, Time, Timeouts, cp_name, decode_for, dp_name, passed, unexpected};
use crate::check::Verification;
use crate::error::RolesError;
use crate::event::{Action, Event};
use crate::keys::DpKeys;
use crate::metrics::Phase;
use crate::suite::CipherSuite;
use crate::wire::{AgreedSet, Commitments, DpReport, Message, ResultUpload, Roster, TaskId, labels};

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

/// The reconstructed aggregate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Sum of the aggregated DPs' values.
    pub sum: BigUint,
    /// Number of DPs aggregated (all n, or the agreed set in `vss` mode).
    pub n: usize,
    /// How far the results were checked.
    pub check: Check,
}

impl Outcome {
    /// The average `sum / n`, exactly, as a decimal with `places` digits (rounded half up).
    pub fn average(&self, places: u32) -> String {
        exact_average(&self.sum, self.n as u64, places)
    }
}

/// `sum / n` as a decimal string with `places` digits after the point, rounded half up.
pub fn exact_average(sum: &BigUint, n: u64, places: u32) -> String {
    if n == 0 {
        return "NaN".into();
    }
    let scale = BigUint::from(10u32).pow(places);
    let n = BigUint::from(n);
    let scaled = (sum * &scale * 2u32 + &n) / (n * 2u32);
    let (int, frac) = (&scaled / &scale, &scaled % &scale);
    if places == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    }
}

/// Where the Edge is in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the roster.
    Roster,
    /// `vss`: relaying commitments, waiting for the CPs' reports.
    Reports,
    /// Waiting for the uploads.
    Uploads,
    /// Outcome or failure given.
    Done,
}

/// The Edge.
pub struct Edge<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    check: Arc<dyn Verification<B>>,
    sk: S::EncPrivate,
    dps: u32,
    dp_keys: Option<Arc<crate::keys::DpKeys>>,
    timeouts: Timeouts,
    step: Step,
    task: Option<TaskId>,
    t: usize,
    /// Selected CPs: index -> VID.
    cps: BTreeMap<u16, u32>,
    commitments: BTreeMap<u32, Vec<B::Int>>,
    bad_commitments: BTreeMap<u32, String>,
    reports: BTreeMap<u16, DpReport>,
    agreed: Option<Vec<u32>>,
    combined: Option<Vec<B::Int>>,
    results: Vec<Share<B>>,
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
        group: Arc<SchnorrGroup<B>>,
        check: Arc<dyn Verification<B>>,
        sk: S::EncPrivate,
        dps: u32,
        dp_keys: Option<Arc<DpKeys>>,
        timeouts: Timeouts,
        rng: DsmpcRng,
    ) -> Self {
        Edge {
            suite,
            group,
            check,
            sk,
            dps,
            dp_keys,
            timeouts,
            step: Step::Roster,
            task: None,
            t: 0,
            cps: BTreeMap::new(),
            commitments: BTreeMap::new(),
            bad_commitments: BTreeMap::new(),
            reports: BTreeMap::new(),
            agreed: None,
            combined: None,
            results: Vec::new(),
            uploaded: BTreeSet::new(),
            parked: Parked::default(),
            deadline: None,
            rng,
            out: Outbox::default(),
        }
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
        self.step = if self.check.commits() {
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

    /// `vss`: DP d's commitments: from DP d, once, signed, t well-formed elements; relayed to
    /// every selected CP. Malformed ones from DP d itself exclude it.
    fn commitments(&mut self, d: u32, bytes: &[u8], m: Commitments) {
        let from = PartyId::Dp(d);
        if m.dp != d {
            return self.ignore(from, format!("commitments claim to be from {}", dp_name(m.dp)));
        }
        if d == 0 || d > self.dps {
            return self.ignore(from, "not a DP of this task");
        }
        if self.commitments.contains_key(&d) || self.bad_commitments.contains_key(&d) {
            return self.ignore(from, "second commitments; only the first count");
        }
        let el = self.group.element_len();
        let signed = self.dp_keys.as_ref().is_some_and(|k| k.verify(&m));
        let parsed: Option<Vec<B::Int>> = (m.elements.len() == self.t)
            .then(|| {
                m.elements
                    .iter()
                    .map(|e| Some(B::from_be_bytes(e)).filter(|x| e.len() == el && self.group.is_well_formed(x)))
                    .collect()
            })
            .flatten();
        match parsed {
            Some(c) if signed => {
                self.commitments.insert(d, c);
                let relay: Arc<[u8]> = bytes.into();
                for vid in self.cps.values() {
                    self.out.send(PartyId::Cp(*vid), relay.clone());
                }
            }
            _ => {
                let why = if signed {
                    format!(
                        "{} commitments, need t = {} group elements of {el} bytes",
                        m.elements.len(),
                        self.t
                    )
                } else {
                    "the signature does not verify under the DP's key".into()
                };
                self.out
                    .detect("Edge", dp_name(d), Action::Rejected, format!("commitments: {why}"));
                self.bad_commitments
                    .insert(d, format!("its commitments are malformed ({why})"));
            }
        }
    }

    /// `vss`, agreement round: one CP's report, from the CP holding the index it names.
    fn report(&mut self, vid: u32, m: DpReport, now: Time) {
        let from = PartyId::Cp(vid);
        if self.index_of(vid) != Some(m.index) {
            return self.ignore(from, format!("report claims to be from {}", cp_name(m.index)));
        }
        if self.reports.contains_key(&m.index) {
            return self.ignore(from, "a second report; only the first counts");
        }
        let n = self.dps;
        let last = m.accepted.last().map(|r| r.1).into_iter();
        if last.chain(m.rejected.iter().map(|r| r.0)).any(|d| d == 0 || d > n)
            || m.accepted.first().is_some_and(|r| r.0 == 0)
        {
            return self.ignore(from, format!("report names a DP outside 1..={n}"));
        }
        self.reports.insert(m.index, m);
        if self.reports.len() == self.cps.len() {
            self.agree(now);
        }
    }

    /// `vss`, agreement round: decide the agreed set from the reports received and send it to
    /// every CP that reported. Fewer than t reports, or no DP left, is an abort.
    fn agree(&mut self, now: Time) {
        for (i, vid) in self.cps.clone().iter().filter(|(i, _)| !self.reports.contains_key(i)) {
            self.out.detect(
                "Edge",
                cp_name(*i),
                Action::Silent,
                format!("no report from the CP with VID {vid} reached the Edge: left out of the aggregation"),
            );
        }
        if self.reports.len() < self.t {
            return self.fail(RolesError::TooFewCps {
                active: self.reports.len(),
                need: self.t,
            });
        }
        let (agreed, excluded) = self.decide_dps();
        if agreed.is_empty() {
            return self.fail(RolesError::NoAgreedDps { n: self.dps as usize });
        }
        for (d, why) in &excluded {
            self.out.detect("Edge", dp_name(*d), Action::Excluded, why.clone());
        }
        let message: Arc<[u8]> = Message::AgreedSet(AgreedSet {
            task: self.task.unwrap_or_default(),
            excluded: excluded.keys().copied().collect(),
        })
        .encode()
        .into();
        for i in self.reports.keys() {
            self.out.send(PartyId::Cp(self.cps[i]), message.clone());
        }
        self.out.event(Event::Agreed { excluded });
        self.agreed = Some(agreed);
        self.step = Step::Uploads;
        self.deadline = Some(now.saturating_add(self.timeouts.round_ms));
    }

    /// The agreed DPs, and the excluded ones with why.
    fn decide_dps(&self) -> (Vec<u32>, BTreeMap<u32, String>) {
        let mut excluded = BTreeMap::new();
        let mut agreed = Vec::new();
        for d in 1..=self.dps {
            let mut why: Vec<String> = Vec::new();
            if let Some(bad) = self.bad_commitments.get(&d) {
                why.push(bad.clone());
            } else if !self.commitments.contains_key(&d) {
                why.push("its commitments did not reach the Edge".into());
            }
            let mut missed = Vec::new();
            for (i, r) in &self.reports {
                if let Ok(k) = r.rejected.binary_search_by_key(&d, |x| x.0) {
                    why.push(format!("rejected by {}: {}", cp_name(*i), r.rejected[k].1));
                } else if !r.accepts(d) {
                    missed.push(cp_name(*i));
                }
            }
            if !missed.is_empty() {
                why.push(format!("its share did not reach {}", missed.join(", ")));
            }
            if why.is_empty() {
                agreed.push(d);
            } else {
                excluded.insert(d, why.join("; "));
            }
        }
        (agreed, excluded)
    }

    /// One upload: from the CP holding the index it names (in `vss` one that reported), once,
    /// decrypted and checked before it takes the slot.
    fn upload(&mut self, vid: u32, m: ResultUpload) -> Result<(), String> {
        if self.index_of(vid) != Some(m.index) {
            return Err(format!("upload claims to be from {}", cp_name(m.index)));
        }
        if self.uploaded.contains(&m.index) {
            return Err("a second upload; only the first counts".into());
        }
        if self.check.commits() && !self.reports.contains_key(&m.index) {
            return Err("it took no part in the agreement round".into());
        }
        let task = self.task.unwrap_or_default();
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
        if self.check.commits() && self.combined.is_none() {
            let agreed = self.agreed.clone().unwrap_or_default();
            let lists: Vec<&[B::Int]> = agreed
                .iter()
                .filter_map(|d| self.commitments.get(d).map(Vec::as_slice))
                .collect();
            self.combined = Some(vss::combine(self.group.as_ref(), &lists).map_err(|e| e.to_string())?);
        }
        self.check
            .check_result(&self.group, self.combined.as_deref(), m.index, &scalars)?;
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
        let expected: Vec<u16> = if self.check.commits() {
            self.reports.keys().copied().collect()
        } else {
            self.cps.keys().copied().collect()
        };
        for i in expected.iter().filter(|i| !self.uploaded.contains(i)) {
            let why = self.cps.get(i).map_or_else(
                || "no usable result arrived".to_string(),
                |vid| format!("no usable result arrived from the CP with VID {vid}"),
            );
            self.out.detect("Edge", cp_name(*i), Action::Silent, why);
        }
        if self.results.len() < self.t {
            return self.fail(RolesError::NotEnoughResults {
                got: self.results.len(),
                need: self.t,
            });
        }
        let outcome = self
            .check
            .conclude(&self.group, &self.results, self.t)
            .and_then(|check| {
                let sum = shamir::reconstruct(self.group.zq(), &self.results, self.t)?;
                let n = self.agreed.as_ref().map_or(self.dps as usize, Vec::len);
                Ok(Outcome {
                    sum: BigUint::from_bytes_be(&B::to_be_bytes(&sum)),
                    n,
                    check,
                })
            });
        self.step = Step::Done;
        self.deadline = None;
        match outcome {
            Ok(o) => self.out.event(Event::Outcome(o)),
            Err(e) => self.fail(e),
        }
    }

    fn expected_uploads(&self) -> usize {
        if self.check.commits() {
            self.reports.len()
        } else {
            self.cps.len()
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
        let (step, vss) = (self.step, self.check.commits());
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
                let why = if step == Step::Done || (vss && m.kind() == crate::wire::MessageKind::Commitments) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_are_exact_and_rounded_half_up() {
        assert_eq!(exact_average(&BigUint::from(10u32), 4, 2), "2.50");
        assert_eq!(exact_average(&BigUint::from(2u32), 3, 3), "0.667");
        assert_eq!(exact_average(&BigUint::from(1u32), 3, 0), "0");
        assert_eq!(exact_average(&BigUint::from(5u32), 2, 0), "3");
        assert_eq!(exact_average(&BigUint::from(0u32), 7, 1), "0.0");
    }
}
