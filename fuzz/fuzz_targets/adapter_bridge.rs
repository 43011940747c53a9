//! cargo-fuzz target `adapter_bridge`: see `fuzz_targets::adapter_bridge` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::adapter_bridge(data));
