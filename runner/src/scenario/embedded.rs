//! The scenario tree built into the binary: every file of `scenarios/`
//! (the YAML files, their golden snapshots, the schema, the README) as it
//! was when the runner was compiled (`runner/build.rs` embeds it).
//!
//! The loader and the golden check read folders, so the embedded set is
//! used as one: [`materialise`] writes it into a fresh temporary folder
//! that lives as long as the returned value, and [`export`] writes it into
//! a folder of the user's for reading or editing.

use std::io;
use std::path::{Path, PathBuf};

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
        .filter(|(path, _)| {
            (path.ends_with(".yaml") || path.ends_with(".yml"))
                && !path.split('/').any(|part| part == "snapshots")
        })
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

/// The embedded set written into a new temporary folder, removed when the
/// value is dropped.
pub fn materialise() -> Result<tempfile::TempDir, ExportError> {
    let temp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix("connectsocket-scenarios-")
        .tempdir()
        .map_err(|source| ExportError::Io { path: temp, source })?;
    export(dir.path())?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::loader::{load_dir, scenarios_dir};

    /// Every file under `root` with its bytes, as the build script walks it.
    fn tree(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with('.')
                || name.ends_with(".snap.new")
                || name.ends_with(".pending-snap")
            {
                continue;
            }
            if path.is_dir() {
                tree(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }

    #[test]
    fn the_embedded_set_is_the_source_tree() {
        let mut on_disk = Vec::new();
        tree(&scenarios_dir(), &scenarios_dir(), &mut on_disk);
        on_disk.sort();
        let embedded: Vec<(String, Vec<u8>)> = files()
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&embedded), names(&on_disk));
        assert!(
            embedded == on_disk,
            "an embedded file differs from the source tree"
        );
        assert!(embedded.iter().any(|(p, _)| p.contains("/snapshots/")));
        assert_eq!(scenario_count(), load_dir(&scenarios_dir()).unwrap().len());
    }

    #[test]
    fn a_materialised_set_loads_like_the_source_tree_and_goes_away() {
        let dir = materialise().unwrap();
        let ids = |root: &Path| -> Vec<String> {
            load_dir(root)
                .unwrap()
                .iter()
                .map(|s| s.trial_name())
                .collect()
        };
        assert_eq!(ids(dir.path()), ids(&scenarios_dir()));
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
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
