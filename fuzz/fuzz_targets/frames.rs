//! Fuzz target `frames`: see `dsmpc_fuzz::frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::frames(data));
