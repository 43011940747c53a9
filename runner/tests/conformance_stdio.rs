//! Every scenario against the reference implementation served over the
//! adapter protocol on stdio (`connectsocket-conformance serve-reference`),
//! one trial `stdio::<area>::<id>` each. Each trial also runs the scenario
//! in process and requires the identical normalised trace.

mod common;

fn main() {
    common::main(
        "stdio",
        || {
            Ok(format!(
                "{} serve-reference",
                common::quote(env!("CARGO_BIN_EXE_connectsocket-conformance"))
            ))
        },
        true,
    );
}
