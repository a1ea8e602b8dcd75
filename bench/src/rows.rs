//! The rows of the CSV files a sweep writes: the types are those of `dsmpc-schema`, the
//! contract with `dsmpc-reports` (column names and meanings also in `bench/README.md`).

use std::path::Path;

use serde::Serialize;

use crate::error::{Result, csv_err};

pub use dsmpc_schema::{Env, MessageRow, PhaseRow, SessionRow, UnitRow};

/// The header line (column names) that rows of type `T` are written with.
pub fn header<T: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if w.serialize(T::default()).is_err() {
        return Vec::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    csv::Reader::from_reader(bytes.as_slice())
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The header and the complete rows of a CSV file that a sweep may have been writing when it
/// was interrupted: reading stops at the first row cut off (wrong width or unparsable).
pub fn read_complete_rows(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(csv_err(path))?;
    let header = r.headers().map_err(csv_err(path))?.clone();
    let rows = r
        .records()
        .map_while(|x| x.ok())
        .filter(|x| x.len() == header.len())
        .collect();
    Ok((header, rows))
}
