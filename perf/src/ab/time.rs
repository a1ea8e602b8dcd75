//! The time measure of the A/B judgement: per phase, the ratios candidate / base of
//! `work_cpu_s` of every (point, repetition) within each interleaved pair, the rows too small to
//! time left out, and the verdict from the median ratio and its bootstrap interval.

use std::collections::BTreeMap;

use dsmpc_reports::data::Dataset;
use dsmpc_reports::stats::median;

use super::{AbOptions, TimeJudgement};
use crate::verdict::Verdict;

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
pub fn time_verdict(ratio: f64, interval: (f64, f64), t: f64) -> Verdict {
    if ratio > 1.0 + t && interval.0 > 1.0 + t / 2.0 {
        Verdict::Slower
    } else if ratio < 1.0 / (1.0 + t) && interval.1 < 1.0 / (1.0 + t / 2.0) {
        Verdict::Faster
    } else {
        Verdict::Ok
    }
}

type RowKey = (String, String, u32);

fn work_rows(d: &Dataset) -> BTreeMap<RowKey, f64> {
    d.phases
        .iter()
        .map(|r| ((r.point.clone(), r.phase.clone(), r.rep), r.work_cpu_s))
        .collect()
}

/// The ratios and per-pair sums of every phase over the interleaved pairs.
#[derive(Debug, Default)]
pub(super) struct TimeRatios {
    /// Per phase: cand / base of every judged (pair, point, rep).
    ratios: BTreeMap<String, Vec<f64>>,
    /// Per phase: the judged rows' work summed per pair, base and candidate.
    sums: BTreeMap<String, (Vec<f64>, Vec<f64>)>,
}

/// Which (point, phase) rows are large enough to time: decided on the geometric mean over all
/// runs of both sides, so that the choice does not depend on one side's noise.
struct Timed {
    rows: BTreeMap<(String, String), (f64, usize)>,
    sessions: BTreeMap<String, (f64, usize)>,
    min_seconds: f64,
    min_share: f64,
}

impl Timed {
    fn of<'a>(runs: impl Iterator<Item = &'a Dataset>, opts: &AbOptions) -> Timed {
        let mut rows: BTreeMap<(String, String), (f64, usize)> = BTreeMap::new();
        let mut sessions: BTreeMap<String, (f64, usize)> = BTreeMap::new();
        for run in runs {
            let mut per_point: BTreeMap<(String, u32), f64> = BTreeMap::new();
            for r in &run.phases {
                let e = rows.entry((r.point.clone(), r.phase.clone())).or_default();
                e.0 += r.work_cpu_s.max(1e-12).ln();
                e.1 += 1;
                *per_point.entry((r.point.clone(), r.rep)).or_default() += r.work_cpu_s;
            }
            for ((point, _), s) in per_point {
                let e = sessions.entry(point).or_default();
                e.0 += s.max(1e-12).ln();
                e.1 += 1;
            }
        }
        Timed {
            rows,
            sessions,
            min_seconds: opts.min_seconds,
            min_share: opts.min_share,
        }
    }

    fn timed(&self, point: &str, phase: &str) -> bool {
        let gm = |(s, n): (f64, usize)| if n == 0 { 0.0 } else { (s / n as f64).exp() };
        let row = self
            .rows
            .get(&(point.to_string(), phase.to_string()))
            .copied()
            .map_or(0.0, gm);
        let session = self.sessions.get(point).copied().map_or(0.0, gm);
        row >= self.min_seconds && session > 0.0 && row / session >= self.min_share
    }
}

impl TimeRatios {
    /// The ratios of the pairs `(base, cand)`.
    pub(super) fn of(base_runs: &[Dataset], cand_runs: &[Dataset], opts: &AbOptions) -> TimeRatios {
        let timed = Timed::of(base_runs.iter().chain(cand_runs.iter()), opts);
        let mut out = TimeRatios::default();
        for (b, c) in base_runs.iter().zip(cand_runs) {
            let (bw, cw) = (work_rows(b), work_rows(c));
            let mut bsum: BTreeMap<String, f64> = BTreeMap::new();
            let mut csum: BTreeMap<String, f64> = BTreeMap::new();
            for (key, bv) in &bw {
                let Some(cv) = cw.get(key) else { continue };
                if !timed.timed(&key.0, &key.1) || *bv <= 0.0 {
                    continue;
                }
                out.ratios.entry(key.1.clone()).or_default().push(cv / bv);
                *bsum.entry(key.1.clone()).or_default() += bv;
                *csum.entry(key.1.clone()).or_default() += cv;
            }
            for (p, v) in bsum {
                let e = out.sums.entry(p.clone()).or_default();
                e.0.push(v);
                e.1.push(csum.get(&p).copied().unwrap_or(0.0));
            }
        }
        out
    }

    /// The time judgement of `phase`.
    pub(super) fn judge(&self, phase: &str, opts: &AbOptions) -> TimeJudgement {
        let r = self.ratios.get(phase).cloned().unwrap_or_default();
        let ratio = median(&r);
        let interval = bootstrap_median_interval(&r, opts.resamples);
        let (bs, cs) = self.sums.get(phase).cloned().unwrap_or_default();
        TimeJudgement {
            base: median(&bs),
            cand: median(&cs),
            n: r.len(),
            ratio,
            interval,
            verdict: match (ratio, interval) {
                (Some(q), Some(i)) => time_verdict(q, i, opts.time_threshold),
                _ => Verdict::NotJudged,
            },
        }
    }
}
