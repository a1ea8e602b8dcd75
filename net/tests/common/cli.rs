//! Helpers for the tests that run the `dsmpc` binary: the binary, the small configuration
//! they run it with, seeds, scratch folders, and the check that a run succeeded.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The small, fast configuration of the CLI tests: RSA-1024 with the `rustcrypto` provider
/// (the only one that offers it), the weak 1024-bit group and the `num` backend.
pub const SMALL: [&str; 8] = [
    "--rsa-bits",
    "1024",
    "--provider",
    "rustcrypto",
    "--group-bits",
    "1024",
    "--backend",
    "num",
];

/// The `dsmpc` binary of this build.
pub fn dsmpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dsmpc"))
}

/// `dsmpc run` with `dps` DPs, `cps` candidate CPs and threshold `t`, in the [`SMALL`]
/// configuration.
pub fn small_run(dps: u32, cps: u32, t: u32) -> Command {
    let mut c = dsmpc();
    c.arg("run")
        .args([
            "--dps",
            &dps.to_string(),
            "--cps",
            &cps.to_string(),
            "-t",
            &t.to_string(),
        ])
        .args(SMALL);
    c
}

/// `--seed S`, or nothing: every run that takes a seed is also tried without one (fresh OS
/// randomness, nothing cached).
pub fn seed(s: Option<&'static str>) -> Vec<&'static str> {
    s.map_or_else(Vec::new, |s| vec!["--seed", s])
}

/// A fresh scratch folder `dsmpc-<test>-<pid>-<name>` (emptied if it was there).
pub fn tmp(test: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-{test}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The standard output of a run that must have succeeded; `what` names the run if it did not
/// (the message shows both streams).
pub fn succeeded(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// What [`interrupt_run`] saw.
pub struct Interrupted {
    /// The run's exit status.
    pub status: std::process::ExitStatus,
    /// Its standard error.
    pub stderr: String,
    /// The processes it had started (its children) when it was interrupted.
    pub children: Vec<u32>,
    /// The deployment directory its hosts were started with (`--deployment DIR`).
    pub deployment: Option<PathBuf>,
    /// The run's pid.
    pub pid: u32,
}

/// The `--deployment DIR` of process `pid`'s command line.
fn deployment_of(pid: u32) -> Option<PathBuf> {
    let c = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<&[u8]> = c.split(|b| *b == 0).collect();
    let i = args.iter().position(|a| *a == b"--deployment")?;
    Some(PathBuf::from(String::from_utf8_lossy(args.get(i + 1)?).into_owned()))
}

/// The `dsmpc node` processes whose parent is `pid` (from `/proc`; in `netns`, `ip netns exec`
/// becomes the node, so helper commands such as `ip link` are not counted).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/status")).is_ok_and(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("PPid:"))
                    .is_some_and(|v| v.trim() == pid.to_string())
            })
        })
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).nth(1) == Some(b"node".as_slice()))
        })
        .collect()
}

/// Whether `pid` is still a live process (not gone, not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .is_ok_and(|s| !s.lines().any(|l| l.starts_with("State:") && l.contains("zombie")))
}

/// Start `dsmpc run --net NET` (n = 300: 6 DP hosts, 5 CPs, t = 3, small configuration; 13
/// hosts) in a process group of its own, wait until it has started its 13 hosts and a little
/// more, then press Ctrl-C as a terminal does (SIGINT to the whole group) and wait up to a
/// minute for it to end. With `whole_group` false, only the run itself gets SIGINT (`kill -INT
/// PID`), so its hosts stop only if it stops them.
pub fn interrupt_run(net: &str, whole_group: bool) -> Interrupted {
    signal_run(net, libc::SIGINT, whole_group)
}

/// [`interrupt_run`] with signal `sig` instead of SIGINT. With SIGKILL the run cannot clean
/// up: this returns once it is gone, whatever its hosts do.
pub fn signal_run(net: &str, sig: i32, whole_group: bool) -> Interrupted {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let hosts = 13;
    let mut cmd = small_run(300, 5, 3);
    cmd.args(["--net", net, "--seed", "5"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().expect("start dsmpc run");
    let pid = child.id();
    let start = Instant::now();
    let mut children = Vec::new();
    while children.len() < hosts {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "dsmpc run --net {net} started {} of {hosts} processes in a minute",
            children.len()
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("dsmpc run --net {net} ended ({status}) before it could be interrupted");
        }
        std::thread::sleep(Duration::from_millis(20));
        for c in children_of(pid) {
            if !children.contains(&c) {
                children.push(c);
            }
        }
    }
    // Mid-session, not mid-start: the hosts are up and dealing.
    std::thread::sleep(Duration::from_millis(300));
    for c in children_of(pid) {
        if !children.contains(&c) {
            children.push(c);
        }
    }
    let deployment = children.iter().find_map(|c| deployment_of(*c));
    // SAFETY: kill(2) on the group this test made; no memory is involved.
    let target = if whole_group { -(pid as i32) } else { pid as i32 };
    let rc = unsafe { libc::kill(target, sig) };
    assert_eq!(rc, 0, "signal {sig} to the run (whole group: {whole_group})");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for dsmpc run") {
            break s;
        }
        if Instant::now() > deadline {
            // SAFETY: as above; the test fails below.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
            panic!("dsmpc run --net {net} did not end within a minute of signal {sig}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    // Give orphans (if any) a moment to be reaped before the caller looks.
    std::thread::sleep(Duration::from_millis(200));
    Interrupted {
        status,
        stderr,
        children,
        deployment,
        pid,
    }
}

/// [`signal_run`] with SIGINT or SIGTERM to the run alone, then what it must show: exit 128 +
/// the signal (130, 143), an error that says it was interrupted, none of its host processes
/// running and its deployment directory (every private key) removed.
pub fn signalled_leaves_nothing(net: &str, sig: i32) {
    use std::os::unix::process::ExitStatusExt;
    let r = signal_run(net, sig, false);
    assert_eq!(
        r.status.code(),
        Some(128 + sig),
        "exit status after signal {sig} ({:?}): {}",
        r.status.signal(),
        r.stderr
    );
    assert!(
        r.stderr.contains("interrupted"),
        "the error should say so: {}",
        r.stderr
    );
    let left: Vec<u32> = r.children.iter().copied().filter(|p| alive(*p)).collect();
    assert!(
        left.is_empty(),
        "host processes left running after signal {sig}: {left:?}"
    );
    let dir = r.deployment.expect("the hosts' command lines name their deployment");
    assert!(
        !dir.exists(),
        "the deployment {} (private keys) was left behind",
        dir.display()
    );
}

/// Kill `dsmpc run --net NET` with SIGKILL mid-session: its hosts must die with it (within 5
/// s). Returns its pid and its deployment directory, which it could not remove.
pub fn killed_run(net: &str) -> (u32, PathBuf) {
    use std::time::{Duration, Instant};
    let r = signal_run(net, libc::SIGKILL, false);
    let t = Instant::now();
    while r.children.iter().any(|p| alive(*p)) && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<u32> = r.children.iter().copied().filter(|p| alive(*p)).collect();
    assert!(
        left.is_empty(),
        "hosts outlived their controller killed with SIGKILL: {left:?}"
    );
    (
        r.pid,
        r.deployment.expect("the hosts' command lines name their deployment"),
    )
}

/// [`interrupt_run`], then what every interrupted run must show: a failure that says it was
/// interrupted, and none of the host processes it started still running.
pub fn interrupted_leaves_no_host(net: &str, whole_group: bool) {
    let r = interrupt_run(net, whole_group);
    assert!(!r.status.success(), "an interrupted run must not report success");
    assert!(
        r.stderr.contains("interrupted"),
        "the error should say the run was interrupted: {}",
        r.stderr
    );
    let left: Vec<u32> = r.children.iter().copied().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "host processes left running after Ctrl-C: {left:?}");
}
