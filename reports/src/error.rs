//! The crate's single error type. Every variant names the file it came from and, where it
//! makes sense, the line and column, so that a malformed sweep folder can be fixed without
//! guessing; nothing in this crate panics on bad input.

use std::path::PathBuf;

/// Everything that can go wrong while reading a sweep folder, drawing figures, writing the
/// report or comparing two runs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read, written, created or copied.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A CSV file is malformed at the CSV level (quoting, number of fields, UTF-8).
    #[error("{}:{line}: malformed CSV: {message}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A CSV header lacks a column this crate needs.
    #[error("{}:1: the header has no column `{column}`", path.display())]
    MissingColumn {
        /// The CSV file.
        path: PathBuf,
        /// The missing column's name.
        column: String,
    },
    /// A CSV field holds a value that cannot be read as the column's type.
    #[error("{}:{line}: column {index} `{column}`: cannot read {value:?} as {expected}", path.display())]
    Field {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column number.
        index: usize,
        /// Column name from the header.
        column: String,
        /// The offending text.
        value: String,
        /// What the column should hold.
        expected: &'static str,
    },
    /// `meta.json` is not valid JSON or lacks a required key (the message names line and column).
    #[error("{}: {source}", path.display())]
    Meta {
        /// The JSON file.
        path: PathBuf,
        /// The parser's message, with line and column.
        source: serde_json::Error,
    },
    /// The files parse but their content is unusable (duplicates, inconsistent parameters, ...).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file (or folder) at fault.
        path: PathBuf,
        /// What is wrong, naming the line where there is one.
        message: String,
    },
    /// A figure could not be drawn or encoded.
    #[error("figure {figure}: {message}")]
    Plot {
        /// The figure id, e.g. `fig3`.
        figure: String,
        /// The drawing backend's message.
        message: String,
    },
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Invalid`] for `path`.
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}
