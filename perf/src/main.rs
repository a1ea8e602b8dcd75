//! The `dsmpc-perf` command: performance judgement of sweep folders written by `dsmpc-bench`
//! (comparison with a committed record, the A/B judgement of `cargo xtask regress`, the trend
//! of `cargo xtask history`, the cost model in instructions of `cargo xtask icount-model`). A
//! thin layer over the library; exit status 0 on success, 1 when a judgement fails, 2 on
//! unreadable input or bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dsmpc_perf::regress::{self, CompareOptions};
use dsmpc_perf::{ab, figures, history, icount_model};
use dsmpc_reports::{Error, Result};

/// Performance judgement of D-SMPC sweeps: comparison, A/B, history and the cost model in
/// instructions.
///
/// Every command reads sweep folders written by dsmpc-bench (phases.csv, messages.csv,
/// units.csv, meta.json) or the folders `cargo xtask` fills with them; nothing is re-run.
#[derive(Parser, Debug)]
#[command(name = "dsmpc-perf", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compare a sweep with a baseline: counts and bytes exactly, times against measured noise.
    ///
    /// Exit status: 0 when nothing regressed, 1 on an exact mismatch, a missing row or a
    /// judged slowdown, 2 when an input cannot be read.
    Compare {
        /// Baseline folder (see save-baseline).
        #[arg(long, value_name = "BDIR")]
        baseline: PathBuf,
        /// Current sweep folder.
        #[arg(long, value_name = "CDIR")]
        current: PathBuf,
        /// Smallest relative slowdown ever judged (raised automatically when the runs are noisier).
        #[arg(long, value_name = "F", default_value_t = 0.10)]
        time_threshold: f64,
        /// Compare only operation counts and bytes, not times.
        #[arg(long)]
        no_time: bool,
        /// Do not fail when rows of the baseline are absent from the current run.
        #[arg(long)]
        allow_missing: bool,
    },
    /// Judge an A/B folder of `cargo xtask regress` (base and candidate run interleaved on
    /// this machine): instructions and CPU time per phase, exact changes listed.
    ///
    /// Writes DIR/verdicts.csv. Exit status: 0 when no phase is slower, 1 when one is, 2 when
    /// an input cannot be read.
    Ab {
        /// The A/B folder (base/time-I, cand/time-I, base/icount-J, cand/icount-J).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Time threshold T: SLOWER when the median ratio > 1+T and its 95% bootstrap
        /// interval starts above 1+T/2.
        #[arg(long, value_name = "F", default_value_t = 0.10)]
        time_threshold: f64,
        /// Smallest instruction-count threshold (raised to 3x the spread of repeated counts).
        #[arg(long, value_name = "F", default_value_t = 0.01)]
        icount_threshold: f64,
        /// A reviewed trade-off, `instructions PHASE up to RATIO: REASON` (repeatable): the
        /// phase may count up to RATIO x the base's instructions if its CPU time is measured
        /// lower in the same run. `cargo xtask regress` passes the `Regress-Accept:` trailers
        /// of the commits between base and candidate.
        #[arg(long, value_name = "TEXT")]
        accept: Vec<String>,
    },
    /// Trend across commits of `cargo xtask history`: reads its revisions.csv and each
    /// measured revision's runs, writes DIR/history.csv and one figure per phase
    /// (DIR/figures/history-<phase>.svg and .png).
    ///
    /// Exit status: 0 when written, 2 when an input cannot be read.
    History {
        /// The list written by `cargo xtask history`.
        #[arg(long, value_name = "FILE")]
        revisions: PathBuf,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// The cost model in instructions: each phase's instructions against Σ count × unit
    /// instructions, from a callgrind run of dsmpc-sweep (see `cargo xtask icount-model`).
    ///
    /// DIR holds `cg/` (the run's callgrind dumps, or `dumps.csv` written from them by an
    /// earlier call) and `sweep/` (its sweep folder). Writes DIR/dumps.csv,
    /// DIR/icount-model.csv and DIR/icount-units.csv and prints the table. Exit status 1 when
    /// a phase's ratio exceeds --limit, 2 when an input cannot be read.
    IcountModel {
        /// Folder of the callgrind run.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Largest ratio accepted (instructions over bound), e.g. 1.10.
        #[arg(long, value_name = "F", default_value_t = 1.10)]
        limit: f64,
    },
    /// Copy the CSVs and meta.json of a sweep folder into a baseline folder.
    SaveBaseline {
        /// Sweep folder.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Baseline folder (created if needed; files are overwritten).
        #[arg(long, value_name = "BDIR")]
        to: PathBuf,
    },
}

/// `Err` with the message printed and exit status 2 when `value` is not a number >= 0 (> 0
/// with `positive`).
fn check_number(name: &str, value: f64, positive: bool) -> std::result::Result<(), ExitCode> {
    let ok = value.is_finite() && if positive { value > 0.0 } else { value >= 0.0 };
    if ok {
        return Ok(());
    }
    let what = if positive { "a positive" } else { "a non-negative" };
    eprintln!("error: {name} must be {what} number, got {value}");
    Err(ExitCode::from(2))
}

fn pass_or_fail(passed: bool) -> ExitCode {
    if passed { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn write_file(path: &Path, text: String) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn compare(baseline: &Path, current: &Path, opts: CompareOptions) -> Result<ExitCode> {
    if let Err(code) = check_number("--time-threshold", opts.time_threshold, false) {
        return Ok(code);
    }
    let cmp = regress::compare(baseline, current, &opts)?;
    println!("{cmp}");
    Ok(pass_or_fail(cmp.passed()))
}

fn judge_ab(dir: &Path, time_threshold: f64, icount_threshold: f64, accept: &[String]) -> Result<ExitCode> {
    for (name, v) in [
        ("--time-threshold", time_threshold),
        ("--icount-threshold", icount_threshold),
    ] {
        if let Err(code) = check_number(name, v, false) {
            return Ok(code);
        }
    }
    let mut accepted = vec![];
    for text in accept {
        match ab::Acceptance::parse(text) {
            Ok(a) => accepted.push(a),
            Err(e) => {
                eprintln!("error: --accept / Regress-Accept: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let opts = ab::AbOptions {
        time_threshold,
        icount_threshold,
        accept: accepted,
        ..ab::AbOptions::default()
    };
    let j = ab::judge(dir, &opts)?;
    write_file(&dir.join("verdicts.csv"), j.to_csv())?;
    println!("{j}");
    Ok(pass_or_fail(j.passed()))
}

fn history(revisions: &Path, out: &Path) -> Result<ExitCode> {
    let h = history::History::load(revisions)?;
    for r in &h.revisions {
        let status = if r.measured { "measured" } else { "skipped " };
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.note)
        };
        println!("{} {} {status} {}{note}", r.short(), r.date, r.subject);
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let csv = out.join("history.csv");
    write_file(&csv, h.to_csv())?;
    println!("wrote {}", csv.display());
    let files = figures::render_history(&h, &out.join("figures"))?;
    if files.is_empty() {
        println!("no figure: no revision was measured");
    }
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn icount_model(from: &Path, limit: f64) -> Result<ExitCode> {
    if let Err(code) = check_number("--limit", limit, true) {
        return Ok(code);
    }
    let m = icount_model::load(from)?;
    println!("{m}");
    for (name, text) in [("icount-model.csv", m.to_csv()), ("icount-units.csv", m.units_csv())] {
        let path = from.join(name);
        write_file(&path, text)?;
        println!("wrote {}", path.display());
    }
    let above = m.above(limit);
    if !above.is_empty() {
        for r in &above {
            eprintln!(
                "above {limit}: {} at {} (ratio {:.3})",
                r.phase,
                r.point,
                r.ratio.unwrap_or(0.0)
            );
        }
        return Ok(ExitCode::from(1));
    }
    println!("every phase within {limit}x of its instruction bound");
    Ok(ExitCode::SUCCESS)
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Compare {
            baseline,
            current,
            time_threshold,
            no_time,
            allow_missing,
        } => {
            let opts = CompareOptions {
                time_threshold,
                check_time: !no_time,
                allow_missing,
                ..CompareOptions::default()
            };
            compare(&baseline, &current, opts)
        }
        Command::Ab {
            dir,
            time_threshold,
            icount_threshold,
            accept,
        } => judge_ab(&dir, time_threshold, icount_threshold, &accept),
        Command::History { revisions, out } => history(&revisions, &out),
        Command::IcountModel { from, limit } => icount_model(&from, limit),
        Command::SaveBaseline { from, to } => {
            for f in regress::save_baseline(&from, &to)? {
                println!("wrote {}", f.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
