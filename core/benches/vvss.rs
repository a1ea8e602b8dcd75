//! Criterion benchmarks of vector VSS (`dsmpc_core::vvss`) on ristretto255 at k = 10 CPs,
//! threshold t = 5, reported per element (`Throughput::Elements(d)`):
//!
//! - `vvss/deal`: a DP's whole dealing (4 seeds, 6 explicit share vectors in Z_q, t = 5
//!   commitments of d + 1 terms each);
//! - `vvss/commitment`: one commitment's multiscalar multiplication of d + 1 terms, as dealt
//!   (`constant-time`, curve25519-dalek's `multiscalar_mul`) and as it would cost
//!   variable-time (`vartime`, its `vartime_multiscalar_mul`, not used for secret scalars): the
//!   measured reason the DP's per-element cost is what it is;
//! - `vvss/verify_batch`: a CP's check of 32 DPs' share vectors at once, per DP;
//! - `vvss/verify_results`: the Edge's check of k = 10 sum vectors at once.
//!
//! Inputs come from the fixed seed `BENCH_SEED`. Run: `cargo bench -p dsmpc-core --bench vvss`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{MultiscalarMul, VartimeMultiscalarMul};
use dsmpc_core::backend::Num;
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyElement, AnyGroup, GroupKind};
use dsmpc_core::rng;
use dsmpc_core::vss;
use dsmpc_core::vvss::{self, ShareVec, VDealing, VssShare};

/// Seed of every input.
const BENCH_SEED: u64 = 0xD5_4C;
/// CPs.
const K: u64 = 10;
/// Threshold.
const T: usize = 5;
/// Vector lengths.
const DIMS: [usize; 2] = [1_000, 10_000];
/// DPs a CP checks at once (the roles crate's batch).
const BATCH: usize = 32;
/// The expansion context.
const CONTEXT: &[u8] = b"bench/task/dp-1";

type G = AnyGroup<Num>;

fn group() -> G {
    G::new(GroupKind::Ristretto255).unwrap()
}

fn secret(d: usize, salt: u64) -> Vec<F64> {
    let mut r = rng::seeded(BENCH_SEED ^ salt, "vvss/secret");
    (0..d).map(|_| F64::random(&mut r)).collect()
}

fn dealing(g: &G, d: usize, salt: u64) -> VDealing<Num> {
    let points: Vec<u64> = (1..=K).collect();
    let mut r = rng::seeded(BENCH_SEED ^ salt, "vvss/deal");
    vvss::deal(g, &secret(d, salt), &points, T, CONTEXT, &mut r).unwrap()
}

/// CP x's share of a dealing.
fn share_at(g: &G, dl: &VDealing<Num>, x: u64, d: usize) -> ShareVec<Num> {
    match &dl.shares[(x - 1) as usize] {
        VssShare::Seed(s) => ShareVec::expand(g, s, CONTEXT, x, d),
        VssShare::Explicit(b) => ShareVec::decode(g, b, d).unwrap(),
    }
}

fn deal(c: &mut Criterion) {
    let g = group();
    let mut grp = c.benchmark_group("vvss/deal");
    let points: Vec<u64> = (1..=K).collect();
    for d in DIMS {
        let x = secret(d, 0);
        let mut r = rng::seeded(BENCH_SEED, "vvss/deal");
        grp.throughput(Throughput::Elements(d as u64));
        grp.bench_function(BenchmarkId::from_parameter(d), |b| {
            b.iter(|| vvss::deal(&g, &x, &points, T, CONTEXT, &mut r).unwrap())
        });
    }
}

fn commitment(c: &mut Criterion) {
    let mut grp = c.benchmark_group("vvss/commitment");
    for d in DIMS {
        let points: Vec<RistrettoPoint> = (0..=d as u64)
            .map(|i| dsmpc_core::group::ristretto::hash_to_group(&i.to_le_bytes()))
            .collect();
        let scalars: Vec<Scalar> = (0..=d as u64)
            .map(|i| Scalar::from_bytes_mod_order_wide(&[(i % 251) as u8 + 1; 64]))
            .collect();
        grp.throughput(Throughput::Elements(d as u64));
        grp.bench_function(BenchmarkId::new("constant-time", d), |b| {
            b.iter(|| RistrettoPoint::multiscalar_mul(&scalars, &points))
        });
        grp.bench_function(BenchmarkId::new("vartime", d), |b| {
            b.iter(|| RistrettoPoint::vartime_multiscalar_mul(&scalars, &points))
        });
    }
}

fn verify(c: &mut Criterion) {
    let g = group();
    let mut grp = c.benchmark_group("vvss/verify");
    let d = DIMS[0];
    let x = K;
    let dealings: Vec<VDealing<Num>> = (0..BATCH as u64).map(|i| dealing(&g, d, i)).collect();
    let shares: Vec<ShareVec<Num>> = dealings.iter().map(|dl| share_at(&g, dl, x, d)).collect();
    let items: Vec<(&[AnyElement<Num>], &ShareVec<Num>)> = dealings
        .iter()
        .zip(&shares)
        .map(|(dl, s)| (dl.commitments.as_slice(), s))
        .collect();
    let mut r = rng::seeded(BENCH_SEED, "vvss/verify");
    // Per DP of the batch: elements d each.
    grp.throughput(Throughput::Elements((d * BATCH) as u64));
    grp.bench_function(BenchmarkId::new("batch_of_32", d), |b| {
        b.iter(|| assert!(vvss::verify_batch(&g, x, &items, &mut r)))
    });
    // The Edge: k sums of the batch's dealings against their combined commitments.
    let all: Vec<&[AnyElement<Num>]> = dealings.iter().map(|dl| dl.commitments.as_slice()).collect();
    let combined = vss::combine(&g, &all).unwrap();
    let sums: Vec<ShareVec<Num>> = (1..=K)
        .map(|x| {
            let mut acc = ShareVec::zero(&g, d);
            for dl in &dealings {
                acc.add_assign(&g, &share_at(&g, dl, x, d)).unwrap();
            }
            acc
        })
        .collect();
    let results: Vec<(u64, &ShareVec<Num>)> = (1..=K).zip(&sums).collect();
    grp.throughput(Throughput::Elements(d as u64));
    grp.bench_function(BenchmarkId::new("results_of_10", d), |b| {
        b.iter(|| assert!(vvss::verify_results(&g, &combined, &results, &mut r)))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = deal, commitment, verify }
criterion_main!(benches);
