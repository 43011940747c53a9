//! SocketTasks (`multiple: true`), the socket limit, and reset.

mod support;

use reference_impl::{
    CloseSocketOptions, Config, ConnectSocketOptions, ErrorCode, ReadyState,
    SendSocketMessageOptions,
};
use serde_json::json;
use support::*;

fn multiple(url: &str) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::url(url).multiple())
}

// rule: connect.return
#[tokio::test]
async fn multiple_returns_a_task_synchronously_named_in_creation_order() {
    let server = mock().await;
    let my = my();
    let t1 = my.connect_socket(1, multiple(&server.url("echo"))).unwrap();
    let t2 = my.connect_socket(2, multiple(&server.url("echo"))).unwrap();
    assert_eq!((t1.handle(), t2.handle()), ("t1", "t2"));
    assert_eq!(t1.ready_state(), ReadyState::Connecting);
    // Truthy values count as `multiple`, as in JavaScript.
    let t3 = my
        .connect_socket(
            3,
            Some(ConnectSocketOptions {
                multiple: Some(json!(1)),
                ..ConnectSocketOptions::url(server.url("echo"))
            }),
        )
        .unwrap();
    assert_eq!(t3.handle(), "t3");
}

// rule: connect.return
#[tokio::test]
async fn a_task_that_fails_validation_is_returned_closed_and_refuses_send_and_close_with_10() {
    let my = my();
    let task = my
        .connect_socket(
            1,
            Some(ConnectSocketOptions::url("http://127.0.0.1:1/").multiple()),
        )
        .unwrap();
    assert_eq!(task.handle(), "t1");
    assert_eq!(task.ready_state(), ReadyState::Closed);
    task.on_close("c");
    task.send(2, Some(SendSocketMessageOptions::text("x")));
    task.close(3, Some(CloseSocketOptions::default()));
    let mut want = failed(1, ErrorCode::UrlScheme);
    want.extend(failed(2, ErrorCode::NotOpen));
    want.extend(failed(3, ErrorCode::NotOpen));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: task.api
// rule: send.text
#[tokio::test]
async fn a_task_sends_and_receives_on_its_own_socket() {
    let server = mock().await;
    let my = my();
    let task = my.connect_socket(1, multiple(&server.url("echo"))).unwrap();
    task.on_open("o");
    task.on_message("m");
    let mut want = ok(1);
    want.push(opened("t1", "o"));
    expect(&my, want).await;
    task.send(
        2,
        Some(SendSocketMessageOptions::text("socketTask1 发送的消息")),
    );
    task.send(3, Some(SendSocketMessageOptions::base64("AQID")));
    let mut want = ok(2);
    want.extend(ok(3));
    want.push(text("t1", "m", "socketTask1 发送的消息"));
    want.push(binary("t1", "m", "AQID"));
    expect(&my, want).await;
    assert_eq!(
        server.message_in(1).await,
        (
            MessageKind::Text,
            "socketTask1 发送的消息".len(),
            "socketTask1 发送的消息".to_owned()
        )
    );
    let binary_in = server
        .wait(1, "binary message", |e| {
            matches!(
                e,
                Recorded::MessageIn {
                    kind: MessageKind::Binary,
                    ..
                }
            )
        })
        .await;
    assert!(matches!(binary_in, Recorded::MessageIn { len: 3, payload, .. } if payload == "AQID"));
}

// rule: task.independent
#[tokio::test]
async fn closing_one_task_leaves_another_open_and_messages_reach_only_their_task() {
    let server = mock().await;
    let my = my();
    let t1 = my.connect_socket(1, multiple(&server.url("echo"))).unwrap();
    let t2 = my.connect_socket(2, multiple(&server.url("echo"))).unwrap();
    for task in [&t1, &t2] {
        task.on_open("o");
        task.on_message("m");
        task.on_close("c");
    }
    let mut events = Vec::new();
    for _ in 0..6 {
        events.push(next(&my).await);
    }
    // The two handshakes race: check each task's own order.
    for handle in ["t1", "t2"] {
        assert!(events.contains(&opened(handle, "o")), "{events:?}");
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| ok(1).contains(e) || ok(2).contains(e))
            .count(),
        4
    );
    t2.send(3, Some(SendSocketMessageOptions::text("for t2")));
    let mut want = ok(3);
    want.push(text("t2", "m", "for t2"));
    expect(&my, want).await;
    t1.close(4, Some(CloseSocketOptions::default()));
    let mut want = ok(4);
    want.push(closed("t1", "c", 1000, ""));
    expect(&my, want).await;
    assert_eq!(t2.ready_state(), ReadyState::Open);
    t2.send(5, Some(SendSocketMessageOptions::text("still open")));
    let mut want = ok(5);
    want.push(text("t2", "m", "still open"));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: task.broadcast
#[tokio::test]
async fn two_tasks_on_a_broadcasting_server_each_receive_what_the_other_sent() {
    let server = mock().await;
    let my = my();
    let t1 = my
        .connect_socket(1, multiple(&server.url("broadcast-others/room")))
        .unwrap();
    t1.on_open("o");
    t1.on_message("m");
    let mut want = ok(1);
    want.push(opened("t1", "o"));
    expect(&my, want).await;
    let t2 = my
        .connect_socket(2, multiple(&server.url("broadcast-others/room")))
        .unwrap();
    t2.on_open("o");
    t2.on_message("m");
    let mut want = ok(2);
    want.push(opened("t2", "o"));
    expect(&my, want).await;
    // Both are in the room: the mock server joins a connection to its room
    // before it writes the 101.
    t1.send(
        3,
        Some(SendSocketMessageOptions::text("socketTask1 发送的消息")),
    );
    let mut want = ok(3);
    want.push(text("t2", "m", "socketTask1 发送的消息"));
    expect(&my, want).await;
    t2.send(
        4,
        Some(SendSocketMessageOptions::text("socketTask2 发送的消息")),
    );
    let mut want = ok(4);
    want.push(text("t1", "m", "socketTask2 发送的消息"));
    expect(&my, want).await;
    for (conn, sent) in [(1, "socketTask1 发送的消息"), (2, "socketTask2 发送的消息")] {
        assert_eq!(
            server.message_in(conn).await,
            (MessageKind::Text, sent.len(), sent.to_owned())
        );
    }
}

// rule: connect.multiple.limit
// rule: task.limit
#[tokio::test]
async fn a_sixth_socket_fails_with_1_and_a_closed_task_frees_its_place() {
    let server = mock().await;
    let my = my();
    let mut tasks = Vec::new();
    for call in 1..=5 {
        let task = my
            .connect_socket(call, multiple(&server.url("echo")))
            .unwrap();
        task.on_open("o");
        task.on_close("c");
        tasks.push(task);
    }
    let sixth = my.connect_socket(6, multiple(&server.url("echo"))).unwrap();
    assert_eq!(sixth.handle(), "t6");
    assert_eq!(sixth.ready_state(), ReadyState::Closed);
    // Five successes, the sixth's failure, five opens.
    let mut events = Vec::new();
    for _ in 0..(10 + 2 + 5) {
        events.push(next(&my).await);
    }
    let fail6 = failed(6, ErrorCode::Unknown);
    assert!(
        events.contains(&fail6[0]) && events.contains(&fail6[1]),
        "{events:?}"
    );
    // A global connect counts against the same limit.
    my.connect_socket(7, connect_options(&server.url("echo")));
    expect(&my, failed(7, ErrorCode::Unknown)).await;
    // Close t1: once its close event is taken, its place is free.
    tasks[0].close(8, Some(CloseSocketOptions::default()));
    my.connect_socket(9, multiple(&server.url("echo")));
    let mut want = failed(9, ErrorCode::Unknown);
    want.extend(ok(8));
    want.push(closed("t1", "c", 1000, ""));
    expect(&my, want).await;
    let t8 = my
        .connect_socket(10, multiple(&server.url("echo")))
        .unwrap();
    assert_eq!(t8.handle(), "t8");
    expect(&my, ok(10)).await;
}

// rule: connect.multiple.limit
#[tokio::test]
async fn the_global_socket_counts_against_max_tasks() {
    let server = mock().await;
    let my = my_with(Config {
        max_tasks: 2,
        ..config()
    });
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("echo")));
    my.connect_socket(2, multiple(&server.url("echo")));
    my.connect_socket(3, multiple(&server.url("echo")));
    let mut want = ok(1);
    want.extend(ok(2));
    want.extend(failed(3, ErrorCode::Unknown));
    want.push(opened("my", "O"));
    expect(&my, want).await;
}

// rule: connect.single.exists
// rule: connect.multiple.limit
#[tokio::test]
async fn a_failed_handshake_frees_its_place() {
    let server = mock().await;
    let my = my_with(Config {
        max_tasks: 1,
        ..config()
    });
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.refused_url()));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::Unknown));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    my.connect_socket(2, connect_options(&server.refused_url()));
    expect(&my, ok(2)).await;
}

#[tokio::test]
async fn reset_ends_every_socket_without_events_and_restarts_handles() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    let task = my.connect_socket(2, multiple(&server.url("echo"))).unwrap();
    task.on_open("o");
    task.on_close("c");
    let mut want = ok(2);
    want.push(opened("t1", "o"));
    expect(&my, want).await;
    // A message in flight and a connect under way are dropped too.
    my.send_socket_message(3, Some(SendSocketMessageOptions::text("lost")));
    my.connect_socket(4, multiple(&server.url("echo")));
    my.reset();
    expect_quiet(&my).await;
    assert_eq!(task.ready_state(), ReadyState::Closed);
    assert_eq!(my.socket_ready_state(), None);
    // Both open sockets are gone: the server sees them end, without a
    // close frame (connection 1 is the global socket, 2 the task).
    // (The "lost" message may have been written before the reset, and its
    // echo left unread: then the client's close is a reset.)
    for conn in [1, 2] {
        let how = server.ended(conn).await;
        assert!(
            matches!(how, EndReason::PeerEof | EndReason::Reset),
            "{how:?}"
        );
    }
    assert!(!server
        .frames_in()
        .iter()
        .any(|e| matches!(e, Recorded::CloseIn { .. })));
    // Listeners were dropped and handles start again at t1.
    let again = my.connect_socket(5, multiple(&server.url("echo"))).unwrap();
    assert_eq!(again.handle(), "t1");
    my.connect_socket(6, connect_options(&server.url("echo")));
    let mut events = Vec::new();
    for _ in 0..4 {
        events.push(next(&my).await);
    }
    let mut want = ok(5);
    want.extend(ok(6));
    assert_eq!(events, want);
    expect_quiet(&my).await;
}
