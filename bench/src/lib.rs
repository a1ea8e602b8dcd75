#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod error;
pub mod grid;
pub mod host;
#[allow(missing_docs)]
pub mod rows;
pub mod sweep;

pub use error::{BenchError, Result};
