//! The `dsmpc-perf` binary: help text, exit codes of `compare` (0 pass, 1 regression,
//! 2 unreadable input), clear error messages, and a saved baseline that compares equal.

// The fixture helpers of dsmpc-reports, whose fixture sweeps these tests read.
#[path = "../../reports/tests/common/mod.rs"]
mod common;

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsmpc-perf"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn help_lists_commands() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    for c in ["compare", "save-baseline", "ab", "history", "icount-model"] {
        assert!(out.contains(c), "{out}");
    }
    let (out, _) = text(&run(&["compare", "--help"]));
    assert!(out.contains("--time-threshold") && out.contains("--no-time") && out.contains("Exit status"));
}

#[test]
fn compare_exit_codes() {
    let fx = common::sweep();
    let fx = fx.to_str().unwrap();
    let o = run(&["compare", "--baseline", fx, "--current", fx]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("verdict") && out.contains("PASS"));

    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "messages.csv", |n, l| {
        Some(if n == 2 {
            common::set_field(l, 16, "1")
        } else {
            l.into()
        })
    });
    let o = run(&["compare", "--baseline", fx, "--current", dir.path().to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("EXACT-MISMATCH") && out.contains("FAIL"));

    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 2 {
            common::set_field(l, 15, "fast")
        } else {
            l.into()
        })
    });
    let o = run(&["compare", "--baseline", fx, "--current", dir.path().to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("phases.csv:2") && err.contains("work_cpu_s"), "{err}");

    let o = run(&["compare", "--baseline", fx, "--current", "/nonexistent/run"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("/nonexistent/run"));
}

#[test]
fn save_baseline_then_compare() {
    let dir = common::copy_fixture(&common::sweep());
    let d = dir.path().to_str().unwrap();
    let b = dir.path().join("base");
    let o = run(&["save-baseline", "--from", d, "--to", b.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(b.join("meta.json").is_file() && b.join("phases.csv").is_file());
    let o = run(&[
        "compare",
        "--baseline",
        b.to_str().unwrap(),
        "--current",
        d,
        "--no-time",
    ]);
    assert_eq!(o.status.code(), Some(0));
}
