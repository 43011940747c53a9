//! A deliberately broken adapter for `adapter-host`'s tests: it speaks
//! adapter protocol v1 until the fault named by its first argument.
//!
//! | mode | behaviour |
//! | --- | --- |
//! | `good` | answers `hello`, `call` (`returned: null`, then `success` and `complete`; nested `then` and `within` calls answered in their places), `reset`, `shutdown` |
//! | `double-response` | answers the first call twice |
//! | `unknown-task` | on the first call, a listener event on task `t9`, never returned |
//! | `event-before-hello` | writes a listener event on `my` before answering `hello` |
//! | `protocol-2` | answers `hello` with protocol 2 |
//! | `crash-on-call` | exits with status 3 on the first call |
//! | `hang` | answers `hello`, then nothing, ever (stdin's end included) |
//! | `not-json` | answers the first call with a line that is not JSON |
//! | `unknown-id` | answers the first call with id 999999 |
//! | `exit-silently` | exits 0 on the first call without a word |
//! | `unknown-event` | on the first call, a callback for a call never made |
//! | `spawn-grandchild` | on `hello`, starts `sleep 300` (pid on stderr), answers, then hangs |
//! | `grandchild-holds-stdout` | on `hello`, starts `sleep 300` sharing its stdout, answers; exits 7 on the first call |
//! | `stderr-chatter` | on the first call, writes 200 numbered lines to stderr, then exits 5 |
//! | `long-line` | on the first call, writes 2 MiB without a newline, then hangs |
//!
//! Every mode writes `fake-adapter pid <pid>` to stderr first.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    eprintln!("fake-adapter pid {}", std::process::id());
    let stdin = std::io::stdin();
    let mut calls = 0;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(request) = serde_json::from_str::<Value>(&line) else {
            out(&json!({"id": null, "ok": false, "error": "not JSON"}));
            continue;
        };
        let id = request["id"].as_u64().unwrap_or(0);
        match request["op"].as_str().unwrap_or("") {
            "hello" => hello(&mode, id),
            "call" => {
                calls += 1;
                call(&mode, &request, calls);
            }
            "reset" => out(&json!({"id": id, "ok": true, "result": {}})),
            "shutdown" => {
                out(&json!({"id": id, "ok": true, "result": {}}));
                std::process::exit(0);
            }
            op => out(&json!({"id": id, "ok": false, "error": format!("unknown op {op}")})),
        }
    }
    if mode == "hang" || mode == "spawn-grandchild" {
        hang();
    }
}

fn hello(mode: &str, id: u64) {
    match mode {
        "event-before-hello" => out(
            &json!({"event": "listener", "target": "my", "listener": "L1",
            "type": "open", "res": {}}),
        ),
        "spawn-grandchild" | "grandchild-holds-stdout" => {
            let mut command = Command::new("sleep");
            command.arg("300").stdin(Stdio::null());
            if mode == "spawn-grandchild" {
                command.stdout(Stdio::null());
            }
            // Deliberately never waited for: the grandchild must outlive
            // this process unless the host kills the whole group.
            #[allow(clippy::zombie_processes)]
            let child = command.spawn().expect("sleep starts");
            eprintln!("grandchild pid {}", child.id());
        }
        _ => {}
    }
    let name = format!("fake-{mode}");
    let protocol = if mode == "protocol-2" { 2 } else { 1 };
    out(&json!({"id": id, "ok": true,
        "result": {"name": name, "version": "0.0.0", "protocol": protocol, "unsupported": []}}));
    if mode == "hang" || mode == "spawn-grandchild" {
        hang();
    }
}

fn call(mode: &str, request: &Value, calls: u32) {
    let id = request["id"].as_u64().unwrap_or(0);
    match (mode, calls) {
        ("crash-on-call", _) => std::process::exit(3),
        ("exit-silently", _) => std::process::exit(0),
        ("grandchild-holds-stdout", _) => std::process::exit(7),
        ("not-json", 1) => raw("this is {not json\n"),
        ("double-response", 1) => {
            for _ in 0..2 {
                out(&json!({"id": id, "ok": true, "result": {"returned": null}}));
            }
        }
        ("unknown-task", 1) => {
            out(&json!({"id": id, "ok": true, "result": {"returned": null}}));
            out(
                &json!({"event": "listener", "target": "t9", "listener": "L1", "type": "open", "res": {}}),
            );
        }
        ("unknown-id", 1) => out(&json!({"id": 999_999, "ok": true, "result": {"returned": null}})),
        ("unknown-event", 1) => {
            out(&json!({"event": "callback", "call": id + 1000, "kind": "success", "res": {}}))
        }
        ("stderr-chatter", _) => {
            let mut stderr = std::io::stderr().lock();
            for n in 1..=200 {
                let _ = writeln!(stderr, "chatter line {n:03}: {}", "x".repeat(60));
            }
            let _ = writeln!(stderr, "fatal: the implementation fell over");
            std::process::exit(5);
        }
        ("long-line", _) => {
            raw(&"y".repeat(2 * 1024 * 1024));
            hang();
        }
        _ => good_call(request),
    }
}

/// `returned: null`, nested `then` calls, then `success` and `complete`
/// with their nested `within` calls.
fn good_call(request: &Value) {
    let id = request["id"].as_u64().unwrap_or(0);
    out(&json!({"id": id, "ok": true, "result": {"returned": null}}));
    for nested in request["then"].as_array().into_iter().flatten() {
        good_call(nested);
    }
    for kind in ["success", "complete"] {
        out(&json!({"event": "callback", "call": id, "kind": kind, "res": {}}));
        for nested in request["within"][kind].as_array().into_iter().flatten() {
            good_call(nested);
        }
    }
}

fn out(message: &Value) {
    raw(&format!("{message}\n"));
}

fn raw(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn hang() -> ! {
    loop {
        std::thread::park();
    }
}
