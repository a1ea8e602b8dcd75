//! The tolerant CSV reader: a file opened with its header indexed by column name (order does
//! not matter, extra columns are ignored, blank lines skipped), and typed access to a row's
//! fields whose errors name the file, the line and the column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Params;
use crate::error::{Error, Result};

/// A CSV file opened with its header indexed by column name.
pub(super) struct Table {
    pub(super) path: PathBuf,
    pub(super) headers: Vec<String>,
    /// Column name -> every position it occupies (`phases.csv` has two `verify` columns).
    pub(super) index: HashMap<String, Vec<usize>>,
    pub(super) records: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub(super) fn read(path: &Path, required: &[&str]) -> Result<Table> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(file);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            index.entry(h.clone()).or_default().push(i);
        }
        if let Some(missing) = required.iter().find(|c| !index.contains_key(**c)) {
            return Err(Error::MissingColumn {
                path: path.to_path_buf(),
                column: missing.to_string(),
            });
        }
        let mut records = vec![];
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(path, &e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            records.push((line, rec));
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            index,
            records,
        })
    }

    pub(super) fn row<'a>(&'a self, line: u64, rec: &'a csv::StringRecord) -> Row<'a> {
        Row { table: self, line, rec }
    }

    /// Position of the last column called `name` (op counts follow the parameters).
    pub(super) fn last(&self, name: &str) -> usize {
        self.index[name].last().copied().unwrap_or(0)
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("found {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        csv::ErrorKind::Io(io) => {
            return Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(io.kind(), io.to_string()),
            };
        }
        _ => e.to_string(),
    };
    Error::Csv {
        path: path.to_path_buf(),
        line,
        message,
    }
}

pub(super) struct Row<'a> {
    pub(super) table: &'a Table,
    pub(super) line: u64,
    pub(super) rec: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The first column called `col` (checked against the header in `Table::read`).
    pub(super) fn raw(&self, col: &str) -> (usize, &str) {
        self.raw_at(self.table.index[col][0])
    }

    pub(super) fn raw_at(&self, i: usize) -> (usize, &str) {
        (i, self.rec.get(i).unwrap_or("").trim())
    }

    pub(super) fn u64_at(&self, i: usize) -> Result<u64> {
        let (_, v) = self.raw_at(i);
        v.parse::<u64>()
            .map_err(|_| self.err("", i, v, "a non-negative integer"))
    }

    pub(super) fn err(&self, col: &str, index: usize, value: &str, expected: &'static str) -> Error {
        Error::Field {
            path: self.table.path.clone(),
            line: self.line,
            index: index + 1,
            column: self
                .table
                .headers
                .get(index)
                .cloned()
                .unwrap_or_else(|| col.to_string()),
            value: value.to_string(),
            expected,
        }
    }

    pub(super) fn text(&self, col: &str) -> Result<String> {
        let (i, v) = self.raw(col);
        if v.is_empty() {
            return Err(self.err(col, i, v, "a non-empty string"));
        }
        Ok(v.to_string())
    }

    pub(super) fn text_or_empty(&self, col: &str) -> String {
        self.raw(col).1.to_string()
    }

    pub(super) fn u64(&self, col: &str) -> Result<u64> {
        let (i, v) = self.raw(col);
        v.parse::<u64>()
            .map_err(|_| self.err(col, i, v, "a non-negative integer"))
    }

    pub(super) fn u32(&self, col: &str) -> Result<u32> {
        let (i, v) = self.raw(col);
        v.parse::<u32>()
            .map_err(|_| self.err(col, i, v, "a non-negative integer below 2^32"))
    }

    pub(super) fn seconds(&self, col: &str) -> Result<f64> {
        let (i, v) = self.raw(col);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            _ => Err(self.err(col, i, v, "a non-negative number")),
        }
    }

    pub(super) fn opt_seconds(&self, col: &str) -> Result<Option<f64>> {
        if self.raw(col).1.is_empty() {
            Ok(None)
        } else {
            self.seconds(col).map(Some)
        }
    }

    pub(super) fn bool(&self, col: &str) -> Result<bool> {
        let (i, v) = self.raw(col);
        match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.err(col, i, v, "`true` or `false`")),
        }
    }

    /// The `provider` column, or `rustcrypto` in files written before it existed (the only
    /// provider then).
    pub(super) fn provider(&self) -> Result<String> {
        if self.table.index.contains_key("provider") {
            self.text("provider")
        } else {
            Ok("rustcrypto".to_string())
        }
    }

    /// The `net` column, or `memory` in files written before it existed.
    pub(super) fn net(&self) -> Result<String> {
        if self.table.index.contains_key("net") {
            self.text("net")
        } else {
            Ok("memory".to_string())
        }
    }

    /// The `group` column, or `schnorr-<group_bits>` in files written before it existed
    /// (`ristretto255` for `group_bits` 0: the `units.csv` of sweeps that ran ristretto255
    /// before that file had the column).
    pub(super) fn group(&self) -> Result<String> {
        if self.table.index.contains_key("group") {
            self.text("group")
        } else {
            Ok(match self.u64("group_bits")? {
                0 => "ristretto255".to_string(),
                bits => format!("schnorr-{bits}"),
            })
        }
    }

    /// The `dim` column, or 1 in files written before it existed (one value per DP).
    pub(super) fn dim(&self) -> Result<u64> {
        if self.table.index.contains_key("dim") {
            self.u64("dim")
        } else {
            Ok(1)
        }
    }

    /// The `func` column, or `sum` in files written before it existed.
    pub(super) fn func(&self) -> Result<String> {
        if self.table.index.contains_key("func") {
            self.text("func")
        } else {
            Ok("sum".to_string())
        }
    }

    /// An optional non-negative integer (empty: `None`).
    pub(super) fn opt_u64(&self, col: &str) -> Result<Option<u64>> {
        if self.raw(col).1.is_empty() {
            Ok(None)
        } else {
            self.u64(col).map(Some)
        }
    }

    pub(super) fn params(&self) -> Result<Params> {
        Ok(Params {
            net: self.net()?,
            backend: self.text("backend")?,
            suite: self.text("suite")?,
            provider: self.provider()?,
            verify: self.text("verify")?,
            n: self.u64("n")?,
            m: self.u64("m")?,
            k: self.u64("k")?,
            t: self.u64("t")?,
            rsa_bits: self.u64("rsa_bits")?,
            group_bits: self.u64("group_bits")?,
            group: self.group()?,
            value_bits: self.u64("value_bits")?,
            dim: self.dim()?,
            func: self.func()?,
            seed: self.u64("seed")?,
        })
    }
}
