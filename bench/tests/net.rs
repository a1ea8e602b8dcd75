//! The `net` axis as a user runs it: a sweep of `sim:lan` points beside `memory` ones writes
//! `sessions.csv` with simulated latencies, connections and TLS CPU, and the `net` column in
//! every file; a `process` point runs end to end through the `dsmpc` binary (built for the test
//! when it is not there yet) with TLS and wire bytes above the protocol's; a `netns` point runs
//! or is skipped with the reason (never a failure); two shards merge their `sessions.csv`; and
//! `dsmpc-sweep --net` refuses a bad name with the valid ones and `--dry-run` lists the nets.

#[macro_use]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dsmpc_bench::grid::{self, Overrides};
use dsmpc_bench::merge::{self, MergeOptions};
use dsmpc_bench::shard::{self, Shard};
use dsmpc_bench::sweep::{self, ShardRun, SweepOptions};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-net-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn opts(out: PathBuf, shard: Option<ShardRun>) -> SweepOptions {
    SweepOptions {
        out,
        jobs: 2,
        resume: false,
        quick_calibration: true,
        progress: false,
        command_line: "test".into(),
        preset: "tiny-net".into(),
        shard,
    }
}

/// The rows of a CSV file as maps from column name to field.
fn table(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            h.iter()
                .zip(x.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} is not a number", row[col]))
}

const SIM: &str = tiny_grid!(
    r#"
name = "tiny-net"
reps = 2
seed = 7
net = ["memory", "sim:lan"]
"#,
    r#"[[sweep]]
dps = [3, 24]
threshold = [2]
"#
);

#[test]
fn sim_points_write_sessions_with_latency_and_tls_costs() {
    let g = grid::expand(SIM, "tiny-net", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 4, "2 n x 2 nets");
    let out = tmp("sim");
    let s = sweep::run(&g, &opts(out.clone(), None)).unwrap();
    assert_eq!((s.ran, s.failed.len()), (4, 0), "{:?}", s.notes);
    let sessions = table(&out.join("sessions.csv"));
    assert_eq!(sessions.len(), 4 * 2, "points x reps");
    let messages = table(&out.join("messages.csv"));
    for r in &sessions {
        assert_eq!(r["seed"], "7");
        let point = &r["point"];
        // protocol bytes are the point's message bytes
        let bytes: f64 = messages
            .iter()
            .filter(|m| m["point"] == *point)
            .map(|m| num(m, "bytes"))
            .sum();
        assert!(bytes > 0.0);
        assert_eq!(num(r, "protocol_bytes"), bytes, "{point}");
        match r["net"].as_str() {
            "memory" => {
                assert!(!point.contains("-sim-"));
                assert_eq!(r["profile"], "");
                assert_eq!(r["e2e_s"], "", "memory has no time");
                assert_eq!(r["connections"], "");
            }
            "sim:lan" => {
                assert!(point.ends_with("-sim-lan"), "{point}");
                assert_eq!(r["profile"], "lan");
                let e2e = num(r, "e2e_s");
                assert!(e2e > 0.0 && e2e < 60.0, "{point}: e2e {e2e}");
                assert!(r["rounds_s"].contains("share_packet="), "{}", r["rounds_s"]);
                // Hosts as process lays them out: Cloud, Edge, 3 CPs, one DP host.
                assert_eq!(r["hosts"], "6");
                assert!(num(r, "connections") >= 5.0, "{point}");
                let (hs, rec) = (num(r, "tls_handshake_cpu_s"), num(r, "tls_record_cpu_s"));
                assert!(hs > 0.0 && rec > 0.0);
                assert!((num(r, "transport_cpu_s") - (hs + rec)).abs() < 1e-9);
                assert_eq!(r["tls_bytes"], "", "sim counts no TLS bytes");
            }
            other => panic!("unexpected net {other}"),
        }
    }
    // Latency grows with n on the simulated network (same seed, more DPs).
    let e2e = |n: &str| {
        sessions
            .iter()
            .filter(|r| r["net"] == "sim:lan" && r["n"] == n)
            .map(|r| num(r, "e2e_s"))
            .fold(f64::INFINITY, f64::min)
    };
    assert!(e2e("24") > e2e("3"), "{} vs {}", e2e("24"), e2e("3"));
    // The net column is in the point-keyed files too, so memory and sim rows never mix.
    for f in ["phases.csv", "messages.csv"] {
        let rows = table(&out.join(f));
        for r in &rows {
            assert_eq!(r["net"] == "sim:lan", r["point"].ends_with("-sim-lan"), "{f}: {r:?}");
        }
    }
}

/// The `dsmpc` binary the sweep will start: found beside the test binary, or built now with
/// the same profile into the same target folder.
fn ensure_dsmpc() -> PathBuf {
    if let Ok(p) = dsmpc_net::process::find_dsmpc() {
        return p;
    }
    let me = std::env::current_exe().unwrap();
    // target/PROFILE/deps/TEST -> target/PROFILE
    let profile_dir = me.parent().and_then(Path::parent).unwrap().to_path_buf();
    let target = profile_dir.parent().unwrap();
    let profile = profile_dir.file_name().unwrap().to_string_lossy().into_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the dsmpc binary for the process test ({profile} profile)");
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "dsmpc-net", "--bin", "dsmpc", "--profile"])
        .arg(if profile == "debug" { "dev" } else { &profile })
        .arg("--target-dir")
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "cargo build of dsmpc failed");
    dsmpc_net::process::find_dsmpc().expect("dsmpc built but not found")
}

#[test]
fn a_process_point_runs_end_to_end_and_netns_runs_or_is_skipped() {
    ensure_dsmpc();
    let text = tiny_grid!(
        r#"
name = "tiny-process"
reps = 1
seed = 9
net = ["process", "netns:lan"]
"#,
        r#"[[sweep]]
dps = [4]
threshold = [2]
"#
    );
    let g = grid::expand(text, "tiny-process", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 2);
    let out = tmp("process");
    let s = sweep::run(&g, &opts(out.clone(), None)).unwrap();
    assert!(s.failed.is_empty(), "{:?}", s.failed);
    let sessions = table(&out.join("sessions.csv"));
    let p = sessions
        .iter()
        .find(|r| r["net"] == "process")
        .expect("the process point has a session row");
    let (proto, tls, wire) = (num(p, "protocol_bytes"), num(p, "tls_bytes"), num(p, "wire_bytes"));
    assert!(proto > 0.0 && tls > proto && wire >= proto, "{p:?}");
    assert!(num(p, "e2e_s") > 0.0);
    assert_eq!(p["hosts"], "6", "Cloud, Edge, 3 CPs, one DP host");
    assert!(num(p, "connections") >= 5.0);
    assert!(num(p, "process_cpu_s") >= num(p, "party_cpu_s"));
    assert!(num(p, "transport_cpu_s") > 0.0 && num(p, "tls_handshake_cpu_s") > 0.0);
    assert_eq!(p["seed"], "9");
    // netns: a row when namespaces can be made here, otherwise skipped with the reason.
    match dsmpc_net::netns::available() {
        Ok(()) => {
            let n = sessions.iter().find(|r| r["net"] == "netns:lan").expect("netns row");
            assert!(num(n, "wire_bytes") > num(n, "tls_bytes"), "frames add IP/TCP: {n:?}");
        }
        Err(why) => {
            eprintln!("netns not available here ({why}): checking that its point is skipped");
            assert!(
                s.notes
                    .iter()
                    .any(|x| x.contains("-netns-lan: skipped:") && x.contains(&why)),
                "{:?}",
                s.notes
            );
            assert!(sessions.iter().all(|r| r["net"] != "netns:lan"));
        }
    }
}

#[test]
fn shards_merge_their_sessions() {
    let g = grid::expand(SIM, "tiny-net", &Overrides::default()).unwrap();
    let whole = tmp("merge-whole");
    let mut o = opts(whole.clone(), None);
    o.jobs = 1;
    sweep::run(&g, &o).unwrap();
    let dir = tmp("merge-split");
    let ids: Vec<String> = g.points.iter().map(|p| p.point_id()).collect();
    for i in 1..=2 {
        let s = Shard::new(i, 2).unwrap();
        let part = shard::select(&g, s);
        let o = opts(
            dir.join(s.folder()),
            Some(ShardRun {
                shard: s,
                grid_points: ids.clone(),
            }),
        );
        let sum = sweep::run(&part, &o).unwrap();
        assert!(sum.failed.is_empty(), "{:?}", sum.failed);
    }
    merge::merge(&dir, &MergeOptions::default()).unwrap();
    let key = |rows: Vec<HashMap<String, String>>| -> Vec<(String, String, String, String)> {
        rows.into_iter()
            .map(|r| {
                (
                    r["point"].clone(),
                    r["rep"].clone(),
                    r["net"].clone(),
                    r["protocol_bytes"].clone(),
                )
            })
            .collect()
    };
    let merged = key(table(&dir.join("sessions.csv")));
    assert_eq!(merged.len(), 8);
    assert_eq!(
        merged,
        key(table(&whole.join("sessions.csv"))),
        "points in grid order, same bytes"
    );
}

#[test]
fn the_command_line_takes_and_checks_the_net_axis() {
    let sweep = env!("CARGO_BIN_EXE_dsmpc-sweep");
    let out = Command::new(sweep)
        .args(["--preset", "net", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for net in ["net memory", "net sim:lan", "net process", "net netns:lan"] {
        assert!(text.contains(net), "{net} missing from:\n{text}");
    }
    assert!(text.trim_end().ends_with("8 points x 3 repetitions"), "{text}");
    let out = Command::new(sweep)
        .args(["--preset", "net", "--net", "sim:wan,process", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("net sim:wan") && !text.contains("net memory"), "{text}");
    let out = Command::new(sweep)
        .args(["--net", "sim:moon", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown link profile \"moon\"") && err.contains("netns:lte"),
        "{err}"
    );
}
