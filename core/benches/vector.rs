//! Criterion benchmarks of vector shares (`dsmpc_core::vshare`) at k = 10 CPs, threshold
//! t = 5, for d = 10^3, 10^4, 10^5 elements, reported per element (`Throughput::Elements(d)`):
//! `vector/deal` (4 seeds and 6 explicit vectors), `vector/expand` (one seed's vector, and
//! adding it to a running sum in place), `vector/reconstruct` (the aggregate from t vectors)
//! and `vector/off_polynomial` (the k - t further vectors checked against the t).
//!
//! All inputs come from the fixed seed `BENCH_SEED` so runs are comparable.
//! Run: `cargo bench -p dsmpc-core --bench vector`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dsmpc_core::field64::F64;
use dsmpc_core::rng;
use dsmpc_core::vshare::{self, VShare};

/// Seed of every input.
const BENCH_SEED: u64 = 0xD5_4C;
/// CPs.
const K: u64 = 10;
/// Threshold.
const T: usize = 5;
/// Vector lengths.
const DIMS: [usize; 3] = [1_000, 10_000, 100_000];
/// The expansion context.
const CONTEXT: &[u8] = b"bench/task/dp-1";

fn secret(d: usize) -> Vec<F64> {
    let mut r = rng::seeded(BENCH_SEED, "vector/secret");
    (0..d).map(|_| F64::random(&mut r)).collect()
}

/// The k share vectors of a secret of `d` elements (seeds expanded), with their points.
fn share_vectors(d: usize) -> (Vec<u64>, Vec<Vec<F64>>) {
    let points: Vec<u64> = (1..=K).collect();
    let mut r = rng::seeded(BENCH_SEED, "vector/deal");
    let shares = vshare::deal(&secret(d), &points, T, CONTEXT, &mut r).unwrap();
    let ys = shares
        .iter()
        .zip(&points)
        .map(|(s, &x)| s.vector(CONTEXT, x, d).unwrap().to_vec())
        .collect();
    (points, ys)
}

fn deal(c: &mut Criterion) {
    let mut g = c.benchmark_group("vector/deal");
    let points: Vec<u64> = (1..=K).collect();
    for d in DIMS {
        let s = secret(d);
        let mut r = rng::seeded(BENCH_SEED, "vector/deal");
        g.throughput(Throughput::Elements(d as u64));
        g.bench_function(BenchmarkId::from_parameter(d), |b| {
            b.iter(|| vshare::deal(&s, &points, T, CONTEXT, &mut r).unwrap())
        });
    }
    g.finish();
}

fn expand(c: &mut Criterion) {
    let mut g = c.benchmark_group("vector/expand");
    let seed = [0x5e; 32];
    for d in DIMS {
        g.throughput(Throughput::Elements(d as u64));
        g.bench_function(BenchmarkId::new("expand", d), |b| {
            b.iter(|| vshare::expand(&seed, CONTEXT, 3, d))
        });
        let mut acc = secret(d);
        g.bench_function(BenchmarkId::new("add_expanded", d), |b| {
            b.iter(|| vshare::add_expanded(&mut acc, &seed, CONTEXT, 3))
        });
        let share = VShare::Seed(seed.into());
        g.bench_function(BenchmarkId::new("add_to(seed)", d), |b| {
            b.iter(|| share.add_to(&mut acc, CONTEXT, 3).unwrap())
        });
    }
    g.finish();
}

fn reconstruct(c: &mut Criterion) {
    let mut g = c.benchmark_group("vector/reconstruct");
    for d in DIMS {
        let (points, ys) = share_vectors(d);
        let base: Vec<&[F64]> = ys[K as usize - T..].iter().map(|v| v.as_slice()).collect();
        let base_points = &points[K as usize - T..];
        g.throughput(Throughput::Elements(d as u64));
        g.bench_function(BenchmarkId::from_parameter(d), |b| {
            b.iter(|| vshare::reconstruct(base_points, &base).unwrap())
        });
    }
    g.finish();
}

fn off_polynomial(c: &mut Criterion) {
    let mut g = c.benchmark_group("vector/off_polynomial");
    for d in DIMS {
        let (points, ys) = share_vectors(d);
        let base: Vec<&[F64]> = ys[..T].iter().map(|v| v.as_slice()).collect();
        let others: Vec<(u64, &[F64])> = points[T..]
            .iter()
            .copied()
            .zip(ys[T..].iter().map(|v| v.as_slice()))
            .collect();
        g.throughput(Throughput::Elements(d as u64));
        g.bench_function(BenchmarkId::from_parameter(d), |b| {
            b.iter(|| {
                let off = vshare::off_polynomial(&points[..T], &base, &others).unwrap();
                assert!(off.is_empty());
                off
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = deal, expand, reconstruct, off_polynomial }
criterion_main!(benches);
