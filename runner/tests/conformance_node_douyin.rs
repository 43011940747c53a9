//! Every scenario against the Node.js implementation's `tt` face
//! (`adapters/node`, which serves `tt` when `hello.profile` is `douyin`)
//! under the profile `douyin`: one trial `node-douyin::<area>::<id>` each;
//! a scenario `tt` does not cover is ignored. A missing `node` or `npm`
//! fails every trial with the reason, never skips.

mod common;

fn main() {
    common::main_in(
        "node-douyin",
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
        runner::Profile::DOUYIN,
    );
}
