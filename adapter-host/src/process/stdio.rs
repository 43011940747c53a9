//! The adapter's pipes: the writer task on stdin, the line reader on
//! stdout (with its length cap) and the tail kept of stderr.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::{mpsc, watch};

/// How much of an offending line an error quotes.
pub(super) const QUOTE_BYTES: usize = 400;

/// What the stdout reader hands to `recv`.
pub(super) enum Line {
    /// One line, without its `\n`.
    Text(Vec<u8>),
    /// A line passed the length cap; reading stopped.
    TooLong { start: Vec<u8>, cap: usize },
    /// Reading failed; reading stopped (handled like the end of stdout).
    ReadError,
}

/// The last bytes of a stream.
#[derive(Debug, Default)]
pub(super) struct Tail {
    pub(super) bytes: Vec<u8>,
    pub(super) cap: usize,
}

impl Tail {
    pub(super) fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > self.cap {
            let excess = self.bytes.len() - self.cap;
            self.bytes.drain(..excess);
        }
    }

    pub(super) fn text(&self) -> String {
        // The cut may fall inside a UTF-8 sequence: skip continuation bytes.
        let start = self
            .bytes
            .iter()
            .position(|&b| b & 0xC0 != 0x80)
            .unwrap_or(self.bytes.len());
        String::from_utf8_lossy(&self.bytes[start..]).into_owned()
    }
}

/// The stderr tail of an adapter, readable from anywhere.
#[derive(Debug, Clone)]
pub(crate) struct StderrTail(pub(super) Arc<Mutex<Tail>>);

impl StderrTail {
    /// The tail as text.
    pub(crate) fn text(&self) -> String {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).text()
    }
}

/// The writer task: writes queued lines to the adapter's stdin until the
/// queue closes or a write fails (the adapter is gone).
pub(super) async fn write_lines(
    mut stdin: ChildStdin,
    mut requests: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    while let Some(line) = requests.recv().await {
        if stdin.write_all(&line).await.is_err() || stdin.flush().await.is_err() {
            return;
        }
    }
}

/// The stdout reader task: splits stdout into lines, refusing any longer
/// than `cap`. A last line without `\n` at the end of the stream counts.
pub(super) async fn read_lines(stdout: ChildStdout, cap: usize, lines: mpsc::Sender<Line>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut line = Vec::new();
    loop {
        let buf = match reader.fill_buf().await {
            Ok(buf) => buf,
            Err(_) => {
                let _ = lines.send(Line::ReadError).await;
                return;
            }
        };
        if buf.is_empty() {
            if !line.is_empty() {
                let _ = lines.send(Line::Text(line)).await;
            }
            return;
        }
        let (chunk, newline) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (&buf[..at], true),
            None => (buf, false),
        };
        if line.len() + chunk.len() > cap {
            line.extend_from_slice(&chunk[..chunk.len().min(QUOTE_BYTES)]);
            line.truncate(QUOTE_BYTES);
            let _ = lines.send(Line::TooLong { start: line, cap }).await;
            return;
        }
        line.extend_from_slice(chunk);
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline
            && lines
                .send(Line::Text(std::mem::take(&mut line)))
                .await
                .is_err()
        {
            return;
        }
    }
}

/// The stderr reader task: keeps the tail, then says it is done.
pub(super) async fn read_tail(
    mut stderr: impl AsyncRead + Unpin,
    tail: Arc<Mutex<Tail>>,
    done: watch::Sender<bool>,
) {
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = stderr.read(&mut buf).await {
        tail.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(&buf[..n]);
    }
    let _ = done.send(true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_keeps_the_last_bytes_and_whole_characters() {
        let mut tail = Tail {
            bytes: Vec::new(),
            cap: 5,
        };
        tail.push("abc".as_bytes());
        tail.push("dé€".as_bytes());
        // "abcdé€" is 4 + 2 + 3 bytes: the last 5 are exactly "é€".
        assert_eq!(tail.text(), "é€");
        tail.push(b"x");
        assert_eq!(tail.text(), "€x");
    }
}
