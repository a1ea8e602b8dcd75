//! Analysis behind the report's findings and its `vss` overhead section, as typed results:
//! which phase dominates, how each phase scales with n, and the paper / vss comparison of one
//! quantity over matched points. `report` only formats these (through `format`), so the
//! numbers can be tested and reused without parsing Markdown.

use std::collections::BTreeMap;

use crate::data::{Dim, DimValue, HasParams, MessagePoint, PointSummary};
use crate::stats::{self, Fit, Stat};

/// Groups items by every dimension except `skip`, returning the groups with at least two members.
pub fn matched<'a, T: HasParams>(items: &'a [T], skip: &[Dim]) -> Vec<Vec<&'a T>> {
    let mut g: BTreeMap<Vec<DimValue>, Vec<&'a T>> = BTreeMap::new();
    for it in items {
        let key = Dim::ALL
            .iter()
            .filter(|d| !skip.contains(d))
            .map(|d| it.params().get(*d))
            .collect();
        g.entry(key).or_default().push(it);
    }
    g.into_values().filter(|v| v.len() >= 2).collect()
}

/// The phase that takes the largest share of session work at the most points.
#[derive(Clone, Debug, PartialEq)]
pub struct DominantPhase {
    /// Its name.
    pub phase: String,
    /// Points where it is the largest phase.
    pub wins: usize,
    /// Points considered (every point).
    pub points: usize,
    /// Its share of session work over the points (median, min, max).
    pub share: Stat,
    /// The phase with the next largest median share, and that share.
    pub next: Option<(String, f64)>,
}

/// [`DominantPhase`] of `points`; `None` when no point has positive work.
pub fn dominant_phase(points: &[PointSummary]) -> Option<DominantPhase> {
    let mut wins: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shares: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for p in points {
        let total = p.total_work();
        if total <= 0.0 {
            continue;
        }
        if let Some(top) = p
            .phases
            .iter()
            .max_by(|a, b| a.work_cpu.median.total_cmp(&b.work_cpu.median))
        {
            *wins.entry(top.phase.as_str()).or_default() += 1;
        }
        for ph in &p.phases {
            shares
                .entry(ph.phase.as_str())
                .or_default()
                .push(ph.work_cpu.median / total);
        }
    }
    let (top, n) = wins.iter().max_by_key(|(_, n)| **n)?;
    let share = Stat::of(&shares[top]).unwrap_or(Stat {
        median: 0.0,
        min: 0.0,
        max: 0.0,
        count: 0,
    });
    let mut ranked: Vec<(&str, f64)> = shares
        .iter()
        .filter(|(k, _)| *k != top)
        .filter_map(|(k, v)| Some((*k, stats::median(v)?)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Some(DominantPhase {
        phase: top.to_string(),
        wins: *n,
        points: points.len(),
        share,
        next: ranked.first().map(|(k, s)| (k.to_string(), *s)),
    })
}

/// How one phase's work scales with n.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseScaling {
    /// Phase name.
    pub phase: String,
    /// Pooled log-log fit of work against n over groups of points equal in every other
    /// parameter; `None` with too few points.
    pub fit: Option<Fit>,
    /// Groups with at least two values of n.
    pub groups: usize,
}

/// [`PhaseScaling`] of every phase in `phases`; `None` when n has a single value.
pub fn scaling_in_n(points: &[PointSummary], phases: &[String]) -> Option<Vec<PhaseScaling>> {
    if crate::slice::values(points, Dim::N).len() < 2 {
        return None;
    }
    let groups = matched(points, &[Dim::N]);
    Some(
        phases
            .iter()
            .map(|ph| {
                let data: Vec<Vec<(f64, f64)>> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .filter_map(|p| Some((p.params.n as f64, p.phase(ph)?.work_cpu.median)))
                            .collect()
                    })
                    .collect();
                PhaseScaling {
                    phase: ph.clone(),
                    fit: stats::pooled_loglog_fit(&data),
                    groups: data.iter().filter(|g| g.len() >= 2).count(),
                }
            })
            .collect(),
    )
}

/// The `paper` and `vss` values of one matched point (`None` where that mode lacks the phase
/// or kind).
pub type ModePair = (Option<f64>, Option<f64>);

/// How `vss` compares with `paper` on one quantity.
#[derive(Clone, Debug, PartialEq)]
pub enum OverheadRatio {
    /// Only `vss` has it.
    OnlyVss,
    /// Only `paper` has it.
    OnlyPaper,
    /// The vss / paper ratios over the pairs that have both with a positive paper value
    /// (empty when there are none).
    Ratios(Vec<f64>),
}

/// One quantity (a phase's work, a kind's bytes, ...) in both modes over matched points.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeOverhead {
    /// `paper` values over the pairs that have one.
    pub paper: Option<Stat>,
    /// `vss` values over the pairs that have one.
    pub vss: Option<Stat>,
    /// The comparison.
    pub ratio: OverheadRatio,
}

/// [`ModeOverhead`] of `values`.
pub fn mode_overhead(values: &[ModePair]) -> ModeOverhead {
    let side = |f: fn(&ModePair) -> Option<f64>| Stat::of(&values.iter().filter_map(f).collect::<Vec<_>>());
    let (paper, vss) = (side(|v| v.0), side(|v| v.1));
    let ratio = match (&paper, &vss) {
        (None, Some(_)) => OverheadRatio::OnlyVss,
        (Some(_), None) => OverheadRatio::OnlyPaper,
        _ => OverheadRatio::Ratios(
            values
                .iter()
                .filter_map(|v| match v {
                    (Some(p), Some(x)) if *p > 0.0 => Some(x / p),
                    _ => None,
                })
                .collect(),
        ),
    };
    ModeOverhead { paper, vss, ratio }
}

/// Work ratios between two values of one dimension over points that differ only in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Speedup {
    /// The first value of the dimension in display order (the one divided by).
    pub fast: DimValue,
    /// The second value.
    pub slow: DimValue,
    /// Matched pairs of points.
    pub pairs: usize,
    /// Per pair, session work of `slow` / session work of `fast`.
    pub session: Vec<f64>,
    /// Per phase (in the order given), the same ratio over the pairs that have the phase.
    pub phases: Vec<(String, Vec<f64>)>,
}

/// [`Speedup`] along `d`; `None` when `d` has one value or no pair of points matches.
pub fn speedup(points: &[PointSummary], phases: &[String], d: Dim) -> Option<Speedup> {
    let values = crate::slice::values(points, d);
    if values.len() < 2 {
        return None;
    }
    let (fast, slow) = (values[0].clone(), values[1].clone());
    let pairs: Vec<(&PointSummary, &PointSummary)> = matched(points, &[d])
        .into_iter()
        .filter_map(|g| {
            let a = g.iter().find(|p| p.params.get(d) == fast)?;
            let b = g.iter().find(|p| p.params.get(d) == slow)?;
            Some((*a, *b))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    Some(Speedup {
        pairs: pairs.len(),
        session: pairs.iter().map(|(f, s)| s.total_work() / f.total_work()).collect(),
        phases: phases
            .iter()
            .map(|ph| {
                let r = pairs
                    .iter()
                    .filter_map(|(f, s)| Some(s.phase(ph)?.work_cpu.median / f.phase(ph)?.work_cpu.median))
                    .collect();
                (ph.clone(), r)
            })
            .collect(),
        fast,
        slow,
    })
}

/// What the messages say about bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ByteFindings {
    /// The kind with the largest median share of a session's encoded bytes, and that share.
    pub top_kind: Option<(String, f64)>,
    /// Pooled log-log fit of session bytes against n (`None` with a single n).
    pub scaling: Option<Fit>,
    /// Encoded wire bytes over the payload bytes the reference prototype counted, over the
    /// kinds it counted (`None` when it counted none).
    pub wire_over_payload: Option<f64>,
}

/// [`ByteFindings`] of `messages`; `None` without messages.
pub fn byte_findings(messages: &[MessagePoint]) -> Option<ByteFindings> {
    if messages.is_empty() {
        return None;
    }
    let mut kind_share: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for mp in messages {
        let t = mp.total_bytes() as f64;
        if t > 0.0 {
            for r in &mp.rows {
                kind_share.entry(r.kind.as_str()).or_default().push(r.bytes as f64 / t);
            }
        }
    }
    let top_kind = kind_share
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), stats::median(v)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let scaling = if crate::slice::values(messages, Dim::N).len() >= 2 {
        let data: Vec<Vec<(f64, f64)>> = matched(messages, &[Dim::N])
            .iter()
            .map(|g| g.iter().map(|p| (p.params.n as f64, p.total_bytes() as f64)).collect())
            .collect();
        stats::pooled_loglog_fit(&data)
    } else {
        None
    };
    let (enc, pay): (u64, u64) = messages
        .iter()
        .flat_map(|m| m.rows.iter())
        .filter(|r| r.ref_compatible)
        .fold((0, 0), |(a, b), r| (a + r.bytes, b + r.payload_bytes));
    Some(ByteFindings {
        top_kind,
        scaling,
        wire_over_payload: (pay > 0).then(|| enc as f64 / pay as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_overhead_ratios_and_one_sided_quantities() {
        let o = mode_overhead(&[(Some(2.0), Some(3.0)), (Some(1.0), Some(2.0)), (None, Some(5.0))]);
        assert_eq!(o.paper.unwrap().count, 2);
        assert_eq!(o.vss.unwrap().count, 3);
        assert_eq!(o.ratio, OverheadRatio::Ratios(vec![1.5, 2.0]));
        assert_eq!(mode_overhead(&[(None, Some(1.0))]).ratio, OverheadRatio::OnlyVss);
        assert_eq!(mode_overhead(&[(Some(1.0), None)]).ratio, OverheadRatio::OnlyPaper);
        // A zero paper value gives no ratio.
        assert_eq!(
            mode_overhead(&[(Some(0.0), Some(1.0))]).ratio,
            OverheadRatio::Ratios(vec![])
        );
    }
}
