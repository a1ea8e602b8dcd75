//! What a networked host and run are given, checked before the session: `deployment.toml`,
//! `ca.pem` and key files that are a FIFO or a device are refused at once naming the file
//! (never a hang or an endless read), an oversized file by its size; a host directory or key
//! file open to others is refused with the `chmod` that fixes it; a node given another host's
//! certificate, an expired one, or a key that is not its certificate's, says so at start-up;
//! `--report` into a missing directory is refused before the session; `deploy init --addr
//! IP:PORT` is refused pointing to `--base-port`. And the inputs and log of a networked run: `--values FILE` for
//! `run --net process` and `deploy init`, and `run --net process --log FILE` writing the same
//! message lines as `--net memory` for the same seed and values.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::{dsmpc, small_run, succeeded, tmp};
use dsmpc_net::deploy::{self, Deployment};

const EXE: &str = env!("CARGO_BIN_EXE_dsmpc");

/// A small seeded deployment (n = 5, 3 CPs, t = 2) written by `dsmpc deploy init` in `dir`.
fn deployment(dir: &Path, extra: &[&str]) -> std::process::Output {
    dsmpc()
        .args(["deploy", "init"])
        .arg(dir)
        .args(["--dps", "5", "--cps", "3", "-t", "2"])
        .args(common::cli::SMALL)
        .args(["--seed", "9"])
        .args(extra)
        .output()
        .unwrap()
}

/// `dsmpc node` for `host` of `dir` with `extra` arguments: its exit code and stderr, or a
/// failure if it has not ended within 20 s (a hang on a FIFO, an endless read).
fn node(dir: &Path, host: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut c = Command::new(EXE)
        .args(["node", "--connect-timeout", "1", "--max-wall", "5", "--deployment"])
        .arg(dir)
        .args(["--host", host])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while c.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(20) {
            let _ = c.kill();
            let _ = c.wait();
            panic!("dsmpc node --host {host} hung (20 s)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = c.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fresh(name: &str) -> std::path::PathBuf {
    let d = tmp("net-files", name).join("d");
    succeeded(&deployment(&d, &[]), "deploy init");
    d
}

fn mkfifo(p: &Path) {
    let _ = std::fs::remove_file(p);
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", p.display());
}

fn refused(dir: &Path, host: &str, want: &[&str]) {
    let (code, err) = node(dir, host, &[]);
    assert_eq!(code, Some(2), "{err}");
    for w in want {
        assert!(err.contains(w), "the error should say {w:?}: {err}");
    }
}

#[test]
fn a_fifo_or_a_device_in_place_of_a_file_is_refused_at_once_by_name() {
    let d = fresh("fifo");
    mkfifo(&d.join("deployment.toml"));
    refused(&d, "cp-1", &["deployment.toml", "a FIFO"]);

    let d = fresh("zero");
    std::fs::remove_file(d.join("ca.pem")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("ca.pem")).unwrap();
    refused(&d, "cp-1", &["ca.pem", "a device"]);

    let d = fresh("keyfifo");
    let key = deploy::host_dir(&d, "cp-1").join("key.pem");
    mkfifo(&key);
    refused(&d, "cp-1", &["key.pem", "a FIFO"]);

    let d = fresh("roster");
    mkfifo(&d.join("roster.toml"));
    refused(&d, "cp-1", &["roster.toml", "a FIFO"]);
}

#[test]
fn an_oversized_ca_file_is_refused_by_its_size() {
    let d = fresh("big");
    let f = std::fs::File::options().append(true).open(d.join("ca.pem")).unwrap();
    f.set_len(2 << 20).unwrap();
    refused(&d, "cp-1", &["ca.pem", "bytes, more than"]);
}

#[test]
fn open_host_directories_and_key_files_are_refused_with_the_fix() {
    let d = fresh("perm-dir");
    let hd = deploy::host_dir(&d, "cp-1");
    std::fs::set_permissions(&hd, std::fs::Permissions::from_mode(0o777)).unwrap();
    refused(&d, "cp-1", &["hosts/cp-1", "chmod 700"]);

    let d = fresh("perm-key");
    let key = deploy::host_dir(&d, "cp-1").join("key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o666)).unwrap();
    refused(&d, "cp-1", &["key.pem", "chmod 600"]);

    // A protocol key file (not the TLS key) likewise.
    let d = fresh("perm-proto");
    let hd = deploy::host_dir(&d, "cp-1");
    let proto = std::fs::read_dir(&hd)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "key"))
        .expect("cp-1 holds protocol key files");
    std::fs::set_permissions(&proto, std::fs::Permissions::from_mode(0o640)).unwrap();
    refused(&d, "cp-1", &[proto.file_name().unwrap().to_str().unwrap(), "chmod 600"]);
}

#[test]
fn a_node_with_another_hosts_certificate_or_a_mismatched_key_says_so_at_start_up() {
    let d = fresh("cert");
    let (cp1, cp2) = (deploy::host_dir(&d, "cp-1"), deploy::host_dir(&d, "cp-2"));
    std::fs::copy(cp2.join("cert.pem"), cp1.join("cert.pem")).unwrap();
    std::fs::copy(cp2.join("key.pem"), cp1.join("key.pem")).unwrap();
    refused(&d, "cp-1", &["cert.pem", "not host cp-1's"]);

    let d = fresh("keymatch");
    let (cp1, cp2) = (deploy::host_dir(&d, "cp-1"), deploy::host_dir(&d, "cp-2"));
    std::fs::copy(cp2.join("key.pem"), cp1.join("key.pem")).unwrap();
    let (code, err) = node(&d, "cp-1", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cert.pem") && err.to_lowercase().contains("key"), "{err}");

    // Another deployment's CA.
    let d = fresh("ca");
    let other = fresh("ca-other");
    std::fs::copy(other.join("ca.pem"), d.join("ca.pem")).unwrap();
    refused(&d, "cp-1", &["cert.pem", "not host cp-1's"]);
}

/// A certificate for `cp-1` from a CA of the test's own whose validity ended in 2001, written
/// with that CA into deployment `d` (the chain and the name are right; only the date is not).
fn expired_cp1(d: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let issuer = rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().unwrap()).unwrap();
    let mut p = rcgen::CertificateParams::new(vec!["cp-1".to_string()]).unwrap();
    p.not_before = rcgen::date_time_ymd(2000, 1, 1);
    p.not_after = rcgen::date_time_ymd(2001, 1, 1);
    p.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &issuer).unwrap();
    std::fs::write(d.join("ca.pem"), issuer.pem()).unwrap();
    let hd = deploy::host_dir(d, "cp-1");
    std::fs::write(hd.join("cert.pem"), cert.pem()).unwrap();
    let _ = std::fs::remove_file(hd.join("key.pem"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(hd.join("key.pem"))
        .unwrap();
    std::io::Write::write_all(&mut f, key.serialize_pem().as_bytes()).unwrap();
}

#[test]
fn a_node_with_an_expired_certificate_says_so_at_start_up() {
    let d = fresh("expired");
    expired_cp1(&d);
    refused(&d, "cp-1", &["cert.pem", "not host cp-1's", "expired"]);
}

#[test]
fn a_report_into_a_missing_directory_is_refused_before_the_session() {
    let d = fresh("report");
    let target = d.join("no-such-dir").join("r.json");
    let t = Instant::now();
    let (code, err) = node(&d, "cp-1", &["--report", target.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--report") && err.contains("does not exist"), "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "refused only after {:?}",
        t.elapsed()
    );
}

#[test]
fn deploy_init_refuses_an_address_with_a_port() {
    let d = tmp("net-files", "addr").join("d");
    for addr in ["127.0.0.1:99", "[::1]:7100", "host.example:80"] {
        let out = deployment(&d, &["--addr", addr]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{addr}: {err}");
        assert!(err.contains(addr) && err.contains("--base-port"), "{err}");
        assert!(!d.join("deployment.toml").exists(), "{addr}: a deployment was written");
    }
}

#[test]
fn deploy_init_takes_the_values_and_checks_them() {
    let base = tmp("net-files", "values");
    let values = base.join("values.txt");
    std::fs::write(&values, "# five\n25\n20\n31\n79\n61\n").unwrap();
    let d = base.join("d");
    succeeded(
        &deployment(&d, &["--values", values.to_str().unwrap()]),
        "deploy init --values",
    );
    let dep = Deployment::load(&d).unwrap();
    let got: Vec<String> = deploy::values(&d, &dep)
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(got, ["25", "20", "31", "79", "61"]);

    for (text, want) in [
        ("1\n2\n", "has 2 values but --dps is 5"),
        ("1\n2\n3\n4\n4294967296\n", "too large"),
    ] {
        std::fs::write(&values, text).unwrap();
        let bad = base.join("bad");
        let out = deployment(&bad, &["--values", values.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(want) && err.contains("values.txt"), "{err}");
        assert!(!bad.join("deployment.toml").exists());
    }
}

/// The message lines of a JSON Lines log, as a multiset of (src, dst, kind, bytes).
fn message_lines(log: &Path) -> BTreeMap<(String, String, String, u64), usize> {
    let mut m = BTreeMap::new();
    for l in std::fs::read_to_string(log).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v.get("phase").is_some() || v.get("event").is_some() || v.get("result").is_some() {
            continue;
        }
        let key = (
            v["src"].as_str().unwrap().to_string(),
            v["dst"].as_str().unwrap().to_string(),
            v["kind"].as_str().unwrap().to_string(),
            v["bytes"].as_u64().unwrap(),
        );
        *m.entry(key).or_default() += 1;
    }
    m
}

/// `run --net process --values FILE --log FILE`: the sum of the values given, and a log with
/// the same message lines as `--net memory` for the same seed and values (`index_assign`
/// logged to `CP(VID=v)` in both).
#[test]
fn a_process_run_takes_values_and_logs_what_a_memory_run_logs() {
    let base = tmp("net-files", "log");
    let values = base.join("values.txt");
    std::fs::write(&values, "25\n20\n31\n79\n61\n7\n").unwrap();
    let (mut logs, mut results) = (Vec::new(), Vec::new());
    for net in ["memory", "process"] {
        let log = base.join(format!("{net}.log"));
        let out = small_run(6, 3, 2)
            .args(["--net", net, "--seed", "4", "--dps-per-process", "2", "--values"])
            .arg(&values)
            .arg("--log")
            .arg(&log)
            .output()
            .unwrap();
        let stdout = succeeded(&out, net);
        assert!(stdout.contains("reconstructed  sum = 223 "), "{net}: {stdout}");
        logs.push(message_lines(&log));
        let text = std::fs::read_to_string(&log).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        results.push(last["result"].clone());
    }
    // Both logs end with the same result line.
    assert_eq!(results[0]["sum"], "223", "{}", results[0]);
    assert_eq!(results[0], results[1], "the result lines differ");
    assert!(!logs[1].is_empty(), "the process run's log has no message line");
    assert_eq!(
        logs[0], logs[1],
        "the process run's log lines differ from the memory run's"
    );
    let assigns: Vec<_> = logs[1].keys().filter(|k| k.2 == "index_assign").collect();
    assert_eq!(assigns.len(), 3);
    assert!(assigns.iter().all(|k| k.1.starts_with("CP(VID=")), "{assigns:?}");
}
