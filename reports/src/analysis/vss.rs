//! The `vss` verification mode against `paper`: matched pairs of points, the overhead in
//! work and bytes per session, phase and message kind, and the cost of the DPs' commitment
//! signatures.

use super::*;

/// The verification mode whose overhead [`vss_overhead`] measures (Pedersen VSS, beyond the paper) ...
pub const VSS: Mode = Mode::Vss;
/// ... and the mode it is measured against.
pub const PAPER: Mode = Mode::Paper;

/// Matched (`paper`, `vss`) pairs: points with the same value of every other dimension.
pub fn mode_pairs<T: HasParams>(items: &[T]) -> Vec<(&T, &T)> {
    matched(items, &[Dim::Verify])
        .into_iter()
        .filter_map(|g| {
            let a = g.iter().find(|p| Mode::of(&p.params().verify) == Some(PAPER))?;
            let b = g.iter().find(|p| Mode::of(&p.params().verify) == Some(VSS))?;
            Some((*a, *b))
        })
        .collect()
}

/// The values of every dimension but the verification mode (and the network when it is
/// `memory`, the only one before the net axis, and the group when it is the Schnorr group of
/// `group_bits`, the only kind before the group axis, and `dim` and `func` when they are 1 and
/// `sum`, the only ones before vector inputs, so that names of points stay as they were).
pub fn pair_key(p: &Params) -> Vec<(Dim, DimValue)> {
    let schnorr = p.group == format!("schnorr-{}", p.group_bits);
    let default = |d: Dim| match d {
        Dim::Verify => true,
        Dim::Net => p.net == "memory",
        Dim::Group => schnorr,
        Dim::Dim => p.dim == 1,
        Dim::Func => p.func == "sum",
        _ => false,
    };
    Dim::ALL
        .iter()
        .filter(|d| !default(**d))
        .map(|d| (*d, p.get(*d)))
        .collect()
}

/// The `vss` overhead over `paper`: everything the report's "Overhead of vss over paper"
/// section shows.
#[derive(Clone, Debug, PartialEq)]
pub struct VssOverhead {
    /// One row per matched parameter point, in order of [`pair_key`].
    pub sessions: Vec<VssSession>,
    /// The (dimension, value) pairs every row shares.
    pub common: Vec<(Dim, DimValue)>,
    /// Where the added (or saved) work goes; `None` without matched work or when the
    /// session and phase changes disagree in sign.
    pub work_change: Option<WorkChange>,
    /// Work of the whole session over the matched pairs (`None` without matched work).
    pub session_work: Option<ModeOverhead>,
    /// Work per phase (protocol order) over the matched pairs; empty without matched work.
    pub phase_work: Vec<(String, ModeOverhead)>,
    /// The DP commitment signatures; `None` without matched work.
    pub dp_signatures: Option<DpSignatures>,
    /// Encoded bytes of the whole session over the matched message pairs (`None` without them).
    pub session_bytes: Option<ModeOverhead>,
    /// Encoded bytes per message kind (protocol order).
    pub kind_bytes: Vec<(String, ModeOverhead)>,
}

impl VssOverhead {
    /// Whether there are several parameter points (values are then summarised over them).
    pub fn several(&self) -> bool {
        self.sessions.len() > 1
    }
}

/// One matched parameter point of [`VssOverhead`].
#[derive(Clone, Debug, PartialEq)]
pub struct VssSession {
    /// Every dimension but the verification mode.
    pub key: Vec<(Dim, DimValue)>,
    /// Whether it uses a weak 1024-bit size.
    pub weak: bool,
    /// Session work (`paper`, `vss`), when both modes' phases were matched.
    pub work: Option<(f64, f64)>,
    /// Session bytes (`paper`, `vss`), when both modes' messages were matched.
    pub bytes: Option<(u64, u64)>,
}

/// Where `vss` changes the session's work (medians over matched points).
#[derive(Clone, Debug, PartialEq)]
pub enum WorkChange {
    /// `vss` adds `total` seconds, most of it (`delta`) in `phase`.
    Adds {
        /// Added seconds per session.
        total: f64,
        /// The phase with the largest increase.
        phase: String,
        /// Its increase, seconds.
        delta: f64,
    },
    /// `vss` saves `total` seconds (positive), the most (`delta`, positive) in `phase`.
    Saves {
        /// Saved seconds per session.
        total: f64,
        /// The phase with the largest saving.
        phase: String,
        /// Its saving, seconds.
        delta: f64,
    },
}

/// Whether a point uses a weak 1024-bit RSA or group size.
pub fn is_weak(p: &Params) -> bool {
    p.rsa_bits == 1024 || p.group_bits == 1024
}

/// [`VssOverhead`] of the data; `None` without matched `paper` and `vss` points.
pub fn vss_overhead(points: &[PointSummary], messages: &[MessagePoint], units: &[UnitRow]) -> Option<VssOverhead> {
    let work_pairs = mode_pairs(points);
    let byte_pairs = mode_pairs(messages);
    if work_pairs.is_empty() && byte_pairs.is_empty() {
        return None;
    }
    let sessions = matched_sessions(&work_pairs, &byte_pairs);
    let common: Vec<(Dim, DimValue)> = sessions[0]
        .key
        .iter()
        .filter(|dv| sessions.iter().all(|s| s.key.contains(dv)))
        .cloned()
        .collect();
    let (session_work, phase_work) = work_overheads(&work_pairs);
    let (session_bytes, kind_bytes) = byte_overheads(&byte_pairs);
    Some(VssOverhead {
        sessions,
        common,
        work_change: work_change(&work_pairs),
        session_work,
        phase_work,
        dp_signatures: (!work_pairs.is_empty()).then(|| dp_signatures(&work_pairs, units)),
        session_bytes,
        kind_bytes,
    })
}

type Pairs<'a, T> = [(&'a T, &'a T)];

/// One [`VssSession`] per matched point, with its work and bytes where both modes have them.
fn matched_sessions(work_pairs: &Pairs<'_, PointSummary>, byte_pairs: &Pairs<'_, MessagePoint>) -> Vec<VssSession> {
    let mut rows: BTreeMap<Vec<(Dim, DimValue)>, VssSession> = BTreeMap::new();
    fn row<'a>(rows: &'a mut BTreeMap<Vec<(Dim, DimValue)>, VssSession>, p: &Params) -> &'a mut VssSession {
        rows.entry(pair_key(p)).or_insert_with(|| VssSession {
            key: pair_key(p),
            weak: is_weak(p),
            work: None,
            bytes: None,
        })
    }
    for (a, b) in work_pairs {
        row(&mut rows, &b.params).work = Some((a.total_work(), b.total_work()));
    }
    for (a, b) in byte_pairs {
        row(&mut rows, &b.params).bytes = Some((a.total_bytes(), b.total_bytes()));
    }
    rows.into_values().collect()
}

/// A phase's median work in a point, seconds.
fn median_work(p: &PointSummary, ph: &str) -> Option<f64> {
    p.phase(ph).map(|s| s.work_cpu.median)
}

/// The session's work overhead and each phase's; none without matched work.
fn work_overheads(work_pairs: &Pairs<'_, PointSummary>) -> (Option<ModeOverhead>, Vec<(String, ModeOverhead)>) {
    if work_pairs.is_empty() {
        return (None, vec![]);
    }
    let phases = phase_names(work_pairs.iter().flat_map(|(a, b)| [*a, *b]));
    let session: Vec<ModePair> = work_pairs
        .iter()
        .map(|(a, b)| (Some(a.total_work()), Some(b.total_work())))
        .collect();
    let per_phase = phases
        .iter()
        .map(|ph| {
            let v: Vec<ModePair> = work_pairs
                .iter()
                .map(|(a, b)| (median_work(a, ph), median_work(b, ph)))
                .collect();
            (ph.clone(), mode_overhead(&v))
        })
        .collect();
    (Some(mode_overhead(&session)), per_phase)
}

/// Where the work goes: the phases with the largest median increase and decrease (vss - paper).
fn work_change(work_pairs: &Pairs<'_, PointSummary>) -> Option<WorkChange> {
    let phases = phase_names(work_pairs.iter().flat_map(|(a, b)| [*a, *b]));
    let added = stats::median(
        &work_pairs
            .iter()
            .map(|(a, b)| b.total_work() - a.total_work())
            .collect::<Vec<_>>(),
    );
    let mut diffs: Vec<(&String, f64)> = phases
        .iter()
        .filter_map(|ph| {
            let d: Vec<f64> = work_pairs
                .iter()
                .map(|(a, b)| median_work(b, ph).unwrap_or(0.0) - median_work(a, ph).unwrap_or(0.0))
                .collect();
            Some((ph, stats::median(&d)?))
        })
        .collect();
    diffs.sort_by(|x, y| y.1.total_cmp(&x.1));
    match (added, diffs.first(), diffs.last()) {
        (Some(total), Some((ph, d)), _) if total > 0.0 && *d > 0.0 => Some(WorkChange::Adds {
            total,
            phase: ph.to_string(),
            delta: *d,
        }),
        (Some(total), _, Some((ph, d))) if total < 0.0 && *d < 0.0 => Some(WorkChange::Saves {
            total: -total,
            phase: ph.to_string(),
            delta: -d,
        }),
        _ => None,
    }
}

/// The session's byte overhead and each message kind's; none without matched messages.
fn byte_overheads(byte_pairs: &Pairs<'_, MessagePoint>) -> (Option<ModeOverhead>, Vec<(String, ModeOverhead)>) {
    if byte_pairs.is_empty() {
        return (None, vec![]);
    }
    let mut kinds: Vec<&str> = byte_pairs
        .iter()
        .flat_map(|(a, b)| a.rows.iter().chain(&b.rows).map(|r| r.kind.as_str()))
        .collect();
    kinds.sort_by(|a, b| kind_rank(a).cmp(&kind_rank(b)).then(a.cmp(b)));
    kinds.dedup();
    let bytes = |p: &MessagePoint, k: &str| p.rows.iter().find(|r| r.kind == k).map(|r| r.bytes as f64);
    let total: Vec<ModePair> = byte_pairs
        .iter()
        .map(|(a, b)| (Some(a.total_bytes() as f64), Some(b.total_bytes() as f64)))
        .collect();
    let per_kind = kinds
        .into_iter()
        .map(|k| {
            let v: Vec<ModePair> = byte_pairs.iter().map(|(a, b)| (bytes(a, k), bytes(b, k))).collect();
            (k.to_string(), mode_overhead(&v))
        })
        .collect();
    (Some(mode_overhead(&total)), per_kind)
}

/// The op column of the DPs' commitment signatures (`vss` only; ECDSA P-256 whatever the suite) ...
pub const DP_SIGN: &str = "dp_sign";
/// ... and of their verifications.
pub const DP_SIG_VERIFY: &str = "dp_sig_verify";

/// The measured cost of the DPs' commitment signatures at the matched `vss` points.
#[derive(Clone, Debug, PartialEq)]
pub enum DpSignatures {
    /// The data count no `dp_sign` or `dp_sig_verify` (written before they were counted on
    /// their own).
    NotCounted,
    /// Counted at some point.
    Counted(DpSignatureCosts),
}

/// [`DpSignatures::Counted`]: one row per `vss` point and a summary over the priced ones.
#[derive(Clone, Debug, PartialEq)]
pub struct DpSignatureCosts {
    /// One per matched `vss` point, in the order of the pairs.
    pub rows: Vec<DpSignatureRow>,
    /// Seconds of CPU per session over the points where both unit costs are known and the
    /// session work is positive, and their share of the `vss` work (`None` without such points).
    pub cost: Option<(Stat, Stat)>,
    /// Points without both unit costs in `units.csv`.
    pub unpriced: usize,
}

/// The DP signatures at one `vss` point.
#[derive(Clone, Debug, PartialEq)]
pub struct DpSignatureRow {
    /// The point's parameters.
    pub params: Params,
    /// `dp_sign` count (summed over phases), its unit cost in seconds and count x unit.
    pub sign: OpCost,
    /// The same for `dp_sig_verify`.
    pub verify: OpCost,
    /// Seconds of both, when both unit costs are known.
    pub total_s: Option<f64>,
    /// `total_s` as a share of the point's session work (when that is positive).
    pub share: Option<f64>,
}

/// The count of one operation, its unit cost and their product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpCost {
    /// How many.
    pub count: u64,
    /// Seconds each, from `units.csv` (`None` when not calibrated for the point).
    pub unit_s: Option<f64>,
    /// `count x unit_s`.
    pub seconds: Option<f64>,
}

/// [`DpSignatures`] of the `vss` side of `work_pairs`, priced from `units` (the unit costs
/// for each point's backend, suite and sizes).
pub fn dp_signatures(work_pairs: &[(&PointSummary, &PointSummary)], units: &[UnitRow]) -> DpSignatures {
    let unit = |p: &Params, op: &str| {
        units
            .iter()
            .find(|u| {
                u.op == op
                    && u.backend == p.backend
                    && u.suite == p.suite
                    && u64::from(u.rsa_bits) == p.rsa_bits
                    && u64::from(u.group_bits) == p.group_bits
            })
            .map(|u| u.unit_s)
    };
    let vss_points: Vec<&PointSummary> = work_pairs.iter().map(|(_, b)| *b).collect();
    if vss_points
        .iter()
        .all(|b| b.op_total(DP_SIGN) == 0 && b.op_total(DP_SIG_VERIFY) == 0)
    {
        return DpSignatures::NotCounted;
    }
    let mut rows = vec![];
    let mut costs: Vec<(f64, f64)> = vec![];
    let mut unpriced = 0;
    for b in &vss_points {
        let p = &b.params;
        let op = |name: &str| {
            let (count, unit_s) = (b.op_total(name), unit(p, name));
            OpCost {
                count,
                unit_s,
                seconds: unit_s.map(|u| count as f64 * u),
            }
        };
        let (sign, verify) = (op(DP_SIGN), op(DP_SIG_VERIFY));
        let (total_s, share) = match (sign.seconds, verify.seconds) {
            (Some(a), Some(c)) => {
                let t = a + c;
                let work = b.total_work();
                let share = (work > 0.0).then(|| t / work);
                if let Some(sh) = share {
                    costs.push((t, sh));
                }
                (Some(t), share)
            }
            _ => {
                unpriced += 1;
                (None, None)
            }
        };
        rows.push(DpSignatureRow {
            params: p.clone(),
            sign,
            verify,
            total_s,
            share,
        });
    }
    let secs: Vec<f64> = costs.iter().map(|c| c.0).collect();
    let shares: Vec<f64> = costs.iter().map(|c| c.1).collect();
    DpSignatures::Counted(DpSignatureCosts {
        rows,
        cost: Stat::of(&secs).zip(Stat::of(&shares)),
        unpriced,
    })
}
