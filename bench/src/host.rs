//! What actually ran: git revision, crate version, CPU model and core count, recorded on
//! every row and in `meta.json` (with the host name); and the reference workload whose time normalises
//! measurements across machines and runs (`calibration_s`).

use std::process::Command;

use num_bigint::BigUint;

use crate::rows::Env;

/// The short git revision of the working tree, with `-dirty` if it has changes; `unknown`
/// outside a git checkout. `DSMPC_GIT_REV`, when set, is taken instead: the Slurm job scripts
/// of `cargo xtask sweep --slurm` set it to the revision their binaries were built from, so
/// a checkout that moves on while the jobs wait in the queue does not split the sweep.
pub fn git_rev() -> String {
    if let Some(rev) = std::env::var("DSMPC_GIT_REV").ok().filter(|r| !r.trim().is_empty()) {
        return rev.trim().to_string();
    }
    let out = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match out(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) => {
            let dirty = out(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{rev}-dirty") } else { rev }
        }
        None => "unknown".into(),
    }
}

/// The machine's name (which node of a cluster ran a shard): the kernel's host name, else
/// `$HOSTNAME`, else `unknown`.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The CPU model from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Logical cores available to this process.
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The environment facts for rows.
pub fn env(jobs: usize) -> Env {
    Env {
        jobs,
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        git_rev: git_rev(),
        host_cpu: cpu_model(),
        cores: cores(),
    }
}

/// Thread CPU seconds of a fixed reference workload (twelve 2048-bit modular exponentiations
/// with 256-bit exponents in num-bigint: code the protocol does not own, so a slowdown planted
/// in a phase does not move it). The median of five; the sweep measures it at its start and
/// end and keeps the smaller.
pub fn calibration_seconds() -> f64 {
    let p = (BigUint::from(1u32) << 2047u32) + BigUint::from(1_155u32);
    let e = (BigUint::from(1u32) << 255u32) + BigUint::from(12_345u32);
    let mut samples: Vec<f64> = (0..5)
        .map(|i| {
            let t0 = dsmpc_roles::metrics::thread_cpu_seconds();
            let mut x = BigUint::from(3u32 + i);
            for _ in 0..12 {
                x = x.modpow(&e, &p) + 2u32;
            }
            std::hint::black_box(x);
            dsmpc_roles::metrics::thread_cpu_seconds() - t0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[2]
}

/// Peak resident set size of this process so far (VmHWM), in bytes; `None` off Linux.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
