//! The agreement round (`vss`, beyond the paper) as its own part, held by the CP and the Edge
//! only when the mode has one ([`for_cp`], [`for_edge`]): the parties never ask the mode.
//!
//! In the paper's modes every CP sums every DP, so a DP whose share fails its check ends the
//! session. With an agreement round a failed DP is left out instead, and the CPs must agree on
//! whom they sum:
//!
//! 1. each DP signs its coefficient commitments and sends them to the Edge, which takes them
//!    from that DP only, once, well formed ([`EdgeAgreement::commitments`]), and relays them
//!    unchanged to every selected CP; each CP checks the DP's signature itself
//!    ([`CpAgreement::commitments`]);
//! 2. once every DP is decided, each CP reports the DPs it accepted and those it rejected and
//!    why ([`CpAgreement::report`] -> [`DpReport`]);
//! 3. the Edge takes one report per CP ([`EdgeAgreement::report`]) and decides the agreed set
//!    ([`EdgeAgreement::agree`]): a DP is excluded if its commitments did not arrive well
//!    formed, if any reporting CP rejected it, or if any reporting CP did not get its share;
//! 4. each reporting CP uploads over the agreed DPs, and the Edge checks every upload against
//!    the product of their commitments ([`EdgeAgreement::combined`]).
//!
//! The checks of the shares themselves stay with the mode ([`crate::check::vss`]); this part
//! holds who committed, who was rejected, the reports and the agreed set.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyElement, AnyGroup, PrimeOrderGroup};
use dsmpc_core::vss;

use super::{Outbox, PartyId, Refusal, Timeouts, cp_name, dp_name};
use crate::check::Verification;
use crate::error::RolesError;
use crate::event::{Action, Event};
use crate::keys::DpKeys;
use crate::wire::{AgreedSet, Commitments, DpReport, Message, Rejection, TaskId};

/// The CP's agreement round, if the mode `check` has one; `dp_keys` verify the DPs'
/// commitment signatures.
pub(crate) fn for_cp<B: Backend>(check: &dyn Verification<B>, dp_keys: Option<Arc<DpKeys>>) -> Option<CpAgreement> {
    check.commits().then(|| CpAgreement {
        dp_keys,
        committed: BTreeSet::new(),
        rejected: BTreeMap::new(),
    })
}

/// The Edge's agreement round in `group` with `dps` DPs, if the mode `check` has one;
/// `dp_keys` verify the DPs' commitment signatures.
pub(crate) fn for_edge<B: Backend>(
    check: &dyn Verification<B>,
    group: Arc<AnyGroup<B>>,
    dps: u32,
    dp_keys: Option<Arc<DpKeys>>,
) -> Option<EdgeAgreement<B>> {
    check.commits().then(|| EdgeAgreement {
        group,
        dps,
        dp_keys,
        commitments: BTreeMap::new(),
        bad_commitments: BTreeMap::new(),
        reports: BTreeMap::new(),
        agreed: None,
        combined: None,
    })
}

/// A CP's part of the agreement round: whose commitments it took, whom it rejected.
pub(crate) struct CpAgreement {
    dp_keys: Option<Arc<DpKeys>>,
    committed: BTreeSet<u32>,
    rejected: BTreeMap<u32, Rejection>,
}

impl CpAgreement {
    /// A DP's commitments, relayed by the Edge: of a DP of this task (1..=`dps`), once, signed
    /// by that DP, every element of the group's length. The elements (one that does not parse as
    /// the identity, which the acceptor's element check refuses), or why they are ignored.
    pub(crate) fn commitments<B: Backend>(
        &mut self,
        m: &Commitments,
        dps: u32,
        group: &AnyGroup<B>,
    ) -> Result<Vec<AnyElement<B>>, Refusal> {
        let element_len = group.element_len();
        let d = m.dp;
        if d == 0 || d > dps {
            return Err(format!("commitments of {}, not a DP of this task", dp_name(d)));
        }
        if self.committed.contains(&d) {
            return Err(format!("second commitments of {}; only the first count", dp_name(d)));
        }
        let signed = self.dp_keys.as_ref().is_some_and(|k| k.verify(m));
        if !signed || m.elements.is_empty() || m.elements.iter().any(|e| e.len() != element_len) {
            return Err(format!(
                "commitments of {} without a valid signature of that DP, or malformed",
                dp_name(d)
            ));
        }
        self.committed.insert(d);
        Ok(m.elements.iter().map(|e| group.parse_or_identity(e)).collect())
    }

    /// Whether DP `d`'s commitments were taken.
    pub(crate) fn committed(&self, d: u32) -> bool {
        self.committed.contains(&d)
    }

    /// DP `d` is rejected for `why`: left out, not the end of the session.
    pub(crate) fn reject(&mut self, d: u32, why: Rejection) {
        self.rejected.insert(d, why);
    }

    /// The DPs rejected so far and why.
    pub(crate) fn rejected(&self) -> &BTreeMap<u32, Rejection> {
        &self.rejected
    }

    /// The report for the Edge: the DPs `accepted` and the ones rejected; and how long to wait
    /// for the agreed set (longer than the Edge may wait for other CPs' reports).
    pub(crate) fn report(
        &self,
        task: TaskId,
        index: u16,
        accepted: &BTreeSet<u32>,
        timeouts: &Timeouts,
    ) -> (DpReport, u64) {
        let r = DpReport {
            task,
            index,
            accepted: DpReport::ranges(accepted.iter().copied()),
            rejected: self.rejected.iter().map(|(d, w)| (*d, *w)).collect(),
        };
        (r, timeouts.shares_ms + 2 * timeouts.round_ms)
    }
}

/// The Edge's part of the agreement round: the DPs' commitments, the CPs' reports, the agreed
/// set and the agreed DPs' combined commitments.
pub(crate) struct EdgeAgreement<B: Backend> {
    group: Arc<AnyGroup<B>>,
    dps: u32,
    dp_keys: Option<Arc<DpKeys>>,
    commitments: BTreeMap<u32, Vec<AnyElement<B>>>,
    bad_commitments: BTreeMap<u32, String>,
    reports: BTreeMap<u16, DpReport>,
    agreed: Option<Vec<u32>>,
    combined: Option<Vec<AnyElement<B>>>,
}

impl<B: Backend> EdgeAgreement<B> {
    /// DP d's commitments (`bytes` encode `m`): from DP d, once, signed, `t` well-formed
    /// elements; relayed to every selected CP of `cps` (index -> VID). Malformed ones from DP d
    /// itself exclude it. Why they are ignored, if they are.
    pub(crate) fn commitments(
        &mut self,
        (cps, t): (&BTreeMap<u16, u32>, usize),
        d: u32,
        bytes: &[u8],
        m: &Commitments,
        out: &mut Outbox,
    ) -> Result<(), Refusal> {
        if m.dp != d {
            return Err(format!("commitments claim to be from {}", dp_name(m.dp)));
        }
        if d == 0 || d > self.dps {
            return Err("not a DP of this task".into());
        }
        if self.commitments.contains_key(&d) || self.bad_commitments.contains_key(&d) {
            return Err("second commitments; only the first count".into());
        }
        let group = &*self.group;
        let el = group.element_len();
        let signed = self.dp_keys.as_ref().is_some_and(|k| k.verify(m));
        let parsed: Option<Vec<AnyElement<B>>> = (m.elements.len() == t)
            .then(|| {
                m.elements
                    .iter()
                    .map(|e| {
                        group
                            .parse_element(e)
                            .filter(|x| e.len() == el && group.check_element(x))
                    })
                    .collect()
            })
            .flatten();
        match parsed {
            Some(c) if signed => {
                self.commitments.insert(d, c);
                let relay: Arc<[u8]> = bytes.into();
                for vid in cps.values() {
                    out.send(PartyId::Cp(*vid), relay.clone());
                }
            }
            _ => {
                let why = if signed {
                    format!(
                        "{} commitments, need t = {t} group elements of {el} bytes",
                        m.elements.len()
                    )
                } else {
                    "the signature does not verify under the DP's key".into()
                };
                out.detect("Edge", dp_name(d), Action::Rejected, format!("commitments: {why}"));
                self.bad_commitments
                    .insert(d, format!("its commitments are malformed ({why})"));
            }
        }
        Ok(())
    }

    /// One CP's report `m` (the roster already says it holds the index it names): once, naming
    /// DPs of this task only. Whether all `selected` CPs have now reported, or why it is ignored.
    pub(crate) fn report(&mut self, selected: usize, m: DpReport) -> Result<bool, Refusal> {
        if self.reports.contains_key(&m.index) {
            return Err("a second report; only the first counts".into());
        }
        let n = self.dps;
        let last = m.accepted.last().map(|r| r.1).into_iter();
        if last.chain(m.rejected.iter().map(|r| r.0)).any(|d| d == 0 || d > n)
            || m.accepted.first().is_some_and(|r| r.0 == 0)
        {
            return Err(format!("report names a DP outside 1..={n}"));
        }
        self.reports.insert(m.index, m);
        Ok(self.reports.len() == selected)
    }

    /// Decide the agreed set from the reports received and send it (for `task`) to every CP of
    /// `cps` (index -> VID) that reported. Fewer than `t` reports, or no DP left, is an abort.
    pub(crate) fn agree(
        &mut self,
        task: TaskId,
        (cps, t): (&BTreeMap<u16, u32>, usize),
        out: &mut Outbox,
    ) -> Result<(), RolesError> {
        for (i, vid) in cps.iter().filter(|(i, _)| !self.reports.contains_key(i)) {
            out.detect(
                "Edge",
                cp_name(*i),
                Action::Silent,
                format!("no report from the CP with VID {vid} reached the Edge: left out of the aggregation"),
            );
        }
        if self.reports.len() < t {
            return Err(RolesError::TooFewCps {
                active: self.reports.len(),
                need: t,
            });
        }
        let (agreed, excluded) = self.decide_dps();
        if agreed.is_empty() {
            return Err(RolesError::NoAgreedDps { n: self.dps as usize });
        }
        for (d, why) in &excluded {
            out.detect("Edge", dp_name(*d), Action::Excluded, why.clone());
        }
        let message: Arc<[u8]> = Message::AgreedSet(AgreedSet {
            task,
            excluded: excluded.keys().copied().collect(),
        })
        .encode()
        .into();
        for i in self.reports.keys() {
            out.send(PartyId::Cp(cps[i]), message.clone());
        }
        out.event(Event::Agreed { excluded });
        self.agreed = Some(agreed);
        Ok(())
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

    /// Whether the CP holding `index` took part (reported).
    pub(crate) fn reported(&self, index: u16) -> bool {
        self.reports.contains_key(&index)
    }

    /// How many CPs reported: the uploads to expect.
    pub(crate) fn reporting(&self) -> usize {
        self.reports.len()
    }

    /// The indices of the CPs that reported.
    pub(crate) fn reporters(&self) -> Vec<u16> {
        self.reports.keys().copied().collect()
    }

    /// The agreed DPs, once decided.
    pub(crate) fn agreed(&self) -> Option<&[u32]> {
        self.agreed.as_deref()
    }

    /// The product of the agreed DPs' commitments, computed on first use.
    pub(crate) fn combined(&mut self) -> Result<&[AnyElement<B>], String> {
        if self.combined.is_none() {
            let agreed = self.agreed.clone().unwrap_or_default();
            let lists: Vec<&[AnyElement<B>]> = agreed
                .iter()
                .filter_map(|d| self.commitments.get(d).map(Vec::as_slice))
                .collect();
            self.combined = Some(vss::combine(self.group.as_ref(), &lists).map_err(|e| e.to_string())?);
        }
        Ok(self.combined.as_deref().unwrap_or_default())
    }
}
