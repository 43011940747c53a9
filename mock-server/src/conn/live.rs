//! An open WebSocket connection running the behaviour its path chose,
//! answering actions, until its end.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use super::stream::{drain, finish, io_end, write_raw, Stream};
use super::tag::Tag;
use crate::action::{DropMode, Outgoing};
use crate::recorder::{EndReason, Event, MessageKind};
use crate::route::{Behaviour, CloseAnswer, Plan};
use crate::session::{Command, Envelope, SessionInner};
use crate::shared::Shared;

/// An open WebSocket connection running its behaviour.
pub(super) struct Live {
    /// Turns when the server shuts down.
    pub(super) stop: watch::Receiver<bool>,
    pub(super) ws: WebSocketStream<Stream>,
    pub(super) shared: Arc<Shared>,
    pub(super) session: Arc<SessionInner>,
    pub(super) conn: u32,
    pub(super) plan: Plan,
    pub(super) rx: mpsc::Receiver<Envelope>,
    pub(super) received: u64,
    /// Set when the server sent a close frame first: the answer's deadline.
    pub(super) closing: Option<Instant>,
    /// Set when the server answered the client's close through tungstenite.
    pub(super) close_done: bool,
    /// Set when a close frame came from the client.
    pub(super) close_received: bool,
    /// Set when the server's close frame went out as raw bytes, behind
    /// tungstenite's back: the client's answer must not be answered again.
    pub(super) raw_close: bool,
}

type End = (EndReason, Option<String>);

fn ws_end(e: WsError) -> End {
    match e {
        WsError::Io(e) => (io_end(&e), Some(e.to_string())),
        WsError::Protocol(
            tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        ) => (EndReason::PeerEof, None),
        other => (EndReason::Error, Some(other.to_string())),
    }
}

impl Live {
    fn record(&self, event: Event) {
        self.session.recorder.record(self.conn, event);
    }

    pub(super) async fn run(mut self, tag: &mut Tag) -> End {
        let on_open = match self.plan.behaviour.clone() {
            Behaviour::SendOnOpen(p) => self.send(p.materialize()).await,
            Behaviour::CloseOnOpen { code, reason } => self.close(code, reason).await,
            Behaviour::CloseOnOpenThenText { code, reason, text } => {
                self.close_then_text(code, reason, text).await
            }
            Behaviour::DropOnOpen(mode) => return self.drop_conn(mode, tag, None).await,
            _ => Ok(()),
        };
        if let Err(end) = on_open {
            return end;
        }
        let reading = self.plan.behaviour != Behaviour::StopReading;
        let hold = Instant::now() + self.shared.options.hold_timeout;
        let mut commands_open = true;
        loop {
            let deadline = self.closing.unwrap_or(hold);
            tokio::select! {
                msg = self.ws.next(), if reading => {
                    match msg {
                        None => {
                            return if self.close_received {
                                (EndReason::CloseHandshake, None)
                            } else {
                                (EndReason::PeerEof, None)
                            };
                        }
                        Some(Err(WsError::ConnectionClosed)) | Some(Err(WsError::AlreadyClosed)) => {
                            return (EndReason::CloseHandshake, None);
                        }
                        Some(Err(e @ WsError::Capacity(_))) => return self.refuse_oversize(e).await,
                        Some(Err(e)) => return ws_end(e),
                        Some(Ok(m)) => {
                            if let Some(end) = self.incoming(m, tag).await {
                                return end;
                            }
                        }
                    }
                }
                env = self.rx.recv(), if commands_open => {
                    match env {
                        None => commands_open = false,
                        Some(env) => {
                            // After a close frame, a send or close writes
                            // nothing: its ack is dropped, not reached.
                            let writes = self.closing.is_none() && !self.close_done;
                            let result = match env.command {
                                Command::Send(out) => self.send(out).await,
                                Command::Close { code, reason } => self.close(code, reason).await,
                                Command::CloseThenText { code, reason, text } => self.close_then_text(code, reason, text).await,
                                Command::Drop(mode) => return self.drop_conn(mode, tag, env.ack).await,
                            };
                            if let Err(end) = result { return end; }
                            if let (true, Some(ack)) = (writes, env.ack) { let _ = ack.send(()); }
                        }
                    }
                }
                _ = self.stop.changed() => return self.going_away().await,
                _ = tokio::time::sleep_until(deadline), if self.closing.is_some() || !reading => {
                    return if self.closing.is_some() {
                        (EndReason::Timeout, Some(format!("no close answer within {:?}", self.shared.options.close_timeout)))
                    } else {
                        (EndReason::Timeout, Some(format!("held for {:?} without reading", self.shared.options.hold_timeout)))
                    };
                }
            }
        }
    }

    /// Handles one message from the client; `Some` ends the connection.
    async fn incoming(&mut self, m: Message, tag: &mut Tag) -> Option<End> {
        let cap = self.shared.options.payload_capture;
        let (kind, data) = match m {
            Message::Text(t) => (MessageKind::Text, Bytes::from(t)),
            Message::Binary(b) => (MessageKind::Binary, b),
            Message::Close(frame) => return self.close_in(frame).await,
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return None,
        };
        let (payload, truncated) = Event::payload(kind, &data, cap);
        self.record(Event::MessageIn {
            kind,
            len: data.len(),
            payload,
            truncated,
        });
        self.received += 1;
        if self.closing.is_some() || self.close_done {
            // A message that crossed our close frame: recorded, not answered.
            return None;
        }
        let out = Outgoing {
            text: kind == MessageKind::Text,
            data,
            fragments: 1,
        };
        let result = match &self.plan.behaviour {
            Behaviour::Echo | Behaviour::SendOnOpen(_) | Behaviour::CloseOnOpen { .. } => {
                self.send(out).await
            }
            Behaviour::Broadcast { room, others } => {
                let except = others.then_some(self.conn);
                for tx in self.session.room_members(room, except) {
                    let _ = tx.try_send(Envelope {
                        command: Command::Send(out.clone()),
                        ack: None,
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(end) = result {
            return Some(end);
        }
        if self.plan.options.drop_after == Some(self.received) {
            return Some(self.drop_conn(self.plan.options.drop_mode, tag, None).await);
        }
        if self.plan.options.close_after == Some(self.received) {
            let (code, reason) = (
                self.plan.options.close_code,
                self.plan.options.close_reason.clone(),
            );
            if let Err(end) = self.close(code, reason).await {
                return Some(end);
            }
        }
        None
    }

    async fn close_in(&mut self, frame: Option<CloseFrame>) -> Option<End> {
        let code = frame.as_ref().map(|f| u16::from(f.code));
        self.close_received = true;
        let reason = frame
            .as_ref()
            .map(|f| f.reason.to_string())
            .unwrap_or_default();
        if self.closing.is_some() {
            self.record(Event::CloseIn {
                code,
                reason,
                first: false,
            });
            if self.raw_close {
                // tungstenite, which never saw our close frame, has queued
                // an answer to this one; it must not go out. Close TCP
                // (the server's part, RFC 6455 section 7.1.1) without
                // letting tungstenite write again.
                finish(self.ws.get_mut(), self.shared.options.close_timeout).await;
                return Some((EndReason::CloseHandshake, None));
            }
            return None;
        }
        self.record(Event::CloseIn {
            code,
            reason: reason.clone(),
            first: true,
        });
        match self.plan.options.close_answer.clone() {
            CloseAnswer::Same => {
                // tungstenite queued the answer (the same frame, or 1002 for a
                // code that may not be sent); it goes out on the next flush.
                let (code, reason) = match frame {
                    Some(f) if !f.code.is_allowed() => {
                        (Some(1002), "Protocol violation".to_owned())
                    }
                    Some(f) => (Some(u16::from(f.code)), f.reason.to_string()),
                    None => (None, String::new()),
                };
                if let Err(e) = self.ws.flush().await {
                    return Some(ws_end(e));
                }
                self.record(Event::CloseOut {
                    code,
                    reason,
                    first: false,
                });
                self.close_done = true;
                None
            }
            answer @ (CloseAnswer::Code(_) | CloseAnswer::Empty) => {
                // Bypass tungstenite, which would answer with the same code.
                let c = match answer {
                    CloseAnswer::Code(c) => Some(c),
                    _ => None,
                };
                let reason = match c {
                    Some(_) => self.plan.options.close_answer_reason.clone(),
                    None => String::new(),
                };
                let bytes = close_frame_bytes(c, &reason);
                if let Err(e) = write_raw(self.ws.get_mut(), &bytes).await {
                    return Some((io_end(&e), Some(e.to_string())));
                }
                self.record(Event::CloseOut {
                    code: c,
                    reason,
                    first: false,
                });
                finish(self.ws.get_mut(), self.shared.options.close_timeout).await;
                Some((EndReason::CloseHandshake, None))
            }
            CloseAnswer::Never => {
                Some(drain(self.ws.get_mut(), self.shared.options.hold_timeout).await)
            }
        }
    }

    /// Writes a message and records it; after a close frame went out, sends
    /// nothing (RFC 6455 section 5.5.1) and records nothing.
    async fn send(&mut self, out: Outgoing) -> Result<(), End> {
        if self.closing.is_some() || self.close_done {
            return Ok(());
        }
        let kind = if out.text {
            MessageKind::Text
        } else {
            MessageKind::Binary
        };
        let len = out.data.len();
        let (payload, truncated) =
            Event::payload(kind, &out.data, self.shared.options.payload_capture);
        let fragments = out.fragments.max(1);
        let result = if fragments == 1 {
            let msg = if out.text {
                match Utf8Bytes::try_from(out.data.clone()) {
                    Ok(t) => Message::Text(t),
                    Err(_) => Message::Binary(out.data.clone()),
                }
            } else {
                Message::Binary(out.data.clone())
            };
            self.ws.send(msg).await
        } else {
            let n = fragments as usize;
            let chunk = len.div_ceil(n).max(1);
            let mut result = Ok(());
            for i in 0..n {
                let start = (i * chunk).min(len);
                let end = ((i + 1) * chunk).min(len);
                let opcode = match (i, out.text) {
                    (0, true) => OpCode::Data(Data::Text),
                    (0, false) => OpCode::Data(Data::Binary),
                    _ => OpCode::Data(Data::Continue),
                };
                let frame = Frame::message(out.data.slice(start..end), opcode, i + 1 == n);
                result = self.ws.feed(Message::Frame(frame)).await;
                if result.is_err() {
                    break;
                }
            }
            match result {
                Ok(()) => self.ws.flush().await,
                e => e,
            }
        };
        result.map_err(ws_end)?;
        self.record(Event::MessageOut {
            kind,
            len,
            payload,
            truncated,
            fragments,
        });
        Ok(())
    }

    async fn close(&mut self, code: Option<u16>, reason: String) -> Result<(), End> {
        if self.closing.is_some() || self.close_done {
            return Ok(());
        }
        let frame = code.map(|c| CloseFrame {
            code: CloseCode::from(c),
            reason: Utf8Bytes::from(reason.clone()),
        });
        self.ws.close(frame).await.map_err(ws_end)?;
        self.record(Event::CloseOut {
            code,
            reason: if code.is_some() {
                reason
            } else {
                String::new()
            },
            first: true,
        });
        self.closing = Some(Instant::now() + self.shared.options.close_timeout);
        Ok(())
    }

    /// The server shuts down: a close frame 1001 (unless one went out
    /// already), then the end, without waiting for the answer.
    async fn going_away(&mut self) -> End {
        let _ = self.close(Some(1001), GOING_AWAY.into()).await;
        let _ = self.ws.get_mut().shutdown().await;
        (EndReason::Shutdown, None)
    }

    /// A client message or frame over the limits: a close frame 1009 (RFC
    /// 6455 section 7.4.1) written by hand, as tungstenite fails the
    /// connection without one, then the end (`error`, with tungstenite's
    /// text).
    async fn refuse_oversize(&mut self, e: WsError) -> End {
        let detail = e.to_string();
        if self.closing.is_none() && !self.close_done {
            let reason = match &e {
                WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                    format!("message of {size} bytes over the limit of {max_size}")
                }
                _ => "message too big".to_owned(),
            };
            if write_raw(self.ws.get_mut(), &close_frame_bytes(Some(1009), &reason))
                .await
                .is_ok()
            {
                self.record(Event::CloseOut {
                    code: Some(1009),
                    reason,
                    first: true,
                });
                finish(self.ws.get_mut(), self.shared.options.close_timeout).await;
            }
        }
        (EndReason::Error, Some(detail))
    }

    /// Writes a close frame and a text frame behind it in one write (raw
    /// bytes: tungstenite sends nothing after a close), records both, and
    /// waits for the close answer. Nothing, after a close frame went out.
    async fn close_then_text(
        &mut self,
        code: Option<u16>,
        reason: String,
        text: String,
    ) -> Result<(), End> {
        if self.closing.is_some() || self.close_done {
            return Ok(());
        }
        let reason = if code.is_some() {
            reason
        } else {
            String::new()
        };
        let mut bytes = close_frame_bytes(code, &reason);
        bytes.extend_from_slice(&text_frame_bytes(text.as_bytes()));
        write_raw(self.ws.get_mut(), &bytes)
            .await
            .map_err(|e| (io_end(&e), Some(e.to_string())))?;
        self.record(Event::CloseOut {
            code,
            reason,
            first: true,
        });
        let (payload, truncated) = Event::payload(
            MessageKind::Text,
            text.as_bytes(),
            self.shared.options.payload_capture,
        );
        self.record(Event::MessageOut {
            kind: MessageKind::Text,
            len: text.len(),
            payload,
            truncated,
            fragments: 1,
        });
        self.raw_close = true;
        self.closing = Some(Instant::now() + self.shared.options.close_timeout);
        Ok(())
    }

    /// Drops the connection without a close frame. The socket itself goes
    /// when `Live` is dropped, right after `run` returns.
    /// `ack` is answered when the end is recorded: for a FIN once it is on
    /// its way, before the server waits for the peer to close its side; for
    /// a reset once the socket is gone.
    async fn drop_conn(
        &mut self,
        mode: DropMode,
        tag: &mut Tag,
        ack: Option<oneshot::Sender<()>>,
    ) -> End {
        match mode {
            DropMode::Rst => {
                let _ = self.ws.get_ref().tcp().set_zero_linger();
                // Dropping `Live` sends the RST; `serve` then records the
                // end, which answers the ack.
                tag.ack_on_end = ack;
                (EndReason::DroppedRst, None)
            }
            DropMode::Fin => {
                let _ = self.ws.get_mut().shutdown().await;
                tag.ack_on_end = ack;
                tag.end(EndReason::DroppedFin, None);
                let _ = drain(self.ws.get_mut(), self.shared.options.close_timeout).await;
                (EndReason::DroppedFin, None)
            }
        }
    }
}

/// The close reason of the 1001 sent to open connections at shutdown.
const GOING_AWAY: &str = "server shutting down";

/// A server text frame (unmasked, final), written by hand.
fn text_frame_bytes(payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x81];
    match payload.len() {
        n @ 0..=125 => bytes.push(n as u8),
        n @ 126..=0xffff => {
            bytes.push(126);
            bytes.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            bytes.push(127);
            bytes.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    bytes.extend_from_slice(payload);
    bytes
}

/// A server close frame (unmasked), written by hand.
fn close_frame_bytes(code: Option<u16>, reason: &str) -> Vec<u8> {
    let mut payload = Vec::new();
    if let Some(c) = code {
        payload.extend_from_slice(&c.to_be_bytes());
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        payload.extend_from_slice(&reason.as_bytes()[..end]);
    }
    let mut bytes = vec![0x88, payload.len() as u8];
    bytes.extend_from_slice(&payload);
    bytes
}
