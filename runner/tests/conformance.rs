//! Every scenario against the in-process reference under the default
//! profile, or the one `CONFORMANCE_PROFILE` names: one trial
//! `<area>::<id>` each (see `reference_harness`).

mod reference_harness;

fn main() {
    reference_harness::main(reference_harness::profile_from_env(), false);
}
