//! What the Edge makes of a vector session's aggregate: [`decode`] reads the field sum of the
//! DPs' encoded inputs as the function's [`FuncResult`] (exact integers, `f64`s rounded once
//! from exact ratios), refusing sums no honest inputs give; `Display` for people (long vectors
//! summarised) and [`FuncResult::write_full`] for files.

use std::fmt;
use std::io::Write;

use dsmpc_core::field64::F64;

use super::*;
use crate::error::{Result, RolesError};

/// What the Edge learns, decoded from the aggregate (exact integers, and `f64`s rounded once
/// from exact ratios).
#[derive(Clone, Debug, PartialEq)]
pub enum FuncResult {
    /// `sum`: per coordinate, the sum and the average over `n` DPs.
    Sum {
        /// DPs aggregated.
        n: usize,
        /// Sum per coordinate.
        sum: Vec<u64>,
        /// `sum / n` per coordinate.
        average: Vec<f64>,
    },
    /// `mean`: per coordinate, the mean over `n` DPs (and the sum it comes from).
    Mean {
        /// DPs aggregated.
        n: usize,
        /// Sum per coordinate.
        sum: Vec<u64>,
        /// `sum / n` per coordinate.
        mean: Vec<f64>,
    },
    /// `histogram:B`: how many DPs chose each bucket (they add up to n).
    Histogram {
        /// Count per bucket, bucket 0 first.
        counts: Vec<u64>,
    },
    /// `meanvar`: per coordinate, the mean and the population variance (divided by n, not
    /// n - 1): `(n sum_sq - sum^2) / n^2`, exact in integers until the one rounding.
    MeanVar {
        /// DPs aggregated.
        n: usize,
        /// Sum of the values per coordinate.
        sum: Vec<u64>,
        /// Sum of the squares per coordinate.
        sum_sq: Vec<u64>,
        /// `sum / n`.
        mean: Vec<f64>,
        /// `sum_sq / n - (sum / n)^2`.
        variance: Vec<f64>,
    },
    /// `vector-sum`: the sum of the fixed-point vectors.
    VectorSum {
        /// F: the scaled sums are in units of 2^-F.
        frac_bits: u32,
        /// The exact sum of the scaled inputs (the centred aggregate).
        scaled: Vec<i64>,
        /// `scaled / 2^F`, the sum of the numbers.
        sum: Vec<f64>,
    },
    /// `vector-mean`: the mean of the fixed-point vectors.
    VectorMean {
        /// DPs aggregated.
        n: usize,
        /// F: the scaled sums are in units of 2^-F.
        frac_bits: u32,
        /// The exact sum of the scaled inputs (the centred aggregate).
        scaled: Vec<i64>,
        /// `scaled / (n 2^F)`, the mean of the numbers.
        mean: Vec<f64>,
    },
}

/// Decode `aggregate`, the reconstructed sum over `n` DPs of their encodings
/// ([`FuncSpec::elements`] of them). Unsigned sums are read as `value()`, signed ones as
/// `centred()`. A sum no honest inputs give (a histogram whose counts do not add up to n, a
/// sum beyond n times the largest value, a variance below zero) is an error: an invalid input
/// slipped in, since inputs are not yet proved valid.
pub fn decode(spec: &FuncSpec, n: usize, aggregate: &[F64]) -> Result<FuncResult> {
    let b = Bounds::new(spec, n);
    if n == 0 {
        return Err(b.bad("no DPs were aggregated".into()));
    }
    if aggregate.len() != spec.elements() {
        return Err(b.bad(format!(
            "{} field elements, but {} were expected",
            aggregate.len(),
            spec.elements()
        )));
    }
    Ok(match spec.func {
        Func::Sum => {
            let sum = b.sums(aggregate)?;
            let average = sum.iter().map(|&s| b.avg(s)).collect();
            FuncResult::Sum { n, sum, average }
        }
        Func::Mean => {
            let sum = b.sums(aggregate)?;
            let mean = sum.iter().map(|&s| b.avg(s)).collect();
            FuncResult::Mean { n, sum, mean }
        }
        Func::Histogram { .. } => {
            let counts: Vec<u64> = aggregate.iter().map(|x| x.value()).collect();
            let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
            if total != b.nn {
                return Err(b.bad(format!(
                    "the counts add up to {total}, not to the {n} DPs: {INVALID}; each DP must share one bucket"
                )));
            }
            FuncResult::Histogram { counts }
        }
        Func::MeanVar => decode_meanvar(&b, spec.dim, aggregate)?,
        Func::VectorSum | Func::VectorMean => decode_fixed(&b, spec, aggregate)?,
    })
}

/// Why an aggregate cannot come from honest inputs.
const INVALID: &str = "an invalid input slipped in (inputs are not yet proved valid)";

/// What the inputs of a decoded aggregate were bounded by: n DPs, values of v bits.
struct Bounds<'a> {
    spec: &'a FuncSpec,
    n: usize,
    nn: u128,
    v: u32,
    max: u128,
}

impl<'a> Bounds<'a> {
    fn new(spec: &'a FuncSpec, n: usize) -> Self {
        let v = spec.value_bits.clamp(1, MAX_VALUE_BITS);
        Bounds {
            spec,
            n,
            nn: n as u128,
            v,
            max: (1u128 << v) - 1,
        }
    }
    fn bad(&self, why: String) -> RolesError {
        RolesError::Config(format!("{} result over {} DPs: {why}", self.spec.func, self.n))
    }
    fn over(&self, j: usize, what: &str, limit: u128) -> RolesError {
        self.bad(format!(
            "coordinate {}: the {what} is above n = {} times the largest value, {limit}: {INVALID}",
            j + 1,
            self.n
        ))
    }
    /// The sums, each at most n times the largest value.
    fn sums(&self, xs: &[F64]) -> Result<Vec<u64>> {
        let out: Vec<u64> = xs.iter().map(|x| x.value()).collect();
        match out.iter().position(|&s| u128::from(s) > self.nn * self.max) {
            Some(j) => Err(self.over(j, "sum", self.max)),
            None => Ok(out),
        }
    }
    fn avg(&self, s: u64) -> f64 {
        exact::ratio(u128::from(s), self.nn)
    }
}

/// `meanvar`: the first `dim` elements are sums, the others sums of squares.
fn decode_meanvar(b: &Bounds<'_>, dim: usize, aggregate: &[F64]) -> Result<FuncResult> {
    let (s1, s2) = aggregate.split_at(dim);
    let (nn, max) = (b.nn, b.max);
    let sum = b.sums(s1)?;
    let sum_sq: Vec<u64> = s2.iter().map(|x| x.value()).collect();
    let (mut mean, mut variance) = (Vec::with_capacity(sum.len()), Vec::with_capacity(sum.len()));
    for (j, (&a, &q)) in sum.iter().zip(&sum_sq).enumerate() {
        // n < 2^64 and a, q < p < 2^64: every product below is under 2^128.
        let (a, q) = (u128::from(a), u128::from(q));
        if nn.checked_mul(max * max).is_some_and(|most| q > most) {
            return Err(b.over(j, "sum of squares", max * max));
        }
        let Some(num) = (nn * q).checked_sub(a * a) else {
            return Err(b.bad(format!(
                "coordinate {}: the sum of squares is too small for the sum (a negative variance): {INVALID}",
                j + 1
            )));
        };
        mean.push(exact::ratio(a, nn));
        variance.push(exact::ratio(num, nn * nn));
    }
    Ok(FuncResult::MeanVar {
        n: b.n,
        sum,
        sum_sq,
        mean,
        variance,
    })
}

/// `vector-sum`, `vector-mean`: centred sums of fixed-point values.
fn decode_fixed(b: &Bounds<'_>, spec: &FuncSpec, aggregate: &[F64]) -> Result<FuncResult> {
    let (v, nn, n) = (b.v, b.nn, b.n);
    let f = spec.frac_bits.min(v - 1);
    let half = 1i128 << (v - 1);
    let mut scaled = Vec::with_capacity(aggregate.len());
    for (j, x) in aggregate.iter().enumerate() {
        let s = x.centred();
        if s < -(nn as i128) * half || s > nn as i128 * (half - 1) {
            return Err(b.bad(format!(
                "coordinate {}: the sum {s} (scaled by 2^{f}) is outside n = {n} times [-2^{}, 2^{}): {INVALID}",
                j + 1,
                v - 1,
                v - 1
            )));
        }
        // |s| <= (p - 1) / 2 < 2^63.
        scaled.push(s as i64);
    }
    let unit = exact::pow2(-(f as i32));
    if spec.func == Func::VectorSum {
        let sum = scaled.iter().map(|&s| s as f64 * unit).collect();
        return Ok(FuncResult::VectorSum {
            frac_bits: f,
            scaled,
            sum,
        });
    }
    let mean = scaled
        .iter()
        .map(|&s| {
            let m = exact::ratio(u128::from(s.unsigned_abs()), nn) * unit;
            if s < 0 { -m } else { m }
        })
        .collect();
    Ok(FuncResult::VectorMean {
        n,
        frac_bits: f,
        scaled,
        mean,
    })
}

impl FuncResult {
    /// Coordinates (buckets for a histogram).
    pub fn coordinates(&self) -> usize {
        match self {
            FuncResult::Sum { sum, .. } | FuncResult::Mean { sum, .. } | FuncResult::MeanVar { sum, .. } => sum.len(),
            FuncResult::Histogram { counts } => counts.len(),
            FuncResult::VectorSum { scaled, .. } | FuncResult::VectorMean { scaled, .. } => scaled.len(),
        }
    }

    /// Coordinate `j` (0-based) for people, exact to [`PLACES`] decimal places (rounded half
    /// away from zero): `sum = 123 average = 6.150000`.
    fn cell(&self, j: usize) -> String {
        let dec = |neg: bool, num: u128, den: u128| exact::decimal(neg, num, den, PLACES);
        match self {
            FuncResult::Sum { n, sum, .. } => {
                format!("sum = {} average = {}", sum[j], dec(false, sum[j].into(), *n as u128))
            }
            FuncResult::Mean { n, sum, .. } => {
                format!("mean = {} (sum = {})", dec(false, sum[j].into(), *n as u128), sum[j])
            }
            FuncResult::Histogram { counts } => format!("count = {}", counts[j]),
            FuncResult::MeanVar { n, sum, sum_sq, .. } => {
                let (nn, a, b) = (*n as u128, u128::from(sum[j]), u128::from(sum_sq[j]));
                let var = (nn * b).saturating_sub(a * a);
                format!("mean = {} variance = {}", dec(false, a, nn), dec(false, var, nn * nn))
            }
            FuncResult::VectorSum { frac_bits, scaled, .. } => {
                let s = scaled[j];
                format!("sum = {}", dec(s < 0, s.unsigned_abs().into(), 1u128 << frac_bits))
            }
            FuncResult::VectorMean {
                n, frac_bits, scaled, ..
            } => {
                let s = scaled[j];
                format!(
                    "mean = {}",
                    dec(s < 0, s.unsigned_abs().into(), (*n as u128) << frac_bits)
                )
            }
        }
    }

    /// Every coordinate as CSV: a header line, then one line per coordinate (1-based; buckets
    /// 0-based, as in the values file). Exact integers, and the `f64`s in their shortest form
    /// that reads back to the same `f64`. Columns: `coordinate,sum,average` (`sum`),
    /// `coordinate,sum,mean` (`mean`), `bucket,count` (histogram),
    /// `coordinate,sum,sum_of_squares,mean,variance` (`meanvar`), `coordinate,scaled_sum,sum`
    /// (`vector-sum`; `scaled_sum` in units of 2^-F), `coordinate,scaled_sum,mean`
    /// (`vector-mean`).
    pub fn write_full(&self, w: &mut impl Write) -> std::io::Result<()> {
        match self {
            FuncResult::Sum { sum, average, .. } => {
                writeln!(w, "coordinate,sum,average")?;
                for (j, (s, a)) in sum.iter().zip(average).enumerate() {
                    writeln!(w, "{},{s},{a}", j + 1)?;
                }
            }
            FuncResult::Mean { sum, mean, .. } => {
                writeln!(w, "coordinate,sum,mean")?;
                for (j, (s, m)) in sum.iter().zip(mean).enumerate() {
                    writeln!(w, "{},{s},{m}", j + 1)?;
                }
            }
            FuncResult::Histogram { counts } => {
                writeln!(w, "bucket,count")?;
                for (b, c) in counts.iter().enumerate() {
                    writeln!(w, "{b},{c}")?;
                }
            }
            FuncResult::MeanVar {
                sum,
                sum_sq,
                mean,
                variance,
                ..
            } => {
                writeln!(w, "coordinate,sum,sum_of_squares,mean,variance")?;
                for j in 0..sum.len() {
                    writeln!(w, "{},{},{},{},{}", j + 1, sum[j], sum_sq[j], mean[j], variance[j])?;
                }
            }
            FuncResult::VectorSum { scaled, sum, .. } => {
                writeln!(w, "coordinate,scaled_sum,sum")?;
                for (j, (s, x)) in scaled.iter().zip(sum).enumerate() {
                    writeln!(w, "{},{s},{x}", j + 1)?;
                }
            }
            FuncResult::VectorMean { scaled, mean, .. } => {
                writeln!(w, "coordinate,scaled_sum,mean")?;
                for (j, (s, m)) in scaled.iter().zip(mean).enumerate() {
                    writeln!(w, "{},{s},{m}", j + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// For people: one coordinate on one line (`sum = 123 average = 6.150000`, today's wording);
/// several as `coordinate j: ...` lines (`bucket b: count = c` for a histogram); beyond
/// [`SHOW_ALL`], the first [`SHOW_FIRST`] and the last [`SHOW_LAST`] around a `...` line, and
/// a last line saying how many there are and that `--output FILE` writes them all
/// ([`FuncResult::write_full`]). No newline at the end.
impl fmt::Display for FuncResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.coordinates();
        let hist = matches!(self, FuncResult::Histogram { .. });
        if len == 1 && !hist {
            return f.write_str(&self.cell(0));
        }
        let line = |f: &mut fmt::Formatter<'_>, j: usize| {
            if hist {
                write!(f, "bucket {j}: {}", self.cell(j))
            } else {
                write!(f, "coordinate {}: {}", j + 1, self.cell(j))
            }
        };
        if len <= SHOW_ALL {
            for j in 0..len {
                if j > 0 {
                    writeln!(f)?;
                }
                line(f, j)?;
            }
            return Ok(());
        }
        for j in 0..SHOW_FIRST {
            line(f, j)?;
            writeln!(f)?;
        }
        writeln!(f, "...")?;
        for j in len - SHOW_LAST..len {
            line(f, j)?;
            writeln!(f)?;
        }
        let what = if hist { "buckets" } else { "coordinates" };
        write!(f, "({len} {what}; --output FILE writes them all)")
    }
}
