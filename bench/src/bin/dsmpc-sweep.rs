//! `dsmpc-sweep`: run a parameter sweep of D-SMPC sessions to tidy CSV (normally through
//! `cargo xtask sweep`, which also draws the figures and writes the report).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dsmpc_bench::BenchError;
use dsmpc_bench::grid::{self, Grid, Overrides, Threshold};
use dsmpc_bench::shard::{self, Shard, ShardSpec};
use dsmpc_bench::sweep::{self, ShardRun, SweepOptions};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;

#[derive(Parser)]
#[command(
    name = "dsmpc-sweep",
    version,
    about = "Sweep D-SMPC over n, CPs, t, key sizes, backends, verification modes and input shapes, to CSV"
)]
#[command(
    after_help = "Output (in --out): phases.csv (point x repetition x phase), messages.csv (point x message kind), \
sessions.csv (point x repetition: latency, protocol/TLS/wire bytes, transport CPU on its network), units.csv (cost-model unit costs), meta.json (host, git revision, command line, calibration). \
Columns are documented in bench/README.md. Rows are appended as points finish: interrupt at any time \
and continue with --resume DIR.

Shards: --shard I/N --out DIR runs the I-th of N parts of the grid into DIR/shard-I-of-N/ (with its own \
meta.json: host, start, end); run all N (on any machines sharing DIR), then `dsmpc-merge DIR` (or \
`cargo xtask merge DIR`) checks and joins them. `--resume DIR --shard I/N` continues a shard, or starts it \
if it has not started. The split is the same on every machine: points are balanced by a cost estimated \
from their sizes. `cargo xtask sweep --slurm` submits the shards as a Slurm job array."
)]
struct Cli {
    /// Preset grid: quick (a first look, about a minute), paper (the full evaluation), scale
    /// (large n and k), net (one small point on every network: memory, sim:lan, process,
    /// netns:lan), groups (the five groups side by side), vectors (vector inputs: d = 1 to
    /// 100,000 elements per DP at n = 100 and 1,000).
    #[arg(long, default_value = "quick", conflicts_with = "grid")]
    preset: String,
    /// A grid file (TOML, as in bench/grids/) instead of a preset.
    #[arg(long, value_name = "FILE")]
    grid: Option<PathBuf>,
    /// Output folder [default: results/<UTC time>, with results/latest pointing at it].
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue the sweep in DIR, skipping the points it already finished (with --shard: the
    /// shard's folder in DIR, started if it does not exist yet).
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
    /// Run one shard of the sweep: I/N (1-based: 1/4 .. 4/4), into DIR/shard-I-of-N of the
    /// --out or --resume folder (required). `auto` takes I and N from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID, submitted as --array=1-N) or I from a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX, 0-based) with N from DSMPC_SHARD_COUNT; `auto/N` gives N
    /// explicitly (needed when resubmitting some tasks of an array).
    #[arg(long, value_name = "I/N|auto|auto/N")]
    shard: Option<ShardSpec>,
    /// Points run at once [default: all cores].
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Replace the n axis (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    dps: Option<Vec<usize>>,
    /// Replace the m axis (candidate CPs).
    #[arg(long, value_delimiter = ',', value_name = "M,..")]
    cps: Option<Vec<usize>>,
    /// Replace the k axis (capacity).
    #[arg(long, value_delimiter = ',', value_name = "K,..")]
    capacity: Option<Vec<usize>>,
    /// Replace the t axis: integers, "k", fractions of k like 0.5k, or percentages like 50%.
    #[arg(long, value_delimiter = ',', value_name = "T,..")]
    threshold: Option<Vec<Threshold>>,
    /// Replace the RSA bits axis.
    #[arg(long, value_delimiter = ',', value_name = "B,..")]
    rsa_bits: Option<Vec<u32>>,
    /// Replace the group axis with the Schnorr groups of these sizes (another spelling of
    /// `--group schnorr-L,..`).
    #[arg(long, value_delimiter = ',', value_name = "L,..", conflicts_with = "group")]
    group_bits: Option<Vec<u32>>,
    /// Replace the group axis (schnorr-1024, schnorr-2048, schnorr-3072, schnorr-4096,
    /// ristretto255).
    #[arg(long, value_delimiter = ',', value_name = "GROUP,..")]
    group: Option<Vec<GroupKind>>,
    /// Replace the backend axis (num, gmp).
    #[arg(long, value_delimiter = ',', value_name = "num|gmp,..")]
    backend: Option<Vec<BackendKind>>,
    /// Replace the verification axis (paper, fast, batch, vss).
    #[arg(long, value_delimiter = ',', value_name = "MODE,..")]
    verify: Option<Vec<VerifyMode>>,
    /// Replace the cipher-suite axis (rsa, p256, x25519).
    #[arg(long, value_delimiter = ',', value_name = "rsa|p256|x25519,..")]
    suite: Option<Vec<dsmpc_roles::suite::SuiteKind>>,
    /// Replace the crypto-provider axis (awslc, rustcrypto; RSA-1024 is rustcrypto only).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    provider: Option<Vec<dsmpc_roles::suite::Provider>>,
    /// Replace the network axis: memory, sim:PROFILE, process, netns:PROFILE (profiles lan, wan,
    /// lte, dsrc from net/profiles.toml). process and netns start the `dsmpc` binary built
    /// beside this one (or $DSMPC_BIN); netns needs root, and its points are skipped otherwise.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    net: Option<Vec<dsmpc_net::NetSpec>>,
    /// Replace the dim axis: elements per DP input (1 is the paper's one value).
    #[arg(long, value_delimiter = ',', value_name = "D,..")]
    dim: Option<Vec<usize>>,
    /// Replace the function axis: sum, mean, histogram:B, meanvar, vector-sum, vector-mean
    /// (a point the function's field limit refuses is skipped with the reason).
    #[arg(long, value_delimiter = ',', value_name = "FUNC,..")]
    func: Option<Vec<dsmpc_roles::func::Func>>,
    /// Fraction bits of vector-sum and vector-mean inputs (the other functions take 0).
    #[arg(long, value_name = "F")]
    frac_bits: Option<u32>,
    /// Repetitions per point.
    #[arg(long)]
    reps: Option<usize>,
    /// Seed of every session (keys, values and protocol randomness).
    #[arg(long)]
    seed: Option<u64>,
    /// Threads within each session (parties in parallel); use with --jobs 1 for huge points.
    #[arg(long)]
    session_threads: Option<usize>,
    /// Fewer calibration samples for the cost model (faster, noisier bounds).
    #[arg(long)]
    quick_calibration: bool,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
    /// List the points (and the skipped ones) without running anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the presets' grid files and exit.
    #[arg(long)]
    list_presets: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list_presets {
        for (name, text) in grid::PRESETS {
            println!("### preset {name}\n{text}");
        }
        return ExitCode::SUCCESS;
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Point `results/latest` at a new default output folder (also how `cargo xtask sweep` finds
/// it). Best effort: a missing link only loses the shortcut.
fn point_latest_at(dir: &std::path::Path) {
    #[cfg(unix)]
    if let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) {
        let link = parent.join("latest");
        let _ = std::fs::create_dir_all(parent);
        let _ = std::fs::remove_file(&link);
        if let Err(e) = std::os::unix::fs::symlink(name, &link) {
            eprintln!("note: could not point {} at {}: {e}", link.display(), dir.display());
        }
    }
}

/// The grid the options name (a file or a preset, with the axis options applied), its skipped
/// points noted; refused when no valid point is left.
fn load_grid(cli: &Cli) -> Result<Grid, BenchError> {
    let (text, name) = match &cli.grid {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|source| BenchError::Io {
                path: path.display().to_string(),
                source,
            })?,
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        None => (grid::preset(&cli.preset)?.to_string(), cli.preset.clone()),
    };
    let ov = Overrides {
        dps: cli.dps.clone(),
        cps: cli.cps.clone(),
        capacity: cli.capacity.clone(),
        threshold: cli.threshold.clone(),
        rsa_bits: cli.rsa_bits.clone(),
        group_bits: cli.group_bits.clone(),
        group: cli.group.clone(),
        backend: cli.backend.clone(),
        verify: cli.verify.clone(),
        suite: cli.suite.clone(),
        provider: cli.provider.clone(),
        net: cli.net.clone(),
        dim: cli.dim.clone(),
        func: cli.func.clone(),
        frac_bits: cli.frac_bits,
        reps: cli.reps,
        seed: cli.seed,
        session_threads: cli.session_threads,
    };
    let g = grid::expand(&text, &name, &ov)?;
    for s in &g.skipped {
        eprintln!("note: {s}");
    }
    if !BackendKind::Gmp.is_available() {
        eprintln!(
            "note: this build has no gmp backend, so gmp points are skipped (build with --features gmp; `cargo xtask sweep` does when the system GMP is present)"
        );
    }
    if g.points.is_empty() {
        return Err(BenchError::Grid("no valid points to run".into()));
    }
    Ok(g)
}

/// `--dry-run`: the points (with their estimated cost in a shard) and how many.
fn print_dry_run(g: &Grid, shard: Option<Shard>, grid_points: usize) {
    for p in &g.points {
        match shard {
            Some(_) => println!(
                "{}\tnet {}\testimated cost {}",
                p.point_id(),
                p.net,
                shard::estimated_point_cost(p)
            ),
            None => println!("{}\tnet {}", p.point_id(), p.net),
        }
    }
    match shard {
        Some(s) => println!(
            "shard {s}: {} of {} points x {} repetitions",
            g.points.len(),
            grid_points,
            g.reps
        ),
        None => println!("{} points x {} repetitions", g.points.len(), g.reps),
    }
}

/// The output folder and whether the run resumes it: `--resume`, `--out`, or (not for a shard)
/// a new `results/<UTC time>` that `results/latest` points at; a shard's own folder inside.
fn out_dir(resume: Option<PathBuf>, out: Option<PathBuf>, shard: Option<Shard>) -> Result<(PathBuf, bool), BenchError> {
    let (out, resume) = match (resume, out) {
        (Some(d), _) => (d, true),
        (None, Some(d)) => (d, false),
        (None, None) if shard.is_some() => {
            return Err(BenchError::Output(
                "--shard needs the sweep folder that all shards share: give --out DIR (or --resume DIR)".into(),
            ));
        }
        (None, None) => {
            let dir = sweep::default_out_dir();
            point_latest_at(&dir);
            (dir, false)
        }
    };
    Ok(match shard {
        Some(s) => (out.join(s.folder()), resume),
        None => (out, resume),
    })
}

fn run(cli: Cli) -> Result<ExitCode, BenchError> {
    let g = load_grid(&cli)?;
    let grid_points: Vec<String> = g.points.iter().map(|p| p.point_id()).collect();
    let (g, shard) = match cli.shard {
        None => (g, None),
        Some(spec) => {
            let s = spec.resolve()?;
            (shard::select(&g, s), Some(s))
        }
    };
    if cli.dry_run {
        print_dry_run(&g, shard, grid_points.len());
        return Ok(ExitCode::SUCCESS);
    }
    let (out, resume) = out_dir(cli.resume, cli.out, shard)?;
    let jobs = cli.jobs.unwrap_or_else(dsmpc_bench::host::cores).max(1);
    if let Some(s) = shard {
        eprintln!(
            "shard {s} of sweep {:?}: {} of its {} points",
            g.name,
            g.points.len(),
            grid_points.len()
        );
    }
    eprintln!(
        "sweep {:?}: {} points x {} repetitions, {} jobs, seed {}, into {}",
        g.name,
        g.points.len(),
        g.reps,
        jobs,
        g.seed,
        out.display()
    );
    let opts = SweepOptions {
        out: out.clone(),
        jobs,
        resume,
        quick_calibration: cli.quick_calibration,
        progress: !cli.no_progress,
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        preset: g.name.clone(),
        shard: shard.map(|shard| ShardRun { shard, grid_points }),
    };
    let t0 = std::time::Instant::now();
    let s = sweep::run(&g, &opts)?;
    eprintln!(
        "done in {:.1} s: {} points run, {} already finished, {} failed, peak RSS {} MiB -> {}",
        t0.elapsed().as_secs_f64(),
        s.ran,
        s.resumed,
        s.failed.len(),
        dsmpc_bench::host::peak_rss_bytes().map_or_else(|| "?".into(), |b| (b >> 20).to_string()),
        out.display()
    );
    for f in &s.failed {
        eprintln!("failed: {f}");
    }
    Ok(if s.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
