//! `vss` on vectors end to end ([`dsmpc_core::vvss`]): every function on ristretto255 and a
//! Schnorr group, with and without a seed, against a plaintext computed here; random
//! dimensions, thresholds and values; a cheating DP (a share off in one coordinate, an
//! inconsistent dealing, a share vector of the wrong length, a cut AEAD) named and excluded, a
//! lying CP named and skipped, the result right over the others; a cheater inside a batch of
//! more DPs than a CP checks at once.

mod vector_common;

use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::check::Check;
use dsmpc_roles::func::Func;
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{SessionConfig, SessionReport, session};
use proptest::prelude::*;
use vector_common::{FUNCS, cfg, check_against_plaintext, plaintext, random_rows, run_rows};

fn vss(func: Func, dim: usize, bits: u32) -> SessionConfig {
    cfg(func, dim, bits, VerifyMode::Vss)
}

#[test]
fn every_function_on_both_group_families_with_and_without_a_seed() {
    for (func, dim, bits) in FUNCS {
        let c = vss(func, dim, bits);
        let r = check_against_plaintext(&c, &random_rows(&c, 5));
        assert_eq!(r.outcome.check, Check::Verified, "{}", c.point_id());
        assert!(r.excluded.is_empty());
    }
    let variants = [
        (SuiteKind::P256, GroupKind::Schnorr(1024), Provider::AwsLc),
        (SuiteKind::Rsa, GroupKind::Schnorr(1024), Provider::RustCrypto),
        (SuiteKind::X25519, GroupKind::Ristretto255, Provider::AwsLc),
    ];
    for (suite, group, provider) in variants {
        for seed in [Some(4), None] {
            let c = SessionConfig {
                suite,
                group,
                provider,
                rsa_bits: 1024,
                seed,
                ..vss(Func::MeanVar, 3, 16)
            };
            let r = session::run(&c, None, None).unwrap_or_else(|e| panic!("{}: {e}", c.point_id()));
            assert!(r.matches(), "{}", c.point_id());
            assert_eq!(r.outcome.check, Check::Verified);
            assert!(r.outcome.vector.as_ref().unwrap().iter().any(|x| x.value() != 0));
        }
    }
}

#[test]
fn a_seed_fixes_the_transcript() {
    let c = vss(Func::VectorSum, 5, 16);
    let a = session::run(&c, None, None).unwrap();
    let b = session::run(&c, None, None).unwrap();
    assert_eq!(a.transcript_sha256, b.transcript_sha256);
    let os = SessionConfig { seed: None, ..c };
    let (x, y) = (
        session::run(&os, None, None).unwrap(),
        session::run(&os, None, None).unwrap(),
    );
    assert_ne!(x.transcript_sha256, y.transcript_sha256);
    assert!(x.matches() && y.matches());
}

/// The session with `faults`, its result checked against the plaintext of every DP but the
/// `excluded` ones, which the report must name.
fn right_over_the_others(c: &SessionConfig, excluded: &[u32]) -> SessionReport {
    let rows = random_rows(c, 9);
    let r = run_rows(c, &rows).unwrap_or_else(|e| panic!("{:?}: {e}", c.faults));
    let kept: Vec<_> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(&(*i as u32 + 1)))
        .map(|(_, r)| r.clone())
        .collect();
    assert_eq!(
        r.outcome.vector.as_deref(),
        Some(plaintext(c, &kept).as_slice()),
        "{:?}",
        c.faults
    );
    assert_eq!(
        r.excluded.keys().copied().collect::<Vec<_>>(),
        excluded,
        "{:?}",
        c.faults
    );
    assert_eq!(r.outcome.check, Check::Verified);
    assert!(r.matches());
    r
}

#[test]
fn cheating_dps_are_named_and_excluded_and_a_lying_cp_is_skipped() {
    let base = vss(Func::VectorSum, 6, 16);
    let with = |f: Fault| SessionConfig {
        faults: vec![f],
        ..base.clone()
    };
    for (f, dp) in [
        (Fault::BadShare { dp: 2, cp: 3 }, 2),
        (Fault::InconsistentDealing { dp: 4 }, 4),
        (Fault::VectorLength { dp: 5 }, 5),
        (Fault::TruncatedAead { dp: 1 }, 1),
    ] {
        let r = right_over_the_others(&with(f), &[dp]);
        let named = r
            .detections
            .iter()
            .any(|d| d.subject == format!("DP{dp}") && d.by.starts_with("CP"));
        assert!(named, "{f}: {:?}", r.detections);
    }
    // A CP whose sum vector is off: the Edge names it and reconstructs from the others.
    let r = right_over_the_others(&with(Fault::BadResult { cp: 2 }), &[]);
    let skipped = r
        .detections
        .iter()
        .find(|d| d.by == "Edge" && d.subject.contains("i=2"));
    assert!(
        skipped.is_some_and(|d| d.reason.contains("combined commitments")),
        "{:?}",
        r.detections
    );
    // A silent CP and the network's attacks change nothing.
    for f in [
        Fault::DropCp { cp: 3 },
        Fault::Replay { cp: 1 },
        Fault::Impersonate { dp: 2 },
    ] {
        right_over_the_others(&with(f), &[]);
    }
}

#[test]
fn a_cheater_inside_a_full_batch_is_found() {
    // More DPs than a CP checks at once (32): the failing batch is checked DP by DP.
    let c = SessionConfig {
        n: 40,
        faults: vec![Fault::BadShare { dp: 17, cp: 1 }, Fault::BadShare { dp: 33, cp: 4 }],
        ..vss(Func::Histogram { buckets: 4 }, 1, 32)
    };
    let r = right_over_the_others(&c, &[17, 33]);
    assert_eq!(r.aggregated(), 38);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn random_dimensions_thresholds_and_values(
        which in 0usize..6,
        dim in 1usize..20,
        n in 1usize..5,
        k in 2usize..6,
        t_off in 0usize..4,
        seed in any::<u64>(),
    ) {
        let (func, _, bits) = FUNCS[which];
        let t = 2 + t_off % (k - 1);
        let c = SessionConfig { n, m: k, capacity: k, t, ..vss(func, dim, bits) };
        let r = check_against_plaintext(&c, &random_rows(&c, seed));
        prop_assert_eq!(r.outcome.check, Check::Verified);
    }
}
