//! The recorder: what the server saw and did, per session, in order.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::action::{b64, Action};
use crate::error::WaitError;

/// One recorded event.
///
/// JSON: `{"seq": 3, "conn": 1, "event": {"type": "messageIn", "kind": "text", ...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedEvent {
    /// Monotonic sequence number within the session (or the unrouted log),
    /// starting at 1.
    pub seq: u64,
    /// The connection's number within the session, 1-based in connect order;
    /// 0 for events that belong to no connection (an action aimed at a room).
    /// In the unrouted log it is a server-wide connection number.
    pub conn: u32,
    /// What happened.
    pub event: Event,
}

/// Text or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
    /// A text message (payload recorded as text).
    Text,
    /// A binary message (payload recorded as base64).
    Binary,
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EndReason {
    /// Both close frames were exchanged, then the TCP connection closed.
    CloseHandshake,
    /// The peer closed the TCP connection without completing a close handshake.
    PeerEof,
    /// The peer reset the connection.
    Reset,
    /// The server dropped the connection with a FIN and no close frame.
    DroppedFin,
    /// The server reset the connection (RST) without a close frame.
    DroppedRst,
    /// The server closed the TCP connection after an HTTP response that was
    /// not a working upgrade (an error status, a fault).
    ServerClosed,
    /// A deadline passed (request head, close answer, hold time).
    Timeout,
    /// A read, TLS or protocol error; `detail` has its text.
    Error,
    /// The server shut down.
    Shutdown,
}

/// What happened, by type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Event {
    /// A TCP connection was accepted on a listener.
    Accepted {
        /// Listener name, e.g. `ws` or `wss.valid`.
        listener: String,
        /// The peer's address (`127.0.0.1:port`).
        peer: String,
    },
    /// The TLS handshake failed (the client rejected the certificate, or sent
    /// something that is not TLS). Only in the unrouted log.
    TlsFailed {
        /// rustls's error text.
        error: String,
    },
    /// The HTTP request head, as received.
    HandshakeRequest {
        /// `GET`, usually.
        method: String,
        /// The path, without the query.
        path: String,
        /// The query string without `?`, or null when there was none.
        query: Option<String>,
        /// The headers in order, names and values as received.
        headers: Vec<(String, String)>,
        /// Subprotocols offered in `Sec-WebSocket-Protocol` (all such
        /// headers, split on commas, trimmed).
        protocols: Vec<String>,
    },
    /// The HTTP response the server wrote.
    HandshakeResponse {
        /// Its status code (101 for an upgrade, faulty or not).
        status: u16,
        /// The `Sec-WebSocket-Protocol` it carried, if any.
        protocol: Option<String>,
        /// The handshake fault's name when the response is deliberately wrong.
        fault: Option<String>,
        /// Why the request was rejected, for 400/404/431 responses.
        error: Option<String>,
    },
    /// The server deliberately wrote no response (fault `never-answer`).
    NoResponse {
        /// The fault's name.
        fault: String,
    },
    /// A whole message from the client.
    MessageIn {
        /// Text or binary.
        kind: MessageKind,
        /// Its length in bytes.
        len: usize,
        /// Text, or base64 of the bytes, up to the capture cap.
        payload: String,
        /// Whether `payload` was cut at the cap.
        truncated: bool,
    },
    /// A whole message the server wrote.
    MessageOut {
        /// Text or binary.
        kind: MessageKind,
        /// Its length in bytes.
        len: usize,
        /// Text, or base64 of the bytes, up to the capture cap.
        payload: String,
        /// Whether `payload` was cut at the cap.
        truncated: bool,
        /// How many frames carried it (1 unless fragmented).
        fragments: u32,
    },
    /// A close frame from the client.
    CloseIn {
        /// Its code, or null for a close frame without a body.
        code: Option<u16>,
        /// Its reason.
        reason: String,
        /// Whether the client closed first (true) or answered the server's close.
        first: bool,
    },
    /// A close frame the server wrote.
    CloseOut {
        /// Its code, or null for a close frame without a body.
        code: Option<u16>,
        /// Its reason.
        reason: String,
        /// Whether the server closed first (true) or answered the client's close.
        first: bool,
    },
    /// An action was taken (recorded on the connection it named, or on
    /// connection 0 for a room or all connections).
    Action {
        /// The action.
        action: Action,
        /// How many live connections it was handed to (the outcome's
        /// `reached` counts those that carried it out in time).
        queued: u32,
    },
    /// The connection ended.
    Ended {
        /// How.
        how: EndReason,
        /// More about it (an error's text), if anything.
        detail: Option<String>,
    },
    /// The session hit its event cap; nothing after this is recorded.
    Overflow {
        /// The cap.
        limit: usize,
    },
}

impl Event {
    /// Builds a message event's payload fields from the bytes.
    pub(crate) fn payload(kind: MessageKind, data: &[u8], cap: usize) -> (String, bool) {
        match kind {
            MessageKind::Text => {
                let end = data.len().min(cap);
                let text = match std::str::from_utf8(&data[..end]) {
                    Ok(t) => t,
                    Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or(""),
                };
                (text.to_owned(), text.len() < data.len())
            }
            MessageKind::Binary => {
                let end = data.len().min(cap);
                (b64(&data[..end]), end < data.len())
            }
        }
    }
}

/// An ordered, bounded log of events with a way to wait for one.
#[derive(Debug)]
pub(crate) struct Recorder {
    inner: Mutex<Log>,
    changed: watch::Sender<u64>,
    cap: usize,
    /// A ring keeps the newest `cap` events; otherwise the log stops at `cap`
    /// with one `overflow` event.
    ring: bool,
}

#[derive(Debug, Default)]
struct Log {
    events: VecDeque<RecordedEvent>,
    last_seq: u64,
    overflowed: bool,
}

impl Recorder {
    pub(crate) fn new(cap: usize, ring: bool) -> Recorder {
        Recorder {
            inner: Mutex::new(Log::default()),
            changed: watch::channel(0).0,
            cap: cap.max(1),
            ring,
        }
    }

    pub(crate) fn record(&self, conn: u32, event: Event) {
        let seq = {
            let mut log = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if log.overflowed {
                return;
            }
            let event = if log.events.len() >= self.cap {
                if self.ring {
                    log.events.pop_front();
                    event
                } else {
                    log.overflowed = true;
                    Event::Overflow { limit: self.cap }
                }
            } else {
                event
            };
            log.last_seq += 1;
            let seq = log.last_seq;
            log.events.push_back(RecordedEvent { seq, conn, event });
            seq
        };
        self.changed.send_replace(seq);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedEvent> {
        let log = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        log.events.iter().cloned().collect()
    }

    pub(crate) async fn wait_for<F: Fn(&RecordedEvent) -> bool>(
        &self,
        predicate: F,
        timeout: Duration,
    ) -> Result<RecordedEvent, WaitError> {
        let mut rx = self.changed.subscribe();
        let mut checked = 0u64;
        let search = async {
            loop {
                rx.borrow_and_update();
                {
                    let log = self.inner.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(ev) = log.events.iter().find(|e| e.seq > checked && predicate(e)) {
                        return ev.clone();
                    }
                    checked = log.last_seq;
                }
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        match tokio::time::timeout(timeout, search).await {
            Ok(ev) => Ok(ev),
            Err(_) => Err(WaitError::Timeout {
                timeout,
                seen: self
                    .inner
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .last_seq as usize,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end() -> Event {
        Event::Ended {
            how: EndReason::PeerEof,
            detail: None,
        }
    }

    #[test]
    fn a_session_log_stops_at_its_cap_with_one_overflow_event() {
        let r = Recorder::new(3, false);
        for _ in 0..10 {
            r.record(1, end());
        }
        let events = r.snapshot();
        assert_eq!(events.len(), 4);
        assert_eq!(events[3].event, Event::Overflow { limit: 3 });
        assert_eq!(
            events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn the_unrouted_ring_keeps_the_newest_events() {
        let r = Recorder::new(3, true);
        for _ in 0..10 {
            r.record(1, end());
        }
        assert_eq!(
            r.snapshot().iter().map(|e| e.seq).collect::<Vec<_>>(),
            [8, 9, 10]
        );
    }

    #[test]
    fn text_payloads_are_cut_on_a_character_boundary_and_binary_is_base64() {
        assert_eq!(
            Event::payload(MessageKind::Text, "héllo".as_bytes(), 2),
            ("h".into(), true)
        );
        assert_eq!(
            Event::payload(MessageKind::Text, b"abc", 10),
            ("abc".into(), false)
        );
        assert_eq!(
            Event::payload(MessageKind::Binary, &[0, 1, 2, 3], 3),
            ("AAEC".into(), true)
        );
    }

    #[tokio::test]
    async fn wait_for_resolves_on_a_later_event_and_times_out_otherwise() {
        let r = std::sync::Arc::new(Recorder::new(100, false));
        r.record(1, Event::Overflow { limit: 0 });
        let r2 = r.clone();
        let waiter =
            tokio::spawn(
                async move { r2.wait_for(|e| e.conn == 2, Duration::from_secs(10)).await },
            );
        tokio::task::yield_now().await;
        r.record(2, end());
        assert_eq!(waiter.await.unwrap().unwrap().seq, 2);
        // Already recorded events match at once.
        assert_eq!(
            r.wait_for(|e| e.conn == 1, Duration::from_secs(10))
                .await
                .unwrap()
                .seq,
            1
        );
        let err = r
            .wait_for(|e| e.conn == 3, Duration::from_millis(20))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            WaitError::Timeout {
                timeout: Duration::from_millis(20),
                seen: 2
            }
        );
    }
}
