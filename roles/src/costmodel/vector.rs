//! The per-element units of vector sessions, timed on the functions the parties call:
//!
//! - `f64_draw`: [`vshare::expand`] of 4,096 elements (ChaCha20 draws, rejection above p);
//! - `f64_madd`: [`vshare::reconstruct`] of 4,096 elements from t = 5 share vectors (the dot
//!   product kernel of the dealing, the reconstruction and the consistency check);
//! - `aead_byte`: AES-256-GCM sealing ([`seal_aead`]) and opening ([`open_aead`], with its copy)
//!   of a 16 KiB body, per byte;
//! - `zq_draw`, `zq_mul`, `zq_add`: [`ShareVec::expand`], a batch check's weighted sum
//!   ([`UnitWork::mul_add`]) and a running sum ([`ShareVec::add_assign`]) in the group's scalar
//!   field;
//! - `msm_ct_term`, `msm_var_term` (ristretto255 only): a vector Pedersen commitment of 255
//!   elements and its blinding share, constant-time, and of 1,023 and its blinding share
//!   variable-time ([`UnitWork`]). The constant-time multiplication costs about the same per
//!   term at every size; the variable-time one gets cheaper per term as it grows (Pippenger's
//!   buckets), and 1,024 terms is near its per-term cost for the d = 10^3 to 10^5 of vector
//!   sessions (more per term below that). On a Schnorr group the terms run through the group's
//!   own counted operations (`modexp_secret`, `modexp_var`, `modexp_fixed`), so these two units
//!   are 0 there.

use std::collections::BTreeMap;

use dsmpc_core::backend::Backend;
use dsmpc_core::counters::Op;
use dsmpc_core::field64::F64;
use dsmpc_core::group::AnyGroup;
use dsmpc_core::vshare;
use dsmpc_core::vvss::{ShareVec, UnitWork};

use super::time_op;
use crate::vector::{SECRET_LEN, TAG_LEN, open_aead, seal_aead};

/// Elements of the F64 workloads.
const F64_ELEMENTS: usize = 4096;
/// Threshold of the `f64_madd` workload.
const F64_T: usize = 5;
/// Bytes of the AEAD workload.
const AEAD_BYTES: usize = 16 * 1024;

/// The vector units for `group` into `units`.
pub(super) fn calibrate_vectors<B: Backend>(
    units: &mut BTreeMap<Op, f64>,
    group: &AnyGroup<B>,
    batches: usize,
    scale: usize,
) {
    calibrate_f64(units, batches, scale);
    calibrate_aead(units, batches, scale);
    calibrate_zq(units, group, batches, scale);
}

/// `f64_draw` and `f64_madd`.
fn calibrate_f64(units: &mut BTreeMap<Op, f64>, batches: usize, scale: usize) {
    let n = F64_ELEMENTS;
    let draw = time_op(Op::F64Draw, n, batches, 4 * scale, || {
        std::hint::black_box(vshare::expand(&[0x5a; 32], b"dsmpc/calibrate", 1, n));
    });
    units.insert(Op::F64Draw, draw / n as f64);
    let points: Vec<u64> = (1..=F64_T as u64).collect();
    let shares: Vec<Vec<F64>> = points
        .iter()
        .map(|&x| vshare::expand(&[0xa5; 32], b"dsmpc/calibrate", x, n).to_vec())
        .collect();
    let refs: Vec<&[F64]> = shares.iter().map(Vec::as_slice).collect();
    let madd = time_op(Op::F64MulAdd, n * F64_T, batches, 4 * scale, || {
        std::hint::black_box(vshare::reconstruct(&points, &refs).ok());
    });
    units.insert(Op::F64MulAdd, madd / (n * F64_T) as f64);
}

/// `aead_byte`: one seal and one open of the same length per call.
fn calibrate_aead(units: &mut BTreeMap<Op, f64>, batches: usize, scale: usize) {
    let secret = [0x3c; SECRET_LEN];
    let label = b"dsmpc/calibrate/aead";
    let mut scratch = vec![0x11u8; AEAD_BYTES];
    let mut sealed = scratch.clone();
    let Ok(tag) = seal_aead(&secret, label, &mut sealed) else {
        return;
    };
    sealed.extend_from_slice(&tag);
    let per_call = 2 * AEAD_BYTES;
    let t = time_op(Op::AeadByte, per_call, batches, 4 * scale, || {
        std::hint::black_box(seal_aead(&secret, label, &mut scratch).ok());
        std::hint::black_box(open_aead(&secret, label, &sealed, 8, AEAD_BYTES / 8).ok());
    });
    debug_assert_eq!(sealed.len(), AEAD_BYTES + TAG_LEN);
    units.insert(Op::AeadByte, t / per_call as f64);
}

/// `zq_draw`, `zq_mul`, `msm_ct_term` and `msm_var_term`.
fn calibrate_zq<B: Backend>(units: &mut BTreeMap<Op, f64>, group: &AnyGroup<B>, batches: usize, scale: usize) {
    let curve = group.schnorr().is_none();
    let n = if curve { 1024 } else { 64 };
    let draw = time_op(Op::ZqDraw, n + 1, batches, scale, || {
        std::hint::black_box(ShareVec::expand(group, &[0x77; 32], b"dsmpc/calibrate", 1, n));
    });
    units.insert(Op::ZqDraw, draw / (n + 1) as f64);
    let mut work = UnitWork::new(group, n, &[0x78; 32]);
    let terms = work.terms();
    let mul = time_op(Op::ZqMul, terms, batches, scale, || work.mul_add(group));
    units.insert(Op::ZqMul, mul / terms as f64);
    let other = ShareVec::expand(group, &[0x76; 32], b"dsmpc/calibrate", 2, n);
    let mut sum = ShareVec::zero(group, n);
    let add = time_op(Op::ZqAdd, n + 1, batches, scale, || {
        std::hint::black_box(sum.add_assign(group, &other).ok());
    });
    units.insert(Op::ZqAdd, add / (n + 1) as f64);
    if !curve {
        units.insert(Op::MsmSecretTerm, 0.0);
        units.insert(Op::MsmVartimeTerm, 0.0);
        return;
    }
    let secret = UnitWork::new(group, 255, &[0x79; 32]);
    let terms = secret.terms();
    let ct = time_op(Op::MsmSecretTerm, terms, batches, scale, || {
        std::hint::black_box(secret.commit_secret(group));
    });
    units.insert(Op::MsmSecretTerm, ct / terms as f64);
    let public = UnitWork::new(group, 1023, &[0x7a; 32]);
    let terms = public.terms();
    let var = time_op(Op::MsmVartimeTerm, terms, batches, scale, || {
        std::hint::black_box(public.commit_public(group));
    });
    units.insert(Op::MsmVartimeTerm, var / terms as f64);
}
