//! The command line against bad input and interruption: every output path
//! is checked before the first scenario, Ctrl-C and SIGTERM keep the run
//! and leave no process behind, values that cannot work are refused, and
//! a closed stdout ends the command quietly. `docs/fault-catalogue.md`
//! lists these cases with the tests that prove them.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the command line in `cwd`: exit status, stdout and stderr together.
fn cli_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// Whether a run started: the summary is printed only after scenarios ran.
fn ran(text: &str) -> bool {
    text.contains("compliance summary") || text.contains("running ")
}

#[test]
fn a_report_dir_that_is_a_file_is_refused_before_the_run_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken"), "x").unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report-dir",
            "taken",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "refused before running: {text}");
    assert_eq!(text.matches("error:").count(), 1, "one error: {text}");
    assert!(text.contains("--report-dir taken"), "{text}");
}

#[test]
fn an_unwritable_report_path_is_refused_before_the_run_naming_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=/proc/nope/x.json",
            "--report",
            "md=file/under-a-file.md",
            "--report",
            "html=fine.html",
            "--write-baseline",
            "/proc/nope/b.json",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "refused before running: {text}");
    for named in [
        "--report json=/proc/nope/x.json",
        "--report md=file/under-a-file.md",
        "--write-baseline /proc/nope/b.json",
    ] {
        assert!(text.contains(named), "{named}: {text}");
    }
    assert!(!text.contains("fine.html"), "{text}");
    // The check leaves nothing behind.
    assert!(!dir.path().join("fine.html").exists());
}

#[test]
fn a_report_path_that_is_a_folder_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=folder",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "{text}");
    assert!(text.contains("is a folder"), "{text}");
}
