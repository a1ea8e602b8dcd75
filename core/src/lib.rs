#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod backend;
pub mod counters;
pub mod error;
pub mod field;
pub mod field64;
pub mod group;
pub mod pvss;
pub mod rng;
pub mod shamir;
pub mod vshare;
pub mod vss;
pub mod vvss;

pub use backend::{Backend, BackendKind};
pub use error::{CoreError, Result};
