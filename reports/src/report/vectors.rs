//! The **Vectors** finding, written when the sweep has more than one `dim`: at the largest d
//! of each group of points (every parameter but `dim` held fixed), the work per element of one
//! DP's input of the DP, of each CP and of the Edge, and the bytes per DP, each beside the goal
//! the vector-input issue set for it, and how the work per element falls with d (the fixed
//! costs amortised). [`vector_costs`] computes the typed rows; [`findings`] writes them.

use super::*;
use crate::data::{MessageRow, Params};

/// The DP's phase: share, encrypt, PVSS proof, attach.
pub(crate) const DP_PHASE: &str = "share_encrypt_pvss_attach";
/// Each CP's phase: decrypt, verify, local compute.
pub(crate) const CP_PHASE: &str = "cp_decrypt_pvss_verify_local_compute";
/// The Edge's phase: reconstruct.
pub(crate) const EDGE_PHASE: &str = "edge_reconstruct";
/// The message kind a DP sends its shares in.
pub(crate) const SHARE_KIND: &str = "share_packet";
/// Bytes of one field element (F64).
const ELEMENT_BYTES: f64 = 8.0;
/// The fixed allowance of the bytes bound per DP.
const BOUND_FIXED_BYTES: f64 = 65_536.0;
/// Goal: the DP's work per element beyond its fixed cost, microseconds.
const GOAL_DP_US: f64 = 5.0;
/// Goal: each CP's work per element per DP, microseconds.
const GOAL_CP_US: f64 = 0.5;
/// Goal: the Edge's work per element, microseconds.
const GOAL_EDGE_US: f64 = 1.0;

/// The costs per element at the largest d of one group of points.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VectorCosts {
    /// The group's values of the dimensions that vary between groups (`n=100`).
    pub group: Vec<(Dim, DimValue)>,
    /// The point at the largest d.
    pub point: String,
    /// Its d.
    pub dim: u64,
    /// Its field elements per DP input ([`Params::elements`]).
    pub elements: u64,
    /// The d = 1 point of the group (the one-element point), when there is one.
    pub base: Option<String>,
    /// DP work per element: `share_encrypt_pvss_attach` work / (n x elements), us.
    pub dp_us: Option<f64>,
    /// DP work per element beyond the d = 1 cost: (work(d) - work(1)) / (n x (elements - 1)), us.
    pub dp_marginal_us: Option<f64>,
    /// Each CP's work per element per DP: `cp_decrypt_pvss_verify_local_compute` work /
    /// (k x n x elements), us.
    pub cp_us: Option<f64>,
    /// The Edge's work per element: `edge_reconstruct` work / elements, us.
    pub edge_us: Option<f64>,
    /// Bytes per DP: `share_packet` bytes / n.
    pub bytes_per_dp: Option<f64>,
    /// The plain size of one DP's input: elements x 8 bytes.
    pub plain_bytes: f64,
    /// The bound on bytes per DP: (k - t + 1) x 8 x elements + 65,536 bytes.
    pub bound_bytes: f64,
    /// The same per-element costs at the d = 1 point (DP, CP, Edge), for the amortisation line.
    pub base_us: Option<[Option<f64>; 3]>,
}

/// A phase's median work CPU seconds at `p`.
fn work(p: &PointSummary, phase: &str) -> Option<f64> {
    p.phase(phase).map(|s| s.work_cpu.median)
}

/// Per-element costs of `p` (DP, CP, Edge), microseconds.
fn per_element(p: &PointSummary) -> [Option<f64>; 3] {
    let q = &p.params;
    let (n, k, e) = (q.n.max(1) as f64, q.k.max(1) as f64, q.elements().max(1) as f64);
    [
        work(p, DP_PHASE).map(|w| w * 1e6 / (n * e)),
        work(p, CP_PHASE).map(|w| w * 1e6 / (k * n * e)),
        work(p, EDGE_PHASE).map(|w| w * 1e6 / e),
    ]
}

/// The key of `p`'s group: every dimension but those in `skip`.
fn key(p: &Params, skip: &[Dim]) -> Vec<DimValue> {
    Dim::ALL
        .iter()
        .filter(|d| !skip.contains(d))
        .map(|d| p.get(*d))
        .collect()
}

/// The costs per element at the largest d of each group of points (every parameter but `dim`
/// held fixed), for the groups whose largest d exceeds 1; empty unless `dim` takes more than one
/// value. The d = 1 point of a group is the one of the same parameters, or failing that the one
/// that differs only in `func` (`sum` beside `vector-sum`).
pub(crate) fn vector_costs(points: &[PointSummary], messages: &[MessagePoint]) -> Vec<VectorCosts> {
    if slice::values(points, Dim::Dim).len() < 2 {
        return vec![];
    }
    let mut groups: BTreeMap<Vec<DimValue>, Vec<&PointSummary>> = BTreeMap::new();
    for p in points {
        groups.entry(key(&p.params, &[Dim::Dim])).or_default().push(p);
    }
    let tops: Vec<&PointSummary> = groups
        .values()
        .filter_map(|g| g.iter().copied().max_by_key(|p| (p.params.dim, p.params.elements())))
        .filter(|p| p.params.dim > 1)
        .collect();
    // Name each group by the dimensions (other than dim) that differ between the groups.
    let varying: Vec<Dim> = Dim::ALL
        .iter()
        .copied()
        .filter(|d| *d != Dim::Dim)
        .filter(|d| tops.iter().any(|p| p.params.get(*d) != tops[0].params.get(*d)))
        .collect();
    tops.into_iter()
        .map(|p| {
            let q = &p.params;
            let base = points
                .iter()
                .find(|b| b.params.dim == 1 && key(&b.params, &[Dim::Dim]) == key(q, &[Dim::Dim]))
                .or_else(|| {
                    points.iter().find(|b| {
                        b.params.dim == 1 && key(&b.params, &[Dim::Dim, Dim::Func]) == key(q, &[Dim::Dim, Dim::Func])
                    })
                });
            let n = q.n.max(1) as f64;
            let elements = q.elements().max(1);
            let e = elements as f64;
            let [dp_us, cp_us, edge_us] = per_element(p);
            let dp_marginal_us = base.and_then(|b| {
                let extra = elements.checked_sub(b.params.elements().max(1)).filter(|x| *x > 0)? as f64;
                Some((work(p, DP_PHASE)? - work(b, DP_PHASE)?) * 1e6 / (n * extra))
            });
            let bytes_per_dp = messages.iter().find(|m| m.point == p.point).and_then(|m| {
                let rows: Vec<&MessageRow> = m.rows.iter().filter(|r| r.kind == SHARE_KIND).collect();
                (!rows.is_empty()).then(|| rows.iter().map(|r| r.bytes).sum::<u64>() as f64 / n)
            });
            let kt1 = (q.k + 1).saturating_sub(q.t) as f64;
            VectorCosts {
                group: varying.iter().map(|d| (*d, q.get(*d))).collect(),
                point: p.point.clone(),
                dim: q.dim,
                elements,
                base: base.map(|b| b.point.clone()),
                dp_us,
                dp_marginal_us,
                cp_us,
                edge_us,
                bytes_per_dp,
                plain_bytes: e * ELEMENT_BYTES,
                bound_bytes: kt1 * ELEMENT_BYTES * e + BOUND_FIXED_BYTES,
                base_us: base.map(per_element),
            }
        })
        .collect()
}

/// `"met"` / `"not met"` for a value against a goal it must not exceed.
fn verdict(v: f64, goal: f64) -> &'static str {
    if v <= goal { "met" } else { "not met" }
}

/// `"12.3 us"`, or a note that the phase is missing.
fn us(v: Option<f64>, phase: &str) -> String {
    v.map_or_else(|| format!("no `{phase}` at this point"), |x| format!("{} us", sig(x)))
}

/// Writes the **Vectors** finding (nothing when `dim` has a single value).
pub(super) fn findings(out: &mut String, points: &[PointSummary], messages: &[MessagePoint]) {
    let rows = vector_costs(points, messages);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "- **Vectors** (per element of one DP's input, at the largest d of each group; median work CPU \
         microseconds summed over party instances; goals from the vector-input issue: DP at most {GOAL_DP_US} us \
         per element beyond its fixed cost, each CP at most {GOAL_CP_US} us per element per DP, Edge at most \
         {GOAL_EDGE_US} us per element, bytes per DP at most (k - t + 1) x 8 x elements + 65,536 bytes):"
    );
    let mut tally = Tally::default();
    for r in &rows {
        row_finding(out, r, &mut tally);
    }
    let summary: Vec<String> = ["DP", "each CP", "Edge", "bytes per DP"]
        .iter()
        .enumerate()
        .filter(|(i, _)| tally.judged[*i] > 0)
        .map(|(i, who)| format!("{who} {} of {}", tally.met[i], tally.judged[i]))
        .collect();
    if !summary.is_empty() {
        let _ = writeln!(
            out,
            "  Goals met (groups meeting / groups judged): {}.",
            summary.join(", ")
        );
    }
}

/// Goals judged and met, per goal: DP, each CP, Edge, bytes per DP.
#[derive(Default)]
struct Tally {
    met: [usize; 4],
    judged: [usize; 4],
}

impl Tally {
    /// Judge goal `i` (`v` against at most `goal`) and count it.
    fn judge(&mut self, i: usize, v: f64, goal: f64) -> &'static str {
        self.judged[i] += 1;
        let w = verdict(v, goal);
        if w == "met" {
            self.met[i] += 1;
        }
        w
    }
}

/// One group's lines of the finding: per element per party, bytes, fixed costs amortised.
fn row_finding(out: &mut String, r: &VectorCosts, tally: &mut Tally) {
    let name = if r.group.is_empty() {
        String::new()
    } else {
        format!("{}, ", dims_text(&r.group.iter().collect::<Vec<_>>()))
    };
    let _ = writeln!(
        out,
        "  - {name}d = {} ({} per DP input, `{}`):",
        r.dim,
        plural(r.elements as usize, "element"),
        r.point
    );
    let dp = match (r.dp_marginal_us, &r.base) {
        (Some(m), _) => format!(
            "; {} us per element beyond the d = 1 cost (goal at most {GOAL_DP_US} us: {})",
            sig(m),
            tally.judge(0, m, GOAL_DP_US)
        ),
        (None, Some(_)) => "; the cost beyond d = 1 is not measured at this point (goal not judged)".into(),
        (None, None) => "; no d = 1 point in this group, so the cost beyond it (the goal) is not judged".into(),
    };
    let _ = writeln!(
        out,
        "    - DP (`{DP_PHASE}` / (n x elements)): {} per element{dp}.",
        us(r.dp_us, DP_PHASE)
    );
    let cp = r
        .cp_us
        .map(|v| format!(" (goal at most {GOAL_CP_US} us: {})", tally.judge(1, v, GOAL_CP_US)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    - Each CP (`{CP_PHASE}` / (k x n x elements)): {} per element per DP{cp}.",
        us(r.cp_us, CP_PHASE)
    );
    let edge = r
        .edge_us
        .map(|v| format!(" (goal at most {GOAL_EDGE_US} us: {})", tally.judge(2, v, GOAL_EDGE_US)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    - Edge (`{EDGE_PHASE}` / elements): {} per element{edge}.",
        us(r.edge_us, EDGE_PHASE)
    );
    bytes_line(out, r, tally);
    amortised_line(out, r);
}

/// Bytes per DP against the plain size and the bound.
fn bytes_line(out: &mut String, r: &VectorCosts, tally: &mut Tally) {
    let Some(b) = r.bytes_per_dp else {
        let _ = writeln!(
            out,
            "    - Bytes per DP: messages.csv has no `{SHARE_KIND}` rows at this point (goal not judged)."
        );
        return;
    };
    let _ = writeln!(
        out,
        "    - Bytes per DP (`{SHARE_KIND}` bytes / n): {}, {:.2}x the plain {} (elements x 8 B) and \
         {:.3}x the bound {} (goal at most the bound: {}).",
        bytes_text(b),
        b / r.plain_bytes,
        bytes_text(r.plain_bytes),
        b / r.bound_bytes,
        bytes_text(r.bound_bytes),
        tally.judge(3, b, r.bound_bytes)
    );
}

/// How far work per element falls from d = 1 to this d.
fn amortised_line(out: &mut String, r: &VectorCosts) {
    let Some(base) = &r.base_us else { return };
    let parts: Vec<String> = [("DP", r.dp_us), ("each CP", r.cp_us), ("Edge", r.edge_us)]
        .into_iter()
        .zip(base)
        .filter_map(|((who, at_d), at_1)| {
            let (d, one) = (at_d?, (*at_1)?);
            let fall = if d > 0.0 {
                format!(" ({:.0}x less)", one / d)
            } else {
                String::new()
            };
            Some(format!("{who} {} us at d = 1 to {} us{fall}", sig(one), sig(d)))
        })
        .collect();
    if !parts.is_empty() {
        let _ = writeln!(
            out,
            "    - Fixed costs amortised: work per element falls from {} at d = {}.",
            parts.join(", "),
            r.dim
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::PhaseSummary;

    fn stat(v: f64) -> Stat {
        Stat::of(&[v]).unwrap()
    }

    fn params(n: u64, dim: u64) -> Params {
        Params {
            net: "memory".into(),
            backend: "n/a".into(),
            suite: "x25519".into(),
            provider: "awslc".into(),
            verify: "batch".into(),
            n,
            m: 10,
            k: 10,
            t: 5,
            group: "ristretto255".into(),
            value_bits: 32,
            dim,
            func: "sum".into(),
            seed: 1,
            ..Params::default()
        }
    }

    fn phase(name: &str, work: f64) -> PhaseSummary {
        PhaseSummary {
            phase: name.into(),
            instances: 1,
            work_cpu: stat(work),
            work_wall: stat(work),
            max_cpu: stat(work),
            max_wall: stat(work),
            bound_s: 0.0,
            overhead: None,
            ops: [0; OP_COLUMNS.len()],
        }
    }

    /// A point with DP work 1 ms per DP plus `dp_us` per element, CP work 50 us + 0.02 us per
    /// element per DP and CP, Edge work 300 us + 0.1 us per element, and `share_packet` bytes of
    /// 6 x 8 x elements + 2,000 per DP.
    fn point(n: u64, dim: u64, dp_us: f64) -> (PointSummary, MessagePoint) {
        let p = params(n, dim);
        let (nf, d) = (n as f64, dim as f64);
        let id = format!("n{n}-d{dim}");
        let summary = PointSummary {
            point: id.clone(),
            params: p.clone(),
            reps: 1,
            phases: vec![
                phase(DP_PHASE, nf * (1e-3 + dp_us * 1e-6 * (d - 1.0))),
                phase(CP_PHASE, 10.0 * nf * (50e-6 + 0.02e-6 * (d - 1.0))),
                phase(EDGE_PHASE, 300e-6 + 0.1e-6 * d),
            ],
        };
        let row = MessageRow {
            line: 2,
            point: id.clone(),
            params: p.clone(),
            kind: SHARE_KIND.into(),
            src_role: "DP".into(),
            dst_role: "CP".into(),
            count: n * 10,
            bytes: n * (48 * dim + 2_000),
            payload_bytes: 0,
            ref_compatible: true,
        };
        let msgs = MessagePoint {
            point: id,
            params: p,
            rows: vec![row],
        };
        (summary, msgs)
    }

    fn data(pts: &[(u64, u64, f64)]) -> (Vec<PointSummary>, Vec<MessagePoint>) {
        pts.iter().map(|&(n, d, us)| point(n, d, us)).unzip()
    }

    fn text(points: &[PointSummary], messages: &[MessagePoint]) -> String {
        let mut out = String::new();
        findings(&mut out, points, messages);
        out
    }

    #[test]
    fn vectors_finding_appears_when_dim_varies() {
        let (points, messages) = data(&[(100, 1, 2.0), (100, 1000, 2.0), (200, 1, 8.0), (200, 1000, 8.0)]);
        let rows = vector_costs(&points, &messages);
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!((r.dim, r.elements, r.base.as_deref()), (1000, 1000, Some("n100-d1")));
        assert!((r.dp_marginal_us.unwrap() - 2.0).abs() < 1e-9, "{r:?}");
        assert!(
            (r.cp_us.unwrap() - (50.0 + 0.02 * 999.0) / 1000.0).abs() < 1e-9,
            "{r:?}"
        );
        assert!((r.edge_us.unwrap() - (300.0 + 100.0) / 1000.0).abs() < 1e-9, "{r:?}");
        assert_eq!(r.bytes_per_dp, Some(48_000.0 + 2_000.0));
        assert_eq!((r.plain_bytes, r.bound_bytes), (8_000.0, 48_000.0 + 65_536.0));
        let md = text(&points, &messages);
        assert!(md.starts_with("- **Vectors**"), "{md}");
        assert!(
            md.contains("  - n=100, d = 1000 (1000 elements per DP input, `n100-d1000`):"),
            "{md}"
        );
        assert!(
            md.contains("2.000 us per element beyond the d = 1 cost (goal at most 5 us: met)"),
            "{md}"
        );
        // n = 200's DP spends 8 us per element: the goal is missed there, and said so.
        assert!(
            md.contains("8.000 us per element beyond the d = 1 cost (goal at most 5 us: not met)"),
            "{md}"
        );
        assert!(
            md.contains("6.25x the plain 8.0 kB (elements x 8 B) and 0.440x the bound 113.5 kB"),
            "{md}"
        );
        assert!(
            md.contains("Fixed costs amortised: work per element falls from DP 1000 us at d = 1"),
            "{md}"
        );
        assert!(
            md.contains("Goals met (groups meeting / groups judged): DP 1 of 2, each CP 2 of 2, Edge 2 of 2, bytes per DP 2 of 2."),
            "{md}"
        );
    }

    #[test]
    fn vectors_finding_is_absent_with_a_single_dim() {
        let (points, messages) = data(&[(100, 1, 2.0), (200, 1, 2.0)]);
        assert!(vector_costs(&points, &messages).is_empty());
        assert_eq!(text(&points, &messages), "");
        let (points, messages) = data(&[(100, 1000, 2.0), (200, 1000, 2.0)]);
        assert_eq!(text(&points, &messages), "");
    }

    #[test]
    fn without_a_d1_point_the_dp_goal_is_not_judged() {
        let (points, messages) = data(&[(100, 10, 2.0), (100, 1000, 2.0)]);
        let md = text(&points, &messages);
        assert!(md.contains("no d = 1 point in this group"), "{md}");
        assert!(!md.contains("Fixed costs amortised"), "{md}");
        assert!(
            md.contains("Goals met (groups meeting / groups judged): each CP 1 of 1"),
            "{md}"
        );
    }

    /// Wired into the report: the finding sits in `## Findings`.
    #[test]
    fn report_carries_the_vectors_finding() {
        let (points, messages) = data(&[(100, 1, 2.0), (100, 1000, 2.0)]);
        let mut out = String::new();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep");
        let ds = Dataset::load(&fixture).unwrap();
        super::super::findings::findings(&mut out, &ds, &points, &messages);
        assert!(out.starts_with("## Findings") && out.contains("- **Vectors**"), "{out}");
    }
}
