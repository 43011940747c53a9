//! The I/O of one socket, run in its own tokio task: TCP, TLS, the upgrade,
//! then frames both ways until the socket closes. Everything it learns goes
//! to the [`Outbox`] it is handed (the context's queue, for this socket):
//! the I/O task knows nothing else of the context.

use std::sync::Arc;
use std::time::Duration;

use adapter_protocol::{Config, EventType};
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::error::{ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use url::Host;

use crate::head::{
    connection_token, with_subprotocol, without_subprotocol, FrameTap, HeadRewrite, Rewrite,
    Transport,
};
use crate::seams::{AfterError12, ConnectOutcome, DataAfterClose, Seams};
use crate::types::Caller;
use crate::validate::ConnectPlan;
use spec::ErrorCode;

/// A socket event: its type and payload.
pub(crate) type SocketEvent = (EventType, Value);

/// Where the I/O task of one socket reports: the narrow interface it is
/// handed instead of the context's state. Each method queues in order and
/// wakes the reader; everything is ignored once the socket was reset or its
/// I/O abandoned.
pub(crate) trait Outbox: Send + Sync + 'static {
    /// Queues socket events.
    fn post(&self, events: Vec<SocketEvent>);

    /// Queues socket events that are delivered even after the socket's
    /// close event, unless it was reset (only a mutant posts them).
    fn post_after_close(&self, events: Vec<SocketEvent>);

    /// Queues a call's callbacks (`success` or `fail`, then `complete`).
    fn post_callbacks(&self, call: Option<Caller>, outcome: Result<(), ErrorCode>);

    /// Queues the callbacks of the `connectSocket` call that started this
    /// socket, when the call left them to the handshake's outcome.
    fn settle_connect(&self, outcome: Result<(), ErrorCode>);

    /// The last word: no more commands are taken (sends still waiting fail
    /// with 11, closes succeed), then `events` are queued.
    fn finish(&self, commands: &mut mpsc::UnboundedReceiver<Command>, events: Vec<SocketEvent>);
}

/// What the API asks of an open socket's I/O task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Write a message, then report `success` (or `fail` 11).
    Send {
        message: Message,
        call: Option<Caller>,
    },
    /// Write a close frame, report `success`, then wait for the answer.
    Close {
        frame: CloseFrame,
        call: Option<Caller>,
    },
}

/// The largest frame read whole even when it is over `maxMessageBytes`.
const FRAME_CAP: usize = 16 << 20;

type Socket = WebSocketStream<Box<dyn Transport>>;

/// Why a handshake failed.
#[derive(Debug, thiserror::Error)]
enum ConnectFailure {
    #[error("the host is not in allowedHosts")]
    HostNotAllowed(ErrorCode),
    #[error("no complete handshake within {0:?}")]
    Timeout(Duration),
    #[error("TCP connection failed")]
    Tcp(#[source] std::io::Error),
    #[error("TLS handshake failed")]
    Tls(#[source] std::io::Error),
    #[error("WebSocket upgrade failed")]
    Upgrade(#[source] WsError),
}

/// The error code a failed handshake reports (behaviour.md, "Outcome of the handshake").
fn handshake_error_code(failure: &ConnectFailure, seams: &Seams) -> ErrorCode {
    match failure {
        // connect.domain [connect.domain.report]: no traffic at all.
        ConnectFailure::HostNotAllowed(code) => *code,
        // error.6.timeout: TCP, TLS and HTTP did not finish within connectTimeoutMs.
        ConnectFailure::Timeout(_) => ErrorCode::ConnectTimeout,
        // error.7.cert: rustls rejected the server's certificate (expired, not
        // yet valid, unknown issuer, self-signed, wrong name, ...).
        ConnectFailure::Tls(e)
            if e.get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .is_some_and(|e| matches!(e, rustls::Error::InvalidCertificate(_))) =>
        {
            ErrorCode::InvalidCertificate
        }
        // error.1.network: refused, reset, or a TLS failure other than the certificate.
        ConnectFailure::Tcp(_) | ConnectFailure::Tls(_) => seams.code_for_network_failure(),
        ConnectFailure::Upgrade(e) => match e {
            // error.9.protocol-unrequested: a subprotocol although none was offered.
            WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                SubProtocolError::ServerSentSubProtocolNoneRequested,
            )) => seams.code_for_unrequested_subprotocol(),
            // error.8.handshake: the status is not 101.
            WsError::Http(_) => ErrorCode::InvalidHandshake,
            // error.8.handshake: the RFC 6455 4.1 client checks on the response
            // (Upgrade, Connection, Sec-WebSocket-Accept, a subprotocol not
            // offered or missing although offered), or an unparsable response.
            WsError::Protocol(
                ProtocolError::MissingUpgradeWebSocketHeader
                | ProtocolError::MissingConnectionUpgradeHeader
                | ProtocolError::SecWebSocketAcceptKeyMismatch
                | ProtocolError::SecWebSocketSubProtocolError(_)
                | ProtocolError::WrongHttpVersion
                | ProtocolError::InvalidHeader(_)
                | ProtocolError::CustomResponseSuccessful
                | ProtocolError::HttparseError(_),
            )
            | WsError::HttpFormat(_)
            | WsError::Utf8(_) => ErrorCode::InvalidHandshake,
            // error.1.network: the connection ended or failed before an answer.
            _ => seams.code_for_network_failure(),
        },
    }
}

/// The payload of a close event.
pub(crate) fn close_payload(code: u16, reason: &str) -> Value {
    json!({ "code": code, "reason": reason })
}

fn error_event(code: ErrorCode, seams: &Seams) -> SocketEvent {
    (EventType::Error, seams.error_payload(code))
}

fn close_event(code: u16, reason: &str) -> SocketEvent {
    (EventType::Close, close_payload(code, reason))
}

/// The close event for a close frame received from the peer (1005 when it
/// carries no code).
fn received_close(frame: Option<CloseFrame>, seams: &Seams) -> SocketEvent {
    match frame {
        Some(frame) => close_event(
            seams.reported_close_code(frame.code.into()),
            frame.reason.as_str(),
        ),
        None => close_event(1005, ""),
    }
}

fn message_event(message: Message, seams: &Seams) -> Option<SocketEvent> {
    let res = match message {
        // receive.text
        Message::Text(text) => seams.text_message_payload(text.as_str()),
        // receive.binary
        Message::Binary(bytes) => {
            seams.binary_message_payload(base64::engine::general_purpose::STANDARD.encode(&bytes))
        }
        _ => return None,
    };
    Some((EventType::Message, res))
}

/// The rewrites of the response head before tungstenite checks it, for a
/// request that offered these subprotocols (if any).
fn head_rewrites(offered: Option<&str>, seams: &Seams) -> Vec<Rewrite> {
    let mut rewrites: Vec<Rewrite> = vec![Box::new(connection_token)];
    match offered {
        // error.9.protocol-unrequested
        None if !seams.checks_unrequested_subprotocol() => {
            rewrites.push(Box::new(without_subprotocol));
        }
        // connect.no-subprotocol: open as if the first offer was selected.
        Some(offers) if !seams.fails_without_selected_subprotocol() => {
            let first = offers.split(',').next().unwrap_or_default().trim();
            rewrites.push(with_subprotocol(first.to_owned()));
        }
        _ => {}
    }
    rewrites
}

async fn connect(
    plan: ConnectPlan,
    config: &Config,
    tls: Arc<rustls::ClientConfig>,
    seams: &Seams,
    tap: FrameTap,
) -> Result<Socket, ConnectFailure> {
    if let Some(code) = plan.refused {
        return Err(ConnectFailure::HostNotAllowed(code));
    }
    let tcp = match &plan.host {
        Host::Domain(name) => TcpStream::connect((name.as_str(), plan.port)).await,
        Host::Ipv4(ip) => TcpStream::connect((*ip, plan.port)).await,
        Host::Ipv6(ip) => TcpStream::connect((*ip, plan.port)).await,
    }
    .map_err(ConnectFailure::Tcp)?;
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn Transport> = if plan.secure {
        let name = match &plan.host {
            Host::Domain(name) => ServerName::try_from(name.clone()),
            Host::Ipv4(ip) => Ok(ServerName::IpAddress((*ip).into())),
            Host::Ipv6(ip) => Ok(ServerName::IpAddress((*ip).into())),
        }
        .map_err(|e| {
            ConnectFailure::Tls(std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
        })?;
        let tls = TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(ConnectFailure::Tls)?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    let offered = plan
        .request
        .headers()
        .get(http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok());
    let mut stream = HeadRewrite::new(stream, head_rewrites(offered, seams));
    if seams.data_after_close() == DataAfterClose::Delivered {
        stream = stream.tapped(tap);
    }
    let stream: Box<dyn Transport> = Box::new(stream);
    // Messages over the limit are refused after their frames were read
    // (error 12 with a clean close handshake after it); only a single frame
    // over FRAME_CAP is refused from its header, leaving the stream unusable.
    let max = usize::try_from(config.max_message_bytes).unwrap_or(usize::MAX);
    let inbound_limit = seams.limits_received_messages().then_some(max);
    let ws_config = WebSocketConfig::default()
        .max_message_size(inbound_limit)
        .max_frame_size(Some(max.max(FRAME_CAP)));
    let (socket, _response) =
        tokio_tungstenite::client_async_with_config(plan.request, stream, Some(ws_config))
            .await
            .map_err(ConnectFailure::Upgrade)?;
    Ok(socket)
}

/// How the I/O task of one socket is set up.
pub(crate) struct Start {
    /// Where to connect, and the request.
    pub(crate) plan: ConnectPlan,
    /// The context's configuration.
    pub(crate) config: Config,
    /// The TLS client configuration.
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// The context's answers to the rules that can be answered otherwise.
    pub(crate) seams: Seams,
    /// When the connect call's callbacks run.
    pub(crate) outcome: ConnectOutcome,
}

/// The life of one socket, from the handshake to its close event.
pub(crate) async fn run<O: Outbox>(
    outbox: O,
    start: Start,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let Start {
        plan,
        config,
        tls,
        seams,
        outcome,
    } = start;
    let deadline = plan.deadline;
    let started = Instant::now();
    let tap = FrameTap::default();
    let connecting = connect(plan, &config, tls, &seams, tap.clone());
    let connected = match tokio::time::timeout(deadline, connecting).await {
        Ok(result) => result,
        Err(_) => Err(ConnectFailure::Timeout(deadline)),
    };
    let socket = match connected {
        Ok(socket) => socket,
        Err(failure) => {
            let code = handshake_error_code(&failure, &seams);
            if let Some(result) = outcome.before_failure(code) {
                outbox.settle_connect(result);
            }
            outbox.finish(
                &mut commands,
                vec![error_event(code, &seams), close_event(1006, "")],
            );
            // close.nothing-after: the connect timer ends with the handshake
            // (a mutant's runs out later and reports error 6 after onClose).
            let fast = !matches!(failure, ConnectFailure::Timeout(_));
            if fast && seams.connect_timer_outlives_failure() {
                tokio::time::sleep_until(started + deadline).await;
                outbox.post_after_close(vec![error_event(ErrorCode::ConnectTimeout, &seams)]);
            }
            return;
        }
    };
    // connect.open
    if let Some(result) = outcome.before_open() {
        outbox.settle_connect(result);
    }
    outbox.post(vec![(EventType::Open, json!({}))]);
    if let Some(result) = outcome.after_open() {
        outbox.settle_connect(result);
    }
    let close_timeout = Duration::from_millis(config.close_timeout_ms);
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                // The socket was reset: nothing more to report.
                None => return,
                // send.text / send.binary: success once written; a write the
                // transport refuses fails with 11.
                Some(Command::Send { message, call }) => {
                    let result = sink.send(message).await.map_err(|_| ErrorCode::SendFailed);
                    outbox.post_callbacks(call, result);
                }
                // close.open: the frame carries code and reason; success; then
                // onClose with the server's answer (close.no-answer: 1006).
                Some(Command::Close { frame, call }) => {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    outbox.post_callbacks(call, Ok(()));
                    let until = Instant::now() + close_timeout;
                    let closed = wait_for_close_answer(Some(&outbox), &seams, &mut stream, until).await;
                    outbox.finish(&mut commands, vec![closed]);
                    drain_until(&mut stream, until).await;
                    return;
                }
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(frame))) => {
                    // close.server: answer the close frame (queued by
                    // tungstenite), report what the server sent.
                    let _ = tokio::time::timeout(close_timeout, sink.flush()).await;
                    let mut events = vec![received_close(frame, &seams)];
                    let until = Instant::now() + close_timeout;
                    // close.nothing-after: what follows the close frame is
                    // never delivered (tungstenite refuses it; only a tap sees
                    // it); [close.data-after-close] or it is an error first.
                    match seams.data_after_close() {
                        DataAfterClose::Ignored => {}
                        DataAfterClose::ErrorThenClose => {
                            if frame_after_close(&mut stream, until).await {
                                events.insert(0, error_event(ErrorCode::Unknown, &seams));
                            }
                        }
                        DataAfterClose::Delivered => {
                            drain_until(&mut stream, until).await;
                            outbox.post(tap.take_after_close().into_iter().map(|m| tapped_message(m, &seams)).collect());
                        }
                    }
                    outbox.finish(&mut commands, events);
                    drain_until(&mut stream, until).await;
                    return;
                }
                Some(Ok(message)) => {
                    if let Some(event) = message_event(message, &seams) {
                        outbox.post(vec![event]);
                    }
                }
                // error.12.memory: not delivered; onError 12, the socket
                // closes with 1009 (nothing more is delivered), onClose 1009.
                Some(Err(WsError::Capacity(_))) => {
                    outbox.post(vec![error_event(ErrorCode::OutOfMemory, &seams)]);
                    // error.12.close: or drop the connection, onClose 1006;
                    // or close with 1000 and onClose 1000 (other-code).
                    let code = match seams.after_error_12() {
                        AfterError12::Drop => {
                            outbox.finish(&mut commands, vec![close_event(1006, "")]);
                            return;
                        }
                        AfterError12::CloseHandshake => 1009,
                        AfterError12::CloseHandshakeOtherCode => 1000,
                    };
                    let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                    let until = Instant::now() + close_timeout;
                    let _ = tokio::time::timeout_at(until, sink.send(Message::Close(Some(frame)))).await;
                    // The stream ended with the capacity error: the server's
                    // answer cannot be read, so onClose reports the code it
                    // echoes (RFC 6455 5.5.1), the one sent.
                    let _ = wait_for_close_answer(None::<&O>, &seams, &mut stream, until).await;
                    outbox.finish(&mut commands, vec![close_event(code, "")]);
                    drain_until(&mut stream, until).await;
                    return;
                }
                // close.drop: the connection ended without a close frame (or
                // broke the protocol).
                Some(Err(_)) | None => {
                    let mut events = vec![close_event(1006, "")];
                    // [close.drop-error]
                    if seams.error_before_drop_close() {
                        events.insert(0, error_event(ErrorCode::Unknown, &seams));
                    }
                    outbox.finish(&mut commands, events);
                    return;
                }
            },
        }
    }
}

/// The message event of a frame a [`FrameTap`] saw behind a close frame.
fn tapped_message((binary, payload): (bool, Vec<u8>), seams: &Seams) -> SocketEvent {
    let res = if binary {
        seams.binary_message_payload(base64::engine::general_purpose::STANDARD.encode(&payload))
    } else {
        seams.text_message_payload(&String::from_utf8_lossy(&payload))
    };
    (EventType::Message, res)
}

/// After our close frame: deliver what still arrives to `deliver` (or
/// drop it), until the server's close frame (its code and reason) or the
/// deadline (close.no-answer: 1006). A connection that ends without an
/// answer also gives 1006.
async fn wait_for_close_answer(
    deliver: Option<&impl Outbox>,
    seams: &Seams,
    stream: &mut futures_util::stream::SplitStream<Socket>,
    until: Instant,
) -> SocketEvent {
    loop {
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return received_close(frame, seams),
            Ok(Some(Ok(message))) => {
                if let (Some(outbox), Some(event)) = (deliver, message_event(message, seams)) {
                    outbox.post(vec![event]);
                }
            }
            Ok(Some(Err(_)) | None) | Err(_) => return close_event(1006, ""),
        }
    }
}

/// Reads on behind the server's close frame until the connection ends or
/// `until`: whether a frame came behind it (tungstenite refuses any frame
/// after a close frame with `ReceivedAfterClosing`; RFC 6455 5.5.1 allows
/// no data frame there).
async fn frame_after_close(
    stream: &mut futures_util::stream::SplitStream<Socket>,
    until: Instant,
) -> bool {
    loop {
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Err(WsError::Protocol(ProtocolError::ReceivedAfterClosing)))) => return true,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => return false,
        }
    }
}

/// Lets the server close the TCP connection first, as RFC 6455 asks, but
/// never waits past `until`.
async fn drain_until(stream: &mut futures_util::stream::SplitStream<Socket>, until: Instant) {
    while let Ok(Some(Ok(_))) = tokio::time::timeout_at(until, stream.next()).await {}
}
