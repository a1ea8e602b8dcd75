//! Every error path of the math layer: Shamir's input checks, PVSS rejections of a wrong E, C,
//! r or y in every verification mode, and a bad packet hidden among 1,000 found and named by
//! batch verification.

use dsmpc_core::backend::{Backend, BackendKind, Num};
use dsmpc_core::error::CoreError;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, PvssFailure, VerifyMode};

// These tests exercise the Schnorr groups' own API; ristretto255 has its own tests (groups.rs).
type Attachment<B> = pvss::Attachment<B, SchnorrGroup<B>>;
type CpKeyPair<B> = pvss::CpKeyPair<B, SchnorrGroup<B>>;
type Packet<'a, B> = pvss::Packet<'a, B, SchnorrGroup<B>>;
use dsmpc_core::rng;
use dsmpc_core::shamir::{self, Lagrange, Share};

#[test]
fn shamir_rejects_bad_input() {
    let g = SchnorrGroup::<Num>::standard(1024).unwrap();
    let zq = g.zq();
    let mut r = rng::seeded(1, "t");
    let s = Num::from_u64(5);
    assert_eq!(
        shamir::split(zq, &s, 1, &[1, 2, 3], &mut r),
        Err(CoreError::ThresholdTooSmall { t: 1 })
    );
    assert_eq!(
        shamir::split(zq, &s, 4, &[1, 2, 3], &mut r),
        Err(CoreError::ThresholdTooLarge { t: 4, points: 3 })
    );
    assert_eq!(
        shamir::split(zq, &s, 2, &[1, 2, 2], &mut r),
        Err(CoreError::DuplicatePoint { x: 2 })
    );
    assert_eq!(shamir::split(zq, &s, 2, &[0, 1, 2], &mut r), Err(CoreError::ZeroPoint));
    assert_eq!(
        shamir::split(zq, g.q(), 2, &[1, 2], &mut r),
        Err(CoreError::NotInField { what: "secret" })
    );
    let shares = shamir::split(zq, &s, 3, &[1, 2, 3, 4], &mut r).unwrap();
    assert_eq!(
        shamir::reconstruct(zq, &shares[..2], 3),
        Err(CoreError::NotEnoughShares { need: 3, got: 2 })
    );
    let mut dup = shares.clone();
    dup[1].x = dup[0].x;
    assert_eq!(
        shamir::reconstruct(zq, &dup, 3),
        Err(CoreError::DuplicatePoint { x: 1 })
    );
    let mut big = shares.clone();
    big[0].y = g.q().clone();
    assert_eq!(
        shamir::reconstruct(zq, &big, 3),
        Err(CoreError::NotInField { what: "share value" })
    );
    assert!(Lagrange::<Num>::new(zq, &[3]).is_err());
    let good: Vec<Share<Num>> = shares[1..].to_vec();
    assert_eq!(shamir::reconstruct(zq, &good, 3).unwrap(), s);
}

#[test]
fn backend_names_and_availability() {
    assert_eq!("num".parse::<BackendKind>().unwrap(), BackendKind::Num);
    assert_eq!("GMP".parse::<BackendKind>().unwrap(), BackendKind::Gmp);
    let err = "mpir".parse::<BackendKind>().unwrap_err();
    assert!(err.to_string().contains("choose num or gmp"), "{err}");
    assert_eq!(BackendKind::Gmp.is_available(), cfg!(feature = "gmp"));
    if !cfg!(feature = "gmp") {
        let e = BackendKind::Gmp.ensure_available().unwrap_err();
        assert!(e.to_string().contains("--features gmp"), "{e}");
    }
}

#[test]
fn fixed_length_encodings_refuse_overflow() {
    assert_eq!(
        Num::to_be_bytes_padded(&Num::from_u64(1 << 20), 2),
        Err(CoreError::TooLarge { bytes: 3, max: 2 })
    );
    assert_eq!(Num::from_hex("xyz"), Err(CoreError::BadHex));
    assert_eq!(Num::to_hex(&Num::from_hex("00ff").unwrap()), "ff");
}

fn wrong_fields_rejected<B: Backend>() {
    let g = SchnorrGroup::<B>::standard(1024).unwrap();
    let mut r = rng::seeded(3, "w");
    let keys = CpKeyPair::generate(&g, &mut r);
    let y = g.zq().random(&mut r);
    let good = pvss::attach_fast(&g, keys.pk(), &y, &mut r);
    let one = B::from_u64(1);
    let other_y = g.zq().add(&y, &one);
    let other = pvss::attach_fast(&g, keys.pk(), &other_y, &mut r);
    let cases: Vec<(&str, B::Int, Attachment<B>, PvssFailure)> = vec![
        (
            "wrong E",
            y.clone(),
            {
                let mut a = good.clone();
                a.e = other.e.clone();
                a
            },
            PvssFailure::WrongE,
        ),
        (
            "wrong C",
            y.clone(),
            {
                let mut a = good.clone();
                a.c = other.c.clone();
                a
            },
            PvssFailure::WrongC,
        ),
        (
            "wrong r",
            y.clone(),
            {
                let mut a = good.clone();
                a.r = g.zq().add(&good.r, &one);
                a
            },
            PvssFailure::WrongC,
        ),
        ("wrong y", other_y.clone(), good.clone(), PvssFailure::WrongE),
        (
            "E = 0",
            y.clone(),
            {
                let mut a = good.clone();
                a.e = B::from_u64(0);
                a
            },
            PvssFailure::MalformedE,
        ),
        (
            "E = -pk^y",
            y.clone(),
            {
                let mut a = good.clone();
                a.e = B::sub(g.p(), &good.e);
                a
            },
            PvssFailure::MalformedE,
        ),
        (
            "C >= p",
            y.clone(),
            {
                let mut a = good.clone();
                a.c = g.p().clone();
                a
            },
            PvssFailure::MalformedC,
        ),
        (
            "r >= q",
            y.clone(),
            {
                let mut a = good.clone();
                a.r = g.q().clone();
                a
            },
            PvssFailure::ScalarOutOfRange,
        ),
    ];
    for (what, yy, att, want) in cases {
        for mode in VerifyMode::PVSS {
            let got = pvss::verify(mode, &g, &keys, Packet { y: &yy, att: &att }, &mut r);
            assert_eq!(got, Err(want), "{what} in {mode} mode");
        }
    }
    for mode in VerifyMode::PVSS {
        assert_eq!(
            pvss::verify(mode, &g, &keys, Packet { y: &y, att: &good }, &mut r),
            Ok(()),
            "honest packet in {mode}"
        );
    }
}

fn bad_packet_among_1000_is_named<B: Backend>() {
    let g = SchnorrGroup::<B>::standard(1024).unwrap();
    let mut r = rng::seeded(4, "batch");
    let keys = CpKeyPair::generate(&g, &mut r);
    let ys: Vec<B::Int> = (0..1000).map(|_| g.zq().random(&mut r)).collect();
    let mut atts: Vec<Attachment<B>> = ys.iter().map(|y| pvss::attach_fast(&g, keys.pk(), y, &mut r)).collect();
    let pkts = |atts: &[Attachment<B>]| -> Vec<(B::Int, Attachment<B>)> {
        ys.iter().cloned().zip(atts.iter().cloned()).collect()
    };
    let check = |items: &[(B::Int, Attachment<B>)], r: &mut rng::DsmpcRng| {
        let packets: Vec<Packet<'_, B>> = items.iter().map(|(y, a)| Packet { y, att: a }).collect();
        pvss::verify_batch(&g, &keys, &packets, r)
    };
    assert_eq!(check(&pkts(&atts), &mut r), Ok(()));
    // One wrong C at 617.
    let saved = atts[617].clone();
    atts[617].c = g.mul(&atts[617].c, g.g());
    assert_eq!(check(&pkts(&atts), &mut r), Err(vec![(617, PvssFailure::WrongC)]));
    // Several at once, of different kinds, are all named.
    atts[617] = saved;
    atts[3].e = g.mul(&atts[3].e, g.h());
    atts[998].r = g.zq().add(&atts[998].r, &B::from_u64(1));
    atts[500].e = B::sub(g.p(), &atts[500].e);
    assert_eq!(
        check(&pkts(&atts), &mut r),
        Err(vec![
            (3, PvssFailure::WrongE),
            (500, PvssFailure::MalformedE),
            (998, PvssFailure::WrongC)
        ])
    );
}

#[test]
fn wrong_e_c_r_y_rejected_num() {
    wrong_fields_rejected::<Num>();
}

#[test]
fn bad_packet_among_1000_num() {
    bad_packet_among_1000_is_named::<Num>();
}

#[cfg(feature = "gmp")]
#[test]
fn wrong_e_c_r_y_rejected_gmp() {
    wrong_fields_rejected::<dsmpc_core::backend::Gmp>();
}

#[cfg(feature = "gmp")]
#[test]
fn bad_packet_among_1000_gmp() {
    bad_packet_among_1000_is_named::<dsmpc_core::backend::Gmp>();
}

#[test]
fn secret_keys_are_wiped() {
    let g = SchnorrGroup::<Num>::standard(1024).unwrap();
    let mut x = g.q().clone();
    Num::wipe(&mut x);
    assert_eq!(x, Num::from_u64(0));
    #[cfg(feature = "gmp")]
    {
        use dsmpc_core::backend::Gmp;
        let mut y = Gmp::from_hex("123456789abcdef0123456789abcdef").unwrap();
        Gmp::wipe(&mut y);
        assert_eq!(y, Gmp::from_u64(0));
    }
}
