//! Fuzz target `grid`: see `dsmpc_fuzz::grid`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::grid(data));
