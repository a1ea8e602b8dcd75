//! Per-party protocol keys in deployments (`dsmpc deploy init`, `dsmpc node`): a deployment
//! without a seed runs to the right sum as processes; each host directory holds its own
//! parties' private keys and no other's (private modes); a node given another party's key
//! file, another deployment's, a corrupt one or no host directory refuses, naming the file
//! (exit 2); a seeded deployment is deterministic (same roster and values for the same seed)
//! and records its seed.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::net::deploy::{self, Deployment, Layout, Roster};
use dsmpc_roles::net::process::{self, ProcessOptions};
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::{SessionConfig, values};

const EXE: &str = env!("CARGO_BIN_EXE_dsmpc");

fn cfg(n: usize, verify: VerifyMode, seed: Option<u64>) -> SessionConfig {
    SessionConfig {
        n,
        m: 3,
        capacity: 3,
        t: 2,
        rsa_bits: 1024,
        group_bits: 1024,
        backend: BackendKind::Num,
        verify,
        seed,
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

/// A deployment of `c` in `dir`, 10 DPs to a host, free ports on 127.0.0.1.
fn init(dir: &Path, c: &SessionConfig) -> Deployment {
    let layout = Layout {
        dps_per_host: 10,
        addrs: vec!["127.0.0.1".into()],
        base_port: 0,
    };
    deploy::init(dir, c, quick(), &layout).unwrap()
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
    let c = cfg(20, VerifyMode::Batch, None);
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
    let d = init(a.path(), &cfg(25, VerifyMode::Vss, None));
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
fn node(dir: &Path, host: &str) -> (Option<i32>, String) {
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
    let c = cfg(20, VerifyMode::Vss, None);
    init(a.path(), &c);
    init(b.path(), &c);
    let hosts = a.path().join("hosts");

    // CP 2's encryption key put in CP 1's place.
    let target = hosts.join("cp-1/vid1-enc.key");
    std::fs::copy(hosts.join("cp-2/vid2-enc.key"), &target).unwrap();
    let (code, err) = node(a.path(), "cp-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&target.display().to_string()) && err.contains("party vid2, not vid1"),
        "{err}"
    );

    // CP 1's own key from another deployment: right party, not the roster's key.
    std::fs::copy(b.path().join("hosts/cp-1/vid1-enc.key"), &target).unwrap();
    let (code, err) = node(a.path(), "cp-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&target.display().to_string()) && err.contains("not the one") && err.contains("roster.toml"),
        "{err}"
    );

    // A DP's signing key cut short.
    let dp = hosts.join("dps-1/dp3-sign.key");
    let bytes = std::fs::read(&dp).unwrap();
    std::fs::write(&dp, &bytes[..bytes.len() - 5]).unwrap();
    let (code, err) = node(a.path(), "dps-1");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&dp.display().to_string()), "{err}");

    // The Edge's copy of the Cloud's key removed.
    let edge_key = hosts.join("edge/cloud-enc.key");
    std::fs::remove_file(&edge_key).unwrap();
    let (code, err) = node(a.path(), "edge");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&edge_key.display().to_string()), "{err}");

    // A machine given only the shared files: no host directory.
    let cloud = hosts.join("cloud");
    std::fs::remove_dir_all(&cloud).unwrap();
    let (code, err) = node(a.path(), "cloud");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&cloud.display().to_string()) && err.contains("copy hosts/cloud/"),
        "{err}"
    );

    // A DP host's values file swapped for a shorter one.
    let v = hosts.join("dps-2/values");
    std::fs::write(&v, "1\n2\n").unwrap();
    let (code, err) = node(a.path(), "dps-2");
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
    let seeded = cfg(20, VerifyMode::Vss, Some(31));
    let d = init(a.path(), &seeded);
    init(b.path(), &seeded);
    init(c.path(), &cfg(20, VerifyMode::Vss, Some(32)));
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
    let want = dsmpc_roles::session::values_of(&seeded).unwrap();
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
        .args([
            "--dps",
            "12",
            "--cps",
            "3",
            "-t",
            "2",
            "--rsa-bits",
            "1024",
            "--group-bits",
            "1024",
            "--backend",
            "num",
            "--provider",
            "rustcrypto",
            "--dps-per-host",
            "6",
        ])
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
