//! The A/B judgement of `cargo xtask regress`: a base and a candidate build of the sweep
//! binary ran the same grid on the same machine in one run, interleaved; this module reads
//! their folders and judges the candidate per phase on three measures.
//!
//! - **exact**: operation counts and `instances` per (point, phase) and message count, bytes and
//!   payload bytes per (point, kind) of the first pair, with [`crate::regress::compare_datasets`]
//!   (times off). Differences are listed as changed; they fail only against the committed
//!   record (`reports/baselines/current`), checked separately.
//! - **instructions**: per phase, the instructions counted under callgrind (one `icount.csv`
//!   per valgrind run, see [`read_icount`]); the threshold is the larger of `--icount-threshold`
//!   (default 1%) and three times the relative spread measured between repeated counts of the
//!   same binary.
//! - **time**: per phase, the ratios candidate / base of `work_cpu_s` of every (point,
//!   repetition) within each interleaved pair; the verdict is `SLOWER` when the median ratio
//!   exceeds `1 + T` and the lower end of its 95% bootstrap interval exceeds `1 + T/2`
//!   (a slowdown both large and clearly not noise).
//!
//! **Accepted trade-offs.** A change may be meant to run *more* instructions in less time: a
//! library whose fast code path needs CPU features that valgrind does not emulate (valgrind 3.19
//! hides ADX and SHA, so AWS-LC's MULX/ADX Montgomery code is counted as its generic code) makes
//! the count go up while the machine runs faster. Such a change says so in a commit-message
//! trailer, reviewed with it (see [`Acceptance`]):
//!
//! ```text
//! Regress-Accept: instructions share_encrypt_pvss_attach up to 1.15: AWS-LC's ADX path is invisible to valgrind
//! ```
//!
//! An instruction verdict `SLOWER` of that phase becomes `accepted` only when the ratio is at
//! most the stated bound **and** the phase's CPU time in the same run was measured lower (the
//! high end of its 95% interval below 1). Otherwise it stays `SLOWER` and a note says why. Time
//! regressions cannot be accepted.
//!
//! Layout of the folder (written by xtask): `base/time-I/`, `cand/time-I/` (sweep folders,
//! pair I), `base/icount-J/icount.csv`, `cand/icount-J/icount.csv`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::data::{Dataset, phase_rank};
use crate::error::{Error, Result};
use crate::format::{opt, opt_giga};
use crate::regress::{self, CompareOptions};
use crate::stats::median;

/// Knobs of [`judge`].
#[derive(Clone, Debug, PartialEq)]
pub struct AbOptions {
    /// Time threshold `T` (relative slowdown, default 0.10).
    pub time_threshold: f64,
    /// Smallest instruction-count threshold (default 0.01); raised to three times the spread
    /// measured between repeated counts.
    pub icount_threshold: f64,
    /// Rows under this many seconds (geometric mean of both sides) are not timed (0.001).
    pub min_seconds: f64,
    /// ... nor rows under this share of their point's session work (0.005).
    pub min_share: f64,
    /// Bootstrap resamples (2000).
    pub resamples: usize,
    /// Reviewed instruction/time trade-offs (from `Regress-Accept:` trailers or `--accept`).
    pub accept: Vec<Acceptance>,
}

/// One reviewed trade-off: phase `phase` may run up to `up_to` times the base's instructions,
/// provided its CPU time is measured lower in the same run.
///
/// Written `instructions PHASE up to RATIO: REASON` (the text of a `Regress-Accept:` trailer);
/// only the instruction measure can be accepted, the ratio must be above 1 and at most 2, and the
/// reason must not be empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Acceptance {
    /// Phase name.
    pub phase: String,
    /// Largest instruction ratio accepted.
    pub up_to: f64,
    /// Why (as written, with where it came from when the caller adds it).
    pub reason: String,
}

impl Acceptance {
    /// Parses `instructions PHASE up to RATIO: REASON`; the error says what is wrong.
    pub fn parse(text: &str) -> std::result::Result<Acceptance, String> {
        let form = "expected `instructions PHASE up to RATIO: REASON`";
        let (head, reason) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?}: no `: REASON`; {form}"))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!("{text:?}: the reason is empty; {form}"));
        }
        let words: Vec<&str> = head.split_whitespace().collect();
        match words.as_slice() {
            ["instructions", phase, "up", "to", ratio] => {
                let up_to: f64 = ratio
                    .trim_start_matches('x')
                    .parse()
                    .map_err(|_| format!("{text:?}: {ratio:?} is not a ratio; {form}"))?;
                if !(up_to > 1.0 && up_to <= 2.0) {
                    return Err(format!(
                        "{text:?}: the ratio must be above 1 and at most 2, got {up_to}"
                    ));
                }
                Ok(Acceptance {
                    phase: (*phase).to_string(),
                    up_to,
                    reason: reason.to_string(),
                })
            }
            [measure, ..] if *measure != "instructions" => Err(format!(
                "{text:?}: only instruction counts can be accepted (a time regression is a regression), not {measure:?}"
            )),
            _ => Err(format!("{text:?}: {form}")),
        }
    }
}

impl Default for AbOptions {
    fn default() -> Self {
        AbOptions {
            time_threshold: 0.10,
            icount_threshold: 0.01,
            min_seconds: 0.001,
            min_share: 0.005,
            resamples: 2000,
            accept: vec![],
        }
    }
}

/// A verdict on one measure of one phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AbVerdict {
    /// Within the threshold.
    Ok,
    /// Slower / more instructions than the threshold allows (fails).
    Slower,
    /// Faster / fewer instructions beyond the threshold (does not fail).
    Faster,
    /// Not judged (too small, absent on one side, or not measured by the base).
    NotJudged,
    /// More instructions, within a reviewed [`Acceptance`], while the CPU time was measured
    /// lower (does not fail).
    Accepted,
}

impl AbVerdict {
    /// The word printed in the table.
    pub fn label(self) -> &'static str {
        match self {
            AbVerdict::Ok => "ok",
            AbVerdict::Slower => "SLOWER",
            AbVerdict::Faster => "faster",
            AbVerdict::NotJudged => "-",
            AbVerdict::Accepted => "accepted",
        }
    }
}

impl fmt::Display for AbVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

/// Instruction counts of one phase.
#[derive(Clone, Debug, PartialEq)]
pub struct IcountJudgement {
    /// Base instructions (first run).
    pub base: Option<u64>,
    /// Candidate instructions (first run).
    pub cand: Option<u64>,
    /// cand / base.
    pub ratio: Option<f64>,
    /// Verdict.
    pub verdict: AbVerdict,
}

/// CPU time of one phase over the interleaved pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeJudgement {
    /// Median base work seconds over (point, pair) rows judged, summed per pair then median.
    pub base: Option<f64>,
    /// Same for the candidate.
    pub cand: Option<f64>,
    /// Ratios judged.
    pub n: usize,
    /// Median ratio cand / base.
    pub ratio: Option<f64>,
    /// 95% bootstrap interval of the median ratio.
    pub interval: Option<(f64, f64)>,
    /// Verdict.
    pub verdict: AbVerdict,
}

/// Both measures of one phase.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseJudgement {
    /// Phase name.
    pub phase: String,
    /// Instructions.
    pub icount: IcountJudgement,
    /// CPU time.
    pub time: TimeJudgement,
}

/// The result of [`judge`]; prints as the table.
#[derive(Clone, Debug, PartialEq)]
pub struct AbJudgement {
    /// Options used.
    pub options: AbOptions,
    /// Instruction-count threshold used (after the spread rule); `None` without counts.
    pub icount_threshold: Option<f64>,
    /// Largest relative spread between repeated counts of one binary.
    pub icount_spread: Option<f64>,
    /// Interleaved pairs read.
    pub pairs: usize,
    /// Per phase, in protocol order.
    pub phases: Vec<PhaseJudgement>,
    /// Exact part: base vs candidate (first pair), as listed changes.
    pub exact_changes: Vec<String>,
    /// Remarks.
    pub notes: Vec<String>,
}

impl AbJudgement {
    /// Phases judged slower on any measure.
    pub fn regressions(&self) -> Vec<String> {
        let mut out = vec![];
        for p in &self.phases {
            if p.icount.verdict == AbVerdict::Slower {
                out.push(format!("{} (instructions)", p.phase));
            }
            if p.time.verdict == AbVerdict::Slower {
                out.push(format!("{} (cpu time)", p.phase));
            }
        }
        out
    }

    /// True when no phase is slower on any measure.
    pub fn passed(&self) -> bool {
        self.regressions().is_empty()
    }

    /// The verdicts as CSV (`phase,measure,base,cand,ratio,lo,hi,verdict`), for scripts.
    pub fn to_csv(&self) -> String {
        let f = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
        let mut s = String::from("phase,measure,base,cand,ratio,lo,hi,verdict\n");
        for p in &self.phases {
            s += &format!(
                "{},instructions,{},{},{},,,{}\n",
                p.phase,
                p.icount.base.map_or_else(String::new, |x| x.to_string()),
                p.icount.cand.map_or_else(String::new, |x| x.to_string()),
                f(p.icount.ratio),
                p.icount.verdict.label()
            );
            s += &format!(
                "{},cpu_time,{},{},{},{},{},{}\n",
                p.phase,
                f(p.time.base),
                f(p.time.cand),
                f(p.time.ratio),
                f(p.time.interval.map(|i| i.0)),
                f(p.time.interval.map(|i| i.1)),
                p.time.verdict.label()
            );
        }
        s
    }
}

impl fmt::Display for AbJudgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hw = self.phases.iter().map(|p| p.phase.len()).max().unwrap_or(5).max(5);
        writeln!(
            f,
            "{:<hw$}  {:>10} {:>10} {:>7} {:>8} | {:>9} {:>9} {:>6} {:>15} {:>7}",
            "phase",
            "Ir base",
            "Ir cand",
            "ratio",
            "verdict",
            "cpu base",
            "cpu cand",
            "ratio",
            "95% interval",
            "verdict"
        )?;
        for p in &self.phases {
            let interval = p
                .time
                .interval
                .map_or_else(|| "-".to_string(), |(lo, hi)| format!("[{lo:.3}, {hi:.3}]"));
            writeln!(
                f,
                "{:<hw$}  {:>10} {:>10} {:>7} {:>8} | {:>9} {:>9} {:>6} {:>15} {:>7}",
                p.phase,
                opt_giga(p.icount.base),
                opt_giga(p.icount.cand),
                opt(p.icount.ratio, 4),
                p.icount.verdict,
                opt(p.time.base, 4),
                opt(p.time.cand, 4),
                opt(p.time.ratio, 3),
                interval,
                p.time.verdict
            )?;
        }
        writeln!(f)?;
        match (self.icount_threshold, self.icount_spread) {
            (Some(t), Some(s)) => writeln!(
                f,
                "instructions: callgrind, per phase; threshold {:.2}% (spread between repeated counts of one binary {:.5}%)",
                100.0 * t,
                100.0 * s
            )?,
            _ => writeln!(f, "instructions: not compared (see notes)")?,
        }
        writeln!(
            f,
            "cpu time: work_cpu_s (s, median per pair of the phase's judged rows summed); ratio = median over {} pairs x points of cand/base; SLOWER when ratio > {:.3} and interval low end > {:.3}",
            self.pairs,
            1.0 + self.options.time_threshold,
            1.0 + self.options.time_threshold / 2.0
        )?;
        if self.exact_changes.is_empty() {
            writeln!(f, "exact: op counts and bytes of base and candidate identical")?;
        } else {
            writeln!(f, "exact: changed between base and candidate:")?;
            for c in &self.exact_changes {
                writeln!(f, "  {c}")?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        let regs = self.regressions();
        let accepted: Vec<&str> = self
            .phases
            .iter()
            .filter(|p| p.icount.verdict == AbVerdict::Accepted)
            .map(|p| p.phase.as_str())
            .collect();
        if regs.is_empty() && accepted.is_empty() {
            write!(f, "PASS: no phase slower")
        } else if regs.is_empty() {
            write!(
                f,
                "PASS: no phase slower; reviewed instruction/time trade-off accepted for: {}",
                accepted.join(", ")
            )
        } else {
            write!(f, "FAIL: slower: {}", regs.join(", "))
        }
    }
}

/// Reads one `icount.csv` (`phase,dumps,instructions`; written by xtask from the callgrind
/// dumps labelled `dsmpc-phase:<phase>`). An empty file (a binary without the labels) gives
/// an empty map.
pub fn read_icount(path: &Path) -> Result<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let parsed = match cells.as_slice() {
            [phase, _dumps, ir] => ir.parse::<u64>().ok().map(|ir| (phase.to_string(), ir)),
            _ => None,
        };
        let (phase, ir) = parsed.ok_or_else(|| {
            Error::invalid(
                path,
                format!("line {}: expected `phase,dumps,instructions`, got {line:?}", i + 1),
            )
        })?;
        out.insert(phase, ir);
    }
    Ok(out)
}

/// The entries `<prefix><N>` of `dir`, by N (none when `dir` cannot be read).
pub(crate) fn numbered(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    let mut out: Vec<(u32, PathBuf)> = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(vec![]);
    };
    for e in entries {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(i) = name.strip_prefix(prefix).and_then(|s| s.parse::<u32>().ok()) {
            out.push((i, e.path()));
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, p)| p).collect())
}

/// A small deterministic generator for the bootstrap (splitmix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The 95% percentile bootstrap interval of the median of `values` (seeded: the same values
/// give the same interval).
pub fn bootstrap_median_interval(values: &[f64], resamples: usize) -> Option<(f64, f64)> {
    if values.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = SplitMix(0x5EED_AB0A_B0AB);
    let mut medians = Vec::with_capacity(resamples);
    let mut sample = vec![0.0; values.len()];
    for _ in 0..resamples {
        for s in sample.iter_mut() {
            *s = values[(rng.next() % values.len() as u64) as usize];
        }
        medians.push(median(&sample)?);
    }
    medians.sort_by(f64::total_cmp);
    let at = |q: f64| medians[((q * (resamples - 1) as f64).round() as usize).min(resamples - 1)];
    Some((at(0.025), at(0.975)))
}

/// The time verdict from the ratios of one phase.
pub fn time_verdict(ratio: f64, interval: (f64, f64), t: f64) -> AbVerdict {
    if ratio > 1.0 + t && interval.0 > 1.0 + t / 2.0 {
        AbVerdict::Slower
    } else if ratio < 1.0 / (1.0 + t) && interval.1 < 1.0 / (1.0 + t / 2.0) {
        AbVerdict::Faster
    } else {
        AbVerdict::Ok
    }
}

type RowKey = (String, String, u32);

fn work_rows(d: &Dataset) -> BTreeMap<RowKey, f64> {
    d.phases
        .iter()
        .map(|r| ((r.point.clone(), r.phase.clone(), r.rep), r.work_cpu_s))
        .collect()
}

/// Judge the A/B folder `dir`; see the module docs.
pub fn judge(dir: &Path, opts: &AbOptions) -> Result<AbJudgement> {
    let base_t = numbered(&dir.join("base"), "time-")?;
    let cand_t = numbered(&dir.join("cand"), "time-")?;
    let mut notes = vec![];
    let pairs = base_t.len().min(cand_t.len());
    if base_t.len() != cand_t.len() {
        notes.push(format!(
            "{} base and {} candidate time runs: {pairs} pairs used",
            base_t.len(),
            cand_t.len()
        ));
    }
    let mut base_runs = vec![];
    let mut cand_runs = vec![];
    for i in 0..pairs {
        base_runs.push(Dataset::load(&base_t[i])?);
        cand_runs.push(Dataset::load(&cand_t[i])?);
    }

    // Exact part: first pair.
    let mut exact_changes = vec![];
    if let (Some(b), Some(c)) = (base_runs.first(), cand_runs.first()) {
        let cmp = regress::compare_datasets(
            b,
            c,
            &CompareOptions {
                check_time: false,
                ..CompareOptions::default()
            },
        );
        for r in &cmp.rows {
            if !r.differences.is_empty() {
                exact_changes.push(format!("{} {}: {}", r.point, r.phase, r.differences.join("; ")));
            }
        }
        for m in &cmp.messages {
            if !m.differences.is_empty() {
                exact_changes.push(format!("{} {}: {}", m.point, m.kind, m.differences.join("; ")));
            }
        }
    }

    // Time part: ratios per phase over (pair, point, rep).
    let mut ratios: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut sums: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut phases: BTreeSet<String> = BTreeSet::new();
    // Which rows are large enough to time: decided on the geometric mean over all runs of
    // both sides, so that the choice does not depend on one side's noise.
    let mut mean_log: BTreeMap<(String, String), (f64, usize)> = BTreeMap::new();
    let mut session_log: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for run in base_runs.iter().chain(cand_runs.iter()) {
        let mut per_point: BTreeMap<(String, u32), f64> = BTreeMap::new();
        for r in &run.phases {
            phases.insert(r.phase.clone());
            let e = mean_log.entry((r.point.clone(), r.phase.clone())).or_default();
            e.0 += r.work_cpu_s.max(1e-12).ln();
            e.1 += 1;
            *per_point.entry((r.point.clone(), r.rep)).or_default() += r.work_cpu_s;
        }
        for ((point, _), s) in per_point {
            let e = session_log.entry(point).or_default();
            e.0 += s.max(1e-12).ln();
            e.1 += 1;
        }
    }
    let gm = |(s, n): (f64, usize)| if n == 0 { 0.0 } else { (s / n as f64).exp() };
    let timed = |point: &str, phase: &str| -> bool {
        let row = mean_log
            .get(&(point.to_string(), phase.to_string()))
            .copied()
            .map_or(0.0, gm);
        let session = session_log.get(point).copied().map_or(0.0, gm);
        row >= opts.min_seconds && session > 0.0 && row / session >= opts.min_share
    };
    for (b, c) in base_runs.iter().zip(&cand_runs) {
        let (bw, cw) = (work_rows(b), work_rows(c));
        let mut bsum: BTreeMap<String, f64> = BTreeMap::new();
        let mut csum: BTreeMap<String, f64> = BTreeMap::new();
        for (key, bv) in &bw {
            let Some(cv) = cw.get(key) else { continue };
            if !timed(&key.0, &key.1) || *bv <= 0.0 {
                continue;
            }
            ratios.entry(key.1.clone()).or_default().push(cv / bv);
            *bsum.entry(key.1.clone()).or_default() += bv;
            *csum.entry(key.1.clone()).or_default() += cv;
        }
        for (p, v) in bsum {
            let e = sums.entry(p.clone()).or_default();
            e.0.push(v);
            e.1.push(csum.get(&p).copied().unwrap_or(0.0));
        }
    }

    // Instruction counts.
    let read_side = |side: &str| -> Result<Vec<BTreeMap<String, u64>>> {
        numbered(&dir.join(side), "icount-")?
            .iter()
            .map(|d| read_icount(&d.join("icount.csv")))
            .collect()
    };
    let (base_ic, cand_ic) = (read_side("base")?, read_side("cand")?);
    for m in base_ic.iter().chain(cand_ic.iter()) {
        phases.extend(m.keys().cloned());
    }
    let spread_of = |runs: &[BTreeMap<String, u64>]| -> f64 {
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
    };
    let base_has = base_ic.iter().any(|m| !m.is_empty());
    let cand_has = cand_ic.iter().any(|m| !m.is_empty());
    let (icount_threshold, icount_spread) = if base_has && cand_has {
        let repeated = base_ic.len() >= 2 || cand_ic.len() >= 2;
        let spread = spread_of(&base_ic).max(spread_of(&cand_ic));
        if !repeated {
            notes.push("one count per binary: the instruction spread was not measured".into());
        }
        (Some(opts.icount_threshold.max(3.0 * spread)), Some(spread))
    } else {
        if base_ic.is_empty() && cand_ic.is_empty() {
            notes.push("instruction counts not run (--no-icount or valgrind missing)".into());
        } else if !base_has {
            notes.push(
                "the base revision predates per-phase instruction counts (its callgrind run has no \
                 `dsmpc-phase:` dumps): instructions not compared; exact checks and CPU time are"
                    .into(),
            );
        } else {
            notes.push("the candidate has no per-phase instruction counts: instructions not compared".into());
        }
        (None, None)
    };

    let mut out = vec![];
    for phase in phases {
        let icount = {
            let b = base_ic.first().and_then(|m| m.get(&phase)).copied();
            let c = cand_ic.first().and_then(|m| m.get(&phase)).copied();
            let ratio = match (b, c) {
                (Some(b), Some(c)) if b > 0 => Some(c as f64 / b as f64),
                _ => None,
            };
            let verdict = match (ratio, icount_threshold) {
                (Some(r), Some(t)) if r > 1.0 + t => AbVerdict::Slower,
                (Some(r), Some(t)) if r < 1.0 / (1.0 + t) => AbVerdict::Faster,
                (Some(_), Some(_)) => AbVerdict::Ok,
                _ => AbVerdict::NotJudged,
            };
            IcountJudgement {
                base: b,
                cand: c,
                ratio,
                verdict,
            }
        };
        let time = {
            let r = ratios.get(&phase).cloned().unwrap_or_default();
            let ratio = median(&r);
            let interval = bootstrap_median_interval(&r, opts.resamples);
            let (bs, cs) = sums.get(&phase).cloned().unwrap_or_default();
            TimeJudgement {
                base: median(&bs),
                cand: median(&cs),
                n: r.len(),
                ratio,
                interval,
                verdict: match (ratio, interval) {
                    (Some(q), Some(i)) => time_verdict(q, i, opts.time_threshold),
                    _ => AbVerdict::NotJudged,
                },
            }
        };
        out.push(PhaseJudgement { phase, icount, time });
    }
    apply_acceptances(&mut out, &opts.accept, &mut notes);
    out.sort_by(|a, b| {
        phase_rank(&a.phase)
            .cmp(&phase_rank(&b.phase))
            .then(a.phase.cmp(&b.phase))
    });
    if pairs == 0 {
        notes.push("no time runs: CPU time not compared".into());
    }
    Ok(AbJudgement {
        options: opts.clone(),
        icount_threshold,
        icount_spread,
        pairs,
        phases: out,
        exact_changes,
        notes,
    })
}

/// Turns instruction `SLOWER` verdicts covered by an acceptance into `accepted` when the phase's
/// CPU time was measured lower; notes every acceptance and what became of it.
fn apply_acceptances(phases: &mut [PhaseJudgement], accept: &[Acceptance], notes: &mut Vec<String>) {
    for a in accept {
        let Some(p) = phases.iter_mut().find(|p| p.phase == a.phase) else {
            notes.push(format!(
                "acceptance for {} ignored: no such phase in this run ({})",
                a.phase, a.reason
            ));
            continue;
        };
        let Some(ratio) = p.icount.ratio else {
            notes.push(format!("acceptance for {}: instructions not compared", a.phase));
            continue;
        };
        if p.icount.verdict != AbVerdict::Slower {
            notes.push(format!(
                "acceptance for {} not needed: instructions x{ratio:.4} are {}",
                a.phase, p.icount.verdict
            ));
            continue;
        }
        let time = match (p.time.ratio, p.time.interval) {
            (Some(r), Some((lo, hi))) => Some((r, lo, hi)),
            _ => None,
        };
        match time {
            _ if ratio > a.up_to => notes.push(format!(
                "acceptance for {} NOT honoured: instructions x{ratio:.4} exceed its bound x{} ({})",
                a.phase, a.up_to, a.reason
            )),
            None => notes.push(format!(
                "acceptance for {} NOT honoured: its CPU time was not measured in this run (run with time pairs)",
                a.phase
            )),
            Some((r, lo, hi)) if hi >= 1.0 => notes.push(format!(
                "acceptance for {} NOT honoured: CPU time x{r:.3} [{lo:.3}, {hi:.3}] is not measured lower, so \
                 the extra instructions buy nothing on this machine ({})",
                a.phase, a.reason
            )),
            Some((r, lo, hi)) => {
                p.icount.verdict = AbVerdict::Accepted;
                notes.push(format!(
                    "accepted: {} instructions x{ratio:.4} (bound x{}) for CPU time x{r:.3} [{lo:.3}, {hi:.3}]: {}",
                    a.phase, a.up_to, a.reason
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_interval_contains_the_median_and_is_seeded() {
        let v: Vec<f64> = (0..40).map(|i| 1.0 + 0.01 * ((i * 7 % 11) as f64 - 5.0)).collect();
        let (lo, hi) = bootstrap_median_interval(&v, 1000).unwrap();
        let m = median(&v).unwrap();
        assert!(lo <= m && m <= hi, "{lo} {m} {hi}");
        assert_eq!(Some((lo, hi)), bootstrap_median_interval(&v, 1000));
    }

    fn phase(name: &str, ir: (u64, u64), t: f64) -> PhaseJudgement {
        let ratio = ir.1 as f64 / ir.0 as f64;
        PhaseJudgement {
            phase: name.into(),
            icount: IcountJudgement {
                base: Some(ir.0),
                cand: Some(ir.1),
                ratio: Some(ratio),
                verdict: if ratio > 1.01 { AbVerdict::Slower } else { AbVerdict::Ok },
            },
            time: TimeJudgement {
                base: Some(1.0),
                cand: Some(t),
                n: 10,
                ratio: Some(t),
                interval: Some((t - 0.02, t + 0.02)),
                verdict: time_verdict(t, (t - 0.02, t + 0.02), 0.10),
            },
        }
    }

    #[test]
    fn acceptance_parses_the_trailer_form_and_refuses_the_rest() {
        let a = Acceptance::parse("instructions share_x up to 1.15: AWS-LC's ADX path").unwrap();
        assert_eq!(
            (a.phase.as_str(), a.up_to, a.reason.as_str()),
            ("share_x", 1.15, "AWS-LC's ADX path")
        );
        assert_eq!(Acceptance::parse("instructions p up to x1.2: r").unwrap().up_to, 1.2);
        for bad in [
            "instructions p up to 1.15",    // no reason
            "instructions p up to 1.15:  ", // empty reason
            "instructions p up to 0.9: r",  // not above 1
            "instructions p up to 3: r",    // too large
            "instructions p up to lots: r", // not a number
            "instructions p: r",            // no bound
            "cpu_time p up to 1.2: r",      // time cannot be accepted
        ] {
            assert!(Acceptance::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Acceptance::parse("cpu_time p up to 1.2: r")
                .unwrap_err()
                .contains("only instruction")
        );
    }

    #[test]
    fn acceptance_needs_the_bound_and_a_measured_time_gain() {
        let acc = |p: &str, up_to: f64| Acceptance {
            phase: p.into(),
            up_to,
            reason: "reviewed".into(),
        };
        let mut phases = vec![
            phase("a", (100, 111), 0.85), // within bound, faster: accepted
            phase("b", (100, 111), 0.99), // within bound, time not lower: stays SLOWER
            phase("c", (100, 120), 0.80), // beyond bound: stays SLOWER
            phase("d", (100, 111), 0.85), // no acceptance: stays SLOWER
            phase("e", (100, 100), 1.00), // nothing to accept
        ];
        let mut notes = vec![];
        let accept = [
            acc("a", 1.15),
            acc("b", 1.15),
            acc("c", 1.15),
            acc("e", 1.15),
            acc("zz", 1.1),
        ];
        apply_acceptances(&mut phases, &accept, &mut notes);
        let v: Vec<AbVerdict> = phases.iter().map(|p| p.icount.verdict).collect();
        use AbVerdict::*;
        assert_eq!(v, [Accepted, Slower, Slower, Slower, Ok]);
        assert_eq!(notes.len(), 5, "{notes:?}");
        assert!(notes.iter().any(|n| n.starts_with("accepted: a")));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("b NOT honoured") && n.contains("not measured lower"))
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("c NOT honoured") && n.contains("exceed its bound"))
        );
        assert!(notes.iter().any(|n| n.contains("zz ignored")));
        let j = AbJudgement {
            options: AbOptions::default(),
            icount_threshold: Some(0.01),
            icount_spread: Some(0.0),
            pairs: 5,
            phases: vec![phases[0].clone(), phases[4].clone()],
            exact_changes: vec![],
            notes: vec![],
        };
        assert!(j.passed());
        assert!(j.to_string().contains("trade-off accepted for: a"), "{j}");
        assert!(
            j.to_csv().contains("a,instructions,100,111,1.11,,,accepted"),
            "{}",
            j.to_csv()
        );
    }

    #[test]
    fn time_rule_needs_size_and_significance() {
        assert_eq!(time_verdict(1.15, (1.12, 1.18), 0.10), AbVerdict::Slower);
        // large but not significant
        assert_eq!(time_verdict(1.15, (1.01, 1.30), 0.10), AbVerdict::Ok);
        // significant but small
        assert_eq!(time_verdict(1.04, (1.03, 1.05), 0.10), AbVerdict::Ok);
        assert_eq!(time_verdict(0.85, (0.82, 0.88), 0.10), AbVerdict::Faster);
    }
}
