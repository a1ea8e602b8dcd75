//! The `dsmpc` binary and its log: a values-file run that matches and writes a log in the
//! reference's shape, bad values files refused with the line named and no log left behind,
//! a failed run's log never looking complete, `--inject` (detections printed and logged, exit
//! codes in vss and paper mode, bad fault syntax), and `params --json`.

mod common;

use std::process::Command;

use common::cli::{SMALL, dsmpc, seed, small_run, succeeded, tmp};
use dsmpc_roles::log::{EventSink, JsonlLog};
use dsmpc_roles::wire::MessageKind;
use serde_json::Value;

#[test]
fn run_with_values_file_writes_a_reference_shaped_log() {
    for s in [Some("3"), None] {
        run_with_values_file(s);
    }
}

fn run_with_values_file(s: Option<&'static str>) {
    let d = tmp("cli", if s.is_some() { "ok-seeded" } else { "ok-os" });
    let values = d.join("values.txt");
    std::fs::write(&values, "# 5 DPs\n25\n20\n31\n79\n61\n").unwrap();
    let log = d.join("flow.log");
    let out = dsmpc()
        .args(["run", "--dps", "5", "--cps", "4", "--threshold", "3"])
        .args(SMALL)
        .args(seed(s))
        .arg("--values")
        .arg(&values)
        .arg("--log")
        .arg(&log)
        .output()
        .unwrap();
    let stdout = succeeded(&out, "values file");
    assert!(stdout.contains("reconstructed  sum = 216"), "{stdout}");
    assert!(stdout.contains("average = 43.200000"), "{stdout}");
    assert!(stdout.contains("MATCH"));
    assert!(stdout.contains("share_encrypt_pvss_attach"));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let messages: Vec<&Value> = lines
        .iter()
        .filter(|v| v.get("phase").is_none() && v.get("result").is_none())
        .collect();
    // The last line is the session's result.
    let result = &lines.last().unwrap()["result"];
    assert_eq!(result["sum"], "216", "{result}");
    assert_eq!(result["average"], "43.200000", "{result}");
    assert_eq!(
        (&result["func"], &result["dim"], &result["matches"]),
        (&"sum".into(), &1.into(), &true.into())
    );
    // 4 announcements, 4 requests, 4 answers, 5 + 1 rosters (DPs and Edge), 5*4 shares, 4 uploads.
    assert_eq!(messages.len(), 4 + 4 + 4 + 6 + 20 + 4);
    for m in &messages {
        for key in ["ts", "src", "dst", "bytes"] {
            assert!(m.get(key).is_some(), "{m} lacks {key}");
        }
        let first_key = m.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(first_key, "ts", "keys in the reference's order");
    }
    let names = |k: &str| {
        messages
            .iter()
            .map(|m| m[k].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let all: Vec<String> = names("src").into_iter().chain(names("dst")).collect();
    for n in &all {
        let ok = n == "Cloud"
            || n == "Edge"
            || (n.starts_with("CP(VID=") && n.ends_with(')'))
            || (n.starts_with("CP(i=") && n.ends_with(')'))
            || (n.starts_with("DP") && n[2..].parse::<u32>().is_ok());
        assert!(ok, "party name {n:?} is not in the reference's style");
    }
    let phases: Vec<&str> = lines
        .iter()
        .filter_map(|v| v.get("phase").and_then(Value::as_str))
        .collect();
    for p in [
        "party_auth_verify_one",
        "share_encrypt_pvss_attach_done",
        "cp_decrypt_pvss_verify_local_compute_done",
        "edge_reconstruct_done",
    ] {
        assert!(phases.contains(&p), "phase {p} missing from {phases:?}");
    }
    for v in lines.iter().filter(|v| v.get("phase").is_some()) {
        assert_eq!(v["bytes"], 0);
        assert_eq!(v["src"], "");
        assert!(v["duration"].as_f64().unwrap() >= 0.0);
    }
    assert!(!d.join("flow.log.partial").exists());
}

#[test]
fn bad_values_files_are_refused_naming_the_line() {
    let d = tmp("cli", "bad");
    let cases = [
        ("neg.txt", "1\n-4\n3\n", "line 2", "negative"),
        ("nan.txt", "1\n2\nthree\n", "line 3", "not a non-negative integer"),
        ("big.txt", "1\n4294967296\n3\n", "line 2", "too large"),
        ("count.txt", "1\n2\n", "has 2 values", "--dps is 3"),
    ];
    for ((file, body, where_, what), s) in cases.into_iter().flat_map(|c| [(c, Some("1")), (c, None)]) {
        let path = d.join(file);
        std::fs::write(&path, body).unwrap();
        let log = d.join(format!("{file}.log"));
        let out = small_run(3, 3, 2)
            .args(seed(s))
            .arg("--values")
            .arg(&path)
            .arg("--log")
            .arg(&log)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains(where_) && err.contains(what),
            "{file}: {err}"
        );
        assert!(!log.exists(), "{file}: no log for a refused run");
    }
    let out = dsmpc()
        .args(["run", "--values", "/nonexistent/values.txt", "--dps", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a missing values file is bad input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/values.txt"));
}

#[test]
fn unsupported_rsa_size_is_refused_before_anything_runs() {
    let out = dsmpc()
        .args(["run", "--rsa-bits", "512", "--backend", "num"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported RSA size 512"));
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "nothing printed as if the run started"
    );
}

#[test]
fn rsa_1024_is_refused_with_the_default_awslc_provider() {
    let out = dsmpc()
        .args(["run", "--rsa-bits", "1024", "--backend", "num"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("awslc provider does not support RSA-1024"), "{err}");
    assert!(err.contains("--provider rustcrypto"), "{err}");
    let out = dsmpc().args(["run", "--provider", "openssl"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose rustcrypto or awslc"));
}

#[test]
fn the_default_awslc_provider_runs_both_suites() {
    for (suite, s) in [("p256", None), ("p256", Some("3")), ("rsa", Some("3"))] {
        let out = dsmpc()
            .args([
                "run",
                "--dps",
                "5",
                "--cps",
                "3",
                "-t",
                "2",
                "--group-bits",
                "1024",
                "--suite",
                suite,
            ])
            .args(["--backend", "num", "--verify", "vss"])
            .args(seed(s))
            .output()
            .unwrap();
        let stdout = succeeded(&out, &format!("{suite} {s:?}"));
        assert!(stdout.contains(" by awslc, "), "{stdout}");
        assert!(stdout.contains("MATCH") && !stdout.contains("MISMATCH"), "{stdout}");
    }
}

#[test]
fn impossible_threshold_is_a_usage_error() {
    let out = dsmpc()
        .args(["run", "--dps", "3", "--cps", "3", "-t", "4", "--backend", "num"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need 2 <= t <= 3"));
}

/// `dsmpc run` with 5 DPs, 4 candidate CPs, t = 2, checking as `verify`, seeded with `s`.
fn five_dps(verify: &str, s: Option<&'static str>) -> Command {
    let mut c = small_run(5, 4, 2);
    c.args(["--verify", verify]).args(seed(s));
    c
}

#[test]
fn injected_faults_are_detected_printed_and_logged_in_vss_mode() {
    for s in [Some("3"), None] {
        injected_faults_in_vss_mode(s);
    }
}

fn injected_faults_in_vss_mode(s: Option<&'static str>) {
    let d = tmp("cli", if s.is_some() { "inject-seeded" } else { "inject-os" });
    let log = d.join("vss.log");
    let out = five_dps("vss", s)
        .args(["--inject", "bad-share:dp=2,cp=3", "--inject", "drop-cp:cp=4", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    let stdout = succeeded(&out, "vss with faults");
    assert!(
        stdout.contains("injected faults: bad-share:dp=2,cp=3 drop-cp:cp=4"),
        "{stdout}"
    );
    assert!(
        stdout.contains("CP(i=3) rejected DP2: its share pair does not match its commitments"),
        "{stdout}"
    );
    assert!(stdout.contains("Edge heard nothing from CP(i=4)"), "{stdout}");
    assert!(stdout.contains("excluded DPs (1): DP2; aggregated 4 of 5"), "{stdout}");
    assert!(stdout.contains("MATCH") && !stdout.contains("MISMATCH"), "{stdout}");
    let events: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("event").is_some())
        .collect();
    let has = |event: &str, subject: &str| events.iter().any(|v| v["event"] == event && v["subject"] == subject);
    assert!(
        has("rejected", "DP2") && has("excluded", "DP2") && has("silent", "CP(i=4)"),
        "{events:?}"
    );
}

#[test]
fn an_injected_fault_aborts_the_paper_mode_cleanly() {
    for s in [Some("3"), None] {
        injected_fault_in_paper_mode(s);
    }
}

fn injected_fault_in_paper_mode(s: Option<&'static str>) {
    let d = tmp(
        "cli",
        if s.is_some() {
            "inject-paper-seeded"
        } else {
            "inject-paper-os"
        },
    );
    let log = d.join("paper.log");
    let out = five_dps("paper", s)
        .args(["--inject", "inconsistent-dealing:dp=1", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("do not lie on one polynomial"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("reconstructed"),
        "no number printed"
    );
    assert!(!log.exists());
    let mut failed = log.into_os_string();
    failed.push(".failed");
    assert!(std::path::Path::new(&failed).exists());
}

#[test]
fn bad_fault_syntax_is_a_usage_error() {
    for (arg, want) in [
        ("bad-share:dp=1", "needs cp="),
        ("explode:cp=1", "unknown fault kind"),
        ("drop-cp:cp=9", "only 4 candidate CPs"),
    ] {
        let out = five_dps("vss", None).args(["--inject", arg]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(want),
            "{arg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_failed_run_never_leaves_a_complete_looking_log() {
    let d = tmp("cli", "fail");
    let path = d.join("run.log");
    let mut log = JsonlLog::create(&path).unwrap();
    log.message("Cloud", "CP(VID=1)", MessageKind::TaskAnnounce, 276, 256);
    assert!(!path.exists(), "nothing at FILE while the run is going");
    let failed = log.fail("CP(i=1) rejected the PVSS attachment from DP3");
    assert!(!path.exists());
    let text = std::fs::read_to_string(&failed).unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert!(last["error"].as_str().unwrap().contains("DP3"));
}

#[test]
fn params_json_prints_hex_group() {
    let out = dsmpc()
        .args(["params", "--group-bits", "2048", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bits"], 2048);
    for k in ["p", "q", "g", "h"] {
        let s = v[k].as_str().unwrap();
        assert!(s.chars().all(|c| c.is_ascii_hexdigit()), "{k}");
    }
    assert_eq!(v["p"].as_str().unwrap().len(), 512);
    assert_eq!(v["q"].as_str().unwrap().len(), 64);
    let weak = dsmpc().args(["params", "--group-bits", "1024"]).output().unwrap();
    assert!(String::from_utf8_lossy(&weak.stdout).contains("WEAK"));
    let bad = dsmpc().args(["params", "--group-bits", "1000"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_new_attacks_are_refused_and_printed_with_and_without_a_seed() {
    for s in [Some("5"), None] {
        for verify in ["paper", "vss"] {
            let out = five_dps(verify, s)
                .args(["--inject", "impersonate:dp=2", "--inject", "garbage:cp=1"])
                .args(["--inject", "garbage-upload:cp=3", "--inject", "replay:cp=2"])
                .output()
                .unwrap();
            let stdout = succeeded(&out, &format!("{verify} {s:?}"));
            assert!(stdout.contains("MATCH") && !stdout.contains("MISMATCH"), "{stdout}");
            assert!(!stdout.contains("excluded DPs"), "nothing excluded: {stdout}");
            for line in [
                "CP(i=1) ignored a message from DP3: share packet claims to be from DP2",
                "CP(i=1) ignored a message from Outsider1",
                "Edge ignored a message from Outsider1: result_upload message not expected from Outsider1",
                "Cloud ignored a message from CP(VID=2): replayed nonce",
            ] {
                assert!(stdout.contains(line), "{verify} {s:?}: no {line:?} in {stdout}");
            }
        }
    }
}

#[test]
fn a_run_without_a_seed_matches_every_time() {
    for verify in ["paper", "fast", "batch", "vss"] {
        let out = five_dps(verify, None).output().unwrap();
        let stdout = succeeded(&out, verify);
        assert!(stdout.contains("randomness from the OS"), "{stdout}");
        assert!(stdout.contains("MATCH") && !stdout.contains("MISMATCH"), "{stdout}");
    }
}
