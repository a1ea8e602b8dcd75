//! `dsmpc-merge`: check and join the shards of a sweep (`dsmpc-sweep --shard I/N --out DIR`)
//! into DIR, as one unsharded sweep would have written it (normally through
//! `cargo xtask merge DIR`, which also draws the figures and writes the report).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dsmpc_bench::merge::{self, MergeOptions};

#[derive(Parser)]
#[command(
    name = "dsmpc-merge",
    version,
    about = "Check and join the shards of a sweep (DIR/shard-I-of-N/) into DIR",
    long_about = "Check and join the shards of a sweep (DIR/shard-I-of-N/, written by `dsmpc-sweep --shard I/N --out DIR`) into DIR.

Every shard 1..N must be there, finished and without failed points, and all must come from the \
same grid, seed, repetitions, crate version and git revision; otherwise the merge stops and names \
the shard and what is wrong (exit status 2). The merged phases.csv, messages.csv and units.csv list \
the points in grid order, as an unsharded run with --jobs 1 writes them; meta.json records every \
shard's host, start and end (key `shards`). Draw the figures and report with \
`dsmpc-reports report --from DIR` (`cargo xtask merge DIR` does both)."
)]
struct Cli {
    /// The sweep folder holding the shard folders.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Merge what exists even when shards are missing, unfinished or have failed points; the
    /// missing points are listed in meta.json and in the report's notes.
    #[arg(long)]
    allow_partial: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let opts = MergeOptions {
        allow_partial: cli.allow_partial,
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
    };
    match merge::merge(&cli.dir, &opts) {
        Ok(s) => {
            for p in &s.problems {
                eprintln!("warning: {p}");
            }
            for p in &s.missing_points {
                eprintln!("missing: {p}");
            }
            eprintln!(
                "merged {} of {} points from {} of {} shards (hosts: {}) into {}",
                s.points,
                s.grid_points,
                s.merged_shards.len(),
                s.shards,
                s.hosts.join(", "),
                cli.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
