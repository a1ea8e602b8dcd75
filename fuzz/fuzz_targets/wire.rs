//! Fuzz target `wire`: see `dsmpc_fuzz::wire`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dsmpc_fuzz::wire(data));
