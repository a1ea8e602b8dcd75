//! `dsmpc-reports` reads the folders written by the `dsmpc-bench` sweep engine and turns them
//! into paper figures ([`figures`]), a Markdown report ([`report`]) and regression verdicts
//! against a baseline ([`regress`]); [`data`] reads the files and [`stats`] aggregates
//! repetitions and fits slopes. Nothing here re-runs a sweep. The crate README follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod ab;
pub mod analysis;
pub mod data;
pub mod error;
pub mod figures;
pub mod format;
pub mod history;
pub mod regress;
pub mod report;
mod slice;
pub mod stats;

pub use data::Dataset;
pub use error::{Error, Result};
