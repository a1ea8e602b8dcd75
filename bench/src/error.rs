//! Errors of the sweep harness.

use std::path::Path;

use thiserror::Error;

/// Everything that can stop a sweep (a failing point does not: it is recorded and skipped).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BenchError {
    /// A grid file or override that does not make sense.
    #[error("grid: {0}")]
    Grid(String),
    /// The output folder is unusable.
    #[error("{0}")]
    Output(String),
    /// A shard that is not valid, or shards that cannot be merged (missing, unfinished, failed
    /// or from different sweeps).
    #[error("{0}")]
    Shards(String),
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// CSV trouble.
    #[error("{path}: {source}")]
    Csv {
        /// The path.
        path: String,
        /// The error.
        source: csv::Error,
    },
    /// A protocol-layer error outside a point (calibration).
    #[error(transparent)]
    Roles(#[from] dsmpc_roles::RolesError),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, BenchError>;

/// The [`BenchError::Io`] of an operation on `path`, for `map_err`.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The [`BenchError::Csv`] of reading or writing `path`, for `map_err`.
pub(crate) fn csv_err(path: &Path) -> impl FnOnce(csv::Error) -> BenchError + '_ {
    move |source| BenchError::Csv {
        path: path.display().to_string(),
        source,
    }
}
