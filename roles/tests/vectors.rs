//! Vector sessions end to end: every function in every mode that takes vectors, with and
//! without a seed, against a plaintext computed here from the same input rows; random
//! dimensions and values including the extremes; what is refused up front.

mod vector_common;

use dsmpc_core::field64::F64;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::check::Check;
use dsmpc_roles::func::{self, Func, FuncResult, InputRow};
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{RolesError, SessionConfig, session};
use proptest::prelude::*;
use vector_common::{FUNCS, cfg, check_against_plaintext, random_rows, run_rows};

#[test]
fn every_function_in_every_mode_that_takes_vectors() {
    for (func, dim, bits) in FUNCS {
        for verify in [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch] {
            let c = cfg(func, dim, bits, verify);
            let r = check_against_plaintext(&c, &random_rows(&c, 7));
            // 4 CPs, t = 2: two results beyond t checked on the polynomial.
            assert_eq!(r.outcome.check, Check::CrossChecked(4));
        }
    }
}

#[test]
fn other_suites_and_groups_and_drawn_inputs_with_and_without_a_seed() {
    let variants = [
        (SuiteKind::Rsa, GroupKind::Schnorr(1024), Provider::RustCrypto),
        (SuiteKind::P256, GroupKind::Schnorr(1024), Provider::AwsLc),
        (SuiteKind::P256, GroupKind::Ristretto255, Provider::RustCrypto),
        (SuiteKind::X25519, GroupKind::Ristretto255, Provider::AwsLc),
    ];
    for (suite, group, provider) in variants {
        for seed in [Some(3), None] {
            let c = SessionConfig {
                suite,
                group,
                provider,
                rsa_bits: 1024,
                seed,
                ..cfg(Func::MeanVar, 5, 20, VerifyMode::Batch)
            };
            let r = session::run(&c, None, None).unwrap_or_else(|e| panic!("{}: {e}", c.point_id()));
            assert!(r.matches(), "{}", c.point_id());
            let v = r.outcome.vector.as_ref().unwrap();
            assert_eq!(v.len(), 10);
            // Drawn inputs are not all zero: the check compares something.
            assert!(v.iter().any(|x| *x != F64::ZERO));
        }
    }
}

#[test]
fn a_seed_fixes_the_transcript_and_the_os_does_not() {
    let c = cfg(Func::VectorSum, 6, 16, VerifyMode::Batch);
    let a = session::run(&c, None, None).unwrap();
    let b = session::run(&c, None, None).unwrap();
    assert_eq!(a.transcript_sha256, b.transcript_sha256);
    let os = SessionConfig { seed: None, ..c };
    let x = session::run(&os, None, None).unwrap();
    let y = session::run(&os, None, None).unwrap();
    assert_ne!(x.transcript_sha256, y.transcript_sha256);
    assert!(x.matches() && y.matches());
}

#[test]
fn inputs_at_the_bounds() {
    // Unsigned: every element 0 or 2^v - 1; signed: -2^(v-1) and 2^(v-1) - 1; buckets first
    // and last.
    let c = cfg(Func::Sum, 4, 40, VerifyMode::Fast);
    let max = (1u64 << 40) - 1;
    let rows: Vec<InputRow> = (0..c.n)
        .map(|i| InputRow::Unsigned(vec![max, 0, max, if i % 2 == 0 { 0 } else { max }]))
        .collect();
    check_against_plaintext(&c, &rows);
    let c = cfg(Func::VectorSum, 2, 20, VerifyMode::Paper);
    let lo = -(1i64 << 19);
    let hi = (1i64 << 19) - 1;
    let rows: Vec<InputRow> = (0..c.n)
        .map(|i| InputRow::Signed(if i < 3 { vec![lo, hi] } else { vec![lo, lo] }))
        .collect();
    let r = check_against_plaintext(&c, &rows);
    let Ok(FuncResult::VectorSum { scaled, .. }) =
        func::decode(&c.func_spec(), c.n, r.outcome.vector.as_ref().unwrap())
    else {
        panic!("vector-sum decodes to a vector sum")
    };
    assert_eq!(scaled, vec![6 * lo, 3 * lo + 3 * hi]);
    let c = cfg(Func::Histogram { buckets: 9 }, 1, 32, VerifyMode::Batch);
    let rows: Vec<InputRow> = (0..c.n).map(|i| InputRow::Bucket(if i < 4 { 0 } else { 8 })).collect();
    let r = check_against_plaintext(&c, &rows);
    let Ok(FuncResult::Histogram { counts }) = func::decode(&c.func_spec(), c.n, r.outcome.vector.as_ref().unwrap())
    else {
        panic!("a histogram decodes to counts")
    };
    assert_eq!(counts, vec![4, 0, 0, 0, 0, 0, 0, 0, 2]);
    // The largest sum the field takes: one DP at v = 63.
    let c = SessionConfig {
        n: 1,
        ..cfg(Func::Sum, 2, 63, VerifyMode::Batch)
    };
    check_against_plaintext(&c, &[InputRow::Unsigned(vec![(1 << 63) - 1, 1])]);
}

#[test]
fn a_silent_cp_leaves_a_result_from_the_others() {
    let c = SessionConfig {
        faults: vec![Fault::DropCp { cp: 2 }],
        ..cfg(Func::MeanVar, 4, 16, VerifyMode::Batch)
    };
    let r = check_against_plaintext(&c, &random_rows(&c, 11));
    assert_eq!(r.outcome.check, Check::CrossChecked(3));
}

#[test]
fn what_vector_sessions_refuse_up_front() {
    let refused = |c: SessionConfig, says: &str| {
        let e = session::run(&c, None, None).unwrap_err().to_string();
        assert!(e.contains(says), "{} refused with {e:?}, not {says:?}", c.point_id());
    };
    // vss takes vectors, but not beyond the message limit at its 32 bytes per element.
    refused(cfg(Func::VectorSum, 9_000_000, 16, VerifyMode::Vss), "in vss");
    refused(
        SessionConfig {
            faults: vec![Fault::BadResult { cp: 1 }],
            ..cfg(Func::Sum, 3, 16, VerifyMode::Batch)
        },
        "bad-result",
    );
    // meanvar needs n (2^v - 1)^2 below p: v = 28 at n = 1,000 is too much.
    refused(
        SessionConfig {
            n: 1000,
            ..cfg(Func::MeanVar, 1, 28, VerifyMode::Batch)
        },
        "value-bits",
    );
    // Rows of the wrong count or out of range.
    let c = cfg(Func::Sum, 2, 8, VerifyMode::Batch);
    assert!(run_rows(&c, &[InputRow::Unsigned(vec![1, 2])]).is_err());
    let mut rows = random_rows(&c, 1);
    rows[3] = InputRow::Unsigned(vec![1, 256]);
    assert!(run_rows(&c, &rows).is_err());
    rows[3] = InputRow::Unsigned(vec![1]);
    assert!(run_rows(&c, &rows).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_dimensions_thresholds_and_values(
        which in 0usize..6,
        dim in 1usize..40,
        n in 1usize..6,
        k in 2usize..6,
        t_off in 0usize..4,
        seed in any::<u64>(),
        extreme in any::<bool>(),
    ) {
        let (func, _, bits) = FUNCS[which];
        let t = 2 + t_off % (k - 1);
        let c = SessionConfig { n, m: k, capacity: k, t, ..cfg(func, dim, bits, VerifyMode::Batch) };
        let mut rows = random_rows(&c, seed);
        if extreme {
            let spec = c.func_spec();
            for r in &mut rows {
                match r {
                    InputRow::Unsigned(v) => v.iter_mut().for_each(|x| *x = (1u64 << spec.value_bits) - 1),
                    InputRow::Signed(v) => v.iter_mut().for_each(|x| *x = -(1i64 << (spec.value_bits - 1))),
                    InputRow::Bucket(b) => *b = 4,
                }
            }
        }
        let r = check_against_plaintext(&c, &rows);
        prop_assert_eq!(r.outcome.check, if k > t { Check::CrossChecked(k) } else { Check::Unchecked });
    }
}

#[test]
fn cheating_dps_and_the_network_in_vector_sessions() {
    let base = cfg(Func::VectorSum, 5, 16, VerifyMode::Batch);
    let run = |f: Fault| {
        let c = SessionConfig {
            faults: vec![f],
            ..base.clone()
        };
        session::run(&c, None, None)
    };
    // A share vector of the wrong length, and a cut AEAD: the session ends naming the DP.
    match run(Fault::VectorLength { dp: 2 }) {
        Err(RolesError::Malformed { from, reason, .. }) => {
            assert_eq!(from, "DP2");
            assert!(reason.contains("6 elements, not 5"), "{reason}");
        }
        other => panic!("vector-length: {other:?}"),
    }
    match run(Fault::TruncatedAead { dp: 3 }) {
        Err(RolesError::ShareUndecryptable { dp: 3, .. }) => {}
        other => panic!("truncated-aead: {other:?}"),
    }
    // A share whose attachment does not match its vector (a coordinate changed after the
    // attachment was made): the PVSS check refuses it, naming DP and CP.
    for verify in [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch] {
        let c = SessionConfig {
            verify,
            faults: vec![Fault::BadShare { dp: 4, cp: 2 }],
            ..base.clone()
        };
        match session::run(&c, None, None) {
            Err(RolesError::PvssRejected { dp: 4, cp: 2, .. }) => {}
            other => panic!("bad-share with {verify}: {other:?}"),
        }
    }
    // The network's attacks change nothing: the result is still right.
    for f in [
        Fault::Replay { cp: 1 },
        Fault::Impersonate { dp: 2 },
        Fault::Garbage { cp: 3 },
        Fault::GarbageUpload { cp: 2 },
    ] {
        let r = run(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(r.matches(), "{f}");
        assert!(!r.detections.is_empty(), "{f} was noticed");
    }
    // The vector kinds mean nothing to a session of one value.
    let scalar = SessionConfig {
        faults: vec![Fault::TruncatedAead { dp: 1 }],
        ..cfg(Func::Sum, 1, 16, VerifyMode::Batch)
    };
    assert!(
        session::run(&scalar, None, None)
            .unwrap_err()
            .to_string()
            .contains("vector shares")
    );
}

#[test]
fn share_vectors_longer_than_the_message_limit_of_other_kinds() {
    // 2.2 M elements: an explicit share of 17.6 MB, past the 16 MiB every other kind is held to.
    let c = SessionConfig {
        n: 1,
        m: 2,
        capacity: 2,
        t: 2,
        ..cfg(Func::Sum, 2_200_000, 8, VerifyMode::Batch)
    };
    let r = check_against_plaintext(&c, &random_rows(&c, 6));
    let packets = &r.messages[&dsmpc_roles::wire::MessageKind::SharePacket];
    assert!(packets.bytes > dsmpc_roles::wire::MAX_MESSAGE_LEN as u64, "{packets:?}");
}

#[test]
fn share_vectors_longer_than_a_short_field() {
    // 9,000 elements: an explicit share is 72,016 bytes of AEAD, past the u16 field length.
    let c = SessionConfig {
        n: 2,
        ..cfg(Func::Sum, 9_000, 32, VerifyMode::Batch)
    };
    let r = check_against_plaintext(&c, &random_rows(&c, 5));
    let packets = &r.messages[&dsmpc_roles::wire::MessageKind::SharePacket];
    assert!(packets.bytes > 2 * 2 * 72_016, "{packets:?}");
}
