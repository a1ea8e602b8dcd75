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
//! sweep ([`dsmpc_roles::net::sim::Placement::measured`], as `dsmpc run --sim-cores here`), so
//! that simulated and measured latencies compare.
//!
//! A shard of a sweep (`crate::shard`) runs the same way on its part of the grid, into its
//! own folder, and records in `meta.json` which shard it is, its points and the whole grid's
//! points, so that resuming it with another grid or shard count is refused and
//! `crate::merge` can check the shards against each other.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dsmpc_core::counters::Op;
use dsmpc_roles::costmodel::{self, UnitCosts};
use dsmpc_roles::metrics::callgrind;
use dsmpc_roles::net::overhead::TlsCost;
use dsmpc_roles::net::process::{NetStats, ProcessOptions};
use dsmpc_roles::net::sim::{Placement, SimConfig};
use dsmpc_roles::net::{self, NetSpec};
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::session::{self, SessionReport};
use dsmpc_roles::suite::Provider;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;

use dsmpc_schema::files::{MESSAGES, META, PHASES, SESSIONS, UNITS};

use crate::error::{BenchError, Result, csv_err, io};
use crate::grid::{Grid, Point};
use crate::host;
use crate::rows::{Env, MessageRow, PhaseRow, SessionRow, UnitRow};
use crate::shard::Shard;

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

/// DPs per host on the `process` and `netns` networks, and per simulated host on `sim:`.
pub const DPS_PER_HOST: usize = 50;

/// Points whose messages rows exist: those are complete (messages are written last).
/// Rewrites the files keeping only complete points, dropping a point cut off mid-write.
fn recover(out: &Path) -> Result<BTreeSet<String>> {
    let mpath = out.join(MESSAGES);
    let ppath = out.join(PHASES);
    let spath = out.join(SESSIONS);
    if !mpath.exists() {
        let _ = std::fs::remove_file(&ppath);
        let _ = std::fs::remove_file(&spath);
        return Ok(BTreeSet::new());
    }
    // A row cut off by an interruption has the wrong width or fails to parse: stop there.
    let read_all = crate::rows::read_complete_rows;
    let (mh, mrows) = read_all(&mpath)?;
    let done: BTreeSet<String> = mrows.iter().filter_map(|r| r.get(0).map(str::to_string)).collect();
    let rewrite = |path: &Path, header: &csv::StringRecord, rows: &[csv::StringRecord]| -> Result<()> {
        let tmp = path.with_extension("csv.tmp");
        let mut w = csv::Writer::from_path(&tmp).map_err(csv_err(&tmp))?;
        w.write_record(header).map_err(csv_err(&tmp))?;
        for r in rows.iter().filter(|r| r.get(0).is_some_and(|p| done.contains(p))) {
            w.write_record(r).map_err(csv_err(&tmp))?;
        }
        w.flush().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    };
    rewrite(&mpath, &mh, &mrows)?;
    for path in [&ppath, &spath] {
        if path.exists() {
            let (h, rows) = read_all(path)?;
            rewrite(path, &h, &rows)?;
        }
    }
    Ok(done)
}

/// A row of type `$row` for point `$p`: the point's columns (id and parameters, the same in
/// `phases.csv` and `messages.csv`) and the given fields.
macro_rules! with_point {
    ($row:ident, $p:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        $row {
            point: $p.point_id(),
            net: $p.net.to_string(),
            backend: $p.backend.name().into(),
            suite: $p.suite.name().into(),
            provider: $p.provider.name().into(),
            verify: $p.verify.name().into(),
            n: $p.n,
            m: $p.m,
            k: $p.capacity,
            t: $p.t,
            rsa_bits: $p.rsa_bits,
            group_bits: $p.group_bits,
            value_bits: $p.value_bits,
            seed: $p.seed.unwrap_or(0),
            $($field: $value),*
        }
    };
}

fn phase_rows(p: &Point, rep: usize, r: &SessionReport, units: &UnitCosts, env: &Env) -> Vec<PhaseRow> {
    r.phases
        .iter()
        .map(|s| {
            let bound = units.bound(&s.ops);
            with_point!(PhaseRow, p, {
                rep: rep,
                phase: s.phase.name().into(),
                instances: s.instances,
                work_cpu_s: s.work_cpu_s,
                work_wall_s: s.work_wall_s,
                max_cpu_s: s.max_cpu_s,
                max_wall_s: s.max_wall_s,
                bound_s: bound,
                overhead: (bound > 0.0).then(|| s.work_cpu_s / bound),
                modexp_var: s.ops.get(Op::ModExpVar),
                modexp_fixed: s.ops.get(Op::ModExpFixed),
                modexp_secret: s.ops.get(Op::ModExpSecret),
                multiexp_term: s.ops.get(Op::MultiExpTerm),
                jacobi: s.ops.get(Op::Jacobi),
                enc: s.ops.get(Op::Encrypt),
                dec: s.ops.get(Op::Decrypt),
                sign: s.ops.get(Op::Sign),
                sig_verify: s.ops.get(Op::Verify),
                dp_sign: s.ops.get(Op::DpSign),
                dp_sig_verify: s.ops.get(Op::DpVerify),
                pk_decode: s.ops.get(Op::KeyDecode),
                jobs: env.jobs,
                crate_version: env.crate_version.clone(),
                git_rev: env.git_rev.clone(),
                host_cpu: env.host_cpu.clone(),
                cores: env.cores,
            })
        })
        .collect()
}

fn message_rows(p: &Point, r: &SessionReport) -> Vec<MessageRow> {
    r.messages
        .iter()
        .map(|(kind, m)| {
            let (src, dst) = kind.roles();
            with_point!(MessageRow, p, {
                kind: kind.name().into(),
                src_role: src.into(),
                dst_role: dst.into(),
                count: m.count,
                bytes: m.bytes,
                payload_bytes: m.payload_bytes,
                ref_compatible: kind.reference_counted(),
            })
        })
        .collect()
}

/// Backend, suite, provider, RSA bits, group bits: what unit costs depend on.
type UnitKey = (String, String, String, u32, u32);

fn unit_key(p: &Point) -> UnitKey {
    (
        p.backend.name().into(),
        p.suite.name().into(),
        p.provider.name().into(),
        p.rsa_bits,
        p.group_bits,
    )
}

/// `backend,suite,provider,rsa_bits,group_bits`: a calibration key in the callgrind labels
/// that mark a run for `dsmpc-reports icount-model` (no-ops outside valgrind). With `--jobs 1
/// --session-threads 1`, `dsmpc-calibration:<key>` opens the calibration dumps of `key`,
/// `dsmpc-units:<key>` closes them and `dsmpc-point:<id> units:<key>` opens a point whose phase
/// dumps follow.
fn key_label(k: &UnitKey) -> String {
    format!("{},{},{},{},{}", k.0, k.1, k.2, k.3, k.4)
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
    match &p.net {
        NetSpec::Memory => Ok((session::run(&p.cfg, None, None).map_err(failed)?, None)),
        NetSpec::Sim(profile) => {
            // As `dsmpc run --sim-cores here` (`Placement::measured`), with the costs measured
            // once for the whole sweep.
            let placement = Placement {
                dps_per_host: DPS_PER_HOST,
                cores: Placement::cores_here(),
                tls: Some(ctx.tls()?),
            };
            let sim = SimConfig::named(profile, Timeouts::default())
                .map_err(failed)?
                .placed(placement);
            let r =
                session::run_on(&p.cfg, &session::Net::Sim(sim), None, None, Box::new(net::Honest)).map_err(failed)?;
            Ok((r, None))
        }
        NetSpec::Process | NetSpec::Netns(_) => {
            if let NetSpec::Netns(_) = p.net {
                net::netns::available().map_err(PointError::Skipped)?;
            }
            let exe = net::process::find_dsmpc().map_err(|e| PointError::Skipped(e.to_string()))?;
            let opts = ProcessOptions {
                dps_per_host: DPS_PER_HOST,
                ..ProcessOptions::new(exe)
            };
            let run = match &p.net {
                NetSpec::Netns(profile) => net::netns::run(&p.cfg, &opts, profile),
                _ => net::process::run(&p.cfg, &opts),
            }
            .map_err(failed)?;
            Ok((run.report.map_err(failed)?, Some(run.stats)))
        }
    }
}

/// `kind=seconds;...` in protocol order.
fn rounds_text(t: &net::Timing) -> String {
    t.rounds
        .iter()
        .map(|(k, s)| format!("{}={s:.6}", k.name()))
        .collect::<Vec<_>>()
        .join(";")
}

fn session_row(
    p: &Point,
    rep: usize,
    r: &SessionReport,
    stats: Option<&NetStats>,
    tls: Option<TlsCost>,
    env: &Env,
) -> SessionRow {
    let timing = r.timing.as_ref();
    let sim = timing.and_then(|t| t.sim_tls);
    let protocol_bytes: u64 = r.messages.values().map(|m| m.bytes).sum();
    let phases_cpu: f64 = r.phases.iter().map(|s| s.work_cpu_s).sum();
    let (tls_bytes, wire_bytes, connections, hosts, party, process, transport, handshake, record) = match stats {
        Some(st) => (
            Some(st.tls_bytes),
            Some(st.interface_bytes.unwrap_or(st.tls_bytes)),
            Some(st.connections),
            Some(st.hosts as u64),
            Some(st.party_cpu_s),
            Some(st.process_cpu_s),
            Some((st.process_cpu_s - st.party_cpu_s).max(0.0)),
            tls.map(|c| st.connections as f64 * (c.handshake_client_s + c.handshake_server_s)),
            None,
        ),
        None => (
            None,
            None,
            sim.map(|s| s.connections),
            sim.map(|s| s.hosts),
            Some(phases_cpu),
            None,
            sim.map(|s| s.handshake_cpu_s + s.record_cpu_s),
            sim.map(|s| s.handshake_cpu_s),
            sim.map(|s| s.record_cpu_s),
        ),
    };
    with_point!(SessionRow, p, {
        rep: rep,
        profile: p.net.profile().unwrap_or("").to_string(),
        e2e_s: timing.map(|t| t.e2e_s),
        rounds_s: timing.map(rounds_text).unwrap_or_default(),
        protocol_bytes: protocol_bytes,
        tls_bytes: tls_bytes,
        wire_bytes: wire_bytes,
        connections: connections,
        hosts: hosts,
        party_cpu_s: party,
        process_cpu_s: process,
        transport_cpu_s: transport,
        tls_handshake_cpu_s: handshake,
        tls_record_cpu_s: record,
        git_rev: env.git_rev.clone(),
    })
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

/// Run a sweep.
pub fn run(grid: &Grid, opts: &SweepOptions) -> Result<SweepSummary> {
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
    if opts.resume
        && let Some(sr) = &opts.shard
    {
        check_shard_resume(&opts.out.join(META), grid, sr)?;
    }
    let done = if opts.resume {
        check_resumable(&opts.out)?;
        let done = recover(&opts.out)?;
        if opts.shard.is_none() {
            check_whole_resume(&opts.out, grid, &done)?;
        }
        done
    } else {
        BTreeSet::new()
    };
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
    let hostname = host::hostname();
    let shard = opts.shard.as_ref().map(|sr| {
        json!({
            "index": sr.shard.index, "count": sr.shard.count, "folder": sr.shard.folder(),
            "points": grid.points.iter().map(|p| p.point_id()).collect::<Vec<_>>(),
            "grid_points": sr.grid_points,
        })
    });
    let meta = |finished: Option<String>, notes: &[String], ran: usize, walls: &BTreeMap<String, f64>, cal: &[f64]| {
        let calibration_s = cal.iter().copied().fold(f64::INFINITY, f64::min);
        // Point ids of failed points (the notes say why).
        let failed: Vec<&str> = notes
            .iter()
            .filter_map(|n| n.strip_prefix("failed: "))
            .map(|f| f.split(": ").next().unwrap_or(f))
            .collect();
        json!({
            "host": hostname,
            "git_rev": env.git_rev, "crate_version": env.crate_version, "host_cpu": env.host_cpu,
            "cores": env.cores, "command_line": opts.command_line, "started": started,
            "finished": finished, "seed": grid.seed, "preset": opts.preset, "jobs": opts.jobs,
            "reps": grid.reps, "calibration_s": calibration_s, "calibration_samples_s": cal,
            "calibration_workload": "thread-CPU seconds of 12 num-bigint 2048-bit modexps (256-bit exponents): median of 5, measured at start and end, the smaller kept",
            "backends_compiled": dsmpc_core::backend::BackendKind::available().iter().map(|b| b.name()).collect::<Vec<_>>(),
            "grid": { "name": grid.name, "description": grid.description, "points": grid.points.len(), "ran_now": ran },
            "peak_rss_bytes": host::peak_rss_bytes(),
            "point_wall_s": walls,
            "notes": notes,
            "failed": failed,
            "shard": shard,
        })
    };
    let meta_path = opts.out.join(META);
    let write_meta = |v: serde_json::Value| -> Result<()> {
        std::fs::write(&meta_path, serde_json::to_string_pretty(&v).unwrap_or_default()).map_err(io(&meta_path))
    };
    write_meta(meta(None, &summary.notes, 0, &BTreeMap::new(), &[calibration_start]))?;

    let outputs = Mutex::new(Outputs {
        phases: Appender::open(opts.out.join(PHASES))?,
        messages: Appender::open(opts.out.join(MESSAGES))?,
        sessions: Appender::open(opts.out.join(SESSIONS))?,
        units: Appender::open(opts.out.join(UNITS))?,
    });
    // Unit costs already written (resume) are reused so every row of a folder shares them.
    let units: Mutex<HashMap<UnitKey, Arc<UnitCosts>>> = Mutex::new(read_units(&opts.out.join(UNITS)));
    let bar = if opts.progress {
        ProgressBar::new(pending.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} points, eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let say = |msg: String| {
        if opts.progress {
            bar.println(msg)
        } else {
            eprintln!("{msg}")
        }
    };
    let failures = Mutex::new(Vec::new());
    let point_walls: Mutex<BTreeMap<String, f64>> = Mutex::new(BTreeMap::new());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| BenchError::Output(format!("cannot start {} worker threads: {e}", opts.jobs)))?;
    let first_error: Mutex<Option<BenchError>> = Mutex::new(None);
    let record_error = |e: BenchError| {
        if let Ok(mut f) = first_error.lock() {
            f.get_or_insert(e);
        }
    };
    let poisoned = || BenchError::Output("a worker thread panicked while writing results".into());
    let ctx = NetContext::default();
    let skips = Mutex::new(Vec::new());
    let handle = |p: &Point| {
        let id = p.point_id();
        bar.set_message(id.clone());
        let key = unit_key(p);
        let cached = units.lock().ok().and_then(|u| u.get(&key).cloned());
        let u = match cached {
            Some(u) => u,
            None => {
                // Closes what ran before (the main thread's setup is in the first dump otherwise).
                callgrind::dump(&format!("dsmpc-calibration:{}", key_label(&key)));
                match costmodel::calibrate_for(p, opts.quick_calibration) {
                    Ok(c) => {
                        let c = Arc::new(c);
                        let fresh = units
                            .lock()
                            .map(|mut m| m.insert(key.clone(), c.clone()).is_none())
                            .unwrap_or(false);
                        if fresh {
                            callgrind::dump(&format!("dsmpc-units:{}", key_label(&key)));
                            let rows: Vec<UnitRow> =
                                c.0.iter()
                                    .map(|(op, s)| UnitRow {
                                        backend: key.0.clone(),
                                        suite: key.1.clone(),
                                        provider: key.2.clone(),
                                        rsa_bits: key.3,
                                        group_bits: key.4,
                                        op: op.name().into(),
                                        unit_s: *s,
                                    })
                                    .collect();
                            if let Err(e) = outputs
                                .lock()
                                .map_err(|_| poisoned())
                                .and_then(|mut o| o.units.write(&rows))
                            {
                                record_error(e);
                            }
                        }
                        c
                    }
                    Err(e) => {
                        failures
                            .lock()
                            .map(|mut f| f.push(format!("{id}: calibration failed: {e}")))
                            .ok();
                        bar.inc(1);
                        return;
                    }
                }
            }
        };
        callgrind::dump(&format!("dsmpc-point:{id} units:{}", key_label(&key)));
        let t0 = std::time::Instant::now();
        let outcome = run_point(p, grid.reps, &u, &env, &ctx);
        let wall = t0.elapsed().as_secs_f64();
        if let Ok(mut w) = point_walls.lock() {
            w.insert(id.clone(), wall);
        }
        match outcome {
            Ok((ph, se, ms)) => {
                say(format!("{id}: {} repetitions in {wall:.1} s wall", grid.reps));
                let res = outputs.lock().map_err(|_| poisoned()).and_then(|mut o| {
                    o.phases.write(&ph)?;
                    o.sessions.write(&se)?;
                    o.messages.write(&ms)
                });
                if let Err(e) = res {
                    record_error(e);
                }
            }
            Err(PointError::Skipped(why)) => {
                say(format!("point {id} skipped: {why}"));
                skips.lock().map(|mut s| s.push(format!("{id}: skipped: {why}"))).ok();
            }
            Err(PointError::Failed(e)) => {
                say(format!("point {id} failed: {e}"));
                failures.lock().map(|mut f| f.push(format!("{id}: {e}"))).ok();
            }
        }
        bar.inc(1);
    };
    // In-process networks in parallel; networks of processes one at a time, after them.
    let (measured, local): (Vec<&Point>, Vec<&Point>) = pending.iter().partition(|p| p.net.uses_processes());
    pool.install(|| local.par_iter().for_each(|p| handle(p)));
    measured.iter().for_each(|p| handle(p));
    bar.finish_and_clear();
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    summary.failed = failures.into_inner().unwrap_or_default();
    let skipped = skips.into_inner().unwrap_or_default();
    summary.ran = pending.len() - summary.failed.len() - skipped.len();
    summary.notes.extend(skipped);
    summary
        .notes
        .extend(summary.failed.iter().map(|f| format!("failed: {f}")));
    let walls = point_walls.into_inner().unwrap_or_default();
    let calibration_end = host::calibration_seconds();
    write_meta(meta(
        Some(dsmpc_roles::log::timestamp()),
        &summary.notes,
        summary.ran,
        &walls,
        &[calibration_start, calibration_end],
    ))?;
    Ok(summary)
}

/// Refuses to resume a folder written with other columns or other operation kinds (an older
/// `dsmpc-sweep`, e.g. before `dp_sign` and `dp_sig_verify`): appending rows of the current
/// schema would give lines of a different width than the header, and points priced without
/// the newer unit costs. Such a sweep has to be started again in a new folder.
fn check_resumable(out: &Path) -> Result<()> {
    let ppath = out.join(PHASES);
    let nonempty = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.len() > 0);
    if nonempty(&ppath) {
        let mut r = csv::Reader::from_path(&ppath).map_err(csv_err(&ppath))?;
        let found: Vec<String> = r
            .headers()
            .map_err(csv_err(&ppath))?
            .iter()
            .map(str::to_string)
            .collect();
        let expected = crate::rows::header::<PhaseRow>();
        if found != expected {
            let missing: Vec<&str> = expected
                .iter()
                .filter(|c| !found.contains(c))
                .map(String::as_str)
                .collect();
            return Err(BenchError::Output(format!(
                "{} was written by another version of dsmpc-sweep (its columns differ{}): \
                 it cannot be resumed; start the sweep again in a new folder",
                ppath.display(),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("; missing {}", missing.join(", "))
                }
            )));
        }
    }
    let upath = out.join(UNITS);
    for ((backend, suite, provider, rsa, group), u) in read_units(&upath) {
        if let Some(op) = Op::ALL.iter().find(|o| !u.0.contains_key(*o)) {
            return Err(BenchError::Output(format!(
                "{} has no unit cost of `{}` for {backend}/{suite}/{provider}/rsa{rsa}/g{group} (written by an older \
                 dsmpc-sweep): it cannot be resumed; start the sweep again in a new folder",
                upath.display(),
                op.name()
            )));
        }
    }
    Ok(())
}

/// Resuming a whole sweep: the folder must hold the same grid (its name, repetitions and seed in
/// `meta.json` where one was written, and no finished point this grid lacks). `--resume DIR`
/// alone runs the default preset; resuming a `net` sweep that way once ran the 88 `quick`
/// points into its folder.
fn check_whole_resume(out: &Path, grid: &Grid, done: &BTreeSet<String>) -> Result<()> {
    let meta: Option<serde_json::Value> = std::fs::read_to_string(out.join(META))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let how = meta
        .as_ref()
        .and_then(|m| m["command_line"].as_str())
        .map(|c| format!(" (it was started as `{c}`: give the same grid options with --resume)"))
        .unwrap_or_else(|| " (give the grid options it was started with, and --resume)".into());
    let refuse = |what: String| {
        Err(BenchError::Output(format!(
            "cannot resume the sweep in {}: {what}{how}",
            out.display()
        )))
    };
    if let Some(m) = &meta {
        if let Some(name) = m["grid"]["name"].as_str()
            && name != grid.name
        {
            return refuse(format!("it holds grid {name:?}, this run is grid {:?}", grid.name));
        }
        if let Some(reps) = m["reps"].as_u64()
            && reps != grid.reps as u64
        {
            return refuse(format!(
                "it was run with {reps} repetitions, this run has {}",
                grid.reps
            ));
        }
        if let Some(seed) = m["seed"].as_u64()
            && seed != grid.seed
        {
            return refuse(format!("it was run with seed {seed}, this run has seed {}", grid.seed));
        }
    }
    let ids: BTreeSet<String> = grid.points.iter().map(|p| p.point_id()).collect();
    if let Some(extra) = done.iter().find(|d| !ids.contains(*d)) {
        return refuse(format!("it holds point {extra}, which this run's grid does not have"));
    }
    Ok(())
}

/// Resuming a shard: its folder must hold the same shard of the same grid.
fn check_shard_resume(meta_path: &Path, grid: &Grid, sr: &ShardRun) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(meta_path) else {
        return Ok(()); // not started yet
    };
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        BenchError::Output(format!(
            "{}: not valid JSON ({e}); remove the folder to start this shard again",
            meta_path.display()
        ))
    })?;
    let refuse = |what: String| {
        Err(BenchError::Output(format!(
            "cannot resume shard {} in {}: {what}",
            sr.shard,
            meta_path.parent().unwrap_or(meta_path).display()
        )))
    };
    let Some(old) = meta.get("shard").filter(|v| !v.is_null()) else {
        return refuse("its meta.json records no shard (it holds a whole sweep)".into());
    };
    let (index, count) = (old["index"].as_u64(), old["count"].as_u64());
    if (index, count) != (Some(sr.shard.index as u64), Some(sr.shard.count as u64)) {
        return refuse(format!("it holds shard {}/{}", index.unwrap_or(0), count.unwrap_or(0)));
    }
    if meta["reps"].as_u64() != Some(grid.reps as u64) {
        return refuse(format!(
            "it was started with {} repetitions, this run has {}",
            meta["reps"], grid.reps
        ));
    }
    if meta["seed"].as_u64() != Some(grid.seed) {
        return refuse(format!(
            "it was started with seed {}, this run has seed {}",
            meta["seed"], grid.seed
        ));
    }
    let old_points: Vec<&str> = old["grid_points"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if old_points != sr.grid_points {
        let first = sr
            .grid_points
            .iter()
            .zip(&old_points)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("first difference: {b} there, {a} here"))
            .unwrap_or_else(|| format!("{} points there, {} here", old_points.len(), sr.grid_points.len()));
        return refuse(format!("it was started on another grid ({first})"));
    }
    Ok(())
}

fn read_units(path: &Path) -> HashMap<UnitKey, Arc<UnitCosts>> {
    let mut acc: BTreeMap<UnitKey, UnitCosts> = BTreeMap::new();
    if let Ok(mut r) = csv::Reader::from_path(path) {
        for row in r.deserialize::<UnitRow>().map_while(|x| x.ok()) {
            if let Some(op) = Op::ALL.iter().find(|o| o.name() == row.op) {
                acc.entry((row.backend, row.suite, row.provider, row.rsa_bits, row.group_bits))
                    .or_default()
                    .0
                    .insert(*op, row.unit_s);
            }
        }
    }
    acc.into_iter().map(|(k, v)| (k, Arc::new(v))).collect()
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
