//! The per-element operations a vector session counts (`f64_draw`, `f64_madd`, `aead_byte`; in
//! `vss` the Z_q and multiscalar ones) are exactly what its dealing implies, phase by phase, so
//! the cost model's bound grows with d as the work does.

mod vector_common;

use dsmpc_core::counters::{Op, OpCounts};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::func::Func;
use dsmpc_roles::{SessionConfig, SessionReport};
use vector_common::{cfg, check_against_plaintext, random_rows};

/// The counts of one phase summed over its instances.
fn phase(r: &SessionReport, name: &str) -> OpCounts {
    r.phases
        .iter()
        .filter(|p| p.phase.name() == name)
        .fold(OpCounts::default(), |acc, p| acc + p.ops)
}

fn run(c: &SessionConfig) -> SessionReport {
    check_against_plaintext(c, &random_rows(c, 7))
}

#[test]
fn a_batch_vector_session_counts_what_its_dealing_implies() {
    let (d, n, k, t) = (50u64, 6u64, 4u64, 2u64);
    let c = cfg(Func::VectorSum, d as usize, 16, VerifyMode::Batch);
    assert_eq!((c.n, c.capacity, c.t), (n as usize, k as usize, t as usize));
    let r = run(&c);
    let (seeded, explicit) = (t - 1, k - t + 1);
    // The DP: deal (d draws per seeded CP, t multiply-adds per element of each explicit share),
    // expand each seeded share again for its combination, one combination per CP (d draws and
    // d multiply-adds), seal the explicit shares (8 bytes an element).
    let dp = phase(&r, "share_encrypt_pvss_attach");
    assert_eq!(dp.get(Op::F64Draw), n * (d * seeded + d * seeded + d * k));
    assert_eq!(dp.get(Op::F64MulAdd), n * (d * t * explicit + d * k));
    assert_eq!(dp.get(Op::AeadByte), n * explicit * 8 * d);
    // The CPs: open or expand each DP's share, its combination, add it to the sum.
    let cp = phase(&r, "cp_decrypt_pvss_verify_local_compute");
    assert_eq!(cp.get(Op::F64Draw), n * (seeded * d + k * d));
    assert_eq!(cp.get(Op::F64MulAdd), n * k * 2 * d);
    assert_eq!(cp.get(Op::AeadByte), n * explicit * 8 * d);
    // Each CP seals its sum; the Edge opens every upload, reconstructs from t and checks the
    // other k - t against them.
    assert_eq!(phase(&r, "cp_result_encrypt").get(Op::AeadByte), k * 8 * d);
    let edge = phase(&r, "edge_reconstruct");
    assert_eq!(edge.get(Op::AeadByte), k * 8 * d);
    assert_eq!(edge.get(Op::F64MulAdd), d * t + d * t * (k - t));
    // No Z_q work outside vss.
    let all = r.phases.iter().fold(OpCounts::default(), |acc, p| acc + p.ops);
    assert_eq!(
        all.get(Op::ZqMul) + all.get(Op::MsmSecretTerm) + all.get(Op::MsmVartimeTerm),
        0
    );
}

#[test]
fn a_vss_vector_session_counts_its_commitments_per_element() {
    let (d, n, k, t) = (40u64, 6u64, 4u64, 2u64);
    let c = cfg(Func::VectorSum, d as usize, 16, VerifyMode::Vss);
    let r = run(&c);
    let (seeded, explicit) = (t - 1, k - t + 1);
    // The DP commits once per interpolation point (t commitments of d + 1 secret terms) and
    // computes each explicit share's d + 1 scalars with t multiplications each.
    let dp = phase(&r, "share_encrypt_pvss_attach");
    assert_eq!(dp.get(Op::MsmSecretTerm), n * t * (d + 1));
    assert!(dp.get(Op::ZqMul) >= n * explicit * t * (d + 1), "{dp}");
    assert!(dp.get(Op::ZqDraw) >= n * seeded * (d + 1), "{dp}");
    assert_eq!(dp.get(Op::AeadByte), n * explicit * 32 * (d + 1));
    // Each CP checks its DPs' shares in batches: one commitment of d + 1 secret terms per
    // batch, the weighted sum of every share.
    let cp = phase(&r, "cp_decrypt_pvss_verify_local_compute");
    assert!(cp.get(Op::MsmSecretTerm) >= k * (d + 1), "{cp}");
    assert!(cp.get(Op::ZqMul) >= k * n * (d + 1), "{cp}");
    // Once the DPs are agreed, each CP adds their share vectors into its sum.
    let agreed = phase(&r, "dp_set_agreement");
    assert_eq!(agreed.get(Op::ZqAdd), k * n * (d + 1));
    // The Edge checks all results at once, variable-time: d + 1 terms and the commitments.
    let edge = phase(&r, "edge_reconstruct");
    assert!(edge.get(Op::MsmVartimeTerm) > d, "{edge}");
    assert_eq!(edge.get(Op::MsmSecretTerm), 0);
    assert!(edge.get(Op::ZqMul) >= k * (d + 1) + t * d, "{edge}");
}

#[test]
fn per_element_counts_grow_linearly_with_d() {
    let at = |d: usize| {
        let r = run(&cfg(Func::VectorSum, d, 16, VerifyMode::Batch));
        r.phases.iter().fold(OpCounts::default(), |acc, p| acc + p.ops)
    };
    let (small, large) = (at(10), at(30));
    for op in [Op::F64Draw, Op::F64MulAdd, Op::AeadByte] {
        assert_eq!(large.get(op), 3 * small.get(op), "{op:?}");
    }
    assert_eq!(large.get(Op::Encrypt), small.get(Op::Encrypt));
}
