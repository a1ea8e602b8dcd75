//! The sweep engine: run every point of a [`Grid`] `reps` times, in parallel over points with
//! rayon (each point's sessions on one worker thread, so per-instance thread CPU times are
//! clean), and append its rows to the CSV files as soon as the point finishes. Interrupting
//! a sweep loses only the points in flight; `resume` skips the points already written.
//!
//! Files in the output folder: `phases.csv`, `messages.csv`, `sessions.csv`, `units.csv`,
//! `meta.json` (columns in `bench/README.md`). A point whose session fails is recorded in
//! `meta.json`'s notes and skipped, never written as a row; so is a point whose network cannot
//! run here (`netns` without root), found when the point is due to run.
//!
//! Points on `memory` and `sim:` networks run in parallel on the worker threads; points on
//! `process` and `netns` (whose host processes would compete with one another for the cores)
//! run one at a time after them. `sim:` points lay the parties out as `process` does (hosts of
//! [`DPS_PER_HOST`] DPs on this machine's cores) and charge the TLS costs measured once per
//! sweep ([`dsmpc_net::sim::Placement::measured`], as `dsmpc run --sim-cores here`), so
//! that simulated and measured latencies compare.
//!
//! A shard of a sweep (`crate::shard`) runs the same way on its part of the grid, into its
//! own folder, and records in `meta.json` which shard it is, its points and the whole grid's
//! points, so that resuming it with another grid or shard count is refused and
//! `crate::merge` can check the shards against each other.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use dsmpc_net::overhead::TlsCost;
use dsmpc_net::process::NetStats;
use dsmpc_net::sim::Placement;
use dsmpc_net::{self as net, NetSpec, RunOptions};
use dsmpc_roles::costmodel::{self, UnitCosts};
use dsmpc_roles::metrics::callgrind;
use dsmpc_roles::session::SessionReport;
use dsmpc_roles::suite::Provider;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use dsmpc_schema::Meta;
use dsmpc_schema::files::{MESSAGES, META, PHASES, SESSIONS, UNITS};

use crate::error::{BenchError, Result, csv_err, io};
use crate::grid::{Grid, Point};
use crate::host;
use crate::rows::{Env, MessageRow, PhaseRow, SessionRow};
use crate::shard::Shard;

mod record;
mod resume;
mod rows;
mod units;

pub use crate::grid::DPS_PER_HOST;
use rows::{message_rows, phase_rows, session_row};
use units::{UnitKey, key_label, unit_key};

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Output folder.
    pub out: PathBuf,
    /// Points run at once (rayon threads).
    pub jobs: usize,
    /// Continue a previous sweep in `out`, skipping its finished points.
    pub resume: bool,
    /// Fewer calibration samples.
    pub quick_calibration: bool,
    /// Show a progress bar.
    pub progress: bool,
    /// The command line, for meta.json.
    pub command_line: String,
    /// Preset or grid file name, for meta.json.
    pub preset: String,
    /// This sweep is one shard of a larger one (`out` is then the shard's own folder).
    pub shard: Option<ShardRun>,
}

/// What a shard records about itself and the sweep it belongs to.
#[derive(Clone, Debug)]
pub struct ShardRun {
    /// Which shard.
    pub shard: Shard,
    /// Every point id of the whole grid, in grid order (the merge's reference).
    pub grid_points: Vec<String>,
}

/// What a sweep did.
#[derive(Clone, Debug, Default)]
pub struct SweepSummary {
    /// Points run now.
    pub ran: usize,
    /// Points found finished and skipped (resume).
    pub resumed: usize,
    /// Points that failed (with the reason).
    pub failed: Vec<String>,
    /// Notes: skipped invalid points, failures.
    pub notes: Vec<String>,
}

/// Append-only CSV writer that writes the header only into an empty file.
struct Appender {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl Appender {
    fn open(path: PathBuf) -> Result<Self> {
        let exists = path.exists() && std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let writer = csv::WriterBuilder::new().has_headers(!exists).from_writer(file);
        Ok(Appender { path, writer })
    }
    fn write<T: serde::Serialize>(&mut self, rows: &[T]) -> Result<()> {
        for r in rows {
            self.writer.serialize(r).map_err(csv_err(&self.path))?;
        }
        self.writer.flush().map_err(io(&self.path))
    }
}

struct Outputs {
    phases: Appender,
    messages: Appender,
    sessions: Appender,
    units: Appender,
}

/// Why a point produced no rows.
#[derive(Debug)]
enum PointError {
    /// Its session failed.
    Failed(String),
    /// Its network cannot run on this machine (e.g. `netns` without root).
    Skipped(String),
}

impl From<String> for PointError {
    fn from(e: String) -> Self {
        PointError::Failed(e)
    }
}

/// What a point's sessions need beyond the point: the TLS costs measured on this machine
/// (once per sweep, when a point needs them) and the `dsmpc` executable.
#[derive(Default)]
struct NetContext {
    tls: std::sync::OnceLock<std::result::Result<TlsCost, String>>,
}

impl NetContext {
    fn tls(&self) -> std::result::Result<TlsCost, String> {
        self.tls
            .get_or_init(|| net::overhead::measure(5).map_err(|e| e.to_string()))
            .clone()
    }
}

/// One session of `p` on its network: the report, and what a network of processes measured.
fn run_session(p: &Point, ctx: &NetContext) -> std::result::Result<(SessionReport, Option<NetStats>), PointError> {
    let failed = |e: dsmpc_roles::RolesError| PointError::Failed(e.to_string());
    let mut opts = RunOptions::default();
    match &p.net {
        NetSpec::Memory => {}
        NetSpec::Sim(_) => {
            // As `dsmpc run --sim-cores here` (`Placement::measured`), with the costs measured
            // once for the whole sweep.
            opts.placement = Some(Placement {
                dps_per_host: DPS_PER_HOST,
                cores: Placement::cores_here(),
                tls: Some(ctx.tls()?),
            });
        }
        NetSpec::Process | NetSpec::Netns(_) => {
            if let NetSpec::Netns(_) = p.net {
                net::netns::available().map_err(PointError::Skipped)?;
            }
            let exe = net::process::find_dsmpc().map_err(|e| PointError::Skipped(e.to_string()))?;
            opts.exe = Some(exe);
            opts.dps_per_host = DPS_PER_HOST;
        }
    }
    let run = net::run(&p.net, &p.cfg, &opts, None).map_err(failed)?;
    Ok((run.report.map_err(failed)?, run.stats))
}

/// The rows of one point.
type PointRows = (Vec<PhaseRow>, Vec<SessionRow>, Vec<MessageRow>);

/// Run one point: `reps` sessions; the rows, or why it failed or was skipped.
fn run_point(
    p: &Point,
    reps: usize,
    units: &UnitCosts,
    env: &Env,
    ctx: &NetContext,
) -> std::result::Result<PointRows, PointError> {
    let mut phases = Vec::new();
    let mut sessions = Vec::new();
    let mut messages = None;
    let mut transcript = None;
    for rep in 0..reps {
        let (r, stats) = run_session(p, ctx)?;
        if !r.matches() {
            return Err(PointError::Failed(format!(
                "reconstructed sum {} != plaintext sum {}",
                r.outcome.sum, r.expected_sum
            )));
        }
        // With `rustcrypto` a seed fixes every byte; `awslc` draws RSA-OAEP and signature
        // randomness from AWS-LC's own generator, so there the bytes per kind must agree. So
        // must they on the networks with time: on `sim` the order of messages follows the
        // measured CPU time of each handling, and processes hash no common transcript.
        let same = match (p.provider, &p.net) {
            (Provider::RustCrypto, NetSpec::Memory) => Some(r.transcript_sha256.to_vec()),
            _ => {
                let counts: Vec<_> = r
                    .messages
                    .iter()
                    .map(|(k, m)| (k.name(), m.count, m.bytes, m.payload_bytes))
                    .collect();
                Some(format!("{counts:?}").into_bytes())
            }
        };
        if transcript.is_some() && transcript != same {
            return Err(PointError::Failed(
                "repetitions with the same seed produced different transcripts (or byte counts)".into(),
            ));
        }
        transcript = same;
        let tls = if stats.is_some() { ctx.tls().ok() } else { None };
        sessions.push(session_row(p, rep, &r, stats.as_ref(), tls, env));
        phases.extend(phase_rows(p, rep, &r, units, env));
        messages.get_or_insert_with(|| message_rows(p, &r));
    }
    Ok((phases, sessions, messages.unwrap_or_default()))
}

/// Run a sweep: check the folder (and what a resume would continue), record the start in
/// `meta.json`, run the pending points (in-process networks in parallel, networks of processes
/// one at a time after them), then record the end.
pub fn run(grid: &Grid, opts: &SweepOptions) -> Result<SweepSummary> {
    let done = prepare_folder(grid, opts)?;
    let pending: Vec<&Point> = grid.points.iter().filter(|p| !done.contains(&p.point_id())).collect();
    let mut summary = SweepSummary {
        resumed: grid.points.len() - pending.len(),
        notes: grid.skipped.clone(),
        ..Default::default()
    };

    let env = host::env(opts.jobs);
    let started = dsmpc_roles::log::timestamp();
    // Calibration is measured at the start and again at the end, and the smaller is kept:
    // timing noise only ever slows a measurement down, and a single short measurement can
    // land in a disturbed moment of a shared machine.
    let calibration_start = host::calibration_seconds();
    let base = record::base_meta(grid, opts, &env, started);
    let meta_path = opts.out.join(META);
    let write_meta = |m: Meta| -> Result<()> { std::fs::write(&meta_path, m.to_json()).map_err(io(&meta_path)) };
    write_meta(record::progress_meta(
        &base,
        None,
        &summary.notes,
        0,
        &BTreeMap::new(),
        &[calibration_start],
    ))?;

    let runner = Runner::new(grid, opts, env, pending.len())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| BenchError::Output(format!("cannot start {} worker threads: {e}", opts.jobs)))?;
    // In-process networks in parallel; networks of processes one at a time, after them.
    let (measured, local): (Vec<&Point>, Vec<&Point>) = pending.iter().partition(|p| p.net.uses_processes());
    pool.install(|| local.par_iter().for_each(|p| runner.handle(p)));
    measured.iter().for_each(|p| runner.handle(p));
    runner.bar.finish_and_clear();
    let ended = runner.finish()?;

    summary.failed = ended.failed;
    summary.ran = pending.len() - summary.failed.len() - ended.skipped.len();
    summary.notes.extend(ended.skipped);
    summary
        .notes
        .extend(summary.failed.iter().map(|f| format!("failed: {f}")));
    let calibration_end = host::calibration_seconds();
    write_meta(record::progress_meta(
        &base,
        Some(dsmpc_roles::log::timestamp()),
        &summary.notes,
        summary.ran,
        &ended.walls,
        &[calibration_start, calibration_end],
    ))?;
    Ok(summary)
}

/// Makes the output folder; refuses one with results unless resuming, and when resuming checks
/// that the folder holds this grid (or shard) and returns its finished points.
fn prepare_folder(grid: &Grid, opts: &SweepOptions) -> Result<BTreeSet<String>> {
    std::fs::create_dir_all(&opts.out).map_err(io(&opts.out))?;
    let has_results = opts.out.join(PHASES).exists() || opts.out.join(MESSAGES).exists();
    if has_results && !opts.resume {
        let hint = match &opts.shard {
            Some(sr) => format!(
                "--resume {} --shard {}",
                opts.out.parent().unwrap_or(&opts.out).display(),
                sr.shard
            ),
            None => format!("--resume {}", opts.out.display()),
        };
        return Err(BenchError::Output(format!(
            "{} already holds sweep results: pass {hint} to continue it, or choose another --out",
            opts.out.display(),
        )));
    }
    if !opts.resume {
        return Ok(BTreeSet::new());
    }
    if let Some(sr) = &opts.shard {
        resume::check_shard_resume(&opts.out.join(META), grid, sr)?;
    }
    resume::check_resumable(&opts.out)?;
    let done = resume::recover(&opts.out)?;
    if opts.shard.is_none() {
        resume::check_whole_resume(&opts.out, grid, &done)?;
    }
    Ok(done)
}

/// The state the points of a sweep share while they run on the worker threads.
struct Runner<'a> {
    grid: &'a Grid,
    opts: &'a SweepOptions,
    env: Env,
    ctx: NetContext,
    outputs: Mutex<Outputs>,
    /// Unit costs by key: read back when resuming, calibrated when a point first needs them.
    units: Mutex<HashMap<UnitKey, Arc<UnitCosts>>>,
    bar: ProgressBar,
    /// Failed points, each `id: why`.
    failures: Mutex<Vec<String>>,
    /// Skipped points, each `id: skipped: why`.
    skips: Mutex<Vec<String>>,
    point_walls: Mutex<BTreeMap<String, f64>>,
    /// The first error writing results (the sweep stops with it at the end).
    first_error: Mutex<Option<BenchError>>,
}

/// What the points left when they all ran.
struct Ended {
    failed: Vec<String>,
    skipped: Vec<String>,
    walls: BTreeMap<String, f64>,
}

impl<'a> Runner<'a> {
    fn new(grid: &'a Grid, opts: &'a SweepOptions, env: Env, pending: usize) -> Result<Self> {
        let outputs = Mutex::new(Outputs {
            phases: Appender::open(opts.out.join(PHASES))?,
            messages: Appender::open(opts.out.join(MESSAGES))?,
            sessions: Appender::open(opts.out.join(SESSIONS))?,
            units: Appender::open(opts.out.join(UNITS))?,
        });
        // Unit costs already written (resume) are reused so every row of a folder shares them.
        let units = Mutex::new(units::read_units(&opts.out.join(UNITS)));
        let bar = if opts.progress {
            ProgressBar::new(pending as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} points, eta {eta} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Ok(Runner {
            grid,
            opts,
            env,
            ctx: NetContext::default(),
            outputs,
            units,
            bar,
            failures: Mutex::new(Vec::new()),
            skips: Mutex::new(Vec::new()),
            point_walls: Mutex::new(BTreeMap::new()),
            first_error: Mutex::new(None),
        })
    }

    fn say(&self, msg: String) {
        if self.opts.progress {
            self.bar.println(msg)
        } else {
            eprintln!("{msg}")
        }
    }

    fn record_error(&self, e: BenchError) {
        if let Ok(mut f) = self.first_error.lock() {
            f.get_or_insert(e);
        }
    }

    fn write_rows(&self, write: impl FnOnce(&mut Outputs) -> Result<()>) {
        let poisoned = || BenchError::Output("a worker thread panicked while writing results".into());
        if let Err(e) = self
            .outputs
            .lock()
            .map_err(|_| poisoned())
            .and_then(|mut o| write(&mut o))
        {
            self.record_error(e);
        }
    }

    /// Runs point `p` and writes its rows, or records why it failed or was skipped.
    fn handle(&self, p: &Point) {
        let id = p.point_id();
        self.bar.set_message(id.clone());
        let key = unit_key(p);
        if let Some(u) = self.unit_costs(p, &key) {
            callgrind::dump(&format!("dsmpc-point:{id} units:{}", key_label(&key)));
            let t0 = std::time::Instant::now();
            let outcome = run_point(p, self.grid.reps, &u, &self.env, &self.ctx);
            let wall = t0.elapsed().as_secs_f64();
            if let Ok(mut w) = self.point_walls.lock() {
                w.insert(id.clone(), wall);
            }
            self.record(&id, outcome, wall);
        }
        self.bar.inc(1);
    }

    /// The unit costs of `key`: cached, or calibrated now (and written to `units.csv`); `None`
    /// (the point failed, recorded) when calibration fails.
    fn unit_costs(&self, p: &Point, key: &UnitKey) -> Option<Arc<UnitCosts>> {
        if let Some(u) = self.units.lock().ok().and_then(|u| u.get(key).cloned()) {
            return Some(u);
        }
        // Closes what ran before (the main thread's setup is in the first dump otherwise).
        callgrind::dump(&format!("dsmpc-calibration:{}", key_label(key)));
        match costmodel::calibrate_for(p, self.opts.quick_calibration) {
            Ok(c) => {
                let c = Arc::new(c);
                let fresh = self
                    .units
                    .lock()
                    .map(|mut m| m.insert(key.clone(), c.clone()).is_none())
                    .unwrap_or(false);
                if fresh {
                    callgrind::dump(&format!("dsmpc-units:{}", key_label(key)));
                    let rows = units::unit_rows(key, &c);
                    self.write_rows(|o| o.units.write(&rows));
                }
                Some(c)
            }
            Err(e) => {
                let id = p.point_id();
                self.failures
                    .lock()
                    .map(|mut f| f.push(format!("{id}: calibration failed: {e}")))
                    .ok();
                None
            }
        }
    }

    /// Writes a point's rows, or records why it has none.
    fn record(&self, id: &str, outcome: std::result::Result<PointRows, PointError>, wall: f64) {
        match outcome {
            Ok((ph, se, ms)) => {
                self.say(format!("{id}: {} repetitions in {wall:.1} s wall", self.grid.reps));
                self.write_rows(|o| {
                    o.phases.write(&ph)?;
                    o.sessions.write(&se)?;
                    o.messages.write(&ms)
                });
            }
            Err(PointError::Skipped(why)) => {
                self.say(format!("point {id} skipped: {why}"));
                self.skips
                    .lock()
                    .map(|mut s| s.push(format!("{id}: skipped: {why}")))
                    .ok();
            }
            Err(PointError::Failed(e)) => {
                self.say(format!("point {id} failed: {e}"));
                self.failures.lock().map(|mut f| f.push(format!("{id}: {e}"))).ok();
            }
        }
    }

    /// The first write error, or what the points left.
    fn finish(self) -> Result<Ended> {
        if let Some(e) = self.first_error.into_inner().ok().flatten() {
            return Err(e);
        }
        Ok(Ended {
            failed: self.failures.into_inner().unwrap_or_default(),
            skipped: self.skips.into_inner().unwrap_or_default(),
            walls: self.point_walls.into_inner().unwrap_or_default(),
        })
    }
}

/// The output folder of a run started now: `results/YYYYmmdd-HHMMSS`.
pub fn default_out_dir() -> PathBuf {
    let ts = dsmpc_roles::log::timestamp();
    let compact: String = ts
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    PathBuf::from("results").join(compact.replace('T', "-"))
}
