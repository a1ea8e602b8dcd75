//! `cargo xtask`: the project's automation, in Rust (the cargo-xtask convention: an alias in
//! `.cargo/config.toml` runs this binary). It changes to the workspace root, then runs one task:
//!
//! - `test`: the test suite, with the GMP backend when the system GMP is usable (README);
//! - `sweep`: a parameter sweep to CSV, then its figures and report (README's main job); with
//!   `--slurm`, the same sweep as a Slurm job array of shards plus a dependent merge job;
//! - `merge`: check and join the shards of a sweep, then its figures and report;
//! - `figures`, `report`: redraw from an existing sweep folder;
//! - `regress`: A/B regression check of the work tree against a git revision built and run on
//!   the same machine (instructions, CPU time, exact counts);
//! - `regress-validate`: check that `regress` catches real slowdowns, committed as patches in a
//!   scratch worktree;
//! - `icount-model`: the cost model in instructions (callgrind), per phase;
//! - `history`: measure a range or list of revisions on this machine (instructions and CPU time
//!   per phase, cached per host and revision) and draw a trend figure per phase.
//!
//! Heavy work happens in the crates it calls (`dsmpc-bench`, `dsmpc-reports`); this crate
//! only spawns cargo with the right features, so it has no dependencies.

mod args;
mod gmp;
mod history;
mod icount_model;
mod regress;
mod skips;
mod slurm;
mod tasks;
mod tools;
mod validate;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <task> [options]

Tasks:
  test [ARGS..]           run the whole test suite (both backends when the system GMP is usable);
                          extra ARGS go to `cargo test`; ends with `skipped: N` and the tests that
                          could not run here (netns without root or iproute2, callgrind without
                          valgrind), and fails on any of those when CI=true
  sweep [OPTIONS]         run a parameter sweep (default: the `quick` preset) into results/<time>/,
                          then draw its figures and write its report; see `cargo xtask sweep --help`
  merge DIR [--allow-partial]
                          check that every shard of a sharded sweep (DIR/shard-I-of-N/) is there and
                          that all came from the same grid, seed and revision, join them into DIR,
                          then draw the figures and write the report; see `cargo xtask merge --help`
  figures --from DIR      (re)draw the figures of a sweep folder into DIR/figures
  report --from DIR       (re)write DIR/report.md
  regress [--base REV] [OPTIONS]
                          A/B check of the work tree against revision REV (default HEAD when the
                          work tree has changes, else HEAD~1), both built and run here, interleaved:
                          instructions (callgrind) and CPU time per phase, exact op counts and bytes;
                          see `cargo xtask regress --help`; --save writes the committed record
  regress-validate        commit real slowdowns (15% CPU in each of the three largest phases, 3%
                          instructions in one) in a scratch worktree and check that regress flags
                          that phase and no other; see `cargo xtask regress-validate --help`
  history REV..REV | REV [REV ..] [OPTIONS]
                          measure each revision here in one run (instructions by callgrind and CPU
                          time per phase; builds and measurements cached per host and revision in
                          target/dsmpc-history/<host>/<sha>/), write revisions.csv and history.csv
                          and draw a trend figure per phase (SVG, PNG); A..B includes A; revisions
                          without the regression grid are skipped; see `cargo xtask history --help`
  icount-model [OPTIONS]  the cost model in instructions: each phase's instructions (callgrind) against
                          its counted operations priced by calibration loops of the same run; prints
                          the ratio per phase and fails above --limit (default 1.10); see
                          `cargo xtask icount-model --help`
  help                    this text

Sharded sweeps: `cargo xtask sweep --shard I/N --out DIR` runs shard I of N (1-based) into
DIR/shard-I-of-N/ on any machine that shares DIR; `--shard auto` reads a Slurm array task or a
Kubernetes Indexed Job index. Then `cargo xtask merge DIR`.

{SLURM}
Environment:
  DSMPC_GMP=0|1           force the GMP backend off or on (default: detected)
  CI=true                 `test` fails when a test could not run here
";

/// Why a task failed, and its exit status: 2 for bad input (usage, refused shards), 1 when
/// something it ran failed.
#[derive(Debug)]
pub struct TaskError {
    /// Exit status.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

impl TaskError {
    /// Bad input: exit status 2.
    pub fn usage(message: String) -> Self {
        TaskError { code: 2, message }
    }
    /// A step failed: exit status 1.
    pub fn run(message: String) -> Self {
        TaskError { code: 1, message }
    }
}

impl From<String> for TaskError {
    fn from(message: String) -> Self {
        TaskError::run(message)
    }
}

fn help() -> String {
    HELP.replace("{SLURM}", slurm::HELP)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = tasks::to_project_root() {
        eprintln!("xtask: {e}");
        return ExitCode::from(2);
    }
    if args.is_empty() {
        eprint!("{}", help());
        return ExitCode::from(2);
    }
    let task = args.remove(0);
    let result = match task.as_str() {
        "test" => tasks::test(&args).map_err(TaskError::from),
        "sweep" if slurm::wanted(&args) => slurm::sweep(&args),
        "sweep" => tasks::sweep(&args, slurm::HELP),
        "merge" => tasks::merge(&args),
        "figures" => tasks::reports_cmd("figures", &args).map_err(TaskError::from),
        "report" => tasks::reports_cmd("report", &args).map_err(TaskError::from),
        "regress" => regress::regress(&args),
        "regress-validate" => validate::validate(&args),
        "history" => history::history(&args),
        "icount-model" => icount_model::icount_model(&args),
        "help" | "-h" | "--help" => {
            print!("{}", help());
            Ok(())
        }
        other => Err(TaskError::usage(format!("unknown task {other:?}\n\n{}", help()))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
