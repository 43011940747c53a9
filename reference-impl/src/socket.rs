//! The I/O of one socket, run in its own tokio task: TCP, TLS, the upgrade,
//! then frames both ways until the socket closes. Everything it learns is
//! posted to the [`My`](crate::My) queue.

use std::sync::Arc;
use std::time::Duration;

use adapter_protocol::{Config, EventType};
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
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

use crate::codes::ErrorCode;
use crate::head::{connection_token, HeadRewrite, Rewrite};
use crate::mutant::{without_subprotocol, Active, ExpiryIgnored, Mutant};
use crate::my::{CallId, Error, Shared, SocketId};
use crate::validate::ConnectPlan;

/// What the API asks of an open socket's I/O task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Write a message, then report `success` (or `fail` 11).
    Send {
        message: Message,
        call: Option<CallId>,
    },
    /// Write a close frame, report `success`, then wait for the answer.
    Close {
        frame: CloseFrame,
        call: Option<CallId>,
    },
}

/// The largest frame read whole even when it is over `maxMessageBytes`.
const FRAME_CAP: usize = 16 << 20;

/// A byte stream, plain or TLS.
pub(crate) trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

type Socket = WebSocketStream<Box<dyn Transport>>;

/// Why a handshake failed.
#[derive(Debug, thiserror::Error)]
enum ConnectFailure {
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
fn handshake_error_code(failure: &ConnectFailure) -> ErrorCode {
    match failure {
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
        ConnectFailure::Tcp(_) | ConnectFailure::Tls(_) => ErrorCode::Unknown,
        ConnectFailure::Upgrade(e) => match e {
            // error.9.protocol-unrequested: a subprotocol although none was offered.
            WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                SubProtocolError::ServerSentSubProtocolNoneRequested,
            )) => ErrorCode::ProtocolUnrequested,
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
            _ => ErrorCode::Unknown,
        },
    }
}

/// The rustls client configuration: webpki roots plus the configured CAs,
/// always verifying (no "accept anything" path; [`Mutant::ExpiredCertAccepted`]
/// still verifies the chain and the name).
pub(crate) fn tls_config(ca_pem: &str, mutant: Active) -> Result<Arc<rustls::ClientConfig>, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(Error::InvalidCaPem)?;
        roots.add(cert).map_err(Error::InvalidCaCertificate)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(Error::Tls)?;
    let config = if mutant.is(Mutant::ExpiredCertAccepted) {
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| Error::Tls(rustls::Error::General(e.to_string())))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ExpiryIgnored(verifier)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// The payload of a close event.
pub(crate) fn close_payload(code: u16, reason: &str) -> Value {
    json!({ "code": code, "reason": reason })
}

fn error_event(code: ErrorCode) -> (EventType, Value) {
    (EventType::Error, code.payload())
}

fn close_event(code: u16, reason: &str) -> (EventType, Value) {
    (EventType::Close, close_payload(code, reason))
}

/// The close event for a close frame received from the peer (1005 when it
/// carries no code).
fn received_close(frame: Option<CloseFrame>, mutant: Active) -> (EventType, Value) {
    match frame {
        Some(frame) if mutant.is(Mutant::CloseCode1006) => close_event(1006, frame.reason.as_str()),
        Some(frame) => close_event(frame.code.into(), frame.reason.as_str()),
        None => close_event(1005, ""),
    }
}

fn message_event(message: Message, mutant: Active) -> Option<(EventType, Value)> {
    let res = match message {
        // receive.text
        Message::Text(text) => json!({ "data": text.as_str(), "isBuffer": false }),
        Message::Binary(bytes) if mutant.is(Mutant::BinaryWithoutIsBuffer) => json!({
            "data": base64::engine::general_purpose::STANDARD.encode(&bytes),
        }),
        // receive.binary
        Message::Binary(bytes) => json!({
            "data": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "isBuffer": true,
        }),
        _ => return None,
    };
    Some((EventType::Message, res))
}

async fn connect(
    plan: ConnectPlan,
    config: &Config,
    tls: Arc<rustls::ClientConfig>,
    mutant: Active,
) -> Result<Socket, ConnectFailure> {
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
        .contains_key(http::header::SEC_WEBSOCKET_PROTOCOL);
    let mut rewrites: Vec<Rewrite> = vec![connection_token];
    if mutant.is(Mutant::UnrequestedSubprotocolAccepted) && !offered {
        rewrites.push(without_subprotocol);
    }
    let stream: Box<dyn Transport> = Box::new(HeadRewrite::new(stream, rewrites));
    // Messages over the limit are refused after their frames were read
    // (error 12 with a clean close handshake after it); only a single frame
    // over FRAME_CAP is refused from its header, leaving the stream unusable.
    let max = usize::try_from(config.max_message_bytes).unwrap_or(usize::MAX);
    let inbound_limit = (!mutant.is(Mutant::NoError12)).then_some(max);
    let ws_config = WebSocketConfig::default()
        .max_message_size(inbound_limit)
        .max_frame_size(Some(max.max(FRAME_CAP)));
    let (socket, _response) =
        tokio_tungstenite::client_async_with_config(plan.request, stream, Some(ws_config))
            .await
            .map_err(ConnectFailure::Upgrade)?;
    Ok(socket)
}

/// The life of one socket, from the handshake to its close event.
pub(crate) async fn run(
    shared: Arc<Shared>,
    id: SocketId,
    generation: u64,
    plan: ConnectPlan,
    config: Config,
    tls: Arc<rustls::ClientConfig>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mutant = shared.mutant();
    let late_success = plan.late_success;
    let deadline = Duration::from_millis(config.connect_timeout_ms);
    let connected = match tokio::time::timeout(deadline, connect(plan, &config, tls, mutant)).await
    {
        Ok(result) => result,
        Err(_) => Err(ConnectFailure::Timeout(deadline)),
    };
    let socket = match connected {
        Ok(socket) => socket,
        Err(failure) => {
            // Mutant::SuccessAfterOpen: connect's success, when the handshake is over.
            shared.post_callbacks(id, generation, late_success, Ok(()));
            let code = handshake_error_code(&failure);
            shared.finish(
                id,
                generation,
                &mut commands,
                vec![error_event(code), close_event(1006, "")],
            );
            return;
        }
    };
    // connect.open
    shared.post(id, generation, vec![(EventType::Open, json!({}))]);
    shared.post_callbacks(id, generation, late_success, Ok(()));
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
                    let outcome = sink.send(message).await.map_err(|_| ErrorCode::SendFailed);
                    shared.post_callbacks(id, generation, call, outcome);
                }
                // close.open: the frame carries code and reason; success; then
                // onClose with the server's answer (close.no-answer: 1006).
                Some(Command::Close { frame, call }) => {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    shared.post_callbacks(id, generation, call, Ok(()));
                    let until = Instant::now() + close_timeout;
                    let deliver = Some((&*shared, id, generation));
                    let closed = wait_for_close_answer(deliver, mutant, &mut stream, until).await;
                    shared.finish(id, generation, &mut commands, vec![closed]);
                    drain_until(&mut stream, until).await;
                    return;
                }
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(frame))) => {
                    // close.server: answer the close frame (queued by
                    // tungstenite), report what the server sent.
                    let _ = tokio::time::timeout(close_timeout, sink.flush()).await;
                    let closed = received_close(frame, mutant);
                    shared.finish(id, generation, &mut commands, vec![closed]);
                    drain_until(&mut stream, Instant::now() + close_timeout).await;
                    return;
                }
                Some(Ok(message)) => {
                    if let Some(event) = message_event(message, mutant) {
                        shared.post(id, generation, vec![event]);
                    }
                }
                // error.12.memory: not delivered; onError 12, the socket
                // closes with 1009 (nothing more is delivered), onClose 1009.
                Some(Err(WsError::Capacity(_))) => {
                    shared.post(id, generation, vec![error_event(ErrorCode::OutOfMemory)]);
                    let frame = CloseFrame { code: CloseCode::Size, reason: "".into() };
                    let until = Instant::now() + close_timeout;
                    let _ = tokio::time::timeout_at(until, sink.send(Message::Close(Some(frame)))).await;
                    let _ = wait_for_close_answer(None, mutant, &mut stream, until).await;
                    shared.finish(id, generation, &mut commands, vec![close_event(1009, "")]);
                    drain_until(&mut stream, until).await;
                    return;
                }
                // close.drop: the connection ended without a close frame (or
                // broke the protocol).
                Some(Err(_)) | None => {
                    shared.finish(
                        id,
                        generation,
                        &mut commands,
                        vec![error_event(ErrorCode::Unknown), close_event(1006, "")],
                    );
                    return;
                }
            },
        }
    }
}

/// After our close frame: deliver what still arrives to `deliver` (or
/// drop it), until the server's close frame (its code and reason) or the
/// deadline (close.no-answer: 1006). A connection that ends without an
/// answer also gives 1006.
async fn wait_for_close_answer(
    deliver: Option<(&Shared, SocketId, u64)>,
    mutant: Active,
    stream: &mut futures_util::stream::SplitStream<Socket>,
    until: Instant,
) -> (EventType, Value) {
    loop {
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return received_close(frame, mutant),
            Ok(Some(Ok(message))) => {
                if let (Some((shared, id, generation)), Some(event)) =
                    (deliver, message_event(message, mutant))
                {
                    shared.post(id, generation, vec![event]);
                }
            }
            Ok(Some(Err(_)) | None) | Err(_) => return close_event(1006, ""),
        }
    }
}

/// Lets the server close the TCP connection first, as RFC 6455 asks, but
/// never waits past `until`.
async fn drain_until(stream: &mut futures_util::stream::SplitStream<Socket>, until: Instant) {
    while let Ok(Some(Ok(_))) = tokio::time::timeout_at(until, stream.next()).await {}
}
