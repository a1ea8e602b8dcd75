//! Parties as OS processes over mutual TLS 1.3 (`dsmpc node`, `dsmpc run --net process`): the
//! same sum and protocol bytes per kind as the in-memory network; certificates from another
//! CA, for another identity, and impersonation refused and named; unreachable peers and ports in
//! use reported; a CP killed with SIGKILL mid-session is a silent CP (vss: right sum; paper
//! modes with k = t: a clean abort). Every child process is killed and reaped (no leftovers).
//!
//! Per-party protocol keys (`dsmpc deploy init`, `dsmpc node`): a deployment without a seed
//! runs to the right sum; each host directory holds its own parties' private keys and no
//! other's (private modes); a node given another party's key file, another deployment's, a
//! corrupt one, a short values file or no host directory refuses, naming the file (exit 2); a
//! seeded deployment is deterministic (same roster and values for the same seed) and records
//! its seed.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::deploy::{self, Deployment, Layout, Roster};
use dsmpc_net::frame::{self, Frame};
use dsmpc_net::node::report::{self as node_report, NodeReport};
use dsmpc_net::process::{self, ProcessOptions};
use dsmpc_net::tls::{self, Tls};
use dsmpc_roles::parties::{PartyId, Timeouts};
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::wire::MessageKind;
use dsmpc_roles::{SessionConfig, session, values};
use tokio::io::AsyncWriteExt;

const EXE: &str = env!("CARGO_BIN_EXE_dsmpc");

fn cfg(n: usize, verify: VerifyMode, k: usize, t: usize) -> SessionConfig {
    SessionConfig {
        n,
        m: k,
        capacity: k,
        t,
        rsa_bits: 1024,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed: Some(7),
        ..SessionConfig::default()
    }
}

fn quick() -> Timeouts {
    Timeouts {
        selection_ms: 20_000,
        shares_ms: 20_000,
        round_ms: 3_000,
    }
}

/// Bytes per kind (count, bytes, payload bytes).
fn per_kind(r: &session::SessionReport) -> Vec<(MessageKind, u64, u64, u64)> {
    r.messages
        .iter()
        .map(|(k, m)| (*k, m.count, m.bytes, m.payload_bytes))
        .collect()
}

fn same_as_memory(n: usize, verify: VerifyMode, dps_per_host: usize, group: GroupKind) {
    let c = SessionConfig {
        group,
        ..cfg(n, verify, 5, 3)
    };
    let mem = session::run(&c, None, None).unwrap();
    let opts = ProcessOptions {
        dps_per_host,
        timeouts: quick(),
        max_wall: Duration::from_secs(300),
        ..ProcessOptions::new(EXE.into())
    };
    let run = process::run(&c, &opts).unwrap();
    let r = run.report.unwrap();
    assert!(r.matches(), "process run: the sum does not match the plaintext");
    assert_eq!(r.outcome.sum, mem.outcome.sum, "n={n} {verify}: different sums");
    assert_eq!(per_kind(&r), per_kind(&mem), "n={n} {verify}: different bytes per kind");
    // Indices go in order of arrival, which differs between processes; the CPs are the same.
    let vids =
        |s: &std::collections::BTreeMap<u16, u32>| s.values().copied().collect::<std::collections::BTreeSet<u32>>();
    assert_eq!(vids(&r.selected), vids(&mem.selected));
    let hosts = 2 + 5 + n.div_ceil(dps_per_host);
    assert_eq!(run.stats.hosts, hosts);
    assert!(run.stats.e2e_s > 0.0, "no end-to-end latency measured");
    assert!(
        run.stats.tls_bytes > run.stats.protocol_bytes,
        "TLS bytes {} should exceed the protocol bytes {}",
        run.stats.tls_bytes,
        run.stats.protocol_bytes
    );
    assert!(run.stats.connections >= (hosts - 1) as u64);
    assert!(run.hosts.iter().all(|h| h.failed.is_none() && h.refused.is_empty()));
}

#[test]
fn process_n20_gives_the_memory_sum_and_bytes() {
    same_as_memory(20, VerifyMode::Batch, 10, GroupKind::Schnorr(1024));
    same_as_memory(20, VerifyMode::Batch, 10, GroupKind::Ristretto255);
}

#[test]
fn process_n100_vss_gives_the_memory_sum_and_bytes() {
    same_as_memory(100, VerifyMode::Vss, 50, GroupKind::Ristretto255);
}

/// Listening sockets bound by this test process for the hosts of the deployments it made,
/// by (deployment directory, host), until [`start`] hands one to its node.
///
/// A port found free and bound only later by the node could be taken meanwhile: tests run in
/// parallel and every outgoing connection takes a local port from the same range. CI once lost
/// a test to a node that could not listen. So, like `dsmpc run --net process`, the test binds
/// each host's port when it writes the deployment and hands the socket over (`--listen-fd`).
static LISTENERS: std::sync::Mutex<BTreeMap<(PathBuf, String), std::net::TcpListener>> =
    std::sync::Mutex::new(BTreeMap::new());

/// The listening socket held for `host` of `dir`, taken out of [`LISTENERS`].
fn take_listener(dir: &Path, host: &str) -> Option<std::net::TcpListener> {
    LISTENERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&(dir.to_path_buf(), host.to_string()))
}

/// Closes the ports still held for `dir`'s hosts, so that dialling a host not started is refused.
fn release_ports(dir: &Path) {
    LISTENERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|(d, _), _| d != dir);
}

/// A deployment in a fresh directory; every host's port is bound now and held in [`LISTENERS`].
fn deployment(dir: &Path, c: &SessionConfig) -> Deployment {
    let hosts = 2 + c.m + c.n.div_ceil(10);
    let listeners: Vec<std::net::TcpListener> = (0..hosts)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let layout = Layout {
        dps_per_host: 10,
        addrs: vec!["127.0.0.1".into()],
        base_port: 0,
        ports: listeners.iter().map(|l| l.local_addr().unwrap().port()).collect(),
    };
    let d = deploy::init(dir, c, quick(), &layout).unwrap();
    assert_eq!(
        d.hosts.len(),
        hosts,
        "the test's host count differs from the deployment's"
    );
    let mut held = LISTENERS.lock().unwrap_or_else(|e| e.into_inner());
    for (h, l) in d.hosts.iter().zip(listeners) {
        assert!(
            h.addr.ends_with(&format!(":{}", l.local_addr().unwrap().port())),
            "{}",
            h.addr
        );
        held.insert((dir.to_path_buf(), h.name.clone()), l);
    }
    d
}

/// Host processes, killed and reaped on drop.
struct Hosts(Vec<(String, Child)>);

impl Drop for Hosts {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Start `dsmpc node --control` for `host`, handing it the socket [`deployment`] bound for it
/// as descriptor 3; wait for `ready`.
fn start(dir: &Path, host: &str, extra: &[&str]) -> (Child, ChildStdin, BufReader<std::process::ChildStdout>) {
    // A host started a second time (its first node has exited) binds its address again.
    let listener = take_listener(dir, host).unwrap_or_else(|| {
        let d = Deployment::load(dir).unwrap();
        std::net::TcpListener::bind(&d.host(host).unwrap().addr).unwrap()
    });
    let mut cmd = Command::new(EXE);
    process::pass_listener(&mut cmd, &listener);
    let mut c = cmd
        .args([
            "node",
            "--control",
            "--connect-timeout",
            "2",
            "--max-wall",
            "120",
            "--deployment",
        ])
        .arg(dir)
        .args(["--host", host, "--listen-fd", "3"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = c.stdin.take().unwrap();
    let mut out = BufReader::new(c.stdout.take().unwrap());
    // The node holds its copy now; ours must not keep the port open if the node dies.
    drop(listener);
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    if line.trim() != format!("ready {host}") {
        let _ = c.kill();
        let _ = c.wait();
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut c.stderr.take().unwrap(), &mut err);
        panic!("node {host} said {line:?} instead of \"ready {host}\"; its stderr:\n{err}");
    }
    (c, stdin, out)
}

/// Read the `report` line.
fn report(out: &mut BufReader<std::process::ChildStdout>) -> NodeReport {
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(j) = line.strip_prefix("report ") {
            return serde_json::from_str(j).unwrap();
        }
    }
    panic!("no report");
}

/// A lone Cloud host of deployment `dir`, started; attacks are run against it, then it is
/// stopped and its report read.
fn against_cloud(dir: &Path, attack: impl FnOnce(&Deployment)) -> NodeReport {
    DIR.with(|d| *d.borrow_mut() = Some(dir.to_path_buf()));
    let d = Deployment::load(dir).unwrap();
    let (child, mut stdin, mut out) = start(dir, "cloud", &[]);
    // The other hosts are not started: their ports must refuse, not queue.
    release_ports(dir);
    let mut hosts = Hosts(vec![("cloud".into(), child)]);
    writeln!(stdin, "go").unwrap();
    attack(&d);
    drop(stdin);
    let r = report(&mut out);
    let _ = hosts.0[0].1.wait();
    drop(hosts);
    r
}

/// The deployment digest of `d` with its roster (what its hosts send in their hellos).
fn digest_of(d: &Deployment) -> deploy::DeploymentDigest {
    DIR.with(|dir| {
        let dir = dir.borrow().clone().expect("against_cloud sets the directory");
        deploy::digest(d, &Roster::load(&dir, d).unwrap()).unwrap()
    })
}

thread_local! {
    static DIR: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

fn counters() -> (Arc<AtomicU64>, Arc<AtomicU64>) {
    (Arc::default(), Arc::default())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_certificate_from_another_ca_is_refused_and_named() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = cfg(20, VerifyMode::Batch, 5, 3);
    deployment(a.path(), &c);
    deployment(b.path(), &c);
    let mut client_err = String::new();
    let r = against_cloud(a.path(), |d| {
        let cloud = d.host("cloud").unwrap().addr.clone();
        // cp-1 of deployment B dials the Cloud of deployment A.
        let foreign = Tls::load(b.path(), "cp-1").unwrap();
        rt().block_on(async {
            match tls::dial(&foreign, "cp-1", "cloud", &cloud, counters(), digest_of(d)).await {
                Err(e) => client_err = e.to_string(),
                Ok(mut s) => {
                    // TLS 1.3: the server checks the client certificate after the client has
                    // finished; the refusal shows on the next read or write.
                    let hello = Frame::Hello {
                        name: "cp-1".into(),
                        digest: digest_of(d),
                    };
                    let _ = s.write_all(&hello.encode()).await;
                    let _ = s.flush().await;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        });
    });
    // The dialler refuses A's Cloud, whose certificate is from another CA.
    assert!(
        client_err.contains("TLS with cloud") && client_err.contains("invalid peer certificate"),
        "{client_err}"
    );
    let _ = r;
    // And A's Cloud refuses B's certificate when it is presented.
    let r = against_cloud(a.path(), |d| {
        let cloud = d.host("cloud").unwrap().addr.clone();
        let foreign = Tls::load(b.path(), "cp-1").unwrap();
        // Trust A's CA for the server so that the handshake reaches the client certificate.
        let mixed = Tls::from_files(
            &a.path().join("ca.pem"),
            &b.path().join("hosts/cp-1/cert.pem"),
            &b.path().join("hosts/cp-1/key.pem"),
        )
        .unwrap();
        let _ = foreign;
        rt().block_on(async {
            if let Ok(mut s) = tls::dial(&mixed, "cp-1", "cloud", &cloud, counters(), digest_of(d)).await {
                let _ = s.flush().await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
    });
    assert!(
        r.refused
            .iter()
            .any(|x| x.peer.starts_with("127.0.0.1:") && x.reason.contains("invalid peer certificate")),
        "{:?}",
        r.refused
    );
}

#[test]
fn a_certificate_for_another_identity_and_impersonation_are_refused() {
    let a = tempfile::tempdir().unwrap();
    let c = cfg(20, VerifyMode::Batch, 5, 3);
    let d = deployment(a.path(), &c);
    // Dialling the Cloud's address while expecting the Edge: the Cloud's certificate is not
    // the Edge's.
    let cp3 = Tls::load(a.path(), "cp-3").unwrap();
    let r = against_cloud(a.path(), |d| {
        let cloud = d.host("cloud").unwrap().addr.clone();
        rt().block_on(async {
            let e = tls::dial(&cp3, "cp-3", "edge", &cloud, counters(), digest_of(d))
                .await
                .err()
                .unwrap()
                .to_string();
            assert!(
                e.contains("TLS with edge") && e.contains("not valid for name \"edge\""),
                "{e}"
            );
            // cp-3's certificate, claiming to be cp-4: refused, so no hello in reply.
            let claim = tls::dial(&cp3, "cp-4", "cloud", &cloud, counters(), digest_of(d)).await;
            assert!(claim.is_err());
            // cp-3, as itself, sending a message as CP 4.
            let mut s2 = tls::dial(&cp3, "cp-3", "cloud", &cloud, counters(), digest_of(d))
                .await
                .unwrap();
            let frame = Frame::Msg {
                from: PartyId::Cp(4),
                to: PartyId::Cloud,
                bytes: vec![1, 2, 3],
            };
            s2.write_all(&frame.encode()).await.unwrap();
            s2.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
        });
    });
    let said = |what: &str| r.refused.iter().any(|x| x.peer == "cp-3" && x.reason.contains(what));
    assert!(
        said("claims to be \"cp-4\" but its certificate is for \"cp-3\""),
        "{:?}",
        r.refused
    );
    assert!(
        said("sent a message as CP(VID=4), a party cp-3 does not host"),
        "{:?}",
        r.refused
    );
    // The Cloud dialled the CPs to announce; none was up.
    assert!(
        r.unreachable
            .iter()
            .any(|x| x.peer == "cp-1" && x.reason.contains("cannot reach cp-1 at 127.0.0.1:")),
        "{:?}",
        r.unreachable
    );
    drop(d);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let a = tempfile::tempdir().unwrap();
    let d = deployment(a.path(), &cfg(20, VerifyMode::Batch, 5, 3));
    let addr = d.host("edge").unwrap().addr.clone();
    // The port held by this process (bound when the deployment was written) is the port in use.
    let _hold = take_listener(a.path(), "edge").unwrap();
    assert_eq!(_hold.local_addr().unwrap().to_string(), addr);
    let out = Command::new(EXE)
        .args(["node", "--deployment"])
        .arg(a.path())
        .args(["--host", "edge"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("host edge cannot listen on {addr}")) && err.contains("another process holds the port"),
        "{err}"
    );
}

/// `--listen-fd` (how `run --net process` hands each host the socket it bound, so that no other
/// process takes the port first) refuses a descriptor that is not a listening socket, saying so.
#[test]
fn a_listen_fd_that_is_not_a_listening_socket_is_a_clear_error() {
    let a = tempfile::tempdir().unwrap();
    deployment(a.path(), &cfg(20, VerifyMode::Batch, 5, 3));
    for (fd, why) in [("0", "not a socket"), ("97", "Bad file descriptor")] {
        let out = Command::new(EXE)
            .args(["node", "--deployment"])
            .arg(a.path())
            .args(["--host", "edge", "--listen-fd", fd])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("--listen-fd {fd}")) && err.contains(why), "{err}");
    }
}

/// Run every host of `dir`, kill `victim` with SIGKILL once it has received a share, and
/// return every report (the victim has none).
fn kill_mid_session(dir: &Path, victim: &str) -> Vec<NodeReport> {
    kill_when(dir, victim, "recv share_packet")
}

/// Start every host of `dir`, and kill -9 `victim` once it traces a line with `trigger`; the
/// other hosts' reports.
fn kill_when(dir: &Path, victim: &str, trigger: &str) -> Vec<NodeReport> {
    let d = Deployment::load(dir).unwrap();
    let mut hosts = Hosts(Vec::new());
    let mut ins = Vec::new();
    let mut outs = Vec::new();
    let mut victim_err = None;
    for h in &d.hosts {
        let extra: &[&str] = if h.name == victim { &["--trace"] } else { &[] };
        let (mut c, i, o) = start(dir, &h.name, extra);
        if h.name == victim {
            victim_err = c.stderr.take();
        }
        hosts.0.push((h.name.clone(), c));
        ins.push(i);
        outs.push((h.name.clone(), o));
    }
    for i in &mut ins {
        writeln!(i, "go").unwrap();
    }
    let t0 = Instant::now();
    for line in BufReader::new(victim_err.unwrap()).lines() {
        if line.unwrap().contains(trigger) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(60));
    }
    let v = hosts.0.iter_mut().find(|(n, _)| n == victim).unwrap();
    // kill -9
    v.1.kill().unwrap();
    v.1.wait().unwrap();
    let mut reports = Vec::new();
    for (name, mut o) in outs {
        if name != victim {
            reports.push(report(&mut o));
        }
    }
    drop(ins);
    reports
}

fn edge(reports: &[NodeReport]) -> &NodeReport {
    reports.iter().find(|r| r.host == "edge").unwrap()
}

/// The Edge's name for the CP with `vid` (indices go in order of arrival).
fn cp_named(reports: &[NodeReport], vid: u32) -> String {
    let cloud = reports.iter().find(|r| r.host == "cloud").unwrap();
    let (i, _) = cloud.selected.iter().find(|(_, v)| *v == vid).unwrap();
    format!("CP(i={i})")
}

#[test]
fn a_cp_killed_mid_session_is_silent_and_vss_still_gives_the_sum() {
    let a = tempfile::tempdir().unwrap();
    let c = cfg(20, VerifyMode::Vss, 5, 3);
    deployment(a.path(), &c);
    let reports = kill_mid_session(a.path(), "cp-2");
    let e = edge(&reports);
    let o = node_report::outcome(e).unwrap_or_else(|| panic!("no outcome: {:?}", e.failed));
    let values = session::values_of(&c).unwrap();
    assert_eq!(o.sum, dsmpc_roles::values::sum(&values));
    assert!(
        e.detections
            .iter()
            .any(|(by, subject, action, _)| by == "Edge" && *subject == cp_named(&reports, 2) && action == "silent"),
        "{:?}",
        e.detections
    );
}

#[test]
fn a_cp_killed_mid_session_with_k_equal_t_is_a_clean_abort_in_paper_modes() {
    let a = tempfile::tempdir().unwrap();
    let c = cfg(20, VerifyMode::Paper, 3, 3);
    deployment(a.path(), &c);
    let reports = kill_mid_session(a.path(), "cp-2");
    let e = edge(&reports);
    assert!(e.outcome.is_none());
    let f = e.failed.as_deref().unwrap_or_default();
    assert!(
        f.contains("2") && f.contains("3"),
        "the abort says how many results of how many: {f}"
    );
    assert!(
        e.detections
            .iter()
            .any(|(_, subject, action, _)| *subject == cp_named(&reports, 2) && action == "silent"),
        "{:?}",
        e.detections
    );
    // Every other host stopped because the Edge ended the session.
    assert!(
        reports
            .iter()
            .all(|r| r.host == "edge" || r.host == "cp-2" || r.ended.contains("aborted by edge")),
        "{:?}",
        reports.iter().map(|r| (&r.host, &r.ended)).collect::<Vec<_>>()
    );
}

/// kill -9 of the Edge mid-session: every other host aborts at once, naming the lost link
/// (before: each ran until its --max-wall, 120 s here).
#[test]
fn an_edge_killed_mid_session_ends_every_other_host_at_once() {
    let a = tempfile::tempdir().unwrap();
    let c = cfg(20, VerifyMode::Vss, 5, 3);
    deployment(a.path(), &c);
    let t0 = Instant::now();
    let reports = kill_when(a.path(), "edge", "recv commitments");
    assert!(t0.elapsed() < Duration::from_secs(60), "{:?}", t0.elapsed());
    for r in &reports {
        assert!(r.outcome.is_none(), "{}: {:?}", r.host, r.outcome);
        let why = r.failed.as_deref().unwrap_or_default();
        assert!(why.contains("the link with edge was lost"), "{}: {why}", r.host);
    }
}

// Per-party protocol keys in deployments.

/// `cfg` with k = 3, t = 2 and no seed: keys and values from the OS.
fn unseeded(n: usize, verify: VerifyMode) -> SessionConfig {
    SessionConfig {
        seed: None,
        ..cfg(n, verify, 3, 2)
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The header fields of a key file, and its private key bytes.
fn key_file(p: &Path) -> (BTreeMap<String, String>, Vec<u8>) {
    let b = std::fs::read(p).unwrap();
    let split = b.windows(2).position(|w| w == b"\n\n").unwrap();
    let header = String::from_utf8(b[..split].to_vec()).unwrap();
    let fields = header
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (fields, b[split + 2..].to_vec())
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn an_unseeded_deployment_runs_to_the_right_sum_over_processes() {
    let kept = tempfile::tempdir().unwrap();
    let dir = kept.path().join("deployment");
    let c = unseeded(20, VerifyMode::Batch);
    let opts = ProcessOptions {
        dps_per_host: 10,
        timeouts: quick(),
        max_wall: Duration::from_secs(300),
        keep_dir: Some(dir.clone()),
        ..ProcessOptions::new(EXE.into())
    };
    let run = process::run(&c, &opts).unwrap();
    let r = run.report.unwrap();
    // The expected sum is the sum of the values the deployment drew and wrote per DP host.
    let d = Deployment::load(&dir).unwrap();
    assert_eq!(d.session.seed, None);
    let written = deploy::values(&dir, &d).unwrap();
    assert_eq!(written.len(), 20);
    assert_eq!(r.outcome.sum, values::sum(&written));
    assert!(r.matches());
    assert!(run.hosts.iter().all(|h| h.failed.is_none()), "{:?}", run.hosts);
    let text = std::fs::read_to_string(dir.join("deployment.toml")).unwrap();
    assert!(
        !text.contains("seed ="),
        "an unseeded deployment records no seed:\n{text}"
    );
}

#[test]
fn each_host_directory_holds_its_own_private_keys_and_no_other() {
    let a = tempfile::tempdir().unwrap();
    let d = deployment(a.path(), &unseeded(25, VerifyMode::Vss));
    // Which parties' private keys each host may hold (the Edge decrypts the CPs' results under
    // the Cloud's key, so it has its own copy of that one key).
    let expected = |name: &str| -> BTreeSet<String> {
        let h = d.host(name).unwrap();
        match h.dps {
            Some([first, last]) => (first..=last).map(|dp| format!("dp{dp}")).collect(),
            None if name == "cloud" || name == "edge" => ["cloud".to_string()].into(),
            None => [format!("vid{}", name.strip_prefix("cp-").unwrap())].into(),
        }
    };
    let mut private: Vec<(String, String, Vec<u8>)> = Vec::new();
    for h in &d.hosts {
        let hd = a.path().join("hosts").join(&h.name);
        assert_eq!(mode(&hd), 0o700, "{}", hd.display());
        let mut parties = BTreeSet::new();
        for f in files(&hd) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name == "cert.pem" {
                continue;
            }
            assert_eq!(mode(&f), 0o600, "{}", f.display());
            if name.ends_with(".key") {
                let (fields, key) = key_file(&f);
                assert_eq!(fields["seed"], "none", "{}", f.display());
                assert!(fields["public-sha256"].len() == 64, "{}", f.display());
                parties.insert(fields["party"].clone());
                private.push((h.name.clone(), f.display().to_string(), key));
            } else {
                assert!(name == "key.pem" || name == "values", "unexpected file {}", f.display());
            }
        }
        assert_eq!(parties, expected(&h.name), "host {} holds keys of {parties:?}", h.name);
        if h.dps.is_some() {
            assert!(hd.join("values").exists());
        }
    }
    // 3 CPs x 3 keys, the Cloud's key twice, 25 DP signing keys.
    assert_eq!(private.len(), 9 + 2 + 25);
    // No private key stands in any other host's files, nor in the shared files.
    let shared: Vec<PathBuf> = ["deployment.toml", "roster.toml", "ca.pem"]
        .iter()
        .map(|f| a.path().join(f))
        .collect();
    for (owner, file, key) in &private {
        let mut others = shared.clone();
        for h in d.hosts.iter().filter(|h| &h.name != owner) {
            if !(["cloud", "edge"].contains(&owner.as_str()) && ["cloud", "edge"].contains(&h.name.as_str())) {
                others.extend(files(&a.path().join("hosts").join(&h.name)));
            }
        }
        for o in others {
            let bytes = std::fs::read(&o).unwrap();
            assert!(
                !bytes.windows(key.len()).any(|w| w == key.as_slice()),
                "the private key of {file} is also in {}",
                o.display()
            );
        }
    }
    // The roster has every public key, and the shared files no seed.
    let roster = Roster::load(a.path(), &d).unwrap();
    assert_eq!((roster.cps.len(), roster.dp_sign.len(), roster.seed), (3, 25, None));
}

/// `dsmpc node` for `host` of `dir`: its exit code and stderr (it fails before listening).
fn failing_node(dir: &Path, host: &str) -> (Option<i32>, String) {
    let out = Command::new(EXE)
        .args(["node", "--connect-timeout", "1", "--max-wall", "5", "--deployment"])
        .arg(dir)
        .args(["--host", host])
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_swapped_corrupt_foreign_or_missing_key_is_refused_naming_the_file() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = unseeded(20, VerifyMode::Vss);
    deployment(a.path(), &c);
    deployment(b.path(), &c);
    let hosts = a.path().join("hosts");

    // CP 2's encryption key put in CP 1's place.
    let target = hosts.join("cp-1/vid1-enc.key");
    std::fs::copy(hosts.join("cp-2/vid2-enc.key"), &target).unwrap();
    let (code, err) = failing_node(a.path(), "cp-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&target.display().to_string()) && err.contains("party vid2, not vid1"),
        "{err}"
    );

    // CP 1's own key from another deployment: right party, not the roster's key.
    std::fs::copy(b.path().join("hosts/cp-1/vid1-enc.key"), &target).unwrap();
    let (code, err) = failing_node(a.path(), "cp-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&target.display().to_string()) && err.contains("not the one") && err.contains("roster.toml"),
        "{err}"
    );

    // A DP's signing key cut short.
    let dp = hosts.join("dps-1/dp3-sign.key");
    let bytes = std::fs::read(&dp).unwrap();
    std::fs::write(&dp, &bytes[..bytes.len() - 5]).unwrap();
    let (code, err) = failing_node(a.path(), "dps-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&dp.display().to_string()), "{err}");

    // The Edge's copy of the Cloud's key removed.
    let edge_key = hosts.join("edge/cloud-enc.key");
    std::fs::remove_file(&edge_key).unwrap();
    let (code, err) = failing_node(a.path(), "edge");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&edge_key.display().to_string()), "{err}");

    // A machine given only the shared files: no host directory.
    let cloud = hosts.join("cloud");
    std::fs::remove_dir_all(&cloud).unwrap();
    let (code, err) = failing_node(a.path(), "cloud");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&cloud.display().to_string()) && err.contains("copy hosts/cloud/"),
        "{err}"
    );

    // A DP host's values file swapped for a shorter one.
    let v = hosts.join("dps-2/values");
    std::fs::write(&v, "1\n2\n").unwrap();
    let (code, err) = failing_node(a.path(), "dps-2");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&v.display().to_string()), "{err}");
}

#[test]
fn seeded_deployments_are_deterministic_and_record_their_seed() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let seeded = SessionConfig {
        seed: Some(31),
        ..unseeded(20, VerifyMode::Vss)
    };
    let d = deployment(a.path(), &seeded);
    deployment(b.path(), &seeded);
    deployment(
        c.path(),
        &SessionConfig {
            seed: Some(32),
            ..seeded.clone()
        },
    );
    let read = |dir: &Path, f: &str| std::fs::read(dir.join(f)).unwrap();
    assert_eq!(read(a.path(), "roster.toml"), read(b.path(), "roster.toml"));
    assert_ne!(read(a.path(), "roster.toml"), read(c.path(), "roster.toml"));
    for f in [
        "hosts/dps-1/values",
        "hosts/cp-2/vid2-pvss.key",
        "hosts/dps-2/dp15-sign.key",
    ] {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
    }
    assert_eq!(d.session.seed, Some(31));
    let text = String::from_utf8(read(a.path(), "deployment.toml")).unwrap();
    assert!(text.contains("seed = 31") && text.contains("SEEDED"), "{text}");
    // The values are the ones a seeded in-process session draws.
    let want = session::values_of(&seeded).unwrap();
    assert_eq!(deploy::values(a.path(), &d).unwrap(), want);
    let (fields, _) = key_file(&a.path().join("hosts/cloud/cloud-enc.key"));
    assert_eq!(fields["seed"], "31");
}

#[test]
fn deploy_init_without_a_seed_works_from_the_command_line() {
    let a = tempfile::tempdir().unwrap();
    let dir = a.path().join("d");
    let out = Command::new(EXE)
        .args(["deploy", "init"])
        .arg(&dir)
        .args("--dps 12 --cps 3 -t 2 --rsa-bits 1024 --group-bits 1024 --backend num --provider rustcrypto".split(' '))
        .args(["--dps-per-host", "6"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("roster.toml") && said.contains("hosts/NAME/"), "{said}");
    assert!(!said.contains("SEEDED"), "{said}");
    let d = Deployment::load(&dir).unwrap();
    assert_eq!(d.session.seed, None);
    assert_eq!(d.hosts.len(), 2 + 3 + 2);
    Roster::load(&dir, &d).unwrap();
}

#[test]
fn unseeded_deployments_run_with_either_provider_and_suite() {
    // The Cloud registers the CPs from the roster, decoding each verification key with the
    // suite's provider, and then checks every auth request's signature with it.
    for (suite, provider, rsa_bits) in [
        (SuiteKind::P256, Provider::AwsLc, 1024),
        (SuiteKind::P256, Provider::RustCrypto, 1024),
        (SuiteKind::Rsa, Provider::AwsLc, 2048),
        (SuiteKind::X25519, Provider::AwsLc, 0),
        (SuiteKind::X25519, Provider::RustCrypto, 0),
    ] {
        let c = SessionConfig {
            suite,
            provider,
            rsa_bits,
            ..unseeded(10, VerifyMode::Vss)
        };
        let opts = ProcessOptions {
            dps_per_host: 10,
            timeouts: quick(),
            max_wall: Duration::from_secs(300),
            ..ProcessOptions::new(EXE.into())
        };
        let run = process::run(&c, &opts).unwrap();
        let r = run
            .report
            .unwrap_or_else(|e| panic!("{suite:?} {provider}: {e} {:?}", run.hosts));
        assert!(r.matches(), "{suite:?} {provider}: wrong sum");
        assert_eq!(r.selected.len(), 3, "{suite:?} {provider}: every CP authenticated");
    }
}

/// Ctrl-C during a `--net process` session, as a terminal sends it (SIGINT to the whole process
/// group) and as `kill -INT` sends it to the run alone: the run ends with a failure that says
/// it was interrupted, and none of the host processes it started is left running.
#[test]
fn ctrl_c_mid_session_stops_every_host_process() {
    for whole_group in [true, false] {
        common::cli::interrupted_leaves_no_host("process", whole_group);
    }
}

/// SIGTERM (what `kill`, `timeout` and systemd send) and SIGINT to `dsmpc run --net process`
/// alone: exit 143 / 130, every host process gone and the temporary deployment, which holds
/// every private key, removed.
#[test]
fn sigterm_and_sigint_remove_the_deployment_and_every_host_and_exit_143_130() {
    common::cli::signalled_leaves_nothing("process", libc::SIGTERM);
    common::cli::signalled_leaves_nothing("process", libc::SIGINT);
}

/// SIGKILL to `dsmpc run --net process`: its hosts die with it, and the deployment directory it
/// could not remove (named by its pid) is removed when the next run starts.
#[test]
fn a_controller_killed_with_sigkill_takes_its_hosts_and_its_keys_go_at_the_next_start() {
    let (pid, dir) = common::cli::killed_run("process");
    assert!(
        dir.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&format!("dsmpc-deploy-{pid}-"))),
        "the deployment directory {} does not name its controller's pid {pid}",
        dir.display()
    );
    assert!(dir.exists(), "nothing to reap: {} is gone already", dir.display());
    let out = common::cli::small_run(5, 3, 2)
        .args(["--net", "process", "--seed", "3"])
        .output()
        .unwrap();
    common::cli::succeeded(&out, "the run after a killed one");
    assert!(
        !dir.exists(),
        "the next run left the killed run's deployment {} (private keys)",
        dir.display()
    );
}

/// A host whose standard output is closed (its controller, or a reader such as `head`, went
/// away) ends without a panic ("failed printing to stdout").
#[test]
fn a_closed_stdout_ends_a_run_quietly() {
    let mut c = common::cli::small_run(5, 3, 2)
        .args(["--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(c.stdout.take());
    let out = c.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// A frame written while the transport is full arrives whole and is not held back until the
/// next write. Over a pipe with a 16 KiB buffer (in place of a socket whose buffers are full),
/// the reader takes all but the last 40 KiB of a 1 MiB frame and pauses: the writer's last
/// records no longer fit the pipe. `write_frame` must not return with records still held in
/// rustls (as a bare `write_all` does: they would leave only with a later write, and the
/// dialler writes nothing more, as a DP host after its last shares); the reader resumes after
/// a second and must get the whole frame. Before `tls::write_frame` flushed, the `netns`
/// sweep point stalled this way ("got no share from DP19, DP20").
#[test]
fn a_frame_written_while_the_transport_is_full_arrives_without_a_later_write() {
    use tokio::io::AsyncReadExt;
    let a = tempfile::tempdir().unwrap();
    let c = cfg(20, VerifyMode::Batch, 5, 3);
    deployment(a.path(), &c);
    let cloud = Tls::load(a.path(), "cloud").unwrap();
    let cp1 = Tls::load(a.path(), "cp-1").unwrap();
    let big = Frame::Msg {
        from: PartyId::Cp(1),
        to: PartyId::Cloud,
        bytes: (0..1u32 << 20).map(|i| (i % 251) as u8).collect(),
    };
    let encoded = big.encode();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (got, returned_before_read) = rt.block_on(async {
        let (client_io, server_io) = tokio::io::duplex(16 << 10);
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let total = encoded.len();
        let server = tokio::spawn(async move {
            let mut s = tokio_rustls::TlsAcceptor::from(cloud.server.clone())
                .accept(server_io)
                .await
                .unwrap();
            let mut got = vec![0u8; total - (40 << 10)];
            let first = tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut got)).await;
            if !matches!(first, Ok(Ok(_))) {
                return (Vec::new(), true); // stalled before the pause: more than 40 KiB held
            }
            // Pause: the writer either returns now (records held) or waits in its flush.
            let returned = tokio::time::timeout(Duration::from_secs(1), done_rx).await.is_ok();
            let mut rest = vec![0u8; 40 << 10];
            match tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut rest)).await {
                Ok(Ok(_)) => got.extend_from_slice(&rest),
                _ => return (got, returned), // stalled: the tail never came
            }
            (got, returned)
        });
        let name = rustls::pki_types::ServerName::try_from("cloud".to_string()).unwrap();
        let mut s = tokio_rustls::TlsConnector::from(cp1.client.clone())
            .connect(name, client_io)
            .await
            .unwrap();
        frame::write_frame(&mut s, &encoded).await.unwrap();
        let _ = done_tx.send(());
        // Write nothing more; keep the stream open until the reader is done.
        let got = server.await.unwrap();
        drop(s);
        got
    });
    assert!(
        !returned_before_read,
        "write_frame returned while the transport was full: its last records were still held"
    );
    assert_eq!(got.len(), encoded.len(), "the frame's tail was held back");
    assert_eq!(got, encoded);
}

/// `--max-wall` bounds a node's whole process, at its edges too: 0 ends a lone Edge (the others
/// never start, and it would keep dialling them for 600 s) at once, and the largest value is
/// accepted without overflow (before: `--max-wall 0` took 18 s, 2^64 - 1 panicked).
#[test]
fn max_wall_zero_ends_a_node_at_once_and_the_largest_value_does_not_overflow() {
    let a = tempfile::tempdir().unwrap();
    deployment(a.path(), &unseeded(5, VerifyMode::Paper));
    release_ports(a.path());
    let node = |connect: &str, wall: &str| {
        let t0 = Instant::now();
        let out = Command::new(EXE)
            .args(["node", "--connect-timeout", connect, "--max-wall", wall, "--deployment"])
            .arg(a.path())
            .args(["--host", "edge"])
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), said, t0.elapsed())
    };
    let (code, err, took) = node("600", "0");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("--max-wall 0 s"), "{err}");
    assert!(took < Duration::from_secs(8), "--max-wall 0 took {took:?}: {err}");
    // The largest value: no overflow; the lone Edge ends when the Cloud cannot be reached.
    let (code, err, took) = node("1", "18446744073709551615");
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("cloud"), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
}

/// CPU seconds (user + system) `pid` has used, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = after.split(' ').skip(11).take(2).map(|x| x.parse().unwrap()).collect();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (f[0] + f[1]) as f64 / hz
}

/// With its descriptors exhausted (100 idle connections to a node limited to 64), the accept
/// loop backs off instead of spinning (before: 100% of a core).
#[test]
fn exhausted_descriptors_make_the_accept_loop_back_off_not_spin() {
    use std::os::unix::process::CommandExt;
    let a = tempfile::tempdir().unwrap();
    let d = deployment(a.path(), &unseeded(5, VerifyMode::Paper));
    release_ports(a.path());
    let addr = d.host("edge").unwrap().addr.clone();
    let mut cmd = Command::new(EXE);
    cmd.args(["node", "--connect-timeout", "600", "--max-wall", "60", "--deployment"])
        .arg(a.path())
        .args(["--host", "edge"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; the closure only calls it.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 64,
                rlim_max: 64,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let t0 = Instant::now();
    let mut held = Vec::new();
    while held.len() < 100 && t0.elapsed() < Duration::from_secs(20) {
        match std::net::TcpStream::connect(&addr) {
            Ok(s) => held.push(s),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    assert_eq!(held.len(), 100, "the node did not listen at {addr}");
    std::thread::sleep(Duration::from_secs(1));
    let cpu0 = cpu_seconds(child.id());
    std::thread::sleep(Duration::from_secs(4));
    let used = cpu_seconds(child.id()) - cpu0;
    let still = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(still, "the node died with its descriptors exhausted");
    assert!(
        used < 1.5,
        "the node used {used:.2} s of CPU in 4 s with nothing to do but accept"
    );
}
