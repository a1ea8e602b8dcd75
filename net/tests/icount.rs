//! Instruction counts per phase are deterministic: two callgrind runs of the same `dsmpc`
//! binary with the same seed count exactly the same instructions in every phase. This is what
//! lets `cargo xtask regress` judge instruction counts with a 1% threshold; a phase whose
//! count moved between runs (iteration in a random hash order, the clock, OS randomness)
//! fails here and names the phase.
//!
//! Skipped where valgrind is not installed, and recorded as skipped (`common::skip`), which
//! `cargo xtask test` counts.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use common::cli::SMALL;
use dsmpc_schema::callgrind;

/// Instructions per phase of one callgrind run of `dsmpc run` (dumps `dsmpc-phase:<phase>`).
fn count(dir: &Path, verify: &str) -> BTreeMap<String, u64> {
    std::fs::create_dir_all(dir).unwrap();
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--dump-instr=no",
            "--dump-line=no",
            "--log-file=/dev/null",
        ])
        .arg(format!("--callgrind-out-file={}/callgrind.out.%p", dir.display()))
        .arg(env!("CARGO_BIN_EXE_dsmpc"))
        .args(["run", "--dps", "4", "--cps", "3", "-t", "2"])
        .args(SMALL)
        .args(["--threads", "1", "--seed", "7", "--verify", verify])
        .env("DSMPC_KEY_CACHE", "off")
        .stdout(Stdio::null())
        .status()
        .expect("valgrind runs");
    assert!(status.success(), "dsmpc under callgrind failed: {status}");
    let mut dumps = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        dumps.push(callgrind::parse_dump(&text).unwrap());
    }
    callgrind::phase_sums(&dumps)
        .into_iter()
        .map(|(phase, s)| (phase, s.instructions))
        .collect()
}

#[test]
fn two_counts_of_the_same_binary_are_equal() {
    let have = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        return common::skip::skipped(
            concat!(module_path!(), "::two_counts_of_the_same_binary_are_equal"),
            "valgrind is not installed",
        );
    }
    let tmp = std::env::temp_dir().join(format!("dsmpc-icount-test-{}", std::process::id()));
    // vss runs every phase (dp_set_agreement included); about a minute with num, less with gmp.
    for verify in ["vss"] {
        let a = count(&tmp.join(format!("{verify}-a")), verify);
        let b = count(&tmp.join(format!("{verify}-b")), verify);
        assert!(a.len() >= 8, "{verify}: too few phases counted: {a:?}");
        assert!(a.values().all(|v| *v > 0));
        for (phase, x) in &a {
            assert_eq!(
                Some(x),
                b.get(phase),
                "{verify}: {phase} counted {x} then {:?}",
                b.get(phase)
            );
        }
        assert_eq!(a.len(), b.len());
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
