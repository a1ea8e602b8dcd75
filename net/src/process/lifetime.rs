//! How the hosts of `run --net process` and `netns` end with their controller: SIGINT and
//! SIGTERM caught ([`caught_signal`], checked by the controller's loops through
//! [`interrupted`]), children that die with the thread that started them ([`die_with_parent`]),
//! and what a controller killed with SIGKILL left, recognised by the pid in its name and
//! removed by the next run ([`reap_deployments`]; `netns` reaps its namespaces likewise).

use std::path::{Path, PathBuf};
use std::process::Command;

use dsmpc_roles::error::{Result, RolesError};

/// Makes the child of `cmd` die (SIGKILL) when the thread that starts it ends, so that a
/// controller killed with SIGKILL leaves no host behind; a child whose parent died before this
/// took effect exits at once. (`ip netns exec` keeps the setting when it executes the host.)
pub fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: between fork and exec only async-signal-safe calls (prctl, getppid).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(std::io::Error::other("the controller is gone"));
            }
            Ok(())
        });
    }
}

/// The signal (SIGINT or SIGTERM) that stopped a controller, 0 while none has: it then stops,
/// and every child, namespace, link and the deployment directory are removed on the way out.
static SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNAL.store(sig, std::sync::atomic::Ordering::SeqCst);
}

pub(super) fn catch_signals() {
    // SAFETY: the handler only stores into an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// The signal that stopped a controller of this process (SIGINT or SIGTERM), if one did:
/// `dsmpc run` then exits 128 + the signal's number (130, 143).
pub fn caught_signal() -> Option<i32> {
    match SIGNAL.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

pub(crate) fn interrupted() -> Result<()> {
    match caught_signal() {
        None => Ok(()),
        Some(s) => Err(RolesError::Stalled(format!(
            "interrupted ({}): every host stopped, the deployment removed",
            if s == libc::SIGTERM {
                "SIGTERM"
            } else {
                "SIGINT, Ctrl-C"
            }
        ))),
    }
}

/// Whether process `pid` exists (a zombie counts; a pid of another user's process too).
pub(crate) fn pid_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    pid > 0
        && (unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH))
}

/// The prefix of a controller's temporary deployment directory: `dsmpc-deploy-PID-`.
pub(super) const DEPLOY_PREFIX: &str = "dsmpc-deploy-";

/// Remove the temporary deployment directories (in `tmp`) that controllers killed with SIGKILL
/// left: `dsmpc-deploy-PID-*` owned by this user whose PID no longer runs. Returns what it
/// removed.
pub fn reap_deployments(tmp: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DEPLOY_PREFIX))
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
        else {
            continue;
        };
        let ours = std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_dir() && m.uid() == me);
        if ours && !pid_alive(pid) && std::fs::remove_dir_all(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed
}
