//! Fuzz targets for the suite's parsers of untrusted input, one function
//! per target, each taking arbitrary bytes and asserting the target's
//! invariants (by panicking when one breaks):
//!
//! | function | what it feeds | invariant |
//! | --- | --- | --- |
//! | [`scenario`] | `runner::parse_scenario` | `Ok` or a `LoadError`; a scenario that loads re-serialises to YAML that loads to the same scenario |
//! | [`adapter_line`] | `adapter_host::decode_line`, what the runner does with an adapter's stdout line | `Ok` or `AdapterError::Protocol`; a decoded message re-serialises to a line that decodes to the same message |
//! | [`adapter_request`] | `serde_json::from_slice::<adapter_protocol::Request>`, what a stdio adapter does with a request line | a request re-serialises and parses to the same request |
//! | [`adapter_bridge`] | `reference_impl::serve_lines` over an in-memory pipe | it ends once its input ends, and every line it writes decodes as an adapter message |
//! | [`handshake`] | `mock_server::parse_request_head`, then the upgrade checks and the path router | no panic; the head's length is within the input; a key that passes gives a 28-character accept key |
//! | [`route`] | `mock_server::parse_route` on a path | no panic; a fault's name routes back to the same fault |
//!
//! [`TARGETS`] lists them by name for the cargo-fuzz project (`fuzz/`) and
//! the bounded test (`tests/bounded.rs`), whose seed corpora live in
//! `fuzz/corpus/<name>/` and regression inputs in `tests/regressions/<name>/`.
//!
//! What this crate does not do: generate inputs. cargo fuzz (nightly flags,
//! `RUSTC_BOOTSTRAP=1` on stable) or the bounded test's mutator does.

use std::path::Path;
use std::time::Duration;

use adapter_protocol::{Op, Request};
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A target: its name (the cargo-fuzz target and corpus folder) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: [Target; 6] = [
    ("scenario", scenario),
    ("adapter_line", adapter_line),
    ("adapter_request", adapter_request),
    ("adapter_bridge", adapter_bridge),
    ("handshake", handshake),
    ("route", route),
];

/// The scenario loader on arbitrary text (bytes that are not UTF-8 are
/// replaced, as the loader only takes text).
///
/// Invariants: `parse_scenario` returns `Ok` or a `LoadError` whose message
/// names the file; a scenario that loads serialises to YAML that loads to
/// an equal scenario.
pub fn scenario(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz/input.yaml");
    match runner::parse_scenario(path, &text) {
        Ok(scenario) => {
            let mut yaml = Vec::new();
            let mut serializer = serde_yaml::Serializer::new(&mut yaml);
            serde_yaml::with::singleton_map_recursive::serialize(&scenario, &mut serializer)
                .expect("a loaded scenario serialises to YAML");
            let yaml = String::from_utf8(yaml).expect("YAML output is UTF-8");
            let again = runner::parse_scenario(path, &yaml).unwrap_or_else(|e| {
                panic!("a loaded scenario, re-serialised, does not load: {e}\n{yaml}")
            });
            assert_eq!(
                again, scenario,
                "the scenario changed on a YAML round trip:\n{yaml}"
            );
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.starts_with("fuzz/input.yaml"), "{message}");
        }
    }
}

/// The runner's decoder for one line an adapter wrote (`adapter_host::decode_line`).
///
/// Invariants: `Ok` or `AdapterError::Protocol`; a decoded message
/// serialises to one JSON line that decodes to an equal message.
pub fn adapter_line(data: &[u8]) {
    match adapter_host::decode_line(data) {
        Ok(message) => {
            let line = serde_json::to_vec(&message).expect("an adapter message serialises");
            assert!(!line.contains(&b'\n'), "a serialised message spans lines");
            let again = adapter_host::decode_line(&line).unwrap_or_else(|e| {
                panic!("a decoded message, re-serialised, does not decode: {e}")
            });
            assert_same_json(&again, &message, "the message changed on a JSON round trip");
        }
        Err(adapter_host::AdapterError::Protocol(reason)) => {
            assert!(!reason.is_empty());
        }
        Err(other) => panic!("decode_line returned a non-protocol error: {other:?}"),
    }
}

/// A stdio adapter's decoder for one request line
/// (`serde_json::from_slice::<adapter_protocol::Request>`).
///
/// Invariant: a request serialises to a JSON line that parses to an equal request.
pub fn adapter_request(data: &[u8]) {
    if let Ok(request) = serde_json::from_slice::<Request>(data) {
        let line = serde_json::to_vec(&request).expect("a request serialises");
        assert!(!line.contains(&b'\n'), "a serialised request spans lines");
        let again: Request = serde_json::from_slice(&line)
            .unwrap_or_else(|e| panic!("a parsed request, re-serialised, does not parse: {e}"));
        assert_same_json(&again, &request, "the request changed on a JSON round trip");
    }
}

/// Asserts that two values serialise to the same JSON, up to the last bits
/// of floating-point numbers: serde_json (without its `float_roundtrip`
/// feature) may parse a number with more than 17 significant digits to a
/// neighbour of the nearest `f64`, and so move it on a round trip (found by
/// fuzzing, `tests/regressions/adapter_line/float-with-64-digits`).
fn assert_same_json<T: Serialize + std::fmt::Debug>(left: &T, right: &T, what: &str) {
    let a = serde_json::to_value(left).expect("serialises");
    let b = serde_json::to_value(right).expect("serialises");
    assert!(
        same_json(&a, &b),
        "{what}\n  left: {left:?}\n right: {right:?}"
    );
}

fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-15 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_json(vx, vy))
        }
        _ => a == b,
    }
}

/// How long [`adapter_bridge`] lets the reference adapter take.
const BRIDGE_DEADLINE: Duration = Duration::from_secs(10);

/// The reference adapter's stdio bridge (`reference_impl::serve_lines`)
/// fed the input as request lines, then the end of input.
///
/// Lines holding a `connectSocket` call (at any depth) are left out: they
/// would open real connections. Invariants: the bridge returns within
/// [`BRIDGE_DEADLINE`] of its input ending, without an error (its output
/// never fails), and every line it writes decodes with
/// `adapter_host::decode_line`.
pub fn adapter_bridge(data: &[u8]) {
    let input: Vec<u8> = data
        .split(|&b| b == b'\n')
        .filter(|line| !opens_a_connection(line))
        .flat_map(|line| line.iter().copied().chain([b'\n']))
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    let output = runtime.block_on(async move {
        let (mut to_adapter, adapter_in) = tokio::io::duplex(64 * 1024);
        let (adapter_out, mut from_adapter) = tokio::io::duplex(64 * 1024);
        let served = tokio::spawn(reference_impl::serve_lines(
            adapter_in,
            adapter_out,
            reference_impl::Behaviour::default(),
            1,
        ));
        let writer = tokio::spawn(async move {
            // The bridge may stop reading (after `shutdown`): a failed write is fine.
            let _ = to_adapter.write_all(&input).await;
        });
        let mut output = Vec::new();
        let read = tokio::time::timeout(BRIDGE_DEADLINE, from_adapter.read_to_end(&mut output));
        read.await
            .expect("the reference adapter ends once its input ends")
            .expect("reading from an in-memory pipe does not fail");
        served
            .await
            .expect("the bridge does not panic")
            .expect("the bridge's output does not fail");
        writer.await.expect("the writer does not panic");
        output
    });
    for line in output.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if let Err(e) = adapter_host::decode_line(line) {
            panic!("the reference adapter wrote a line the runner refuses: {e}");
        }
    }
}

/// The line is a request holding a `connectSocket` call, at any depth.
fn opens_a_connection(line: &[u8]) -> bool {
    fn calls_connect(call: &adapter_protocol::Call) -> bool {
        call.method == "connectSocket"
            || call
                .then
                .iter()
                .chain(call.within.iter())
                .any(|nested| calls_connect(&nested.call))
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match std::str::from_utf8(line).map(serde_json::from_str::<Request>) {
        Ok(Ok(Request {
            op: Op::Call(call), ..
        })) => calls_connect(&call),
        // The bridge reads text lines: it gives up at bytes that are not UTF-8.
        _ => false,
    }
}

/// The mock server's request-head parser (`mock_server::parse_request_head`),
/// then, on a complete head, its upgrade checks and its router.
///
/// Invariants: no panic; a complete head took at most the input's bytes;
/// a key that passes the checks gives a 28-character accept key; a path
/// that routes has a non-empty session id without `/`.
pub fn handshake(data: &[u8]) {
    let Ok(Some((head, used))) = mock_server::parse_request_head(data) else {
        return;
    };
    assert!(
        used <= data.len(),
        "the head took {used} of {} bytes",
        data.len()
    );
    if let Ok(key) = head.check_upgrade() {
        assert_eq!(mock_server::accept_key(key).len(), 28);
    }
    check_route(&head.path);
}

/// The mock server's router (`mock_server::parse_route`) on a path (bytes
/// that are not UTF-8 are replaced: a request target is text).
///
/// Invariants: as [`handshake`]'s for the path, and a fault's name routes
/// back to the same fault.
pub fn route(data: &[u8]) {
    let path = String::from_utf8_lossy(data);
    // Most inputs should reach the behaviours, not stop at `/s/`.
    let path = if path.starts_with('/') {
        path.into_owned()
    } else {
        format!("/s/fuzz/{path}")
    };
    check_route(&path);
}

fn check_route(path: &str) {
    let Ok(route) = mock_server::parse_route(path) else {
        return;
    };
    let session = route.session();
    assert!(
        !session.is_empty() && !session.contains('/'),
        "session id {session:?} from {path:?}"
    );
    assert!(!route.behaviour_name().is_empty());
    if let Some(fault) = route.fault_name() {
        let again = mock_server::parse_route(&format!("/s/{session}/fault/{fault}"))
            .unwrap_or_else(|e| panic!("fault {fault:?} from {path:?} does not route back: {e}"));
        assert_eq!(again.fault_name().as_deref(), Some(fault.as_str()));
    }
}
