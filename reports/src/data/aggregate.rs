//! Summaries the figures, report and regression check start from: each phase of each point
//! over its repetitions (median, min, max; [`summarize`]) and the message rows grouped per
//! point ([`MessagePoint`]).

use std::collections::{BTreeMap, BTreeSet};

use super::{MessageRow, OP_COLUMNS, Params, PhaseRow, kind_rank, op_index, phase_rank};
use crate::stats::Stat;

/// Summary over repetitions of one phase at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseSummary {
    /// Phase name.
    pub phase: String,
    /// Number of party instances (from the first repetition).
    pub instances: u64,
    /// Sum over instances of CPU seconds.
    pub work_cpu: Stat,
    /// Sum over instances of wall seconds.
    pub work_wall: Stat,
    /// Max over instances of CPU seconds.
    pub max_cpu: Stat,
    /// Max over instances of wall seconds.
    pub max_wall: Stat,
    /// Median cost-model bound, seconds.
    pub bound_s: f64,
    /// Overhead over the bound, when the bound is non-zero.
    pub overhead: Option<Stat>,
    /// Operation counts of the first repetition.
    pub ops: [u64; OP_COLUMNS.len()],
}

/// Everything measured at one point, summarised over its repetitions.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSummary {
    /// Point id.
    pub point: String,
    /// Parameters.
    pub params: Params,
    /// Number of distinct repetitions.
    pub reps: usize,
    /// Phases in protocol order.
    pub phases: Vec<PhaseSummary>,
}

impl PointSummary {
    /// The summary of `phase`, if the point has it.
    pub fn phase(&self, phase: &str) -> Option<&PhaseSummary> {
        self.phases.iter().find(|p| p.phase == phase)
    }

    /// Sum over phases of the median work CPU seconds (the session's work).
    pub fn total_work(&self) -> f64 {
        self.phases.iter().map(|p| p.work_cpu.median).sum()
    }

    /// Sum over phases of one operation count (first repetition; counts are deterministic),
    /// 0 for an unknown op name.
    pub fn op_total(&self, op: &str) -> u64 {
        op_index(op).map_or(0, |i| self.phases.iter().map(|p| p.ops[i]).sum())
    }
}

/// All message kinds of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct MessagePoint {
    /// Point id.
    pub point: String,
    /// Parameters.
    pub params: Params,
    /// Rows in protocol order of kinds.
    pub rows: Vec<MessageRow>,
}

impl MessagePoint {
    /// Total encoded bytes over all kinds.
    pub fn total_bytes(&self) -> u64 {
        self.rows.iter().map(|r| r.bytes).sum()
    }
}

/// Types that carry sweep parameters (used to slice data along dimensions).
pub trait HasParams {
    /// The parameters.
    fn params(&self) -> &Params;
}

impl HasParams for PointSummary {
    fn params(&self) -> &Params {
        &self.params
    }
}

impl HasParams for MessagePoint {
    fn params(&self) -> &Params {
        &self.params
    }
}

/// Summarises phase rows per point and phase (median, min, max over repetitions).
pub fn summarize(rows: &[PhaseRow]) -> Vec<PointSummary> {
    /// Per point: parameters, repetitions seen, rows per phase.
    type Acc<'a> = (Params, BTreeSet<u32>, BTreeMap<&'a str, Vec<&'a PhaseRow>>);
    let mut by: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for r in rows {
        let e = by
            .entry(&r.point)
            .or_insert_with(|| (r.params.clone(), BTreeSet::new(), BTreeMap::new()));
        e.1.insert(r.rep);
        e.2.entry(&r.phase).or_default().push(r);
    }
    let mut out: Vec<PointSummary> = by
        .into_iter()
        .map(|(point, (params, reps, phases))| {
            let mut ph: Vec<PhaseSummary> = phases
                .into_iter()
                .filter_map(|(name, rs)| summarize_phase(name, &rs))
                .collect();
            ph.sort_by(|a, b| {
                phase_rank(&a.phase)
                    .cmp(&phase_rank(&b.phase))
                    .then(a.phase.cmp(&b.phase))
            });
            PointSummary {
                point: point.to_string(),
                params,
                reps: reps.len(),
                phases: ph,
            }
        })
        .collect();
    out.sort_by(|a, b| a.params.cmp(&b.params).then(a.point.cmp(&b.point)));
    out
}

fn summarize_phase(name: &str, rs: &[&PhaseRow]) -> Option<PhaseSummary> {
    let col = |f: fn(&PhaseRow) -> f64| Stat::of(&rs.iter().map(|r| f(r)).collect::<Vec<_>>());
    let first = rs.iter().min_by_key(|r| r.rep)?;
    let overheads: Vec<f64> = rs.iter().filter_map(|r| r.overhead).collect();
    Some(PhaseSummary {
        phase: name.to_string(),
        instances: first.instances,
        work_cpu: col(|r| r.work_cpu_s)?,
        work_wall: col(|r| r.work_wall_s)?,
        max_cpu: col(|r| r.max_cpu_s)?,
        max_wall: col(|r| r.max_wall_s)?,
        bound_s: col(|r| r.bound_s)?.median,
        overhead: Stat::of(&overheads),
        ops: first.ops,
    })
}

/// Message rows grouped per point (kinds in protocol order), sorted by parameters.
pub(super) fn group_messages(rows: &[MessageRow]) -> Vec<MessagePoint> {
    let mut by: BTreeMap<&str, MessagePoint> = BTreeMap::new();
    for r in rows {
        by.entry(&r.point)
            .or_insert_with(|| MessagePoint {
                point: r.point.clone(),
                params: r.params.clone(),
                rows: vec![],
            })
            .rows
            .push(r.clone());
    }
    let mut v: Vec<MessagePoint> = by.into_values().collect();
    for p in &mut v {
        p.rows
            .sort_by(|a, b| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)).then(a.kind.cmp(&b.kind)));
    }
    v.sort_by(|a, b| a.params.cmp(&b.params).then(a.point.cmp(&b.point)));
    v
}

/// One point's `sessions.csv` rows, summarised over its repetitions.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPoint {
    /// Point id.
    pub point: String,
    /// Parameters (`net` among them).
    pub params: Params,
    /// Link profile (`sim`, `netns`) or empty.
    pub profile: String,
    /// Repetitions.
    pub reps: usize,
    /// End-to-end latency, seconds (`None` on `memory`).
    pub e2e: Option<Stat>,
    /// Protocol bytes (the same in every repetition; the median).
    pub protocol_bytes: f64,
    /// TLS bytes, median.
    pub tls_bytes: Option<f64>,
    /// Wire bytes, median.
    pub wire_bytes: Option<f64>,
    /// Connections, median.
    pub connections: Option<f64>,
    /// Transport CPU seconds.
    pub transport_cpu: Option<Stat>,
    /// Party CPU seconds, median.
    pub party_cpu_s: Option<f64>,
    /// TLS handshake CPU seconds, median.
    pub tls_handshake_cpu_s: Option<f64>,
    /// TLS record CPU seconds, median.
    pub tls_record_cpu_s: Option<f64>,
}

impl SessionPoint {
    /// The network's kind: `memory`, `sim`, `process` or `netns`.
    pub fn net_kind(&self) -> &str {
        self.params.net.split(':').next().unwrap_or("")
    }
}

impl HasParams for SessionPoint {
    fn params(&self) -> &Params {
        &self.params
    }
}

/// `sessions.csv` rows grouped per point (medians over repetitions), sorted by parameters.
pub fn session_points(rows: &[super::SessionRow]) -> Vec<SessionPoint> {
    let mut by: BTreeMap<(Params, String), Vec<&super::SessionRow>> = BTreeMap::new();
    for r in rows {
        by.entry((r.params.clone(), r.point.clone())).or_default().push(r);
    }
    let med = |v: Vec<f64>| Stat::of(&v).map(|s| s.median);
    by.into_iter()
        .map(|((params, point), rs)| {
            let all = |f: &dyn Fn(&super::SessionRow) -> Option<f64>| -> Option<Vec<f64>> {
                let v: Vec<f64> = rs.iter().filter_map(|r| f(r)).collect();
                (!v.is_empty()).then_some(v)
            };
            SessionPoint {
                point,
                profile: rs[0].profile.clone(),
                reps: rs.iter().map(|r| r.rep).collect::<BTreeSet<_>>().len(),
                e2e: all(&|r| r.e2e_s).and_then(|v| Stat::of(&v)),
                protocol_bytes: med(rs.iter().map(|r| r.protocol_bytes as f64).collect()).unwrap_or(0.0),
                tls_bytes: all(&|r| r.tls_bytes.map(|x| x as f64)).and_then(med),
                wire_bytes: all(&|r| r.wire_bytes.map(|x| x as f64)).and_then(med),
                connections: all(&|r| r.connections.map(|x| x as f64)).and_then(med),
                transport_cpu: all(&|r| r.transport_cpu_s).and_then(|v| Stat::of(&v)),
                party_cpu_s: all(&|r| r.party_cpu_s).and_then(med),
                tls_handshake_cpu_s: all(&|r| r.tls_handshake_cpu_s).and_then(med),
                tls_record_cpu_s: all(&|r| r.tls_record_cpu_s).and_then(med),
                params,
            }
        })
        .collect()
}
