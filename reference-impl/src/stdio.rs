//! The reference implementation served over the adapter protocol as JSON
//! Lines: requests in, responses and events out. The `reference-adapter`
//! binary (and the runner's `serve-reference` command) run this over stdio.

use adapter_protocol::{AdapterMessage, Event, Request, Response};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::adapter::{spawn_in_process_as, AdapterChannels};
use crate::mutant::Mutant;
use crate::seams::Behaviour;

/// Serves the protocol on this process's stdin and stdout until `shutdown`
/// or the end of stdin. Logs go to stderr.
///
/// Tokio's stdin may still be blocked in a read when this returns, so a
/// binary should exit right after it rather than wait for the runtime.
pub async fn serve_stdio(mutant: Option<Mutant>) -> std::io::Result<()> {
    serve_stdio_as(Behaviour::mutant(mutant)).await
}

/// As [`serve_stdio`], running `behaviour` (variants and a mutant).
pub async fn serve_stdio_as(behaviour: Behaviour) -> std::io::Result<()> {
    serve_lines_as(tokio::io::stdin(), tokio::io::stdout(), behaviour).await
}

/// Serves the protocol over any pair of byte streams: one request a line
/// read from `input`, one message a line written to `output`.
///
/// A line that is not a request gets an error response (a `log` event when
/// no id can be read from it) and the adapter goes on. Returns when the
/// adapter has ended (after `shutdown`, or once `input` is exhausted), or
/// with the error that made `output` unwritable.
pub async fn serve_lines<R, W>(input: R, output: W, mutant: Option<Mutant>) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    serve_lines_as(input, output, Behaviour::mutant(mutant)).await
}

/// As [`serve_lines`], running `behaviour` (variants and a mutant).
pub async fn serve_lines_as<R, W>(
    input: R,
    mut output: W,
    behaviour: Behaviour,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    let AdapterChannels {
        requests,
        mut messages,
    } = spawn_in_process_as(behaviour);
    let (errors, mut error_rx) = mpsc::unbounded_channel::<AdapterMessage>();

    tokio::spawn(async move {
        let mut lines = BufReader::new(input).lines();
        loop {
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("reference-adapter: reading requests failed: {e}");
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
                    let _ = errors.send(bad_line_message(&line, &e));
                }
            }
        }
        // Dropping `requests` ends the adapter.
    });

    loop {
        let message = tokio::select! {
            // An answer to a bad line was queued before any request read
            // after that line, so it goes out first.
            biased;
            Some(message) = error_rx.recv() => message,
            message = messages.recv() => match message {
                Some(message) => message,
                None => match error_rx.try_recv() {
                    Ok(message) => message,
                    Err(_) => break,
                },
            },
        };
        let mut line = serde_json::to_string(&message).map_err(std::io::Error::other)?;
        line.push('\n');
        output.write_all(line.as_bytes()).await?;
        output.flush().await?;
    }
    output.flush().await
}

/// The answer to a line that is not a request: an error response when its
/// id can be read, a log event otherwise.
fn bad_line_message(line: &str, error: &serde_json::Error) -> AdapterMessage {
    let id = serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get("id").and_then(serde_json::Value::as_u64));
    let text = format!("bad request: {error}");
    match id {
        Some(id) => AdapterMessage::Response(Response::error(id, text)),
        None => AdapterMessage::Event(Event::Log { text }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn answers_hello_and_a_bad_line_then_ends_on_shutdown() {
        let (mut to_adapter, input) = tokio::io::duplex(4096);
        let (output, mut from_adapter) = tokio::io::duplex(4096);
        let served = tokio::spawn(serve_lines(input, output, None));
        to_adapter
            .write_all(
                b"{\"id\":1,\"op\":\"hello\",\"protocol\":1,\"config\":{}}\n\
                  {\"id\":2,\"op\":\"bogus\"}\n\
                  {\"id\":3,\"op\":\"shutdown\"}\n",
            )
            .await
            .unwrap();
        served.await.unwrap().unwrap();
        let mut text = String::new();
        from_adapter.read_to_string(&mut text).await.unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines.iter().any(|l| l["id"] == 1 && l["ok"] == true));
        assert!(lines.iter().any(|l| l["id"] == 2 && l["ok"] == false));
        assert!(lines.iter().any(|l| l["id"] == 3 && l["ok"] == true));
    }
}
