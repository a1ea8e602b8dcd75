#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod adversary;
pub mod check;
pub mod costmodel;
pub mod error;
pub mod event;
pub mod files;
pub mod func;
pub mod keys;
pub mod log;
pub mod metrics;
pub mod net;
pub mod parties;
pub mod session;
pub mod suite;
pub mod values;
pub mod vector;
pub mod wire;

pub use error::{Result, RolesError};
pub use session::{SessionConfig, SessionReport, run};
