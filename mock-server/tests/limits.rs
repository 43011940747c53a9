//! Limits the server states and enforces: generated message sizes, what an
//! action's `reached` counts, the number of live sessions, and what happens
//! to connections when their session or the server goes away.

mod common;

use common::*;
use mock_server::{Action, Options, Payload, Target, MAX_GENERATED_BYTES};

async fn control_server() -> (mock_server::MockServer, String) {
    let server = start_with(Options {
        control: true,
        ..Options::default()
    })
    .await;
    let addr = server.addr("control").unwrap().to_string();
    (server, addr)
}

#[tokio::test]
async fn a_generated_size_over_the_cap_is_refused_by_the_library_naming_field_value_and_limit() {
    let server = start().await;
    let s = server.create_session();
    let _ws = connect(&server, &s.url("ws", "silent"), &[]).await;
    let over = MAX_GENERATED_BYTES + 1;
    for (message, field) in [
        (Payload::BinaryBytes(over), "binaryBytes"),
        (Payload::TextBytes(over), "textBytes"),
    ] {
        let e = s
            .act(Action::Send {
                to: Target::All,
                message,
            })
            .await
            .expect_err("refused");
        let text = e.to_string();
        assert!(text.contains(field), "{text}");
        assert!(text.contains(&over.to_string()), "{text}");
        assert!(text.contains(&MAX_GENERATED_BYTES.to_string()), "{text}");
    }
    // At the cap itself it is still accepted.
    let out = s
        .act(Action::Send {
            to: Target::All,
            message: Payload::BinaryBytes(0),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
}

#[tokio::test]
async fn a_generated_size_over_the_cap_is_a_422_from_the_control_api() {
    let (server, addr) = control_server().await;
    let s = server.create_session();
    let over = MAX_GENERATED_BYTES + 1;
    let body = format!(r#"{{"type":"send","to":"all","message":{{"binaryBytes":{over}}}}}"#);
    let (status, text) = http(
        &addr,
        "POST",
        &format!("/sessions/{}/actions", s.id()),
        Some(&body),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("binaryBytes"), "{text}");
    assert!(text.contains(&over.to_string()), "{text}");
    assert!(text.contains(&MAX_GENERATED_BYTES.to_string()), "{text}");
}
