//! The `dsmpc-reports` command: figures and report for a sweep folder written by
//! `dsmpc-bench`. A thin layer over the library; exit status 0 on success, 2 on unreadable
//! input or bad usage. Comparisons and the judgement of performance are `dsmpc-perf`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dsmpc_reports::{figures, report};

/// Figures and report for D-SMPC sweeps.
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
