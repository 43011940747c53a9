//! cargo-fuzz target `adapter_line`: see `fuzz_targets::adapter_line` for its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::adapter_line(data));
