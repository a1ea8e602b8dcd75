//! `dsmpc-reports` reads the folders written by the `dsmpc-bench` sweep engine and turns them
//! into paper figures ([`figures`]), a Markdown report ([`report`]) and regression verdicts
//! against a baseline ([`regress`]), the A/B judgement of `cargo xtask regress` ([`ab`]) and the
//! trend across commits of `cargo xtask history` ([`history`]); [`data`] reads the files,
//! [`stats`] aggregates repetitions and fits slopes, [`analysis`] computes the report's findings
//! as typed results and [`format`](mod@format) writes every number. Nothing here re-runs a sweep. The crate
//! README follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod ab;
pub mod analysis;
pub mod data;
pub mod error;
pub mod figures;
pub mod format;
pub mod history;
pub mod icount_model;
pub mod mode;
pub mod regress;
pub mod report;
mod slice;
pub mod stats;

pub use data::Dataset;
pub use error::{Error, Result};
