//! The values file of a function run: one DP a line, [`FuncSpec::input_len`] values a line.
//!
//! * `sum`, `mean`, `meanvar`: non-negative integers below `2^value_bits`;
//! * `histogram:B`: one bucket index in `0..B` a line;
//! * `vector-sum`, `vector-mean`: decimal numbers such as `-1.25` or `3`, taken to fixed point:
//!   `x * 2^frac_bits` rounded to the nearest integer, ties away from zero. The decimal text is
//!   read exactly, in integers, never through `f64`: `0.1` with 20 fractional bits is
//!   `round(0.1 * 2^20) = 104858`. Exponents (`1e-3`) are refused with a message.
//!
//! Values on a line are separated by commas and/or blanks (`1, 2 3,4` is four values; an empty
//! value between two commas is an error). Blank lines and lines starting with `#` are skipped,
//! as in [`crate::values`]. Every error names the file, the line and the column (the 1-based
//! position of the value on its line) and quotes at most [`QUOTE_LEN`](crate::values::QUOTE_LEN) bytes. Bounds come
//! before work: a line longer than [`max_line_len`] is refused before it is parsed, a file
//! larger than [`max_file_len`] before it is read.

use std::path::Path;

use num_bigint::BigUint;

use super::{Func, FuncSpec, InputRow, quote};
use crate::error::{Result, RolesError};

/// Bytes a line may spend per value (on average) before it is refused unparsed.
pub const BYTES_PER_VALUE: usize = 32;
/// Bytes a line may have beyond [`BYTES_PER_VALUE`] per value (blanks, long numbers).
pub const LINE_SLACK: usize = 1_024;

/// The longest line taken (bytes, before trimming): [`BYTES_PER_VALUE`] per value and
/// [`LINE_SLACK`] more.
pub fn max_line_len(spec: &FuncSpec) -> usize {
    spec.input_len()
        .saturating_mul(BYTES_PER_VALUE)
        .saturating_add(LINE_SLACK)
}

/// The largest values file read for `n` DPs: [`max_line_len`] bytes a DP and 1 MiB more for
/// comments and blank lines.
pub fn max_file_len(spec: &FuncSpec, n: usize) -> u64 {
    (n as u64)
        .saturating_mul(max_line_len(spec) as u64)
        .saturating_add(1 << 20)
}

/// Parse values text (the file's contents, `path` naming it in errors) into one row per DP,
/// `n` of them. The spec is checked first ([`FuncSpec::check`]).
pub fn parse_rows(text: &str, path: &str, n: usize, spec: &FuncSpec) -> Result<Vec<InputRow>> {
    spec.check(n)?;
    let err = |reason: String| RolesError::Values {
        path: path.to_string(),
        reason,
    };
    let max_line = max_line_len(spec);
    let mut rows = Vec::with_capacity(n.min(text.len() / 2 + 1));
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lineno = i + 1;
        if raw.len() > max_line {
            return Err(err(format!(
                "line {lineno}: {} is longer than {max_line} bytes ({} values of {BYTES_PER_VALUE} bytes and \
                 {LINE_SLACK} more)",
                quote(line),
                spec.input_len()
            )));
        }
        if rows.len() == n {
            return Err(err(format!(
                "has more than {n} lines of values (line {lineno}), but --dps is {n}: give exactly one line per DP"
            )));
        }
        rows.push(parse_line(line, spec).map_err(|(col, why)| err(format!("line {lineno}, column {col}: {why}")))?);
    }
    if rows.len() != n {
        return Err(err(format!(
            "has {} lines of values but --dps is {n}: give exactly one line per DP",
            rows.len()
        )));
    }
    Ok(rows)
}

/// Read and parse a values file (a regular file of at most [`max_file_len`] bytes).
pub fn read_rows(path: &Path, n: usize, spec: &FuncSpec) -> Result<Vec<InputRow>> {
    spec.check(n)?;
    let shown = path.display().to_string();
    let err = |reason: String| RolesError::Values {
        path: shown.clone(),
        reason,
    };
    let max = max_file_len(spec, n);
    let bytes = crate::files::read_limited(path, "values file", max).map_err(|e| match e {
        RolesError::Config(why) if why.contains(" bytes, more than ") => err(format!(
            "is larger than {max} bytes, more than {n} lines of at most {} bytes need",
            max_line_len(spec)
        )),
        RolesError::Config(why) => err(why),
        e => e,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| err(format!("is not UTF-8 text: {e}")))?;
    parse_rows(&text, &shown, n, spec)
}

/// The values of one line, in order: a comma-separated piece is one value or several separated
/// by blanks; an empty piece is an empty value (`""`), which the caller refuses.
fn values(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').flat_map(|piece| {
        let empty = piece.trim().is_empty();
        empty.then_some("").into_iter().chain(piece.split_whitespace())
    })
}

/// One line (trimmed, not blank, not a comment); an error is (column, reason).
fn parse_line(line: &str, spec: &FuncSpec) -> std::result::Result<InputRow, (usize, String)> {
    let want = spec.input_len();
    let mut unsigned = Vec::new();
    let mut signed = Vec::new();
    let mut bucket = None;
    let mut count = 0;
    for (i, tok) in values(line).enumerate() {
        let col = i + 1;
        if tok.is_empty() {
            return Err((col, "an empty value (two commas in a row, or a comma at an end)".into()));
        }
        if col > want {
            return Err((col, format!("{} is one value too many: {}", quote(tok), expected(spec))));
        }
        let why = |reason: String| (col, format!("{} is {reason}", quote(tok)));
        match spec.func {
            Func::Histogram { buckets } => bucket = Some(parse_bucket(tok, buckets).map_err(why)?),
            Func::VectorSum | Func::VectorMean => {
                signed.push(parse_fixed(tok, spec.value_bits, spec.frac_bits).map_err(why)?)
            }
            Func::Sum | Func::Mean | Func::MeanVar => {
                unsigned.push(parse_unsigned(tok, spec.value_bits, spec.func).map_err(why)?)
            }
        }
        count = col;
    }
    if count < want {
        return Err((
            count + 1,
            format!("missing: the line has {count} values; {}", expected(spec)),
        ));
    }
    Ok(match spec.func {
        Func::Histogram { .. } => InputRow::Bucket(bucket.unwrap_or_default()),
        Func::VectorSum | Func::VectorMean => InputRow::Signed(signed),
        Func::Sum | Func::Mean | Func::MeanVar => InputRow::Unsigned(unsigned),
    })
}

/// What a line must hold, for errors.
fn expected(spec: &FuncSpec) -> String {
    match spec.func {
        Func::Histogram { .. } => "a line holds one bucket index (one DP)".into(),
        _ if spec.dim == 1 => "a line holds one value (one DP; --dim is 1)".into(),
        _ => format!("a line holds {} values (one DP; --dim {})", spec.dim, spec.dim),
    }
}

/// A run of ASCII digits as a `u64`, `None` when longer than a `u64` holds.
fn digits_u64(digits: &str) -> Option<u64> {
    digits
        .bytes()
        .try_fold(0u64, |acc, b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')))
}

/// Whether `s` is a non-empty run of ASCII digits.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A non-negative integer below `2^value_bits`; the error completes "\"x\" is ...".
fn parse_unsigned(tok: &str, value_bits: u32, func: Func) -> std::result::Result<u64, String> {
    if tok.starts_with('-') {
        return Err(format!(
            "negative: {func} takes non-negative integers (signed values: vector-sum or vector-mean)"
        ));
    }
    let digits = tok.strip_prefix('+').unwrap_or(tok);
    if !all_digits(digits) {
        return Err(format!(
            "not a non-negative integer ({func} takes integers; fractions: vector-sum or vector-mean)"
        ));
    }
    let too_large = || {
        format!(
            "too large: values must be below 2^{value_bits} (at most {}; --value-bits {value_bits})",
            (1u128 << value_bits.min(64)) - 1
        )
    };
    let x = digits_u64(digits).ok_or_else(too_large)?;
    if value_bits < 64 && x >> value_bits != 0 {
        return Err(too_large());
    }
    Ok(x)
}

/// A bucket index in `0..buckets`.
fn parse_bucket(tok: &str, buckets: u32) -> std::result::Result<u32, String> {
    let digits = tok.strip_prefix('+').unwrap_or(tok);
    let range = format!("buckets are 0 to {} (histogram:{buckets})", buckets.saturating_sub(1));
    if tok.starts_with('-') {
        return Err(format!("negative: {range}"));
    }
    if !all_digits(digits) {
        return Err(format!("not a bucket index: {range}"));
    }
    match digits_u64(digits) {
        Some(b) if b < u64::from(buckets) => Ok(b as u32),
        _ => Err(format!("out of range: {range}")),
    }
}

/// A decimal number (`-1.25`, `3`, `.5`, `+2.`) as the nearest integer to `x * 2^frac_bits`,
/// ties away from zero, in `[-2^(value_bits-1), 2^(value_bits-1))`; exact, in integers.
///
/// With `K = frac_bits + 1` and `d` the first `K` fraction digits (padded with zeros), the
/// fraction's part of the magnitude is `round_half_up(frac * 2^F) = (floor(frac * 2^K) + 1) /
/// 2` and `floor(frac * 2^K) = floor(d / 5^K)`: digits after the K-th cannot change it, since
/// every multiple of `2^-K` has at most K decimal places.
pub(crate) fn parse_fixed(tok: &str, value_bits: u32, frac_bits: u32) -> std::result::Result<i64, String> {
    let (neg, body) = match tok.as_bytes().first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    if body.bytes().any(|b| b == b'e' || b == b'E') && body.bytes().any(|b| b.is_ascii_digit()) {
        return Err("in exponent notation, which is not supported: write the number out (0.001, not 1e-3)".into());
    }
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !ok(int) || !ok(frac) || (int.is_empty() && frac.is_empty()) {
        return Err("not a decimal number (such as -1.25 or 3)".into());
    }
    let v = value_bits.clamp(1, 63);
    let f = frac_bits.min(v - 1);
    let half = 1u128 << (v - 1);
    let out_of_range = || {
        format!(
            "out of range: with --value-bits {v} (the sign included) and --frac-bits {f}, values must be \
             in [{}, {}]",
            super::exact::dyadic(-(half as i128), f),
            super::exact::dyadic(half as i128 - 1, f)
        )
    };
    // The integer part; more than 2^63 is out of range whatever the rest.
    let mut whole = 0u128;
    for b in int.bytes() {
        whole = whole * 10 + u128::from(b - b'0');
        if whole > 1 << 63 {
            return Err(out_of_range());
        }
    }
    let k = f + 1;
    let digit = |i: usize| frac.as_bytes().get(i).map_or(0, |b| b - b'0');
    let floor_k: u128 = if k <= 38 {
        let d = (0..k as usize).fold(0u128, |acc, i| acc * 10 + u128::from(digit(i)));
        d / 5u128.pow(k)
    } else {
        let d = (0..k as usize).fold(BigUint::default(), |acc, i| acc * 10u32 + digit(i));
        // d < 10^K, so d / 5^K < 2^K <= 2^63.
        u128::try_from(d / BigUint::from(5u32).pow(k)).unwrap_or(u128::MAX >> 1)
    };
    let mag = (whole << f) + floor_k.div_ceil(2).min(1 << f);
    let fits = if neg { mag <= half } else { mag < half };
    if !fits {
        return Err(out_of_range());
    }
    Ok(if neg { -(mag as i128) } else { mag as i128 } as i64)
}
