//! cargo-fuzz target `adapter_request`: see `fuzz_targets::adapter_request` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::adapter_request(data));
