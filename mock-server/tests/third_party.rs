//! Runs `scripts/third-party-check.sh` (openssl s_client, Python, Node)
//! against the binary. Ignored by default because it needs those tools; run
//! it with `cargo test -p mock-server --test third_party -- --ignored`. The
//! script fails with a message when a tool is missing; it never passes
//! silently.

use std::process::Command;

#[test]
#[ignore = "needs openssl, python3 and node; run with --ignored"]
fn third_party_clients_agree_with_the_certificate_catalogue_and_echo() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/third-party-check.sh");
    let out = Command::new("bash")
        .arg(script)
        .env("MOCK_SERVER_BIN", env!("CARGO_BIN_EXE_mock-server"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ALL THIRD-PARTY CHECKS PASSED"));
}
