#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod costmodel;
pub mod error;
pub mod faults;
pub mod log;
pub mod metrics;
pub mod parties;
pub mod session;
pub mod suite;
pub mod values;
pub mod wire;

pub use error::{Result, RolesError};
pub use session::{SessionConfig, SessionReport, run};
