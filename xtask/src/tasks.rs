//! The tasks: each builds a cargo command line and runs it, echoing it first so a user can
//! run the same thing by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TaskError;
use crate::args;
use crate::gmp;
use crate::skips;

/// Change to the workspace root (the parent of this crate's manifest directory).
pub fn to_project_root() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?;
    std::env::set_current_dir(root).map_err(|e| format!("cannot enter {}: {e}", root.display()))
}

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let shown: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    eprintln!("+ {}", shown.join(" "));
    let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", shown[0]))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", shown.join(" ")))
    }
}

/// [`run`] for a program of ours that exits 2 on bad input: that status is passed on.
fn run_ours(cmd: &mut Command) -> Result<(), TaskError> {
    run_ours_status(cmd, false).map(|_| ())
}

/// As [`run_ours`]; with `one_ok`, exit status 1 (a sweep that ran, some of its points failed)
/// is `Ok(true)` for the caller to handle.
fn run_ours_status(cmd: &mut Command, one_ok: bool) -> Result<bool, TaskError> {
    let shown: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    eprintln!("+ {}", shown.join(" "));
    let status = cmd
        .status()
        .map_err(|e| TaskError::run(format!("cannot run {}: {e}", shown[0])))?;
    match status.code() {
        Some(0) => Ok(false),
        Some(1) if one_ok => Ok(true),
        Some(2) => Err(TaskError::usage(format!(
            "`{}` refused its input (see above)",
            shown.join(" ")
        ))),
        _ => Err(TaskError::run(format!("`{}` failed ({status})", shown.join(" ")))),
    }
}

fn features(gmp: bool) -> Vec<&'static str> {
    if gmp { vec!["--features", "gmp"] } else { vec![] }
}

pub(crate) fn gmp_or_warn() -> bool {
    let ok = gmp::available();
    if !ok {
        eprintln!("note: {}", gmp::HOW_TO_ENABLE);
    }
    ok
}

/// `cargo xtask test`: the tests, then `skipped: N` with the tests that could not run here
/// ([`skips`]); with `CI=true` any of those fails the task.
pub fn test(args: &[String]) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["test", "--workspace"]);
    if gmp_or_warn() {
        cmd.arg("--all-features");
    } else {
        eprintln!("note: testing the num backend only");
    }
    cmd.args(args);
    let log = skips::fresh_log()?;
    cmd.env(skips::SKIP_LOG, &log);
    let ran = run(&mut cmd);
    let skipped = skips::read(&log)?;
    eprintln!("\n{}", skips::summary(&skipped));
    ran?;
    skips::check(&skipped, std::env::var("CI").ok().as_deref())
}

/// `cargo run --quiet --release -p dsmpc-bench --bin BIN`.
fn bench_bin(bin: &str) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--quiet", "--release", "-p", "dsmpc-bench", "--bin", bin]);
    cmd
}

pub(crate) fn sweep_cmd(gmp: bool) -> Command {
    let mut cmd = bench_bin("dsmpc-sweep");
    cmd.args(features(gmp));
    cmd.arg("--");
    cmd
}

fn reports(sub: &str, dir: &Path) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "dsmpc-reports",
        "--",
        sub,
        "--from",
    ]);
    cmd.arg(dir);
    run(&mut cmd)
}

/// `cargo xtask sweep` on this machine (`--slurm` is `crate::slurm::sweep`, chosen in `main`);
/// `own_help` lists the options of the task itself, printed after the sweep's with `--help`.
pub fn sweep(args: &[String], own_help: &str) -> Result<(), TaskError> {
    let help = args.iter().any(|a| a == "--help" || a == "-h");
    let gmp = gmp_or_warn();
    let mut cmd = sweep_cmd(gmp);
    cmd.args(args);
    if help {
        run_ours(&mut cmd)?;
        println!("\nOptions of `cargo xtask sweep` itself:\n\n{own_help}");
        return Ok(());
    }
    if args.iter().any(|a| a == "--list-presets" || a == "--dry-run") {
        return run_ours(&mut cmd);
    }
    if args.iter().any(|a| a == "--shard" || a.starts_with("--shard=")) {
        // One shard: no figures or report of its own (`cargo xtask merge DIR` makes them).
        return run_ours(&mut cmd);
    }
    let given = args::peek(args, "--out")
        .or_else(|| args::peek(args, "--resume"))
        .map(PathBuf::from);
    if grid_has_process_points(gmp, args) {
        build_dsmpc(gmp)?;
    }
    // Exit 1: the sweep ran, but some points failed (listed above); the figures and the report
    // still cover the points that ran, and this task then fails too.
    let points_failed = run_ours_status(&mut cmd, true)?;
    // Without --out the sweep picks results/<UTC time> and points results/latest at it.
    let dir = match given {
        Some(d) => d,
        None => {
            let link = Path::new("results/latest");
            let target = std::fs::read_link(link)
                .map_err(|e| format!("the sweep did not record its folder in {}: {e}", link.display()))?;
            Path::new("results").join(target)
        }
    };
    // `report` draws the figures first, then writes report.md.
    reports("report", &dir)?;
    if points_failed {
        return Err(TaskError::run(format!(
            "some points of the sweep failed (listed above; the same command with `--resume {}` in \
             place of --out runs them again); the figures and report.md cover the points that ran",
            dir.display()
        )));
    }
    eprintln!(
        "\nsweep done: {}/ (phases.csv, messages.csv, sessions.csv, units.csv, meta.json, figures/, report.md)",
        dir.display()
    );
    Ok(())
}

/// Whether the sweep `args` describe has points on the `process` or `netns` network (from its
/// `--dry-run` listing); a grid the sweep refuses says so when it runs for real.
fn grid_has_process_points(gmp: bool, args: &[String]) -> bool {
    let mut dry = sweep_cmd(gmp);
    // stderr shows cargo building dsmpc-sweep (the first time, the longest step).
    dry.args(args).arg("--dry-run").stderr(std::process::Stdio::inherit());
    dry.output().is_ok_and(|o| {
        o.status.success()
            && String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.contains("\tnet process") || l.contains("\tnet netns:"))
    })
}

/// Build the `dsmpc` binary that `process` and `netns` points start as hosts, beside
/// `dsmpc-sweep` in `target/release/` and with the same features.
pub(crate) fn build_dsmpc(gmp: bool) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--quiet", "--release", "-p", "dsmpc-net", "--bin", "dsmpc"]);
    cmd.args(features(gmp));
    run(&mut cmd)
}

/// `cargo xtask merge DIR [--allow-partial]`: check and join the shards, then figures and report.
pub fn merge(args: &[String]) -> Result<(), TaskError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{MERGE_HELP}");
        return Ok(());
    }
    let dir = merge_dir(args)?;
    let mut cmd = bench_bin("dsmpc-merge");
    cmd.arg("--").args(args);
    let shown = "dsmpc-merge".to_string();
    eprintln!(
        "+ cargo run --quiet --release -p dsmpc-bench --bin dsmpc-merge -- {}",
        args.join(" ")
    );
    let status = cmd
        .status()
        .map_err(|e| TaskError::run(format!("cannot run cargo: {e}")))?;
    match status.code() {
        Some(0) => {}
        // dsmpc-merge exits 2 on shards it refuses: bad input, as for any task.
        Some(2) => {
            return Err(TaskError::usage(format!(
                "{shown} stopped: the shards cannot be merged as they are (see above)"
            )));
        }
        _ => return Err(TaskError::run(format!("{shown} failed ({status})"))),
    }
    reports("report", &dir)?;
    eprintln!(
        "\nmerge done: {}/ (phases.csv, messages.csv, sessions.csv, units.csv, meta.json, figures/, report.md)",
        dir.display()
    );
    Ok(())
}

/// The one DIR of `cargo xtask merge DIR [--allow-partial]`; any other option or a second
/// folder is refused.
fn merge_dir(args: &[String]) -> Result<PathBuf, TaskError> {
    let a = args::split(args, &[], &["--allow-partial"]).map_err(TaskError::usage)?;
    if let Some(flag) = a.rest.iter().find(|x| x.starts_with('-')) {
        return Err(TaskError::usage(format!(
            "merge: unknown option {flag:?}\n\n{MERGE_HELP}"
        )));
    }
    match a.rest.as_slice() {
        [d] => Ok(PathBuf::from(d)),
        [] => Err(TaskError::usage(format!(
            "merge: give the sweep folder DIR\n\n{MERGE_HELP}"
        ))),
        [_, d, ..] => Err(TaskError::usage(format!(
            "merge: one DIR only, got another: {d:?}\n\n{MERGE_HELP}"
        ))),
    }
}

/// `cargo xtask merge --help`.
pub const MERGE_HELP: &str = "\
cargo xtask merge DIR [--allow-partial]

Check and join the shards of a sweep (DIR/shard-I-of-N/, from `cargo xtask sweep --shard I/N --out DIR`
or `--slurm`) into DIR, then draw the figures and write DIR/report.md. Every shard must be there, finished
and without failed points, and all must come from the same grid, seed and git revision; otherwise the
merge names the shard and what differs (exit status 2). The merged CSVs list the points in grid order,
as one unsharded run writes them; meta.json records every shard's host, start and end.

  --allow-partial         merge what exists; meta.json and the report's notes list the missing points
";

/// `cargo xtask figures|report --from DIR`.
pub fn reports_cmd(sub: &str, args: &[String]) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--quiet", "--release", "-p", "dsmpc-reports", "--", sub]);
    cmd.args(args);
    run(&mut cmd)
}
