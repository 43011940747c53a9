//! Listener registration and dispatch.

mod support;

use reference_impl::{CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
use support::*;

// rule: listeners.order
#[tokio::test]
async fn listeners_run_in_the_order_they_were_added() {
    let server = mock().await;
    let my = my();
    my.on_socket_open("B");
    my.on_socket_open("A");
    my.on_socket_open("C");
    my.connect_socket(1, connect_options(&server.url("echo")));
    let mut want = ok(1);
    want.extend([opened("my", "B"), opened("my", "A"), opened("my", "C")]);
    expect(&my, want).await;
}

// rule: listeners.twice
#[tokio::test]
async fn a_listener_added_twice_runs_twice() {
    let server = mock().await;
    let my = my();
    my.on_socket_open("L1");
    my.on_socket_open("L2");
    my.on_socket_open("L1");
    my.connect_socket(1, connect_options(&server.url("echo")));
    let mut want = ok(1);
    want.extend([opened("my", "L1"), opened("my", "L2"), opened("my", "L1")]);
    expect(&my, want).await;
}

// rule: listeners.off-one
#[tokio::test]
async fn off_with_a_listener_removes_every_registration_of_it_only() {
    let server = mock().await;
    let my = my();
    my.on_socket_open("L1");
    my.on_socket_open("L2");
    my.on_socket_open("L1");
    my.off_socket_open(Some("L1"));
    // Removing one that was never added changes nothing.
    my.off_socket_open(Some("never-added"));
    my.connect_socket(1, connect_options(&server.url("echo")));
    let mut want = ok(1);
    want.push(opened("my", "L2"));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: listeners.off-all
#[tokio::test]
async fn off_without_a_listener_removes_all_of_that_type() {
    let server = mock().await;
    let my = my();
    my.on_socket_open("O");
    my.on_socket_close("C");
    my.on_socket_message("M1");
    my.on_socket_message("M2");
    my.on_socket_message("M1");
    my.off_socket_message(None);
    my.connect_socket(1, connect_options(&server.url("echo")));
    let mut want = ok(1);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    my.send_socket_message(2, Some(SendSocketMessageOptions::text("unheard")));
    expect(&my, ok(2)).await;
    // The echo arrives before the answer to the close: nobody hears it.
    my.close_socket(3, Some(CloseSocketOptions::default()));
    let mut want = ok(3);
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    // It was echoed all the same.
    assert!(server.events(1).contains(&Recorded::MessageOut {
        kind: MessageKind::Text,
        len: 7,
        payload: "unheard".into(),
        truncated: false,
        fragments: 1
    }));
}

// rule: listeners.off-all
#[tokio::test]
async fn every_off_method_removes_its_own_type() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.off_socket_open(None);
    my.off_socket_message(None);
    my.off_socket_error(Some("E"));
    my.off_socket_close(Some("C"));
    my.connect_socket(1, connect_options(&server.url("close-on-open/4000/x")));
    expect(&my, ok(1)).await;
    expect_quiet(&my).await;
    // The socket did open and close, unheard: the client answered the close.
    assert_eq!(
        server.close_in(1).await,
        (Some(4000), "x".to_owned(), false)
    );
}

// rule: listeners.global-persist
#[tokio::test]
async fn listeners_on_my_fire_again_for_the_next_global_connection() {
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    my.close_socket(2, Some(CloseSocketOptions::default()));
    let mut want = ok(2);
    want.push(closed("my", "C", 1000, ""));
    expect(&my, want).await;
    // No listener registered again.
    my.connect_socket(3, connect_options(&server.url("echo")));
    let mut want = ok(3);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    my.send_socket_message(4, Some(SendSocketMessageOptions::text("again")));
    let mut want = ok(4);
    want.push(text("my", "M", "again"));
    expect(&my, want).await;
}

// rule: listeners.scope
#[tokio::test]
async fn listeners_on_my_hear_only_the_global_socket_and_task_listeners_only_their_task() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    let task = my
        .connect_socket(
            1,
            Some(ConnectSocketOptions::url(server.url("echo")).multiple()),
        )
        .unwrap();
    task.on_open("task-open");
    task.on_message("task-message");
    let mut want = ok(1);
    want.push(opened("t1", "task-open"));
    expect(&my, want).await;
    my.connect_socket(2, connect_options(&server.url("echo")));
    let mut want = ok(2);
    want.push(opened("my", "O"));
    expect(&my, want).await;
    task.send(3, Some(SendSocketMessageOptions::text("to the task")));
    let mut want = ok(3);
    want.push(text("t1", "task-message", "to the task"));
    expect(&my, want).await;
    my.send_socket_message(4, Some(SendSocketMessageOptions::text("to my")));
    let mut want = ok(4);
    want.push(text("my", "M", "to my"));
    expect(&my, want).await;
    expect_quiet(&my).await;
    // Connection 1 is the task's, 2 the global socket's.
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Text, 11, "to the task".to_owned())
    );
    assert_eq!(
        server.message_in(2).await,
        (MessageKind::Text, 5, "to my".to_owned())
    );
}

// rule: listeners.during-dispatch
#[tokio::test]
async fn adding_or_removing_during_a_dispatch_takes_effect_from_the_next_event() {
    let server = mock().await;
    let my = my();
    my.on_socket_open("L1");
    my.on_socket_open("L2");
    my.on_socket_message("L1");
    my.on_socket_message("L2");
    my.connect_socket(1, connect_options(&server.url("echo")));
    expect(&my, ok(1)).await;
    assert_eq!(next(&my).await, opened("my", "L1"));
    // Inside L1, during the open dispatch: remove L2, add L3.
    assert!(my.in_dispatch());
    my.off_socket_open(Some("L2"));
    my.on_socket_open("L3");
    my.off_socket_message(Some("L2"));
    my.on_socket_message("L3");
    // This event still goes to L2 and not to L3.
    assert_eq!(next(&my).await, opened("my", "L2"));
    assert!(!my.in_dispatch());
    my.send_socket_message(2, Some(SendSocketMessageOptions::text("next")));
    let mut want = ok(2);
    want.extend([text("my", "L1", "next"), text("my", "L3", "next")]);
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: listeners.scope
// rule: task.api
#[tokio::test]
async fn task_off_methods_remove_task_listeners_only() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    let task = my
        .connect_socket(
            1,
            Some(ConnectSocketOptions::url(server.url("close-on-open/4002")).multiple()),
        )
        .unwrap();
    for name in ["a", "b"] {
        task.on_open(name);
        task.on_message(name);
        task.on_error(name);
        task.on_close(name);
    }
    task.off_open(Some("a"));
    task.off_message(None);
    task.off_error(None);
    task.off_close(Some("b"));
    let mut want = ok(1);
    want.push(opened("t1", "b"));
    want.push(closed("t1", "a", 4002, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(server.close_in(1).await, (Some(4002), String::new(), false));
}
