//! The `dsmpc-reports` command: figures, report, regression comparison and baseline saving
//! for a sweep folder written by `dsmpc-bench`. A thin layer over the library; exit status
//! 0 on success, 1 when `compare` finds a regression, 2 on unreadable input or bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dsmpc_reports::ab;
use dsmpc_reports::regress::{self, CompareOptions};
use dsmpc_reports::{figures, history, icount_model, report};

/// Figures, report and regression checks for D-SMPC sweeps.
///
/// Every command reads a sweep folder written by dsmpc-bench (phases.csv, messages.csv,
/// units.csv, meta.json); nothing is re-run.
#[derive(Parser, Debug)]
#[command(name = "dsmpc-reports", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Draw every figure as SVG and PNG into DIR/figures/.
    ///
    /// Figures whose axis does not vary in the data (e.g. a sweep with a single n) are
    /// skipped with a note.
    Figures {
        /// Sweep folder.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Write DIR/report.md (draws the figures first unless --no-figures).
    Report {
        /// Sweep folder.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Do not draw figures; embed only those already in DIR/figures/.
        #[arg(long)]
        no_figures: bool,
    },
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

fn run(cli: Cli) -> dsmpc_reports::Result<ExitCode> {
    match cli.command {
        Command::Figures { from } => {
            for f in figures::render_all(&from)? {
                println!("wrote {}", f.display());
            }
        }
        Command::Report { from, no_figures } => {
            if !no_figures {
                for f in figures::render_all(&from)? {
                    println!("wrote {}", f.display());
                }
            }
            println!("wrote {}", report::write_report(&from)?.display());
        }
        Command::Compare {
            baseline,
            current,
            time_threshold,
            no_time,
            allow_missing,
        } => {
            if !(time_threshold.is_finite() && time_threshold >= 0.0) {
                eprintln!("error: --time-threshold must be a non-negative number, got {time_threshold}");
                return Ok(ExitCode::from(2));
            }
            let opts = CompareOptions {
                time_threshold,
                check_time: !no_time,
                allow_missing,
                ..CompareOptions::default()
            };
            let cmp = regress::compare(&baseline, &current, &opts)?;
            println!("{cmp}");
            return Ok(if cmp.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::Ab {
            dir,
            time_threshold,
            icount_threshold,
            accept,
        } => {
            for (name, v) in [
                ("--time-threshold", time_threshold),
                ("--icount-threshold", icount_threshold),
            ] {
                if !(v.is_finite() && v >= 0.0) {
                    eprintln!("error: {name} must be a non-negative number, got {v}");
                    return Ok(ExitCode::from(2));
                }
            }
            let mut accepted = vec![];
            for text in &accept {
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
            let j = ab::judge(&dir, &opts)?;
            let csv = dir.join("verdicts.csv");
            std::fs::write(&csv, j.to_csv()).map_err(|e| dsmpc_reports::Error::Io {
                path: csv.clone(),
                source: e,
            })?;
            println!("{j}");
            return Ok(if j.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::History { revisions, out } => {
            let h = history::History::load(&revisions)?;
            for r in &h.revisions {
                let status = if r.measured { "measured" } else { "skipped " };
                let note = if r.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.note)
                };
                println!("{} {} {status} {}{note}", r.short(), r.date, r.subject);
            }
            std::fs::create_dir_all(&out).map_err(|e| dsmpc_reports::Error::Io {
                path: out.clone(),
                source: e,
            })?;
            let csv = out.join("history.csv");
            std::fs::write(&csv, h.to_csv()).map_err(|e| dsmpc_reports::Error::Io {
                path: csv.clone(),
                source: e,
            })?;
            println!("wrote {}", csv.display());
            let files = figures::render_history(&h, &out.join("figures"))?;
            if files.is_empty() {
                println!("no figure: no revision was measured");
            }
            for f in files {
                println!("wrote {}", f.display());
            }
        }
        Command::IcountModel { from, limit } => {
            if !(limit.is_finite() && limit > 0.0) {
                eprintln!("error: --limit must be a positive number, got {limit}");
                return Ok(ExitCode::from(2));
            }
            let m = icount_model::load(&from)?;
            println!("{m}");
            for (name, text) in [("icount-model.csv", m.to_csv()), ("icount-units.csv", m.units_csv())] {
                let path = from.join(name);
                std::fs::write(&path, text).map_err(|e| dsmpc_reports::Error::Io {
                    path: path.clone(),
                    source: e,
                })?;
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
        }
        Command::SaveBaseline { from, to } => {
            for f in regress::save_baseline(&from, &to)? {
                println!("wrote {}", f.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
