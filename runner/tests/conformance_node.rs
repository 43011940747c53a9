//! Every scenario against the Node.js implementation (`adapters/node`), one
//! trial `node::<area>::<id>` each. Its packages are installed first
//! (`npm ci`) when missing; a missing `node` or `npm` fails every trial
//! with the reason, never skips.

mod common;

fn main() {
    common::main(
        "node",
        || {
            let root = common::repo_root();
            let script = adapter_host::ensure_node_adapter(&root).map_err(|e| {
                let mut text = format!("the node adapter cannot run: {e}");
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    text.push_str(&format!("\n  caused by: {cause}"));
                    source = cause.source();
                }
                text
            })?;
            Ok(format!("node {}", common::quote(&script.to_string_lossy())))
        },
        false,
    );
}
