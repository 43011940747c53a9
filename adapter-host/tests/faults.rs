//! Every adapter fault of the protocol's "Lifecycle and faults" section,
//! produced by the deliberately broken `fake-adapter`: each gives the right
//! `AdapterError` with a readable reason, keeps the stderr tail, and leaves
//! no process behind.

mod common;

use std::time::Duration;

use adapter_host::{AdapterError, HostError, ProcessAdapter, SpawnOptions};
use adapter_protocol::{AdapterMessage, CallbackKind, Config, Event, Op, Request, Response};
use common::{bounded, call, fake, fake_with, soon, wait_for_stderr};
use testkit::{alive, assert_gone};

/// Starts the fake adapter in `mode` and says hello (request 1).
async fn greeted(mode: &str) -> ProcessAdapter {
    let mut adapter = fake(mode);
    adapter
        .hello(1, Config::default(), soon(5000))
        .await
        .unwrap_or_else(|e| panic!("{mode}: hello: {e}"));
    adapter
}

/// Says hello, sends one call (id 2) and returns the result of the next
/// `recv` (within `ms`).
async fn hello_then_call_within(
    adapter: &mut ProcessAdapter,
    ms: u64,
) -> Result<AdapterMessage, AdapterError> {
    adapter
        .hello(1, Config::default(), soon(5000))
        .await
        .expect("hello");
    adapter.send(call(2)).expect("send");
    adapter.recv(soon(ms)).await
}

/// [`hello_then_call_within`] 5 s.
async fn hello_then_call(adapter: &mut ProcessAdapter) -> Result<AdapterMessage, AdapterError> {
    hello_then_call_within(adapter, 5000).await
}

/// When a fake adapter breaks the protocol.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// Answering `hello`.
    Hello,
    /// Right after `hello`, answering a call.
    Call,
    /// After answering a call correctly, with the next message.
    AfterCall,
}

/// A protocol violation of a fake adapter mode: when it comes, what the
/// reason says, and whether the adapter ends by itself at once.
struct Violation {
    mode: &'static str,
    options: SpawnOptions,
    at: Moment,
    says: &'static [&'static str],
    ends_at_once: bool,
}

/// Every protocol violation the host must turn into
/// [`AdapterError::Protocol`] with a reason that quotes what it got.
fn violations() -> Vec<Violation> {
    let violation = |mode, at, says, ends_at_once| Violation {
        mode,
        options: SpawnOptions::default(),
        at,
        says,
        ends_at_once,
    };
    vec![
        // A line that is not JSON is quoted.
        violation(
            "not-json",
            Moment::Call,
            &["not JSON", "this is {not json"],
            true,
        ),
        violation(
            "unknown-id",
            Moment::Call,
            &["id 999999, which was never sent"],
            false,
        ),
        violation(
            "unknown-event",
            Moment::Call,
            &[
                "callback for call 1002, which was never sent",
                r#""event":"callback""#,
            ],
            true,
        ),
        // An overlong line is refused, not allocated, and its quote is short.
        Violation {
            options: SpawnOptions {
                max_line_bytes: 1024 * 1024,
                ..SpawnOptions::default()
            },
            ..violation(
                "long-line",
                Moment::Call,
                &["a line longer than 1048576 bytes, starting: yyy"],
                true,
            )
        },
        violation(
            "double-response",
            Moment::AfterCall,
            &["a second response to request 2"],
            true,
        ),
        violation(
            "unknown-task",
            Moment::AfterCall,
            &["listener event on task \"t9\", which no call returned"],
            false,
        ),
        violation(
            "event-before-hello",
            Moment::Hello,
            &["a message before the hello response", r#""type":"open""#],
            true,
        ),
        violation(
            "protocol-2",
            Moment::Hello,
            &["the adapter speaks protocol 2, the runner 1"],
            false,
        ),
    ]
}

#[tokio::test]
async fn every_protocol_violation_is_an_error_quoting_what_came() {
    bounded(async {
        for v in violations() {
            let mut adapter = fake_with(v.mode, v.options);
            let pid = adapter.pid().unwrap();
            let error = match v.at {
                Moment::Hello => adapter.hello(1, Config::default(), soon(5000)).await.err(),
                Moment::Call => hello_then_call(&mut adapter).await.err(),
                Moment::AfterCall => {
                    let answer = hello_then_call(&mut adapter).await;
                    assert!(answer.is_ok(), "{}: {answer:?}", v.mode);
                    adapter.recv(soon(5000)).await.err()
                }
            };
            let Some(AdapterError::Protocol(reason)) = error else {
                panic!("{}: expected a protocol violation, got {error:?}", v.mode)
            };
            for text in v.says {
                assert!(reason.contains(text), "{}: {reason}", v.mode);
            }
            assert!(
                reason.len() < 1000,
                "{}: the quote is truncated: {} bytes",
                v.mode,
                reason.len()
            );
            // A protocol violation ends the adapter at once.
            if !v.ends_at_once {
                drop(adapter);
            }
            assert_gone(pid).await;
        }
    })
    .await;
}

/// Starts `mode` (one that starts a grandchild), says hello and returns
/// the adapter, its pid and its grandchild's.
async fn with_grandchild(mode: &str) -> (ProcessAdapter, u32, u32) {
    let adapter = greeted(mode).await;
    let pid = adapter.pid().unwrap();
    let grandchild = wait_for_stderr(&adapter, "grandchild pid ").await;
    (adapter, pid, grandchild)
}

#[tokio::test]
async fn every_way_of_ending_an_adapter_ends_its_whole_process_group() {
    bounded(async {
        // Dropping it.
        let (adapter, pid, grandchild) = with_grandchild("spawn-grandchild").await;
        assert!(alive(grandchild), "the grandchild runs before the drop");
        drop(adapter);
        assert_gone(pid).await;
        assert_gone(grandchild).await;

        // Shutting it down while it hangs.
        let (adapter, pid, grandchild) = with_grandchild("spawn-grandchild").await;
        let report = adapter.shutdown(soon(300)).await;
        assert!(report.killed, "{report:?}");
        assert_gone(pid).await;
        assert_gone(grandchild).await;

        // Killing it: at once, and `recv` reports it closed.
        let (mut adapter, pid, grandchild) = with_grandchild("spawn-grandchild").await;
        adapter.kill();
        match adapter.recv(soon(5000)).await {
            Err(AdapterError::Closed {
                exit: Some(status), ..
            }) => assert!(!status.success()),
            other => panic!("expected Closed, got {other:?}"),
        }
        assert_gone(pid).await;
        assert_gone(grandchild).await;
    })
    .await;
}

#[tokio::test]
async fn a_good_adapter_answers_every_request_and_exits_cleanly() {
    bounded(async {
        let mut adapter = fake("good");
        let pid = adapter.pid().unwrap();
        let hello = adapter
            .hello(1, Config::default(), soon(5000))
            .await
            .unwrap();
        assert_eq!((hello.name.as_str(), hello.protocol), ("fake-good", 1));

        adapter.send(call(2)).unwrap();
        let response = adapter.recv(soon(5000)).await.unwrap();
        assert!(matches!(
            response,
            AdapterMessage::Response(Response {
                id: 2,
                ok: true,
                ..
            })
        ));
        for expected in [CallbackKind::Success, CallbackKind::Complete] {
            match adapter.recv(soon(5000)).await.unwrap() {
                AdapterMessage::Event(Event::Callback { call: 2, kind, .. }) => {
                    assert_eq!(kind, expected)
                }
                other => panic!("expected a callback, got {other:?}"),
            }
        }
        adapter
            .send(Request {
                id: 3,
                op: Op::Reset { config: None },
            })
            .unwrap();
        let reset = adapter.recv(soon(5000)).await.unwrap();
        assert!(matches!(
            reset,
            AdapterMessage::Response(Response {
                id: 3,
                ok: true,
                ..
            })
        ));

        let report = adapter.shutdown(soon(5000)).await;
        assert!(report.is_clean(), "{report:?}");
        assert!(
            report.stderr_tail.contains("fake-adapter pid"),
            "{report:?}"
        );
        assert_gone(pid).await;
    })
    .await;
}

#[tokio::test]
async fn nothing_before_the_deadline_is_a_timeout_that_can_be_retried() {
    bounded(async {
        let mut adapter = greeted("good").await;
        let started = tokio::time::Instant::now();
        assert_eq!(adapter.recv(soon(100)).await, Err(AdapterError::Timeout));
        assert!(started.elapsed() >= Duration::from_millis(100));
        // A timeout is not final: the adapter still works.
        adapter.send(call(2)).unwrap();
        assert!(adapter.recv(soon(5000)).await.is_ok());
        assert!(adapter.shutdown(soon(5000)).await.replied);
    })
    .await;
}

#[tokio::test]
async fn a_crash_is_closed_with_the_exit_status_and_stays_closed() {
    bounded(async {
        let mut adapter = fake("crash-on-call");
        let pid = adapter.pid().unwrap();
        let error = hello_then_call(&mut adapter).await.unwrap_err();
        let AdapterError::Closed { exit, stderr_tail } = &error else {
            panic!("expected Closed, got {error:?}")
        };
        assert_eq!(exit.and_then(|status| status.code()), Some(3), "{error}");
        assert!(stderr_tail.contains("fake-adapter pid"), "{error:?}");
        assert!(error.to_string().contains("exit status: 3"), "{error}");
        assert!(error.is_final());
        // Final: later calls give the same error without touching the process.
        assert_eq!(adapter.recv(soon(5000)).await.unwrap_err(), error);
        assert_eq!(adapter.send(call(3)).unwrap_err(), error);
        assert_gone(pid).await;
        let report = adapter.shutdown(soon(1000)).await;
        assert_eq!(report.error, Some(error));
        assert!(!report.is_clean());
    })
    .await;
}

#[tokio::test]
async fn a_silent_exit_is_closed_with_status_0() {
    bounded(async {
        let mut adapter = fake("exit-silently");
        let pid = adapter.pid().unwrap();
        match hello_then_call(&mut adapter).await {
            Err(AdapterError::Closed {
                exit: Some(status), ..
            }) => assert!(status.success()),
            other => panic!("expected Closed with status 0, got {other:?}"),
        }
        assert_gone(pid).await;
    })
    .await;
}

#[tokio::test]
async fn a_hanging_adapter_times_out_and_shutdown_kills_it() {
    bounded(async {
        let mut adapter = fake("hang");
        let pid = adapter.pid().unwrap();
        assert_eq!(
            hello_then_call_within(&mut adapter, 200).await,
            Err(AdapterError::Timeout)
        );
        let started = tokio::time::Instant::now();
        let report = adapter.shutdown(soon(300)).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert!(report.killed && !report.replied, "{report:?}");
        assert_eq!(report.error, Some(AdapterError::Timeout));
        assert!(
            report.stderr_tail.contains("fake-adapter pid"),
            "{report:?}"
        );
        assert_gone(pid).await;
    })
    .await;
}

#[tokio::test]
async fn a_crash_keeps_the_tail_of_stderr() {
    bounded(async {
        let options = SpawnOptions {
            stderr_tail_bytes: 2048,
            ..SpawnOptions::default()
        };
        let mut adapter = fake_with("stderr-chatter", options);
        let error = hello_then_call(&mut adapter).await.unwrap_err();
        let AdapterError::Closed { exit, stderr_tail } = &error else {
            panic!("expected Closed, got {error:?}")
        };
        assert_eq!(exit.and_then(|status| status.code()), Some(5));
        assert!(stderr_tail.len() <= 2048, "{} bytes", stderr_tail.len());
        assert!(stderr_tail.contains("chatter line 200"), "{stderr_tail}");
        assert!(!stderr_tail.contains("chatter line 001"), "{stderr_tail}");
        assert!(
            stderr_tail.ends_with("fatal: the implementation fell over\n"),
            "{stderr_tail}"
        );
        assert!(
            error
                .to_string()
                .contains("last stderr line: fatal: the implementation fell over"),
            "{error}"
        );
        assert_eq!(adapter.stderr_tail(), *stderr_tail);
    })
    .await;
}

#[tokio::test]
async fn an_exit_is_seen_even_when_a_grandchild_holds_stdout_open() {
    bounded(async {
        let (mut adapter, pid, grandchild) = with_grandchild("grandchild-holds-stdout").await;
        adapter.send(call(2)).unwrap();
        let started = tokio::time::Instant::now();
        match adapter.recv(soon(10_000)).await {
            Err(AdapterError::Closed {
                exit: Some(status), ..
            }) => assert_eq!(status.code(), Some(7)),
            other => panic!("expected Closed with status 7, got {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
        assert_gone(pid).await;
        assert_gone(grandchild).await;
    })
    .await;
}

#[tokio::test]
async fn request_ids_cannot_be_reused_nested_ones_included() {
    bounded(async {
        let mut adapter = greeted("good").await;
        let mut request = call(2);
        let Op::Call(body) = &mut request.op else {
            unreachable!()
        };
        body.then.push(adapter_protocol::NestedCall {
            id: 3,
            call: adapter_protocol::Call {
                target: "$returned".into(),
                method: "onOpen".into(),
                listener: Some("L1".into()),
                ..Default::default()
            },
        });
        adapter.send(request).unwrap();
        assert_eq!(adapter.send(call(3)), Err(AdapterError::RequestIdReused(3)));
        assert_eq!(adapter.send(call(1)), Err(AdapterError::RequestIdReused(1)));
        // Not final: the adapter carries on.
        assert!(adapter.recv(soon(5000)).await.is_ok());
        assert!(adapter.shutdown(soon(5000)).await.replied);
    })
    .await;
}

#[tokio::test]
async fn a_program_that_cannot_start_is_a_spawn_error_naming_it() {
    let error =
        ProcessAdapter::spawn("/nonexistent/adapter --flag", SpawnOptions::default()).unwrap_err();
    assert!(matches!(error, HostError::Spawn { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/nonexistent/adapter --flag"),
        "{error}"
    );
    assert!(std::error::Error::source(&error).is_some());
    let error = ProcessAdapter::spawn("  ", SpawnOptions::default()).unwrap_err();
    assert!(matches!(error, HostError::EmptyCommandLine), "{error:?}");
}

#[test]
fn spawning_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let error = ProcessAdapter::spawn("true", SpawnOptions::default()).unwrap_err();
    assert!(error.to_string().contains("cannot start"), "{error}");
}

#[tokio::test]
async fn nested_calls_are_answered_in_their_places() {
    bounded(async {
        let mut adapter = greeted("good").await;
        let nested = |id| adapter_protocol::NestedCall {
            id,
            call: adapter_protocol::Call {
                target: "my".into(),
                method: "closeSocket".into(),
                ..Default::default()
            },
        };
        let mut request = call(2);
        let Op::Call(body) = &mut request.op else {
            unreachable!()
        };
        body.then.push(nested(3));
        body.within.success.push(nested(4));
        body.within.complete.push(nested(5));
        adapter.send(request).unwrap();
        let mut seen = Vec::new();
        // A response and two callbacks for each of the 4 calls.
        for _ in 0..12 {
            match adapter.recv(soon(5000)).await.unwrap() {
                AdapterMessage::Response(response) => seen.push(format!("r{}", response.id)),
                AdapterMessage::Event(Event::Callback { call, kind, .. }) => {
                    seen.push(format!("{kind:?}{call}"))
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            seen,
            [
                "r2",
                "r3",
                "Success3",
                "Complete3",
                "Success2",
                "r4",
                "Success4",
                "Complete4",
                "Complete2",
                "r5",
                "Success5",
                "Complete5"
            ]
        );
        assert_eq!(adapter.recv(soon(50)).await, Err(AdapterError::Timeout));
        assert!(adapter.shutdown(soon(5000)).await.is_clean());
    })
    .await;
}
