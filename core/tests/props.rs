//! Property tests, written once and instantiated per backend by `backend_props!`: field laws,
//! Shamir round trips from any t-subset, fixed-base and multi-exponentiation against plain
//! modexp, the constant-time and variable-time fixed-base paths agreeing, and the three PVSS
//! verification paths accepting and rejecting exactly the same packets (for the same reason)
//! under random tampering.

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{FixedBaseTable, SchnorrGroup};
use dsmpc_core::pvss::{self, VerifyMode};

// These tests exercise the Schnorr groups' own API; ristretto255 has its own tests (groups.rs).
type Attachment<B> = pvss::Attachment<B, SchnorrGroup<B>>;
type CpKeyPair<B> = pvss::CpKeyPair<B, SchnorrGroup<B>>;
type Packet<'a, B> = pvss::Packet<'a, B, SchnorrGroup<B>>;
use dsmpc_core::rng;
use dsmpc_core::shamir;
use proptest::prelude::*;

/// `prod bases[i]^exps[i] mod p` the slow way, one plain exponentiation per base.
fn plain_multi_exp<B: Backend>(g: &SchnorrGroup<B>, bases: &[B::Int], exps: &[u64]) -> B::Int {
    bases.iter().zip(exps).fold(B::from_u64(1), |acc, (b, e)| {
        B::mul_mod(&acc, &B::pow_mod(b, &B::from_u64(*e), g.p()), g.p())
    })
}

/// Tamper kinds applied to an honest packet.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    None,
    AddOneToE,
    NegateE,
    ECFromOtherShare,
    AddOneToC,
    ShiftR,
    ShiftY,
    EOutOfRange,
    SwapEC,
}

fn tamper_strategy() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        Just(Tamper::None),
        Just(Tamper::AddOneToE),
        Just(Tamper::NegateE),
        Just(Tamper::ECFromOtherShare),
        Just(Tamper::AddOneToC),
        Just(Tamper::ShiftR),
        Just(Tamper::ShiftY),
        Just(Tamper::EOutOfRange),
        Just(Tamper::SwapEC),
    ]
}

fn tampered<B: Backend>(
    group: &SchnorrGroup<B>,
    keys: &CpKeyPair<B>,
    seed: u64,
    how: Tamper,
) -> (B::Int, Attachment<B>) {
    let mut r = rng::seeded(seed, "prop");
    let zq = group.zq();
    let y = zq.random(&mut r);
    let mut att = pvss::attach_fast(group, keys.pk(), &y, &mut r);
    let one = B::from_u64(1);
    let mut y_out = y.clone();
    match how {
        Tamper::None => {}
        Tamper::AddOneToE => att.e = B::rem(&B::add(&att.e, &one), group.p()),
        Tamper::NegateE => att.e = B::sub(group.p(), &att.e),
        Tamper::ECFromOtherShare => {
            let other = zq.add(&y, &one);
            let o = pvss::attach_fast(group, keys.pk(), &other, &mut r);
            att.e = o.e;
        }
        Tamper::AddOneToC => att.c = B::rem(&B::add(&att.c, &one), group.p()),
        Tamper::ShiftR => att.r = zq.add(&att.r, &one),
        Tamper::ShiftY => y_out = zq.add(&y, &one),
        Tamper::EOutOfRange => att.e = B::add(&att.e, group.p()),
        Tamper::SwapEC => std::mem::swap(&mut att.e, &mut att.c),
    }
    (y_out, att)
}

macro_rules! backend_props {
    ($name:ident, $B:ty) => {
        mod $name {
            use super::*;
            type B = $B;

            fn group() -> &'static SchnorrGroup<B> {
                static G: std::sync::OnceLock<SchnorrGroup<B>> = std::sync::OnceLock::new();
                G.get_or_init(|| SchnorrGroup::<B>::standard(1024).unwrap())
            }

            fn keys() -> &'static CpKeyPair<B> {
                static K: std::sync::OnceLock<CpKeyPair<B>> = std::sync::OnceLock::new();
                K.get_or_init(|| CpKeyPair::generate(group(), &mut rng::seeded(99, "keys")))
            }

            proptest! {
                #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

                #[test]
                fn field_laws(seed in any::<u64>()) {
                    let zq = group().zq();
                    let mut r = rng::seeded(seed, "field");
                    let (a, b, c) = (zq.random(&mut r), zq.random(&mut r), zq.random_nonzero(&mut r));
                    prop_assert_eq!(zq.sub(&zq.add(&a, &b), &b), a.clone());
                    prop_assert_eq!(zq.add(&a, &zq.neg(&a)), B::from_u64(0));
                    prop_assert_eq!(zq.mul(&c, &zq.inv(&c).unwrap()), B::from_u64(1));
                    prop_assert_eq!(zq.inv_secret(&c), zq.inv(&c));
                    prop_assert_eq!(zq.mul(&a, &zq.add(&b, &c)), zq.add(&zq.mul(&a, &b), &zq.mul(&a, &c)));
                    let bytes = zq.to_bytes(&a);
                    prop_assert_eq!(bytes.len(), 32);
                    prop_assert_eq!(zq.from_bytes(&bytes, "a").unwrap(), a);
                }

                #[test]
                fn shamir_any_t_subset_reconstructs(seed in any::<u64>(), t in 2usize..8, extra in 0usize..5, rot in 0usize..16) {
                    let zq = group().zq();
                    let mut r = rng::seeded(seed, "shamir");
                    let secret = zq.random(&mut r);
                    let points: Vec<u64> = (1..=(t + extra) as u64).collect();
                    let shares = shamir::split(zq, &secret, t, &points, &mut r).unwrap();
                    let mut subset = shares.clone();
                    subset.rotate_left(rot % shares.len());
                    prop_assert_eq!(shamir::reconstruct(zq, &subset, t).unwrap(), secret.clone());
                    // t - 1 shares say nothing: reconstructing with threshold t - 1 gives a different value
                    // unless by chance (probability 1/q).
                    if t > 2 {
                        prop_assert_ne!(shamir::reconstruct(zq, &subset[..t - 1], t - 1).unwrap(), secret);
                    }
                }

                #[test]
                fn lagrange_at_large_points_folds_its_exact_products(seed in any::<u64>(), t in 2usize..9, extra in 1usize..4) {
                    // Points up to 2^64 - 1: the products of their differences leave i128 after
                    // two or three factors, so the exact products fold into Z_q.
                    let zq = group().zq();
                    let mut r = rng::seeded(seed, "shamir-large");
                    let secret = zq.random(&mut r);
                    let mut points: Vec<u64> = vec![u64::MAX, u64::MAX - 1, 1];
                    while points.len() < t + extra {
                        let x = rand_core::Rng::next_u64(&mut r) | 1;
                        if !points.contains(&x) {
                            points.push(x);
                        }
                    }
                    points.truncate(t + extra);
                    let mut shares = shamir::split(zq, &secret, t, &points, &mut r).unwrap();
                    prop_assert_eq!(shamir::reconstruct(zq, &shares, t).unwrap(), secret);
                    prop_assert!(shamir::off_polynomial(zq, &shares, t).unwrap().is_empty());
                    let last = shares.len() - 1;
                    shares[last].y = zq.add(&shares[last].y, &zq.from_u64(1));
                    prop_assert_eq!(shamir::off_polynomial(zq, &shares, t).unwrap(), vec![shares[last].x]);
                }

                #[test]
                fn off_polynomial_names_exactly_the_altered_extra_shares(seed in any::<u64>(), t in 2usize..6, extra in 1usize..4, which in 0usize..16) {
                    let zq = group().zq();
                    let mut r = rng::seeded(seed, "consistent");
                    let points: Vec<u64> = (1..=(t + extra) as u64).collect();
                    let mut shares = shamir::split(zq, &zq.random(&mut r), t, &points, &mut r).unwrap();
                    prop_assert!(shamir::off_polynomial(zq, &shares, t).unwrap().is_empty());
                    let i = t + which % extra;
                    shares[i].y = zq.add(&shares[i].y, &B::from_u64(1));
                    prop_assert_eq!(shamir::off_polynomial(zq, &shares, t).unwrap(), vec![shares[i].x]);
                    // A wrong share among the first t puts every extra share off the polynomial.
                    shares[i].y = zq.sub(&shares[i].y, &B::from_u64(1));
                    shares[which % t].y = zq.add(&shares[which % t].y, &B::from_u64(1));
                    prop_assert_eq!(shamir::off_polynomial(zq, &shares, t).unwrap().len(), extra);
                    prop_assert!(shamir::off_polynomial(zq, &shares[..t], t).unwrap().is_empty(), "t shares are always consistent");
                }

                #[test]
                fn shares_add_homomorphically(seed in any::<u64>(), t in 2usize..6) {
                    let zq = group().zq();
                    let mut r = rng::seeded(seed, "homo");
                    let points: Vec<u64> = (1..=(t as u64 + 2)).collect();
                    let (s1, s2) = (zq.random(&mut r), zq.random(&mut r));
                    let a = shamir::split(zq, &s1, t, &points, &mut r).unwrap();
                    let b = shamir::split(zq, &s2, t, &points, &mut r).unwrap();
                    let sum: Vec<_> = a.iter().zip(&b).map(|(x, y)| shamir::Share { x: x.x, y: zq.add(&x.y, &y.y) }).collect();
                    prop_assert_eq!(shamir::reconstruct(zq, &sum[2..], t).unwrap(), zq.add(&s1, &s2));
                }

                #[test]
                fn fixed_base_and_multi_exp_match_plain_modexp(seed in any::<u64>(), n in 1usize..6, window in 1u32..9) {
                    let g = group();
                    let mut r = rng::seeded(seed, "exp");
                    let e = g.zq().random(&mut r);
                    prop_assert_eq!(g.pow_g(&e), B::pow_mod(g.g(), &e, g.p()));
                    prop_assert_eq!(g.pow_h(&e), B::pow_mod(g.h(), &e, g.p()));
                    let base = g.pow(g.g(), &g.zq().random(&mut r));
                    let table = FixedBaseTable::new(g, &base, window);
                    prop_assert_eq!(table.pow(g, &e), B::pow_mod(&base, &e, g.p()));
                    prop_assert_eq!(table.pow(g, &B::from_u64(0)), B::from_u64(1));
                    let bases: Vec<_> = (0..n).map(|_| g.pow_g(&g.zq().random(&mut r))).collect();
                    let exps: Vec<u64> = (0..n).map(|i| if i == 0 { u64::MAX } else { rand_core::Rng::next_u64(&mut r) >> (i * 7) }).collect();
                    let refs: Vec<&_> = bases.iter().collect();
                    prop_assert_eq!(g.multi_exp_small(&refs, &exps), plain_multi_exp(g, &bases, &exps));
                }

                #[test]
                fn many_base_multi_exp_matches_plain_modexp(seed in any::<u64>(), n in 20usize..300) {
                    // Enough bases for Pippenger's buckets; exponents of every size, 0 and 2^64 - 1.
                    let g = group();
                    let mut r = rng::seeded(seed, "buckets");
                    let base = g.pow(g.g(), &g.zq().random(&mut r));
                    let bases: Vec<_> = (0..n).map(|i| g.mul(&base, &B::from_u64(i as u64 + 2))).collect();
                    let exps: Vec<u64> = (0..n)
                        .map(|i| match i % 5 {
                            0 => 0,
                            1 => u64::MAX,
                            k => rand_core::Rng::next_u64(&mut r) >> (k * 13),
                        })
                        .collect();
                    let refs: Vec<&_> = bases.iter().collect();
                    prop_assert_eq!(g.multi_exp_small(&refs, &exps), plain_multi_exp(g, &bases, &exps));
                }

                #[test]
                fn prepared_modulus_multiplies_as_mul_mod(seed in any::<u64>(), which in 0usize..4) {
                    use dsmpc_core::backend::ModArith;
                    let g = group();
                    let ar = g.arith();
                    let mut r = rng::seeded(seed, "arith");
                    let a = g.pow(g.g(), &g.zq().random(&mut r));
                    // An element, and the edges: 0, 1, p - 1.
                    let b = match which {
                        0 => g.pow(g.h(), &g.zq().random(&mut r)),
                        1 => B::from_u64(0),
                        2 => B::from_u64(1),
                        _ => B::sub(g.p(), &B::from_u64(1)),
                    };
                    let (ea, eb) = (ar.enter(&a), ar.enter(&b));
                    prop_assert_eq!(ar.leave(&ea), a.clone());
                    prop_assert_eq!(ar.leave(&ar.mul(&ea, &eb)), B::mul_mod(&a, &b, g.p()));
                    let mut sq = eb.clone();
                    ar.square_assign(&mut sq);
                    prop_assert_eq!(ar.leave(&sq), B::mul_mod(&b, &b, g.p()));
                    // Through the limbs the constant-time tables store.
                    let mut limbs = vec![0u64; ar.limbs()];
                    ar.write_limbs(&eb, &mut limbs);
                    let mut back = ar.one();
                    ar.read_limbs(&mut back, &limbs);
                    prop_assert_eq!(ar.leave(&back), b.clone());
                    // Entering reduces a value at or above p.
                    prop_assert_eq!(ar.leave(&ar.enter(&B::add(g.p(), &b))), b);
                }

                #[test]
                fn constant_time_and_variable_time_fixed_base_agree(seed in any::<u64>(), window in 1u32..9, ct_window in 1u32..9, small in any::<u64>(), which in 0usize..4) {
                    let g = group();
                    let mut r = rng::seeded(seed, "ct");
                    let base = g.pow(g.g(), &g.zq().random(&mut r));
                    let table = FixedBaseTable::with_ct_window(g, &base, window, ct_window);
                    prop_assert_eq!(table.ct_window(), ct_window);
                    let q1 = B::sub(g.q(), &B::from_u64(1));
                    // Random exponents below q, and the edges: 0, 1, a small one, q - 1.
                    let e = match which {
                        0 => g.zq().random(&mut r),
                        1 => B::from_u64(small % 2),
                        2 => B::from_u64(small),
                        _ => q1.clone(),
                    };
                    let ct = table.pow(g, &e);
                    prop_assert_eq!(&ct, &table.pow_vartime(g, &e));
                    prop_assert_eq!(&ct, &B::pow_mod(&base, &e, g.p()));
                    prop_assert_eq!(g.pow_g(&e), g.g_table().pow_vartime(g, &e));
                    prop_assert_eq!(g.pow_h(&e), g.h_table().pow_vartime(g, &e));
                    // Past the table (2^256 and more): the backend's secret exponentiation.
                    let big = B::add(&B::mul(g.q(), &B::from_u64(1 << 20)), &e);
                    prop_assert_eq!(table.pow(g, &big), B::pow_mod(&base, &big, g.p()));
                }

                #[test]
                fn verification_paths_agree(seed in any::<u64>(), how in tamper_strategy()) {
                    let (g, k) = (group(), keys());
                    let (y, att) = tampered(g, k, seed, how);
                    let pkt = Packet { y: &y, att: &att };
                    let mut r = rng::seeded(seed, "batch");
                    let paper = pvss::verify_paper(g, k, pkt);
                    let fast = pvss::verify_fast(g, k, pkt);
                    let batch = pvss::verify(VerifyMode::Batch, g, k, pkt, &mut r);
                    prop_assert_eq!(paper, fast);
                    prop_assert_eq!(paper, batch);
                    prop_assert_eq!(paper.is_ok(), matches!(how, Tamper::None));
                }

                #[test]
                fn attach_paper_and_fast_are_identical(seed in any::<u64>()) {
                    let (g, k) = (group(), keys());
                    let y = g.zq().random(&mut rng::seeded(seed, "y"));
                    let a = pvss::attach_paper(g, k.pk(), &y, &mut rng::seeded(seed, "att"));
                    let b = pvss::attach_fast(g, k.pk(), &y, &mut rng::seeded(seed, "att"));
                    prop_assert_eq!(a, b);
                }
            }
        }
    };
}

backend_props!(num, dsmpc_core::backend::Num);
#[cfg(feature = "gmp")]
backend_props!(gmp, dsmpc_core::backend::Gmp);
