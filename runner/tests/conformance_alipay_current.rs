//! Every scenario against the in-process reference under the profile
//! `alipay-current` (the vendor's revision of 2022-11-24): one trial
//! `alipay-current::<area>::<id>` each (see `reference_harness`).

mod reference_harness;

fn main() {
    reference_harness::main(runner::Profile::ALIPAY_CURRENT, true);
}
