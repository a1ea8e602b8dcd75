//! Helpers for the tests that run the `dsmpc` binary: the binary, the small configuration
//! they run it with, seeds, scratch folders, and the check that a run succeeded.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The small, fast configuration of the CLI tests: RSA-1024 with the `rustcrypto` provider
/// (the only one that offers it), the weak 1024-bit group and the `num` backend.
pub const SMALL: [&str; 8] = [
    "--rsa-bits",
    "1024",
    "--provider",
    "rustcrypto",
    "--group-bits",
    "1024",
    "--backend",
    "num",
];

/// The `dsmpc` binary of this build.
pub fn dsmpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dsmpc"))
}

/// `dsmpc run` with `dps` DPs, `cps` candidate CPs and threshold `t`, in the [`SMALL`]
/// configuration.
pub fn small_run(dps: u32, cps: u32, t: u32) -> Command {
    let mut c = dsmpc();
    c.arg("run")
        .args([
            "--dps",
            &dps.to_string(),
            "--cps",
            &cps.to_string(),
            "-t",
            &t.to_string(),
        ])
        .args(SMALL);
    c
}

/// `--seed S`, or nothing: every run that takes a seed is also tried without one (fresh OS
/// randomness, nothing cached).
pub fn seed(s: Option<&'static str>) -> Vec<&'static str> {
    s.map_or_else(Vec::new, |s| vec!["--seed", s])
}

/// A fresh scratch folder `dsmpc-<test>-<pid>-<name>` (emptied if it was there).
pub fn tmp(test: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-{test}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The standard output of a run that must have succeeded; `what` names the run if it did not
/// (the message shows both streams).
pub fn succeeded(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
