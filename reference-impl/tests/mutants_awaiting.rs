//! The mutants awaiting the next issue's scenarios
//! (`Mutant::AWAITING_SCENARIOS`): each changes the behaviour it names, shown
//! against the conforming implementation.

mod support;

use reference_impl::{
    Behaviour, CloseSocketOptions, Config, ConnectSocketOptions, ErrorCode, Mutant, My,
    SendSocketMessageOptions,
};
use support::*;
use testkit::then;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

fn mutant(mutant: Mutant) -> My {
    My::new(config(), Behaviour::mutant(Some(mutant))).expect("the test config is valid")
}

fn task_options(url: &str) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::url(url).multiple())
}

#[test]
fn the_awaiting_mutants_are_known_by_name_but_not_in_all() {
    for m in Mutant::AWAITING_SCENARIOS {
        assert!(!Mutant::ALL.contains(m), "{m}");
        assert_eq!(m.name().parse::<Mutant>(), Ok(*m));
    }
    assert_eq!(Mutant::AWAITING_SCENARIOS.len(), 9);
}

// rule: listeners.scope
#[tokio::test]
async fn task_error_heard_by_my_tells_my_on_socket_error_of_a_task() {
    let server = mock().await;
    for (my, heard) in [(my(), false), (mutant(Mutant::TaskErrorHeardByMy), true)] {
        listen_on_my(&my);
        let task = my
            .connect_socket(1, task_options(&server.refused_url()))
            .unwrap();
        task.on_error("TE");
        let events = quiet_events(&my).await;
        assert!(events.contains(&errored("t1", "TE", ErrorCode::Unknown)));
        assert_eq!(
            events.contains(&errored("my", "E", ErrorCode::Unknown)),
            heard
        );
        assert!(!events.contains(&closed("my", "C", 1006, "")));
    }
}

// rule: listeners.scope
#[tokio::test]
async fn global_call_reaches_task_sends_on_a_task_when_only_tasks_are_open() {
    let server = mock().await;
    for (my, outcome) in [
        (my(), failed(2, ErrorCode::NotOpen)),
        (mutant(Mutant::GlobalCallReachesTask), ok(2)),
    ] {
        let task = my
            .connect_socket(1, task_options(&server.url("echo")))
            .unwrap();
        task.on_open("TO");
        expect(&my, then(ok(1), [opened("t1", "TO")])).await;
        my.send_socket_message(2, Some(SendSocketMessageOptions::text("hi")));
        expect(&my, outcome).await;
    }
    let m = mutant(Mutant::GlobalCallReachesTask);
    let task = m
        .connect_socket(1, task_options(&server.url("echo")))
        .unwrap();
    task.on_open("TO");
    task.on_close("TC");
    expect(&m, then(ok(1), [opened("t1", "TO")])).await;
    m.close_socket(2, Some(CloseSocketOptions::default()));
    expect(&m, then(ok(2), [closed("t1", "TC", 1000, "")])).await;
}

// rule: task.api
#[tokio::test]
async fn task_handshake_error_silent_keeps_a_tasks_on_error_uninformed() {
    let server = mock().await;
    for (my, told) in [
        (my(), true),
        (mutant(Mutant::TaskHandshakeErrorSilent), false),
    ] {
        let task = my
            .connect_socket(1, task_options(&server.refused_url()))
            .unwrap();
        task.on_error("TE");
        task.on_close("TC");
        let mut want = ok(1);
        if told {
            want.push(errored("t1", "TE", ErrorCode::Unknown));
        }
        want.push(closed("t1", "TC", 1006, ""));
        assert_eq!(quiet_events(&my).await, want);
    }
}

// rule: task.api
#[tokio::test]
async fn task_off_ignored_keeps_a_tasks_error_listener() {
    let server = mock().await;
    for (my, kept) in [(my(), false), (mutant(Mutant::TaskOffIgnored), true)] {
        let task = my
            .connect_socket(1, task_options(&server.refused_url()))
            .unwrap();
        task.on_error("TE");
        task.off_error(None);
        task.on_message("TM");
        task.off_message(Some("TM"));
        let events = quiet_events(&my).await;
        assert_eq!(
            events.contains(&errored("t1", "TE", ErrorCode::Unknown)),
            kept
        );
    }
}

// rule: task.send-in-open
#[tokio::test]
async fn send_in_open_fails_refuses_a_send_inside_the_open_listener() {
    let server = mock().await;
    for (my, outcome) in [
        (my(), ok(2)),
        (
            mutant(Mutant::SendInOpenFails),
            failed(2, ErrorCode::NotOpen),
        ),
    ] {
        open_global(&my, &server.url("echo"), 1).await;
        // Inside the open listener: its event was the last one taken.
        my.send_socket_message(2, Some(SendSocketMessageOptions::text("hi")));
        expect(&my, outcome).await;
    }
}

// rule: connect.single.exists
#[tokio::test]
async fn connect_while_closing_succeeds_instead_of_failing_with_2() {
    let server = mock().await;
    for (my, second) in [
        (my(), failed(3, ErrorCode::AlreadyConnected)),
        (mutant(Mutant::ConnectWhileClosing), ok(3)),
    ] {
        open_global(&my, &server.url("echo/close-answer=never"), 1).await;
        my.close_socket(2, Some(CloseSocketOptions::default()));
        expect(&my, ok(2)).await;
        assert_eq!(
            my.socket_ready_state(),
            Some(reference_impl::ReadyState::Closing)
        );
        my.connect_socket(3, connect_options(&server.url("echo")));
        expect(&my, second).await;
    }
}

// rule: connect.domain
#[tokio::test]
async fn allowed_hosts_ignored_connects_to_an_unlisted_host() {
    let server = mock().await;
    let listed = Config {
        allowed_hosts: Some(vec!["allowed.test".into()]),
        ..config()
    };
    for (m, want) in [
        (None, failed(1, ErrorCode::Unknown)),
        (
            Some(Mutant::AllowedHostsIgnored),
            then(ok(1), [opened("my", "O")]),
        ),
    ] {
        let my = My::new(listed.clone(), Behaviour::mutant(m)).unwrap();
        listen_on_my(&my);
        my.connect_socket(1, connect_options(&server.url("echo")));
        assert_eq!(quiet_events(&my).await, want);
    }
}

/// A server on 127.0.0.1 that completes one upgrade, then writes a close
/// frame (1000) and right behind it a text frame "late".
async fn close_then_data_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let mut reader = BufReader::new(tcp);
            let mut key = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("sec-websocket-key") {
                        key = value.trim().to_owned();
                    }
                }
            }
            let accept = derive_accept_key(key.as_bytes());
            let mut out = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            )
            .into_bytes();
            out.extend_from_slice(b"\x88\x02\x03\xe8\x81\x04late");
            let mut tcp = reader.into_inner();
            let _ = tcp.write_all(&out).await;
            let _ = tcp.flush().await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    (format!("ws://{addr}/"), task)
}

// rule: close.nothing-after
#[tokio::test]
async fn data_after_close_delivered_reports_what_follows_the_close_frame() {
    let (url, server) = close_then_data_server().await;
    for (my, late) in [
        (my(), false),
        (mutant(Mutant::DataAfterCloseDelivered), true),
    ] {
        open_global(&my, &url, 1).await;
        let events = quiet_events(&my).await;
        let mut want = Vec::new();
        if late {
            want.push(text("my", "M", "late"));
        }
        want.push(closed("my", "C", 1000, ""));
        assert_eq!(events, want);
    }
    server.abort();
}

// rule: options.consistent
#[tokio::test]
async fn outcome_settled_for_tasks_only_settles_task_connects_only() {
    let server = mock().await;
    let m = mutant(Mutant::OutcomeSettledForTasksOnly);
    m.connect_socket(1, task_options(&server.url("echo")));
    assert_eq!(
        drain(&m),
        vec![],
        "a task's connect waits for the handshake"
    );
    expect(&m, ok(1)).await;
    m.connect_socket(2, connect_options(&server.url("echo")));
    assert_eq!(drain(&m), ok(2), "the global connect reports at once");
}
