//! Vector VSS against its definition: every share verifies and any t reconstruct the input, a
//! share changed in one coordinate (or its blinding) is refused alone and in a batch, sums of
//! dealings verify against combined commitments and reconstruct the F64 sum (wrapping past p),
//! encodings are canonical, and bad parameters are refused. On ristretto255 and on the 1024-bit
//! Schnorr group (small d: its generators are derived by exponentiation).

use zeroize::Zeroizing;

use super::*;
use crate::backend::Num;
use crate::group::{GroupKind, PrimeOrderGroup};
use crate::rng;
use crate::vss;

type G = AnyGroup<Num>;

fn groups() -> Vec<G> {
    vec![
        G::new(GroupKind::Ristretto255).unwrap(),
        G::new(GroupKind::Schnorr(1024)).unwrap(),
    ]
}

fn input(d: usize, salt: u64) -> Vec<F64> {
    (0..d as u64)
        .map(|e| F64::new(crate::field64::P - 1 - e.wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ salt) % 1000))
        .collect()
}

const CTX: &[u8] = b"task/dp";

/// Every CP's share vector, seeds expanded.
fn shares(g: &G, dealt: &VDealing<Num>, points: &[u64], d: usize) -> Vec<ShareVec<Num>> {
    dealt
        .shares
        .iter()
        .zip(points)
        .map(|(s, &x)| match s {
            VssShare::Seed(seed) => ShareVec::expand(g, seed, CTX, x, d),
            VssShare::Explicit(b) => ShareVec::decode(g, b, d).unwrap(),
        })
        .collect()
}

#[test]
fn every_share_verifies_and_any_t_reconstruct_the_input() {
    let mut r = rng::seeded(1, "vvss");
    for g in groups() {
        let d = if g.schnorr().is_some() { 3 } else { 40 };
        let points = [3u64, 1, 7, 2, 9];
        let x = input(d, 1);
        let dealt = deal(&g, &x, &points, 3, CTX, &mut r).unwrap();
        assert_eq!(dealt.commitments.len(), 3);
        // The first t - 1 get seeds, the others d + 1 scalars.
        assert!(matches!(dealt.shares[0], VssShare::Seed(_)) && matches!(dealt.shares[1], VssShare::Seed(_)));
        for s in &dealt.shares[2..] {
            let VssShare::Explicit(b) = s else {
                panic!("explicit share expected")
            };
            assert_eq!(b.len(), share_len(&g, d));
        }
        let sv = shares(&g, &dealt, &points, d);
        for (s, &p) in sv.iter().zip(&points) {
            assert!(verify(&g, &dealt.commitments, p, s), "point {p}");
            assert!(!verify(&g, &dealt.commitments, p + 20, s), "at another point {p}");
        }
        for pick in [[0, 1, 2], [2, 3, 4], [4, 0, 3]] {
            let results: Vec<(u64, &ShareVec<Num>)> = pick.iter().map(|&i| (points[i], &sv[i])).collect();
            assert_eq!(reconstruct(&g, &results).unwrap(), x, "{pick:?}");
        }
    }
}

#[test]
fn a_share_off_in_one_coordinate_or_its_blinding_is_refused_alone_and_in_a_batch() {
    let mut r = rng::seeded(2, "vvss");
    for g in groups() {
        let d = if g.schnorr().is_some() { 2 } else { 17 };
        let points = [1u64, 2, 3, 4];
        let dealings: Vec<_> = (0..4)
            .map(|i| deal(&g, &input(d, i), &points, 2, CTX, &mut r).unwrap())
            .collect();
        let x = points[3];
        let own: Vec<ShareVec<Num>> = dealings.iter().map(|dl| shares(&g, dl, &points, d).remove(3)).collect();
        let items: Vec<_> = dealings
            .iter()
            .zip(&own)
            .map(|(dl, s)| (dl.commitments.as_slice(), s))
            .collect();
        assert!(verify_batch(&g, x, &items, &mut r));
        for coordinate in [0, d / 2, d] {
            let mut bytes = own[1].encode(&g);
            let len = scalar_len(&g);
            // Add one to the scalar (big-endian on Schnorr, little-endian on ristretto255).
            let at = if g.schnorr().is_some() {
                (coordinate + 1) * len - 1
            } else {
                coordinate * len
            };
            bytes[at] ^= 1;
            let bad = ShareVec::decode(&g, &bytes, d).unwrap();
            assert!(
                !verify(&g, &dealings[1].commitments, x, &bad),
                "coordinate {coordinate}"
            );
            let mut with_bad: Vec<_> = items.clone();
            with_bad[1].1 = &bad;
            assert!(
                !verify_batch(&g, x, &with_bad, &mut r),
                "coordinate {coordinate} in a batch"
            );
        }
        // Another DP's commitments do not fit.
        assert!(!verify(&g, &dealings[0].commitments, x, &own[1]));
    }
}

#[test]
fn sums_verify_against_combined_commitments_and_reconstruct_the_f64_sum() {
    let mut r = rng::seeded(3, "vvss");
    for g in groups() {
        let d = if g.schnorr().is_some() { 2 } else { 25 };
        let points = [5u64, 6, 7, 8];
        let inputs: Vec<Vec<F64>> = (0..5).map(|i| input(d, i)).collect();
        let dealings: Vec<_> = inputs
            .iter()
            .map(|v| deal(&g, v, &points, 3, CTX, &mut r).unwrap())
            .collect();
        let all: Vec<&[AnyElement<Num>]> = dealings.iter().map(|dl| dl.commitments.as_slice()).collect();
        let combined = vss::combine(&g, &all).unwrap();
        let mut sums: Vec<ShareVec<Num>> = points.iter().map(|_| ShareVec::zero(&g, d)).collect();
        for dl in &dealings {
            for (acc, s) in sums.iter_mut().zip(shares(&g, dl, &points, d)) {
                acc.add_assign(&g, &s).unwrap();
            }
        }
        for (s, &x) in sums.iter().zip(&points) {
            assert!(verify(&g, &combined, x, s), "sum at {x}");
        }
        // All results at once, as the Edge checks them; one off in one coordinate fails them.
        let all: Vec<(u64, &ShareVec<Num>)> = points.iter().copied().zip(&sums).collect();
        assert!(verify_results(&g, &combined, &all, &mut r));
        let mut bytes = sums[2].encode(&g);
        bytes[if g.schnorr().is_some() { 31 } else { 0 }] ^= 1;
        let bad = ShareVec::decode(&g, &bytes, d).unwrap();
        let mut with_bad = all.clone();
        with_bad[2].1 = &bad;
        assert!(!verify_results(&g, &combined, &with_bad, &mut r));
        assert!(verify_results(&g, &combined, &with_bad[..2], &mut r));
        let want: Vec<F64> = (0..d).map(|e| inputs.iter().fold(F64::ZERO, |a, v| a + v[e])).collect();
        let results: Vec<(u64, &ShareVec<Num>)> = points.iter().copied().zip(&sums).skip(1).collect();
        assert_eq!(reconstruct(&g, &results).unwrap(), want);
    }
}

#[test]
fn encodings_are_canonical_and_lengths_checked() {
    for g in groups() {
        let len = scalar_len(&g);
        assert_eq!(len, 32);
        let s = ShareVec::expand(&g, &[7u8; SEED_LEN], CTX, 3, 4);
        let bytes = s.encode(&g);
        assert_eq!(bytes.len(), share_len(&g, 4));
        let back = ShareVec::decode(&g, &bytes, 4).unwrap();
        assert_eq!(*back.encode(&g), *bytes);
        assert!(ShareVec::decode(&g, &bytes, 5).err().unwrap().contains("not 192"));
        assert!(ShareVec::decode(&g, &bytes[..bytes.len() - 1], 4).is_err());
        // q itself is not a scalar.
        let mut q = Zeroizing::new(bytes.to_vec());
        let mut qb = g.zq().to_bytes(g.zq().modulus());
        if g.schnorr().is_none() {
            qb.reverse();
        }
        q[len..2 * len].copy_from_slice(&qb);
        let e = ShareVec::decode(&g, &q, 4).err().unwrap();
        assert_eq!(e, "scalar 2 of the share vector is not below q");
        // A seed expands the same way twice, differently at another point or context.
        assert_eq!(*ShareVec::expand(&g, &[7u8; SEED_LEN], CTX, 3, 4).encode(&g), *bytes);
        assert_ne!(*ShareVec::expand(&g, &[7u8; SEED_LEN], CTX, 4, 4).encode(&g), *bytes);
        assert_ne!(
            *ShareVec::expand(&g, &[7u8; SEED_LEN], b"other", 3, 4).encode(&g),
            *bytes
        );
    }
}

#[test]
fn bad_parameters_are_refused_and_generators_are_distinct() {
    let mut r = rng::seeded(5, "vvss");
    let g = G::new(GroupKind::Ristretto255).unwrap();
    let x = input(3, 0);
    assert!(matches!(
        deal(&g, &x, &[1, 2], 1, CTX, &mut r),
        Err(CoreError::ThresholdTooSmall { .. })
    ));
    assert!(matches!(
        deal(&g, &x, &[1, 2], 3, CTX, &mut r),
        Err(CoreError::ThresholdTooLarge { .. })
    ));
    assert!(matches!(
        deal(&g, &x, &[1, 0, 2], 2, CTX, &mut r),
        Err(CoreError::ZeroPoint)
    ));
    assert!(matches!(
        deal(&g, &x, &[1, 2, 1], 2, CTX, &mut r),
        Err(CoreError::DuplicatePoint { x: 1 })
    ));
    let gens = generators(&g, 50);
    let distinct: std::collections::BTreeSet<_> = gens.iter().collect();
    assert_eq!(distinct.len(), 50);
    assert!(!gens.contains(&g.encode_element(g.g())) && !gens.contains(&g.encode_element(g.h())));
    assert_eq!(generators(&g, 3), gens[..3]);
    // An empty vector deals and reconstructs to an empty vector.
    let dealt = deal(&g, &[], &[1, 2, 3], 2, CTX, &mut r).unwrap();
    let sv = shares(&g, &dealt, &[1, 2, 3], 0);
    assert!(verify(&g, &dealt.commitments, 2, &sv[1]));
    assert!(reconstruct(&g, &[(1, &sv[0]), (2, &sv[1])]).unwrap().is_empty());
}
