//! Reading and writing the small CSV files of this crate ([`crate::IcountRow`],
//! [`crate::RevisionRow`]) with the csv crate: columns by header name, quoting as CSV wants it.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A CSV text that cannot be read as the rows asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line (the header is line 1).
    pub line: u64,
    /// What is wrong, from the csv crate.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Reads the rows of a CSV text (with a header line; columns matched by name, so that their
/// order does not matter). An empty text has no rows.
pub fn read_rows<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, CsvError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let mut rows = vec![];
    for (i, rec) in reader.deserialize::<T>().enumerate() {
        rows.push(rec.map_err(|e| located(&e, &headers, i as u64 + 2))?);
    }
    Ok(rows)
}

/// The line of a csv error and its message, naming the column where the error has one.
fn located(e: &csv::Error, headers: &csv::StringRecord, fallback_line: u64) -> CsvError {
    let line = e.position().map_or(fallback_line, |p| p.line());
    let column = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.field().and_then(|f| headers.get(f as usize)),
        _ => None,
    };
    let message = match column {
        Some(name) => format!("column `{name}`: {e}"),
        None => e.to_string(),
    };
    CsvError { line, message }
}

/// Writes `rows` as a CSV text with a header line; `header` is written when there are no rows.
pub fn write_rows<T: Serialize>(header: &[&str], rows: &[T]) -> Result<String, CsvError> {
    let fail = |e: csv::Error| CsvError {
        line: 0,
        message: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .has_headers(!rows.is_empty())
        .from_writer(vec![]);
    if rows.is_empty() {
        w.write_record(header).map_err(fail)?;
    }
    for r in rows {
        w.serialize(r).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| fail(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|e| CsvError {
        line: 0,
        message: e.to_string(),
    })
}
