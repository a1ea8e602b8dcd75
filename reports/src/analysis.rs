//! Analysis behind the report's findings and its `vss` overhead section, as typed results:
//! which phase dominates, how each phase scales with n, backend and provider speedups,
//! comparisons by verification mode and suite, overhead over the cost model, work over
//! latency, what the messages say about bytes, and the paper / vss comparison (sessions,
//! where the added work goes, per phase and per kind, the DPs' commitment signatures priced
//! from `units.csv`). `report` only formats these (through `format`), so the numbers can be
//! tested and reused without parsing Markdown.

mod vss;

use std::collections::BTreeMap;

use crate::data::{Dim, DimValue, HasParams, MessagePoint, Params, PointSummary, UnitRow, kind_rank, phase_rank};
use crate::mode::Mode;
use crate::stats::{self, Fit, Stat};

pub use self::vss::{
    DP_SIG_VERIFY, DP_SIGN, DpSignatureCosts, DpSignatureRow, DpSignatures, OpCost, PAPER, VSS, VssOverhead,
    VssSession, WorkChange, dp_signatures, is_weak, mode_pairs, pair_key, vss_overhead,
};

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

/// Work and bytes of every value of one dimension relative to a reference value, over points
/// that differ only in the `free` dimensions (the report's "Session work by ..." findings).
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The value compared against: `paper` when present, else the first in display order.
    pub reference: DimValue,
    /// Every other value, in display order.
    pub others: Vec<Compared>,
}

/// One value of a [`Comparison`].
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// The value.
    pub value: DimValue,
    /// Per matched point, its session work over the reference's.
    pub work: Vec<f64>,
    /// Geometric mean over matched message points of its session bytes over the reference's
    /// (`None` without matched message points).
    pub bytes: Option<f64>,
}

/// [`Comparison`] along `d` with the `free` dimensions (which include `d`) allowed to differ;
/// `None` when `d` has a single value.
pub fn comparison(points: &[PointSummary], messages: &[MessagePoint], d: Dim, free: &[Dim]) -> Option<Comparison> {
    let vals = crate::slice::values(points, d);
    if vals.len() < 2 {
        return None;
    }
    let reference = vals
        .iter()
        .find(|v| Mode::of(&v.to_string()) == Some(PAPER))
        .unwrap_or(&vals[0])
        .clone();
    let groups = matched(points, free);
    let message_groups = matched(messages, free);
    let others = vals
        .iter()
        .filter(|v| **v != reference)
        .map(|v| {
            let work = groups
                .iter()
                .filter_map(|g| {
                    let a = g.iter().find(|p| p.params.get(d) == reference)?;
                    let b = g.iter().find(|p| p.params.get(d) == *v)?;
                    Some(b.total_work() / a.total_work())
                })
                .collect();
            let bytes: Vec<f64> = message_groups
                .iter()
                .filter_map(|g| {
                    let a = g.iter().find(|p| p.params.get(d) == reference)?;
                    let b = g.iter().find(|p| p.params.get(d) == *v)?;
                    Some(b.total_bytes() as f64 / a.total_bytes() as f64)
                })
                .collect();
            Compared {
                value: v.clone(),
                work,
                bytes: stats::geometric_mean(&bytes),
            }
        })
        .collect();
    Some(Comparison { reference, others })
}

/// Measured work over the cost-model bound.
#[derive(Clone, Debug, PartialEq)]
pub struct CostModelOverhead {
    /// The point with the largest median overhead of any phase ...
    pub worst_point: String,
    /// ... its parameters ...
    pub worst_params: Params,
    /// ... that phase ...
    pub worst_phase: String,
    /// ... and its overhead over repetitions.
    pub worst: Stat,
    /// Per phase (in protocol order), the median over points of its median overhead.
    pub per_phase: Vec<(String, f64)>,
}

/// [`CostModelOverhead`] of `points`; `None` when no phase has a non-zero bound.
pub fn cost_model_overhead(points: &[PointSummary]) -> Option<CostModelOverhead> {
    let mut worst: Option<(&PointSummary, &str, Stat)> = None;
    let mut per_phase: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for p in points {
        for ph in &p.phases {
            if let Some(o) = ph.overhead {
                per_phase.entry(ph.phase.as_str()).or_default().push(o.median);
                if worst.as_ref().is_none_or(|w| o.median > w.2.median) {
                    worst = Some((p, ph.phase.as_str(), o));
                }
            }
        }
    }
    let (p, phase, o) = worst?;
    let mut per_phase: Vec<(String, f64)> = per_phase
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), stats::median(v)?)))
        .collect();
    per_phase.sort_by_key(|(k, _)| phase_rank(k));
    Some(CostModelOverhead {
        worst_point: p.point.clone(),
        worst_params: p.params.clone(),
        worst_phase: phase.to_string(),
        worst: o,
        per_phase,
    })
}

/// Per phase of `phases` (in protocol order) run by several party instances, the median over
/// points of work / slowest instance's CPU time: how much of the work runs in parallel.
pub fn work_over_latency(points: &[PointSummary], phases: &[String]) -> Vec<(String, f64)> {
    let mut par: Vec<(String, f64)> = phases
        .iter()
        .filter_map(|ph| {
            let r: Vec<f64> = points
                .iter()
                .filter_map(|p| p.phase(ph))
                .filter(|s| s.max_cpu.median > 0.0 && s.instances > 1)
                .map(|s| s.work_cpu.median / s.max_cpu.median)
                .collect();
            Some((ph.clone(), stats::median(&r)?))
        })
        .collect();
    par.sort_by_key(|(k, _)| phase_rank(k));
    par
}

/// The phases of `points`, in protocol order.
pub fn phase_names<'a>(points: impl IntoIterator<Item = &'a PointSummary>) -> Vec<String> {
    let mut v: Vec<String> = points
        .into_iter()
        .flat_map(|p| p.phases.iter().map(|ph| ph.phase.clone()))
        .collect();
    v.sort_by(|a, b| phase_rank(a).cmp(&phase_rank(b)).then(a.cmp(b)));
    v.dedup();
    v
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

    // A small hand-made data set: points built directly, each phase with one repetition.

    const AUTH: &str = "cp_auth_request";
    const SHARE: &str = "share_encrypt_pvss_attach";
    const AGREE: &str = "dp_set_agreement";

    fn params(verify: Mode, n: u64) -> Params {
        Params {
            net: "memory".into(),
            backend: "num".into(),
            suite: "rsa".into(),
            provider: "rustcrypto".into(),
            verify: verify.name().into(),
            n,
            m: 5,
            k: 5,
            t: 3,
            rsa_bits: 2048,
            group_bits: 2048,
            group: "schnorr-2048".into(),
            value_bits: 32,
            dim: 1,
            func: "sum".into(),
            seed: 1,
        }
    }

    fn one(x: f64) -> Stat {
        Stat::of(&[x]).unwrap()
    }

    /// `(phase, work, slowest instance, instances, overhead)`.
    type Phase = (&'static str, f64, f64, u64, Option<f64>);

    fn point(verify: Mode, n: u64, phases: &[Phase]) -> PointSummary {
        PointSummary {
            point: format!("n{n}-{verify}"),
            params: params(verify, n),
            reps: 1,
            phases: phases
                .iter()
                .map(|&(phase, work, max, instances, overhead)| crate::data::PhaseSummary {
                    phase: phase.into(),
                    instances,
                    work_cpu: one(work),
                    work_wall: one(work),
                    max_cpu: one(max),
                    max_wall: one(max),
                    bound_s: overhead.map_or(0.0, |o| work / o),
                    overhead: overhead.map(one),
                    ops: [0; crate::data::OP_COLUMNS.len()],
                })
                .collect(),
        }
    }

    /// Sets op `op` of `phase` at `p` to `count`.
    fn with_op(mut p: PointSummary, phase: &str, op: &str, count: u64) -> PointSummary {
        let i = crate::data::op_index(op).unwrap();
        p.phases.iter_mut().find(|ph| ph.phase == phase).unwrap().ops[i] = count;
        p
    }

    fn messages(verify: Mode, n: u64, kinds: &[(&str, u64)]) -> MessagePoint {
        MessagePoint {
            point: format!("n{n}-{verify}"),
            params: params(verify, n),
            rows: kinds
                .iter()
                .map(|&(kind, bytes)| crate::data::MessageRow {
                    line: 2,
                    point: format!("n{n}-{verify}"),
                    params: params(verify, n),
                    kind: kind.into(),
                    src_role: "DP".into(),
                    dst_role: "CP".into(),
                    count: 1,
                    bytes,
                    payload_bytes: bytes,
                    ref_compatible: true,
                })
                .collect(),
        }
    }

    fn unit(op: &str, unit_s: f64) -> UnitRow {
        UnitRow {
            backend: "num".into(),
            suite: "rsa".into(),
            provider: "rustcrypto".into(),
            rsa_bits: 2048,
            group_bits: 2048,
            group: "schnorr-2048".into(),
            op: op.into(),
            unit_s,
        }
    }

    /// paper and vss at n = 20 and 40; vss doubles `SHARE` and adds `AGREE`.
    fn paper_and_vss() -> Vec<PointSummary> {
        vec![
            point(
                PAPER,
                20,
                &[(AUTH, 1.0, 0.25, 4, Some(1.5)), (SHARE, 1.0, 1.0, 1, Some(3.0))],
            ),
            point(
                PAPER,
                40,
                &[(AUTH, 2.0, 1.0, 4, Some(2.5)), (SHARE, 2.0, 2.0, 1, Some(2.0))],
            ),
            point(
                VSS,
                20,
                &[
                    (AUTH, 1.0, 0.25, 4, None),
                    (SHARE, 2.0, 2.0, 1, None),
                    (AGREE, 0.5, 0.1, 5, None),
                ],
            ),
            point(
                VSS,
                40,
                &[
                    (AUTH, 2.0, 1.0, 4, None),
                    (SHARE, 4.0, 4.0, 1, None),
                    (AGREE, 1.0, 0.5, 5, None),
                ],
            ),
        ]
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn comparison_by_mode_work_and_bytes_over_matched_points() {
        let points = paper_and_vss();
        let msgs = [
            messages(PAPER, 20, &[("share_packet", 100)]),
            messages(VSS, 20, &[("share_packet", 100), ("commitments", 50)]),
            messages(VSS, 40, &[("share_packet", 200)]),
        ];
        let c = comparison(&points, &msgs, Dim::Verify, &[Dim::Verify]).unwrap();
        assert_eq!(c.reference, DimValue::Text(PAPER.name().into()));
        assert_eq!(c.others.len(), 1);
        let vss = &c.others[0];
        assert_eq!(vss.value, DimValue::Text(VSS.name().into()));
        // (1 + 2 + 0.5) / 2 and (2 + 4 + 1) / 4
        assert_eq!(vss.work, vec![1.75, 1.75]);
        // only n = 20 has messages in both modes
        assert!(close(vss.bytes.unwrap(), 1.5));
        // one suite only: nothing to compare
        assert_eq!(
            comparison(&points, &msgs, Dim::Suite, &[Dim::Suite, Dim::RsaBits]),
            None
        );
    }

    #[test]
    fn cost_model_overhead_worst_and_median_per_phase() {
        let o = cost_model_overhead(&paper_and_vss()).unwrap();
        assert_eq!((o.worst_point.as_str(), o.worst_phase.as_str()), ("n20-paper", SHARE));
        assert_eq!(o.worst_params, params(PAPER, 20));
        assert_eq!(o.worst.median, 3.0);
        // protocol order, median over points
        assert_eq!(o.per_phase, vec![(AUTH.to_string(), 2.0), (SHARE.to_string(), 2.5)]);
        assert_eq!(cost_model_overhead(&paper_and_vss()[2..]), None);
    }

    #[test]
    fn work_over_latency_only_of_phases_run_by_several_instances() {
        let points = paper_and_vss();
        let r = work_over_latency(&points, &phase_names(&points));
        // AUTH: 4, 2, 4, 2 -> 3; SHARE has one instance; AGREE: 5, 2 -> 3.5
        assert_eq!(r, vec![(AUTH.to_string(), 3.0), (AGREE.to_string(), 3.5)]);
    }

    #[test]
    fn vss_overhead_sessions_work_change_and_per_phase() {
        let points = paper_and_vss();
        let msgs = [
            messages(PAPER, 20, &[("share_packet", 100)]),
            messages(VSS, 20, &[("share_packet", 100), ("commitments", 50)]),
        ];
        let v = vss_overhead(&points, &msgs, &[]).unwrap();
        assert!(v.several());
        assert_eq!(v.sessions.len(), 2);
        assert_eq!(v.sessions[0].work, Some((2.0, 3.5)));
        assert_eq!(v.sessions[0].bytes, Some((100, 150)));
        assert_eq!(v.sessions[1].work, Some((4.0, 7.0)));
        assert_eq!(v.sessions[1].bytes, None);
        assert!(!v.common.iter().any(|(d, _)| *d == Dim::N || *d == Dim::Verify));
        assert!(v.common.contains(&(Dim::T, DimValue::Num(3))));
        // added: 1.5 and 3 -> 2.25; SHARE +1 and +2 -> 1.5; AGREE +0.5 and +1 -> 0.75
        assert_eq!(
            v.work_change,
            Some(WorkChange::Adds {
                total: 2.25,
                phase: SHARE.into(),
                delta: 1.5
            })
        );
        let phases: Vec<&str> = v.phase_work.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(phases, [AUTH, SHARE, AGREE]);
        assert_eq!(v.phase_work[1].1.ratio, OverheadRatio::Ratios(vec![2.0, 2.0]));
        assert_eq!(v.phase_work[2].1.ratio, OverheadRatio::OnlyVss);
        assert_eq!(
            v.session_work.as_ref().unwrap().ratio,
            OverheadRatio::Ratios(vec![1.75, 1.75])
        );
        let kinds: Vec<&str> = v.kind_bytes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["share_packet", "commitments"]);
        assert_eq!(v.kind_bytes[1].1.ratio, OverheadRatio::OnlyVss);
        assert_eq!(v.dp_signatures, Some(DpSignatures::NotCounted));
        // vss cheaper: the saving is reported as positive seconds
        let cheaper = [
            point(PAPER, 20, &[(AUTH, 1.0, 1.0, 1, None), (SHARE, 3.0, 3.0, 1, None)]),
            point(VSS, 20, &[(AUTH, 1.0, 1.0, 1, None), (SHARE, 2.0, 2.0, 1, None)]),
        ];
        assert_eq!(
            vss_overhead(&cheaper, &[], &[]).unwrap().work_change,
            Some(WorkChange::Saves {
                total: 1.0,
                phase: SHARE.into(),
                delta: 1.0
            })
        );
        // no vss point: no section
        assert_eq!(vss_overhead(&points[..2], &msgs[..1], &[]), None);
    }

    #[test]
    fn dp_signatures_priced_from_unit_costs() {
        let mut points = paper_and_vss();
        points[2] = with_op(
            with_op(points[2].clone(), AGREE, DP_SIGN, 20),
            AGREE,
            DP_SIG_VERIFY,
            120,
        );
        points[3] = with_op(
            with_op(points[3].clone(), AGREE, DP_SIGN, 40),
            AGREE,
            DP_SIG_VERIFY,
            240,
        );
        let pairs = mode_pairs(&points);
        let units = [unit(DP_SIGN, 1e-4), unit(DP_SIG_VERIFY, 5e-5)];
        let DpSignatures::Counted(c) = dp_signatures(&pairs, &units) else {
            panic!("dp_sign is counted");
        };
        assert_eq!(c.unpriced, 0);
        let r = &c.rows[0];
        assert_eq!((r.sign.count, r.verify.count), (20, 120));
        assert_eq!((r.sign.unit_s, r.verify.unit_s), (Some(1e-4), Some(5e-5)));
        // 20 x 100 µs + 120 x 50 µs = 8 ms, of 3.5 s of vss work
        assert!(close(r.total_s.unwrap(), 0.008));
        assert!(close(r.share.unwrap(), 0.008 / 3.5));
        let (secs, share) = c.cost.unwrap();
        // 8 ms and 16 ms over two points
        assert!(close(secs.median, 0.012) && close(secs.min, 0.008) && close(secs.max, 0.016));
        assert!(close(share.max, 0.016 / 7.0));
        // without the verify unit cost: counted, not priced
        let DpSignatures::Counted(c) = dp_signatures(&pairs, &units[..1]) else {
            panic!("dp_sign is counted");
        };
        assert_eq!((c.unpriced, c.cost), (2, None));
        assert_eq!(c.rows[1].sign.seconds, Some(40.0 * 1e-4));
        assert_eq!(c.rows[1].total_s, None);
    }
}
