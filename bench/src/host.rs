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

/// The CPU from /proc/cpuinfo: its model name, then, where the kernel gives them, family,
/// model and stepping and the instruction-set extensions the crypto libraries dispatch on.
/// A virtual machine's name is often just the vendor's line ("AMD EPYC"), while the host
/// under it may change between boots; AWS-LC's RSA-2048, for one, runs about 2.5x faster
/// where `avx512ifma` is present. So two results with the same name but a different
/// bracket come from different hardware, and `reports regress` says so.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| describe_cpu(&t))
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// The extensions named in [`cpu_model`], in this order, when the CPU has them.
const CRYPTO_FLAGS: [&str; 7] = ["aes", "sha_ni", "bmi2", "adx", "avx2", "avx512f", "avx512ifma"];

/// [`cpu_model`] from the text of /proc/cpuinfo (its first processor); `None` without a
/// model name.
fn describe_cpu(cpuinfo: &str) -> Option<String> {
    let first = cpuinfo.split("\n\n").next()?;
    let field = |key: &str| {
        first.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let name = field("model name").filter(|n| !n.is_empty())?;
    let mut id = Vec::new();
    if let (Some(f), Some(m)) = (field("cpu family"), field("model")) {
        let stepping = field("stepping").map(|s| format!(" stepping {s}")).unwrap_or_default();
        id.push(format!("family {f} model {m}{stepping}"));
    }
    if let Some(flags) = field("flags") {
        let have: Vec<&str> = flags.split_whitespace().collect();
        let named: Vec<&str> = CRYPTO_FLAGS.into_iter().filter(|f| have.contains(f)).collect();
        if !named.is_empty() {
            id.push(named.join(" "));
        }
    }
    Some(if id.is_empty() {
        name
    } else {
        format!("{name} [{}]", id.join("; "))
    })
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

#[cfg(test)]
mod tests {
    use super::describe_cpu;

    #[test]
    fn names_family_model_and_crypto_flags() {
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n\
                    model name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: fpu sse2 aes avx2 bmi2 adx avx512f avx512ifma\n\n\
                    processor\t: 1\nmodel name\t: Other\n";
        assert_eq!(
            describe_cpu(text).as_deref(),
            Some("AMD EPYC [family 25 model 17 stepping 1; aes bmi2 adx avx2 avx512f avx512ifma]")
        );
        // Without the x86 fields (an ARM kernel's cpuinfo has no model name at all).
        assert_eq!(describe_cpu("model name\t: Some CPU\n").as_deref(), Some("Some CPU"));
        assert_eq!(describe_cpu("processor\t: 0\nBogoMIPS\t: 50.00\n"), None);
    }
}
