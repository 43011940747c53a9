//! Every scenario through the browser adapter (`adapters/browser`): the
//! browser build of the Node.js implementation
//! (`adapters/browser/impl/my-browser.js`) on headless Chromium's own
//! WebSocket, trusting the mock server's CA through the profile's NSS
//! database, so the certificate scenarios get the browser's real verdicts.
//! One trial `browser::<area>::<id>` each.
//!
//! What a page cannot do is listed in `adapters/browser/baseline.json`
//! (a server's close code that Chromium replaces with 1006): those trials
//! pass while the scenario fails and fail once it passes.
//! Without Debian's `chromium` (and `certutil` from `libnss3-tools`) every
//! trial is ignored and one line says how to install them. The adapter's npm
//! packages are installed first when missing (`npm ci`, as for node).

mod common;

fn main() {
    let root = common::repo_root();
    let skip = adapter_host::browser_adapter_missing()
        .map(|reason| format!("{reason} to run the browser adapter's conformance tests"));
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
            // The page's scripts are bundled with esbuild, from the adapters' npm workspaces.
            adapter_host::ensure_adapter_packages(&root)
                .map_err(|e| format!("the browser adapter cannot run: {e}"))?;
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
