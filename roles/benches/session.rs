//! Criterion benchmark of one whole session at n = 100 DPs, m = k = 10 CPs, t = 5, RSA-2048,
//! group-2048, batch verification, per backend (`BenchmarkId::new(backend, ...)`), seed fixed.
//! Before timing, it prints each phase's measured CPU time against its cost-model bound (unit
//! costs calibrated in the same process): the table in `roles/README.md`.
//!
//! Run: `cargo bench -p dsmpc-roles --features gmp`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::{SessionConfig, costmodel, session};

fn cfg(backend: BackendKind) -> SessionConfig {
    SessionConfig {
        n: 100,
        m: 10,
        capacity: 10,
        t: 5,
        rsa_bits: 2048,
        group_bits: 2048,
        backend,
        verify: VerifyMode::Batch,
        seed: Some(0xD5_4C),
        ..SessionConfig::default()
    }
}

fn overhead_table(backend: BackendKind) {
    let c = cfg(backend);
    let units = costmodel::calibrate_for(&c, false).expect("calibration");
    // Median of three sessions per phase.
    let runs: Vec<_> = (0..3).map(|_| session::run(&c, None, None).expect("session")).collect();
    eprintln!("\n{backend}: n=100 m=k=10 t=5 RSA-2048 group-2048 batch");
    eprintln!("| phase | instances | measured CPU s | bound s | measured / bound |");
    eprintln!("|---|---|---|---|---|");
    let mut total = (0.0, 0.0);
    for (i, p) in runs[0].phases.iter().enumerate() {
        let mut times: Vec<f64> = runs.iter().map(|r| r.phases[i].work_cpu_s).collect();
        times.sort_by(|a, b| a.total_cmp(b));
        let bound = units.bound(&p.ops);
        total.0 += times[1];
        total.1 += bound;
        eprintln!(
            "| {} | {} | {:.4} | {:.4} | {:.3} |",
            p.phase,
            p.instances,
            times[1],
            bound,
            times[1] / bound
        );
    }
    eprintln!(
        "| total | | {:.4} | {:.4} | {:.3} |",
        total.0,
        total.1,
        total.0 / total.1
    );
}

fn whole_session(c: &mut Criterion) {
    let mut g = c.benchmark_group("session-n100-k10-t5-rsa2048-g2048");
    for backend in BackendKind::available() {
        overhead_table(backend);
        let conf = cfg(backend);
        g.bench_function(BenchmarkId::new(backend.name(), "batch"), |b| {
            b.iter(|| session::run(&conf, None, None).unwrap())
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20))
}

criterion_group! { name = benches; config = config(); targets = whole_session }
criterion_main!(benches);
