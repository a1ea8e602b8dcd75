//! Fuzz target `reports`: see `dsmpc_fuzz::reports`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::reports(data));
