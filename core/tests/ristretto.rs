//! ristretto255 as a group of PVSS and VSS: generators, encoding (canonical, non-identity),
//! every verification mode with honest and tampered packets, through [`AnyGroup`] as the
//! protocol holds it, and the counts of each operation.

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::group::{AnyGroup, GroupKind, PrimeOrderGroup, Ristretto255, ristretto};
use dsmpc_core::pvss::{self, Attachment, CpKeyPair, Packet, PvssFailure, VerifyMode};
use dsmpc_core::rng;
use proptest::prelude::*;

fn group() -> AnyGroup<Num> {
    AnyGroup::new(GroupKind::Ristretto255).unwrap()
}

#[test]
fn generators_are_fixed_distinct_and_h_comes_from_its_seed() {
    let g = Ristretto255::<Num>::new();
    assert_ne!(g.g(), g.h());
    assert!(g.check_element(g.h()) && g.check_element(g.g()));
    assert_eq!(*g.h(), ristretto::hash_to_group(ristretto::H_SEED));
    assert_ne!(*g.h(), ristretto::hash_to_group(b"another seed"));
    // The order: l * g is the identity, (l - 1) * g is -g.
    let l_minus_1 = Num::sub(g.zq().modulus(), &Num::from_u64(1));
    assert_eq!(g.op(&g.mul_g(&l_minus_1), g.g()), g.identity());
    assert_eq!(Num::bits(g.zq().modulus()), 253);
}

#[test]
fn decoding_refuses_the_identity_non_canonical_and_off_curve_encodings() {
    let g = group();
    let x = g.mul_g(&Num::from_u64(12345));
    let enc = g.encode_element(&x);
    assert_eq!(enc.len(), 32);
    assert_eq!(g.decode_element(&enc, "x").unwrap(), x);
    // The identity's encoding is all zeros.
    assert!(g.decode_element(&[0u8; 32], "pk").is_err());
    // RFC 9496 section A.2's bad encodings: a non-canonical field element, a negative one,
    // one that decodes to no point.
    for hex in [
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    ] {
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(g.decode_element(&bytes, "E").is_err(), "{hex}");
    }
    assert!(g.decode_element(&enc[..31], "E").is_err());
    assert!(g.parse_checked(&[enc.clone(), vec![0]].concat(), "E").is_err());
    // An element of another group never passes the check.
    let schnorr = AnyGroup::<Num>::new(GroupKind::Schnorr(1024)).unwrap();
    assert!(!g.check_element(schnorr.g()));
}

#[test]
fn operations_are_counted_as_their_kind() {
    let g = group();
    let k = Num::from_u64(77);
    let (_, c) = counters::OpCounts::measure(|| {
        let a = g.mul_g(&k);
        let b = g.mul_secret(&a, &k);
        let c = g.vartime_mul(&b, &k);
        let d = g.commit(&k, &k);
        g.vartime_multiscalar_mul_small(&[&a, &b, &c, &d], &[1, 2, 3, 4]);
        g.decode_element(&g.encode_element(&d), "d").unwrap();
    });
    assert_eq!(c.get(Op::FixedBaseMul), 3);
    assert_eq!(c.get(Op::SecretMul), 1);
    assert_eq!(c.get(Op::VartimeMul), 1);
    assert_eq!(c.get(Op::MultiscalarTerm), 4);
    assert_eq!(c.get(Op::ElementCheck), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every mode accepts honest packets and refuses a share, E, C or r changed by one.
    #[test]
    fn every_mode_accepts_honest_and_refuses_tampered(seed in any::<u64>(), share in any::<u64>(), which in 0usize..4) {
        let g = group();
        let mut r = rng::seeded(seed, "ristretto-props");
        let keys = CpKeyPair::<Num>::generate(&g, &mut r);
        let y = g.zq().from_u64(share);
        let one = Num::from_u64(1);
        for att in [pvss::attach_paper(&g, keys.pk(), &y, &mut r), pvss::attach_fast(&g, keys.pk(), &y, &mut r)] {
            for mode in [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch] {
                let ok = pvss::verify(mode, &g, &keys, Packet { y: &y, att: &att }, &mut r);
                prop_assert!(ok.is_ok(), "{:?}: {:?}", mode, ok);
            }
            let mut bad: Attachment<Num> = att.clone();
            let mut bad_y = y.clone();
            match which {
                0 => bad_y = g.zq().add(&y, &one),
                1 => bad.e = g.op(&att.e, g.g()),
                2 => bad.c = g.op(&att.c, g.h()),
                _ => bad.r = g.zq().add(&att.r, &one),
            }
            for mode in [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch] {
                let res = pvss::verify(mode, &g, &keys, Packet { y: &bad_y, att: &bad }, &mut r);
                prop_assert!(matches!(res, Err(PvssFailure::WrongE | PvssFailure::WrongC)), "{mode:?} {which}: {res:?}");
            }
            let good = Packet { y: &y, att: &att };
            let batch = [good, good, Packet { y: &bad_y, att: &bad }, good];
            let failed = pvss::verify_batch(&g, &keys, &batch, &mut r).unwrap_err();
            prop_assert_eq!(failed.iter().map(|f| f.0).collect::<Vec<_>>(), vec![2]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The batched encoding of [`pvss::encode_attachments`] is each element's own encoding:
    /// for attachments from `attach_fast` (which carry their halves), from `attach_paper`
    /// (which do not), for one whose E was edited after it was made (its stale halves must not
    /// be used) and for the share 0 (E is the identity).
    #[test]
    fn batched_encoding_is_each_elements_encoding(seed in any::<u64>(), shares in prop::collection::vec(any::<u64>(), 1..6), edit in any::<prop::sample::Index>()) {
        let g = group();
        let mut r = rng::seeded(seed, "ristretto-encode");
        let keys = CpKeyPair::<Num>::generate(&g, &mut r);
        let mut atts: Vec<Attachment<Num>> = Vec::new();
        for (i, s) in shares.iter().chain([&0]).enumerate() {
            let y = g.zq().from_u64(*s);
            atts.push(if i % 3 == 2 {
                pvss::attach_paper(&g, keys.pk(), &y, &mut r)
            } else {
                pvss::attach_fast(&g, keys.pk(), &y, &mut r)
            });
        }
        let edited = edit.index(atts.len() - 1);
        atts[edited].e = g.op(&atts[edited].e, g.h());
        let refs: Vec<&Attachment<Num>> = atts.iter().collect();
        let encoded = pvss::encode_attachments(&g, &refs);
        prop_assert_eq!(encoded.len(), atts.len());
        for (a, [e, c]) in atts.iter().zip(&encoded) {
            prop_assert_eq!(e, &g.encode_element(&a.e));
            prop_assert_eq!(c, &g.encode_element(&a.c));
        }
        prop_assert_eq!(&encoded[atts.len() - 1][0], &vec![0u8; 32], "E of the share 0 is the identity");
    }

    /// Halving is the inverse of doubling, in ristretto255 and in a Schnorr group.
    #[test]
    fn halve_then_double_is_the_scalar(k in any::<[u8; 32]>()) {
        let g = group();
        let zq = g.zq();
        let k = Num::rem(&Num::from_be_bytes(&k), zq.modulus());
        let h = g.halve(&k);
        prop_assert_eq!(zq.add(&h, &h), k.clone());
        let s = AnyGroup::<Num>::new(GroupKind::Schnorr(1024)).unwrap();
        let k = s.zq().from_u64(7);
        let h = s.halve(&k);
        prop_assert_eq!(s.zq().add(&h, &h), k);
    }
}
