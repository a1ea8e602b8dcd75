//! A vector session's inputs in a deployment ([`SessionConfig::is_vector`]): each DP host's
//! `values` file holds one line per DP of [`FuncSpec::input_len`] values, in the values-file
//! format `dsmpc run --values` reads ([`dsmpc_roles::func::read_rows`]), so that the DP host
//! reads its rows back exactly: integers as they are, a bucket index, fixed-point numbers as
//! the shortest decimal that parses back to the same scaled integer `round(x 2^F)`.
//!
//! Rows given (`deploy init --values`, `run --net process --values`) are checked against n and
//! the function's ranges before anything is written; otherwise they are drawn as an in-process
//! session draws them (stream `inputs` of the run's randomness: the seed's, or the OS's), so a
//! seeded deployment deals what `dsmpc run --seed S` deals.

use std::path::Path;

use dsmpc_core::field64::F64;
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::func::{FuncSpec, InputRow};
use dsmpc_roles::session::SessionConfig;
use num_bigint::BigUint;

use super::secrets::HostFiles;
use super::{Deployment, Role};

/// The DPs' input rows of a vector session: `given` (checked: one per DP, each in range), or
/// drawn from stream `inputs` of the run's randomness as an in-process session draws them;
/// `None` for a scalar session.
pub(crate) fn rows_for(cfg: &SessionConfig, given: Option<&[InputRow]>) -> Result<Option<Vec<InputRow>>> {
    let Some(rows) = dsmpc_roles::session::rows_for(cfg, given, cfg.rng_source())? else {
        return Ok(None);
    };
    // Every row in range before any file is written (the error names the DP).
    dsmpc_roles::func::plaintext(&cfg.func_spec(), &rows)?;
    Ok(Some(rows))
}

/// One row as a values-file line (values separated by `, `).
pub(crate) fn row_line(spec: &FuncSpec, row: &InputRow) -> String {
    match row {
        InputRow::Unsigned(xs) => xs.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        InputRow::Signed(xs) => xs
            .iter()
            .map(|&x| fixed_decimal(x, spec.frac_bits))
            .collect::<Vec<_>>()
            .join(", "),
        InputRow::Bucket(b) => b.to_string(),
    }
}

/// A decimal that reads back as `m` at `f` fraction bits: the exact `m / 2^f` when it is short
/// (at most [`EXACT_LEN`] bytes: `-0.75` for `-3` at 2 bits, as a values file would say it),
/// else the shortest number within less than half a unit of `2^-f` of it, so that
/// `round(x 2^f) = m` with no tie: about `0.3 (f + 1) + 1` fraction digits, not `f`, so that a
/// line stays within the values file's limit of 32 bytes a value at any `--frac-bits`.
fn fixed_decimal(m: i64, f: u32) -> String {
    let f = f.min(63);
    let exact = dyadic(m, f);
    if exact.len() <= EXACT_LEN {
        return exact;
    }
    let sign = if m < 0 { "-" } else { "" };
    let a = BigUint::from(m.unsigned_abs());
    let unit = BigUint::from(1u8) << f;
    let mut ten = BigUint::from(1u8);
    for digits in 0..=f as usize {
        // The nearest c / 10^digits to a / 2^f, and whether it is strictly within half a unit.
        let scaled = &a * &ten;
        let c: BigUint = (&scaled + (&unit >> 1u8)) / &unit;
        let cu = &c * &unit;
        let off = if cu > scaled { cu - &scaled } else { &scaled - cu };
        if off * 2u8 < ten {
            let (int, frac) = (&c / &ten, (&c % &ten).to_string());
            if digits == 0 {
                return format!("{sign}{int}");
            }
            let frac = format!("{frac:0>digits$}");
            let frac = frac.trim_end_matches('0');
            return if frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac}")
            };
        }
        ten *= 10u8;
    }
    // At f digits the decimal is exact (a 5^f / 10^f): not reached.
    format!("{sign}{}", a)
}

/// The longest exact decimal [`fixed_decimal`] writes.
const EXACT_LEN: usize = 24;

/// The exact decimal of `m / 2^f` (`f` below 64), without trailing zeros.
fn dyadic(m: i64, f: u32) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let mag = m.unsigned_abs();
    let (int, rem) = (mag >> f, mag & ((1u64 << f) - 1));
    if rem == 0 {
        return format!("{sign}{int}");
    }
    // rem / 2^f = rem 5^f / 10^f: f decimal places.
    let digits = (BigUint::from(rem) * BigUint::from(5u32).pow(f)).to_string();
    let padded = format!("{digits:0>width$}", width = f as usize);
    format!("{sign}{int}.{}", padded.trim_end_matches('0'))
}

impl HostFiles<'_> {
    /// Write the input rows of DPs `first..` into `host`'s directory (mode 0600).
    pub fn write_rows(&self, host: &str, first: u32, spec: &FuncSpec, rows: &[InputRow]) -> Result<()> {
        let last = first as usize + rows.len().saturating_sub(1);
        let mut text = format!(
            "# The inputs of DP{first}..=DP{last} ({}, {} value(s) a line; private: only host {host} has them).\n",
            spec.func,
            spec.input_len()
        );
        for row in rows {
            text.push_str(&row_line(spec, row));
            text.push('\n');
        }
        super::write(&self.values_path(host), text.as_bytes(), true)
    }

    /// Read the input rows of `host`'s `count` DPs (line and column named on an error).
    pub fn read_rows(&self, host: &str, count: usize, spec: &FuncSpec) -> Result<Vec<InputRow>> {
        dsmpc_roles::func::read_rows(&self.values_path(host), count, spec)
    }

    /// The encoded inputs of `host`'s `count` DPs, as their DPs deal them.
    pub fn read_inputs(&self, host: &str, count: usize, spec: &FuncSpec) -> Result<Vec<Vec<F64>>> {
        let rows = self.read_rows(host, count, spec)?;
        let path = self.values_path(host);
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                spec.encode(r).map_err(|e| {
                    RolesError::Config(format!("{}: line of DP {} of {count}: {e}", path.display(), i + 1))
                })
            })
            .collect()
    }
}

/// Write each DP host's rows of deployment `d` (its DPs' lines of `rows`).
pub(crate) fn write_all(files: &HostFiles<'_>, d: &Deployment, spec: &FuncSpec, rows: &[InputRow]) -> Result<()> {
    for h in &d.hosts {
        if let Some(Role::Dps(first, last)) = h.role() {
            let mine = rows.get(first as usize - 1..last as usize).ok_or_else(|| {
                RolesError::Config(format!(
                    "{} input rows, but host {} has DPs up to {last}",
                    rows.len(),
                    h.name
                ))
            })?;
            files.write_rows(&h.name, first, spec, mine)?;
        }
    }
    Ok(())
}

/// Every DP's encoded input of a vector session, read from the DP hosts' directories of
/// deployment `d` in `dir` (the launcher of `run --net process`, which wrote them, compares the
/// outcome with their sum); `None` for a scalar session.
pub fn inputs(dir: &Path, d: &Deployment) -> Result<Option<Vec<Vec<F64>>>> {
    let cfg = d.config()?;
    if !cfg.is_vector() {
        return Ok(None);
    }
    let spec = cfg.func_spec();
    let files = HostFiles {
        dir,
        seed: d.session.seed,
    };
    let mut all = Vec::with_capacity(cfg.n);
    for (a, b, name) in super::dp_hosts(d) {
        all.extend(files.read_inputs(name, (b - a + 1) as usize, &spec)?);
    }
    Ok(Some(all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsmpc_roles::func::{Func, parse_rows};

    #[test]
    fn fixed_point_rows_read_back_exactly_and_short() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for f in [0u32, 1, 3, 20, 31, 40, 62] {
            let spec = FuncSpec {
                func: Func::VectorSum,
                dim: 64,
                value_bits: 63,
                frac_bits: f,
            };
            let mut v = vec![0, -1, 1, i64::MIN / 2, (1i64 << 62) - 1];
            while v.len() < 64 {
                // xorshift: values over the whole range, both signs.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v.push((x as i64) >> 1);
            }
            let row = InputRow::Signed(v);
            let line = row_line(&spec, &row);
            assert!(line.len() <= 64 * 32, "f = {f}: {} bytes", line.len());
            let back = parse_rows(&line, "t", 1, &spec).unwrap();
            assert_eq!(back, vec![row], "f = {f}: {line}");
        }
        assert_eq!(fixed_decimal(-3, 2), "-0.75");
        assert_eq!(fixed_decimal(8, 2), "2");
        assert_eq!(fixed_decimal(1, 4), "0.0625");
        // 1 / 2^40 exactly has 40 decimals; 10^-12 is within half a unit of it.
        assert_eq!(fixed_decimal(1, 40), "0.000000000001");
    }
}
