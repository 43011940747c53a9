//! The reference implementation served over the adapter protocol: JSON Lines
//! on stdin (requests) and stdout (responses and events), logs on stderr.
//! Glue over [`reference_impl::spawn_in_process`].

use adapter_protocol::{AdapterMessage, Event, Request, Response};
use reference_impl::{spawn_in_process, AdapterChannels};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() {
    let AdapterChannels {
        requests,
        mut messages,
    } = spawn_in_process();
    let (errors, mut error_rx) = mpsc::unbounded_channel::<AdapterMessage>();

    // stdin: one request a line; a bad line gets an error response (a log
    // event when no id can be read from it) and the adapter goes on.
    tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        loop {
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("reference-adapter: reading stdin failed: {e}");
                    break;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Request>(&line) {
                Ok(request) => {
                    if requests.send(request).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    eprintln!("reference-adapter: bad request line: {e}: {line}");
                    let id = serde_json::from_str::<serde_json::Value>(&line)
                        .ok()
                        .and_then(|v| v.get("id").and_then(serde_json::Value::as_u64));
                    let text = format!("bad request: {e}");
                    let message = match id {
                        Some(id) => AdapterMessage::Response(Response::error(id, text)),
                        None => AdapterMessage::Event(Event::Log { text }),
                    };
                    let _ = errors.send(message);
                }
            }
        }
        // Dropping `requests` ends the adapter.
    });

    // stdout: every message as one line, until the adapter has ended.
    let mut stdout = tokio::io::stdout();
    loop {
        let message = tokio::select! {
            message = messages.recv() => match message {
                Some(message) => message,
                None => break,
            },
            Some(message) = error_rx.recv() => message,
        };
        let mut line = match serde_json::to_string(&message) {
            Ok(line) => line,
            Err(e) => {
                eprintln!("reference-adapter: cannot serialise {message:?}: {e}");
                continue;
            }
        };
        line.push('\n');
        if stdout.write_all(line.as_bytes()).await.is_err() || stdout.flush().await.is_err() {
            eprintln!("reference-adapter: stdout is closed");
            std::process::exit(1);
        }
    }
    let _ = stdout.flush().await;
    // stdin may still be blocked in a read: exit rather than wait for it.
    std::process::exit(0);
}
