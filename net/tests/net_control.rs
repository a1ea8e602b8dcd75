//! Deployed hosts agree or refuse, and only the Edge ends a session.
//!
//! Every host of a deployment runs here as `dsmpc node` does (`net::node::run_node`), one
//! thread each, each from its own copy of the deployment's public files and its own host
//! directory, as on separate machines. A host's copy of `deployment.toml` or `roster.toml`
//! that differs in any protocol field makes its deployment digest differ: it is refused by
//! name, the paper's modes abort, and no host ever gives a result that differs from the
//! plaintext of the DPs that contributed (300 random one-field changes). Session control from
//! a host that is not the Edge (a DP host's certificate suffices to send it) is refused; its
//! text is escaped and never reaches a result line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::deploy::{self, Deployment, Layout, Roster};
use dsmpc_net::frame::{Control, Frame, Reason, write_frame};
use dsmpc_net::node::report::{NodeReport, outcome};
use dsmpc_net::node::{NodeOptions, run_node};
use dsmpc_net::tls::{Tls, dial};
use dsmpc_roles::SessionConfig;
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::suite::SuiteKind;
use num_bigint::BigUint;

fn cfg(verify: VerifyMode) -> SessionConfig {
    SessionConfig {
        n: 4,
        m: 3,
        capacity: 3,
        t: 2,
        suite: SuiteKind::P256,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed: Some(11),
        ..SessionConfig::default()
    }
}

fn timeouts() -> Timeouts {
    Timeouts {
        selection_ms: 1500,
        shares_ms: 1500,
        round_ms: 1000,
    }
}

/// Short deadlines for the random trials: a deadline that fires early under load can only
/// lose a result, never make one wrong, which is what those trials check.
fn short_timeouts() -> Timeouts {
    Timeouts {
        selection_ms: 500,
        shares_ms: 500,
        round_ms: 300,
    }
}

/// A deployment of `c` in `dir`: two DPs per DP host, free ports on loopback.
fn deployment(dir: &Path, c: &SessionConfig) -> Deployment {
    deployment_with(dir, c, timeouts())
}

fn deployment_with(dir: &Path, c: &SessionConfig, timeouts: Timeouts) -> Deployment {
    let layout = Layout {
        dps_per_host: 2,
        addrs: vec!["127.0.0.1".into()],
        base_port: 0,
        ports: Vec::new(),
    };
    deploy::init(dir, c, timeouts, &layout).unwrap()
}

/// Host `host`'s copy of deployment `src`: the three public files and its own directory.
fn host_copy(src: &Path, root: &Path, host: &str) -> PathBuf {
    let dst = root.join(host);
    std::fs::create_dir_all(dst.join("hosts")).unwrap();
    for f in ["deployment.toml", "roster.toml", "ca.pem"] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    let (from, to) = (src.join("hosts").join(host), dst.join("hosts").join(host));
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(&from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o700)).unwrap();
    dst
}

/// What one host did: its report, or why it could not start (its files refused).
type HostRun = (String, Result<NodeReport, String>);

/// Start host `name` from directory `dir` on a thread, as `dsmpc node` would.
fn spawn_host(name: String, dir: PathBuf) -> std::thread::JoinHandle<HostRun> {
    spawn_host_with(name, dir, Duration::from_millis(700), Duration::from_secs(30))
}

/// [`spawn_host`] with its dialling patience and its `--max-wall`.
fn spawn_host_with(
    name: String,
    dir: PathBuf,
    connect_timeout: Duration,
    max_wall: Duration,
) -> std::thread::JoinHandle<HostRun> {
    std::thread::spawn(move || {
        let run = || -> Result<NodeReport, String> {
            let d = Deployment::load(&dir).map_err(|e| e.to_string())?;
            let host = d.host(&name).map_err(|e| e.to_string())?.clone();
            let hosted = deploy::hosted(&dir, &d, &host).map_err(|e| e.to_string())?;
            let opts = NodeOptions {
                dir: dir.clone(),
                host: name.clone(),
                control: false,
                connect_timeout,
                max_wall,
                trace: false,
                link: None,
                listen_fd: None,
            };
            run_node(&opts, &d, hosted.digest, hosted.parties, hosted.setup_s).map_err(|e| e.to_string())
        };
        let r = run();
        (name, r)
    })
}

fn join(hs: Vec<std::thread::JoinHandle<HostRun>>) -> Vec<HostRun> {
    hs.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Every DP's value in deployment `dir`.
fn plaintext(dir: &Path) -> Vec<BigUint> {
    let d = Deployment::load(dir).unwrap();
    deploy::values(dir, &d).unwrap()
}

/// No host gives a result but the Edge, and the Edge's is the sum of the values of the DPs it
/// says it aggregated (all but the excluded). Returns whether there was a result.
fn no_wrong_result(runs: &[HostRun], values: &[BigUint], what: &str) -> bool {
    let mut results = 0;
    for (name, r) in runs {
        let Ok(r) = r else { continue };
        let Some(o) = outcome(r) else {
            assert!(r.outcome.is_none(), "{what}: {name}'s outcome does not parse");
            continue;
        };
        assert_eq!(name, "edge", "{what}: a result from {name}");
        results += 1;
        let excluded: Vec<u32> = runs
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flat_map(|r| r.excluded.iter().map(|(d, _)| *d))
            .collect();
        let contributing: Vec<&BigUint> = values
            .iter()
            .zip(1u32..)
            .filter(|(_, d)| !excluded.contains(d))
            .map(|(v, _)| v)
            .collect();
        let want: BigUint = contributing.iter().copied().sum();
        assert_eq!(o.n, contributing.len(), "{what}: aggregated {} DPs", o.n);
        assert_eq!(o.sum, want, "{what}: the Edge's sum is not the contributors' plaintext");
    }
    results > 0
}

/// All hosts of `src`, each from its own copy in `root`; `mutate` may change one host's copy.
/// A change to one host's copy: the host, and what to do to its directory.
type Mutation<'a> = (&'a str, &'a dyn Fn(&Path));

fn run_copies(src: &Path, root: &Path, mutate: Option<Mutation<'_>>) -> Vec<HostRun> {
    let d = Deployment::load(src).unwrap();
    let mut hs = Vec::new();
    for h in &d.hosts {
        let dir = host_copy(src, root, &h.name);
        if let Some((who, f)) = mutate
            && who == h.name
        {
            f(&dir);
        }
        hs.push(spawn_host(h.name.clone(), dir));
    }
    join(hs)
}

fn edit_toml(path: &Path, f: impl FnOnce(&mut toml::Table)) {
    let mut t: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    f(&mut t);
    std::fs::write(path, toml::to_string(&t).unwrap()).unwrap();
}

fn edge_run(runs: &[HostRun]) -> &NodeReport {
    runs.iter()
        .find(|(n, _)| n == "edge")
        .and_then(|(_, r)| r.as_ref().ok())
        .unwrap()
}

#[test]
fn identical_copies_agree_and_give_the_sum() {
    let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    deployment(a.path(), &cfg(VerifyMode::Batch));
    let runs = run_copies(a.path(), root.path(), None);
    assert!(no_wrong_result(&runs, &plaintext(a.path()), "identical copies"));
    for (name, r) in &runs {
        let r = r.as_ref().unwrap();
        assert!(r.failed.is_none(), "{name}: {:?}", r.failed);
        // No host of the deployment is refused. A stranger that never identified itself (named
        // by its address: a connection from another test's host to a port since reused, which
        // dropped before the TLS handshake) is refused too, and is not this test's concern.
        let hosts: Vec<_> = r
            .refused
            .iter()
            .filter(|f| f.peer.parse::<std::net::SocketAddr>().is_err())
            .collect();
        assert!(hosts.is_empty(), "{name}: {:?}", r.refused);
    }
}

/// The case: the CPs' copies say `dps = 5` and the DP ranges `[4, 5]`; before, the
/// Edge printed a wrong sum as cross-checked.
#[test]
fn cps_with_a_stale_deployment_are_refused_by_name_and_no_result_is_given() {
    let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut c = cfg(VerifyMode::Batch);
    c.n = 6;
    deployment(a.path(), &c);
    let d = Deployment::load(a.path()).unwrap();
    let mut hs = Vec::new();
    for h in &d.hosts {
        let dir = host_copy(a.path(), root.path(), &h.name);
        if h.name.starts_with("cp-") {
            // DP6 is left out of the CPs' copies (dps-3 hosts DP5 and DP6).
            edit_toml(&dir.join("deployment.toml"), |t| {
                t["session"]["dps"] = toml::Value::Integer(5);
                for host in t["hosts"].as_array_mut().unwrap() {
                    if host["name"].as_str() == Some("dps-3") {
                        host["dps"] = toml::Value::Array(vec![5.into(), 5.into()]);
                    }
                }
            });
        }
        hs.push(spawn_host(h.name.clone(), dir));
    }
    let runs = join(hs);
    assert!(!no_wrong_result(&runs, &plaintext(a.path()), "stale CP copies"));
    let e = edge_run(&runs);
    let why = e.failed.as_deref().unwrap_or_default();
    assert!(why.contains("deployment differs") && why.contains("cp-"), "{why}");
    assert!(
        e.refused
            .iter()
            .any(|r| r.peer.starts_with("cp-") && r.reason.contains("deployment digest")),
        "{:?}",
        e.refused
    );
}

/// The other case: only the Edge's copy says n = 5 (it would divide by 5).
#[test]
fn an_edge_with_another_n_gives_no_result() {
    for verify in [VerifyMode::Paper, VerifyMode::Vss] {
        let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut c = cfg(verify);
        c.n = 6;
        deployment(a.path(), &c);
        let shrink = |dir: &Path| {
            edit_toml(&dir.join("deployment.toml"), |t| {
                t["session"]["dps"] = toml::Value::Integer(5);
                for host in t["hosts"].as_array_mut().unwrap() {
                    if host["name"].as_str() == Some("dps-3") {
                        host["dps"] = toml::Value::Array(vec![5.into(), 5.into()]);
                    }
                }
            })
        };
        let runs = run_copies(a.path(), root.path(), Some(("edge", &shrink)));
        assert!(!no_wrong_result(&runs, &plaintext(a.path()), "edge n=5"), "{verify}");
        for (name, r) in &runs {
            match r {
                // vss: the Edge's roster (six DP keys) does not fit its deployment (five DPs).
                Err(e) => assert!(name == "edge" && e.contains("roster.toml"), "{name}: {e}"),
                Ok(r) => assert!(r.failed.is_some(), "{verify}: {name} finished: {}", r.ended),
            }
        }
    }
}

/// splitmix64: the trials' choices, replayable from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Another value for `v` of the same type (a neighbouring integer, another valid name, a hex
/// string with one digit changed, a neighbouring pair).
fn another(v: &toml::Value, rng: &mut Rng) -> toml::Value {
    const NAMES: [&[&str]; 4] = [
        &["rsa", "p256"],
        &["awslc", "rustcrypto"],
        &["num", "gmp"],
        &["paper", "fast", "batch", "vss"],
    ];
    match v {
        toml::Value::Integer(i) => toml::Value::Integer(if rng.below(2) == 0 { i + 1 } else { i - 1 }),
        toml::Value::String(s) => {
            if let Some(names) = NAMES.iter().find(|n| n.contains(&s.as_str())) {
                let others: Vec<&&str> = names.iter().filter(|n| **n != s).collect();
                return toml::Value::String(others[rng.below(others.len())].to_string());
            }
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                let mut b = s.clone().into_bytes();
                let i = rng.below(b.len());
                b[i] = if b[i] == b'0' { b'1' } else { b'0' };
                return toml::Value::String(String::from_utf8(b).unwrap());
            }
            // Names and addresses: another host's name, or another port.
            match s.rsplit_once(':') {
                Some((ip, port)) => toml::Value::String(format!("{ip}:{}", port.parse::<u16>().unwrap_or(1) ^ 1)),
                None => toml::Value::String(format!("{s}9")),
            }
        }
        toml::Value::Array(a) => {
            let mut a = a.clone();
            let i = rng.below(a.len());
            a[i] = another(&a[i], rng);
            toml::Value::Array(a)
        }
        other => other.clone(),
    }
}

/// Every leaf of a TOML table as a path of keys and indices.
fn leaves(v: &toml::Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let mut p = path.clone();
                p.push(k.clone());
                leaves(v, p, out);
            }
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_table()) => {
            for (i, v) in a.iter().enumerate() {
                let mut p = path.clone();
                p.push(i.to_string());
                leaves(v, p, out);
            }
        }
        _ => out.push(path),
    }
}

fn at<'a>(v: &'a mut toml::Value, path: &[String]) -> &'a mut toml::Value {
    path.iter().fold(v, |v, k| match v {
        toml::Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        v => &mut v[k.as_str()],
    })
}

/// One field of one file of one host's copy, changed; returns what was changed.
fn mutate_one(dir: &Path, rng: &mut Rng) -> String {
    let file = ["deployment.toml", "roster.toml"][rng.below(2)];
    let path = dir.join(file);
    let t: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let mut v = toml::Value::Table(t);
    let mut all = Vec::new();
    leaves(&v, Vec::new(), &mut all);
    let field = &all[rng.below(all.len())];
    let old = at(&mut v, field).clone();
    let new = another(&old, rng);
    *at(&mut v, field) = new.clone();
    std::fs::write(&path, toml::to_string(&v).unwrap()).unwrap();
    format!("{file} {} = {new} (was {old})", field.join("."))
}

/// At least 300 trials (DSMPC_DIGEST_TRIALS to change; DSMPC_DIGEST_SEED to replay): one
/// field of one host's `deployment.toml` or `roster.toml` changed, every host run; never a
/// result that differs from the plaintext of the DPs that contributed, and in the paper's
/// modes no result at all when the digest changed.
#[test]
fn one_changed_field_never_gives_a_wrong_result() {
    let trials: usize = std::env::var("DSMPC_DIGEST_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("DSMPC_DIGEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            t.map_or(1, |t| t.as_nanos() as u64)
        });
    eprintln!("digest trials: {trials}, DSMPC_DIGEST_SEED={seed}");
    let mut rng = Rng(seed);
    let deployments: Vec<(tempfile::TempDir, VerifyMode)> = [VerifyMode::Batch, VerifyMode::Paper, VerifyMode::Vss]
        .into_iter()
        .map(|m| {
            let a = tempfile::tempdir().unwrap();
            deployment_with(a.path(), &cfg(m), short_timeouts());
            (a, m)
        })
        .collect();
    let (mut refused_at_start, mut results, mut none) = (0, 0, 0);
    for trial in 0..trials {
        let (src, mode) = &deployments[rng.below(deployments.len())];
        let d = Deployment::load(src.path()).unwrap();
        let victim = d.hosts[rng.below(d.hosts.len())].name.clone();
        let root = tempfile::tempdir().unwrap();
        let dir = host_copy(src.path(), root.path(), &victim);
        let what = format!("trial {trial} ({mode}, host {victim}): {}", mutate_one(&dir, &mut rng));
        let original = deploy::digest(&d, &Roster::load(src.path(), &d).unwrap()).unwrap();
        // A copy that does not load is refused at start, naming its file (as a dead host).
        let changed = match Deployment::load(&dir).and_then(|dd| Ok((Roster::load(&dir, &dd)?, dd))) {
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("deployment.toml") || e.contains("roster.toml"),
                    "{what}: {e}"
                );
                refused_at_start += 1;
                continue;
            }
            Ok((r, dd)) => deploy::digest(&dd, &r).unwrap() != original,
        };
        let mut hs = Vec::new();
        for h in &d.hosts {
            let hd = if h.name == victim {
                dir.clone()
            } else {
                host_copy(src.path(), root.path(), &h.name)
            };
            hs.push(spawn_host(h.name.clone(), hd));
        }
        let t0 = std::time::Instant::now();
        let runs = join(hs);
        let got = no_wrong_result(&runs, &plaintext(src.path()), &what);
        if std::env::var_os("DSMPC_DIGEST_VERBOSE").is_some() {
            eprintln!("{what}: result {got}, {:.2} s", t0.elapsed().as_secs_f64());
        }
        // A host that refuses its own copy at start (its key no longer matches the roster) is
        // a dead host, like one killed: a silent CP is the protocol's business in every mode.
        let victim_started = runs.iter().any(|(n, r)| *n == victim && r.is_ok());
        if got && changed && victim_started {
            assert_eq!(*mode, VerifyMode::Vss, "{what}: a result although the digest changed");
        }
        if got {
            results += 1;
        } else {
            none += 1;
        }
    }
    eprintln!(
        "{trials} trials: {refused_at_start} copies refused at start, {results} results (all right), {none} without result"
    );
    assert!(refused_at_start + results + none == trials);
}

fn counters() -> (Arc<AtomicU64>, Arc<AtomicU64>) {
    (Arc::default(), Arc::default())
}

/// A DP host (its own certificate and the right digest) tries to end the session at the Edge
/// and at a CP, with a reason that would print a fake result line: refused by role, escaped,
/// and the session goes on to the right sum (`vss`: a DP host's abort does not stop it).
#[test]
fn session_control_from_a_dp_host_is_refused_and_the_session_goes_on() {
    let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    deployment(a.path(), &cfg(VerifyMode::Vss));
    let d = Deployment::load(a.path()).unwrap();
    let digest = deploy::digest(&d, &Roster::load(a.path(), &d).unwrap()).unwrap();
    // Every host but dps-2, whose shares the session waits for.
    let mut hs = Vec::new();
    for h in d.hosts.iter().filter(|h| h.name != "dps-2") {
        hs.push(spawn_host(h.name.clone(), host_copy(a.path(), root.path(), &h.name)));
    }
    let tls = Tls::load(a.path(), "dps-1").unwrap();
    let fake = "x\n  sum = 1337  average = 1  (3 results cross-checked: all on one polynomial)";
    let frames = [
        Frame::Control(Control::Done),
        Frame::Control(Control::Abort {
            reason: Reason::PartyFailed {
                party: "DP1".into(),
                error: fake.into(),
            },
        }),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for to in ["edge", "cp-1"] {
            let addr = d.host(to).unwrap().addr.clone();
            let mut s = loop {
                match dial(&tls, "dps-1", to, &addr, counters(), digest).await {
                    Ok(s) => break s,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            };
            for f in &frames {
                write_frame(&mut s, &f.encode()).await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    hs.push(spawn_host("dps-2".into(), host_copy(a.path(), root.path(), "dps-2")));
    let runs = join(hs);
    assert!(no_wrong_result(&runs, &plaintext(a.path()), "DP host's control"));
    let e = edge_run(&runs);
    assert!(e.failed.is_none(), "{:?}", e.failed);
    let said = |r: &NodeReport, what: &str| r.refused.iter().any(|x| x.peer == "dps-1" && x.reason.contains(what));
    assert!(
        said(e, "tried to end the session; only the Edge may"),
        "{:?}",
        e.refused
    );
    assert!(said(e, "vss goes on without it"), "{:?}", e.refused);
    let cp1 = runs.iter().find(|(n, _)| n == "cp-1").unwrap().1.as_ref().unwrap();
    assert!(
        said(cp1, "tried to abort the session; only the Edge may"),
        "{:?}",
        cp1.refused
    );
    // The fake line is kept escaped: no newline from the peer survives into any text.
    for r in [e, cp1] {
        for x in &r.refused {
            assert!(!x.reason.contains('\n'), "{:?}", x.reason);
        }
        assert!(!r.ended.contains("1337"), "{}", r.ended);
    }
}

/// In the paper's modes an abort from a CP host aborts the session for every host.
#[test]
fn in_paper_modes_a_hosts_abort_reaches_every_host() {
    let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    deployment(a.path(), &cfg(VerifyMode::Paper));
    let d = Deployment::load(a.path()).unwrap();
    let digest = deploy::digest(&d, &Roster::load(a.path(), &d).unwrap()).unwrap();
    let mut hs = Vec::new();
    for h in d.hosts.iter().filter(|h| h.name != "dps-2") {
        hs.push(spawn_host(h.name.clone(), host_copy(a.path(), root.path(), &h.name)));
    }
    let tls = Tls::load(a.path(), "cp-3").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = d.host("edge").unwrap().addr.clone();
        let mut s = loop {
            match dial(&tls, "cp-3", "edge", &addr, counters(), digest).await {
                Ok(s) => break s,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let f = Frame::Control(Control::Abort {
            reason: Reason::Stopped { how: "SIGTERM".into() },
        });
        write_frame(&mut s, &f.encode()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    });
    hs.push(spawn_host("dps-2".into(), host_copy(a.path(), root.path(), "dps-2")));
    let runs = join(hs);
    assert!(!no_wrong_result(&runs, &plaintext(a.path()), "CP host's abort"));
    for (name, r) in &runs {
        let r = r.as_ref().unwrap();
        let why = r.failed.as_deref().unwrap_or_default();
        if name == "dps-2" {
            // Started after the abort: it finds no Edge.
            assert!(why.contains("edge"), "{name}: {why}");
            continue;
        }
        assert!(why.contains("cp-3") && why.contains("SIGTERM"), "{name}: {why}");
    }
}

/// A lone Edge (the others never start; it keeps dialling them) with `max_wall`, attacked by
/// `attack` with the deployment's addresses; its report.
fn against_lone_edge(max_wall: Duration, attack: impl AsyncFnOnce(&Deployment, &Path)) -> NodeReport {
    let (a, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Deadlines beyond the attack: the Edge waits for a roster that never comes.
    let long = Timeouts {
        selection_ms: 60_000,
        shares_ms: 60_000,
        round_ms: 60_000,
    };
    deployment_with(a.path(), &cfg(VerifyMode::Vss), long);
    let d = Deployment::load(a.path()).unwrap();
    let dir = host_copy(a.path(), root.path(), "edge");
    let h = spawn_host_with("edge".into(), dir, Duration::from_secs(600), max_wall);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(attack(&d, a.path()));
    let (_, r) = h.join().unwrap();
    r.unwrap()
}

/// Half a ClientHello, then nothing: the Edge closes the connection at the hello deadline
/// (before: open for ever), and ends at `--max-wall` as a whole.
#[test]
fn a_stalled_handshake_is_closed_at_the_hello_deadline() {
    let t0 = std::time::Instant::now();
    let r = against_lone_edge(Duration::from_secs(13), async |d, _| {
        use tokio::io::AsyncWriteExt;
        let addr = d.host("edge").unwrap().addr.clone();
        let mut s = loop {
            match tokio::net::TcpStream::connect(&addr).await {
                Ok(s) => break s,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        // A TLS record header announcing 512 bytes, and 5 of them.
        s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 1, 0, 1, 0xfc, 3])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(12)).await;
    });
    assert!(
        r.refused
            .iter()
            .any(|x| x.peer.starts_with("127.0.0.1:") && x.reason.contains("no TLS handshake and hello within 10 s")),
        "{:?} {:?} {}",
        r.refused,
        r.failed,
        r.ended
    );
    assert!(
        r.failed.as_deref().unwrap_or_default().contains("--max-wall 13 s"),
        "{:?}",
        r.failed
    );
    assert!(t0.elapsed() < Duration::from_secs(25), "{:?}", t0.elapsed());
}

/// A host with a valid certificate sends thousands of refused frames: the connection is
/// closed after a bounded number, and the report keeps a bounded number and counts the rest.
#[test]
fn a_flood_of_refused_frames_is_cut_off_and_counted() {
    let r = against_lone_edge(Duration::from_secs(4), async |d, dir| {
        let digest = deploy::digest(d, &Roster::load(dir, d).unwrap()).unwrap();
        let tls = Tls::load(dir, "dps-1").unwrap();
        let addr = d.host("edge").unwrap().addr.clone();
        for _ in 0..3 {
            let mut s = loop {
                match dial(&tls, "dps-1", "edge", &addr, counters(), digest).await {
                    Ok(s) => break s,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            };
            // As DP 3, whom dps-1 does not host.
            let f = Frame::Msg {
                from: dsmpc_roles::parties::PartyId::Dp(3),
                to: dsmpc_roles::parties::PartyId::Edge,
                bytes: vec![0; 4],
            }
            .encode();
            let mut written = 0;
            for _ in 0..3000 {
                if write_frame(&mut s, &f).await.is_err() {
                    break;
                }
                written += 1;
            }
            assert!(
                written < 3000
                    || tokio::time::timeout(Duration::from_secs(2), async {
                        use tokio::io::AsyncReadExt;
                        let mut b = [0u8; 1];
                        s.read(&mut b).await
                    })
                    .await
                    .is_ok(),
                "the connection stayed open after 3000 refused frames"
            );
        }
    });
    let kept = r.refused.iter().filter(|x| x.peer == "dps-1").count();
    assert!(kept <= dsmpc_net::node::REFUSALS_KEPT, "{kept} refusals kept");
    let more = r.refused_more.get("dps-1").copied().unwrap_or(0);
    assert!(more > 0, "the refusals beyond those kept are not counted");
}
