//! Vector sessions on networks of processes and in deployments, through the `dsmpc` binary:
//! `run --net process` with a values file (seeded and not: MATCH, `--output` checked coordinate
//! by coordinate against the file's plaintext, the log's result line), drawn inputs giving the
//! memory network's result for a seed, faults of a DP refused and named as on memory, a
//! deployment (`deploy init --func --dim --frac-bits --values`, every host a `dsmpc node`)
//! whose Edge prints the plaintext's result, and hosts whose `dim` differs refusing each other;
//! `vss` vectors on process (verified; a cheating DP excluded, as on memory).
//! Every run's deployment directory is gone afterwards, and the hosts a test starts are killed
//! on the way out ([`Hosts`]).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::cli::{dsmpc, seed, small_run, succeeded, tmp};
use dsmpc_net::deploy::Deployment;
use dsmpc_net::node::report::NodeReport;

/// 2^F for `--frac-bits 4`: values are multiples of 1/16.
const SCALE: f64 = 16.0;

/// Each DP's input, scaled by [`SCALE`] (5 DPs, 3 coordinates, negatives included).
const SCALED: [[i64; 3]; 5] = [[24, -36, 1], [-8, 0, 16], [400, 7, -1], [0, -512, 3], [33, 2, -70]];

/// The values file of [`SCALED`]: each value as a decimal (exact: a multiple of 1/16).
fn values_text() -> String {
    let mut s = String::from("# 5 DPs, 3 fixed-point values each\n");
    for row in SCALED {
        let line: Vec<String> = row.iter().map(|&x| (x as f64 / SCALE).to_string()).collect();
        s.push_str(&line.join(", "));
        s.push('\n');
    }
    s
}

/// The plaintext sum of each coordinate, scaled by [`SCALE`].
fn plaintext() -> [i64; 3] {
    let mut sum = [0i64; 3];
    for row in SCALED {
        for (s, x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    sum
}

/// `--func vector-sum --dim 3 --frac-bits 4 --value-bits 16`.
const VECTOR_SUM: [&str; 8] = [
    "--func",
    "vector-sum",
    "--dim",
    "3",
    "--frac-bits",
    "4",
    "--value-bits",
    "16",
];

/// Runs `cmd` and returns its output once it ended, checking that it left no deployment
/// directory (`dsmpc-deploy-PID-*` in the temporary directory) behind.
fn run_clean(cmd: &mut Command) -> Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let prefix = format!("dsmpc-deploy-{pid}-");
    let left: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .collect();
    assert!(left.is_empty(), "run {pid} left {left:?}");
    out
}

/// The `coordinate,scaled_sum,sum` rows of an `--output` file, checked against [`plaintext`].
fn check_output(path: &Path, what: &str) {
    let csv = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "coordinate,scaled_sum,sum", "{what}: {csv}");
    assert_eq!(lines.len(), 4, "{what}: {csv}");
    for (j, want) in plaintext().iter().enumerate() {
        let cells: Vec<&str> = lines[j + 1].split(',').collect();
        assert_eq!(cells[0], (j + 1).to_string(), "{what}: {csv}");
        assert_eq!(cells[1], want.to_string(), "{what}: coordinate {}: {csv}", j + 1);
        let x: f64 = cells[2].parse().unwrap();
        assert_eq!(x, *want as f64 / SCALE, "{what}: coordinate {}: {csv}", j + 1);
    }
}

#[test]
fn a_values_file_of_vectors_on_process_with_and_without_a_seed() {
    for s in [Some("5"), None] {
        let d = tmp("cli-vectors-process", &format!("values-{}", s.is_some()));
        let values = d.join("values.txt");
        std::fs::write(&values, values_text()).unwrap();
        let (output, log) = (d.join("result.csv"), d.join("run.log"));
        let out = run_clean(
            small_run(5, 4, 3)
                .args(VECTOR_SUM)
                .args(["--net", "process", "--dps-per-process", "2"])
                .args(seed(s))
                .arg("--values")
                .arg(&values)
                .arg("--output")
                .arg(&output)
                .arg("--log")
                .arg(&log),
        );
        let what = format!("process, seed {s:?}");
        let stdout = succeeded(&out, &what);
        assert!(stdout.contains("MATCH"), "{stdout}");
        assert!(stdout.contains("network: 9 processes"), "{stdout}");
        check_output(&output, &what);
        // The log's last line is the result: function, dimension, first coordinates, match.
        let text = std::fs::read_to_string(&log).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        let r = &last["result"];
        assert_eq!(r["func"], "vector-sum", "{r}");
        assert_eq!(r["dim"], 3, "{r}");
        assert_eq!(r["n"], 5, "{r}");
        assert_eq!(r["matches"], true, "{r}");
        assert_eq!(r["coordinates"], 3, "{r}");
        let first: Vec<i64> = (0..3).map(|j| r["first"][j][1].as_i64().unwrap()).collect();
        assert_eq!(first, plaintext(), "{r}");
    }
}

#[test]
fn drawn_vectors_on_process_give_the_memory_result_for_a_seed() {
    let d = tmp("cli-vectors-process", "drawn");
    let mut csv = Vec::new();
    for net in ["memory", "process"] {
        let output = d.join(format!("{net}.csv"));
        let out = run_clean(
            small_run(6, 4, 3)
                .args(["--func", "meanvar", "--dim", "4", "--value-bits", "20", "--seed", "9"])
                .args(["--net", net, "--dps-per-process", "4"])
                .arg("--output")
                .arg(&output),
        );
        let stdout = succeeded(&out, net);
        assert!(stdout.contains("MATCH"), "{net}: {stdout}");
        csv.push(std::fs::read_to_string(&output).unwrap());
    }
    assert_eq!(csv[0].lines().count(), 5, "{}", csv[0]);
    assert_eq!(
        csv[0], csv[1],
        "the same seed, the same inputs and result on both networks"
    );
}

#[test]
fn faults_of_a_dp_on_process_are_refused_and_named_as_on_memory() {
    for fault in ["vector-length:dp=2", "truncated-aead:dp=2", "bad-share:dp=2,cp=1"] {
        let mut codes = Vec::new();
        for net in ["memory", "process"] {
            let out = run_clean(
                small_run(4, 4, 3)
                    .args(["--dim", "3", "--seed", "3", "--inject", fault])
                    .args(["--net", net, "--dps-per-process", "2"]),
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("DP2"), "{fault} on {net}: {stderr}");
            assert!(!stderr.contains("panicked"), "{fault} on {net}: {stderr}");
            codes.push(out.status.code());
        }
        assert_eq!(codes[0], codes[1], "{fault}: exit codes of memory and process");
        assert_ne!(codes[0], Some(0), "{fault}");
    }
    // An attack on the network (not a party's own) cannot run between processes: refused
    // before anything starts, saying where it runs.
    let out = run_clean(
        small_run(4, 4, 3)
            .args(["--dim", "3", "--inject", "replay:cp=1"])
            .args(["--net", "process"]),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--net memory"), "{stderr}");
}

#[test]
fn vss_vectors_on_process_are_verified_and_a_cheating_dp_is_excluded() {
    // Without a seed: the values file's sum, every result verified against the commitments,
    // on the simulated network and on processes.
    let d = tmp("cli-vectors-process", "vss");
    let values = d.join("values.txt");
    std::fs::write(&values, values_text()).unwrap();
    for net in ["sim:lan", "process"] {
        let output = d.join(format!("result-{}.csv", net.replace(':', "-")));
        let out = run_clean(
            small_run(5, 4, 3)
                .args(VECTOR_SUM)
                .args(["--verify", "vss", "--net", net, "--dps-per-process", "2"])
                .arg("--values")
                .arg(&values)
                .arg("--output")
                .arg(&output),
        );
        let what = format!("vss on {net}");
        let stdout = succeeded(&out, &what);
        assert!(stdout.contains("MATCH"), "{what}: {stdout}");
        assert!(stdout.contains("every result used verified"), "{what}: {stdout}");
        check_output(&output, &what);
    }
    // A DP whose share is off in one coordinate: rejected by that CP, excluded by all, and
    // the result (over the others) still matches, on both networks.
    for net in ["memory", "process"] {
        let out = run_clean(
            small_run(4, 4, 3)
                .args(["--dim", "3", "--verify", "vss", "--inject", "bad-share:dp=2,cp=1"])
                .args(["--net", net, "--dps-per-process", "2"]),
        );
        let stdout = succeeded(&out, net);
        assert!(stdout.contains("excluded DPs (1): DP2"), "{net}: {stdout}");
        assert!(stdout.contains("MATCH"), "{net}: {stdout}");
    }
}

/// Host processes of a deployment, killed and reaped however the test ends.
struct Hosts(Vec<(String, Child)>);

impl Drop for Hosts {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `dsmpc deploy init DIR` of 5 DPs (2 per host), 4 CPs, t = 3, with `extra` flags.
fn deploy_init(dir: &Path, extra: &[&str]) {
    let out = dsmpc()
        .args(["deploy", "init"])
        .arg(dir)
        .args(["--dps", "5", "--cps", "4", "-t", "3", "--dps-per-host", "2"])
        .args(common::cli::SMALL)
        .args(["--timeouts", "selection=4000,shares=6000,round=4000"])
        .args(extra)
        .output()
        .unwrap();
    succeeded(&out, "deploy init");
}

/// Starts every host of the deployment in `dirs[0]` (`victim` from `dirs[1]`, its own copy),
/// each on a port bound now and handed over as descriptor 3 (the addresses in each copy's
/// deployment.toml rewritten to them: addresses are not part of the digest); waits for all and
/// returns each host's stdout and report.
fn run_hosts(dirs: &[&Path], victim: Option<&str>) -> Vec<(String, String, NodeReport)> {
    let d = Deployment::load(dirs[0]).unwrap();
    let listeners: Vec<std::net::TcpListener> = d
        .hosts
        .iter()
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    for dir in dirs {
        let mut copy = Deployment::load(dir).unwrap();
        for (h, l) in copy.hosts.iter_mut().zip(&listeners) {
            h.addr = format!("127.0.0.1:{}", l.local_addr().unwrap().port());
        }
        std::fs::write(dir.join("deployment.toml"), copy.to_toml().unwrap()).unwrap();
    }
    let mut hosts = Hosts(Vec::new());
    for (h, l) in d.hosts.iter().zip(&listeners) {
        let dir = if victim == Some(h.name.as_str()) {
            dirs[1]
        } else {
            dirs[0]
        };
        let mut cmd = dsmpc();
        dsmpc_net::process::pass_listener(&mut cmd, l);
        let child = cmd
            .args(["node", "--connect-timeout", "2", "--max-wall", "60", "--listen-fd", "3"])
            .arg("--deployment")
            .arg(dir)
            .args(["--host", &h.name, "--report"])
            .arg(dirs[0].join(format!("{}.json", h.name)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        hosts.0.push((h.name.clone(), child));
    }
    drop(listeners);
    let mut out = Vec::new();
    for (name, c) in std::mem::take(&mut hosts.0) {
        let o = c.wait_with_output().unwrap();
        let report = std::fs::read_to_string(dirs[0].join(format!("{name}.json")))
            .unwrap_or_else(|e| panic!("{name}: no report ({e}): {}", String::from_utf8_lossy(&o.stderr)));
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        out.push((name, stdout, serde_json::from_str(&report).unwrap()));
    }
    out
}

#[test]
fn a_deployed_vector_session_gives_the_plaintext_result_at_the_edge() {
    let d = tmp("cli-vectors-process", "deploy");
    let values = d.join("values.txt");
    std::fs::write(&values, values_text()).unwrap();
    let dir = d.join("dep");
    deploy_init(
        &dir,
        &[&VECTOR_SUM[..], &["--values", values.to_str().unwrap()]].concat(),
    );
    // Each DP host holds its own DPs' lines, and no other host a values file.
    let lines = |host: &str| {
        let t = std::fs::read_to_string(dir.join("hosts").join(host).join("values")).unwrap();
        t.lines().filter(|l| !l.starts_with('#')).count()
    };
    assert_eq!([lines("dps-1"), lines("dps-2"), lines("dps-3")], [2, 2, 1]);
    assert!(!dir.join("hosts/edge/values").exists() && !dir.join("hosts/cp-1/values").exists());
    let toml = std::fs::read_to_string(dir.join("deployment.toml")).unwrap();
    assert!(
        toml.contains("func = \"vector-sum\"") && toml.contains("dim = 3"),
        "{toml}"
    );
    let runs = run_hosts(&[&dir], None);
    for (name, stdout, r) in &runs {
        assert!(r.failed.is_none(), "{name}: {:?}\n{stdout}", r.failed);
    }
    let (_, edge, _) = runs.iter().find(|(n, _, _)| n == "edge").unwrap();
    assert!(edge.contains("vector-sum over 5 DPs"), "{edge}");
    for (j, want) in plaintext().iter().enumerate() {
        let line = format!("coordinate {}: sum = {:.6}", j + 1, *want as f64 / SCALE);
        assert!(edge.contains(&line), "{line}:\n{edge}");
    }
}

#[test]
fn hosts_whose_dim_differs_refuse_each_other() {
    let d = tmp("cli-vectors-process", "digest");
    let dir = d.join("dep");
    deploy_init(&dir, &["--dim", "3", "--seed", "4"]);
    // cp-1's copy says dim = 4; everything else (keys, roster, other parameters) is the same.
    let other = d.join("cp-1-copy");
    std::fs::create_dir_all(other.join("hosts")).unwrap();
    for f in ["roster.toml", "ca.pem"] {
        std::fs::copy(dir.join(f), other.join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(dir.join("deployment.toml")).unwrap();
    assert!(toml.contains("dim = 3\n"), "{toml}");
    std::fs::write(other.join("deployment.toml"), toml.replace("dim = 3\n", "dim = 4\n")).unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(dir.join("hosts/cp-1"))
        .arg(other.join("hosts/"))
        .status()
        .unwrap();
    assert!(status.success());
    let runs = run_hosts(&[&dir, &other], Some("cp-1"));
    let refused_cp1 = runs.iter().any(|(_, _, r)| {
        r.refused
            .iter()
            .any(|x| x.peer == "cp-1" && x.reason.contains("digest"))
    });
    assert!(
        refused_cp1,
        "nobody refused cp-1: {:?}",
        runs.iter().map(|r| &r.2.refused).collect::<Vec<_>>()
    );
    // No host took cp-1's part: it was not selected, whatever the others achieved.
    let cloud = &runs.iter().find(|(n, _, _)| n == "cloud").unwrap().2;
    assert!(!cloud.selected.iter().any(|(_, vid)| *vid == 1), "{:?}", cloud.selected);
}
