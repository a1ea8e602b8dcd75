//! `dsmpc-perf` judges performance from the folders written by the `dsmpc-bench` sweep engine:
//! the comparison with a committed record ([`regress`]), the A/B judgement of `cargo xtask
//! regress` ([`ab`]), the trend across commits of `cargo xtask history` ([`history`], drawn by
//! [`figures`]) and the cost model in instructions of `cargo xtask icount-model`
//! ([`icount_model`]); every judgement speaks one [`Verdict`]. Sweep folders are read through
//! `dsmpc-reports` (its data, statistics, formatting and chart modules); nothing here re-runs
//! a sweep. The crate README follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod ab;
pub mod figures;
pub mod history;
pub mod icount_model;
pub mod regress;
pub mod verdict;

pub use dsmpc_reports::{Error, Result};
pub use verdict::Verdict;
