//! cargo-fuzz target `handshake`: see `fuzz_targets::handshake` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::handshake(data));
