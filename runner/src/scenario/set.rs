//! Which scenario tree a run uses: the source tree's `scenarios/` folder,
//! the set embedded in the binary, or a folder given by the user; and that
//! tree opened as a folder the loader reads ([`OpenSet`]).
//!
//! The default ([`ScenarioSet::default_for_process`]) is the source tree
//! when the process was started by cargo from the tree the binary was
//! built from (`cargo run`, `cargo test`: the environment variable
//! `CARGO_MANIFEST_DIR` names this crate's folder), so that an edit to a
//! scenario counts at once; anywhere else (an installed or copied binary)
//! it is the embedded set.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::scenario::embedded::{self, ExportError};
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

    /// The tree as a folder: the embedded set is written into a temporary
    /// folder that lives as long as the [`OpenSet`].
    pub fn open(self) -> Result<OpenSet, ExportError> {
        let (root, temp) = match &self {
            ScenarioSet::SourceTree(dir) | ScenarioSet::Dir(dir) => (dir.clone(), None),
            ScenarioSet::Embedded => {
                let temp = embedded::materialise()?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        Ok(OpenSet {
            set: self,
            root,
            _temp: temp,
        })
    }
}

/// A scenario tree readable as a folder, for as long as this value lives.
#[derive(Debug)]
pub struct OpenSet {
    set: ScenarioSet,
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl OpenSet {
    /// The folder to load scenarios from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The tree it is.
    pub fn set(&self) -> &ScenarioSet {
        &self.set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_opened_set_is_a_folder_and_the_embedded_one_is_temporary() {
        let open = ScenarioSet::Embedded.open().unwrap();
        let root = open.root().to_path_buf();
        assert!(root.join("scenario.schema.json").is_file());
        drop(open);
        assert!(!root.exists());
        let dir = ScenarioSet::Dir(PathBuf::from("somewhere")).open().unwrap();
        assert_eq!(dir.root(), Path::new("somewhere"));
    }
}
