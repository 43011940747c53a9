//! Preparing the bundled JavaScript adapters: their npm packages are
//! installed with `npm ci` the first time they are needed, at the root of
//! the npm workspaces (`adapters/`, one `package-lock.json` for every
//! adapter); what the browser adapter needs besides is checked.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use crate::error::{truncate, HostError};

/// The node adapter's script, relative to the repository root. Run it as
/// `node adapters/node/src/adapter.js` from the root.
pub const NODE_ADAPTER_SCRIPT: &str = "adapters/node/src/adapter.js";

/// The root of the npm workspaces of the JavaScript adapters, relative to
/// the repository root: its `package-lock.json` pins every adapter's
/// packages, and `npm ci` runs there.
pub const ADAPTERS_WORKSPACE_ROOT: &str = "adapters";

/// The workspaces (folders under [`ADAPTERS_WORKSPACE_ROOT`]) whose packages
/// [`ensure_adapter_packages`] installs: those the repository's own tests
/// run (`common` is the package the adapters share). `thirdparty` is left
/// out: its frameworks (about 330 MB) are installed by
/// `scripts/compatibility.sh`, the one place that uses them.
pub const TESTED_WORKSPACES: [&str; 4] = ["common", "node", "browser", "clients"];

/// The npm projects beside the workspaces, each with its own
/// `package-lock.json`: `miniprogram` (the frameworks' mini-program layers),
/// whose Taro platform plugins pin different versions of one peer and so
/// cannot share the workspaces' tree (`docs/decisions.md`).
pub const STANDALONE_PROJECTS: [&str; 1] = ["miniprogram"];

/// The oldest Node.js major version the adapter supports.
const NODE_MAJOR: u32 = 20;

/// The programs [`ensure_node_adapter_with`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTools {
    /// The Node.js binary (default `node`, found on `PATH`).
    pub node: OsString,
    /// The npm binary (default `npm`, found on `PATH`).
    pub npm: OsString,
}

impl Default for NodeTools {
    fn default() -> Self {
        NodeTools {
            node: "node".into(),
            npm: "npm".into(),
        }
    }
}

/// [`ensure_node_adapter_with`] with `node` and `npm` from `PATH`.
///
/// # Errors
///
/// As [`ensure_node_adapter_with`].
pub fn ensure_node_adapter(repo_root: &Path) -> Result<PathBuf, HostError> {
    ensure_node_adapter_with(repo_root, &NodeTools::default())
}

/// Makes the node adapter under `repo_root` runnable and returns the path
/// of its script ([`NODE_ADAPTER_SCRIPT`]): the script must exist, then as
/// [`ensure_adapter_packages_with`].
///
/// # Errors
///
/// A clear [`HostError`] for a missing adapter, and as
/// [`ensure_adapter_packages_with`]. Never a silent skip.
pub fn ensure_node_adapter_with(repo_root: &Path, tools: &NodeTools) -> Result<PathBuf, HostError> {
    let script = repo_root.join(NODE_ADAPTER_SCRIPT);
    if !script.is_file() {
        return Err(HostError::NodeAdapterMissing { path: script });
    }
    ensure_adapter_packages_with(repo_root, tools)?;
    Ok(script)
}

/// [`ensure_adapter_packages_with`] with `node` and `npm` from `PATH`.
///
/// # Errors
///
/// As [`ensure_adapter_packages_with`].
pub fn ensure_adapter_packages(repo_root: &Path) -> Result<(), HostError> {
    ensure_adapter_packages_with(repo_root, &NodeTools::default())
}

/// Makes the JavaScript adapters the tests run ([`TESTED_WORKSPACES`])
/// runnable: checks that Node.js 20 or later runs, and when their packages
/// are missing or older than the workspaces' `package-lock.json`, runs
/// `npm ci --workspace …` for them in [`ADAPTERS_WORKSPACE_ROOT`].
/// Installs are serialised within the process (a mutex) and between
/// processes (an advisory lock on `package-lock.json`, Unix), so parallel
/// tests install once. This blocks: from async code, call it through
/// `tokio::task::spawn_blocking`.
///
/// # Errors
///
/// A clear [`HostError`] for a missing or old `node`, a missing
/// `package-lock.json`, a missing `npm` (only needed when installing), or a
/// failed `npm ci` (with the tail of its output).
pub fn ensure_adapter_packages_with(repo_root: &Path, tools: &NodeTools) -> Result<(), HostError> {
    check_node(tools)?;
    npm_ci(
        &repo_root.join(ADAPTERS_WORKSPACE_ROOT),
        tools,
        &TESTED_WORKSPACES,
    )
}

/// [`ensure_npm_project_with`] with `node` and `npm` from `PATH`.
///
/// # Errors
///
/// As [`ensure_npm_project_with`].
pub fn ensure_npm_project(dir: &Path) -> Result<(), HostError> {
    ensure_npm_project_with(dir, &NodeTools::default())
}

/// Makes the npm project in `dir` (one of [`STANDALONE_PROJECTS`], with its
/// own `package-lock.json`) runnable, as [`ensure_adapter_packages_with`]
/// does for the workspaces: Node.js 20 or later, and `npm ci` in `dir` when
/// its packages are missing or older than its lockfile.
///
/// # Errors
///
/// As [`ensure_adapter_packages_with`].
pub fn ensure_npm_project_with(dir: &Path, tools: &NodeTools) -> Result<(), HostError> {
    check_node(tools)?;
    npm_ci(dir, tools, &[])
}

/// `npm ci` in `dir` (for `workspaces` only, when given) unless
/// [`installed`] says the packages are there, serialised within the process
/// (a mutex) and between processes (an advisory lock on the lockfile).
fn npm_ci(dir: &Path, tools: &NodeTools, workspaces: &[&str]) -> Result<(), HostError> {
    static INSTALL: Mutex<()> = Mutex::new(());

    if installed(dir, workspaces) {
        return Ok(());
    }
    let _in_process = INSTALL.lock().unwrap_or_else(PoisonError::into_inner);
    let lock_path = dir.join("package-lock.json");
    let io_error = |source| HostError::Io {
        path: lock_path.clone(),
        source,
    };
    let lock = File::open(&lock_path).map_err(io_error)?;
    #[cfg(unix)]
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io_error(e.into()))?;
    if installed(dir, workspaces) {
        return Ok(());
    }
    let npm = tools.npm.to_string_lossy().into_owned();
    let output = Command::new(&tools.npm)
        .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
        .args(workspaces.iter().map(|name| format!("--workspace={name}")))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| HostError::NpmMissing {
            program: npm,
            source,
        })?;
    drop(lock);
    if !output.status.success() || !installed(dir, workspaces) {
        let text = String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned();
        let start = text.len().saturating_sub(4000);
        let start = (start..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        return Err(HostError::NpmFailed {
            dir: dir.to_path_buf(),
            status: output.status,
            output: text[start..].to_owned(),
        });
    }
    Ok(())
}

/// Why the browser adapter (`adapters/browser`) cannot run here, in one
/// line that says how to install what is missing, or `None`: it needs
/// Debian's `chromium` (or `CHROMIUM` naming a browser), `certutil` (from
/// `libnss3-tools`) and `node`, each on `PATH`.
pub fn browser_adapter_missing() -> Option<String> {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    let chromium = std::env::var_os("CHROMIUM").is_some()
        || ["chromium", "chromium-browser"].iter().any(|n| on_path(n));
    if !chromium || !on_path("certutil") {
        return Some(
            "chromium or certutil is not installed: install them with `apt-get install chromium libnss3-tools`"
                .into(),
        );
    }
    if !on_path("node") {
        return Some(
            "node is not installed: the browser adapter runs on Node.js 20 or later".into(),
        );
    }
    None
}

/// Runs `node --version` and checks the major version.
fn check_node(tools: &NodeTools) -> Result<(), HostError> {
    let program = tools.node.to_string_lossy().into_owned();
    let output = match Command::new(&tools.node).arg("--version").output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = format!("{}: {}", output.status, truncate(stderr.trim(), 400));
            return Err(HostError::NodeMissing {
                program,
                source: io::Error::other(reason),
            });
        }
        Err(source) => return Err(HostError::NodeMissing { program, source }),
    };
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok());
    match major {
        Some(major) if major >= NODE_MAJOR => Ok(()),
        _ => Err(HostError::NodeTooOld { program, version }),
    }
}

/// The packages in `dir` (of every one of `workspaces`) are installed
/// and no older than the lockfile: npm writes `node_modules/.package-lock.json`
/// at the end of an install, listing the workspaces it installed (a full
/// `npm ci` lists them all).
fn installed(dir: &Path, workspaces: &[&str]) -> bool {
    let modified = |path: &Path| path.metadata().and_then(|m| m.modified()).ok();
    let record = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (modified(&record), modified(&dir.join("package-lock.json"))) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if !fresh {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(&record) else {
        return false;
    };
    let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    workspaces
        .iter()
        .all(|name| record["packages"].get(*name).is_some())
}
