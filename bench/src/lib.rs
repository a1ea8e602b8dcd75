//! `dsmpc-bench`: parameter sweeps of the protocol to tidy CSV, sharded or not, and the merge of
//! shards; the crate README (its parts and how data moves through them) follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod error;
pub mod grid;
pub mod host;
pub mod merge;
pub mod rows;
pub mod shard;
pub mod sweep;

pub use error::{BenchError, Result};
