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

mod acceptance;
mod counts;
mod table;
mod time;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dsmpc_reports::data::{Dataset, phase_rank};
use dsmpc_reports::{Error, Result};

pub use self::acceptance::Acceptance;
use self::acceptance::apply_acceptances;
use self::counts::Counts;
pub use self::counts::read_icount;
use self::time::TimeRatios;
pub use self::time::{bootstrap_median_interval, time_verdict};
use crate::regress::{self, CompareOptions};
use crate::verdict::Verdict;

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
    pub verdict: Verdict,
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
    pub verdict: Verdict,
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
            if p.icount.verdict == Verdict::Slower {
                out.push(format!("{} (instructions)", p.phase));
            }
            if p.time.verdict == Verdict::Slower {
                out.push(format!("{} (cpu time)", p.phase));
            }
        }
        out
    }

    /// True when no phase is slower on any measure.
    pub fn passed(&self) -> bool {
        self.regressions().is_empty()
    }
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

/// The time runs of both sides, pair by pair (a side's extra runs are left out, with a note).
fn load_pairs(dir: &Path, notes: &mut Vec<String>) -> Result<(Vec<Dataset>, Vec<Dataset>)> {
    let base_t = numbered(&dir.join("base"), "time-")?;
    let cand_t = numbered(&dir.join("cand"), "time-")?;
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
    Ok((base_runs, cand_runs))
}

/// The exact part: what changed between the first pair's op counts and bytes.
fn exact_changes(base: Option<&Dataset>, cand: Option<&Dataset>) -> Vec<String> {
    let mut out = vec![];
    let (Some(b), Some(c)) = (base, cand) else {
        return out;
    };
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
            out.push(format!("{} {}: {}", r.point, r.phase, r.differences.join("; ")));
        }
    }
    for m in &cmp.messages {
        if !m.differences.is_empty() {
            out.push(format!("{} {}: {}", m.point, m.kind, m.differences.join("; ")));
        }
    }
    out
}

/// Judge the A/B folder `dir`; see the module docs.
pub fn judge(dir: &Path, opts: &AbOptions) -> Result<AbJudgement> {
    let mut notes = vec![];
    let (base_runs, cand_runs) = load_pairs(dir, &mut notes)?;
    let pairs = base_runs.len();
    let exact_changes = exact_changes(base_runs.first(), cand_runs.first());
    let times = TimeRatios::of(&base_runs, &cand_runs, opts);
    let counts = Counts::read(dir)?;
    let (icount_threshold, icount_spread) = counts.threshold(opts.icount_threshold, &mut notes);
    let mut phases: BTreeSet<String> = base_runs
        .iter()
        .chain(&cand_runs)
        .flat_map(|run| run.phases.iter().map(|r| r.phase.clone()))
        .collect();
    phases.extend(counts.phases().cloned());
    let mut out: Vec<PhaseJudgement> = phases
        .into_iter()
        .map(|phase| PhaseJudgement {
            icount: counts.judge(&phase, icount_threshold),
            time: times.judge(&phase, opts),
            phase,
        })
        .collect();
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

#[cfg(test)]
mod tests {
    use dsmpc_reports::stats::median;

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
                verdict: if ratio > 1.01 { Verdict::Slower } else { Verdict::Ok },
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
        let v: Vec<Verdict> = phases.iter().map(|p| p.icount.verdict).collect();
        use Verdict::*;
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
        assert_eq!(time_verdict(1.15, (1.12, 1.18), 0.10), Verdict::Slower);
        // large but not significant
        assert_eq!(time_verdict(1.15, (1.01, 1.30), 0.10), Verdict::Ok);
        // significant but small
        assert_eq!(time_verdict(1.04, (1.03, 1.05), 0.10), Verdict::Ok);
        assert_eq!(time_verdict(0.85, (0.82, 0.88), 0.10), Verdict::Faster);
    }
}
