//! Side by side with the reference prototype: whole sessions with the reference's suite
//! (P-256) and group size (1024 bits) on the GMP backend, single-threaded, at the two sizes
//! the reference was measured at (n = 20, m = 5, t = 3 and n = 100, m = 10, t = 5).
//!
//! Before timing, it prints the sum of all phases' CPU time (median of 7 sessions) against the
//! reference's sum of phases on a 2-core machine of the same kind (n = 20: 1.76 s, from
//! `shared/reference/d_smpc_protocol_flow.log`; n = 100: 7.3 s + 10.4 s = 17.7 s) and the
//! ratio, the goal being at least 40x. Run: `cargo bench -p dsmpc-roles --features gmp --bench
//! reference`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::suite::SuiteKind;
use dsmpc_roles::{SessionConfig, session};

/// (n, m, t, the reference's sum of phases in seconds).
const SIZES: [(usize, usize, usize, f64); 2] = [(20, 5, 3, 1.7617), (100, 10, 5, 17.7)];

fn cfg(n: usize, m: usize, t: usize, verify: VerifyMode) -> SessionConfig {
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
        group_bits: 1024,
        backend,
        verify,
        seed: Some(7),
        ..SessionConfig::default()
    }
}

fn ratio_table() {
    eprintln!("\n| size | verify | phases sum (CPU s, median of 7) | reference (s) | speed-up |");
    eprintln!("|---|---|---|---|---|");
    for (n, m, t, reference) in SIZES {
        for verify in [VerifyMode::Paper, VerifyMode::Batch] {
            let c = cfg(n, m, t, verify);
            let mut sums: Vec<f64> = (0..7)
                .map(|_| {
                    session::run(&c, None, None)
                        .expect("session")
                        .phases
                        .iter()
                        .map(|p| p.work_cpu_s)
                        .sum()
                })
                .collect();
            sums.sort_by(|a, b| a.total_cmp(b));
            let ours = sums[3];
            eprintln!(
                "| n={n} m={m} t={t} | {verify} | {ours:.4} | {reference} | {:.1}x |",
                reference / ours
            );
        }
    }
}

fn sessions(c: &mut Criterion) {
    ratio_table();
    let mut g = c.benchmark_group("reference-sizes-p256-g1024");
    for (n, m, t, _) in SIZES {
        let conf = cfg(n, m, t, VerifyMode::Batch);
        g.bench_function(BenchmarkId::new(conf.backend.name(), format!("n{n}-m{m}-t{t}")), |b| {
            b.iter(|| session::run(&conf, None, None).unwrap())
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
}

criterion_group! { name = benches; config = config(); targets = sessions }
criterion_main!(benches);
