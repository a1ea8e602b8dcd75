//! `dsmpc-reports` reads the folders written by the `dsmpc-bench` sweep engine and turns them
//! into paper figures ([`figures`]) and a Markdown report ([`report`]); [`data`] reads the files,
//! [`stats`] aggregates repetitions and fits slopes, [`analysis`] computes the report's findings
//! as typed results and [`format`](mod@format) writes every number. Performance judgement
//! (regression comparison, A/B, history, the cost model in instructions) is `dsmpc-perf`, which
//! reads sweep folders through this crate. Nothing here re-runs a sweep. The crate README follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod analysis;
pub mod data;
pub mod error;
pub mod figures;
pub mod format;
pub mod mode;
pub mod report;
mod slice;
pub mod stats;

pub use data::Dataset;
pub use error::{Error, Result};
