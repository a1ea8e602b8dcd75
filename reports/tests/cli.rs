//! The `dsmpc-reports` binary: help text, figures and report, and a clear error on an
//! unreadable folder (exit status 2).

mod common;

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsmpc-reports"))
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
    for c in ["figures", "report"] {
        assert!(out.contains(c), "{out}");
    }
    let (out, _) = text(&run(&["report", "--help"]));
    assert!(out.contains("--no-figures"), "{out}");
}

#[test]
fn unreadable_folder_is_exit_status_2() {
    let o = run(&["report", "--from", "/nonexistent/run", "--no-figures"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("/nonexistent/run"));
}

#[test]
fn figures_and_report() {
    let dir = common::copy_fixture(&common::sweep());
    let d = dir.path().to_str().unwrap();
    let o = run(&["report", "--from", d]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("report.md") && err.contains("fig3 skipped"));
    assert!(dir.path().join("figures/fig1.png").is_file());
}
