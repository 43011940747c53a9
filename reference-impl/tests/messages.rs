//! Sending and receiving messages.

mod support;

use reference_impl::{ConnectSocketOptions, ErrorCode, SendSocketMessageOptions};
use serde_json::json;
use support::*;

fn send_value(data: serde_json::Value) -> Option<SendSocketMessageOptions> {
    Some(SendSocketMessageOptions {
        data: Some(data),
        is_buffer: None,
    })
}

// rule: send.text
// rule: receive.text
#[tokio::test]
async fn a_text_message_is_sent_and_its_echo_received() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.send_socket_message(2, Some(SendSocketMessageOptions::text("你好, server")));
    let mut want = ok(2);
    want.push(text("my", "M", "你好, server"));
    expect(&my, want).await;
    assert_eq!(
        server.message_in(1).await,
        (
            MessageKind::Text,
            "你好, server".len(),
            "你好, server".to_owned()
        )
    );
}

// rule: send.binary
// rule: receive.binary
#[tokio::test]
async fn base64_data_with_is_buffer_is_sent_as_binary_and_received_as_base64() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.send_socket_message(2, Some(SendSocketMessageOptions::base64("AAEC/w==")));
    let mut want = ok(2);
    want.push(binary("my", "M", "AAEC/w=="));
    expect(&my, want).await;
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Binary, 4, "AAEC/w==".to_owned())
    );
}

// rule: send.binary
#[tokio::test]
async fn an_array_buffer_is_sent_as_binary() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.send_socket_message(2, send_value(json!({"$binary": "aGk="})));
    let mut want = ok(2);
    want.push(binary("my", "M", "aGk="));
    expect(&my, want).await;
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Binary, 2, "aGk=".to_owned())
    );
}

// rule: send.not-open
#[tokio::test]
async fn sending_without_an_open_socket_fails_with_10() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    // Never connected.
    my.send_socket_message(1, Some(SendSocketMessageOptions::text("x")));
    expect(&my, failed(1, ErrorCode::NotOpen)).await;
    // CONNECTING.
    my.connect_socket(2, connect_options(&server.url("echo")));
    my.send_socket_message(3, Some(SendSocketMessageOptions::text("x")));
    let mut want = ok(2);
    want.extend(failed(3, ErrorCode::NotOpen));
    want.push(opened("my", "O"));
    expect(&my, want).await;
    // CLOSING.
    my.close_socket(4, Some(Default::default()));
    my.send_socket_message(5, Some(SendSocketMessageOptions::text("x")));
    let mut want = failed(5, ErrorCode::NotOpen);
    want.extend(ok(4));
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    // CLOSED.
    my.send_socket_message(6, Some(SendSocketMessageOptions::text("x")));
    expect(&my, failed(6, ErrorCode::NotOpen)).await;
    // None of the refused sends reached the server.
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
    assert!(!server
        .frames_in()
        .iter()
        .any(|e| matches!(e, Recorded::MessageIn { .. })));
}

// rule: send.invalid
#[tokio::test]
async fn missing_or_non_string_data_fails_with_11() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.send_socket_message(2, Some(SendSocketMessageOptions::default()));
    my.send_socket_message(3, send_value(json!(42)));
    my.send_socket_message(4, send_value(json!({"text": "x"})));
    my.send_socket_message(5, send_value(json!(null)));
    let mut want = Vec::new();
    for call in 2..=5 {
        want.extend(failed(call, ErrorCode::SendFailed));
    }
    expect(&my, want).await;
    expect_quiet(&my).await;
    server.request(1).await;
    assert_eq!(server.frames_in(), []);
}

// rule: send.invalid
#[tokio::test]
async fn invalid_base64_with_is_buffer_fails_with_11() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.send_socket_message(2, Some(SendSocketMessageOptions::base64("not base64!")));
    my.send_socket_message(3, send_value(json!({"$binary": "%%%"})));
    let mut want = failed(2, ErrorCode::SendFailed);
    want.extend(failed(3, ErrorCode::SendFailed));
    expect(&my, want).await;
    expect_quiet(&my).await;
    server.request(1).await;
    assert_eq!(server.frames_in(), []);
}

// rule: send.too-large
#[tokio::test]
async fn a_message_longer_than_max_message_bytes_fails_with_11() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    // config(): 1024 bytes. 1025 one-byte chars; 342 three-byte chars (1026 bytes).
    my.send_socket_message(2, Some(SendSocketMessageOptions::text("x".repeat(1025))));
    my.send_socket_message(3, Some(SendSocketMessageOptions::text("你".repeat(342))));
    use base64::Engine as _;
    let big = base64::engine::general_purpose::STANDARD.encode(vec![1u8; 1025]);
    my.send_socket_message(4, Some(SendSocketMessageOptions::base64(big)));
    // Exactly the limit is fine.
    my.send_socket_message(5, Some(SendSocketMessageOptions::text("y".repeat(1024))));
    let mut want = failed(2, ErrorCode::SendFailed);
    want.extend(failed(3, ErrorCode::SendFailed));
    want.extend(failed(4, ErrorCode::SendFailed));
    want.extend(ok(5));
    want.push(text("my", "M", &"y".repeat(1024)));
    expect(&my, want).await;
    // Only the message of exactly the limit reached the server.
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Text, 1024, "y".repeat(1024))
    );
    assert_eq!(server.frames_in().len(), 1);
}

// rule: receive.fragmented
#[tokio::test]
async fn a_fragmented_message_is_delivered_once_whole() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("send-on-open/fragmented/3/Hello"), 1).await;
    expect(&my, vec![text("my", "M", "Hello")]).await;
    expect_quiet(&my).await;
    assert!(server.events(1).contains(&Recorded::MessageOut {
        kind: MessageKind::Text,
        len: 5,
        payload: "Hello".into(),
        truncated: false,
        fragments: 3
    }));
}

// rule: receive.binary
#[tokio::test]
async fn a_binary_message_of_exactly_the_limit_is_delivered() {
    let server = mock().await;
    let my = my();
    let path = format!("send-on-open/binary/{}", sevens(1024));
    open_global(&my, &server.url(&path), 1).await;
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 1024]);
    expect(&my, vec![binary("my", "M", &data)]).await;
}

// rule: error.12.memory
#[tokio::test]
async fn a_message_longer_than_the_limit_gives_error_12_and_closes_with_1009() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("send-on-open/binary-bytes/1025"), 1).await;
    expect(
        &my,
        vec![
            errored("my", "E", ErrorCode::OutOfMemory),
            closed("my", "C", 1009, ""),
        ],
    )
    .await;
    expect_quiet(&my).await;
    // A clean close handshake: the server got 1009 and answered it.
    assert_eq!(server.close_in(1).await, (Some(1009), String::new(), true));
    assert_eq!(
        server.close_out(1).await,
        (Some(1009), String::new(), false)
    );
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
}

// rule: error.12.memory
#[tokio::test]
async fn a_fragmented_message_over_the_limit_gives_error_12() {
    // 1025 bytes in 513 + 512: each fragment fits, the message does not.
    let server = mock().await;
    let my = my();
    let path = format!("send-on-open/fragmented-binary/2/{}", "01".repeat(1025));
    open_global(&my, &server.url(&path), 1).await;
    expect(
        &my,
        vec![
            errored("my", "E", ErrorCode::OutOfMemory),
            closed("my", "C", 1009, ""),
        ],
    )
    .await;
    expect_quiet(&my).await;
    assert_eq!(server.close_in(1).await, (Some(1009), String::new(), true));
    assert!(matches!(
        server
            .events(1)
            .iter()
            .find(|e| matches!(e, Recorded::MessageOut { .. })),
        Some(Recorded::MessageOut {
            len: 1025,
            fragments: 2,
            ..
        })
    ));
}

// rule: error.12.memory
#[tokio::test]
async fn a_task_receiving_an_oversized_message_reports_12_on_the_task() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    let task = my
        .connect_socket(
            1,
            Some(
                ConnectSocketOptions::url(server.url("send-on-open/binary-bytes/5000")).multiple(),
            ),
        )
        .unwrap();
    task.on_message("m");
    task.on_error("e");
    task.on_close("c");
    let mut want = ok(1);
    want.push(errored("t1", "e", ErrorCode::OutOfMemory));
    want.push(closed("t1", "c", 1009, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(server.close_in(1).await, (Some(1009), String::new(), true));
}
