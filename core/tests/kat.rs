//! Known-answer tests: Shamir and PVSS values computed independently (Python, see the vector
//! files' headers) must come out of both backends bit for bit.

mod common;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, Attachment, CpKeyPair, Packet};
use dsmpc_core::shamir::{Lagrange, Polynomial, Share};

fn shamir_kat<B: Backend>() {
    let v = &common::read_blocks(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/shamir.txt"))[0];
    let group = SchnorrGroup::<B>::standard(2048).unwrap();
    let zq = group.zq();
    let h = |k: &str| B::from_hex(&v[k]).unwrap();
    let poly = Polynomial::from_coefficients(zq, vec![h("a0"), h("a1"), h("a2")]);
    for x in 1..=6u64 {
        assert_eq!(poly.eval(zq, x), h(&format!("f{x}")), "f({x})");
    }
    let lag = Lagrange::new(zq, &[2, 4, 5]).unwrap();
    for (i, x) in [2, 4, 5].iter().enumerate() {
        assert_eq!(lag.coefficients()[i], h(&format!("lambda_{x}_of_2_4_5")));
    }
    let shares: Vec<Share<B>> = [6u64, 1, 3]
        .iter()
        .map(|&x| Share {
            x,
            y: h(&format!("f{x}")),
        })
        .collect();
    assert_eq!(dsmpc_core::shamir::reconstruct(zq, &shares, 3).unwrap(), h("a0"));
}

fn pvss_kat<B: Backend>() {
    let blocks = common::read_blocks(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/pvss.txt"));
    assert!(blocks.len() >= 2, "vectors for at least 1024 and 2048 bits");
    for v in blocks {
        let bits: u32 = v["bits"].parse().unwrap();
        let group = SchnorrGroup::<B>::standard(bits).unwrap();
        let h = |k: &str| B::from_hex(&v[k]).unwrap();
        let keys = CpKeyPair::from_secret(&group, h("sk")).unwrap();
        assert_eq!(keys.pk(), &h("pk"), "pk at {bits}");
        let (y, r) = (h("y"), h("r"));
        let e = group.pow(keys.pk(), &y);
        assert_eq!(e, h("E"), "E at {bits}");
        let c = group.commit(&y, &r);
        assert_eq!(c, h("C"), "C at {bits}");
        assert_eq!(group.pow(group.g(), &y), h("D"), "D = g^y at {bits}");
        let att = Attachment::new(e, c, r);
        let pkt = Packet { y: &y, att: &att };
        assert_eq!(pvss::verify_paper(&group, &keys, pkt), Ok(()));
        assert_eq!(pvss::verify_fast(&group, &keys, pkt), Ok(()));
    }
}

#[test]
fn shamir_known_answers_num() {
    shamir_kat::<Num>();
}

#[test]
fn pvss_known_answers_num() {
    pvss_kat::<Num>();
}

#[cfg(feature = "gmp")]
#[test]
fn shamir_known_answers_gmp() {
    shamir_kat::<dsmpc_core::backend::Gmp>();
}

#[cfg(feature = "gmp")]
#[test]
fn pvss_known_answers_gmp() {
    pvss_kat::<dsmpc_core::backend::Gmp>();
}
