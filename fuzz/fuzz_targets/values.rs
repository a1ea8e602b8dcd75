//! Fuzz target `values`: see `dsmpc_fuzz::values`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::values(data));
