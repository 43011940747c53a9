//! cargo-fuzz target `scenario`: see `fuzz_targets::scenario` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::scenario(data));
