//! The DPs' values: read from a file (one non-negative integer per line; blank lines and
//! lines starting with `#` are skipped) or drawn from the run's randomness.
//!
//! Every problem names the file and the line: a negative, non-numeric or too-large entry, or
//! the wrong number of entries. Bounds come before work: a line longer than
//! [`MAX_LINE_LEN`] bytes is refused before it is parsed (a value has at most 78 digits), a
//! file larger than [`max_file_len`] before it is read, and an error quotes at most
//! [`QUOTE_LEN`] bytes of the offending line.

use std::path::Path;

use num_bigint::BigUint;
use rand_core::Rng;

use crate::error::{Result, RolesError};

/// The longest line taken (bytes, before trimming): a 256-bit value has 78 decimal digits;
/// leading zeros, a sign and blanks leave room up to this.
pub const MAX_LINE_LEN: usize = 1_024;
/// How much of an offending line an error message quotes.
pub const QUOTE_LEN: usize = 40;

/// The largest values file read for `n` DPs: `MAX_LINE_LEN` bytes per value, and 1 MiB more
/// for comments and blank lines.
pub fn max_file_len(n: usize) -> u64 {
    (n as u64).saturating_mul(MAX_LINE_LEN as u64).saturating_add(1 << 20)
}

/// At most [`QUOTE_LEN`] bytes of `line`, quoted, with the length when cut.
fn quote(line: &str) -> String {
    if line.len() <= QUOTE_LEN {
        return format!("{line:?}");
    }
    let mut end = QUOTE_LEN;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}... ({} bytes)", &line[..end], line.len())
}

/// Parse values text (the file's contents) for `n` DPs with values below `2^value_bits`.
pub fn parse(text: &str, path: &str, n: usize, value_bits: u32) -> Result<Vec<BigUint>> {
    let err = |reason: String| RolesError::Values {
        path: path.to_string(),
        reason,
    };
    let max = max_value(value_bits);
    let mut out = Vec::with_capacity(n.min(text.len() / 2 + 1));
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lineno = i + 1;
        if raw.len() > MAX_LINE_LEN {
            return Err(err(format!(
                "line {lineno}: {} is longer than {MAX_LINE_LEN} bytes; a value has at most {} digits",
                quote(line),
                max_value(value_bits).to_string().len()
            )));
        }
        if out.len() == n {
            return Err(err(format!(
                "has more than {n} values (line {lineno}), but --dps is {n}: give exactly one value per DP"
            )));
        }
        if line.starts_with('-') {
            return Err(err(format!(
                "line {lineno}: {} is negative; values must be non-negative integers",
                quote(line)
            )));
        }
        let digits = line.strip_prefix('+').unwrap_or(line);
        let v = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| BigUint::parse_bytes(digits.as_bytes(), 10))
            .flatten()
            .ok_or_else(|| err(format!("line {lineno}: {} is not a non-negative integer", quote(line))))?;
        if v > max {
            return Err(err(format!(
                "line {lineno}: {} is too large: values must be below 2^{value_bits} (at most {max})",
                quote(line)
            )));
        }
        out.push(v);
    }
    if out.len() != n {
        return Err(err(format!(
            "has {} values but --dps is {n}: give exactly one value per DP",
            out.len()
        )));
    }
    Ok(out)
}

/// Read and parse a values file.
pub fn read(path: &Path, n: usize, value_bits: u32) -> Result<Vec<BigUint>> {
    let shown = path.display().to_string();
    let err = |reason: String| RolesError::Values {
        path: shown.clone(),
        reason,
    };
    let max = max_file_len(n);
    // A regular file only (a FIFO or a device is refused, not waited on), read at most one byte
    // past the bound, so a huge file costs nothing.
    let bytes = crate::files::read_limited(path, "values file", max).map_err(|e| match e {
        RolesError::Config(why) if why.contains(" bytes, more than ") => err(format!(
            "is larger than {max} bytes, more than {n} values of at most {MAX_LINE_LEN} bytes a line need"
        )),
        RolesError::Config(why) => err(why),
        e => e,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| err(format!("is not UTF-8 text: {e}")))?;
    parse(&text, &shown, n, value_bits)
}

/// `n` values uniform below `2^value_bits`.
pub fn random<R: Rng + ?Sized>(n: usize, value_bits: u32, rng: &mut R) -> Vec<BigUint> {
    let bytes = value_bits.div_ceil(8) as usize;
    let extra = bytes as u32 * 8 - value_bits;
    (0..n)
        .map(|_| {
            let mut b = vec![0u8; bytes];
            rng.fill_bytes(&mut b);
            if let Some(first) = b.first_mut() {
                *first &= 0xff >> extra;
            }
            BigUint::from_bytes_be(&b)
        })
        .collect()
}

/// `2^value_bits - 1`.
pub fn max_value(value_bits: u32) -> BigUint {
    (BigUint::from(1u32) << value_bits) - 1u32
}

/// The plaintext sum.
pub fn sum(values: &[BigUint]) -> BigUint {
    values.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_file_with_comments_and_blanks() {
        let want: Vec<BigUint> = [1u32, 22, 3].into_iter().map(BigUint::from).collect();
        assert_eq!(parse("# values\n1\n\n 22 \n+3\n", "v", 3, 32).unwrap(), want);
        let big = parse("340282366920938463463374607431768211455\n", "v", 1, 128).unwrap();
        assert_eq!(big[0], max_value(128));
    }

    #[test]
    fn each_bad_entry_is_named() {
        let e = parse("1\n-5\n", "v.txt", 2, 32).unwrap_err().to_string();
        assert!(
            e.contains("v.txt") && e.contains("line 2") && e.contains("negative"),
            "{e}"
        );
        let e = parse("1\nseven\n", "v", 2, 32).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("not a non-negative integer"), "{e}");
        let e = parse("1\n4294967296\n", "v", 2, 32).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("too large"), "{e}");
        let e = parse("1\n2\n3\n", "v", 2, 32).unwrap_err().to_string();
        assert!(e.contains("more than 2 values (line 3)"), "{e}");
        let e = parse("1\n", "v", 2, 32).unwrap_err().to_string();
        assert!(e.contains("has 1 values but --dps is 2"), "{e}");
        let e = parse("1.5\n", "v", 1, 32).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
