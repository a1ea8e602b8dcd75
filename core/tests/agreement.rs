//! The two backends must agree bit for bit: the same seeded randomness gives the same keys,
//! shares, attachments, batch verdicts and encodings on num and gmp.

#![cfg(feature = "gmp")]

use dsmpc_core::backend::{Backend, Gmp, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, CpKeyPair, Packet};
use dsmpc_core::rng;
use dsmpc_core::shamir;

/// Everything a seeded run produces, as bytes.
fn transcript<B: Backend>(seed: u64, bits: u32) -> Vec<Vec<u8>> {
    let g = SchnorrGroup::<B>::standard(bits).unwrap();
    let mut r = rng::seeded(seed, "agree");
    let keys = CpKeyPair::generate(&g, &mut r);
    let mut out = vec![g.element_to_bytes(keys.pk())];
    let secret = g.zq().random(&mut r);
    let shares = shamir::split(g.zq(), &secret, 3, &[1, 2, 3, 4], &mut r).unwrap();
    for s in &shares {
        out.push(g.zq().to_bytes(&s.y));
        let a = pvss::attach_paper(&g, keys.pk(), &s.y, &mut r);
        out.push(g.element_to_bytes(&a.e));
        out.push(g.element_to_bytes(&a.c));
        out.push(g.zq().to_bytes(&a.r));
        let ok = pvss::verify_batch(&g, &keys, &[Packet { y: &s.y, att: &a }], &mut r).is_ok();
        out.push(vec![ok as u8]);
    }
    out.push(g.zq().to_bytes(&shamir::reconstruct(g.zq(), &shares[1..], 3).unwrap()));
    out.push(vec![B::jacobi(&B::from_u64(5), g.p()) as u8]);
    out
}

#[test]
fn backends_give_identical_transcripts() {
    for (seed, bits) in [(1, 1024), (2, 2048), (3, 1024)] {
        assert_eq!(
            transcript::<Num>(seed, bits),
            transcript::<Gmp>(seed, bits),
            "seed {seed}, {bits} bits"
        );
    }
}

#[test]
fn jacobi_agrees_on_many_values() {
    let g = SchnorrGroup::<Num>::standard(1024).unwrap();
    let gg = SchnorrGroup::<Gmp>::standard(1024).unwrap();
    for v in 1..300u64 {
        assert_eq!(
            Num::jacobi(&Num::from_u64(v), g.p()),
            Gmp::jacobi(&Gmp::from_u64(v), gg.p()),
            "({v}/p)"
        );
    }
}
