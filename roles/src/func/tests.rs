//! Tests of `func`: parsing the function, the limits of `check` at and one past the edge,
//! encode -> sum -> decode round trips against plain integer arithmetic; the values-file
//! parser (errors name line and column; exact fixed point) and hostile text in `values_file`.

use dsmpc_core::field64::{F64, P};
use dsmpc_core::rng::{DsmpcRng, seeded};
use rand_core::Rng;

use super::*;

fn spec(func: Func, dim: usize, value_bits: u32, frac_bits: u32) -> FuncSpec {
    FuncSpec {
        func,
        dim,
        value_bits,
        frac_bits,
    }
}

fn below(rng: &mut DsmpcRng, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

// ---- Func ----------------------------------------------------------------------------------

#[test]
fn func_parses_and_prints_back() {
    for s in [
        "sum",
        "mean",
        "histogram:1",
        "histogram:10",
        "histogram:16777216",
        "meanvar",
        "vector-sum",
        "vector-mean",
    ] {
        let f: Func = s.parse().unwrap();
        assert_eq!(f.to_string(), s);
    }
    assert_eq!(Func::default(), Func::Sum);
    assert_eq!("histogram:007".parse::<Func>().unwrap(), Func::Histogram { buckets: 7 });
    for bad in [
        "",
        "Sum",
        "avg",
        "histogram",
        "histogram:",
        "histogram:0",
        "histogram:16777217",
        "histogram:+3",
        "histogram:-1",
        "histogram:x",
        "histogram:99999999999999999999999",
    ] {
        let e = bad.parse::<Func>().unwrap_err().to_string();
        assert!(e.contains("accepted: sum, mean, histogram:B"), "{bad}: {e}");
    }
    let e = "histogram".parse::<Func>().unwrap_err().to_string();
    assert!(e.contains("histogram:10"), "{e}");
}

#[test]
fn elements_and_layout() {
    assert_eq!(spec(Func::Sum, 3, 8, 0).elements(), 3);
    assert_eq!(spec(Func::Histogram { buckets: 5 }, 1, 32, 0).elements(), 5);
    assert_eq!(spec(Func::Histogram { buckets: 5 }, 9, 32, 0).input_len(), 1);
    assert_eq!(spec(Func::MeanVar, 3, 8, 0).elements(), 6);
    let s = spec(Func::MeanVar, 3, 8, 0);
    let enc = s.encode(&InputRow::Unsigned(vec![2, 3, 255])).unwrap();
    let want: Vec<F64> = [2u64, 3, 255, 4, 9, 65025].into_iter().map(F64::new).collect();
    assert_eq!(enc, want);
    let h = spec(Func::Histogram { buckets: 4 }, 1, 32, 0);
    assert_eq!(
        h.encode(&InputRow::Bucket(3)).unwrap(),
        [0u64, 0, 0, 1].map(F64::new).to_vec()
    );
    let v = spec(Func::VectorSum, 2, 16, 4);
    assert_eq!(
        v.encode(&InputRow::Signed(vec![-1, 5])).unwrap(),
        vec![F64::new(P - 1), F64::new(5)]
    );
}

// ---- check ---------------------------------------------------------------------------------

fn ok(s: FuncSpec, n: usize) -> bool {
    s.check(n).is_ok()
}

#[test]
fn sum_limit_is_exact() {
    // (p - 1) / (2^32 - 1) = 2^32 exactly.
    let s = spec(Func::Sum, 1, 32, 0);
    assert_eq!(s.max_n(), 1 << 32);
    assert!(ok(s, 1 << 32));
    let e = s.check((1 << 32) + 1).unwrap_err().to_string();
    assert!(
        e.contains("--value-bits at most 31 at n = 4294967297, or at most 4294967296 DPs at --value-bits 32"),
        "{e}"
    );
    // v = 63: only one DP (2 (2^63 - 1) > p - 1).
    let s = spec(Func::Mean, 4, 63, 0);
    assert!(ok(s, 1));
    assert!(!ok(s, 2));
    // v = 1: n <= p - 1.
    assert_eq!(spec(Func::Sum, 1, 1, 0).max_n(), P - 1);
    let e = spec(Func::Sum, 1, 8, 0).check(usize::MAX).unwrap_err().to_string();
    assert!(
        e.contains("fewer DPs: even --value-bits 1 allows at most 18446744069414584320"),
        "{e}"
    );
}

#[test]
fn meanvar_limit_is_exact() {
    // (p - 1) / (2^27 - 1)^2 = 1024: 1024 (2^54 - 2^28 + 1) = 2^64 - 2^38 + 2^10 <= 2^64 - 2^32.
    let s = spec(Func::MeanVar, 2, 27, 0);
    assert_eq!(s.max_n(), 1024);
    assert!(ok(s, 1000) && ok(s, 1024));
    assert!(!ok(s, 1025));
    // At n = 1,000 the widest values are 27 bits, not 26: 1000 (2^27 - 1)^2 ~ 1.80e19 < p ~ 1.84e19.
    let e = spec(Func::MeanVar, 2, 28, 0).check(1000).unwrap_err().to_string();
    assert!(
        e.contains("Use --value-bits at most 27 at n = 1000, or at most 256 DPs at --value-bits 28"),
        "{e}"
    );
    assert!(e.contains("sum of squares"), "{e}");
    let s = spec(Func::MeanVar, 1, 26, 0);
    assert_eq!(s.max_n(), 4096);
    assert!(ok(s, 4096) && !ok(s, 4097));
    // v = 32: one DP; v = 33: none.
    assert_eq!(spec(Func::MeanVar, 1, 32, 0).max_n(), 1);
    let e = spec(Func::MeanVar, 1, 33, 0).check(1).unwrap_err().to_string();
    assert!(
        e.contains("--value-bits at most 32 (at --value-bits 33 not even one DP fits)"),
        "{e}"
    );
}

#[test]
fn vector_limit_is_exact() {
    // ((p - 1) / 2) / 2^31 = (2^63 - 2^31) / 2^31 = 2^32 - 1.
    let s = spec(Func::VectorSum, 3, 32, 16);
    assert_eq!(s.max_n(), (1 << 32) - 1);
    assert!(ok(s, (1 << 32) - 1));
    let e = s.check(1 << 32).unwrap_err().to_string();
    assert!(e.contains("(p - 1) / 2"), "{e}");
    let s = spec(Func::VectorMean, 1, 63, 62);
    assert!(ok(s, 1) && !ok(s, 2));
}

#[test]
fn check_refuses_bad_shapes() {
    let msg = |s: FuncSpec, n: usize| s.check(n).unwrap_err().to_string();
    assert!(msg(spec(Func::Sum, 1, 8, 0), 0).contains("--dps"));
    assert!(msg(spec(Func::Sum, 0, 8, 0), 1).contains("--dim 0"));
    assert!(ok(spec(Func::Sum, MAX_DIM, 8, 0), 1));
    assert!(msg(spec(Func::Sum, MAX_DIM + 1, 8, 0), 1).contains("--dim"));
    assert!(ok(spec(Func::MeanVar, MAX_DIM / 2, 8, 0), 1));
    assert!(msg(spec(Func::MeanVar, MAX_DIM / 2 + 1, 8, 0), 1).contains("--dim at most 8388608"));
    assert!(msg(spec(Func::Sum, 1, 0, 0), 1).contains("--value-bits 0"));
    assert!(msg(spec(Func::Sum, 1, 64, 0), 1).contains("--value-bits 64"));
    assert!(msg(spec(Func::Sum, 1, 8, 2), 1).contains("--frac-bits 2 is only for vector-sum"));
    assert!(msg(spec(Func::Histogram { buckets: 3 }, 1, 8, 2), 1).contains("--frac-bits"));
    assert!(ok(spec(Func::VectorSum, 1, 8, 7), 1));
    assert!(msg(spec(Func::VectorSum, 1, 8, 8), 1).contains("--frac-bits 8 must be below --value-bits 8"));
    assert!(msg(spec(Func::Histogram { buckets: 0 }, 1, 8, 0), 1).contains("buckets"));
    assert!(
        msg(
            spec(
                Func::Histogram {
                    buckets: MAX_BUCKETS + 1
                },
                1,
                8,
                0
            ),
            1
        )
        .contains("buckets")
    );
    // A histogram ignores dim and value_bits; n up to p - 1.
    assert!(ok(
        spec(Func::Histogram { buckets: MAX_BUCKETS }, 0, 0, 0),
        (P - 1) as usize
    ));
    assert!(!ok(spec(Func::Histogram { buckets: 2 }, 1, 8, 0), P as usize));
}

// ---- encode, plaintext, decode -------------------------------------------------------------

/// A random spec that passes `check` for some n, and that n (at most 40).
fn random_spec(rng: &mut DsmpcRng) -> (FuncSpec, usize) {
    loop {
        let func = match below(rng, 6) {
            0 => Func::Sum,
            1 => Func::Mean,
            2 => Func::Histogram {
                buckets: 1 + below(rng, 20) as u32,
            },
            3 => Func::MeanVar,
            4 => Func::VectorSum,
            _ => Func::VectorMean,
        };
        let v = match below(rng, 4) {
            0 => 1,
            1 => 63,
            _ => 1 + below(rng, 63) as u32,
        };
        let f = if func.is_fixed_point() {
            below(rng, u64::from(v)) as u32
        } else {
            0
        };
        let s = spec(func, 1 + below(rng, 6) as usize, v, f);
        let most = s.max_n().min(40);
        if most >= 1 {
            let n = 1 + below(rng, most) as usize;
            assert!(s.check(n).is_ok());
            return (s, n);
        }
    }
}

/// A row with each value an extreme (0 / the largest / the most negative) or uniform.
fn extreme_row(s: &FuncSpec, rng: &mut DsmpcRng) -> InputRow {
    let v = s.value_bits;
    match (s.random_row(rng), s.func) {
        (InputRow::Bucket(b), Func::Histogram { buckets }) => InputRow::Bucket(match below(rng, 3) {
            0 => 0,
            1 => buckets - 1,
            _ => b,
        }),
        (InputRow::Unsigned(xs), _) => InputRow::Unsigned(
            xs.into_iter()
                .map(|x| match below(rng, 3) {
                    0 => 0,
                    1 => (1 << v) - 1,
                    _ => x,
                })
                .collect(),
        ),
        (InputRow::Signed(xs), _) => InputRow::Signed(
            xs.into_iter()
                .map(|x| match below(rng, 4) {
                    0 => -(1 << (v - 1)),
                    1 => (1 << (v - 1)) - 1,
                    2 => 0,
                    _ => x,
                })
                .collect(),
        ),
        (r, _) => r,
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs())
}

#[test]
fn round_trips_match_plain_arithmetic() {
    let mut rng = seeded(1, "func round trips");
    for _ in 0..3000 {
        let (s, n) = random_spec(&mut rng);
        let rows: Vec<InputRow> = (0..n).map(|_| extreme_row(&s, &mut rng)).collect();
        // The aggregate as the protocol makes it: the field sum of the encodings.
        let mut agg = vec![F64::ZERO; s.elements()];
        for r in &rows {
            let e = s.encode(r).unwrap();
            assert_eq!(e.len(), s.elements());
            for (a, x) in agg.iter_mut().zip(e) {
                *a += x;
            }
        }
        assert_eq!(plaintext(&s, &rows).unwrap(), agg);
        let got = decode(&s, n, &agg).unwrap_or_else(|e| panic!("{s:?} n={n}: {e}"));
        let nf = n as f64;
        match (&got, s.func) {
            (FuncResult::Sum { sum, average, .. }, Func::Sum)
            | (FuncResult::Mean { sum, mean: average, .. }, Func::Mean) => {
                for j in 0..s.dim {
                    let want: u128 = rows
                        .iter()
                        .map(|r| match r {
                            InputRow::Unsigned(xs) => u128::from(xs[j]),
                            _ => unreachable!(),
                        })
                        .sum();
                    assert_eq!(u128::from(sum[j]), want);
                    assert!(
                        close(average[j], want as f64 / nf),
                        "{} vs {}",
                        average[j],
                        want as f64 / nf
                    );
                }
            }
            (FuncResult::Histogram { counts }, Func::Histogram { buckets }) => {
                let mut want = vec![0u64; buckets as usize];
                for r in &rows {
                    let InputRow::Bucket(b) = r else { unreachable!() };
                    want[*b as usize] += 1;
                }
                assert_eq!(counts, &want);
            }
            (
                FuncResult::MeanVar {
                    sum,
                    sum_sq,
                    mean,
                    variance,
                    ..
                },
                Func::MeanVar,
            ) => {
                for j in 0..s.dim {
                    let xs: Vec<u128> = rows
                        .iter()
                        .map(|r| match r {
                            InputRow::Unsigned(xs) => u128::from(xs[j]),
                            _ => unreachable!(),
                        })
                        .collect();
                    let (a, b): (u128, u128) = (xs.iter().sum(), xs.iter().map(|x| x * x).sum());
                    assert_eq!((u128::from(sum[j]), u128::from(sum_sq[j])), (a, b));
                    assert!(close(mean[j], a as f64 / nf));
                    // The definition, in f64: the mean of the squared deviations.
                    let m = a as f64 / nf;
                    let naive = xs.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / nf;
                    assert!(variance[j] >= 0.0);
                    assert!(
                        (variance[j] - naive).abs() <= 1e-9 * naive.max(1.0),
                        "{} vs {naive}",
                        variance[j]
                    );
                    let exact = exact::ratio(nf as u128 * b - a * a, (n * n) as u128);
                    assert_eq!(variance[j], exact);
                }
            }
            (FuncResult::VectorSum { scaled, sum, frac_bits }, Func::VectorSum)
            | (
                FuncResult::VectorMean {
                    scaled,
                    mean: sum,
                    frac_bits,
                    ..
                },
                Func::VectorMean,
            ) => {
                assert_eq!(*frac_bits, s.frac_bits);
                for j in 0..s.dim {
                    let want: i128 = rows
                        .iter()
                        .map(|r| match r {
                            InputRow::Signed(xs) => i128::from(xs[j]),
                            _ => unreachable!(),
                        })
                        .sum();
                    assert_eq!(i128::from(scaled[j]), want);
                    let mut x = want as f64 / 2f64.powi(s.frac_bits as i32);
                    if s.func == Func::VectorMean {
                        x /= nf;
                    }
                    assert!(close(sum[j], x), "{} vs {x}", sum[j]);
                }
            }
            (r, f) => panic!("{f} decoded as {r:?}"),
        }
    }
}

#[test]
fn decode_at_the_limits() {
    // sum, v = 32, n = 2^32 DPs all at 2^32 - 1: the aggregate is p - 1 itself.
    let s = spec(Func::Sum, 1, 32, 0);
    let n = 1usize << 32;
    let agg = [F64::new((1 << 32) - 1) * F64::new(n as u64)];
    assert_eq!(agg[0].value(), P - 1);
    let FuncResult::Sum { sum, average, .. } = decode(&s, n, &agg).unwrap() else {
        panic!()
    };
    assert_eq!((sum[0], average[0]), (P - 1, ((1u64 << 32) - 1) as f64));
    // meanvar, v = 27, n = 1024 DPs all at 2^27 - 1: variance 0; half of them at 0: the
    // variance of {0, m} is m^2 / 4.
    let s = spec(Func::MeanVar, 1, 27, 0);
    let m = (1u64 << 27) - 1;
    let one = s.encode(&InputRow::Unsigned(vec![m])).unwrap();
    let agg: Vec<F64> = one.iter().map(|&x| x * F64::new(1024)).collect();
    let FuncResult::MeanVar { mean, variance, .. } = decode(&s, 1024, &agg).unwrap() else {
        panic!()
    };
    assert_eq!((mean[0], variance[0]), (m as f64, 0.0));
    let agg: Vec<F64> = one.iter().map(|&x| x * F64::new(512)).collect();
    let r = decode(&s, 1024, &agg).unwrap();
    let FuncResult::MeanVar { mean, variance, .. } = &r else {
        panic!()
    };
    assert_eq!((mean[0], variance[0]), (m as f64 / 2.0, (m as f64 / 2.0).powi(2)));
    assert_eq!(
        r.to_string(),
        "mean = 67108863.500000 variance = 4503599560261632.250000"
    );
    // vector, v = 32, n = 2^32 - 1 DPs all at -2^31: the sum is -(p - 1) / 2.
    let s = spec(Func::VectorSum, 1, 32, 0);
    let n = (1u64 << 32) - 1;
    let agg = [F64::from_i64(-(1 << 31)) * F64::new(n)];
    let FuncResult::VectorSum { scaled, .. } = decode(&s, n as usize, &agg).unwrap() else {
        panic!()
    };
    assert_eq!(i128::from(scaled[0]), -(i128::from(P) - 1) / 2);
    let agg = [F64::from_i64((1 << 31) - 1) * F64::new(n)];
    let FuncResult::VectorSum { scaled, .. } = decode(&s, n as usize, &agg).unwrap() else {
        panic!()
    };
    assert_eq!(scaled[0], ((1i64 << 31) - 1) * n as i64);
}

#[test]
fn encode_names_the_coordinate() {
    let e = |s: FuncSpec, r: InputRow| s.encode(&r).unwrap_err().to_string();
    let m = e(spec(Func::Sum, 3, 8, 0), InputRow::Unsigned(vec![1, 255, 256]));
    assert!(m.contains("coordinate 3") && m.contains("256"), "{m}");
    let m = e(spec(Func::VectorSum, 2, 8, 0), InputRow::Signed(vec![-128, 128]));
    assert!(m.contains("coordinate 2"), "{m}");
    let m = e(spec(Func::VectorSum, 2, 8, 0), InputRow::Signed(vec![-129, 0]));
    assert!(m.contains("coordinate 1"), "{m}");
    assert!(e(spec(Func::Histogram { buckets: 3 }, 1, 8, 0), InputRow::Bucket(3)).contains("0 to 2"));
    assert!(e(spec(Func::Sum, 2, 8, 0), InputRow::Unsigned(vec![1])).contains("--dim is 2"));
    assert!(e(spec(Func::Sum, 1, 8, 0), InputRow::Signed(vec![1])).contains("takes unsigned integers"));
    assert!(e(spec(Func::Sum, 1, 64, 0), InputRow::Unsigned(vec![1])).contains("--value-bits 64"));
    let m = plaintext(
        &spec(Func::Sum, 1, 8, 0),
        &[InputRow::Unsigned(vec![1]), InputRow::Unsigned(vec![300])],
    )
    .unwrap_err()
    .to_string();
    assert!(m.contains("DP 2 of 2"), "{m}");
}

#[test]
fn decode_refuses_what_no_honest_inputs_give() {
    let e = |s: FuncSpec, n: usize, agg: &[u64]| {
        let agg: Vec<F64> = agg.iter().map(|&x| F64::new(x)).collect();
        decode(&s, n, &agg).unwrap_err().to_string()
    };
    let h = spec(Func::Histogram { buckets: 3 }, 1, 8, 0);
    let m = e(h, 4, &[1, 2, 2]);
    assert!(
        m.contains("add up to 5, not to the 4 DPs") && m.contains("not yet proved valid"),
        "{m}"
    );
    assert!(e(spec(Func::Sum, 1, 8, 0), 2, &[511]).contains("above n = 2 times"));
    assert!(e(spec(Func::MeanVar, 1, 8, 0), 1, &[2, 1]).contains("negative variance"));
    assert!(e(spec(Func::MeanVar, 1, 8, 0), 1, &[2, 65026]).contains("sum of squares is above"));
    assert!(e(spec(Func::VectorSum, 1, 8, 0), 1, &[P - 129]).contains("outside"));
    assert!(e(spec(Func::Sum, 2, 8, 0), 1, &[1]).contains("2 were expected"));
    assert!(e(spec(Func::Sum, 1, 8, 0), 0, &[0]).contains("no DPs"));
}

#[test]
fn random_rows_cover_the_range() {
    let mut rng = seeded(2, "func random");
    let s = spec(Func::VectorMean, 1000, 4, 2);
    let InputRow::Signed(xs) = s.random_row(&mut rng) else {
        panic!()
    };
    assert!(xs.iter().all(|x| (-8..8).contains(x)));
    assert!(xs.contains(&-8) && xs.contains(&7));
    let s = spec(Func::Sum, 1000, 3, 0);
    let InputRow::Unsigned(xs) = s.random_row(&mut rng) else {
        panic!()
    };
    assert!(xs.iter().all(|&x| x < 8) && xs.contains(&0) && xs.contains(&7));
    let s = spec(Func::Histogram { buckets: 3 }, 1, 8, 0);
    let seen: std::collections::BTreeSet<u32> = (0..200)
        .map(|_| match s.random_row(&mut rng) {
            InputRow::Bucket(b) => b,
            _ => panic!(),
        })
        .collect();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
}

// ---- Display, write_full ---------------------------------------------------------------------

#[test]
fn display_for_people() {
    let s = FuncSpec::scalar(32);
    let r = decode(&s, 20, &[F64::new(123)]).unwrap();
    assert_eq!(r.to_string(), "sum = 123 average = 6.150000");
    let s = spec(Func::VectorSum, 10_000, 16, 2);
    let agg: Vec<F64> = (0..10_000).map(|j| F64::from_i64(j - 5)).collect();
    let r = decode(&s, 3, &agg).unwrap();
    let text = r.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "coordinate 1: sum = -1.250000",
            "coordinate 2: sum = -1.000000",
            "coordinate 3: sum = -0.750000",
            "coordinate 4: sum = -0.500000",
            "...",
            "coordinate 9999: sum = 2498.250000",
            "coordinate 10000: sum = 2498.500000",
            "(10000 coordinates; --output FILE writes them all)",
        ]
    );
    let mut csv = Vec::new();
    r.write_full(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 10_001);
    assert!(csv.starts_with("coordinate,scaled_sum,sum\n1,-5,-1.25\n"), "{csv:.60}");
    let h = decode(
        &spec(Func::Histogram { buckets: 2 }, 1, 8, 0),
        3,
        &[F64::new(1), F64::new(2)],
    )
    .unwrap();
    assert_eq!(h.to_string(), "bucket 0: count = 1\nbucket 1: count = 2");
    let m = decode(&spec(Func::VectorMean, 1, 8, 1), 3, &[F64::from_i64(-1)]).unwrap();
    assert_eq!(m.to_string(), "mean = -0.166667");
    let m = decode(&spec(Func::Mean, 1, 8, 0), 3, &[F64::new(2)]).unwrap();
    assert_eq!(m.to_string(), "mean = 0.666667 (sum = 2)");
}

mod values_file;
