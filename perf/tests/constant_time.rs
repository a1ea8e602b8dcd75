//! Constant-time evidence: the instructions of a secret-dependent group operation (Schnorr
//! groups on the gmp backend, ristretto255), counted by callgrind, do not depend on the secret. Each operation runs in `dsmpc-ct-probe` once per
//! secret (0, 1, 2, 0xffff, q-1, all ones, alternating bits, low and high Hamming weight,
//! random), and callgrind counts only the probe's measured function
//! (`--toggle-collect=dsmpc_ct_probe_measured`): the counts must be equal.
//!
//! The one exception is the zero scalar, whose result is the identity: the identity's
//! conversion back to a GMP integer is shorter (and a secret exponentiation by zero returns at
//! once), so zero's count is shown but not compared. A uniformly random secret is zero with
//! probability 1/q (2^-256).
//!
//! Controls that the harness can fail: the variable-time paths (`vartime_mul_h`,
//! `vartime_mul`) and the num backend, which is documented as not constant-time, must count
//! differently for different secrets.
//!
//! Instruction counts say nothing of cache timing (which addresses are read): the tables are
//! read in full for every digit by construction (`core/src/group/schnorr/table.rs`), which this
//! test does not see. Skipped where valgrind is not installed, and recorded as skipped, which
//! `cargo xtask test` counts (a failure under `CI=true`).

#[path = "../../net/tests/common/skip.rs"]
mod skip;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use dsmpc_schema::callgrind;

/// The secrets every operation runs on (the probe's names); `zero` first.
const SECRETS: [&str; 11] = [
    "zero",
    "one",
    "two",
    "small",
    "q-1",
    "ones",
    "alternating",
    "low-hw",
    "high-hw",
    "random:11",
    "random:12",
];

/// Whether valgrind runs here; records the skip of `test` when not.
fn valgrind_or_skip(test: &str) -> bool {
    let have = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        skip::skipped(test, "valgrind is not installed");
    }
    have
}

/// The instructions callgrind counts in the probe's measured function for one run.
fn count(dir: &Path, group: &str, backend: &str, op: &str, secret: &str) -> u64 {
    let out = dir.join(format!("{group}-{backend}-{op}-{}.out", secret.replace(':', "_")));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--toggle-collect=dsmpc_ct_probe_measured",
            "--dump-instr=no",
            "--log-file=/dev/null",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(env!("CARGO_BIN_EXE_dsmpc-ct-probe"))
        .args(["--group", group, "--backend", backend, op, secret])
        .stdout(Stdio::null())
        .status()
        .expect("valgrind runs");
    assert!(
        status.success(),
        "{group} {backend} {op} {secret} under callgrind: {status}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    callgrind::parse_dump(&text).unwrap().instructions
}

/// `(secret, instructions)` for every secret of [`SECRETS`].
fn counts(group: &str, backend: &str, op: &str) -> Vec<(&'static str, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let got: Vec<_> = SECRETS
        .iter()
        .map(|s| (*s, count(dir.path(), group, backend, op, s)))
        .collect();
    eprintln!("{group} {backend} {op}: {got:?}");
    got
}

/// The distinct counts of the non-zero secrets.
fn distinct(counts: &[(&str, u64)]) -> BTreeSet<u64> {
    counts.iter().filter(|(s, _)| *s != "zero").map(|(_, n)| *n).collect()
}

/// Asserts that every non-zero secret counts the same, and that the count is not trivial.
#[cfg_attr(not(feature = "gmp"), allow(dead_code))]
fn assert_constant(group: &str, backend: &str, op: &str) {
    let got = counts(group, backend, op);
    let d = distinct(&got);
    assert_eq!(
        d.len(),
        1,
        "{group} {backend} {op}: the count depends on the secret: {got:?}"
    );
    assert!(
        d.iter().all(|n| *n > 1000),
        "{group} {backend} {op}: nothing counted: {got:?}"
    );
}

/// Asserts that the secrets count differently: the harness sees a variable-time path.
fn assert_varies(group: &str, backend: &str, op: &str) {
    let got = counts(group, backend, op);
    assert!(
        distinct(&got).len() >= 3,
        "{group} {backend} {op}: a variable-time path counted the same for (nearly) every secret: {got:?}"
    );
}

/// The fixed-base tables and the secret exponentiation of the Schnorr groups, on the backend
/// documented as constant-time for them (gmp: AWS-LC's Montgomery multiplication and
/// `BN_mod_exp_mont_consttime`).
#[cfg(feature = "gmp")]
#[test]
fn schnorr_secret_paths_count_the_same_for_every_secret_on_gmp() {
    if !valgrind_or_skip(concat!(
        module_path!(),
        "::schnorr_secret_paths_count_the_same_for_every_secret_on_gmp"
    )) {
        return;
    }
    for op in ["mul_g", "mul_h", "mul_table", "commit", "mul_secret"] {
        assert_constant("schnorr-1024", "gmp", op);
    }
    for op in ["mul_g", "mul_secret"] {
        assert_constant("schnorr-2048", "gmp", op);
    }
}

/// ristretto255's secret paths (curve25519-dalek's constant-time multiplication and tables),
/// with scalars from the gmp backend, whose conversion to bytes reads a fixed number of limbs.
#[cfg(feature = "gmp")]
#[test]
fn ristretto255_secret_paths_count_the_same_for_every_secret_on_gmp() {
    if !valgrind_or_skip(concat!(
        module_path!(),
        "::ristretto255_secret_paths_count_the_same_for_every_secret_on_gmp"
    )) {
        return;
    }
    for op in ["mul_g", "mul_h", "mul_table", "commit", "mul_secret"] {
        assert_constant("ristretto255", "gmp", op);
    }
}

/// ristretto255 with num scalars: curve25519-dalek's multiplication is the same, but the
/// conversion of a num-bigint to the scalar's bytes reads the digits num-bigint keeps (no
/// leading zero digits), so it grows with the number of 64-bit digits by a few instructions (9
/// between one digit and four when measured; a uniformly random scalar below l has fewer than
/// four with probability 2^-60). Shown, and held to that: a spread of at most 100 instructions.
#[test]
fn ristretto255_on_num_varies_only_in_the_scalar_conversion() {
    if !valgrind_or_skip(concat!(
        module_path!(),
        "::ristretto255_on_num_varies_only_in_the_scalar_conversion"
    )) {
        return;
    }
    for op in ["mul_g", "mul_secret"] {
        let got = counts("ristretto255", "num", op);
        let d = distinct(&got);
        let (lo, hi) = (*d.first().unwrap(), *d.last().unwrap());
        assert!(
            hi - lo <= 100,
            "ristretto255 num {op}: a spread of {} instructions: {got:?}",
            hi - lo
        );
    }
}

/// Without the gmp feature there is no constant-time Schnorr backend to check: recorded as a
/// skip (`cargo xtask test` builds with every feature where libgmp is installed).
#[cfg(not(feature = "gmp"))]
#[test]
fn schnorr_secret_paths_count_the_same_for_every_secret_on_gmp() {
    skip::skipped(
        concat!(
            module_path!(),
            "::schnorr_secret_paths_count_the_same_for_every_secret_on_gmp"
        ),
        "built without the gmp feature (the constant-time Schnorr backend)",
    );
}

/// The controls: the variable-time paths, and the num backend's tables and exponentiation
/// (documented as not constant-time), count differently for different secrets.
#[test]
fn the_harness_sees_variable_time_paths() {
    if !valgrind_or_skip(concat!(module_path!(), "::the_harness_sees_variable_time_paths")) {
        return;
    }
    for op in ["vartime_mul_h", "vartime_mul", "mul_g", "mul_secret"] {
        assert_varies("schnorr-1024", "num", op);
    }
    #[cfg(feature = "gmp")]
    for op in ["vartime_mul_h", "vartime_mul"] {
        assert_varies("schnorr-1024", "gmp", op);
    }
    assert_varies("ristretto255", "num", "vartime_mul");
}
