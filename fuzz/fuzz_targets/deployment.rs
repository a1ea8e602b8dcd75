//! Fuzz target `deployment`: see `dsmpc_fuzz::deployment`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::deployment(data));
