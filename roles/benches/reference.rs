//! Side by side with the reference prototype: whole sessions, single-threaded, at the two
//! sizes the reference was measured at (n = 20, m = 5, t = 3 and n = 100, m = 10, t = 5), with
//! both crypto providers, in the configurations the goals name:
//!
//! - **reference**: the reference's own suite (P-256) and group (schnorr-1024) on the GMP
//!   backend, paper and batch verification; goal at least 45x with batch;
//! - **group swapped**: P-256 with ristretto255, batch; goal at most 1/50 of the reference's
//!   sum of phases at both sizes;
//! - **fastest**: the x25519 suite with ristretto255, batch; goal at most 1/100 at n = 100.
//!   It runs where this build's suites include x25519; otherwise the bench says it skipped it.
//!
//! The reference's figures depend on the host (`shared/reference/figures.md`), so the bench
//! reads this host's CPU, names the host kind whose figures it uses and sets each median
//! against that kind's figure; on a host of no known kind it prints the ratio against every
//! known kind, each named. Before timing, it prints the sum of all phases' CPU time (median
//! of 7 sessions per provider, the providers interleaved session by session so that both see
//! the same machine). Run: `cargo bench -p dsmpc-roles --features gmp --bench reference`
//! (add `-- nomatch` to print the table and skip the timing).

mod common;
mod hosts;

use criterion::{Criterion, criterion_group, criterion_main};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{SessionConfig, session};
use hosts::{Cpu, HostKind};

/// (n, m, t) of the reference's two measured sizes.
const SIZES: [(usize, usize, usize); 2] = [(20, 5, 3), (100, 10, 5)];

/// One configuration of the goals.
struct Setup {
    label: &'static str,
    /// The Criterion group's name.
    id: &'static str,
    suite: SuiteKind,
    group: GroupKind,
    verifies: &'static [VerifyMode],
    /// The least speed-up the goal asks for with batch verification.
    goal: f64,
    /// Only at this n, when the goal names one size.
    goal_n: Option<usize>,
}

/// The configurations this build can run: the fastest one only where the x25519 suite exists.
fn setups() -> Vec<Setup> {
    let mut s = vec![
        Setup {
            label: "reference",
            id: "reference-sizes-p256-g1024",
            suite: SuiteKind::P256,
            group: GroupKind::Schnorr(1024),
            verifies: &[VerifyMode::Paper, VerifyMode::Batch],
            goal: 45.0,
            goal_n: None,
        },
        Setup {
            label: "group swapped",
            id: "reference-sizes-p256-ristretto255",
            suite: SuiteKind::P256,
            group: GroupKind::Ristretto255,
            verifies: &[VerifyMode::Batch],
            goal: 50.0,
            goal_n: None,
        },
    ];
    match "x25519".parse::<SuiteKind>() {
        Ok(suite) => s.push(Setup {
            label: "fastest",
            id: "reference-sizes-x25519-ristretto255",
            suite,
            group: GroupKind::Ristretto255,
            verifies: &[VerifyMode::Batch],
            goal: 100.0,
            goal_n: Some(100),
        }),
        Err(_) => eprintln!("fastest (x25519 + ristretto255): skipped, this build has no x25519 suite"),
    }
    s
}

fn cfg(s: &Setup, (n, m, t): (usize, usize, usize), verify: VerifyMode, provider: Provider) -> SessionConfig {
    let backend = if BackendKind::Gmp.is_available() {
        BackendKind::Gmp
    } else {
        BackendKind::Num
    };
    SessionConfig {
        n,
        m,
        capacity: m,
        t,
        suite: s.suite,
        provider,
        group: s.group,
        backend,
        verify,
        seed: Some(7),
        ..SessionConfig::default()
    }
}

fn phases_sum(c: &SessionConfig) -> f64 {
    session::run(c, None, None)
        .expect("session")
        .phases
        .iter()
        .map(|p| p.work_cpu_s)
        .sum()
}

/// Median of 7 sums of phases per provider, the providers interleaved session by session.
fn medians(s: &Setup, size: (usize, usize, usize), verify: VerifyMode) -> Vec<f64> {
    let mut sums: Vec<Vec<f64>> = vec![Vec::new(); Provider::ALL.len()];
    for _ in 0..7 {
        for (i, p) in Provider::ALL.into_iter().enumerate() {
            sums[i].push(phases_sum(&cfg(s, size, verify, p)));
        }
    }
    sums.into_iter()
        .map(|mut v| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[3]
        })
        .collect()
}

/// The reference and speed-up cells: against this host kind's figure, or against every
/// known kind's, each named, on an unknown host.
fn against(host: Option<&HostKind>, (n, m, t): (usize, usize, usize), ours: f64) -> (String, f64) {
    let kinds: Vec<&HostKind> = match host {
        Some(h) => vec![h],
        None => hosts::KNOWN.iter().collect(),
    };
    let cells: Vec<(String, f64)> = kinds
        .iter()
        .filter_map(|h| h.figure(n, m, t).map(|r| (h, r)))
        .map(|(h, r)| (format!("{r} s ({}): {:.1}x", h.name, r / ours), r / ours))
        .collect();
    let least = cells.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    (cells.into_iter().map(|c| c.0).collect::<Vec<_>>().join("; "), least)
}

fn ratio_table(setups: &[Setup], host: Option<&HostKind>) {
    eprintln!(
        "\n| configuration | size | verify | provider | phases sum (CPU s, median of 7) | reference (s, host kind): speed-up | goal |"
    );
    eprintln!("|---|---|---|---|---|---|---|");
    for s in setups {
        for size in SIZES {
            for &verify in s.verifies {
                for (ours, p) in medians(s, size, verify).into_iter().zip(Provider::ALL) {
                    let (cell, least) = against(host, size, ours);
                    let applies = verify == VerifyMode::Batch && s.goal_n.is_none_or(|n| n == size.0);
                    let goal = match (applies, least >= s.goal) {
                        (false, _) => "-".to_string(),
                        (true, met) => format!("{}x: {}", s.goal, if met { "met" } else { "not met" }),
                    };
                    let (n, m, t) = size;
                    eprintln!(
                        "| {} ({}, {}) | n={n} m={m} t={t} | {verify} | {p} | {ours:.4} | {cell} | {goal} |",
                        s.label, s.suite, s.group
                    );
                }
            }
        }
    }
}

fn sessions(c: &mut Criterion) {
    hosts::self_check();
    let cpu = Cpu::this_host();
    let host = HostKind::detect(&cpu);
    eprintln!("\nthis host: {}", cpu.describe());
    match host {
        Some(h) => eprintln!("reference figures used: those measured on the {} host kind", h.name),
        None => eprintln!("not a host kind with reference figures: ratios against every known kind, each named"),
    }
    let setups = setups();
    ratio_table(&setups, host);
    for s in setups {
        let mut g = c.benchmark_group(s.id);
        for size in SIZES {
            let (n, m, t) = size;
            common::per_provider(&mut g, &format!("n{n}-m{m}-t{t}"), |p| {
                cfg(&s, size, VerifyMode::Batch, p)
            });
        }
        g.finish();
    }
}

criterion_group! { name = benches; config = common::config(8); targets = sessions }
criterion_main!(benches);
