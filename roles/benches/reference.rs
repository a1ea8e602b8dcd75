//! Side by side with the reference prototype: whole sessions with the reference's suite
//! (P-256) and group size (1024 bits) on the GMP backend, single-threaded, at the two sizes
//! the reference was measured at (n = 20, m = 5, t = 3 and n = 100, m = 10, t = 5), with
//! both crypto providers.
//!
//! Before timing, it prints the sum of all phases' CPU time (median of 7 sessions per
//! provider, the providers interleaved session by session so that both see the same machine)
//! against the reference's sum of phases measured on this machine kind (median of 4 runs:
//! n = 20: 1.512 s; n = 100: 15.10 s) and the ratio, the goal being at least 45x with batch
//! verification. Run: `cargo bench -p dsmpc-roles --features gmp --bench reference`.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{SessionConfig, session};

/// (n, m, t, the reference's sum of phases in seconds on this machine kind).
const SIZES: [(usize, usize, usize, f64); 2] = [(20, 5, 3, 1.512), (100, 10, 5, 15.10)];

fn cfg(n: usize, m: usize, t: usize, verify: VerifyMode, provider: Provider) -> SessionConfig {
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
        suite: SuiteKind::P256,
        provider,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
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

fn ratio_table() {
    eprintln!("\n| size | verify | provider | phases sum (CPU s, median of 7) | reference (s) | speed-up |");
    eprintln!("|---|---|---|---|---|---|");
    for (n, m, t, reference) in SIZES {
        for verify in [VerifyMode::Paper, VerifyMode::Batch] {
            let mut sums: Vec<Vec<f64>> = vec![Vec::new(); Provider::ALL.len()];
            for _ in 0..7 {
                for (i, p) in Provider::ALL.into_iter().enumerate() {
                    sums[i].push(phases_sum(&cfg(n, m, t, verify, p)));
                }
            }
            for (i, p) in Provider::ALL.into_iter().enumerate() {
                sums[i].sort_by(|a, b| a.total_cmp(b));
                let ours = sums[i][3];
                eprintln!(
                    "| n={n} m={m} t={t} | {verify} | {p} | {ours:.4} | {reference} | {:.1}x |",
                    reference / ours
                );
            }
        }
    }
}

fn sessions(c: &mut Criterion) {
    ratio_table();
    let mut g = c.benchmark_group("reference-sizes-p256-g1024");
    for (n, m, t, _) in SIZES {
        common::per_provider(&mut g, &format!("n{n}-m{m}-t{t}"), |p| {
            cfg(n, m, t, VerifyMode::Batch, p)
        });
    }
    g.finish();
}

criterion_group! { name = benches; config = common::config(8); targets = sessions }
criterion_main!(benches);
