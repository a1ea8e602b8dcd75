//! The cost model: unit costs of every counted operation, measured in the same run, and the
//! lower bound `sum(count x unit cost)` that a phase's measured time is compared against.
//!
//! Units are measured as thread CPU time, as medians over several batches, on the same group,
//! backend, crypto provider and keys the session uses (the suite's `enc`, `dec`, `sign` and
//! `sig_verify` are calibrated per provider: [`calibrate_for`] goes through the same dispatch
//! as a session), so `measured / bound` isolates what the protocol code
//! adds on top of its expensive operations (encoding, hashing, allocation, bookkeeping).
//!
//! The DPs' commitment signatures of `vss` mode (`dp_sign`, `dp_sig_verify`) are Ed25519 with
//! the x25519 suite and ECDSA P-256 with the others ([`crate::keys::DpScheme`]), whatever the
//! provider, so they are calibrated separately from the suite's `sign` and `sig_verify`, in
//! every run, with the same functions the parties call. `pk_decode` is the
//! suite's decoding of a public encryption key from its wire bytes (P-256: a point
//! decompression).
//!
//! Vector sessions add per-element units ([`vector`]): F64 draws and multiply-adds, AEAD bytes,
//! and for `vss` Z_q draws and multiplications and the terms of full-width multiscalar
//! multiplications, so that a vector session's bound grows with d as its work does.
//!
//! Under valgrind's callgrind each calibration loop is also one labelled dump, so that
//! `cargo xtask icount-model` can price the phases in instructions as well (see [`time_op`]).

use std::collections::BTreeMap;

use dsmpc_core::backend::Backend;
use dsmpc_core::counters::{Op, OpCounts};
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup, SchnorrGroup};
use dsmpc_core::pvss::CpKeyPair;
use dsmpc_core::rng::{self, RngSource};

use crate::error::{Result, RolesError};
use crate::keys::{self, DpKeys, DpScheme};
use crate::metrics::{callgrind, thread_cpu_seconds};
use crate::suite::CipherSuite;
use crate::wire::Commitments;

mod vector;

/// Seconds per operation, by kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitCosts(pub BTreeMap<Op, f64>);

impl UnitCosts {
    /// Unit cost of one kind (0 if not measured).
    pub fn get(&self, op: Op) -> f64 {
        self.0.get(&op).copied().unwrap_or(0.0)
    }

    /// `sum(count x unit)`.
    pub fn bound(&self, ops: &OpCounts) -> f64 {
        ops.iter().map(|(op, c)| c as f64 * self.get(op)).sum()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median over `batches` of the per-call CPU time of `f` run `per_batch` times.
///
/// Under valgrind's callgrind the calls after the warm-up are also one dump labelled
/// `dsmpc-unit:<op>:<units>`, where `units` is the number of `op` they performed (`per_call` per
/// call): the instruction counterpart of the unit cost, which `cargo xtask icount-model`
/// divides out.
fn time_op(op: Op, per_call: usize, batches: usize, per_batch: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up (allocations, lazily built tables)
    let mut samples = Vec::with_capacity(batches);
    callgrind::zero_stats();
    for _ in 0..batches {
        let t0 = thread_cpu_seconds();
        for _ in 0..per_batch {
            f();
        }
        samples.push((thread_cpu_seconds() - t0) / per_batch as f64);
    }
    callgrind::dump(&format!("dsmpc-unit:{}:{}", op.name(), batches * per_batch * per_call));
    median(samples)
}

/// Measure every unit cost for this backend, group and suite. `quick` uses fewer samples
/// (for tests and short sweeps).
pub fn calibrate<B: Backend, S: CipherSuite>(
    group: &AnyGroup<B>,
    suite: &S,
    enc_sk: &S::EncPrivate,
    sign_sk: &S::SignPrivate,
    quick: bool,
) -> Result<UnitCosts> {
    let mut r = rng::seeded(0x0ca1_1b8a, "calibrate");
    let (batches, scale) = if quick { (3, 1) } else { (7, 3) };
    let mut units = BTreeMap::new();
    calibrate_group(&mut units, group, &mut r, batches, scale);
    calibrate_suite(&mut units, suite, (enc_sk, sign_sk), &mut r, batches, scale)?;
    calibrate_dp_signatures(
        &mut units,
        DpScheme::for_suite(S::KIND),
        group.element_len(),
        batches,
        scale,
    )?;
    vector::calibrate_vectors(&mut units, group, batches, scale);
    Ok(UnitCosts(units))
}

/// The group's operations, on the group's own path: [`calibrate_schnorr`] for a Schnorr group,
/// [`calibrate_curve`] for ristretto255.
fn calibrate_group<B: Backend>(
    units: &mut BTreeMap<Op, f64>,
    group: &AnyGroup<B>,
    r: &mut rng::DsmpcRng,
    batches: usize,
    scale: usize,
) {
    match group.schnorr() {
        Some(g) => calibrate_schnorr(units, g, r, batches, scale),
        None => calibrate_curve(units, group, r, batches, scale),
    }
}

/// A curve group's operations through the group trait, as the parties call them (each call is
/// also counted, which costs a thread-local increment): variable- and secret-scalar
/// multiplication, fixed-base (half on a PVSS key's table, half on g's), a multiscalar term
/// with small scalars, and an element decoding (the curve's element check).
fn calibrate_curve<B: Backend>(
    units: &mut BTreeMap<Op, f64>,
    group: &AnyGroup<B>,
    r: &mut rng::DsmpcRng,
    batches: usize,
    scale: usize,
) {
    let zq = group.zq();
    let base = group.mul_g(&zq.random(r));
    let exps: Vec<B::Int> = (0..16).map(|_| zq.random(r)).collect();
    let keys = CpKeyPair::generate(group, r);
    let mut k = 0usize;
    let mut next = || {
        k = (k + 1) % exps.len();
        k
    };
    let mut unit = |op: Op, per_batch: usize, f: &mut dyn FnMut(usize)| {
        units.insert(op, time_op(op, 1, batches, per_batch * scale, || f(next())));
    };
    unit(Op::VartimeMul, 4, &mut |i| {
        drop(std::hint::black_box(group.vartime_mul(&base, &exps[i])))
    });
    unit(Op::SecretMul, 4, &mut |i| {
        drop(std::hint::black_box(group.mul_secret(&base, &exps[i])))
    });
    let table = keys.pk_table(group);
    unit(Op::FixedBaseMul, 8, &mut |i| {
        let x = if i % 2 == 0 {
            group.mul_table(table, &exps[i])
        } else {
            group.mul_g(&exps[i])
        };
        drop(std::hint::black_box(x));
    });
    let bases: Vec<_> = exps
        .iter()
        .cycle()
        .take(64)
        .map(|e| group.vartime_mul(&base, e))
        .collect();
    let encoded: Vec<Vec<u8>> = bases.iter().map(|b| group.encode_element(b)).collect();
    unit(Op::ElementCheck, 16, &mut |i| {
        drop(std::hint::black_box(group.parse_element(&encoded[i])))
    });
    let refs: Vec<_> = bases.iter().collect();
    let small: Vec<u64> = (0..64).map(|_| rand_core::Rng::next_u64(r) | 1).collect();
    let per_term = time_op(Op::MultiscalarTerm, bases.len(), batches, scale, || {
        std::hint::black_box(group.vartime_multiscalar_mul_small(&refs, &small));
    }) / bases.len() as f64;
    units.insert(Op::MultiscalarTerm, per_term);
}

/// A Schnorr group's operations: `modexp_var`, `modexp_secret`, `modexp_fixed` (half on a PVSS
/// key's table, half on g's), `multiexp_term` and `jacobi`, on a random base and 16 random
/// exponents drawn from `r`, taken in turn across all of them.
fn calibrate_schnorr<B: Backend>(
    units: &mut BTreeMap<Op, f64>,
    group: &SchnorrGroup<B>,
    r: &mut rng::DsmpcRng,
    batches: usize,
    scale: usize,
) {
    let zq = group.zq();
    let base = group.pow(group.g(), &zq.random(r));
    let exps: Vec<B::Int> = (0..16).map(|_| zq.random(r)).collect();
    let keys = CpKeyPair::<B, SchnorrGroup<B>>::generate(group, r);
    let mut k = 0usize;
    let mut next = || {
        k = (k + 1) % exps.len();
        k
    };
    units.insert(
        Op::VartimeMul,
        time_op(Op::VartimeMul, 1, batches, 4 * scale, || {
            let i = next();
            std::hint::black_box(B::pow_mod(&base, &exps[i], group.p()));
        }),
    );
    units.insert(
        Op::SecretMul,
        time_op(Op::SecretMul, 1, batches, 4 * scale, || {
            let i = next();
            std::hint::black_box(B::pow_mod_secret(&base, &exps[i], group.p()));
        }),
    );
    let table = keys.pk_table(group);
    let gt = group.g_table();
    units.insert(
        Op::FixedBaseMul,
        time_op(Op::FixedBaseMul, 1, batches, 8 * scale, || {
            let i = next();
            // Half pk-table (window 6), half g-table (window 8), as the protocol uses both.
            if i % 2 == 0 {
                std::hint::black_box(table.pow(group, &exps[i]));
            } else {
                std::hint::black_box(gt.pow(group, &exps[i]));
            }
        }),
    );
    let bases: Vec<B::Int> = (0..64).map(|i| group.mul(&base, &exps[i % exps.len()])).collect();
    let refs: Vec<&B::Int> = bases.iter().collect();
    let small: Vec<u64> = (0..64).map(|_| rand_core::Rng::next_u64(r) | 1).collect();
    let per_term = time_op(Op::MultiscalarTerm, bases.len(), batches, scale, || {
        std::hint::black_box(group.multi_exp_small(&refs, &small));
    }) / bases.len() as f64;
    units.insert(Op::MultiscalarTerm, per_term);
    units.insert(
        Op::ElementCheck,
        time_op(Op::ElementCheck, 1, batches, 16 * scale, || {
            let i = next();
            std::hint::black_box(B::jacobi(&bases[i], group.p()));
        }),
    );
}

/// The suite's operations with the session's keys: `enc`, `dec`, `sign`, `sig_verify` and
/// `pk_decode`, on one 32-byte message (its ciphertext and signature made with `r`).
fn calibrate_suite<S: CipherSuite>(
    units: &mut BTreeMap<Op, f64>,
    suite: &S,
    (enc_sk, sign_sk): (&S::EncPrivate, &S::SignPrivate),
    r: &mut rng::DsmpcRng,
    batches: usize,
    scale: usize,
) -> Result<()> {
    let enc_pk = suite.enc_public(enc_sk);
    let sign_pk = suite.sign_public(sign_sk);
    let msg = [7u8; 32];
    let label = b"dsmpc/calibrate";
    let ct = suite.encrypt(&enc_pk, label, &msg, r)?;
    let sig = suite.sign(sign_sk, &msg, r)?;
    let mut r2 = rng::seeded(1, "calibrate/suite");
    units.insert(
        Op::Encrypt,
        time_op(Op::Encrypt, 1, batches, 4 * scale, || {
            std::hint::black_box(suite.encrypt(&enc_pk, label, &msg, &mut r2).ok());
        }),
    );
    units.insert(
        Op::Decrypt,
        time_op(Op::Decrypt, 1, batches, 2 * scale, || {
            std::hint::black_box(suite.decrypt(enc_sk, label, &ct, &mut r2));
        }),
    );
    units.insert(
        Op::Sign,
        time_op(Op::Sign, 1, batches, 2 * scale, || {
            std::hint::black_box(suite.sign(sign_sk, &msg, &mut r2).ok());
        }),
    );
    units.insert(
        Op::Verify,
        time_op(Op::Verify, 1, batches, 4 * scale, || {
            std::hint::black_box(suite.verify(&sign_pk, &msg, &sig));
        }),
    );
    let enc_pk_bytes = suite.encode_enc_public(&enc_pk);
    units.insert(
        Op::KeyDecode,
        time_op(Op::KeyDecode, 1, batches, 8 * scale, || {
            std::hint::black_box(suite.decode_enc_public(&enc_pk_bytes).ok());
        }),
    );
    Ok(())
}

/// `dp_sign` and `dp_sig_verify`: a DP's signature (of `scheme`) over its commitments and its
/// verification, through [`keys::sign_commitments`] and [`DpKeys::verify`] (what the parties
/// call), on a statement of two commitments of `element_len` bytes (t = 2; each further
/// commitment only lengthens the SHA-256 input by one group element).
fn calibrate_dp_signatures(
    units: &mut BTreeMap<Op, f64>,
    scheme: DpScheme,
    element_len: usize,
    batches: usize,
    scale: usize,
) -> Result<()> {
    let (signing, verifying) = DpKeys::generate_for(scheme, 1, RngSource::Seed(0x0ca1_1b8a))?;
    let key = &signing[0];
    let mut r = rng::seeded(2, "calibrate/dp");
    let task = [0x5a; crate::wire::TASK_ID_LEN];
    let elements: Vec<Vec<u8>> = (0..2u8).map(|i| vec![0xa5 ^ i; element_len]).collect();
    let sig = keys::sign_commitments(key, &task, 1, &elements, &mut r)?;
    let m = Commitments {
        task,
        dp: 1,
        elements: elements.clone(),
        sig,
    };
    if !verifying.verify(&m) {
        return Err(RolesError::Suite(
            "calibration: a DP commitment signature did not verify".into(),
        ));
    }
    units.insert(
        Op::DpSign,
        time_op(Op::DpSign, 1, batches, 4 * scale, || {
            std::hint::black_box(keys::sign_commitments(key, &task, 1, &elements, &mut r).ok());
        }),
    );
    units.insert(
        Op::DpVerify,
        time_op(Op::DpVerify, 1, batches, 4 * scale, || {
            std::hint::black_box(verifying.verify(&m));
        }),
    );
    Ok(())
}

/// Calibrate for the backend, suite and sizes of `cfg`, with the keys its session would use
/// (from the key cache): the runtime counterpart of [`calibrate`].
pub fn calibrate_for(cfg: &crate::SessionConfig, quick: bool) -> Result<UnitCosts> {
    struct Calibration<'c>(&'c crate::SessionConfig, bool);
    impl crate::session::WithTypes for Calibration<'_> {
        type Output = UnitCosts;
        fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<UnitCosts> {
            let keys = crate::keys::KeyCache::new(self.0.rng_source());
            let enc = keys.enc_key(&suite, "cloud")?;
            let sign = keys.sign_key(&suite, "vid1")?;
            let group = AnyGroup::<B>::new(self.0.group)?;
            calibrate(&group, &suite, &enc, &sign, self.1)
        }
    }
    crate::session::with_types(cfg, Calibration(cfg, quick))
}
