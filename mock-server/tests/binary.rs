//! The `mock-server` binary: JSON line, echo, SIGTERM, clean exit.

mod common;

use std::process::Stdio;

use common::*;
use futures_util::{SinkExt, StreamExt};
use mock_server::{Endpoints, SessionInfo};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_binary_prints_its_endpoints_serves_an_echo_and_exits_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("mock-server-bin-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_out = dir.join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-server"))
        .arg("--ca-out")
        .arg(&ca_out)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(T, lines.next_line())
        .await
        .expect("a JSON line in time")
        .unwrap()
        .unwrap();
    let eps: Endpoints = serde_json::from_str(&line).expect("the line is the endpoints JSON");
    assert_eq!(eps.ca_pem_path.as_deref(), Some(ca_out.as_path()));
    let ca = std::fs::read_to_string(&ca_out).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let control = eps.control.clone().unwrap();
    let control_addr = control.trim_start_matches("http://");
    let (status, body) = http(control_addr, "POST", "/sessions", None).await;
    assert_eq!(status, 201);
    let info: SessionInfo = serde_json::from_str(&body).unwrap();
    let url = format!("{}/echo", info.urls["wss.valid"]);
    let io = transport(&url, &ca).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(url.as_str(), io)
        .await
        .unwrap();
    ws.send(Message::text("through the binary")).await.unwrap();
    let back = tokio::time::timeout(T, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(back, Message::text("through the binary"));

    let pid = child.id().expect("still running").to_string();
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid)
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(T, child.wait())
        .await
        .expect("exit within the timeout of SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    assert_eq!(
        lines.next_line().await.unwrap(),
        None,
        "nothing more on stdout"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_start_failure_prints_the_whole_error_chain_on_one_line_and_exits_with_failure() {
    let ca_out = std::env::temp_dir()
        .join(format!("mock-server-no-such-dir-{}", std::process::id()))
        .join("ca.pem");
    let child = Command::new(env!("CARGO_BIN_EXE_mock-server"))
        .arg("--ca-out")
        .arg(&ca_out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let out = tokio::time::timeout(T, child.wait_with_output())
        .await
        .expect("the binary exits on its own")
        .unwrap();
    assert!(!out.status.success(), "{:?}", out.status);
    assert!(out.stdout.is_empty(), "no endpoints line");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "mock-server: cannot write the CA PEM to {}: ",
        ca_out.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("No such file or directory"), "{stderr}");
}
