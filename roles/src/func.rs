//! Functions of the DPs' inputs: what each DP shares, in the 64-bit field
//! [`F64`] (GF(p), p = 2^64 - 2^32 + 1), and what the Edge makes of
//! the reconstructed sum.
//!
//! A [`FuncSpec`] names a [`Func`] (`sum`, `mean`, `histogram:B`, `meanvar`, `vector-sum`,
//! `vector-mean`), the input length `dim` per DP, the bits of a value and, for the fixed-point
//! vector functions, the fractional bits. Each DP turns its [`InputRow`] into
//! [`FuncSpec::elements`] field elements ([`FuncSpec::encode`]); the protocol adds them over the
//! DPs; [`decode`] turns the sum into a [`FuncResult`]:
//!
//! | function      | a DP's input                     | elements shared                    |
//! |---------------|----------------------------------|------------------------------------|
//! | `sum`, `mean` | `dim` integers in `[0, 2^v)`     | `x_1 .. x_D`                        |
//! | `histogram:B` | one bucket index in `[0, B)`     | one-hot, `B` elements               |
//! | `meanvar`     | `dim` integers in `[0, 2^v)`     | `x_1 .. x_D, x_1^2 .. x_D^2`        |
//! | `vector-*`    | `dim` fixed-point numbers        | `round(x_j 2^F)` in `[-2^(v-1), 2^(v-1))`, `-y` as `p - y` |
//!
//! Nothing can wrap: [`FuncSpec::check`] refuses up front every configuration in which an
//! honest sum could reach p (see there for the limits). The field sum of honest inputs is then
//! the integer sum, and [`decode`] reads it exactly (averages and variances come from exact
//! integers, rounded once to `f64`). Inputs are not yet proved valid (a DP could share a
//! two-hot histogram or a wrong square): [`decode`] refuses sums that no honest inputs give.
//!
//! Values files for these functions are parsed by [`parse_rows`] / [`read_rows`]
//! (`func/input.rs`).

use std::fmt;
use std::str::FromStr;

use dsmpc_core::field64::{F64, P};
use rand_core::Rng;

use crate::error::{Result, RolesError};
use crate::values::QUOTE_LEN;

mod exact;
mod input;
mod result;
#[cfg(test)]
mod tests;

pub use input::{BYTES_PER_VALUE, LINE_SLACK, max_file_len, max_line_len, parse_rows, read_rows};
pub use result::{FuncResult, decode};

/// The most coordinates a DP's input may have, and the most field elements it may share
/// (`meanvar` shares two per coordinate, so its `dim` is at most half this): 2^24.
pub const MAX_DIM: usize = 1 << 24;
/// The most histogram buckets: 2^24.
pub const MAX_BUCKETS: u32 = 1 << 24;
/// The most bits of a value: a value and its field element must stay below p (about 2^64).
pub const MAX_VALUE_BITS: u32 = 63;
/// The accepted forms of a function, for messages.
pub const FUNC_FORMS: &str = "sum, mean, histogram:B (1 <= B <= 16777216), meanvar, vector-sum, vector-mean";

/// How many coordinates [`FuncResult`]'s `Display` shows before it summarises: all up to this
/// many, else the first [`SHOW_FIRST`] and the last [`SHOW_LAST`].
pub const SHOW_ALL: usize = 6;
/// Coordinates shown at the start of a long vector.
pub const SHOW_FIRST: usize = 4;
/// Coordinates shown at the end of a long vector.
pub const SHOW_LAST: usize = 2;
/// Decimal places of averages, means and variances in `Display` (as today's report).
pub const PLACES: u32 = 6;

/// What the Edge computes from the DPs' inputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Func {
    /// The sum and the average of each coordinate of non-negative integers (today's run: one
    /// value per DP). The default.
    #[default]
    Sum,
    /// The mean of each coordinate (and the sum it comes from).
    Mean,
    /// How many DPs chose each of `buckets` buckets (a DP's input is one bucket index).
    Histogram {
        /// Number of buckets, 1 to [`MAX_BUCKETS`].
        buckets: u32,
    },
    /// The mean and the (population) variance of each coordinate.
    MeanVar,
    /// The sum of signed fixed-point vectors.
    VectorSum,
    /// The mean of signed fixed-point vectors.
    VectorMean,
}

impl Func {
    /// Whether the inputs are signed fixed-point numbers (`vector-sum`, `vector-mean`).
    pub fn is_fixed_point(self) -> bool {
        matches!(self, Func::VectorSum | Func::VectorMean)
    }
}

impl FromStr for Func {
    type Err = RolesError;

    /// `sum`, `mean`, `histogram:B`, `meanvar`, `vector-sum` or `vector-mean`.
    fn from_str(s: &str) -> Result<Func> {
        let err = |why: String| {
            Err(RolesError::Config(format!(
                "function {}: {why}; accepted: {FUNC_FORMS}",
                quote(s)
            )))
        };
        Ok(match s {
            "sum" => Func::Sum,
            "mean" => Func::Mean,
            "meanvar" => Func::MeanVar,
            "vector-sum" => Func::VectorSum,
            "vector-mean" => Func::VectorMean,
            "histogram" => return err("a histogram needs its number of buckets, as histogram:10".into()),
            _ => {
                let Some(b) = s.strip_prefix("histogram:") else {
                    return err("unknown function".into());
                };
                let n = (!b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| b.parse::<u64>().ok())
                    .flatten();
                match n {
                    Some(n) if (1..=u64::from(MAX_BUCKETS)).contains(&n) => Func::Histogram { buckets: n as u32 },
                    _ => return err(format!("the number of buckets must be 1 to {MAX_BUCKETS}")),
                }
            }
        })
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Func::Sum => f.write_str("sum"),
            Func::Mean => f.write_str("mean"),
            Func::Histogram { buckets } => write!(f, "histogram:{buckets}"),
            Func::MeanVar => f.write_str("meanvar"),
            Func::VectorSum => f.write_str("vector-sum"),
            Func::VectorMean => f.write_str("vector-mean"),
        }
    }
}

/// A function with its shape: what every DP contributes and how it is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncSpec {
    /// The function.
    pub func: Func,
    /// D, the input length per DP (coordinates); ignored by `histogram:B` (one bucket index).
    pub dim: usize,
    /// v, the bits of a value: unsigned inputs are below 2^v; fixed-point inputs, scaled by
    /// 2^F, are in `[-2^(v-1), 2^(v-1))` (v counts the sign bit). Ignored by `histogram:B`.
    pub value_bits: u32,
    /// F, the fractional bits of `vector-sum` / `vector-mean` inputs (below `value_bits`); must
    /// be 0 for the other functions.
    pub frac_bits: u32,
}

/// One DP's input, before encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InputRow {
    /// `sum`, `mean`, `meanvar`: D integers below 2^v.
    Unsigned(Vec<u64>),
    /// `vector-sum`, `vector-mean`: D fixed-point numbers, already scaled by 2^F (the integers
    /// `round(x 2^F)`), in `[-2^(v-1), 2^(v-1))`.
    Signed(Vec<i64>),
    /// `histogram:B`: a bucket index below B.
    Bucket(u32),
}

impl FuncSpec {
    /// Today's run: `sum` of one value below `2^value_bits` per DP.
    pub fn scalar(value_bits: u32) -> FuncSpec {
        FuncSpec {
            func: Func::Sum,
            dim: 1,
            value_bits,
            frac_bits: 0,
        }
    }

    /// Values per DP in an [`InputRow`] and on a values-file line: 1 for a histogram (the
    /// bucket index), else `dim`.
    pub fn input_len(&self) -> usize {
        match self.func {
            Func::Histogram { .. } => 1,
            _ => self.dim,
        }
    }

    /// Field elements each DP shares: `dim` for `sum`, `mean` and `vector-*`; `buckets` for a
    /// histogram (one-hot); `2 dim` for `meanvar`, laid out `[x_1 .. x_D, x_1^2 .. x_D^2]`
    /// (all values, then all squares).
    pub fn elements(&self) -> usize {
        match self.func {
            Func::Histogram { buckets } => buckets as usize,
            Func::MeanVar => self.dim.saturating_mul(2),
            _ => self.dim,
        }
    }

    /// The most DPs whose honest sums cannot wrap modulo p at these value bits (0 when
    /// `value_bits` is not 1 to 63):
    ///
    /// * `sum`, `mean`: `n (2^v - 1) <= p - 1`, n at most `(p - 1) / (2^v - 1)` (2^32 at v = 32);
    /// * `meanvar`: the sum of squares too, `n (2^v - 1)^2 <= p - 1` (1,024 DPs at v = 27,
    ///   4,096 at v = 26; at n = 1,000, v at most 27);
    /// * `vector-*`: `n 2^(v-1) <= (p - 1) / 2`, so that the centred sum is the signed sum
    ///   (2^32 - 1 DPs at v = 32);
    /// * `histogram:B`: a count reaches at most n, so n at most p - 1.
    pub fn max_n(&self) -> u64 {
        let v = self.value_bits;
        let pm1 = u128::from(P - 1);
        let most = match self.func {
            Func::Histogram { .. } => pm1,
            _ if !(1..=MAX_VALUE_BITS).contains(&v) => 0,
            Func::Sum | Func::Mean => pm1 / ((1u128 << v) - 1),
            Func::MeanVar => pm1 / ((1u128 << v) - 1).pow(2),
            Func::VectorSum | Func::VectorMean => (pm1 / 2) >> (v - 1),
        };
        most as u64
    }

    /// Refuse, before any work, a configuration that cannot work for `n` DPs: one in which an
    /// honest sum could wrap modulo p (see [`max_n`](Self::max_n)), `dim` not 1 to
    /// [`MAX_DIM`] (or `2 dim` above it for `meanvar`), `value_bits` not 1 to
    /// [`MAX_VALUE_BITS`], `frac_bits` not below `value_bits` or given for a function that does
    /// not take fixed-point inputs, buckets not 1 to [`MAX_BUCKETS`], or no DPs. The message
    /// says which limit was hit and what to change.
    pub fn check(&self, n: usize) -> Result<()> {
        let fail = |why: String| Err(RolesError::Config(format!("{}: {why}", self.func)));
        let (v, f) = (self.value_bits, self.frac_bits);
        if n == 0 {
            return fail("no DPs: --dps must be at least 1".into());
        }
        if f != 0 && !self.func.is_fixed_point() {
            return fail(format!(
                "--frac-bits {f} is only for vector-sum and vector-mean (fixed-point inputs); {} takes \
                 integers: leave --frac-bits out",
                self.func
            ));
        }
        if let Func::Histogram { buckets } = self.func {
            if !(1..=MAX_BUCKETS).contains(&buckets) {
                return fail(format!("the number of buckets must be 1 to {MAX_BUCKETS}"));
            }
            if n as u128 >= u128::from(P) {
                return fail(format!(
                    "n = {n} DPs could fill a bucket up to the field modulus p; use fewer DPs"
                ));
            }
            return Ok(());
        }
        if self.dim == 0 || self.dim > MAX_DIM {
            return fail(format!("--dim {} must be 1 to {MAX_DIM}", self.dim));
        }
        if self.elements() > MAX_DIM {
            return fail(format!(
                "--dim {} makes {} field elements per DP (each value and its square), more than {MAX_DIM}: \
                 --dim at most {}",
                self.dim,
                self.elements(),
                MAX_DIM / 2
            ));
        }
        if !(1..=MAX_VALUE_BITS).contains(&v) {
            return fail(format!(
                "--value-bits {v} must be 1 to {MAX_VALUE_BITS} (a value must fit the 64-bit field)"
            ));
        }
        if self.func.is_fixed_point() && f >= v {
            return fail(format!(
                "--frac-bits {f} must be below --value-bits {v}, which counts the sign bit and the integer \
                 bits too"
            ));
        }
        let most = self.max_n();
        if n as u128 <= u128::from(most) {
            return Ok(());
        }
        let widest = (1..=MAX_VALUE_BITS)
            .rev()
            .find(|&w| n as u128 <= u128::from(FuncSpec { value_bits: w, ..*self }.max_n()));
        let what = match self.func {
            Func::Sum | Func::Mean => format!("their sum n (2^{v} - 1)"),
            Func::MeanVar => format!("their sum of squares n (2^{v} - 1)^2"),
            _ => format!("their signed sum, up to n 2^{} in size,", v - 1),
        };
        let bound = match self.func {
            Func::VectorSum | Func::VectorMean => "(p - 1) / 2, beyond which it cannot be told from a negative sum",
            _ => "the field modulus p = 2^64 - 2^32 + 1, and wrap around",
        };
        let change = match widest {
            Some(w) if most > 0 => {
                format!("--value-bits at most {w} at n = {n}, or at most {most} DPs at --value-bits {v}")
            }
            Some(w) => format!("--value-bits at most {w} (at --value-bits {v} not even one DP fits)"),
            None => format!(
                "fewer DPs: even --value-bits 1 allows at most {}",
                FuncSpec { value_bits: 1, ..*self }.max_n()
            ),
        };
        fail(format!(
            "n = {n} DPs with --value-bits {v} could exceed the field: {what} could pass {bound}. Use {change}"
        ))
    }

    /// The field elements one DP shares for `row` ([`elements`](Self::elements) of them; the
    /// layout is there). Every value is range-checked; an error names the coordinate (1-based).
    pub fn encode(&self, row: &InputRow) -> Result<Vec<F64>> {
        let bad = |why: String| RolesError::Config(format!("{} input: {why}", self.func));
        let fail = |why: String| Err(bad(why));
        let v = self.value_bits;
        if !matches!(self.func, Func::Histogram { .. }) && !(1..=MAX_VALUE_BITS).contains(&v) {
            return fail(format!("--value-bits {v} must be 1 to {MAX_VALUE_BITS}"));
        }
        let len = |got: usize| -> Result<()> {
            if got == self.dim {
                Ok(())
            } else {
                Err(bad(format!("{got} values, but --dim is {}", self.dim)))
            }
        };
        match (self.func, row) {
            (Func::Histogram { buckets }, InputRow::Bucket(b)) => {
                if *b >= buckets {
                    return fail(format!(
                        "bucket {b} is out of range: buckets are 0 to {}",
                        buckets.saturating_sub(1)
                    ));
                }
                let mut out = vec![F64::ZERO; buckets as usize];
                out[*b as usize] = F64::ONE;
                Ok(out)
            }
            (Func::Sum | Func::Mean | Func::MeanVar, InputRow::Unsigned(xs)) => {
                len(xs.len())?;
                if let Some(j) = xs.iter().position(|&x| x >> v != 0) {
                    return fail(format!(
                        "coordinate {}: {} is not below 2^{v} (--value-bits {v})",
                        j + 1,
                        xs[j]
                    ));
                }
                let mut out: Vec<F64> = xs.iter().map(|&x| F64::new(x)).collect();
                if self.func == Func::MeanVar {
                    out.extend(xs.iter().map(|&x| F64::reduce128(u128::from(x) * u128::from(x))));
                }
                Ok(out)
            }
            (Func::VectorSum | Func::VectorMean, InputRow::Signed(xs)) => {
                len(xs.len())?;
                let half = 1i64 << (v - 1);
                if let Some(j) = xs.iter().position(|&x| x < -half || x >= half) {
                    return fail(format!(
                        "coordinate {}: {} (scaled by 2^{}) is outside [-2^{}, 2^{}) (--value-bits {v} counts the sign)",
                        j + 1,
                        xs[j],
                        self.frac_bits,
                        v - 1,
                        v - 1
                    ));
                }
                Ok(xs.iter().map(|&x| F64::from_i64(x)).collect())
            }
            (func, row) => {
                let got = match row {
                    InputRow::Unsigned(_) => "unsigned integers",
                    InputRow::Signed(_) => "signed fixed-point numbers",
                    InputRow::Bucket(_) => "a bucket index",
                };
                let want = match func {
                    Func::Histogram { .. } => "a bucket index",
                    Func::VectorSum | Func::VectorMean => "signed fixed-point numbers",
                    _ => "unsigned integers",
                };
                fail(format!("got {got}, but {func} takes {want}"))
            }
        }
    }

    /// An honest input drawn uniformly from the whole range: integers below 2^v; scaled
    /// fixed-point numbers in `[-2^(v-1), 2^(v-1))` (negative ones included); a bucket below
    /// B (by a multiply-shift of a 64-bit draw: bias below B / 2^64). For runs without a values
    /// file; a spec that fails [`check`](Self::check) is clamped into range, not refused.
    pub fn random_row<R: Rng + ?Sized>(&self, rng: &mut R) -> InputRow {
        let v = self.value_bits.clamp(1, MAX_VALUE_BITS);
        let dim = self.dim.min(MAX_DIM);
        match self.func {
            Func::Histogram { buckets } => {
                let b = buckets.max(1);
                InputRow::Bucket(((u128::from(rng.next_u64()) * u128::from(b)) >> 64) as u32)
            }
            Func::VectorSum | Func::VectorMean => {
                InputRow::Signed((0..dim).map(|_| (rng.next_u64() as i64) >> (64 - v)).collect())
            }
            Func::Sum | Func::Mean | Func::MeanVar => {
                InputRow::Unsigned((0..dim).map(|_| rng.next_u64() >> (64 - v)).collect())
            }
        }
    }
}

/// The plaintext aggregate: the field sum of every row's encoding, computed directly, for
/// comparing with the reconstructed one. An invalid row is refused, naming it (1-based).
pub fn plaintext(spec: &FuncSpec, rows: &[InputRow]) -> Result<Vec<F64>> {
    let mut acc = vec![F64::ZERO; spec.elements()];
    for (i, row) in rows.iter().enumerate() {
        let enc = spec.encode(row).map_err(|e| match e {
            RolesError::Config(why) => RolesError::Config(format!("DP {} of {}: {why}", i + 1, rows.len())),
            e => e,
        })?;
        for (a, e) in acc.iter_mut().zip(enc) {
            *a += e;
        }
    }
    Ok(acc)
}

/// At most [`QUOTE_LEN`] bytes of `s`, quoted, with the length when cut (as in
/// [`crate::values`]).
pub(crate) fn quote(s: &str) -> String {
    if s.len() <= QUOTE_LEN {
        return format!("{s:?}");
    }
    let mut end = QUOTE_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}... ({} bytes)", &s[..end], s.len())
}
