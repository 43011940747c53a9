//! The command line's exit statuses: 0 compliant, 1 failures, 2 usage or
//! configuration errors.

use std::process::Command;

fn cli(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_passing_run_exits_0_and_prints_the_summary() {
    let (code, text) = cli(&["run", "--filter", "url::url-scheme"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("compliance summary") && text.contains("result: compliant"),
        "{text}"
    );
}

#[test]
fn a_run_with_failures_exits_1_and_names_them() {
    let (code, text) = cli(&[
        "run",
        "--mutant",
        "url-scheme-code",
        "--filter",
        "url::url-scheme",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("fail url::url-scheme-ftp"), "{text}");
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    assert_eq!(cli(&["run", "--filter", "no-such-scenario"]).0, 2);
    assert_eq!(cli(&["run", "--adapter", "/nonexistent/adapter"]).0, 2);
    assert_eq!(cli(&["run", "--mutant", "no-such-mutant"]).0, 2);
    assert_eq!(cli(&["run", "--bogus"]).0, 2);
}

#[test]
fn list_prints_the_selected_trials() {
    let (code, text) = cli(&["run", "--list", "--filter", "tls::"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().all(|l| l.starts_with("tls::")), "{text}");
}
