//! The instruction measure of the A/B judgement: the `icount.csv` of every callgrind run of
//! each side, the threshold raised to three times the spread between repeated counts of one
//! binary, and the verdict per phase.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dsmpc_reports::{Error, Result};
use dsmpc_schema::{ICOUNT_FILE, IcountRow, labels};

use super::{IcountJudgement, numbered};
use crate::verdict::Verdict;

/// Reads one `icount.csv` (`phase,dumps,instructions`; written by xtask from the callgrind
/// dumps labelled `dsmpc-phase:<phase>`). An empty file (a binary without the labels) gives
/// an empty map.
pub fn read_icount(path: &Path) -> Result<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let rows = IcountRow::read_all(&text).map_err(|e| Error::Csv {
        path: path.to_path_buf(),
        line: e.line,
        message: format!("{} (expected `phase,dumps,instructions`)", e.message),
    })?;
    Ok(rows.into_iter().map(|r| (r.phase, r.instructions)).collect())
}

/// Instructions per phase, one map per callgrind run of a side.
type Runs = Vec<BTreeMap<String, u64>>;

/// The callgrind runs of both sides of an A/B folder.
pub(super) struct Counts {
    base: Runs,
    cand: Runs,
}

/// The largest relative spread between repeated counts of one binary.
fn spread_of(runs: &[BTreeMap<String, u64>]) -> f64 {
    let mut worst: f64 = 0.0;
    let keys: BTreeSet<&String> = runs.iter().flat_map(|m| m.keys()).collect();
    for k in keys {
        let v: Vec<f64> = runs.iter().filter_map(|m| m.get(k)).map(|x| *x as f64).collect();
        if v.len() >= 2 {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            if lo > 0.0 {
                worst = worst.max((hi - lo) / lo);
            }
        }
    }
    worst
}

impl Counts {
    /// Reads `dir/base/icount-J/icount.csv` and `dir/cand/icount-J/icount.csv`.
    pub(super) fn read(dir: &Path) -> Result<Counts> {
        let read_side = |side: &str| -> Result<Runs> {
            numbered(&dir.join(side), "icount-")?
                .iter()
                .map(|d| read_icount(&d.join(ICOUNT_FILE)))
                .collect()
        };
        Ok(Counts {
            base: read_side("base")?,
            cand: read_side("cand")?,
        })
    }

    /// Every phase counted on either side.
    pub(super) fn phases(&self) -> impl Iterator<Item = &String> {
        self.base.iter().chain(self.cand.iter()).flat_map(|m| m.keys())
    }

    /// The threshold used and the spread measured (`None` when the counts cannot be compared,
    /// with a note saying why).
    pub(super) fn threshold(&self, smallest: f64, notes: &mut Vec<String>) -> (Option<f64>, Option<f64>) {
        let base_has = self.base.iter().any(|m| !m.is_empty());
        let cand_has = self.cand.iter().any(|m| !m.is_empty());
        if base_has && cand_has {
            let repeated = self.base.len() >= 2 || self.cand.len() >= 2;
            let spread = spread_of(&self.base).max(spread_of(&self.cand));
            if !repeated {
                notes.push("one count per binary: the instruction spread was not measured".into());
            }
            return (Some(smallest.max(3.0 * spread)), Some(spread));
        }
        if self.base.is_empty() && self.cand.is_empty() {
            notes.push("instruction counts not run (--no-icount or valgrind missing)".into());
        } else if !base_has {
            notes.push(format!(
                "the base revision predates per-phase instruction counts (its callgrind run has no \
                 `{}` dumps): instructions not compared; exact checks and CPU time are",
                labels::PHASE
            ));
        } else {
            notes.push("the candidate has no per-phase instruction counts: instructions not compared".into());
        }
        (None, None)
    }

    /// The instruction judgement of `phase` (first run of each side) against `threshold`.
    pub(super) fn judge(&self, phase: &str, threshold: Option<f64>) -> IcountJudgement {
        let b = self.base.first().and_then(|m| m.get(phase)).copied();
        let c = self.cand.first().and_then(|m| m.get(phase)).copied();
        let ratio = match (b, c) {
            (Some(b), Some(c)) if b > 0 => Some(c as f64 / b as f64),
            _ => None,
        };
        let verdict = match (ratio, threshold) {
            (Some(r), Some(t)) if r > 1.0 + t => Verdict::Slower,
            (Some(r), Some(t)) if r < 1.0 / (1.0 + t) => Verdict::Faster,
            (Some(_), Some(_)) => Verdict::Ok,
            _ => Verdict::NotJudged,
        };
        IcountJudgement {
            base: b,
            cand: c,
            ratio,
            verdict,
        }
    }
}
