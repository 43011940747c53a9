//! The files a run writes (reports, a new baseline), gathered from the
//! arguments and checked before the first scenario: a run is not worth
//! waiting for when its results cannot be written.
//!
//! [`Outputs::from_args`] lists them (the `--report` files, the four of
//! `--report-dir` or of the default folder, `--write-baseline`), refusing
//! a path given twice; [`Outputs::check`] proves each can be written
//! without leaving anything behind.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use report::Format;

use crate::cli::args::RunArgs;

/// Where a run writes its four reports when no `--report` nor
/// `--report-dir` is given (relative to the current folder).
pub(crate) const DEFAULT_REPORT_DIR: &str = "target/conformance-report";

/// One report file to write.
#[derive(Debug, Clone)]
pub(crate) struct ReportTarget {
    /// Its format.
    pub(crate) format: Format,
    /// Its path.
    pub(crate) path: PathBuf,
    /// The argument that asked for it, for messages (`--report json=x`).
    pub(crate) what: String,
}

/// A folder that receives all four reports.
#[derive(Debug, Clone)]
pub(crate) struct ReportDir {
    /// The folder.
    pub(crate) path: PathBuf,
    /// The argument that named it (`--report-dir x`, or the default).
    pub(crate) what: String,
}

/// Every file a run writes.
#[derive(Debug, Clone)]
pub(crate) struct Outputs {
    /// The `--report FORMAT=PATH` files.
    pub(crate) files: Vec<ReportTarget>,
    /// The `--report-dir` (or default) folder.
    pub(crate) dir: Option<ReportDir>,
    /// The `--write-baseline` file.
    pub(crate) baseline: Option<PathBuf>,
}

impl Outputs {
    /// The outputs the arguments ask for; an error for each path given
    /// twice (one would silently overwrite the other).
    pub(crate) fn from_args(args: &RunArgs) -> Result<Outputs, Vec<String>> {
        let files: Vec<ReportTarget> = args
            .reports
            .iter()
            .map(|r| ReportTarget {
                format: r.format,
                path: r.path.clone(),
                what: format!("--report {}", r.text),
            })
            .collect();
        let dir = match (&args.report_dir, files.is_empty()) {
            (Some(dir), _) => Some(ReportDir {
                path: dir.clone(),
                what: format!("--report-dir {}", dir.display()),
            }),
            (None, true) => Some(ReportDir {
                path: PathBuf::from(DEFAULT_REPORT_DIR),
                what: format!("the report folder {DEFAULT_REPORT_DIR}"),
            }),
            (None, false) => None,
        };
        let outputs = Outputs {
            files,
            dir,
            baseline: args.write_baseline.clone(),
        };
        let errors = outputs.duplicates();
        if errors.is_empty() {
            Ok(outputs)
        } else {
            Err(errors)
        }
    }

    /// Every report file with the argument that asked for it: the
    /// `--report` files, then the four of the folder.
    pub(crate) fn report_targets(&self) -> Vec<ReportTarget> {
        let mut targets = self.files.clone();
        if let Some(dir) = &self.dir {
            targets.extend(Format::ALL.into_iter().map(|format| ReportTarget {
                format,
                path: dir.path.join(format.file_name()),
                what: dir.what.clone(),
            }));
        }
        targets
    }

    /// Every file written, with the argument that asked for it.
    fn all_files(&self) -> Vec<(PathBuf, String)> {
        let mut all: Vec<(PathBuf, String)> = self
            .report_targets()
            .into_iter()
            .map(|t| (t.path, t.what))
            .collect();
        if let Some(path) = &self.baseline {
            all.push((path.clone(), format!("--write-baseline {}", path.display())));
        }
        all
    }

    fn duplicates(&self) -> Vec<String> {
        let mut seen: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut errors = Vec::new();
        for (path, what) in self.all_files() {
            match seen.get(&same_file_key(&path)) {
                Some(first) => errors.push(format!(
                    "{what}: {} is also written by {first}; give each output its own path",
                    path.display()
                )),
                None => {
                    seen.insert(same_file_key(&path), what);
                }
            }
        }
        errors
    }

    /// Checks that every output can be written: one error per argument
    /// that cannot (a report folder is checked once, not per file). Files
    /// and folders the check creates are removed again.
    pub(crate) fn check(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let mut probe = Probe::default();
        let mut files: Vec<(PathBuf, String)> = self
            .files
            .iter()
            .map(|t| (t.path.clone(), t.what.clone()))
            .collect();
        if let Some(dir) = &self.dir {
            match probe.folder(&dir.path) {
                Ok(()) => files.extend(
                    Format::ALL
                        .into_iter()
                        .map(|format| (dir.path.join(format.file_name()), dir.what.clone())),
                ),
                Err(e) => errors.push(format!("{}: {e}", dir.what)),
            }
        }
        if let Some(path) = &self.baseline {
            files.push((path.clone(), format!("--write-baseline {}", path.display())));
        }
        for (path, what) in files {
            if let Err(e) = probe.file(&path) {
                errors.push(format!("{what}: {e}"));
            }
        }
        probe.undo();
        errors
    }
}

/// Two spellings of one path compare equal: absolute, `.` and `..`
/// resolved lexically.
fn same_file_key(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut key = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                key.pop();
            }
            other => key.push(other),
        }
    }
    key
}

/// What a check created, to remove it again.
#[derive(Debug, Default)]
struct Probe {
    created_dirs: Vec<PathBuf>,
    created_files: Vec<PathBuf>,
}

impl Probe {
    /// Makes sure `dir` is (or can become) a folder.
    fn folder(&mut self, dir: &Path) -> Result<(), String> {
        if dir.as_os_str().is_empty() || dir.is_dir() {
            return Ok(());
        }
        if dir.exists() {
            return Err(format!("{} exists and is not a folder", dir.display()));
        }
        let mut missing = Vec::new();
        let mut ancestor = dir;
        while !ancestor.as_os_str().is_empty() && !ancestor.exists() {
            missing.push(ancestor.to_path_buf());
            match ancestor.parent() {
                Some(parent) => ancestor = parent,
                None => break,
            }
        }
        if !ancestor.as_os_str().is_empty() && !ancestor.is_dir() {
            return Err(format!("{} is not a folder", ancestor.display()));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
        // Deepest last, so that undoing in reverse removes children first.
        self.created_dirs.extend(missing.into_iter().rev());
        Ok(())
    }

    /// Makes sure `path` can be written as a file.
    fn file(&mut self, path: &Path) -> Result<(), String> {
        if path.is_dir() {
            return Err(format!("{} is a folder", path.display()));
        }
        if let Some(parent) = path.parent() {
            self.folder(parent)?;
        }
        let existed = path.exists();
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !existed {
            self.created_files.push(path.to_path_buf());
        }
        Ok(())
    }

    /// Removes what the check created.
    fn undo(self) {
        for file in &self.created_files {
            let _ = std::fs::remove_file(file);
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
