//! One (point, phase) of the comparison: its times normalised by each run's calibration, its
//! exact differences, and whether it is large enough to judge.

use std::collections::BTreeMap;

use dsmpc_reports::data::{Dataset, PhaseRow};
use dsmpc_reports::stats::{Stat, median};

use super::exact::{PhaseKey, exact_phase_diffs, group_phases};
use super::{CompareOptions, PhaseRowComparison};
use crate::verdict::Verdict;

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

/// Session work per point of one run (for the "tiny" rule).
fn session_totals(map: &BTreeMap<PhaseKey, Vec<&PhaseRow>>) -> BTreeMap<String, f64> {
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for ((point, _), rows) in map {
        if let Some(m) = median(&rows.iter().map(|r| r.work_cpu_s).collect::<Vec<_>>()) {
            *totals.entry(point.clone()).or_default() += m;
        }
    }
    totals
}

/// One side of the comparison: its rows per (point, phase), its calibration and its session
/// totals.
pub(super) struct Side<'a> {
    pub(super) rows: BTreeMap<PhaseKey, Vec<&'a PhaseRow>>,
    pub(super) calibration: f64,
    pub(super) totals: BTreeMap<String, f64>,
}

impl<'a> Side<'a> {
    /// The side of the run `d`.
    pub(super) fn of(d: &'a Dataset) -> Side<'a> {
        let rows = group_phases(&d.phases);
        let totals = session_totals(&rows);
        Side {
            rows,
            calibration: d.meta.calibration_s,
            totals,
        }
    }
}

/// The comparison of the (point, phase) `key`, before the time verdicts.
pub(super) fn compare_row(key: &PhaseKey, b: &Side<'_>, c: &Side<'_>, opts: &CompareOptions) -> PhaseRowComparison {
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
    let (br, cr) = (b.rows.get(key), c.rows.get(key));
    let (bt, ct) = (
        br.and_then(|r| timing(r, b.calibration)),
        cr.and_then(|r| timing(r, c.calibration)),
    );
    row.baseline = bt.as_ref().map(|t| t.norm);
    row.current = ct.as_ref().map(|t| t.norm);
    match (br, cr) {
        (Some(_), None) => {
            row.verdict = Verdict::Missing;
            row.differences.push("absent from the current run".into());
        }
        (None, Some(_)) => row.verdict = Verdict::New,
        (Some(br), Some(cr)) => {
            row.differences = exact_phase_diffs(br, cr);
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
                let fraction = (share(bt.raw, &b.totals) * share(ct.raw, &c.totals)).sqrt();
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
    row
}
