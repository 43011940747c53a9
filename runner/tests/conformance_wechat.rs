//! Every scenario against the in-process reference under the profile
//! `wechat` (its `wx` face): one trial `wechat::<area>::<id>` each (see
//! `reference_harness`); a scenario `wx` does not cover is ignored.

mod reference_harness;

fn main() {
    reference_harness::main(runner::Profile::WECHAT, true);
}
