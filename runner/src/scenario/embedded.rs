//! The scenario tree built into the binary: every file of `scenarios/`
//! (the YAML files, their golden snapshots, the schema, the README) as it
//! was when the runner was compiled (`runner/build.rs` embeds it).
//!
//! The embedded files appear under the folder name [`ROOT`]
//! (`<embedded>/close/open.yaml`): the loader lists them with
//! [`yaml_paths`] and the loader and the golden check read every scenario
//! file through [`read_to_string`], which serves paths under [`ROOT`] from
//! memory and any other path from disk ([`exists`] likewise). Nothing is
//! written for a run;
//! [`export`] writes the set into a folder of the user's for reading or
//! editing.

use std::io;
use std::path::{Component, Path, PathBuf};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));
}

/// Every embedded file: its path under `scenarios/` (`/`-separated) and
/// its bytes, sorted by path.
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    generated::FILES
}

/// How many scenario files (`*.yaml`, outside `snapshots/`) are embedded.
pub fn scenario_count() -> usize {
    files()
        .iter()
        .filter(|(path, _)| is_scenario_file(path))
        .count()
}

/// Why the embedded set could not be written out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A file to be written exists already (nothing was written).
    #[error("{0} exists already: export into an empty or new folder")]
    Exists(PathBuf),
    /// A folder or file could not be created or written.
    #[error("{path}: cannot write")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// Writes every embedded file under `dir` (created when missing), keeping
/// the tree's layout; the number of files written. Refuses, before writing
/// anything, when one of the files exists already.
pub fn export(dir: &Path) -> Result<usize, ExportError> {
    let targets: Vec<(PathBuf, &[u8])> = files()
        .iter()
        .map(|(path, bytes)| (dir.join(path), *bytes))
        .collect();
    if let Some((path, _)) = targets.iter().find(|(path, _)| path.exists()) {
        return Err(ExportError::Exists(path.clone()));
    }
    for (path, bytes) in &targets {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, bytes).map_err(|source| ExportError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(targets.len())
}

/// The folder name under which the embedded files appear. A path under
/// it is never read from disk.
pub const ROOT: &str = "<embedded>";

/// [`ROOT`] as a path: give it to the loader as the scenarios folder.
pub fn root() -> &'static Path {
    Path::new(ROOT)
}

/// The embedded file at `path` (`<embedded>/<path under scenarios/>`).
pub fn file(path: &Path) -> Option<&'static [u8]> {
    let relative = path.strip_prefix(root()).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let wanted = parts.join("/");
    files()
        .iter()
        .find(|(p, _)| *p == wanted)
        .map(|(_, bytes)| *bytes)
}

/// The text of a scenario tree's file: from the embedded set for a path
/// under [`ROOT`] (`NotFound` when it has no such file), else from disk.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    if !path.starts_with(root()) {
        return std::fs::read_to_string(path);
    }
    let bytes = file(path).ok_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, "not in the embedded scenario set")
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Whether a scenario tree's file exists: in the embedded set for a path
/// under [`ROOT`], else on disk.
pub fn exists(path: &Path) -> bool {
    if path.starts_with(root()) {
        file(path).is_some()
    } else {
        path.exists()
    }
}

/// The embedded scenario files (`*.yaml`, `*.yml` outside `snapshots/`),
/// as paths under [`ROOT`], sorted.
pub fn yaml_paths() -> Vec<PathBuf> {
    files()
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| is_scenario_file(path))
        .map(|path| root().join(path))
        .collect()
}

fn is_scenario_file(path: &str) -> bool {
    (path.ends_with(".yaml") || path.ends_with(".yml"))
        && !path.split('/').any(|part| part == "snapshots")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_paths_read_from_memory_and_other_paths_from_disk() {
        let (first, bytes) = files()[0];
        let text = read_to_string(&root().join(first)).unwrap();
        assert_eq!(text.as_bytes(), bytes);
        let missing = read_to_string(&root().join("no/such.snap")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        assert!(file(&root().join("../").join(first)).is_none());
        assert!(exists(&root().join(first)));
        assert!(!exists(&root().join("no/such.snap")));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "on disk").unwrap();
        assert_eq!(
            read_to_string(&dir.path().join("a.yaml")).unwrap(),
            "on disk"
        );
        assert!(yaml_paths().iter().all(|p| p.starts_with(root())));
        assert_eq!(yaml_paths().len(), scenario_count());
    }

    #[test]
    fn export_refuses_to_overwrite_and_writes_nothing_then() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = files()[0];
        let clash = dir.path().join(first);
        std::fs::create_dir_all(clash.parent().unwrap()).unwrap();
        std::fs::write(&clash, "mine").unwrap();
        let err = export(dir.path()).unwrap_err();
        assert!(
            matches!(&err, ExportError::Exists(p) if *p == clash),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&clash).unwrap(), "mine");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
