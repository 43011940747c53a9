//! Every scenario against the Node.js implementation (`adapters/node`,
//! which serves the profile `hello.profile` names: its codes, its `timeout`
//! argument, its wss-only code 20) under the profile `alipay-current`: one
//! trial `node-alipay-current::<area>::<id>` each; a scenario the profile
//! does not cover is ignored. A missing `node` or `npm` fails every trial
//! with the reason, never skips.

mod common;

fn main() {
    common::main_in(
        "node-alipay-current",
        || {
            let root = common::repo_root();
            let script = adapter_host::ensure_node_adapter(&root).map_err(|e| {
                format!(
                    "the node adapter cannot run: {}",
                    adapter_protocol::error_chain(&e)
                )
            })?;
            Ok(format!("node {}", common::quote(&script.to_string_lossy())))
        },
        false,
        runner::Profile::ALIPAY_CURRENT,
    );
}
