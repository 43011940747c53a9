//! The opening handshake: read the request head, route it to its
//! session and plan, answer (a fault, an error or the 101), then hand the
//! open connection to [`Live`].

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use super::live::Live;
use super::stream::{drain, finish, io_end, write_raw, Stream};
use super::tag::Tag;
use super::Opening;
use crate::handshake::{fault_response, plain, switching, Request, MAX_HEAD};
use crate::recorder::{EndReason, Event};
use crate::route::{parse_plan, split_session, Behaviour};
use crate::session::COMMAND_QUEUE;
use crate::shared::Shared;

enum HeadError {
    Timeout,
    Eof,
    TooLarge,
    Malformed(httparse::Error),
    Io(io::Error),
}

async fn read_head(
    stream: &mut Stream,
    timeout: Duration,
) -> Result<(Request, Vec<u8>), HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let read = async {
        loop {
            let mut chunk = [0u8; 2048];
            let n = stream.read(&mut chunk).await.map_err(HeadError::Io)?;
            if n == 0 {
                return Err(HeadError::Eof);
            }
            buf.extend_from_slice(&chunk[..n]);
            match Request::parse(&buf) {
                Ok(Some((req, used))) => return Ok((req, buf[used..].to_vec())),
                Ok(None) if buf.len() > MAX_HEAD => return Err(HeadError::TooLarge),
                Ok(None) => {}
                Err(e) => return Err(HeadError::Malformed(e)),
            }
        }
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(Err(HeadError::Timeout))
}

/// Writes an error response, records it, and closes.
async fn reject(shared: &Shared, tag: &mut Tag, stream: &mut Stream, status: u16, error: String) {
    tag.record(Event::HandshakeResponse {
        status,
        protocol: None,
        fault: None,
        error: Some(error.clone()),
    });
    let _ = stream.write_all(&plain(status, &error)).await;
    let _ = stream.flush().await;
    tag.end(EndReason::ServerClosed, None);
    finish(stream, shared.options.close_timeout).await;
}

pub(super) async fn serve(
    shared: &Arc<Shared>,
    tag: &mut Tag,
    mut stream: Stream,
    opening: Opening<'_>,
) {
    let opts = &shared.options;
    let (req, rest) = match read_head(&mut stream, opts.header_timeout).await {
        Ok(r) => r,
        Err(HeadError::Timeout) => {
            return tag.end(
                EndReason::Timeout,
                Some(format!(
                    "no complete request head within {:?}",
                    opts.header_timeout
                )),
            )
        }
        Err(HeadError::Eof) => {
            return tag.end(
                EndReason::PeerEof,
                Some("before a complete request head".into()),
            )
        }
        Err(HeadError::Io(e)) => return tag.end(io_end(&e), Some(e.to_string())),
        Err(HeadError::TooLarge) => {
            let msg = format!("request head larger than {MAX_HEAD} bytes");
            return reject(shared, tag, &mut stream, 431, msg).await;
        }
        Err(HeadError::Malformed(e)) => {
            return reject(
                shared,
                tag,
                &mut stream,
                400,
                format!("malformed HTTP request: {e}"),
            )
            .await
        }
    };
    let request_event = Event::HandshakeRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        protocols: req.protocols.clone(),
    };
    let (id, rest_path) = match split_session(&req.path) {
        Ok(x) => x,
        Err(e) => {
            tag.record(request_event);
            return reject(shared, tag, &mut stream, 404, e.to_string()).await;
        }
    };
    let Some(session) = shared.session(id) else {
        tag.record(request_event);
        let e = crate::route::PathError::UnknownSession { id: id.to_owned() };
        return reject(shared, tag, &mut stream, 404, e.to_string()).await;
    };
    let conn = tag.bind_session(session.inner.clone());
    tag.record(request_event);
    let plan = match parse_plan(rest_path) {
        Ok(p) => p,
        Err(e) => return reject(shared, tag, &mut stream, 400, e.to_string()).await,
    };
    if let Some(delay) = plan.options.delay {
        tokio::time::sleep(delay).await;
    }
    if let Behaviour::Fault(fault) = plan.behaviour {
        return match fault_response(fault, &req) {
            None => {
                tag.record(Event::NoResponse {
                    fault: fault.name(),
                });
                let (how, detail) = drain(&mut stream, opts.hold_timeout).await;
                tag.end(how, detail);
            }
            Some((bytes, status, protocol)) => {
                tag.record(Event::HandshakeResponse {
                    status,
                    protocol,
                    fault: Some(fault.name()),
                    error: None,
                });
                if let Err(e) = write_raw(&mut stream, &bytes).await {
                    return tag.end(io_end(&e), Some(e.to_string()));
                }
                if status == 101 {
                    // The client must fail the connection; wait for it to go.
                    let (how, detail) = drain(&mut stream, opts.hold_timeout).await;
                    tag.end(how, detail);
                } else {
                    tag.end(EndReason::ServerClosed, None);
                    finish(&mut stream, opts.close_timeout).await;
                }
            }
        };
    }
    let key = match req.check_upgrade() {
        Ok(k) => k.to_owned(),
        Err(e) => {
            return reject(
                shared,
                tag,
                &mut stream,
                400,
                format!("not a WebSocket upgrade: {e}"),
            )
            .await
        }
    };
    let protocol = plan
        .options
        .protocol
        .clone()
        .or_else(|| req.protocols.first().cloned());
    tag.record(Event::HandshakeResponse {
        status: 101,
        protocol: protocol.clone(),
        fault: None,
        error: None,
    });
    // Register for actions before the 101 goes out: a client may report
    // open (and a scenario act on the connection) as soon as it reads the
    // 101. Actions that arrive meanwhile wait in the queue until the
    // connection runs; if the write fails, `tag.end` unregisters it.
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    let room = match &plan.behaviour {
        Behaviour::Broadcast { room, .. } => Some(room.as_str()),
        _ => None,
    };
    session.inner.register(conn, tx, room);
    if let Err(e) = write_raw(
        &mut stream,
        &switching(
            &key,
            protocol.as_deref(),
            plan.options.connection.as_deref(),
        ),
    )
    .await
    {
        return tag.end(io_end(&e), Some(e.to_string()));
    }
    let ws =
        WebSocketStream::from_partially_read(stream, rest, Role::Server, Some(shared.ws_config))
            .await;
    opening.open.store(true, Ordering::Relaxed);
    let live = Live {
        stop: opening.stop,
        ws,
        shared: shared.clone(),
        session: session.inner.clone(),
        conn,
        plan,
        rx,
        received: 0,
        closing: None,
        close_done: false,
        close_received: false,
        raw_close: false,
    };
    let (how, detail) = live.run(tag).await;
    tag.end(how, detail);
}
