//! Criterion benchmarks of the math, both backends side by side in every group
//! (`BenchmarkId::new(backend, size)`): modular exponentiation (variable base, fixed-base
//! table with constant-time lookups as the protocol uses it and the variable-time path for
//! public exponents, the backend's constant-time path) per group size; Shamir split and reconstruct vs t; PVSS attachment
//! and verification per packet, paper-literal vs fast vs batched (batch of 100).
//!
//! All inputs come from the fixed seed `BENCH_SEED` so runs are comparable.
//! Run: `cargo bench -p dsmpc-core --features gmp` (add `-- pvss` to pick a group).

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, CpKeyPair};

type Packet<'a, B> = pvss::Packet<'a, B, SchnorrGroup<B>>;
use dsmpc_core::rng;
use dsmpc_core::shamir;

/// Seed of every input.
const BENCH_SEED: u64 = 0xD5_4C;

fn modexp_for<B: Backend>(c: &mut Criterion, bits_list: &[u32]) {
    let mut g = c.benchmark_group("modexp");
    for &bits in bits_list {
        let group = SchnorrGroup::<B>::standard(bits).unwrap();
        let mut r = rng::seeded(BENCH_SEED, "modexp");
        let e = group.zq().random(&mut r);
        let base = group.pow(group.g(), &group.zq().random(&mut r));
        let name = B::KIND.name();
        g.bench_function(BenchmarkId::new(format!("{name}/variable"), bits), |b| {
            b.iter(|| group.pow(&base, &e))
        });
        let table = group.g_table();
        g.bench_function(BenchmarkId::new(format!("{name}/fixed-base"), bits), |b| {
            b.iter(|| group.pow_g(&e))
        });
        g.bench_function(BenchmarkId::new(format!("{name}/fixed-base-vartime"), bits), |b| {
            b.iter(|| table.pow_vartime(&group, &e))
        });
        g.bench_function(BenchmarkId::new(format!("{name}/secret"), bits), |b| {
            b.iter(|| group.pow_secret(&base, &e))
        });
    }
    g.finish();
}

fn shamir_for<B: Backend>(c: &mut Criterion) {
    let mut g = c.benchmark_group("shamir");
    let group = SchnorrGroup::<B>::standard(2048).unwrap();
    let zq = group.zq();
    for t in [2usize, 5, 11, 20] {
        let points: Vec<u64> = (1..=(2 * t) as u64).collect();
        let mut r = rng::seeded(BENCH_SEED, "shamir");
        let secret = zq.random(&mut r);
        let name = B::KIND.name();
        g.bench_function(BenchmarkId::new(format!("{name}/split(2t points)"), t), |b| {
            b.iter(|| shamir::split(zq, &secret, t, &points, &mut r).unwrap())
        });
        let shares = shamir::split(zq, &secret, t, &points, &mut r).unwrap();
        g.bench_function(BenchmarkId::new(format!("{name}/reconstruct"), t), |b| {
            b.iter(|| shamir::reconstruct(zq, &shares, t).unwrap())
        });
    }
    g.finish();
}

fn pvss_for<B: Backend>(c: &mut Criterion, bits: u32) {
    let mut g = c.benchmark_group(format!("pvss-{bits}"));
    let group = SchnorrGroup::<B>::standard(bits).unwrap();
    group.g_table();
    group.h_table();
    let mut r = rng::seeded(BENCH_SEED, "pvss");
    let keys = CpKeyPair::generate(&group, &mut r);
    keys.pk_table(&group);
    let name = B::KIND.name();
    let y = group.zq().random(&mut r);
    g.bench_function(BenchmarkId::new(name, "attach/paper"), |b| {
        b.iter(|| pvss::attach_paper(&group, keys.pk(), &y, &mut r))
    });
    g.bench_function(BenchmarkId::new(name, "attach/fast"), |b| {
        b.iter(|| pvss::attach_fast(&group, keys.pk(), &y, &mut r))
    });
    let ys: Vec<B::Int> = (0..100).map(|_| group.zq().random(&mut r)).collect();
    let atts: Vec<_> = ys
        .iter()
        .map(|y| pvss::attach_fast(&group, keys.pk(), y, &mut r))
        .collect();
    let packets: Vec<Packet<'_, B>> = ys.iter().zip(&atts).map(|(y, att)| Packet { y, att }).collect();
    // Per packet in every case: the batch group verifies 100 packets per iteration.
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new(name, "verify/paper"), |b| {
        b.iter(|| pvss::verify_paper(&group, &keys, packets[7]).unwrap())
    });
    g.bench_function(BenchmarkId::new(name, "verify/fast"), |b| {
        b.iter(|| pvss::verify_fast(&group, &keys, packets[7]).unwrap())
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function(BenchmarkId::new(name, "verify/batch-100"), |b| {
        b.iter(|| pvss::verify_batch(&group, &keys, &packets, &mut r).unwrap())
    });
    g.finish();
}

fn modexp(c: &mut Criterion) {
    modexp_for::<Num>(c, &[1024, 2048, 3072, 4096]);
    #[cfg(feature = "gmp")]
    modexp_for::<dsmpc_core::backend::Gmp>(c, &[1024, 2048, 3072, 4096]);
}

fn shamir_bench(c: &mut Criterion) {
    shamir_for::<Num>(c);
    #[cfg(feature = "gmp")]
    shamir_for::<dsmpc_core::backend::Gmp>(c);
}

fn pvss_bench(c: &mut Criterion) {
    pvss_for::<Num>(c, 2048);
    #[cfg(feature = "gmp")]
    pvss_for::<dsmpc_core::backend::Gmp>(c, 2048);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = modexp, shamir_bench, pvss_bench }
criterion_main!(benches);
