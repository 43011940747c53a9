//! closeSocket / SocketTask.close, and closes the server starts.

mod support;

use reference_impl::{CloseSocketOptions, ConnectSocketOptions, ErrorCode, ReadyState};
use serde_json::json;
use support::*;

// rule: close.open
#[tokio::test]
async fn closing_an_open_socket_sends_code_and_reason_and_reports_the_servers_answer() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.close_socket(2, Some(CloseSocketOptions::with(3001, "正常关闭")));
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Closing));
    let mut want = ok(2);
    want.push(closed("my", "C", 3001, "正常关闭"));
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Closed));
    assert_eq!(
        server.close_in(1).await,
        (Some(3001), "正常关闭".to_owned(), true)
    );
    assert_eq!(
        server.close_out(1).await,
        (Some(3001), "正常关闭".to_owned(), false)
    );
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
}

// rule: close.open
#[tokio::test]
async fn close_without_code_or_reason_sends_1000_and_an_empty_reason() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.close_socket(2, Some(CloseSocketOptions::default()));
    let mut want = ok(2);
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    assert_eq!(server.close_in(1).await, (Some(1000), String::new(), true));
}

// rule: close.open
#[tokio::test]
async fn on_close_reports_the_code_and_reason_the_server_answered_with() {
    let server = mock().await;
    let my = my();
    open_global(
        &my,
        &server.url("echo/close-answer=4001/close-answer-reason=other"),
        1,
    )
    .await;
    my.close_socket(2, Some(CloseSocketOptions::with(1000, "mine")));
    let mut want = ok(2);
    want.push(closed("my", "C", 4001, "other"));
    expect(&my, want).await;
    assert_eq!(
        server.close_in(1).await,
        (Some(1000), "mine".to_owned(), true)
    );
    assert_eq!(
        server.close_out(1).await,
        (Some(4001), "other".to_owned(), false)
    );
}

// rule: close.open
#[tokio::test]
async fn an_answer_without_a_code_is_reported_as_1005() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo/close-answer=none"), 1).await;
    my.close_socket(2, Some(CloseSocketOptions::with(3000, "")));
    let mut want = ok(2);
    want.push(closed("my", "C", 1005, ""));
    expect(&my, want).await;
    assert_eq!(server.close_in(1).await, (Some(3000), String::new(), true));
    // A close frame without a body: no code at all.
    assert_eq!(server.close_out(1).await, (None, String::new(), false));
}

// rule: close.not-open
#[tokio::test]
async fn closing_a_socket_that_is_not_open_fails_with_10() {
    let server = mock().await;
    let my = my();
    // Never existed.
    my.close_socket(1, Some(CloseSocketOptions::default()));
    expect(&my, failed(1, ErrorCode::NotOpen)).await;
    open_global(&my, &server.url("echo"), 2).await;
    // CLOSING.
    my.close_socket(3, Some(CloseSocketOptions::default()));
    my.close_socket(4, Some(CloseSocketOptions::default()));
    let mut want = failed(4, ErrorCode::NotOpen);
    want.extend(ok(3));
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    // CLOSED.
    my.close_socket(5, Some(CloseSocketOptions::default()));
    expect(&my, failed(5, ErrorCode::NotOpen)).await;
    // One close frame reached the server: the refused closes sent nothing.
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
    assert_eq!(
        server.frames_in(),
        [Recorded::CloseIn {
            code: Some(1000),
            reason: String::new(),
            first: true
        }]
    );
}

// rule: close.invalid-code
#[tokio::test]
async fn an_invalid_close_code_or_a_long_reason_fails_with_1_and_nothing_reaches_the_wire() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    let bad = [
        CloseSocketOptions::with(1001, ""),
        CloseSocketOptions::with(2999, ""),
        CloseSocketOptions::with(5000, ""),
        CloseSocketOptions {
            code: Some(json!("1000")),
            reason: None,
        },
        CloseSocketOptions {
            code: Some(json!(3000.5)),
            reason: None,
        },
        // 124 bytes of UTF-8.
        CloseSocketOptions::with(1000, "é".repeat(62)),
    ];
    let mut want = Vec::new();
    for (i, options) in bad.into_iter().enumerate() {
        let call = 10 + i as u64;
        my.close_socket(call, Some(options));
        want.extend(failed(call, ErrorCode::Unknown));
    }
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Open));
    server.request(1).await;
    assert_eq!(server.frames_in(), []);
    // The socket still works; a 123-byte reason is fine.
    let reason = "x".repeat(123);
    my.close_socket(20, Some(CloseSocketOptions::with(4999, reason.clone())));
    let mut want = ok(20);
    want.push(closed("my", "C", 4999, &reason));
    expect(&my, want).await;
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
    assert_eq!(
        server.frames_in(),
        [Recorded::CloseIn {
            code: Some(4999),
            reason,
            first: true
        }]
    );
}

// rule: close.connecting
#[tokio::test]
async fn closing_while_connecting_abandons_the_handshake_without_open() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("fault/never-answer")));
    expect(&my, ok(1)).await;
    // The upgrade request is out; the server never answers it.
    server
        .wait(1, "no response", |e| {
            matches!(e, Recorded::NoResponse { .. })
        })
        .await;
    my.close_socket(2, Some(CloseSocketOptions::default()));
    let mut want = ok(2);
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    // The abandoned connection is dropped.
    assert_eq!(server.ended(1).await, EndReason::PeerEof);
}

// rule: close.connecting
#[tokio::test]
async fn closing_right_after_connect_reports_success_then_close_1006() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("echo")));
    my.close_socket(2, Some(CloseSocketOptions::default()));
    let mut want = ok(1);
    want.extend(ok(2));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: close.connecting
#[tokio::test]
async fn closing_after_the_handshake_finished_but_before_open_was_taken_gives_no_open() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("echo")));
    expect(&my, ok(1)).await;
    // Let the handshake complete: the server records its 101 just before
    // writing it, and the client is a read away.
    server.response(1).await;
    tokio::task::yield_now().await;
    my.close_socket(2, Some(CloseSocketOptions::default()));
    let mut want = ok(2);
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: close.no-answer
#[tokio::test]
async fn a_close_the_server_never_answers_ends_with_1006_after_the_close_timeout() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo/close-answer=never"), 1).await;
    let started = std::time::Instant::now();
    my.close_socket(2, Some(CloseSocketOptions::with(3000, "bye")));
    let mut want = ok(2);
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    // config(): closeTimeoutMs 400.
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    expect_quiet(&my).await;
    assert_eq!(
        server.close_in(1).await,
        (Some(3000), "bye".to_owned(), true)
    );
    // The client gave up and dropped the connection; nothing was answered.
    assert_eq!(server.ended(1).await, EndReason::PeerEof);
    assert!(!server
        .events(1)
        .iter()
        .any(|e| matches!(e, Recorded::CloseOut { .. })));
}

// rule: close.server
#[tokio::test]
async fn a_close_from_the_server_reports_its_code_and_reason_and_is_answered() {
    let server = mock().await;
    let my = my();
    open_global(
        &my,
        &server.url("close-on-open/4001/server%20says%20bye"),
        1,
    )
    .await;
    expect(&my, vec![closed("my", "C", 4001, "server says bye")]).await;
    expect_quiet(&my).await;
    assert_eq!(
        server.close_out(1).await,
        (Some(4001), "server says bye".to_owned(), true)
    );
    // The client answered with the same code and reason.
    assert_eq!(
        server.close_in(1).await,
        (Some(4001), "server says bye".to_owned(), false)
    );
    assert_eq!(server.ended(1).await, EndReason::CloseHandshake);
}

// rule: close.drop
#[tokio::test]
async fn a_connection_that_ends_without_a_close_frame_gives_error_1_then_1006() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("drop-on-open/fin"), 1).await;
    expect(
        &my,
        vec![
            errored("my", "E", ErrorCode::Unknown),
            closed("my", "C", 1006, ""),
        ],
    )
    .await;
    expect_quiet(&my).await;
    // Nothing after onClose: a send fails with 10.
    my.send_socket_message(2, Some(reference_impl::SendSocketMessageOptions::text("x")));
    expect(&my, failed(2, ErrorCode::NotOpen)).await;
    assert_eq!(server.ended(1).await, EndReason::DroppedFin);
    assert_eq!(server.frames_in(), []);
}

// rule: close.open
// rule: task.api
#[tokio::test]
async fn a_task_closes_with_its_own_code_and_reason() {
    let server = mock().await;
    let my = my();
    let task = my
        .connect_socket(
            1,
            Some(ConnectSocketOptions::url(server.url("echo")).multiple()),
        )
        .unwrap();
    task.on_open("o");
    task.on_close("c");
    let mut want = ok(1);
    want.push(opened("t1", "o"));
    expect(&my, want).await;
    task.close(
        2,
        Some(CloseSocketOptions::with(1000, "socketTask1 正常关闭")),
    );
    let mut want = ok(2);
    want.push(closed("t1", "c", 1000, "socketTask1 正常关闭"));
    expect(&my, want).await;
    assert_eq!(task.ready_state(), ReadyState::Closed);
    assert_eq!(
        server.close_in(1).await,
        (Some(1000), "socketTask1 正常关闭".to_owned(), true)
    );
}

// rule: close.open
#[tokio::test]
async fn close_without_an_argument_still_closes() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.close_socket(2, None);
    expect(&my, vec![closed("my", "C", 1000, "")]).await;
    expect_quiet(&my).await;
    assert_eq!(server.close_in(1).await, (Some(1000), String::new(), true));
}
