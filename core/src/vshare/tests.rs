//! Tests of vector sharing: reconstruction from any t, seeded and explicit shares, the
//! off-polynomial check, errors, and a known answer for the seed expansion.
use super::*;
use proptest::prelude::*;

const CTX: &[u8] = b"task-1/dp-7";

fn elem() -> impl Strategy<Value = F64> {
    prop_oneof![Just(0u64), Just(1), Just(P - 1), Just(P - 2), 0..P].prop_map(F64::new)
}

/// Distinct non-zero points below p, not contiguous, shuffled.
fn points(k: usize) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::btree_set(prop_oneof![1u64..40, (P - 8)..P, 1000u64..1_000_000], k)
        .prop_map(|s| s.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

/// (secret, points, t, rng seed)
fn setup() -> impl Strategy<Value = (Vec<F64>, Vec<u64>, usize, u64)> {
    (2usize..=12).prop_flat_map(|k| (prop::collection::vec(elem(), 0..=64), points(k), 2..=k, any::<u64>()))
}

/// Every share as a vector (seeds expanded).
fn vectors(shares: &[VShare], points: &[u64], d: usize) -> Vec<Zeroizing<Vec<F64>>> {
    shares
        .iter()
        .zip(points)
        .map(|(s, &x)| s.vector(CTX, x, d).unwrap())
        .collect()
}

/// `sum c_i v_i` the slow way.
fn naive(coeffs: &[F64], inputs: &[&[F64]], d: usize) -> Vec<F64> {
    (0..d)
        .map(|e| coeffs.iter().zip(inputs).fold(F64::ZERO, |a, (&c, v)| a + c * v[e]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_t_subset_reconstructs((secret, points, t, seed) in setup()) {
        let mut rng = crate::rng::seeded(seed, "vshare");
        let k = points.len();
        let d = secret.len();
        let shares = deal(&secret, &points, t, CTX, &mut rng).unwrap();
        prop_assert_eq!(shares.len(), k);
        for (i, s) in shares.iter().enumerate() {
            prop_assert_eq!(s.is_seed(), i < t - 1);
        }
        let ys = vectors(&shares, &points, d);
        for mask in 0u32..(1 << k) {
            if mask.count_ones() as usize != t {
                continue;
            }
            let idx: Vec<usize> = (0..k).filter(|i| mask >> i & 1 == 1).collect();
            let pts: Vec<u64> = idx.iter().map(|&i| points[i]).collect();
            let vs: Vec<&[F64]> = idx.iter().map(|&i| ys[i].as_slice()).collect();
            prop_assert_eq!(reconstruct(&pts, &vs).unwrap(), secret.clone());
        }
    }

    #[test]
    fn off_polynomial_names_the_changed_share(
        (secret, points, t, seed) in setup(),
        which in any::<prop::sample::Index>(),
        coord in any::<prop::sample::Index>(),
        delta in 1..P,
    ) {
        let mut rng = crate::rng::seeded(seed, "vshare/off");
        let d = secret.len();
        let shares = deal(&secret, &points, t, CTX, &mut rng).unwrap();
        let mut ys: Vec<Vec<F64>> = vectors(&shares, &points, d).iter().map(|v| v.to_vec()).collect();
        // The base: the last t shares (explicit, and seeded ones too when k < 2t - 1); the
        // others: the first k - t (seeded, and explicit ones too when k > 2t - 1).
        let k = points.len();
        let (other_points, base_points) = points.split_at(k - t);
        {
            let (oy, by) = ys.split_at(k - t);
            let base: Vec<&[F64]> = by.iter().map(|v| v.as_slice()).collect();
            let others: Vec<(u64, &[F64])> =
                other_points.iter().copied().zip(oy.iter().map(|v| v.as_slice())).collect();
            prop_assert_eq!(off_polynomial(base_points, &base, &others).unwrap(), Vec::<u64>::new());
            // Every other point evaluates to its share.
            let l = Lagrange64::new(base_points).unwrap();
            for (&x, y) in other_points.iter().zip(oy) {
                prop_assert_eq!(&l.evaluate(x, &base).unwrap(), y);
            }
        }
        if d > 0 && k > t {
            let i = which.index(k - t);
            let e = coord.index(d);
            ys[i][e] += F64::new(delta);
            let (oy, by) = ys.split_at(k - t);
            let base: Vec<&[F64]> = by.iter().map(|v| v.as_slice()).collect();
            let others: Vec<(u64, &[F64])> =
                other_points.iter().copied().zip(oy.iter().map(|v| v.as_slice())).collect();
            prop_assert_eq!(off_polynomial(base_points, &base, &others).unwrap(), vec![points[i]]);
        }
    }

    #[test]
    fn add_expanded_is_adding_expand(
        seed in any::<[u8; 32]>(),
        start in prop::collection::vec(elem(), 0..=600),
        point in 1u64..100,
    ) {
        let mut acc = start.clone();
        add_expanded(&mut acc, &seed, CTX, point);
        let mut want = start.clone();
        add_assign(&mut want, &expand(&seed, CTX, point, start.len()));
        prop_assert_eq!(&acc, &want);
        let share = VShare::Seed(Zeroizing::new(seed));
        let mut via = start;
        share.add_to(&mut via, CTX, point).unwrap();
        prop_assert_eq!(via, want);
    }

    #[test]
    fn combine_matches_naive(
        t in 1usize..=16,
        d in 0usize..=600,
        seed in any::<u64>(),
        worst in any::<bool>(),
    ) {
        // Worst case for the lazy reduction: every coefficient and value p - 1.
        let mut rng = crate::rng::seeded(seed, "combine");
        let mut draw = || if worst { F64::new(P - 1) } else { F64::random(&mut rng) };
        let coeffs: Vec<F64> = (0..t).map(|_| draw()).collect();
        let inputs: Vec<Vec<F64>> = (0..t).map(|_| (0..d).map(|_| draw()).collect()).collect();
        let refs: Vec<&[F64]> = inputs.iter().map(|v| v.as_slice()).collect();
        let mut out = vec![F64::ZERO; d];
        combine(&coeffs, &refs, &mut out);
        prop_assert_eq!(out, naive(&coeffs, &refs, d));
    }
}

#[test]
fn seeds_then_explicit() {
    let mut rng = crate::rng::seeded(3, "kat");
    let secret: Vec<F64> = (0..10).map(F64::new).collect();
    let points = [3, 9, 4, 20, 7, 11];
    let shares = deal(&secret, &points, 4, CTX, &mut rng).unwrap();
    let kinds: Vec<bool> = shares.iter().map(VShare::is_seed).collect();
    assert_eq!(kinds, [true, true, true, false, false, false]);
    for s in &shares[3..] {
        let VShare::Explicit(v) = s else { unreachable!() };
        assert_eq!(v.len(), 10);
    }
    // t = k: one explicit share; t = 2: one seed.
    let shares = deal(&secret, &points, 6, CTX, &mut rng).unwrap();
    assert_eq!(shares.iter().filter(|s| !s.is_seed()).count(), 1);
    let shares = deal(&secret, &points, 2, CTX, &mut rng).unwrap();
    assert_eq!(shares.iter().filter(|s| s.is_seed()).count(), 1);
    assert!(format!("{:?}", shares[0]).contains("<secret>"));
}

#[test]
fn expansion_is_bound_to_context_and_point() {
    let seed = [7u8; 32];
    let a = expand(&seed, CTX, 1, 32);
    assert_eq!(a, expand(&seed, CTX, 1, 32));
    assert_eq!(a[..8], expand(&seed, CTX, 1, 8)[..], "a prefix of the longer expansion");
    assert_ne!(a, expand(&seed, b"task-1/dp-8", 1, 32));
    assert_ne!(a, expand(&seed, CTX, 2, 32));
    assert_ne!(a, expand(&[8u8; 32], CTX, 1, 32));
    // The length prefix: moving a byte between context and the rest changes the key.
    assert_ne!(expand(&seed, b"", 1, 4), expand(&seed, b"\x01", 0, 4));
    assert!(expand(&seed, CTX, 1, 0).is_empty());
}

#[test]
fn expansion_known_answer() {
    // Pins the derivation (domain, length prefix, point, seed; ChaCha20; u64 draws).
    let v = expand(&[0u8; 32], b"", 1, 3);
    let got: Vec<u64> = v.iter().map(|x| x.value()).collect();
    assert_eq!(got, KAT);
}

/// Computed independently (Python: hashlib SHA-256 and a from-the-RFC ChaCha20 block
/// function, keystream read as little-endian u64 words).
const KAT: [u64; 3] = [4986642766008674027, 6900578611347655940, 17578025517715258590];

#[test]
fn empty_vectors() {
    let mut rng = crate::rng::seeded(4, "empty");
    let shares = deal(&[], &[1, 2, 3], 2, CTX, &mut rng).unwrap();
    let ys = vectors(&shares, &[1, 2, 3], 0);
    assert!(ys.iter().all(|v| v.is_empty()));
    assert_eq!(reconstruct(&[2, 3], &[&ys[1], &ys[2]]).unwrap(), Vec::<F64>::new());
    assert_eq!(
        off_polynomial(&[2, 3], &[&ys[1], &ys[2]], &[(1, &ys[0])]).unwrap(),
        Vec::<u64>::new()
    );
}

#[test]
fn a_bad_base_share_puts_every_other_off() {
    let mut rng = crate::rng::seeded(5, "bad-base");
    let secret: Vec<F64> = (0..300).map(|i| F64::new(i * 1_000_003)).collect();
    let points = [1, 2, 3, 4, 5, 6];
    let shares = deal(&secret, &points, 3, CTX, &mut rng).unwrap();
    let mut ys = vectors(&shares, &points, 300);
    ys[0][299] += F64::ONE;
    let off = off_polynomial(
        &points[..3],
        &[&ys[0], &ys[1], &ys[2]],
        &[(4, &ys[3]), (5, &ys[4]), (6, &ys[5])],
    );
    assert_eq!(off.unwrap(), vec![4, 5, 6]);
    assert_ne!(reconstruct(&points[..3], &[&ys[0], &ys[1], &ys[2]]).unwrap(), secret);
    assert_eq!(reconstruct(&points[3..], &[&ys[3], &ys[4], &ys[5]]).unwrap(), secret);
}

#[test]
fn lagrange_coefficients() {
    let l = Lagrange64::new(&[2, 5, 9]).unwrap();
    assert_eq!(l.threshold(), 3);
    assert_eq!(l.points(), [2, 5, 9]);
    assert_eq!(l.coefficients_at(5).unwrap(), [F64::ZERO, F64::ONE, F64::ZERO]);
    // The coefficients at any x sum to 1 (interpolating the constant 1).
    for x in [0, 1, 3, 1000, P - 1] {
        let c = l.coefficients_at(x).unwrap();
        assert_eq!(c.iter().fold(F64::ZERO, |a, &b| a + b), F64::ONE);
    }
    assert_eq!(l.at_zero(), l.coefficients_at(0).unwrap());
    assert!(matches!(l.coefficients_at(P), Err(CoreError::NotInField { .. })));
}

#[test]
fn refusals() {
    let mut rng = crate::rng::seeded(6, "refuse");
    let s = [F64::ONE, F64::new(2)];
    let deal = |points: &[u64], t, rng: &mut crate::rng::DsmpcRng| deal(&s, points, t, CTX, rng).map(|_| ());
    assert_eq!(
        deal(&[1, 2, 3], 1, &mut rng),
        Err(CoreError::ThresholdTooSmall { t: 1 })
    );
    assert_eq!(
        deal(&[1, 2, 3], 0, &mut rng),
        Err(CoreError::ThresholdTooSmall { t: 0 })
    );
    assert_eq!(
        deal(&[1, 2, 3], 4, &mut rng),
        Err(CoreError::ThresholdTooLarge { t: 4, points: 3 })
    );
    assert_eq!(deal(&[1, 2, 1], 2, &mut rng), Err(CoreError::DuplicatePoint { x: 1 }));
    assert_eq!(deal(&[1, 0, 3], 2, &mut rng), Err(CoreError::ZeroPoint));
    assert!(matches!(
        deal(&[1, P, 3], 2, &mut rng),
        Err(CoreError::NotInField { .. })
    ));
    assert!(deal(&[1, P - 1, 3], 2, &mut rng).is_ok());

    let (a, b, c) = ([F64::ONE; 4], [F64::ONE; 4], [F64::ONE; 3]);
    assert_eq!(reconstruct(&[1], &[&a]), Err(CoreError::ThresholdTooSmall { t: 1 }));
    assert_eq!(reconstruct(&[1, 1], &[&a, &b]), Err(CoreError::DuplicatePoint { x: 1 }));
    assert_eq!(reconstruct(&[1, 0], &[&a, &b]), Err(CoreError::ZeroPoint));
    assert_eq!(
        reconstruct(&[1, 2], &[&a]),
        Err(CoreError::ShareCount { points: 2, shares: 1 })
    );
    assert_eq!(
        reconstruct(&[1, 2], &[&a, &b, &c]),
        Err(CoreError::ShareCount { points: 2, shares: 3 })
    );
    let e = reconstruct(&[1, 2], &[&a, &c]).unwrap_err();
    assert_eq!(
        e,
        CoreError::LengthMismatch {
            x: 2,
            len: 3,
            expected: 4
        }
    );
    assert_eq!(e.to_string(), "the vector at point x = 2 has 3 elements, expected 4");

    assert_eq!(
        off_polynomial(&[1, 2], &[&a, &b], &[(3, &c)]),
        Err(CoreError::LengthMismatch {
            x: 3,
            len: 3,
            expected: 4
        })
    );
    assert_eq!(
        off_polynomial(&[1, 2], &[&a, &b], &[(2, &a)]),
        Err(CoreError::DuplicatePoint { x: 2 })
    );
    assert_eq!(
        off_polynomial(&[1, 2], &[&a, &b], &[(0, &a)]),
        Err(CoreError::ZeroPoint)
    );
    assert_eq!(
        off_polynomial(&[1, 2], &[&a, &b], &[(3, &a), (3, &a)]),
        Err(CoreError::DuplicatePoint { x: 3 })
    );

    let share = VShare::Explicit(Zeroizing::new(c.to_vec()));
    assert_eq!(
        share.vector(CTX, 9, 4).unwrap_err(),
        CoreError::LengthMismatch {
            x: 9,
            len: 3,
            expected: 4
        }
    );
    let mut acc = [F64::ZERO; 4];
    assert_eq!(
        share.add_to(&mut acc, CTX, 9).unwrap_err(),
        CoreError::LengthMismatch {
            x: 9,
            len: 3,
            expected: 4
        }
    );
}
