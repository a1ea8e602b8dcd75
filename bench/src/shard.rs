//! Shards: one sweep split across machines. `--shard I/N` (1-based, like cargo-nextest's
//! `--partition count:I/N`) runs the I-th of N disjoint parts of a grid; `--shard auto` takes I
//! (and N) from a cluster scheduler's environment (Slurm job arrays, Kubernetes Indexed Jobs).
//!
//! Which points go to which shard is a pure function of the grid and N, so every shard
//! computes the same assignment on its own, on any machine, with no coordination: points are
//! ordered by an estimated cost computed from their sizes in integer arithmetic (no measured
//! timing, which would differ between machines), then each goes to the shard with the least
//! estimated work so far (longest-processing-time first). Ties break by grid order and shard
//! number. Every point lands in exactly one shard; a shard can be empty when N exceeds the
//! number of points.
//!
//! Each shard writes its own folder `shard-I-of-N/` under the sweep folder (see
//! [`Shard::folder`]) with the usual files, and resumes like a whole sweep; `crate::merge`
//! validates and joins them.

use std::fmt;
use std::str::FromStr;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::SessionConfig;
use dsmpc_roles::suite::SuiteKind;

use crate::error::{BenchError, Result};
use crate::grid::{Grid, Point};
use dsmpc_net::NetSpec;

/// One shard of a sweep: number `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// A shard, checked: `1 <= index <= count`.
    pub fn new(index: usize, count: usize) -> Result<Shard> {
        if count == 0 {
            return Err(BenchError::Shards("--shard I/N: N must be at least 1".into()));
        }
        if index == 0 || index > count {
            return Err(BenchError::Shards(format!(
                "--shard {index}/{count}: I must be between 1 and {count} (shards are numbered from 1)"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The shard's folder inside the sweep folder: `shard-I-of-N`.
    pub fn folder(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// Parse a folder name written by [`Shard::folder`].
    pub fn from_folder(name: &str) -> Option<Shard> {
        let rest = name.strip_prefix("shard-")?;
        let (i, n) = rest.split_once("-of-")?;
        let (i, n) = (i.parse().ok()?, n.parse().ok()?);
        Shard::new(i, n).ok()
    }

    /// Resolve `--shard auto` or `auto/N` from the environment (see [`ShardSpec`]).
    pub fn from_env(count: Option<usize>, env: impl Fn(&str) -> Option<String>) -> Result<Shard> {
        let num = |name: &str| -> Result<Option<usize>> {
            match env(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<usize>()
                    .map(Some)
                    .map_err(|_| BenchError::Shards(format!("--shard auto: {name}={v:?} is not a number"))),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            // Slurm: task ids are the shard numbers themselves (submit with --array=1-N).
            if id == 0 {
                return Err(BenchError::Shards(
                    "--shard auto: SLURM_ARRAY_TASK_ID is 0, but shards are numbered from 1: submit the array with --array=1-N"
                        .into(),
                ));
            }
            let n = match count {
                Some(n) => n,
                None => num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                    BenchError::Shards(
                        "--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give the count with --shard auto/N".into(),
                    )
                })?,
            };
            if count.is_none() && num("SLURM_ARRAY_TASK_MIN")? != Some(1) {
                return Err(BenchError::Shards(
                    "--shard auto: this array does not run tasks 1..=N (SLURM_ARRAY_TASK_MIN is not 1), so its size is not \
                     the number of shards; give it with --shard auto/N"
                        .into(),
                ));
            }
            return Shard::new(id, n).map_err(|e| BenchError::Shards(format!("--shard auto (Slurm task {id}): {e}")));
        }
        if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            // Kubernetes Indexed Job: 0-based index; the completions are not in the
            // environment, so they come from auto/N or DSMPC_SHARD_COUNT.
            let n = match count {
                Some(n) => n,
                None => num("DSMPC_SHARD_COUNT")?.ok_or_else(|| {
                    BenchError::Shards(
                        "--shard auto: JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but the number of completions \
                         is not in the environment; give it with --shard auto/N or DSMPC_SHARD_COUNT=N"
                            .into(),
                    )
                })?,
            };
            return Shard::new(i + 1, n)
                .map_err(|e| BenchError::Shards(format!("--shard auto (Kubernetes index {i}): {e}")));
        }
        Err(BenchError::Shards(
            "--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes \
             Indexed Job) is set; give the shard as --shard I/N"
                .into(),
        ))
    }
}

/// `--shard` as given on the command line: `I/N`, `auto` or `auto/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    /// An explicit shard.
    Fixed(Shard),
    /// From the scheduler's environment, with the count given or from the environment.
    Auto(Option<usize>),
}

impl FromStr for ShardSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("--shard {s:?}: give I/N (1-based, e.g. 2/4), auto, or auto/N");
        let s = s.trim();
        if s == "auto" {
            return Ok(ShardSpec::Auto(None));
        }
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(format!("--shard {s:?}: N must be at least 1"));
        }
        if i.trim() == "auto" {
            return Ok(ShardSpec::Auto(Some(n)));
        }
        let i: usize = i.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n).map(ShardSpec::Fixed).map_err(|e| e.to_string())
    }
}

impl ShardSpec {
    /// The shard this process runs (reading the process environment for `auto`).
    pub fn resolve(self) -> Result<Shard> {
        match self {
            ShardSpec::Fixed(s) => Ok(s),
            ShardSpec::Auto(n) => Shard::from_env(n, |k| std::env::var(k).ok()),
        }
    }
}

/// Estimated cost of one repetition of a point, in rough microseconds of one core, from its
/// sizes only (deterministic: the same on every machine). Counts the operations that dominate
/// a session: per share (n x k) one encryption, one decryption and the DP's and CP's PVSS
/// exponentiations for the verification mode; per DP t commitments; per CP the
/// authentication. Unit costs scale with the cube of the RSA size (private-key operations),
/// its square (public-key ones), and the square of the group size; num-bigint counts twice
/// GMP. Only the ratios between points matter. Against the measured work CPU of the committed
/// regression baseline (`reports/baselines/current`, 12 points, both backends, paper, batch
/// and vss, 2048-bit sizes), estimate and measurement agree within about 25%. A vector session
/// adds about 70 ns per field element of each share (dealing, sealing, opening, adding): the
/// `vectors` preset's n = 100, d = 10^5 and n = 1,000, d = 10^4 points (k = 10) took 8.5 s and
/// 5.7 s more than their d = 1 twins on the project's 2-core VM.
pub fn estimated_cost(p: &SessionConfig) -> u64 {
    let (n, k, m, t) = (p.n as u128, p.capacity.min(p.m) as u128, p.m as u128, p.t as u128);
    let (dec, enc) = match p.suite {
        SuiteKind::Rsa => {
            let r = p.rsa_bits as u128;
            (300 * r * r * r / (1024 * 1024 * 1024), 30 * r * r / (1024 * 1024))
        }
        SuiteKind::P256 => (150, 150),
        // A guess from the micro-benchmarks (X25519 key generation plus agreement about 35 us
        // with aws-lc-rs, plus the KDF and AES-GCM), not yet measured in sessions.
        SuiteKind::X25519 => (60, 60),
    };
    let backend = match p.backend {
        BackendKind::Gmp => 1,
        BackendKind::Num => 2,
    };
    // A variable-base exponentiation (256-bit exponent) in the group; fixed-base ones cost a
    // third with their tables. ristretto255: about 30 us a variable-base multiplication.
    let var: u128 = match p.group.schnorr_bits() {
        Some(bits) => backend * 100 * u128::from(bits) * u128::from(bits) / (1024 * 1024),
        None => 30,
    };
    let fixed = var.div_ceil(3);
    let cp_check = match p.verify {
        VerifyMode::Paper => (t + 4) * var,
        VerifyMode::Fast => 4 * var,
        VerifyMode::Batch => var,
        VerifyMode::Vss => 2 * var,
    };
    let shares = n * k;
    let per_share = enc + dec + 2 * fixed + cp_check;
    let elements = if p.is_vector() {
        p.func_spec().elements() as u128
    } else {
        0
    };
    let total = shares * per_share + n * t * fixed + m * 2 * (enc + dec) + 1000 + shares * elements * 70 / 1000;
    u64::try_from(total).unwrap_or(u64::MAX)
}

/// [`estimated_cost`] of a point with its network: `process` and `netns` points also start a
/// process per host (the Cloud, the Edge, each CP, and one per [`crate::grid::DPS_PER_HOST`]
/// DPs), each with its keys, certificate and TLS connections, about 0.25 s of a core here (the
/// `net` preset's n = 20, m = 10 process point: 3.8 s a repetition against 0.4 s in memory,
/// 13 hosts), and `netns` a namespace, a veth pair and a qdisc per host besides. `sim` costs
/// what `memory` does (its one TLS measurement per point is small).
pub fn estimated_point_cost(p: &Point) -> u64 {
    let hosts = 2 + p.m as u64 + (p.n as u64).div_ceil(crate::grid::DPS_PER_HOST as u64);
    let per_host = match p.net {
        NetSpec::Process => 250_000,
        NetSpec::Netns(_) => 300_000,
        _ => 0,
    };
    estimated_cost(p).saturating_add(hosts.saturating_mul(per_host))
}

/// Assign the grid's points to `count` shards: for each shard, the indices (into
/// `grid.points`) of its points, in grid order. Deterministic, disjoint and complete;
/// balanced by [`estimated_point_cost`] (longest first, each to the least-loaded shard).
pub fn assign(grid: &Grid, count: usize) -> Vec<Vec<usize>> {
    let count = count.max(1);
    let mut order: Vec<(u64, usize)> = grid
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (estimated_point_cost(p), i))
        .collect();
    // Most expensive first; equal costs in grid order.
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut load = vec![0u128; count];
    let mut shards: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (cost, i) in order {
        // Least loaded; the lowest shard number on ties.
        let s = (0..count).min_by_key(|&s| (load[s], s)).unwrap_or(0);
        load[s] += u128::from(cost);
        shards[s].push(i);
    }
    for s in &mut shards {
        s.sort_unstable();
    }
    shards
}

/// The part of `grid` that `shard` runs: the same grid with only its points (in grid order).
pub fn select(grid: &Grid, shard: Shard) -> Grid {
    let parts = assign(grid, shard.count);
    let mut g = grid.clone();
    g.points = parts[shard.index - 1].iter().map(|&i| grid.points[i].clone()).collect();
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{self, Overrides, PRESETS};

    #[test]
    fn specs_parse() {
        assert_eq!(
            "2/4".parse::<ShardSpec>(),
            Ok(ShardSpec::Fixed(Shard { index: 2, count: 4 }))
        );
        assert_eq!("auto".parse::<ShardSpec>(), Ok(ShardSpec::Auto(None)));
        assert_eq!("auto/8".parse::<ShardSpec>(), Ok(ShardSpec::Auto(Some(8))));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3", "", "auto/0", "1/2/3"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad:?} accepted");
        }
        let e = "0/4".parse::<ShardSpec>().unwrap_err();
        assert!(e.contains("numbered from 1"), "{e}");
    }

    #[test]
    fn folders_round_trip() {
        let s = Shard::new(3, 12).unwrap();
        assert_eq!(s.folder(), "shard-3-of-12");
        assert_eq!(Shard::from_folder("shard-3-of-12"), Some(s));
        assert_eq!(Shard::from_folder("shard-13-of-12"), None);
        assert_eq!(Shard::from_folder("figures"), None);
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ]);
        assert_eq!(Shard::from_env(None, slurm).unwrap(), Shard { index: 3, count: 4 });
        // A single task resubmitted (--array=3): the count must be given.
        let resubmitted = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
        ]);
        assert!(Shard::from_env(None, resubmitted).is_err());
        assert_eq!(
            Shard::from_env(Some(4), resubmitted).unwrap(),
            Shard { index: 3, count: 4 }
        );
        let zero = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4")]);
        assert!(
            Shard::from_env(None, zero)
                .unwrap_err()
                .to_string()
                .contains("--array=1-N")
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("DSMPC_SHARD_COUNT", "5")]);
        assert_eq!(Shard::from_env(None, k8s).unwrap(), Shard { index: 1, count: 5 });
        let k8s = env(&[("JOB_COMPLETION_INDEX", "4")]);
        assert!(Shard::from_env(None, k8s).is_err());
        assert_eq!(Shard::from_env(Some(5), k8s).unwrap(), Shard { index: 5, count: 5 });
        assert!(Shard::from_env(Some(4), k8s).is_err(), "index 5 of 4");
        let none = env(&[]);
        let e = Shard::from_env(None, none).unwrap_err().to_string();
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID") && e.contains("JOB_COMPLETION_INDEX"),
            "{e}"
        );
    }

    /// Every preset, split 1 to 40 ways: disjoint, complete, and no shard with more than
    /// the largest point above the average load.
    #[test]
    fn assignments_are_disjoint_complete_and_balanced() {
        let ov = Overrides {
            backend: Some(vec![BackendKind::Num, BackendKind::Gmp]),
            ..Overrides::default()
        };
        for (name, text) in PRESETS {
            let g = grid::expand(text, name, &ov).unwrap();
            for count in 1..=40 {
                let parts = assign(&g, count);
                assert_eq!(parts.len(), count);
                let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
                all.sort_unstable();
                assert_eq!(all, (0..g.points.len()).collect::<Vec<_>>(), "{name} / {count}");
                assert_eq!(parts, assign(&g, count), "deterministic");
                // The cost `assign` balances: with the hosts of process and netns points.
                let cost = |s: &Vec<usize>| s.iter().map(|&i| estimated_point_cost(&g.points[i])).sum::<u64>();
                let total: u64 = parts.iter().map(cost).sum();
                let largest = g.points.iter().map(estimated_point_cost).max().unwrap();
                for s in &parts {
                    assert!(
                        cost(s) <= total / count as u64 + largest,
                        "{name} / {count}: unbalanced"
                    );
                }
            }
        }
    }

    #[test]
    fn costs_grow_with_sizes() {
        let base = SessionConfig {
            n: 100,
            m: 10,
            capacity: 10,
            t: 5,
            ..SessionConfig::default()
        };
        let bigger_n = SessionConfig { n: 200, ..base.clone() };
        let bigger_rsa = SessionConfig {
            rsa_bits: 4096,
            ..base.clone()
        };
        let paper = SessionConfig {
            verify: VerifyMode::Paper,
            ..base.clone()
        };
        assert!(estimated_cost(&bigger_n) > estimated_cost(&base));
        assert!(estimated_cost(&bigger_rsa) > estimated_cost(&base));
        assert!(estimated_cost(&paper) > estimated_cost(&base));
        let vector = |dim| SessionConfig { dim, ..base.clone() };
        assert_eq!(estimated_cost(&vector(1)), estimated_cost(&base));
        assert!(estimated_cost(&vector(100_000)) > estimated_cost(&vector(1_000)));
        assert!(estimated_cost(&vector(1_000)) > estimated_cost(&base));
        // A session over processes costs its hosts' start-up on top; sim as much as memory.
        let on = |net: NetSpec| estimated_point_cost(&Point { cfg: base.clone(), net });
        assert_eq!(on(NetSpec::Memory), estimated_cost(&base));
        assert_eq!(on(NetSpec::Sim("lan".into())), on(NetSpec::Memory));
        assert!(on(NetSpec::Process) > on(NetSpec::Memory));
        assert!(on(NetSpec::Netns("lan".into())) > on(NetSpec::Process));
    }
}
