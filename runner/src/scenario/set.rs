//! Which scenario tree a run uses: the source tree's `scenarios/` folder,
//! the set embedded in the binary, or a folder given by the user.
//!
//! The default ([`ScenarioSet::default_for_process`]) is the source tree
//! when the process was started by cargo from the tree the binary was
//! built from (`cargo run`, `cargo test`: the environment variable
//! `CARGO_MANIFEST_DIR` names this crate's folder), so that an edit to a
//! scenario counts at once; anywhere else (an installed or copied binary)
//! it is the embedded set.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::scenario::embedded;
use crate::scenario::loader::scenarios_dir;

/// A scenario tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSet {
    /// The `scenarios/` folder of the source tree the binary was built from.
    SourceTree(PathBuf),
    /// The scenarios built into the binary.
    Embedded,
    /// Another tree (`--scenarios DIR`): a vendor's extra scenarios, an
    /// exported and edited copy.
    Dir(PathBuf),
}

impl ScenarioSet {
    /// The default of this process: the source tree when cargo started it
    /// from the tree the binary was built from and that tree still has its
    /// `scenarios/` folder, else the embedded set.
    pub fn default_for_process() -> ScenarioSet {
        Self::default_for(std::env::var_os("CARGO_MANIFEST_DIR").as_deref())
    }

    /// The default when the environment's `CARGO_MANIFEST_DIR` is
    /// `manifest_dir`.
    pub fn default_for(manifest_dir: Option<&OsStr>) -> ScenarioSet {
        let built_from = Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = scenarios_dir();
        match manifest_dir {
            Some(dir) if Path::new(dir) == built_from && source.is_dir() => {
                ScenarioSet::SourceTree(source)
            }
            _ => ScenarioSet::Embedded,
        }
    }

    /// The folder the loader reads it from (for the embedded set,
    /// [`embedded::ROOT`], served from memory).
    pub fn root(&self) -> PathBuf {
        match self {
            ScenarioSet::SourceTree(dir) | ScenarioSet::Dir(dir) => dir.clone(),
            ScenarioSet::Embedded => embedded::root().to_path_buf(),
        }
    }

    /// How the summary names it.
    pub fn describe(&self) -> String {
        match self {
            ScenarioSet::SourceTree(dir) => format!("the source tree's {}", dir.display()),
            ScenarioSet::Embedded => format!(
                "the {} scenarios embedded in this binary (suite {}; `connectsocket-conformance scenarios export DIR` writes them out)",
                embedded::scenario_count(),
                env!("CARGO_PKG_VERSION")
            ),
            ScenarioSet::Dir(dir) => format!("{} (--scenarios)", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::loader::load_dir;

    #[test]
    fn cargo_in_this_tree_means_the_source_tree_anything_else_the_embedded_set() {
        let here = OsStr::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            ScenarioSet::default_for(Some(here)),
            ScenarioSet::SourceTree(scenarios_dir())
        );
        assert_eq!(ScenarioSet::default_for(None), ScenarioSet::Embedded);
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir(elsewhere.path().join("scenarios")).unwrap();
        assert_eq!(
            ScenarioSet::default_for(Some(elsewhere.path().join("runner").as_os_str())),
            ScenarioSet::Embedded
        );
    }

    /// Every file under `dir` with its bytes, as the build script walks it.
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
        let embedded: Vec<(String, Vec<u8>)> = embedded::files()
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
    }

    #[test]
    fn the_embedded_set_loads_like_the_source_tree() {
        let trials = |root: &Path| -> Vec<(String, String)> {
            load_dir(root)
                .unwrap()
                .iter()
                .map(|s| (s.trial_name(), s.area.clone()))
                .collect()
        };
        let embedded = ScenarioSet::Embedded.root();
        assert_eq!(trials(&embedded), trials(&scenarios_dir()));
        assert_eq!(trials(&embedded).len(), embedded::scenario_count());
        assert!(load_dir(&embedded)
            .unwrap()
            .iter()
            .all(|s| s.path.starts_with(embedded::ROOT)));
    }
}
