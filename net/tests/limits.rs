//! Bounds before work and exit codes of the `dsmpc` binary: sizes beyond the documented limits
//! (`--dps`, `--cps`, `--threads`, a values line, a values file) are refused with exit code 2
//! and a short error before anything is allocated; bad `--log` targets (a missing directory, a
//! path whose parent is a file, a `/proc` entry, a read-only file, a directory, a FIFO, a
//! device node, a symbolic link) are refused up front with exit code 2, leaving nothing
//! written or replaced; a protocol outcome with too few CPs selected is exit code 1 with a
//! message that says so.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dsmpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dsmpc"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small valid session; `extra` adds flags or overrides the defaults.
fn run(extra: &[&str]) -> Output {
    let mut args = vec!["run"];
    for (flag, value) in [
        ("--dps", "3"),
        ("--cps", "3"),
        ("-t", "2"),
        ("--seed", "1"),
        ("--rsa-bits", "1024"),
        ("--provider", "rustcrypto"),
        ("--group-bits", "1024"),
        ("--backend", "num"),
    ] {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend(extra);
    dsmpc().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sizes_beyond_the_limits_are_bad_input_not_an_abort() {
    for (flags, want) in [
        (vec!["--dps", "4000000000"], "--dps 4000000000 is too large"),
        (vec!["--dps", "1000001"], "at most 1000000 DPs"),
        (vec!["--cps", "70000"], "at most 1000 candidate CPs"),
        (vec!["--capacity", "5000"], "at most 1000 candidate CPs"),
        (vec!["--threads", "100000"], "threads must be between 1 and 1024"),
    ] {
        let o = run(&flags);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(want), "{flags:?}: {err}");
        assert!(err.len() < 300, "{flags:?}: a short error, got {} bytes", err.len());
    }
}

#[test]
fn a_values_line_of_five_megabytes_is_refused_before_parsing_with_a_short_error() {
    let d = tmp("values");
    let values = d.join("values.txt");
    let mut text = String::from("1\n");
    text.push_str(&"9".repeat(5_000_000));
    text.push_str("\n3\n");
    std::fs::write(&values, text).unwrap();
    // 6,000 DPs: the file is within the size bound, so the line bound is what refuses it.
    let o = run(&["--dps", "6000", "--values", values.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 2") && err.contains("longer than 1024 bytes"),
        "{err}"
    );
    assert!(
        err.len() < 400,
        "the error quotes a bounded part of the line: {} bytes",
        err.len()
    );
    // A file far larger than n values can need is refused before it is read.
    std::fs::write(&values, "7\n".repeat(2_000_000)).unwrap();
    let o = run(&["--values", values.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is larger than"), "{err}");
}

/// Refused with exit code 2 naming the target; nothing beside it.
fn refused(target: &Path, want: &str) {
    let o = run(&["--log", target.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{}: {err}", target.display());
    assert!(
        err.contains("--log") && err.contains(want),
        "{}: {err}",
        target.display()
    );
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("MATCH"),
        "refused before the run"
    );
    for ext in ["partial", "failed"] {
        let mut s = target.as_os_str().to_owned();
        s.push(format!(".{ext}"));
        assert!(
            std::fs::symlink_metadata(PathBuf::from(&s)).is_err(),
            "{} left behind",
            PathBuf::from(s).display()
        );
    }
}

#[test]
fn bad_log_targets_are_refused_up_front_and_nothing_is_written() {
    let d = tmp("log");
    refused(&d.join("missing").join("flow.log"), "No such file");
    let file = d.join("plain");
    std::fs::write(&file, "x").unwrap();
    refused(&file.join("flow.log"), "is not a directory");
    refused(Path::new("/proc/dsmpc-limits-test.log"), "cannot create");
    refused(Path::new("/proc/self/status"), "read-only");
    let ro = d.join("readonly.log");
    std::fs::write(&ro, "keep").unwrap();
    let mut perm = std::fs::metadata(&ro).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&ro, perm).unwrap();
    refused(&ro, "read-only");
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), "keep");
    let dir = d.join("adir");
    std::fs::create_dir(&dir).unwrap();
    refused(&dir, "is a directory");
    assert!(std::fs::metadata(&dir).unwrap().is_dir());
    let fifo = d.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    refused(&fifo, "not a regular file");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // A device node (a private copy of /dev/null where the user may create one, else /dev/null
    // itself, which a refused run must leave a device).
    let dev = d.join("null");
    let c = std::ffi::CString::new(dev.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) } == 0;
    let dev = if made { dev } else { PathBuf::from("/dev/null") };
    refused(&dev, "not a regular file");
    assert!(std::fs::symlink_metadata(&dev).unwrap().file_type().is_char_device());
    let link = d.join("link.log");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    refused(&link, "symbolic link");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn a_good_log_target_replaces_only_a_regular_file_when_the_run_succeeds() {
    let d = tmp("good");
    let log = d.join("flow.log");
    std::fs::write(&log, "old").unwrap();
    let o = run(&["--log", log.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with('{') && text.contains("\"phase\""), "{text}");
    assert!(!d.join("flow.log.partial").exists());
}

#[test]
fn too_few_cps_selected_after_bad_signatures_is_a_run_failure_that_says_so() {
    let o = run(&["--inject", "bad-signature:cp=1", "--inject", "bad-signature:cp=2"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("only 1 CPs were selected, fewer than t = 2"), "{err}");
    assert!(!err.contains("invalid"), "{err}");
}
