//! Regression comparison of a current sweep against a committed baseline.
//!
//! Two parts. The *exact* part: operation counts (and instance counts) per point, phase and
//! repetition, and message count, bytes and payload bytes per point and kind, are
//! deterministic for a seed and must be identical. The *time* part: work CPU seconds,
//! median over repetitions, divided by the run's own `calibration_s`, compared as a ratio
//! now / baseline against a threshold derived from the noise measured in both runs. A row on
//! one side only is `MISSING` (baseline only; fails unless allowed) or `new` (current only,
//! such as a phase or message kind added since the baseline; never fails). The method is
//! described in the crate README ("Regression method").

mod exact;
mod rows;
mod table;
mod time;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dsmpc_reports::data::{Dataset, FILES, phase_rank};
use dsmpc_reports::{Error, Result};

use self::exact::{PhaseKey, compare_messages};
use self::rows::{Side, compare_row};
use self::time::judge_time;
pub use crate::verdict::Verdict;

/// Knobs of [`compare`]. `Default` gives the documented values.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareOptions {
    /// Smallest relative slowdown ever judged (`T`, default 0.10 = 10%).
    pub time_threshold: f64,
    /// Multiplier of the measured relative spread in the thresholds (default 2).
    pub noise_factor: f64,
    /// Compare times at all (`false`: exact part only).
    pub check_time: bool,
    /// A row is "noise" (reported, not judged) when its median is below this share of its
    /// point's session work (default 0.02 = 2%) ...
    pub min_share: f64,
    /// ... or below this many seconds (default 0.001); both use the geometric mean of the
    /// two runs' medians.
    pub min_seconds: f64,
    /// Rows present in the baseline but absent now do not fail the comparison.
    pub allow_missing: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            time_threshold: 0.10,
            noise_factor: 2.0,
            check_time: true,
            min_share: 0.02,
            min_seconds: 0.001,
            allow_missing: false,
        }
    }
}

/// The comparison of one (point, phase).
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseRowComparison {
    /// Point id.
    pub point: String,
    /// Phase.
    pub phase: String,
    /// Baseline median work / baseline calibration.
    pub baseline: Option<f64>,
    /// Current median work / current calibration.
    pub current: Option<f64>,
    /// current / baseline.
    pub ratio: Option<f64>,
    /// Larger relative spread (max-min)/median of the two runs' repetitions.
    pub spread: f64,
    /// The row's own threshold (relative slowdown).
    pub threshold: Option<f64>,
    /// Verdict.
    pub verdict: Verdict,
    /// What differed in the exact part.
    pub differences: Vec<String>,
}

/// The aggregated time verdict of one phase over all its judged points.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseComparison {
    /// Phase.
    pub phase: String,
    /// Number of points judged (not noise, present on both sides).
    pub judged: usize,
    /// Median over judged points of the ratio (calibration-normalised).
    pub ratio: Option<f64>,
    /// `ratio` divided by the median ratio of the other phases' judged rows: the change
    /// relative to the rest of the same run, free of calibration error. `None` when no
    /// other phase is judged.
    pub relative: Option<f64>,
    /// Median over the phase's timed rows of the row spread (the phase's noise level).
    pub noise: f64,
    /// Threshold used (relative slowdown).
    pub threshold: f64,
    /// Verdict.
    pub verdict: Verdict,
}

/// The whole run's drift: the median ratio over every judged row of every phase.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftComparison {
    /// Number of judged rows.
    pub judged: usize,
    /// Median ratio (calibration-normalised) over all judged rows.
    pub ratio: f64,
    /// Median spread over all timed rows.
    pub noise: f64,
    /// Threshold used.
    pub threshold: f64,
    /// Slower when the run as a whole regressed (every phase slower).
    pub verdict: Verdict,
}

/// The comparison of one (point, message kind).
#[derive(Clone, Debug, PartialEq)]
pub struct MessageComparison {
    /// Point id.
    pub point: String,
    /// Message kind.
    pub kind: String,
    /// Ok, ExactMismatch, Missing or New.
    pub verdict: Verdict,
    /// What differed.
    pub differences: Vec<String>,
}

/// Result of [`compare`]: per-row and per-phase verdicts; prints as a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Baseline folder.
    pub baseline_dir: PathBuf,
    /// Current folder.
    pub current_dir: PathBuf,
    /// Options used.
    pub options: CompareOptions,
    /// Baseline calibration seconds.
    pub baseline_calibration: f64,
    /// Current calibration seconds.
    pub current_calibration: f64,
    /// One entry per (point, phase) on either side.
    pub rows: Vec<PhaseRowComparison>,
    /// One entry per phase (time part).
    pub phases: Vec<PhaseComparison>,
    /// The run as a whole (time part); `None` when no row is judged.
    pub drift: Option<DriftComparison>,
    /// One entry per (point, message kind) on either side.
    pub messages: Vec<MessageComparison>,
    /// Remarks (different hosts, different repetition counts, ...).
    pub notes: Vec<String>,
}

impl Comparison {
    /// Rows and message kinds whose exact part differs.
    pub fn exact_mismatches(&self) -> usize {
        self.rows.iter().filter(|r| r.verdict == Verdict::ExactMismatch).count()
            + self
                .messages
                .iter()
                .filter(|m| m.verdict == Verdict::ExactMismatch)
                .count()
    }

    /// Rows and message kinds present in the baseline only.
    pub fn missing(&self) -> usize {
        self.rows.iter().filter(|r| r.verdict == Verdict::Missing).count()
            + self.messages.iter().filter(|m| m.verdict == Verdict::Missing).count()
    }

    /// Judged slowdowns: the whole run, phases and rows with verdict SLOWER.
    pub fn slowdowns(&self) -> usize {
        usize::from(self.drift.as_ref().is_some_and(|d| d.verdict == Verdict::Slower))
            + self.phases.iter().filter(|p| p.verdict == Verdict::Slower).count()
            + self.rows.iter().filter(|r| r.verdict == Verdict::Slower).count()
    }

    /// True when nothing fails: no exact mismatch, no judged slowdown, and no missing row
    /// unless [`CompareOptions::allow_missing`].
    pub fn passed(&self) -> bool {
        self.exact_mismatches() == 0 && self.slowdowns() == 0 && (self.options.allow_missing || self.missing() == 0)
    }
}

/// Reads both folders and compares them; see the module docs.
pub fn compare(baseline: &Path, current: &Path, opts: &CompareOptions) -> Result<Comparison> {
    let b = Dataset::load(baseline)?;
    let c = Dataset::load(current)?;
    Ok(compare_datasets(&b, &c, opts))
}

/// Compares two loaded data sets; see the module docs and the README for the method.
pub fn compare_datasets(baseline: &Dataset, current: &Dataset, opts: &CompareOptions) -> Comparison {
    let (b, c) = (Side::of(baseline), Side::of(current));
    let mut notes = vec![];
    let keys: BTreeSet<&PhaseKey> = b.rows.keys().chain(c.rows.keys()).collect();
    let rep_mismatch: BTreeSet<&String> = keys
        .iter()
        .filter(|k| matches!((b.rows.get(**k), c.rows.get(**k)), (Some(x), Some(y)) if x.len() != y.len()))
        .map(|k| &k.0)
        .collect();
    if !rep_mismatch.is_empty() {
        notes.push(format!(
            "{} points have a different number of repetitions in the two runs; counts compared on common repetitions",
            rep_mismatch.len()
        ));
    }
    let mut rows: Vec<PhaseRowComparison> = keys.iter().map(|key| compare_row(key, &b, &c, opts)).collect();
    rows.sort_by(|a, b| {
        a.point
            .cmp(&b.point)
            .then(phase_rank(&a.phase).cmp(&phase_rank(&b.phase)))
            .then(a.phase.cmp(&b.phase))
    });
    let (phases, drift) = if opts.check_time {
        judge_time(&mut rows, opts)
    } else {
        (vec![], None)
    };
    let messages = compare_messages(&baseline.messages, &current.messages);
    notes.extend(run_notes(baseline, current));
    Comparison {
        baseline_dir: baseline.dir.clone(),
        current_dir: current.dir.clone(),
        options: opts.clone(),
        baseline_calibration: b.calibration,
        current_calibration: c.calibration,
        rows,
        phases,
        drift,
        messages,
        notes,
    }
}

/// Remarks on how the two runs differ (host, git revision).
fn run_notes(baseline: &Dataset, current: &Dataset) -> Vec<String> {
    let mut notes = vec![];
    if baseline.meta.host_cpu != current.meta.host_cpu {
        notes.push(format!(
            "different hosts: baseline `{}`, current `{}`; calibration normalises CPU speed only roughly",
            baseline.meta.host_cpu, current.meta.host_cpu
        ));
    }
    if baseline.meta.git_rev != current.meta.git_rev {
        notes.push(format!(
            "git revision {} -> {}",
            baseline.meta.git_rev, current.meta.git_rev
        ));
    }
    notes
}

/// Copies the CSVs and `meta.json` of sweep folder `from` into baseline folder `to`
/// (created if needed) after checking that `from` reads cleanly. Returns the files written.
pub fn save_baseline(from: &Path, to: &Path) -> Result<Vec<PathBuf>> {
    Dataset::load(from)?;
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    let mut out = vec![];
    for name in FILES {
        let (src, dst) = (from.join(name), to.join(name));
        std::fs::copy(&src, &dst).map_err(|e| Error::io(&src, e))?;
        out.push(dst);
    }
    Ok(out)
}
