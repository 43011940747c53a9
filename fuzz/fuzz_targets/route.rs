//! cargo-fuzz target `route`: see `fuzz_targets::route` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::route(data));
