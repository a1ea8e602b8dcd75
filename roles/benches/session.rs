//! Criterion benchmark of one whole session at n = 100 DPs, m = k = 10 CPs, t = 5, RSA-2048,
//! group-2048, batch verification, per backend and crypto provider
//! (`BenchmarkId::new("{backend}-{provider}", ...)`), seed fixed. Before timing, it prints each
//! phase's measured CPU time against its cost-model bound (unit costs calibrated in the same
//! process, per provider) and the session work of `awslc` over `rustcrypto` (the providers
//! interleaved session by session): the tables in `roles/README.md`.
//!
//! Run: `cargo bench -p dsmpc-roles --features gmp`.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::suite::Provider;
use dsmpc_roles::{SessionConfig, costmodel, session};

fn cfg(backend: BackendKind, provider: Provider) -> SessionConfig {
    SessionConfig {
        n: 100,
        m: 10,
        capacity: 10,
        t: 5,
        rsa_bits: 2048,
        group: dsmpc_core::group::GroupKind::Schnorr(2048),
        backend,
        provider,
        verify: VerifyMode::Batch,
        seed: Some(0xD5_4C),
        ..SessionConfig::default()
    }
}

/// Each provider's phases against its cost model, three sessions each, interleaved; returns
/// each provider's median session work.
fn overhead_tables(backend: BackendKind) -> Vec<f64> {
    let units: Vec<_> = Provider::ALL
        .iter()
        .map(|p| costmodel::calibrate_for(&cfg(backend, *p), false).expect("calibration"))
        .collect();
    let mut runs: Vec<Vec<session::SessionReport>> = vec![Vec::new(); Provider::ALL.len()];
    for _ in 0..3 {
        for (i, p) in Provider::ALL.into_iter().enumerate() {
            runs[i].push(session::run(&cfg(backend, p), None, None).expect("session"));
        }
    }
    let mut work = Vec::new();
    for (i, p) in Provider::ALL.into_iter().enumerate() {
        let runs = &runs[i];
        eprintln!("\n{backend}, {p}: n=100 m=k=10 t=5 RSA-2048 group-2048 batch");
        eprintln!("| phase | instances | measured CPU s | bound s | measured / bound |");
        eprintln!("|---|---|---|---|---|");
        let mut total = (0.0, 0.0);
        for (j, ph) in runs[0].phases.iter().enumerate() {
            let mut times: Vec<f64> = runs.iter().map(|r| r.phases[j].work_cpu_s).collect();
            times.sort_by(|a, b| a.total_cmp(b));
            let bound = units[i].bound(&ph.ops);
            total.0 += times[1];
            total.1 += bound;
            eprintln!(
                "| {} | {} | {:.4} | {:.4} | {:.3} |",
                ph.phase,
                ph.instances,
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
        let mut sums: Vec<f64> = runs
            .iter()
            .map(|r| r.phases.iter().map(|p| p.work_cpu_s).sum())
            .collect();
        sums.sort_by(|a, b| a.total_cmp(b));
        work.push(sums[1]);
    }
    work
}

fn whole_session(c: &mut Criterion) {
    let mut g = c.benchmark_group("session-n100-k10-t5-rsa2048-g2048");
    for backend in BackendKind::available() {
        let work = overhead_tables(backend);
        eprintln!(
            "\n{backend}: session work awslc / rustcrypto = {:.3} / {:.3} = {:.3} (goal: at most 1/3)",
            work[1],
            work[0],
            work[1] / work[0]
        );
        common::per_provider(&mut g, "batch", |p| cfg(backend, p));
    }
    g.finish();
}

criterion_group! { name = benches; config = common::config(20); targets = whole_session }
criterion_main!(benches);
