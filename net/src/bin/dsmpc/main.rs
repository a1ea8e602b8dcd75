//! `dsmpc`: run one D-SMPC session, or print the shipped group parameters.
//!
//! `dsmpc run` prints the plaintext and reconstructed sum and average, the per-phase table and
//! the bytes per message kind, writes the JSON Lines log if asked, and exits 0 only when the
//! reconstruction matches. `dsmpc params` prints p, q, g, h of a group. Exit codes: 0 success,
//! 1 the run failed or the result did not match (a protocol outcome such as too few CPs
//! selected, whatever caused it), 2 bad command line or input (sizes beyond the limits, a bad
//! values file, a log target that is not a new or writable regular file: all checked before
//! the run, leaving nothing written), 130 / 143 a run stopped by SIGINT / SIGTERM (its hosts,
//! namespaces and deployment removed). A closed standard output or error ends any command
//! with exit 1, never a panic.
//!
//! `--inject KIND` (repeatable) makes parties misbehave (see `dsmpc_roles::adversary`); the output
//! then lists what was detected and which DPs were excluded, and the exit code is 0 exactly
//! when the result equals the plaintext sum over the DPs aggregated.

use std::io::Write;
use std::process::ExitCode;

/// Standard output that ends the process quietly when it cannot be written (a closed pipe: the
/// reader, or the controller of a host, went away) instead of panicking as `println!` does.
/// Exit 1: nobody got the result.
fn out(args: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    if o.write_fmt(args).and_then(|()| o.flush()).is_err() {
        std::process::exit(1);
    }
}

/// Standard error, likewise: a host whose controller closed its stderr ends quietly.
fn err_out(args: std::fmt::Arguments<'_>) {
    let mut e = std::io::stderr().lock();
    if e.write_fmt(args).is_err() {
        std::process::exit(1);
    }
}

// Every `println!`, `print!` and `eprintln!` of this binary goes through `out` / `err_out` (these
// definitions shadow the standard macros here).
macro_rules! println {
    () => { $crate::out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::out(format_args!("{}\n", format_args!($($t)*))) };
}
macro_rules! print {
    ($($t:tt)*) => { $crate::out(format_args!($($t)*)) };
}
macro_rules! eprintln {
    ($($t:tt)*) => { $crate::err_out(format_args!("{}\n", format_args!($($t)*))) };
}

mod args;
mod logged;
mod node;
mod params;
mod print;
mod run;

use clap::Parser;

use args::{Cli, Command, DeployCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Params(a) => params::params(a),
        Command::Deploy(DeployCommand::Init(a)) => node::deploy_init(a),
        Command::Node(a) => node::node(a),
    };
    // A run stopped by SIGINT or SIGTERM (it removed what it made) exits 128 + the signal.
    if let Some(sig) = dsmpc_net::process::caught_signal() {
        if let Err(e) = &result {
            eprintln!("error: {e}");
        }
        return ExitCode::from(128 + sig as u8);
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}
