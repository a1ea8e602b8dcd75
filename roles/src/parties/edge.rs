//! The Edge: holds the Cloud's decryption key (as in the reference prototype), decrypts the
//! results the CPs upload and reconstructs the sum by Lagrange interpolation at 0; the average
//! is the sum over the number of DPs aggregated, printed exactly.
//!
//! In the paper's modes every result that arrives is decrypted; the sum comes from the first t,
//! and any further results are checked to lie on the same polynomial of degree t-1. A mismatch
//! aborts ([`RolesError::ResultsInconsistent`]): a CP uploaded a wrong sum-share or a DP dealt
//! inconsistent shares, and the paper's protocol cannot tell which. With exactly t results there
//! is nothing to check against, and the outcome says so ([`Check::Unchecked`]).
//!
//! In `vss` mode the Edge also relays each DP's commitments to every CP (after checking their
//! form), runs the agreement round (each CP's [`DpReport`] in, the excluded DPs out: a DP is
//! excluded if any reporting CP rejected it or did not get its share), and checks every upload
//! `(sum_i, blinding_i)` against the product of the agreed DPs' commitments before using it.

use std::collections::BTreeMap;
use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{self, Share};
use dsmpc_core::vss;
use num_bigint::BigUint;

use super::{cp_name, dp_name, malformed};
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{AgreedSet, DpReport, Message, MessageKind, TaskId, labels};

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

/// The agreement round's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    /// The encoded [`AgreedSet`] for every CP that reported.
    pub message: Vec<u8>,
    /// The CPs that reported, by index.
    pub reporting: Vec<u16>,
    /// Excluded DPs and why.
    pub excluded: BTreeMap<u32, String>,
    /// Number of DPs in the agreed set.
    pub agreed: usize,
}

/// The Edge.
pub struct Edge<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    sk: S::EncPrivate,
    task: TaskId,
    t: usize,
    n: usize,
    mode: VerifyMode,
    results: Vec<Share<B>>,
    uploaded: Vec<u16>,
    commitments: BTreeMap<u32, Vec<B::Int>>,
    bad_commitments: BTreeMap<u32, String>,
    reports: BTreeMap<u16, DpReport>,
    agreed: Option<Vec<u32>>,
    combined: Option<Vec<B::Int>>,
    rng: DsmpcRng,
}

impl<B: Backend, S: CipherSuite> Edge<B, S> {
    /// An Edge for `task` with threshold t and n DPs, holding the Cloud's decryption key,
    /// in verification mode `mode`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        suite: S,
        group: Arc<SchnorrGroup<B>>,
        sk: S::EncPrivate,
        task: TaskId,
        t: usize,
        n: usize,
        mode: VerifyMode,
        rng: DsmpcRng,
    ) -> Self {
        Edge {
            suite,
            group,
            sk,
            task,
            t,
            n,
            mode,
            results: Vec::with_capacity(t),
            uploaded: Vec::new(),
            commitments: BTreeMap::new(),
            bad_commitments: BTreeMap::new(),
            reports: BTreeMap::new(),
            agreed: None,
            combined: None,
            rng,
        }
    }

    /// Whether t results are in.
    pub fn has_enough(&self) -> bool {
        self.results.len() >= self.t
    }

    /// Results accepted so far.
    pub fn results(&self) -> usize {
        self.results.len()
    }

    /// `vss` mode: take a DP's commitments. `Ok` means they are well formed (t group elements)
    /// and are to be relayed to every CP; an error names what was wrong, and a DP whose
    /// commitments were malformed is excluded.
    pub fn receive_commitments(&mut self, from: &str, bytes: &[u8]) -> Result<()> {
        let m = receive!(bytes, Commitments, from, &self.task);
        let who = dp_name(m.dp);
        if m.dp == 0 || m.dp as usize > self.n {
            return Err(malformed(
                MessageKind::Commitments,
                &who,
                format!("no DP{} in this task", m.dp),
            ));
        }
        if self.commitments.contains_key(&m.dp) || self.bad_commitments.contains_key(&m.dp) {
            return Err(RolesError::Duplicate {
                kind: MessageKind::Commitments,
                from: who,
            });
        }
        let el = self.group.element_len();
        let parsed: Option<Vec<B::Int>> = if m.elements.len() == self.t {
            m.elements
                .iter()
                .map(|e| Some(B::from_be_bytes(e)).filter(|x| e.len() == el && self.group.is_well_formed(x)))
                .collect()
        } else {
            None
        };
        match parsed {
            Some(c) => {
                self.commitments.insert(m.dp, c);
                Ok(())
            }
            None => {
                let why = format!(
                    "{} commitments, need t = {} group elements of {el} bytes",
                    m.elements.len(),
                    self.t
                );
                self.bad_commitments
                    .insert(m.dp, format!("its commitments are malformed ({why})"));
                Err(malformed(MessageKind::Commitments, &who, why))
            }
        }
    }

    /// `vss` mode, agreement round: one CP's report.
    pub fn receive_report(&mut self, from: &str, bytes: &[u8]) -> Result<()> {
        let m = receive!(bytes, DpReport, from, &self.task);
        if m.index == 0 || self.reports.contains_key(&m.index) {
            return Err(RolesError::Duplicate {
                kind: MessageKind::DpReport,
                from: cp_name(m.index),
            });
        }
        let n = self.n as u32;
        let last = m.accepted.last().map(|r| r.1).into_iter();
        if last.chain(m.rejected.iter().map(|r| r.0)).any(|d| d == 0 || d > n)
            || m.accepted.first().is_some_and(|r| r.0 == 0)
        {
            return Err(malformed(
                MessageKind::DpReport,
                from,
                format!("names a DP outside 1..={n}"),
            ));
        }
        self.reports.insert(m.index, m);
        Ok(())
    }

    /// `vss` mode, agreement round: decide the agreed set from the reports received. A DP is
    /// excluded if its commitments did not reach the Edge well formed, if any reporting CP
    /// rejected it, or if any reporting CP did not get its share. Fewer than t reporting CPs,
    /// or no DP left, is an abort.
    pub fn agree(&mut self) -> Result<Agreement> {
        if self.reports.len() < self.t {
            return Err(RolesError::TooFewCps {
                active: self.reports.len(),
                need: self.t,
            });
        }
        let mut excluded = BTreeMap::new();
        let mut agreed = Vec::new();
        for d in 1..=self.n as u32 {
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
        if agreed.is_empty() {
            return Err(RolesError::NoAgreedDps { n: self.n });
        }
        let message = Message::AgreedSet(AgreedSet {
            task: self.task,
            excluded: excluded.keys().copied().collect(),
        })
        .encode();
        let count = agreed.len();
        self.agreed = Some(agreed);
        Ok(Agreement {
            message,
            reporting: self.reports.keys().copied().collect(),
            excluded,
            agreed: count,
        })
    }

    /// The product of the agreed DPs' commitments (computed once).
    fn combined(&mut self) -> Result<&[B::Int]> {
        if self.combined.is_none() {
            let agreed = self
                .agreed
                .as_ref()
                .ok_or_else(|| RolesError::Config("results before the agreement round".into()))?;
            let lists: Vec<&[B::Int]> = agreed
                .iter()
                .filter_map(|d| self.commitments.get(d).map(Vec::as_slice))
                .collect();
            self.combined = Some(vss::combine(&self.group, &lists)?);
        }
        Ok(self.combined.as_deref().unwrap_or(&[]))
    }

    /// Take one CP's upload: decrypt it and, in `vss` mode, check it against the combined
    /// commitments. An error names the CP; the caller skips it.
    pub fn receive_result(&mut self, from: &str, bytes: &[u8]) -> Result<()> {
        let m = receive!(bytes, ResultUpload, from, &self.task);
        if m.index == 0 || self.uploaded.contains(&m.index) {
            return Err(RolesError::Duplicate {
                kind: MessageKind::ResultUpload,
                from: cp_name(m.index),
            });
        }
        self.uploaded.push(m.index);
        if self.mode == VerifyMode::Vss && !self.reports.contains_key(&m.index) {
            return Err(RolesError::ResultRejected {
                cp: m.index,
                reason: "it took no part in the agreement round".into(),
            });
        }
        let mut plain = self
            .suite
            .decrypt(&self.sk, &labels::result(&self.task, m.index), &m.ct, &mut self.rng)
            .ok_or(RolesError::ResultUndecryptable { cp: m.index })?;
        let sl = self.group.zq().element_len();
        let vss = self.mode == VerifyMode::Vss;
        let parts = if plain.len() == if vss { 2 * sl } else { sl } {
            let zq = self.group.zq();
            let y = zq.from_bytes(&plain[..sl], "sum-share");
            let z = if vss {
                zq.from_bytes(&plain[sl..], "blinding sum").map(Some)
            } else {
                Ok(None)
            };
            y.and_then(|y| Ok((y, z?))).ok()
        } else {
            None
        };
        zeroize::Zeroize::zeroize(&mut plain);
        let (y, z) = parts.ok_or(RolesError::ResultUndecryptable { cp: m.index })?;
        if let Some(z) = z {
            let group = self.group.clone();
            let combined = self.combined()?;
            if !vss::verify_share(&group, combined, u64::from(m.index), &y, &z) {
                return Err(RolesError::ResultRejected {
                    cp: m.index,
                    reason: "(sum, blinding sum) does not match the agreed DPs' combined commitments".into(),
                });
            }
        }
        self.results.push(Share {
            x: u64::from(m.index),
            y,
        });
        Ok(())
    }

    /// Reconstruct from the first t results; in the paper's modes check the others against
    /// them.
    pub fn reconstruct(&self) -> Result<Outcome> {
        if !self.has_enough() {
            return Err(RolesError::NotEnoughResults {
                got: self.results.len(),
                need: self.t,
            });
        }
        let zq = self.group.zq();
        let (check, n) = if self.mode == VerifyMode::Vss {
            (Check::Verified, self.agreed.as_ref().map_or(0, Vec::len))
        } else {
            let off = shamir::off_polynomial(zq, &self.results, self.t)?;
            if !off.is_empty() {
                return Err(RolesError::ResultsInconsistent {
                    results: self.results.len(),
                    t: self.t,
                });
            }
            let check = if self.results.len() > self.t {
                Check::CrossChecked(self.results.len())
            } else {
                Check::Unchecked
            };
            (check, self.n)
        };
        let sum = shamir::reconstruct(zq, &self.results, self.t)?;
        Ok(Outcome {
            sum: BigUint::from_bytes_be(&B::to_be_bytes(&sum)),
            n,
            check,
        })
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
