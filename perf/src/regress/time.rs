//! The time part of the comparison: the whole run's drift, then each phase (relative to the
//! rest of the same run where it can be, which calibration error does not touch), then each
//! row. See the crate README ("Comparing two sweep folders").

use std::collections::BTreeMap;

use dsmpc_reports::data::phase_rank;
use dsmpc_reports::stats::median;

use super::{CompareOptions, DriftComparison, PhaseComparison, PhaseRowComparison};
use crate::verdict::Verdict;

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

/// Per phase: the indices of its judged rows, and the spreads of every row timed on both sides
/// (tiny rows included: they measure the same phase's noise, usually pessimistically).
type ByPhase = BTreeMap<String, (Vec<usize>, Vec<f64>)>;

fn by_phase(rows: &[PhaseRowComparison]) -> ByPhase {
    let mut by_phase: ByPhase = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.ratio.is_some() && matches!(r.verdict, Verdict::Ok | Verdict::Noise | Verdict::ExactMismatch) {
            let e = by_phase.entry(r.phase.clone()).or_default();
            e.1.push(r.spread);
            if r.verdict == Verdict::Ok {
                e.0.push(i);
            }
        }
    }
    by_phase
}

/// The ratios of every judged row, except those of phase `skip`.
fn judged_ratios(rows: &[PhaseRowComparison], by_phase: &ByPhase, skip: Option<&str>) -> Vec<f64> {
    by_phase
        .iter()
        .filter(|(p, _)| Some(p.as_str()) != skip)
        .flat_map(|(_, (idx, _))| idx.iter().filter_map(|i| rows[*i].ratio))
        .collect()
}

/// The thresholds' constants: `t` the smallest threshold, `k` the noise multiplier.
#[derive(Clone, Copy)]
struct Rule {
    t: f64,
    k: f64,
}

/// The whole run's drift (`None` when no row is judged).
fn drift(rows: &[PhaseRowComparison], by_phase: &ByPhase, rule: Rule) -> Option<DriftComparison> {
    let all = judged_ratios(rows, by_phase, None);
    median(&all).map(|ratio| {
        let spreads: Vec<f64> = by_phase.values().flat_map(|(_, s)| s.iter().copied()).collect();
        let noise = median(&spreads).unwrap_or(0.0);
        let threshold = threshold(rule.t, rule.k, noise, all.len());
        DriftComparison {
            judged: all.len(),
            ratio,
            noise,
            threshold,
            verdict: verdict(ratio, threshold),
        }
    })
}

/// The verdict of one phase and the (row, own threshold, verdict) of each of its judged rows.
fn judge_phase(
    phase: &str,
    (idx, spreads): (&[usize], &[f64]),
    rows: &[PhaseRowComparison],
    by_phase: &ByPhase,
    global: Verdict,
    rule: Rule,
) -> (PhaseComparison, Vec<(usize, f64, Verdict)>) {
    let Rule { t, k } = rule;
    let ratios: Vec<f64> = idx.iter().filter_map(|i| rows[*i].ratio).collect();
    let noise = median(spreads).unwrap_or(0.0);
    let threshold = threshold(t, k, noise, ratios.len());
    let ratio = median(&ratios);
    // The rest of the run: the other phases' judged rows.
    let rest = median(&judged_ratios(rows, by_phase, Some(phase)));
    let relative = ratio.zip(rest).map(|(r, d)| r / d);
    let phase_verdict = match (ratio, relative) {
        (None, _) => Verdict::Noise,
        // Changed relative to the rest of the same run: immune to calibration error.
        (Some(_), Some(q)) if verdict(q, threshold) != Verdict::Ok => verdict(q, threshold),
        // No other phase to compare with, or the whole run moved: calibration decides.
        (Some(r), None) => verdict(r, threshold),
        (Some(r), Some(_)) if global != Verdict::Ok && verdict(r, threshold) == global => global,
        (Some(_), Some(_)) => Verdict::Ok,
    };
    let mut updates = vec![];
    for i in idx {
        let row = &rows[*i];
        let own = (2.0 * t).max(k * 1.5 * row.spread);
        let r = row.ratio.unwrap_or(1.0);
        let rel = rest.map_or(r, |d| r / d);
        let in_phase = |v: Verdict| phase_verdict == v && (verdict(r, threshold) == v || verdict(rel, threshold) == v);
        let v = if r > 1.0 + own || in_phase(Verdict::Slower) {
            Verdict::Slower
        } else if r < 1.0 / (1.0 + own) || in_phase(Verdict::Faster) {
            Verdict::Faster
        } else {
            Verdict::Ok
        };
        updates.push((*i, own, v));
    }
    let comparison = PhaseComparison {
        phase: phase.to_string(),
        judged: ratios.len(),
        ratio,
        relative,
        noise,
        threshold,
        verdict: phase_verdict,
    };
    (comparison, updates)
}

/// The time verdicts: the whole run, each phase, then each row (see the README).
pub(super) fn judge_time(
    rows: &mut [PhaseRowComparison],
    opts: &CompareOptions,
) -> (Vec<PhaseComparison>, Option<DriftComparison>) {
    let rule = Rule {
        t: opts.time_threshold.max(0.0),
        k: opts.noise_factor.max(0.0),
    };
    let by_phase = by_phase(rows);
    let drift = drift(rows, &by_phase, rule);
    let global = drift.as_ref().map_or(Verdict::Ok, |d| d.verdict);
    let mut phases = vec![];
    let mut row_updates = vec![];
    for (phase, (idx, spreads)) in &by_phase {
        let (p, updates) = judge_phase(phase, (idx, spreads), rows, &by_phase, global, rule);
        phases.push(p);
        row_updates.extend(updates);
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
