//! The rows of the CSV files a sweep writes: the types are those of `dsmpc-schema`, the
//! contract with `dsmpc-reports` (column names and meanings also in `bench/README.md`).

use serde::Serialize;

pub use dsmpc_schema::{Env, MessageRow, PhaseRow, UnitRow};

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
