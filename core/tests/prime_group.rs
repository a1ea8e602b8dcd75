//! The PVSS attachment and Pedersen VSS run through [`PrimeOrderGroup`] alone: one generic
//! function per protocol, written against the trait, instantiated for the Schnorr group on
//! each backend. A new group passes these by adding one line per test.

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::counters::{Op, OpCounts};
use dsmpc_core::group::{PrimeOrderGroup, Scalar, SchnorrGroup};
use dsmpc_core::pvss::{self, CpKeyPair, Packet, PvssFailure, VerifyMode};
use dsmpc_core::rng;
use dsmpc_core::shamir::{self, Share};
use dsmpc_core::vss;

/// Attach both ways, verify in every PVSS mode, reject a tampered attachment, find a bad
/// packet in a batch, and count what the trait says it counts.
fn pvss_through_the_trait<B: Backend, G: PrimeOrderGroup<Backend = B>>(group: &G) {
    let mut r = rng::seeded(11, "generic-pvss");
    let keys = CpKeyPair::<B, G>::generate(group, &mut r);
    let zq = group.zq();
    let ys: Vec<Scalar<G>> = (0..5).map(|_| zq.random(&mut r)).collect();
    let (att, ops) = OpCounts::measure(|| pvss::attach_fast(group, keys.pk(), &ys[0], &mut r));
    assert_eq!((ops.get(Op::SecretMul), ops.get(Op::FixedBaseMul)), (1, 2), "{ops}");
    let paper = pvss::attach_paper(group, keys.pk(), &ys[1], &mut r);
    let (_, ops) = OpCounts::measure(|| pvss::attach_paper(group, keys.pk(), &ys[1], &mut r));
    assert_eq!((ops.get(Op::SecretMul), ops.get(Op::VartimeMul)), (2, 1), "{ops}");
    for mode in VerifyMode::PVSS {
        for (y, a) in [(&ys[0], &att), (&ys[1], &paper)] {
            let p = Packet { y, att: a };
            assert_eq!(pvss::verify(mode, group, &keys, p, &mut r), Ok(()), "{mode}");
        }
        let mut wrong_c: pvss::Attachment<B, G> = att.clone();
        wrong_c.c = group.op(&att.c, group.g());
        let p = Packet {
            y: &ys[0],
            att: &wrong_c,
        };
        assert_eq!(
            pvss::verify(mode, group, &keys, p, &mut r),
            Err(PvssFailure::WrongC),
            "{mode}"
        );
        let wrong_y = zq.add(&ys[0], &zq.from_u64(1));
        let p = Packet { y: &wrong_y, att: &att };
        assert_eq!(
            pvss::verify(mode, group, &keys, p, &mut r),
            Err(PvssFailure::WrongE),
            "{mode}"
        );
    }
    let mut atts: Vec<_> = ys
        .iter()
        .map(|y| pvss::attach_fast(group, keys.pk(), y, &mut r))
        .collect();
    atts[3].e = group.op(&atts[3].e, group.h());
    let packets: Vec<Packet<'_, B, G>> = ys.iter().zip(&atts).map(|(y, att)| Packet { y, att }).collect();
    let (verdict, ops) = OpCounts::measure(|| pvss::verify_batch(group, &keys, &packets, &mut r));
    assert_eq!(verdict, Err(vec![(3, PvssFailure::WrongE)]));
    assert_eq!(ops.get(Op::MultiscalarTerm), 10, "{ops}");
    assert_eq!(
        ops.get(Op::ElementCheck),
        20,
        "two per packet, then again per packet: {ops}"
    );
    let bytes = group.encode_element(keys.pk());
    assert_eq!(bytes.len(), group.element_len());
    assert_eq!(&group.decode_element(&bytes, "pk").unwrap(), keys.pk());
}

/// Deal, check every share, combine dealings and check and reconstruct the summed shares.
fn vss_through_the_trait<B: Backend, G: PrimeOrderGroup<Backend = B>>(group: &G) {
    let mut r = rng::seeded(12, "generic-vss");
    let zq = group.zq();
    let t = 3;
    let dealings: Vec<vss::Dealing<B, G>> = (1..=3u64)
        .map(|s| vss::deal(group, &zq.from_u64(100 * s), t, &mut r).unwrap())
        .collect();
    for d in &dealings {
        assert_eq!(d.commitments.len(), t);
        for i in 1..=4u64 {
            let (y, z) = d.share(group, i).unwrap();
            assert!(vss::verify_share(group, &d.commitments, i, &y, &z), "share {i}");
            assert!(
                !vss::verify_share(group, &d.commitments, i + 1, &y, &z),
                "share {i} elsewhere"
            );
        }
    }
    let lists: Vec<&[G::Element]> = dealings.iter().map(|d| d.commitments.as_slice()).collect();
    let combined = vss::combine(group, &lists).unwrap();
    assert_eq!(
        combined[0],
        group.op(&group.op(&lists[0][0], &lists[1][0]), &lists[2][0])
    );
    let mut sums = Vec::new();
    for i in 1..=4u64 {
        let (mut ys, mut zs) = (zq.from_u64(0), zq.from_u64(0));
        for d in &dealings {
            let (y, z) = d.share(group, i).unwrap();
            (ys, zs) = (zq.add(&ys, &y), zq.add(&zs, &z));
        }
        assert!(vss::verify_share(group, &combined, i, &ys, &zs), "sum at {i}");
        assert!(!vss::verify_share(
            group,
            &combined,
            i,
            &ys,
            &zq.add(&zs, &zq.from_u64(1))
        ));
        sums.push(Share { x: i, y: ys });
    }
    assert_eq!(shamir::reconstruct(zq, &sums[1..], t).unwrap(), zq.from_u64(600));
    // Indices whose powers overflow 64 bits take the general path (one scalar mult per term).
    let (y, z) = dealings[0].share(group, u64::MAX).unwrap();
    assert!(vss::verify_share(group, &dealings[0].commitments, u64::MAX, &y, &z));
    assert_eq!(vss::expected(group, &[], 5), group.identity());
}

#[test]
fn pvss_through_the_trait_num() {
    pvss_through_the_trait(&SchnorrGroup::<Num>::standard(1024).unwrap());
}

#[test]
fn vss_through_the_trait_num() {
    vss_through_the_trait(&SchnorrGroup::<Num>::standard(1024).unwrap());
}

#[cfg(feature = "gmp")]
#[test]
fn pvss_through_the_trait_gmp() {
    pvss_through_the_trait(&SchnorrGroup::<dsmpc_core::backend::Gmp>::standard(1024).unwrap());
}

#[cfg(feature = "gmp")]
#[test]
fn vss_through_the_trait_gmp() {
    vss_through_the_trait(&SchnorrGroup::<dsmpc_core::backend::Gmp>::standard(1024).unwrap());
}
