//! Every scenario through the browser adapter (`adapters/browser`): the
//! browser build of the Node.js implementation
//! (`adapters/browser/impl/my-browser.js`) on headless Chromium's own
//! WebSocket, trusting the mock server's CA through the profile's NSS
//! database, so the certificate scenarios get the browser's real verdicts.
//! One trial `browser::<area>::<id>` each.
//!
//! What a page cannot do is listed in `adapters/browser/baseline.json`
//! (request headers, a 1009 close, a close code the browser replaces):
//! those trials pass while the scenario fails and fail once it passes.
//! Without Debian's `chromium` (and `certutil` from `libnss3-tools`) every
//! trial is ignored and one line says how to install them.

mod common;

fn main() {
    let root = common::repo_root();
    let skip = missing_browser();
    let baseline = root.join("adapters/browser/baseline.json");
    let known = std::fs::read_to_string(&baseline)
        .map_err(|e| e.to_string())
        .and_then(|text| report::read_baseline(&text).map_err(|e| e.to_string()))
        .map(|b| b.expected.into_iter().map(|e| e.id).collect())
        .unwrap_or_else(|e| panic!("{}: {e}", baseline.display()));
    common::main_expecting(
        "browser",
        || {
            let root = common::repo_root();
            let adapter = root.join("adapters/browser/src/adapter.js");
            let bundle = root.join("adapters/browser/impl/my-browser.js");
            Ok(format!(
                "node {} --impl {}",
                common::quote(&adapter.to_string_lossy()),
                common::quote(&bundle.to_string_lossy())
            ))
        },
        false,
        runner::Profile::default(),
        known,
        skip,
    );
}

/// Why the browser cannot run here, or `None`.
fn missing_browser() -> Option<String> {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    let chromium = std::env::var_os("CHROMIUM").is_some()
        || ["chromium", "chromium-browser"].iter().any(|n| on_path(n));
    if !chromium || !on_path("certutil") {
        return Some(
            "chromium or certutil is not installed: install them with `apt-get install chromium libnss3-tools` to run the browser adapter's conformance tests".into(),
        );
    }
    if !on_path("node") {
        return Some("node is not installed: the browser adapter runs on Node.js".into());
    }
    None
}
