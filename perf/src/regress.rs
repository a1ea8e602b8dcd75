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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use dsmpc_reports::data::{Dataset, FILES, MessageRow, OP_COLUMNS, PhaseRow, kind_rank, phase_rank};
use dsmpc_reports::format::opt;
use dsmpc_reports::stats::{Stat, median};
use dsmpc_reports::{Error, Result};

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

    /// The one-line summary printed under the table.
    pub fn summary(&self) -> String {
        let judged = self
            .rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Ok | Verdict::Slower | Verdict::Faster))
            .count();
        let slower_phases: Vec<String> = self
            .phases
            .iter()
            .filter(|p| p.verdict == Verdict::Slower)
            .map(|p| {
                format!(
                    "{} x{:.3} > {:.3}",
                    p.phase,
                    p.ratio.unwrap_or(f64::NAN),
                    1.0 + p.threshold
                )
            })
            .collect();
        let slower_rows = self.rows.iter().filter(|r| r.verdict == Verdict::Slower).count();
        let faster = self.phases.iter().filter(|p| p.verdict == Verdict::Faster).count();
        let new = self.rows.iter().filter(|r| r.verdict == Verdict::New).count()
            + self.messages.iter().filter(|m| m.verdict == Verdict::New).count();
        let mut parts = vec![
            format!(
                "{} phase rows and {} message rows compared",
                self.rows.len(),
                self.messages.len()
            ),
            format!("{} exact mismatches", self.exact_mismatches()),
            format!(
                "{} missing{}",
                self.missing(),
                if self.options.allow_missing { " (allowed)" } else { "" }
            ),
        ];
        if new > 0 {
            parts.push(format!("{new} new"));
        }
        if self.options.check_time {
            parts.push(format!("{judged} timings judged"));
            if let Some(d) = &self.drift {
                parts.push(format!("whole run x{:.3} ({})", d.ratio, d.verdict));
            }
            if slower_phases.is_empty() {
                parts.push("no phase slower".into());
            } else {
                parts.push(format!("slower phases: {}", slower_phases.join(", ")));
            }
            parts.push(format!("{slower_rows} slower rows"));
            if faster > 0 {
                parts.push(format!("{faster} phases faster (consider a new baseline)"));
            }
        } else {
            parts.push("times not compared (--no-time)".into());
        }
        format!("{}: {}", if self.passed() { "PASS" } else { "FAIL" }, parts.join("; "))
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "baseline: {} (calibration {:.6} s)",
            self.baseline_dir.display(),
            self.baseline_calibration
        )?;
        writeln!(
            f,
            "current:  {} (calibration {:.6} s)",
            self.current_dir.display(),
            self.current_calibration
        )?;
        writeln!(
            f,
            "times: median work CPU seconds / calibration_s of the same run (calibration units)"
        )?;
        let pw = self.rows.iter().map(|r| r.point.len()).max().unwrap_or(5).max(5);
        let hw = self.rows.iter().map(|r| r.phase.len()).max().unwrap_or(5).max(5);
        writeln!(f)?;
        writeln!(
            f,
            "{:<pw$}  {:<hw$}  {:>12}  {:>12}  {:>7}  {:>7}  verdict",
            "point", "phase", "baseline", "now", "ratio", "limit"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<pw$}  {:<hw$}  {:>12}  {:>12}  {:>7}  {:>7}  {}",
                r.point,
                r.phase,
                opt(r.baseline, 4),
                opt(r.current, 4),
                opt(r.ratio, 3),
                opt(r.threshold.map(|t| 1.0 + t), 3),
                r.verdict
            )?;
        }
        if self.options.check_time && !self.phases.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "{:<hw$}  {:>6}  {:>7}  {:>7}  {:>7}  {:>7}  verdict",
                "phase", "judged", "ratio", "vs rest", "noise", "limit"
            )?;
            for p in &self.phases {
                writeln!(
                    f,
                    "{:<hw$}  {:>6}  {:>7}  {:>7}  {:>6.1}%  {:>7.3}  {}",
                    p.phase,
                    p.judged,
                    opt(p.ratio, 3),
                    opt(p.relative, 3),
                    100.0 * p.noise,
                    1.0 + p.threshold,
                    p.verdict
                )?;
            }
            if let Some(d) = &self.drift {
                writeln!(
                    f,
                    "{:<hw$}  {:>6}  {:>7.3}  {:>7}  {:>6.1}%  {:>7.3}  {}",
                    "(whole run)",
                    d.judged,
                    d.ratio,
                    "-",
                    100.0 * d.noise,
                    1.0 + d.threshold,
                    d.verdict
                )?;
            }
        }
        let bad_msgs: Vec<&MessageComparison> = self.messages.iter().filter(|m| m.verdict != Verdict::Ok).collect();
        writeln!(f)?;
        if bad_msgs.is_empty() {
            writeln!(
                f,
                "messages: all {} (point, kind) rows identical in count, bytes and payload_bytes",
                self.messages.len()
            )?;
        } else {
            writeln!(f, "messages:")?;
            for m in bad_msgs {
                writeln!(
                    f,
                    "  {} {} {}: {}",
                    m.verdict,
                    m.point,
                    m.kind,
                    m.differences.join("; ")
                )?;
            }
        }
        let diffs: Vec<&PhaseRowComparison> = self.rows.iter().filter(|r| !r.differences.is_empty()).collect();
        if !diffs.is_empty() {
            writeln!(f, "differences:")?;
            for r in diffs {
                writeln!(
                    f,
                    "  {} {} {}: {}",
                    r.verdict,
                    r.point,
                    r.phase,
                    r.differences.join("; ")
                )?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        write!(f, "{}", self.summary())
    }
}

/// Reads both folders and compares them; see the module docs.
pub fn compare(baseline: &Path, current: &Path, opts: &CompareOptions) -> Result<Comparison> {
    let b = Dataset::load(baseline)?;
    let c = Dataset::load(current)?;
    Ok(compare_datasets(&b, &c, opts))
}

type PhaseKey = (String, String);

fn group_phases(rows: &[PhaseRow]) -> BTreeMap<PhaseKey, Vec<&PhaseRow>> {
    let mut m: BTreeMap<PhaseKey, Vec<&PhaseRow>> = BTreeMap::new();
    for r in rows {
        m.entry((r.point.clone(), r.phase.clone())).or_default().push(r);
    }
    for v in m.values_mut() {
        v.sort_by_key(|r| r.rep);
    }
    m
}

fn exact_phase_diffs(b: &[&PhaseRow], c: &[&PhaseRow]) -> Vec<String> {
    let mut out = vec![];
    let cmap: BTreeMap<u32, &PhaseRow> = c.iter().map(|r| (r.rep, *r)).collect();
    for br in b {
        let Some(cr) = cmap.get(&br.rep) else { continue };
        if br.instances != cr.instances {
            out.push(format!(
                "rep {}: instances {} -> {}",
                br.rep, br.instances, cr.instances
            ));
        }
        for (i, col) in OP_COLUMNS.iter().enumerate() {
            if br.ops[i] != cr.ops[i] {
                out.push(format!("rep {}: {col} {} -> {}", br.rep, br.ops[i], cr.ops[i]));
            }
        }
    }
    out
}

fn exact_message_diffs(b: &MessageRow, c: &MessageRow) -> Vec<String> {
    let mut out = vec![];
    for (name, x, y) in [
        ("count", b.count, c.count),
        ("bytes", b.bytes, c.bytes),
        ("payload_bytes", b.payload_bytes, c.payload_bytes),
    ] {
        if x != y {
            out.push(format!("{name} {x} -> {y}"));
        }
    }
    out
}

struct Timing {
    norm: f64,
    raw: f64,
    spread: f64,
}

fn timing(rows: &[&PhaseRow], calibration: f64) -> Option<Timing> {
    let s = Stat::of(&rows.iter().map(|r| r.work_cpu_s).collect::<Vec<_>>())?;
    Some(Timing {
        norm: s.median / calibration,
        raw: s.median,
        spread: s.spread(),
    })
}

/// Compares two loaded data sets; see the module docs and the README for the method.
pub fn compare_datasets(baseline: &Dataset, current: &Dataset, opts: &CompareOptions) -> Comparison {
    let (cal_b, cal_c) = (baseline.meta.calibration_s, current.meta.calibration_s);
    let bmap = group_phases(&baseline.phases);
    let cmap = group_phases(&current.phases);
    let mut notes = vec![];

    // Session work per point in each run (for the "tiny" rule).
    let session = |map: &BTreeMap<PhaseKey, Vec<&PhaseRow>>| {
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        for ((point, _), rows) in map {
            if let Some(m) = median(&rows.iter().map(|r| r.work_cpu_s).collect::<Vec<_>>()) {
                *totals.entry(point.clone()).or_default() += m;
            }
        }
        totals
    };
    let (totals_b, totals_c) = (session(&bmap), session(&cmap));

    let keys: BTreeSet<&PhaseKey> = bmap.keys().chain(cmap.keys()).collect();
    let mut rows = vec![];
    let mut rep_mismatch = BTreeSet::new();
    for key in keys {
        let (point, phase) = key.clone();
        let mut row = PhaseRowComparison {
            point,
            phase,
            baseline: None,
            current: None,
            ratio: None,
            spread: 0.0,
            threshold: None,
            verdict: Verdict::NotJudged,
            differences: vec![],
        };
        let (b, c) = (bmap.get(key), cmap.get(key));
        let (bt, ct) = (b.and_then(|b| timing(b, cal_b)), c.and_then(|c| timing(c, cal_c)));
        row.baseline = bt.as_ref().map(|t| t.norm);
        row.current = ct.as_ref().map(|t| t.norm);
        match (b, c) {
            (Some(_), None) => {
                row.verdict = Verdict::Missing;
                row.differences.push("absent from the current run".into());
            }
            (None, Some(_)) => row.verdict = Verdict::New,
            (Some(b), Some(c)) => {
                if b.len() != c.len() {
                    rep_mismatch.insert(key.0.clone());
                }
                row.differences = exact_phase_diffs(b, c);
                if let (Some(bt), Some(ct)) = (&bt, &ct) {
                    row.spread = bt.spread.max(ct.spread);
                    if bt.norm > 0.0 {
                        row.ratio = Some(ct.norm / bt.norm);
                    }
                    // Tiny: judged on the geometric mean of both runs, so that which rows are
                    // judged does not depend on one run's noise (that would bias the ratio).
                    let share = |raw: f64, totals: &BTreeMap<String, f64>| {
                        totals.get(&key.0).filter(|t| **t > 0.0).map_or(0.0, |t| raw / t)
                    };
                    let seconds = (bt.raw * ct.raw).sqrt();
                    let fraction = (share(bt.raw, &totals_b) * share(ct.raw, &totals_c)).sqrt();
                    let tiny = seconds < opts.min_seconds || fraction < opts.min_share;
                    row.verdict = if !opts.check_time {
                        Verdict::NotJudged
                    } else if tiny || row.ratio.is_none() {
                        Verdict::Noise
                    } else {
                        Verdict::Ok
                    };
                }
                if !row.differences.is_empty() {
                    row.verdict = Verdict::ExactMismatch;
                }
            }
            (None, None) => {}
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| {
        a.point
            .cmp(&b.point)
            .then(phase_rank(&a.phase).cmp(&phase_rank(&b.phase)))
            .then(a.phase.cmp(&b.phase))
    });
    if !rep_mismatch.is_empty() {
        notes.push(format!(
            "{} points have a different number of repetitions in the two runs; counts compared on common repetitions",
            rep_mismatch.len()
        ));
    }

    let (phases, drift) = if opts.check_time {
        judge_time(&mut rows, opts)
    } else {
        (vec![], None)
    };

    let messages = compare_messages(&baseline.messages, &current.messages);

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
    Comparison {
        baseline_dir: baseline.dir.clone(),
        current_dir: current.dir.clone(),
        options: opts.clone(),
        baseline_calibration: cal_b,
        current_calibration: cal_c,
        rows,
        phases,
        drift,
        messages,
        notes,
    }
}

/// `max(t, k * noise / sqrt(n))`: the threshold for a median of `n` ratios.
fn threshold(t: f64, k: f64, noise: f64, n: usize) -> f64 {
    if n == 0 {
        t
    } else {
        t.max(k * noise / (n as f64).sqrt())
    }
}

fn verdict(ratio: f64, threshold: f64) -> Verdict {
    if ratio > 1.0 + threshold {
        Verdict::Slower
    } else if ratio < 1.0 / (1.0 + threshold) {
        Verdict::Faster
    } else {
        Verdict::Ok
    }
}

/// The time verdicts: the whole run, each phase, then each row (see the README).
fn judge_time(
    rows: &mut [PhaseRowComparison],
    opts: &CompareOptions,
) -> (Vec<PhaseComparison>, Option<DriftComparison>) {
    let t = opts.time_threshold.max(0.0);
    let k = opts.noise_factor.max(0.0);
    // Per phase: the judged rows, and the spreads of every row timed on both sides (tiny
    // rows included: they measure the same phase's noise, usually pessimistically).
    let mut by_phase: BTreeMap<String, (Vec<usize>, Vec<f64>)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.ratio.is_some() && matches!(r.verdict, Verdict::Ok | Verdict::Noise | Verdict::ExactMismatch) {
            let e = by_phase.entry(r.phase.clone()).or_default();
            e.1.push(r.spread);
            if r.verdict == Verdict::Ok {
                e.0.push(i);
            }
        }
    }
    let judged_ratios = |skip: Option<&str>| -> Vec<f64> {
        by_phase
            .iter()
            .filter(|(p, _)| Some(p.as_str()) != skip)
            .flat_map(|(_, (idx, _))| idx.iter().filter_map(|i| rows[*i].ratio))
            .collect()
    };
    let all = judged_ratios(None);
    let drift = median(&all).map(|ratio| {
        let spreads: Vec<f64> = by_phase.values().flat_map(|(_, s)| s.iter().copied()).collect();
        let noise = median(&spreads).unwrap_or(0.0);
        let threshold = threshold(t, k, noise, all.len());
        DriftComparison {
            judged: all.len(),
            ratio,
            noise,
            threshold,
            verdict: verdict(ratio, threshold),
        }
    });
    let global = drift.as_ref().map_or(Verdict::Ok, |d| d.verdict);
    let mut phases = vec![];
    let mut row_updates = vec![];
    for (phase, (idx, spreads)) in &by_phase {
        let ratios: Vec<f64> = idx.iter().filter_map(|i| rows[*i].ratio).collect();
        let noise = median(spreads).unwrap_or(0.0);
        let threshold = threshold(t, k, noise, ratios.len());
        let ratio = median(&ratios);
        // The rest of the run: the other phases' judged rows.
        let rest = median(&judged_ratios(Some(phase)));
        let relative = ratio.zip(rest).map(|(r, d)| r / d);
        let verdict = match (ratio, relative) {
            (None, _) => Verdict::Noise,
            // Changed relative to the rest of the same run: immune to calibration error.
            (Some(_), Some(q)) if verdict(q, threshold) != Verdict::Ok => verdict(q, threshold),
            // No other phase to compare with, or the whole run moved: calibration decides.
            (Some(r), None) => verdict(r, threshold),
            (Some(r), Some(_)) if global != Verdict::Ok && verdict(r, threshold) == global => global,
            (Some(_), Some(_)) => Verdict::Ok,
        };
        for i in idx {
            let row = &rows[*i];
            let own = (2.0 * t).max(k * 1.5 * row.spread);
            let r = row.ratio.unwrap_or(1.0);
            let rel = rest.map_or(r, |d| r / d);
            let in_phase =
                |v: Verdict| verdict == v && (self::verdict(r, threshold) == v || self::verdict(rel, threshold) == v);
            let v = if r > 1.0 + own || in_phase(Verdict::Slower) {
                Verdict::Slower
            } else if r < 1.0 / (1.0 + own) || in_phase(Verdict::Faster) {
                Verdict::Faster
            } else {
                Verdict::Ok
            };
            row_updates.push((*i, own, v));
        }
        phases.push(PhaseComparison {
            phase: phase.clone(),
            judged: ratios.len(),
            ratio,
            relative,
            noise,
            threshold,
            verdict,
        });
    }
    for (i, own, v) in row_updates {
        rows[i].threshold = Some(own);
        rows[i].verdict = v;
    }
    phases.sort_by(|a, b| {
        phase_rank(&a.phase)
            .cmp(&phase_rank(&b.phase))
            .then(a.phase.cmp(&b.phase))
    });
    (phases, drift)
}

fn compare_messages(b: &[MessageRow], c: &[MessageRow]) -> Vec<MessageComparison> {
    let bm: BTreeMap<(&str, &str), &MessageRow> = b.iter().map(|r| ((r.point.as_str(), r.kind.as_str()), r)).collect();
    let cm: BTreeMap<(&str, &str), &MessageRow> = c.iter().map(|r| ((r.point.as_str(), r.kind.as_str()), r)).collect();
    // per point, kinds in protocol order (unknown kinds last)
    let keys: BTreeSet<(&str, usize, &str)> = bm
        .keys()
        .chain(cm.keys())
        .map(|(point, kind)| (*point, kind_rank(kind), *kind))
        .collect();
    keys.into_iter()
        .map(|(point, _, kind)| {
            let (verdict, differences) = match (bm.get(&(point, kind)), cm.get(&(point, kind))) {
                (Some(x), Some(y)) => {
                    let d = exact_message_diffs(x, y);
                    (
                        if d.is_empty() {
                            Verdict::Ok
                        } else {
                            Verdict::ExactMismatch
                        },
                        d,
                    )
                }
                (Some(_), None) => (Verdict::Missing, vec!["absent from the current run".into()]),
                _ => (Verdict::New, vec!["absent from the baseline".into()]),
            };
            MessageComparison {
                point: point.into(),
                kind: kind.into(),
                verdict,
                differences,
            }
        })
        .collect()
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
