//! Fuzz target `parties`: see `dsmpc_fuzz::parties`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::parties(data));
