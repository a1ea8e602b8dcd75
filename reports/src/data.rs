//! Reading a sweep folder written by `dsmpc-bench`: `phases.csv`, `messages.csv`,
//! `units.csv` and `meta.json`, into typed rows, plus the per-point summaries (median, min
//! and max over repetitions) that figures, report and regression check all start from.
//!
//! Columns are looked up by header name, so their order does not matter and extra columns
//! are ignored; every parse error names the file, the line and the column.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::stats::Stat;

// The names of the files' phases, ops, message kinds and roles are the schema's (the
// contract with dsmpc-bench); re-exported here, where the readers and figures use them.
pub use dsmpc_schema::{
    MESSAGE_KINDS, OP_COLUMNS, OPTIONAL_OP_COLUMNS, PHASES, ROLES, kind_rank, op_index, phase_rank,
};

/// The parameters that define a sweep point (everything but the repetition).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Params {
    /// Big-integer backend: `num` or `gmp`.
    pub backend: String,
    /// Cipher suite: `rsa` or `p256`.
    pub suite: String,
    /// Crypto provider: `rustcrypto` or `awslc` (`rustcrypto` for files written before the
    /// column existed).
    pub provider: String,
    /// Verification mode: `paper`, `fast`, `batch` or `vss`.
    pub verify: String,
    /// Number of data providers.
    pub n: u64,
    /// Number of candidate computing parties.
    pub m: u64,
    /// Number of selected computing parties (Cloud capacity).
    pub k: u64,
    /// Reconstruction threshold.
    pub t: u64,
    /// RSA modulus bits (0 with the p256 suite).
    pub rsa_bits: u64,
    /// Bits of the Schnorr group modulus p.
    pub group_bits: u64,
    /// Bits of each data provider's value.
    pub value_bits: u64,
    /// The point's seed.
    pub seed: u64,
}

/// A sweep dimension: one of the parameters a grid can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// Big-integer backend.
    Backend,
    /// Verification mode.
    Verify,
    /// Cipher suite.
    Suite,
    /// Crypto provider.
    Provider,
    /// Number of data providers.
    N,
    /// Number of selected computing parties.
    K,
    /// Number of candidate computing parties.
    M,
    /// Threshold.
    T,
    /// RSA modulus bits.
    RsaBits,
    /// Group modulus bits.
    GroupBits,
    /// Bits per data-provider value.
    ValueBits,
}

impl Dim {
    /// Every dimension, in the order captions list them.
    pub const ALL: [Dim; 11] = [
        Dim::Backend,
        Dim::Verify,
        Dim::Suite,
        Dim::Provider,
        Dim::N,
        Dim::K,
        Dim::M,
        Dim::T,
        Dim::RsaBits,
        Dim::GroupBits,
        Dim::ValueBits,
    ];

    /// The column name of the dimension.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Backend => "backend",
            Dim::Verify => "verify",
            Dim::Suite => "suite",
            Dim::Provider => "provider",
            Dim::N => "n",
            Dim::K => "k",
            Dim::M => "m",
            Dim::T => "t",
            Dim::RsaBits => "rsa_bits",
            Dim::GroupBits => "group_bits",
            Dim::ValueBits => "value_bits",
        }
    }
}

/// The value of one dimension at one point.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DimValue {
    /// A numeric parameter.
    Num(u64),
    /// A named parameter (backend, suite, verification mode).
    Text(String),
}

impl DimValue {
    /// The numeric value, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            DimValue::Num(v) => Some(*v as f64),
            DimValue::Text(_) => None,
        }
    }
}

impl fmt::Display for DimValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DimValue::Num(v) => write!(f, "{v}"),
            DimValue::Text(s) => f.write_str(s),
        }
    }
}

impl Params {
    /// The value of dimension `d`.
    pub fn get(&self, d: Dim) -> DimValue {
        match d {
            Dim::Backend => DimValue::Text(self.backend.clone()),
            Dim::Verify => DimValue::Text(self.verify.clone()),
            Dim::Suite => DimValue::Text(self.suite.clone()),
            Dim::Provider => DimValue::Text(self.provider.clone()),
            Dim::N => DimValue::Num(self.n),
            Dim::K => DimValue::Num(self.k),
            Dim::M => DimValue::Num(self.m),
            Dim::T => DimValue::Num(self.t),
            Dim::RsaBits => DimValue::Num(self.rsa_bits),
            Dim::GroupBits => DimValue::Num(self.group_bits),
            Dim::ValueBits => DimValue::Num(self.value_bits),
        }
    }
}

/// One row of `phases.csv`: one phase of one repetition of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseRow {
    /// Line in the file (for messages).
    pub line: u64,
    /// Point id.
    pub point: String,
    /// 0-based repetition.
    pub rep: u32,
    /// The point's parameters.
    pub params: Params,
    /// Phase name.
    pub phase: String,
    /// Number of party instances that ran the phase.
    pub instances: u64,
    /// Sum over instances of thread CPU seconds.
    pub work_cpu_s: f64,
    /// Sum over instances of wall seconds.
    pub work_wall_s: f64,
    /// Maximum over instances of CPU seconds.
    pub max_cpu_s: f64,
    /// Maximum over instances of wall seconds.
    pub max_wall_s: f64,
    /// Cost-model lower bound, seconds.
    pub bound_s: f64,
    /// `work_cpu_s / bound_s`; `None` when the bound is 0.
    pub overhead: Option<f64>,
    /// Operation counts, in [`OP_COLUMNS`] order.
    pub ops: [u64; OP_COLUMNS.len()],
    /// Sweep parallelism.
    pub jobs: u64,
    /// Crate version that produced the row.
    pub crate_version: String,
    /// Git revision that produced the row.
    pub git_rev: String,
    /// Host CPU model.
    pub host_cpu: String,
    /// Host core count.
    pub cores: u64,
}

/// One row of `messages.csv`: one message kind at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    /// Line in the file.
    pub line: u64,
    /// Point id.
    pub point: String,
    /// The point's parameters.
    pub params: Params,
    /// Message kind.
    pub kind: String,
    /// Sending role.
    pub src_role: String,
    /// Receiving role.
    pub dst_role: String,
    /// Number of messages.
    pub count: u64,
    /// Total encoded wire bytes.
    pub bytes: u64,
    /// Total cryptographic payload bytes, counted as the reference prototype did.
    pub payload_bytes: u64,
    /// Whether the reference prototype counted this kind.
    pub ref_compatible: bool,
}

/// One row of `units.csv`: the calibrated cost of one operation, the schema's row (`provider`
/// is `rustcrypto` in files written before the column existed; an `op` named `verify`, the older
/// name, reads as `sig_verify`).
pub use dsmpc_schema::UnitRow;

/// `meta.json`: how and where the sweep ran. Keys beyond the required ones are kept in `extra`.
#[derive(Clone, Debug, Deserialize)]
pub struct Meta {
    /// Git revision.
    pub git_rev: String,
    /// Crate version.
    pub crate_version: String,
    /// Host CPU model.
    pub host_cpu: String,
    /// Host core count.
    pub cores: u64,
    /// The command that ran the sweep (a string or an array of arguments).
    pub command_line: serde_json::Value,
    /// Start time, RFC 3339.
    pub started: String,
    /// End time, RFC 3339; `None` (JSON null) while a sweep is still running.
    pub finished: Option<String>,
    /// Sweep seed.
    pub seed: u64,
    /// Grid preset name.
    pub preset: serde_json::Value,
    /// Sweep parallelism.
    pub jobs: u64,
    /// Seconds taken by the reference CPU workload in this run.
    pub calibration_s: f64,
    /// The grid, free-form.
    pub grid: serde_json::Value,
    /// Notes such as skipped invalid points.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Any other keys.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Meta {
    /// `command_line` as one display string.
    pub fn command_line_text(&self) -> String {
        json_text(&self.command_line)
    }

    /// `preset` as one display string.
    pub fn preset_text(&self) -> String {
        json_text(&self.preset)
    }
}

/// A JSON value as plain text: strings unquoted, arrays of strings joined by spaces.
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Array(a) if a.iter().all(|x| x.is_string()) => {
            a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

/// The names of the four files of a sweep folder.
pub const FILES: [&str; 4] = ["phases.csv", "messages.csv", "units.csv", "meta.json"];

/// A whole sweep folder, read into memory.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// Rows of `phases.csv`, in file order.
    pub phases: Vec<PhaseRow>,
    /// Rows of `messages.csv`, in file order.
    pub messages: Vec<MessageRow>,
    /// Rows of `units.csv`, in file order.
    pub units: Vec<UnitRow>,
    /// `meta.json`.
    pub meta: Meta,
}

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

impl Dataset {
    /// Reads the four files of a sweep folder.
    pub fn load(dir: &Path) -> Result<Dataset> {
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            ));
        }
        Ok(Dataset {
            dir: dir.to_path_buf(),
            phases: read_phases(&dir.join("phases.csv"))?,
            messages: read_messages(&dir.join("messages.csv"))?,
            units: read_units(&dir.join("units.csv"))?,
            meta: read_meta(&dir.join("meta.json"))?,
        })
    }

    /// Per-point summaries, sorted by parameters.
    pub fn points(&self) -> Vec<PointSummary> {
        summarize(&self.phases)
    }

    /// Message rows grouped per point, sorted by parameters.
    pub fn message_points(&self) -> Vec<MessagePoint> {
        let mut by: BTreeMap<&str, MessagePoint> = BTreeMap::new();
        for r in &self.messages {
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

    /// Phase names present, in protocol order.
    pub fn phase_names(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.phases.iter().map(|r| r.phase.as_str()).collect();
        let mut v: Vec<String> = set.into_iter().map(String::from).collect();
        v.sort_by(|a, b| phase_rank(a).cmp(&phase_rank(b)).then(a.cmp(b)));
        v
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

// ---------------------------------------------------------------------------------------
// CSV reading
// ---------------------------------------------------------------------------------------

/// A CSV file opened with its header indexed by column name.
struct Table {
    path: PathBuf,
    headers: Vec<String>,
    /// Column name -> every position it occupies (`phases.csv` has two `verify` columns).
    index: HashMap<String, Vec<usize>>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn read(path: &Path, required: &[&str]) -> Result<Table> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(file);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            index.entry(h.clone()).or_default().push(i);
        }
        if let Some(missing) = required.iter().find(|c| !index.contains_key(**c)) {
            return Err(Error::MissingColumn {
                path: path.to_path_buf(),
                column: missing.to_string(),
            });
        }
        let mut records = vec![];
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(path, &e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            records.push((line, rec));
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            index,
            records,
        })
    }

    fn row<'a>(&'a self, line: u64, rec: &'a csv::StringRecord) -> Row<'a> {
        Row { table: self, line, rec }
    }

    /// Position of the last column called `name` (op counts follow the parameters).
    fn last(&self, name: &str) -> usize {
        self.index[name].last().copied().unwrap_or(0)
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("found {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        csv::ErrorKind::Io(io) => {
            return Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(io.kind(), io.to_string()),
            };
        }
        _ => e.to_string(),
    };
    Error::Csv {
        path: path.to_path_buf(),
        line,
        message,
    }
}

struct Row<'a> {
    table: &'a Table,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The first column called `col` (checked against the header in `Table::read`).
    fn raw(&self, col: &str) -> (usize, &str) {
        self.raw_at(self.table.index[col][0])
    }

    fn raw_at(&self, i: usize) -> (usize, &str) {
        (i, self.rec.get(i).unwrap_or("").trim())
    }

    fn u64_at(&self, i: usize) -> Result<u64> {
        let (_, v) = self.raw_at(i);
        v.parse::<u64>()
            .map_err(|_| self.err("", i, v, "a non-negative integer"))
    }

    fn err(&self, col: &str, index: usize, value: &str, expected: &'static str) -> Error {
        Error::Field {
            path: self.table.path.clone(),
            line: self.line,
            index: index + 1,
            column: self
                .table
                .headers
                .get(index)
                .cloned()
                .unwrap_or_else(|| col.to_string()),
            value: value.to_string(),
            expected,
        }
    }

    fn text(&self, col: &str) -> Result<String> {
        let (i, v) = self.raw(col);
        if v.is_empty() {
            return Err(self.err(col, i, v, "a non-empty string"));
        }
        Ok(v.to_string())
    }

    fn text_or_empty(&self, col: &str) -> String {
        self.raw(col).1.to_string()
    }

    fn u64(&self, col: &str) -> Result<u64> {
        let (i, v) = self.raw(col);
        v.parse::<u64>()
            .map_err(|_| self.err(col, i, v, "a non-negative integer"))
    }

    fn u32(&self, col: &str) -> Result<u32> {
        let (i, v) = self.raw(col);
        v.parse::<u32>()
            .map_err(|_| self.err(col, i, v, "a non-negative integer below 2^32"))
    }

    fn seconds(&self, col: &str) -> Result<f64> {
        let (i, v) = self.raw(col);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            _ => Err(self.err(col, i, v, "a non-negative number")),
        }
    }

    fn opt_seconds(&self, col: &str) -> Result<Option<f64>> {
        if self.raw(col).1.is_empty() {
            Ok(None)
        } else {
            self.seconds(col).map(Some)
        }
    }

    fn bool(&self, col: &str) -> Result<bool> {
        let (i, v) = self.raw(col);
        match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.err(col, i, v, "`true` or `false`")),
        }
    }

    /// The `provider` column, or `rustcrypto` in files written before it existed (the only
    /// provider then).
    fn provider(&self) -> Result<String> {
        if self.table.index.contains_key("provider") {
            self.text("provider")
        } else {
            Ok("rustcrypto".to_string())
        }
    }

    fn params(&self) -> Result<Params> {
        Ok(Params {
            backend: self.text("backend")?,
            suite: self.text("suite")?,
            provider: self.provider()?,
            verify: self.text("verify")?,
            n: self.u64("n")?,
            m: self.u64("m")?,
            k: self.u64("k")?,
            t: self.u64("t")?,
            rsa_bits: self.u64("rsa_bits")?,
            group_bits: self.u64("group_bits")?,
            value_bits: self.u64("value_bits")?,
            seed: self.u64("seed")?,
        })
    }
}

/// The point columns every file must have: the schema's, less `provider` (absent from files
/// written before the provider axis, read as `rustcrypto`).
fn param_columns() -> impl Iterator<Item = &'static str> {
    dsmpc_schema::PARAM_COLUMNS.into_iter().filter(|c| *c != "provider")
}

/// Checks that every row of one point carries the same parameters.
fn check_params(
    path: &Path,
    seen: &mut HashMap<String, (Params, u64)>,
    point: &str,
    params: &Params,
    line: u64,
) -> Result<()> {
    match seen.get(point) {
        Some((p, first)) if p != params => Err(Error::invalid(
            path,
            format!("line {line}: point `{point}` has different parameters than on line {first}"),
        )),
        Some(_) => Ok(()),
        None => {
            seen.insert(point.to_string(), (params.clone(), line));
            Ok(())
        }
    }
}

/// Reads `phases.csv`.
pub fn read_phases(path: &Path) -> Result<Vec<PhaseRow>> {
    let required: Vec<&str> = dsmpc_schema::PHASE_COLUMNS
        .iter()
        .copied()
        .chain(param_columns())
        .chain(OP_COLUMNS[..8].iter().copied())
        .collect();
    let table = Table::read(path, &required)?;
    // The signature-verification count is `sig_verify`, or, in the older form of the schema,
    // a second `verify` column (the first is the verification mode).
    let sig_verify = if table.index.contains_key("sig_verify") {
        table.last("sig_verify")
    } else if table.index["verify"].len() >= 2 {
        table.last("verify")
    } else {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "sig_verify".into(),
        });
    };
    // `None`: an optional column this file lacks, read as 0.
    let op_index: Vec<Option<usize>> = OP_COLUMNS[..8]
        .iter()
        .map(|c| Some(table.last(c)))
        .chain([Some(sig_verify)])
        .chain(
            OPTIONAL_OP_COLUMNS
                .iter()
                .map(|c| table.index.contains_key(*c).then(|| table.last(c))),
        )
        .collect();
    debug_assert_eq!(op_index.len(), OP_COLUMNS.len());
    let mut out = Vec::with_capacity(table.records.len());
    let mut seen_params = HashMap::new();
    let mut seen_keys: HashMap<(String, u32, String), u64> = HashMap::new();
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        let mut ops = [0u64; OP_COLUMNS.len()];
        for (slot, i) in ops.iter_mut().zip(&op_index) {
            if let Some(i) = i {
                *slot = r.u64_at(*i)?;
            }
        }
        let (ri, rv) = r.raw("rep");
        let rep = rv
            .parse::<u32>()
            .map_err(|_| r.err("rep", ri, rv, "a repetition index (non-negative integer)"))?;
        let row = PhaseRow {
            line: *line,
            point: r.text("point")?,
            rep,
            params: r.params()?,
            phase: r.text("phase")?,
            instances: r.u64("instances")?,
            work_cpu_s: r.seconds("work_cpu_s")?,
            work_wall_s: r.seconds("work_wall_s")?,
            max_cpu_s: r.seconds("max_cpu_s")?,
            max_wall_s: r.seconds("max_wall_s")?,
            bound_s: r.seconds("bound_s")?,
            overhead: r.opt_seconds("overhead")?,
            ops,
            jobs: r.u64("jobs")?,
            crate_version: r.text_or_empty("crate_version"),
            git_rev: r.text_or_empty("git_rev"),
            host_cpu: r.text_or_empty("host_cpu"),
            cores: r.u64("cores")?,
        };
        check_params(path, &mut seen_params, &row.point, &row.params, *line)?;
        let key = (row.point.clone(), row.rep, row.phase.clone());
        if let Some(first) = seen_keys.insert(key, *line) {
            return Err(Error::invalid(
                path,
                format!(
                    "line {line}: duplicate row for point `{}`, rep {}, phase `{}` (first on line {first})",
                    row.point, row.rep, row.phase
                ),
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// Reads `messages.csv`.
pub fn read_messages(path: &Path) -> Result<Vec<MessageRow>> {
    let required: Vec<&str> = dsmpc_schema::MESSAGE_COLUMNS
        .iter()
        .copied()
        .chain(param_columns())
        .collect();
    let table = Table::read(path, &required)?;
    let mut out = Vec::with_capacity(table.records.len());
    let mut seen_params = HashMap::new();
    let mut seen_keys: HashMap<(String, String), u64> = HashMap::new();
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        let row = MessageRow {
            line: *line,
            point: r.text("point")?,
            params: r.params()?,
            kind: r.text("kind")?,
            src_role: r.text("src_role")?,
            dst_role: r.text("dst_role")?,
            count: r.u64("count")?,
            bytes: r.u64("bytes")?,
            payload_bytes: r.u64("payload_bytes")?,
            ref_compatible: r.bool("ref_compatible")?,
        };
        check_params(path, &mut seen_params, &row.point, &row.params, *line)?;
        if let Some(first) = seen_keys.insert((row.point.clone(), row.kind.clone()), *line) {
            return Err(Error::invalid(
                path,
                format!(
                    "line {line}: duplicate row for point `{}`, kind `{}` (first on line {first})",
                    row.point, row.kind
                ),
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// Reads `units.csv`.
pub fn read_units(path: &Path) -> Result<Vec<UnitRow>> {
    // `provider` may be absent (older files: rustcrypto).
    let required: Vec<&str> = dsmpc_schema::UNIT_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "provider")
        .collect();
    let table = Table::read(path, &required)?;
    let mut out = Vec::with_capacity(table.records.len());
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        out.push(UnitRow {
            backend: r.text("backend")?,
            suite: r.text("suite")?,
            provider: r.provider()?,
            rsa_bits: r.u32("rsa_bits")?,
            group_bits: r.u32("group_bits")?,
            op: match r.text("op")? {
                // older name of the signature-verification op
                op if op == "verify" => "sig_verify".to_string(),
                op => op,
            },
            unit_s: r.seconds("unit_s")?,
        });
    }
    Ok(out)
}

/// Reads `meta.json`; `calibration_s` must be a positive number.
pub fn read_meta(path: &Path) -> Result<Meta> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| Error::Meta {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !(meta.calibration_s.is_finite() && meta.calibration_s > 0.0) {
        return Err(Error::invalid(
            path,
            format!(
                "key `calibration_s` must be a positive number of seconds, found {}",
                meta.calibration_s
            ),
        ));
    }
    Ok(meta)
}
