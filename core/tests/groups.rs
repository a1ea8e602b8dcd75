//! The shipped Schnorr groups: every size is present, re-derivable from the public seed (q,
//! r from its recorded step count, g and h from their counters) and valid (primes, p = 2qr+1,
//! g^q = h^q = 1, g != 1, h != 1, g != h). Full validation of 3072/4096 bits runs on GMP; the
//! num backend checks 1024 and 2048 (its primality test is slow at 4096 bits).

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::{self, SchnorrGroup, derive, params};

fn rederive<B: Backend>(bits: u32) {
    let params = params::GroupParams::get(bits).unwrap();
    let group = SchnorrGroup::<B>::standard(bits).unwrap();
    let q = derive::derive_q::<B>();
    assert_eq!(&q, group.q(), "q re-derives from the seed");
    let r0 = derive::r_start::<B>(&q, bits);
    let r = B::add(&r0, &B::mul(&B::from_u64(2), &B::from_u64(params.r_steps)));
    assert_eq!(&r, group.r(), "r = r0 + 2k at {bits}");
    assert_eq!(&derive::p_from::<B>(&q, &r), group.p(), "p = 2qr + 1 at {bits}");
    let (g, gc) = derive::derive_generator::<B>("g", bits, group.p(), group.r());
    let (h, hc) = derive::derive_generator::<B>("h", bits, group.p(), group.r());
    assert_eq!((&g, gc), (group.g(), params.g_ctr), "g at {bits}");
    assert_eq!((&h, hc), (group.h(), params.h_ctr), "h at {bits}");
}

#[test]
fn every_supported_size_ships() {
    for bits in group::SUPPORTED_BITS {
        let g = SchnorrGroup::<Num>::standard(bits).unwrap_or_else(|e| panic!("{bits}: {e}"));
        assert_eq!(g.bits(), bits);
        assert_eq!(g.is_weak(), bits == 1024);
    }
    assert!(SchnorrGroup::<Num>::standard(1536).is_err());
}

#[test]
fn groups_rederive_and_validate_num() {
    for bits in [1024, 2048] {
        rederive::<Num>(bits);
        SchnorrGroup::<Num>::standard(bits).unwrap().validate().unwrap();
    }
}

#[cfg(feature = "gmp")]
#[test]
fn groups_rederive_and_validate_gmp() {
    use dsmpc_core::backend::Gmp;
    for bits in group::SUPPORTED_BITS {
        rederive::<Gmp>(bits);
        SchnorrGroup::<Gmp>::standard(bits).unwrap().validate().unwrap();
    }
}

#[test]
fn validation_catches_a_corrupted_constant() {
    let good = SchnorrGroup::<Num>::standard(1024).unwrap();
    let one = Num::from_u64(1);
    let bad_g = SchnorrGroup::<Num>::from_parts(
        1024,
        good.p().clone(),
        good.q().clone(),
        good.r().clone(),
        Num::add(good.g(), &one),
        good.h().clone(),
    );
    assert!(bad_g.validate().is_err());
    let same = SchnorrGroup::<Num>::from_parts(
        1024,
        good.p().clone(),
        good.q().clone(),
        good.r().clone(),
        good.g().clone(),
        good.g().clone(),
    );
    assert!(same.validate().is_err());
    let bad_p = SchnorrGroup::<Num>::from_parts(
        1024,
        Num::add(good.p(), &Num::from_u64(2)),
        good.q().clone(),
        good.r().clone(),
        good.g().clone(),
        good.h().clone(),
    );
    assert!(bad_p.validate().is_err());
}

#[test]
#[ignore = "re-runs the prime search for 1024 and 2048 bits (about 30 s with GMP, much longer with num)"]
fn full_rederivation_from_scratch() {
    #[cfg(feature = "gmp")]
    type B = dsmpc_core::backend::Gmp;
    #[cfg(not(feature = "gmp"))]
    type B = Num;
    for bits in [1024, 2048] {
        let d = derive::derive::<B>(bits, |_| {});
        let params = params::GroupParams::get(bits).unwrap();
        assert_eq!(d.r_steps, params.r_steps);
        assert_eq!(B::to_hex(&d.p), params.p);
    }
}
