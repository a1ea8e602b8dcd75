//! Test fixtures of the network tests: [`cli`] runs the `dsmpc` binary, [`skip`] records the
//! tests that cannot run on this machine.

#![allow(dead_code, missing_docs)]

pub mod cli;
pub mod skip;
