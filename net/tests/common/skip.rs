//! Tests that cannot run on this machine (network namespaces without root or iproute2, callgrind
//! without valgrind) pass without running; [`skipped`] makes that visible. It prints the test and
//! the reason, and when `DSMPC_SKIP_LOG` names a file (`cargo xtask test` sets it) appends one
//! line `TEST<tab>REASON` to it, which the test command counts and lists in its summary.

use std::io::Write;

/// The environment variable naming the file skipped tests append to.
pub const SKIP_LOG: &str = "DSMPC_SKIP_LOG";

/// Records that `test` did not run here, and why.
pub fn skipped(test: &str, reason: &str) {
    let one_line = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    eprintln!("SKIPPED {test}: {reason}");
    let Some(path) = std::env::var_os(SKIP_LOG) else {
        return;
    };
    let line = format!("{}\t{}\n", one_line(test), one_line(reason));
    // One write of one short line to a file opened for appending: lines of tests running at the
    // same time do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        panic!(
            "{test} skipped, but cannot record it in {} ({SKIP_LOG}): {e}; unset {SKIP_LOG} or make the file writable",
            std::path::Path::new(&path).display()
        );
    }
}
