//! The DPs' values: read from a file (one non-negative integer per line; blank lines and
//! lines starting with `#` are skipped) or drawn from the run's randomness.
//!
//! Every problem names the file and the line: a negative, non-numeric or too-large entry, or
//! the wrong number of entries.

use std::path::Path;

use rand_core::Rng;

use crate::error::{Result, RolesError};

/// Parse values text (the file's contents) for `n` DPs with values below `2^value_bits`.
pub fn parse(text: &str, path: &str, n: usize, value_bits: u32) -> Result<Vec<u64>> {
    let err = |reason: String| RolesError::Values {
        path: path.to_string(),
        reason,
    };
    let max = max_value(value_bits);
    let mut out = Vec::with_capacity(n);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lineno = i + 1;
        if line.starts_with('-') {
            return Err(err(format!(
                "line {lineno}: {line:?} is negative; values must be non-negative integers"
            )));
        }
        let v: u128 = line
            .strip_prefix('+')
            .unwrap_or(line)
            .parse()
            .map_err(|_| err(format!("line {lineno}: {line:?} is not a non-negative integer")))?;
        if v > u128::from(max) {
            return Err(err(format!(
                "line {lineno}: {v} is too large: values must be below 2^{value_bits} (at most {max})"
            )));
        }
        out.push(v as u64);
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
pub fn read(path: &Path, n: usize, value_bits: u32) -> Result<Vec<u64>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RolesError::Io {
        path: shown.clone(),
        source,
    })?;
    parse(&text, &shown, n, value_bits)
}

/// `n` values uniform below `2^value_bits`.
pub fn random<R: Rng + ?Sized>(n: usize, value_bits: u32, rng: &mut R) -> Vec<u64> {
    let max = max_value(value_bits);
    (0..n)
        .map(|_| {
            if max == u64::MAX {
                rng.next_u64()
            } else {
                rng.next_u64() % (max + 1)
            }
        })
        .collect()
}

/// `2^value_bits - 1`.
pub fn max_value(value_bits: u32) -> u64 {
    if value_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << value_bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_file_with_comments_and_blanks() {
        assert_eq!(parse("# values\n1\n\n 22 \n+3\n", "v", 3, 32).unwrap(), vec![1, 22, 3]);
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
        assert!(e.contains("has 3 values but --dps is 2"), "{e}");
        let e = parse("1.5\n", "v", 1, 32).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
