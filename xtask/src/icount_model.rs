//! `cargo xtask icount-model`: the cost model in instructions. Builds `dsmpc-sweep` from the
//! work tree, runs a grid under valgrind's callgrind with one job and one session thread (so
//! that dumps follow the run's order), then `dsmpc-perf icount-model` sets each phase's
//! instructions against `Σ count(op) × instructions per op` measured by the calibration loops
//! in the same run. See `perf/src/icount_model.rs` for the labels and what the ratio means.

use std::path::PathBuf;

use crate::TaskError;
use crate::tools::{build_sweep, perf_bin, root, start_icount, status_of, valgrind_available};

pub const HELP: &str = "\
cargo xtask icount-model [OPTIONS]

Counts, under valgrind's callgrind, the instructions of every phase of every point of a grid and
of the cost model's calibration loops in the same run, and prints per phase the ratio
instructions / (sum over the phase's counted operations of count x instructions per operation).
Unlike the time-based overhead in phases.csv, the ratio does not move with cold caches, the other
hyperthread's load or clock drift: it is what the code executes beyond the operations the model
prices. valgrind hides AVX-512, ADX and SHA, so AWS-LC and GMP run their generic paths under it;
the ratio compares like with like.

Options:
  --grid FILE     the grid (default bench/grids/icount-model.toml: paper/batch/vss x both providers
                  at n = 20, k = 5, t = 3; RSA-2048/P-256 with group-2048 on both backends, and
                  P-256/X25519 with ristretto255: 36 points, about 8 minutes)
  --out DIR       the output folder (default target/icount-model, replaced): sweep/ (the sweep's
                  CSVs), dumps.csv, icount-model.csv, icount-units.csv, valgrind.log
  --limit F       exit status 1 when a phase's ratio exceeds F (default 1.10)
  --keep-dumps    keep the raw callgrind files in DIR/cg/ (deleted by default; dumps.csv keeps
                  each dump's label and count)

Exit status: 0 every phase within the limit, 1 a phase above it or a step failed, 2 bad input.
Needs valgrind (Debian: apt-get install valgrind).
";

struct Options {
    grid: PathBuf,
    out: PathBuf,
    limit: String,
    keep_dumps: bool,
}

fn parse(args: &[String]) -> Result<Options, TaskError> {
    let mut o = Options {
        grid: PathBuf::from("bench/grids/icount-model.toml"),
        out: PathBuf::from("target/icount-model"),
        limit: "1.10".into(),
        keep_dumps: false,
    };
    let bad = |m: String| TaskError::usage(format!("{m}\n\n{HELP}"));
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| bad(format!("{name} needs a value")));
        match a.as_str() {
            "--grid" => o.grid = PathBuf::from(value("--grid")?),
            "--out" => o.out = PathBuf::from(value("--out")?),
            "--limit" => {
                let v = value("--limit")?;
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && x > 0.0 => o.limit = v,
                    _ => return Err(bad(format!("--limit: not a positive number: {v:?}"))),
                }
            }
            "--keep-dumps" => o.keep_dumps = true,
            "-h" | "--help" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            other => return Err(bad(format!("icount-model: unknown option {other:?}"))),
        }
    }
    if !o.grid.is_file() {
        return Err(TaskError::usage(format!(
            "--grid: {} is not a file (give a grid TOML as in bench/grids/)",
            o.grid.display()
        )));
    }
    Ok(o)
}

/// `cargo xtask icount-model`.
pub fn icount_model(args: &[String]) -> Result<(), TaskError> {
    let o = parse(args)?;
    if !valgrind_available() {
        return Err(TaskError::run(
            "valgrind is not installed (Debian: apt-get install valgrind)".into(),
        ));
    }
    let gmp = crate::gmp::available();
    if !gmp {
        eprintln!("note: {}", crate::gmp::HOW_TO_ENABLE);
    }
    let bin = build_sweep(&root(), "worktree", false, gmp)?;
    let out = root().join(&o.out);
    // The regression check's callgrind run: one job, one session thread, into out/cg and
    // out/sweep, the log in out/valgrind.log.
    let status = start_icount(&bin, &o.grid, &out)?
        .wait()
        .map_err(|e| format!("valgrind: {e}"))?;
    if !status.success() {
        return Err(TaskError::run(format!(
            "the callgrind run failed ({status}); see {}",
            out.join("valgrind.log").display()
        )));
    }
    let out_s = out.to_string_lossy().into_owned();
    let result = status_of(
        &mut perf_bin(&["icount-model", "--from", &out_s, "--limit", &o.limit]),
        "dsmpc-perf icount-model",
    );
    // dumps.csv holds every dump's label and count once the model has read them.
    if !o.keep_dumps && out.join("dumps.csv").is_file() {
        let _ = std::fs::remove_dir_all(out.join("cg"));
    }
    result
}
