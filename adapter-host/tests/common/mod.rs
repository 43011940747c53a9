//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

use adapter_host::{ProcessAdapter, SpawnOptions};
use adapter_protocol::{Call, Op, Request};
use tokio::time::Instant;

/// Every test finishes within this, whatever an adapter does.
const TEST_BUDGET: Duration = Duration::from_secs(30);
/// How long a killed process may take to disappear from `/proc`.
const GONE_BUDGET: Duration = Duration::from_secs(5);

/// Runs a test body with an overall deadline.
pub async fn bounded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(TEST_BUDGET, body)
        .await
        .expect("the test finished within its budget");
}

/// An instant `ms` milliseconds from now.
pub fn soon(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

/// Starts the fake adapter in `mode`.
pub fn fake(mode: &str) -> ProcessAdapter {
    fake_with(mode, SpawnOptions::default())
}

/// Starts the fake adapter in `mode` with `options`.
pub fn fake_with(mode: &str, options: SpawnOptions) -> ProcessAdapter {
    let command_line = format!("'{}' {mode}", env!("CARGO_BIN_EXE_fake-adapter"));
    ProcessAdapter::spawn(&command_line, options).expect("the fake adapter starts")
}

/// A `call` request with `id` (`my.connectSocket()` with no argument).
pub fn call(id: u64) -> Request {
    Request {
        id,
        op: Op::Call(Call {
            target: "my".into(),
            method: "connectSocket".into(),
            ..Call::default()
        }),
    }
}

/// Waits (bounded) until the adapter's stderr holds `prefix` followed by a
/// number, and returns the number (a pid the fake adapter reports).
pub async fn wait_for_stderr(adapter: &ProcessAdapter, prefix: &str) -> u32 {
    let deadline = Instant::now() + GONE_BUDGET;
    loop {
        let tail = adapter.stderr_tail();
        if let Some(pid) = tail
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .and_then(|pid| pid.trim().parse().ok())
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "no {prefix:?} on stderr: {tail}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
