//! `cargo xtask`: the project's automation, in Rust (the cargo-xtask convention: an alias in
//! `.cargo/config.toml` runs this binary). It changes to the workspace root, then runs one task:
//!
//! - `test`: the test suite, with the GMP backend when the system GMP is usable (README);
//! - `sweep`: a parameter sweep to CSV, then its figures and report (README's main job);
//! - `figures`, `report`: redraw from an existing sweep folder;
//! - `regress`: run the fixed regression grid and compare it with the committed baseline.
//!
//! Heavy work happens in the crates it calls (`dsmpc-bench`, `dsmpc-reports`); this crate
//! only spawns cargo with the right features, so it has no dependencies.

mod gmp;
mod tasks;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <task> [options]

Tasks:
  test [ARGS..]           run the whole test suite (both backends when the system GMP is usable);
                          extra ARGS go to `cargo test`
  sweep [OPTIONS]         run a parameter sweep (default: the `quick` preset) into results/<time>/,
                          then draw its figures and write its report; see `cargo xtask sweep --help`
  figures --from DIR      (re)draw the figures of a sweep folder into DIR/figures
  report --from DIR       (re)write DIR/report.md
  regress [--save] [--no-time] [--time-threshold F]
                          run the fixed regression grid and compare with reports/baselines/;
                          --save writes a new baseline instead
  help                    this text

Environment:
  DSMPC_GMP=0|1           force the GMP backend off or on (default: detected)
";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = tasks::to_project_root() {
        eprintln!("xtask: {e}");
        return ExitCode::from(2);
    }
    if args.is_empty() {
        eprint!("{HELP}");
        return ExitCode::from(2);
    }
    let task = args.remove(0);
    let result = match task.as_str() {
        "test" => tasks::test(&args),
        "sweep" => tasks::sweep(&args),
        "figures" => tasks::reports_cmd("figures", &args),
        "report" => tasks::reports_cmd("report", &args),
        "regress" => tasks::regress(&args),
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown task {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::from(1)
        }
    }
}
