//! `cargo xtask regress`: A/B regression check of the work tree (the candidate) against a git
//! revision (the base), both built and run on this machine in one run.
//!
//! 1. The base revision is checked out in a temporary git worktree and its `dsmpc-sweep` built
//!    (release, sharing `target/` so that dependencies are built once); the binary is cached in
//!    `target/regress/builds/<sha>/` and reused by later runs.
//! 2. The candidate's `dsmpc-sweep` is built from its source tree.
//! 3. Time: the regression grid (`reports/baselines/grid.toml`, one repetition per run) runs
//!    `--pairs` times per binary, interleaved (base, cand, cand, base, base, cand, ...).
//! 4. Instructions: the small grid `reports/baselines/icount.toml` runs under callgrind with one
//!    thread, `--icount-runs` times per binary (base and candidate at the same time, one core
//!    each); the dumps labelled `dsmpc-phase:<phase>` are summed into `icount.csv`
//!    (`dsmpc_schema::callgrind`, `dsmpc_schema::IcountRow`).
//! 5. `dsmpc-perf ab` judges (table, `verdicts.csv`); the candidate's exact counts are also
//!    checked against the committed record `reports/baselines/current`.
//!
//! Where the base revision is not in the clone (a shallow clone), only the exact checks run.
//!
//! A commit meant to trade instructions for time says so in a `Regress-Accept:` trailer (see
//! `dsmpc_perf::ab::Acceptance`); the trailers of the commits between base and candidate, and
//! `--accept` for a work tree not yet committed, go to the judge.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::TaskError;
use crate::tasks::{gmp_or_warn, run};
use crate::tools::{
    build_revision, build_sweep, git, icount_runs, perf_bin, resolve, root, status_of, time_run, valgrind_available,
};

/// `cargo xtask regress --help`.
pub const HELP: &str = "\
cargo xtask regress [--base REV] [--pairs N] [--icount-runs N] [--time-threshold F]
                    [--icount-threshold F] [--accept TEXT]... [--no-icount] [--no-time] [--out DIR]
cargo xtask regress --save

A/B check of the work tree against the git revision REV, both built and run on this machine in one run.
REV defaults to HEAD when the work tree has changes, otherwise HEAD~1; any revision git knows (a tag, a
branch, a sha). The base build is cached in target/regress/builds/<sha>/.

Judged per phase:
  instructions   callgrind counts of reports/baselines/icount.toml (one thread, seeded); SLOWER above
                 max(--icount-threshold, 3 x the spread between repeated counts of one binary)
  cpu time       work_cpu_s of reports/baselines/grid.toml, --pairs interleaved runs per binary; SLOWER
                 when the median ratio cand/base > 1+T and its 95% bootstrap interval starts above 1+T/2
  exact          op counts and bytes: changes between base and candidate are listed; the candidate must
                 equal the committed record reports/baselines/current (update it with --save when a
                 protocol change is meant, and say why in reports/baselines/CHANGES.md)

Reviewed trade-offs: a change that runs more instructions in less time (say, a library whose fast path
needs CPU features valgrind does not emulate: valgrind 3.19 hides ADX and SHA) says so in a commit
trailer, reviewed with the change:
  Regress-Accept: instructions PHASE up to RATIO: REASON
The trailers of the commits in BASE..candidate are read. The phase's instruction verdict becomes
\"accepted\" only when its ratio is at most RATIO and its CPU time in the same run is measured lower
(95% interval below 1); otherwise it stays SLOWER and a note says why. Time cannot be accepted.

Options:
  --base REV              the base revision (see above)
  --pairs N               interleaved time runs per binary (default 5)
  --icount-runs N         callgrind runs per binary (default 2; 0 = --no-icount)
  --time-threshold F      T (default 0.10)
  --icount-threshold F    smallest instruction threshold (default 0.01)
  --accept TEXT           a trade-off as in a trailer, for changes not yet committed (repeatable)
  --no-icount, --no-time  skip a measure
  --out DIR               the A/B folder (default target/regress/ab, replaced)
  --save                  run the regression grid once (5 repetitions) and save it as the committed record

Exit status: 0 no regression, 1 a phase slower or the record differs, 2 bad input (an unknown revision in a
full clone). In a shallow clone without the base revision it says so and runs the exact checks only.
";

/// What `regress` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Base revision as given (`None`: the default rule).
    pub base: Option<String>,
    /// Interleaved time pairs.
    pub pairs: usize,
    /// Callgrind runs per binary.
    pub icount_runs: usize,
    /// Time threshold.
    pub time_threshold: String,
    /// Instruction threshold.
    pub icount_threshold: String,
    /// The A/B folder.
    pub out: PathBuf,
    /// `--accept` texts (trade-offs of an uncommitted work tree).
    pub accept: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: None,
            pairs: 5,
            icount_runs: 2,
            time_threshold: "0.10".into(),
            icount_threshold: "0.01".into(),
            out: PathBuf::from("target/regress/ab"),
            accept: vec![],
        }
    }
}

fn parse(args: &[String]) -> Result<Options, TaskError> {
    let mut o = Options::default();
    let mut it = args.iter();
    let bad = |m: String| TaskError::usage(format!("{m}\n\n{HELP}"));
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| bad(format!("{name} needs a value")));
        let count = |name: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| bad(format!("{name}: not a count: {v:?}")))
        };
        let number = |name: &str, v: String| match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(v),
            _ => Err(bad(format!("{name}: not a non-negative number: {v:?}"))),
        };
        match a.as_str() {
            "--base" => o.base = Some(value("--base")?),
            "--pairs" => o.pairs = count("--pairs", value("--pairs")?)?,
            "--icount-runs" => o.icount_runs = count("--icount-runs", value("--icount-runs")?)?,
            "--time-threshold" => o.time_threshold = number("--time-threshold", value("--time-threshold")?)?,
            "--icount-threshold" => o.icount_threshold = number("--icount-threshold", value("--icount-threshold")?)?,
            "--no-icount" => o.icount_runs = 0,
            "--no-time" => o.pairs = 0,
            "--out" => o.out = PathBuf::from(value("--out")?),
            "--accept" => o.accept.push(value("--accept")?),
            other => return Err(bad(format!("regress: unknown option {other:?}"))),
        }
    }
    Ok(o)
}

/// The base revision by the default rule, or the one asked for.
fn choose_base(asked: Option<&str>) -> Result<(String, Result<String, String>), TaskError> {
    let dirty = !git(&root(), &["status", "--porcelain", "--untracked-files=no"])
        .map_err(TaskError::run)?
        .is_empty();
    let rev = asked.map_or_else(|| if dirty { "HEAD" } else { "HEAD~1" }.to_string(), str::to_string);
    let sha = resolve(&root(), &rev);
    // A revision asked for but unknown is bad input, unless the clone is shallow (then the
    // history is what is missing, and the exact checks still run).
    let shallow = git(&root(), &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true");
    if asked.is_some()
        && !shallow
        && let Err(e) = &sha
    {
        return Err(TaskError::usage(format!("--base: {e}")));
    }
    Ok((rev, sha))
}

/// `cargo xtask regress`.
pub fn regress(args: &[String]) -> Result<(), TaskError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    if args.iter().any(|a| a == "--save") {
        return save(args);
    }
    let opts = parse(args)?;
    let (rev, sha) = choose_base(opts.base.as_deref())?;
    let gmp = gmp_or_warn();
    match sha {
        Ok(sha) => ab(&opts, &rev, &sha, &root(), None, gmp),
        Err(why) => exact_only(&why, gmp),
    }
}

/// Whether the sweep binary `bin` reads the grid `grid`.
fn reads_grid(bin: &Path, grid: &Path) -> bool {
    Command::new(bin)
        .arg("--grid")
        .arg(grid)
        .arg("--dry-run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The measurements of an A/B run into `dir`: the callgrind runs, then the interleaved time
/// pairs.
fn measure(opts: &Options, base: &Path, cand: &Path, dir: &Path) -> Result<(), TaskError> {
    let grid = root().join("reports/baselines/grid.toml");
    let icount_grid = root().join("reports/baselines/icount.toml");
    if opts.icount_runs > 0 {
        if valgrind_available() {
            for i in 1..=opts.icount_runs {
                icount_runs(&[("base", base), ("cand", cand)], &icount_grid, dir, i).map_err(TaskError::run)?;
            }
        } else {
            eprintln!("regress: valgrind is not installed: instruction counts skipped (apt-get install valgrind)");
        }
    }
    for i in 1..=opts.pairs {
        // base-cand, cand-base, ...: a drift of the machine during the run falls on both sides.
        let order: [(&str, &Path); 2] = if i % 2 == 1 {
            [("base", base), ("cand", cand)]
        } else {
            [("cand", cand), ("base", base)]
        };
        for (label, bin) in order {
            time_run(bin, &grid, &dir.join(label).join(format!("time-{i}"))).map_err(TaskError::run)?;
        }
    }
    Ok(())
}

/// The judge's command line for the A/B folder `dir`, with the accepted trade-offs.
fn judge_cmd(opts: &Options, dir: &Path, accepted: &[String]) -> Command {
    let dir_s = dir.to_string_lossy().into_owned();
    let mut judge = perf_bin(&[
        "ab",
        "--dir",
        &dir_s,
        "--time-threshold",
        &opts.time_threshold,
        "--icount-threshold",
        &opts.icount_threshold,
    ]);
    for text in accepted.iter().chain(&opts.accept) {
        judge.arg("--accept").arg(text);
    }
    judge
}

/// The A/B run of the candidate in `cand_src` (the work tree, or a commit `cand_key`) against
/// base `sha`; `Ok` when nothing regressed.
pub(crate) fn ab(
    opts: &Options,
    rev: &str,
    sha: &str,
    cand_src: &Path,
    cand_key: Option<&str>,
    gmp: bool,
) -> Result<(), TaskError> {
    eprintln!("regress: base {rev} = {}", &sha[..12]);
    let base = build_revision(sha, gmp).map_err(TaskError::run)?;
    let cand = match cand_key {
        Some(key) => build_sweep(cand_src, key, true, gmp),
        None => build_sweep(cand_src, "worktree", false, gmp),
    }
    .map_err(TaskError::run)?;
    // Build the judge before measuring, so that its build does not disturb the runs.
    run(perf_bin(&["--help"]).stdout(Stdio::null())).map_err(TaskError::run)?;
    let dir = root().join(&opts.out);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| TaskError::run(format!("cannot create {}: {e}", dir.display())))?;
    std::fs::write(dir.join("base.txt"), format!("{rev} {sha}\n")).map_err(|e| TaskError::run(e.to_string()))?;
    let grid = root().join("reports/baselines/grid.toml");
    let icount_grid = root().join("reports/baselines/icount.toml");
    // The base must read this revision's grids (an axis added since, e.g., it cannot).
    for g in [&grid, &icount_grid] {
        if !reads_grid(&base, g) {
            eprintln!(
                "regress: the base {rev} cannot read {} (its format or an axis is newer than the base): no A/B \
                 comparison is possible; exact checks against the committed record only",
                g.display()
            );
            let out = dir.join("cand/time-1");
            time_run(&cand, &grid, &out).map_err(TaskError::run)?;
            return record_check(&out);
        }
    }
    measure(opts, &base, &cand, &dir)?;
    let accepted = accepted_tradeoffs(cand_src, sha, cand_key)?;
    let judged = status_of(&mut judge_cmd(opts, &dir, &accepted), "dsmpc-perf ab");
    let record = if opts.pairs > 0 {
        record_check(&dir.join("cand/time-1"))
    } else {
        Ok(())
    };
    judged.and(record)
}

/// The `Regress-Accept:` trailers of the commits in `base..candidate` (the candidate is the
/// commit `cand_key` in `cand_src`, or `HEAD` of the work tree), each with its commit's short sha
/// appended to the reason.
fn accepted_tradeoffs(cand_src: &Path, base: &str, cand_key: Option<&str>) -> Result<Vec<String>, TaskError> {
    let head = cand_key.unwrap_or("HEAD");
    let log = git(
        cand_src,
        &[
            "log",
            "--format=%h%x1f%(trailers:key=Regress-Accept,valueonly,unfold,separator=%x1e)",
            &format!("{base}..{head}"),
        ],
    )
    .map_err(TaskError::run)?;
    let mut out = vec![];
    for line in log.lines() {
        let Some((sha, values)) = line.split_once('\u{1f}') else {
            continue;
        };
        for v in values.split('\u{1e}').map(str::trim).filter(|v| !v.is_empty()) {
            eprintln!("regress: commit {sha} accepts a trade-off: {v}");
            out.push(format!("{v} (commit {sha})"));
        }
    }
    Ok(out)
}

/// The candidate's exact counts against the committed record.
fn record_check(run_dir: &Path) -> Result<(), TaskError> {
    eprintln!("\nregress: exact op counts and bytes against the committed record reports/baselines/current");
    status_of(
        &mut perf_bin(&[
            "compare",
            "--baseline",
            "reports/baselines/current",
            "--current",
            &run_dir.to_string_lossy(),
            "--no-time",
        ]),
        "the record check",
    )
    .map_err(|e| {
        if e.code == 1 {
            TaskError::run(
                "op counts or bytes differ from the committed record reports/baselines/current: if the protocol \
                 changed on purpose, run `cargo xtask regress --save` and say why in reports/baselines/CHANGES.md"
                    .into(),
            )
        } else {
            e
        }
    })
}

fn exact_only(why: &str, gmp: bool) -> Result<(), TaskError> {
    eprintln!(
        "regress: {why} (a shallow clone?): no A/B comparison; checking exact op counts and bytes against the \
         committed record only (fetch the history, e.g. `git fetch --unshallow`, for the A/B check)"
    );
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root())
        .args(["build", "--release", "-p", "dsmpc-bench", "--bin", "dsmpc-sweep"]);
    if gmp {
        cmd.args(["--features", "gmp"]);
    }
    run(&mut cmd).map_err(TaskError::run)?;
    let out = root().join("target/regress/exact");
    time_run(
        &root().join("target/release/dsmpc-sweep"),
        &root().join("reports/baselines/grid.toml"),
        &out,
    )
    .map_err(TaskError::run)?;
    record_check(&out)
}

/// `cargo xtask regress --save`: a new committed record.
fn save(args: &[String]) -> Result<(), TaskError> {
    if let Some(other) = args.iter().find(|a| *a != "--save") {
        return Err(TaskError::usage(format!(
            "regress --save takes no other option, got {other:?}"
        )));
    }
    let gmp = gmp_or_warn();
    let dir = PathBuf::from("target/regress/last");
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = crate::tasks::sweep_cmd(gmp);
    cmd.args(["--grid", "reports/baselines/grid.toml", "--jobs", "1", "--out"])
        .arg(&dir);
    run(&mut cmd).map_err(TaskError::run)?;
    let mut cmd = perf_bin(&["save-baseline", "--from"]);
    cmd.arg(&dir).arg("--to").arg("reports/baselines/current");
    run(&mut cmd).map_err(TaskError::run)
}
