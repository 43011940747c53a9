//! One connection, from TCP accept to its end: TLS, the hand-written
//! handshake, then the behaviour its path chose.
//!
//! Read top-down: this module accepts (TLS or not); [`upgrade`] reads the
//! request head and answers the handshake; [`live`] runs an open
//! WebSocket connection's behaviour; [`tag`] records where the
//! connection's events go; [`stream`] is the byte stream under it all.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::recorder::{EndReason, Event};
use crate::shared::Shared;

mod live;
mod stream;
mod tag;
mod upgrade;

use stream::{drain, Stream};
use tag::{Sink, Tag};
use upgrade::serve;

/// What a listener does with a new TCP connection.
#[derive(Clone)]
pub(crate) enum ListenerKind {
    Plain,
    Tls(TlsAcceptor),
    /// Accept TCP, never answer (not even the TLS ClientHello).
    Hang,
}

/// Serves one accepted TCP connection to its end. When `stop` turns (the
/// server shuts down), a connection that is not open yet ends at once
/// (recorded as `ended: shutdown` by its [`Tag`]); an open one sends a close
/// frame 1001 first ([`Live::run`]).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    listener: Arc<str>,
    kind: ListenerKind,
    tcp: TcpStream,
    peer: SocketAddr,
    stop: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    let mut tag = Tag {
        shared: shared.clone(),
        accepted: Some(Event::Accepted {
            listener: listener.to_string(),
            peer: peer.to_string(),
        }),
        sink: Sink::Pending,
        ended: false,
        ack_on_end: None,
    };
    let open = AtomicBool::new(false);
    let mut before_open = stop.clone();
    let stopped_before_open = async {
        let _ = before_open.changed().await;
        if open.load(Ordering::Relaxed) {
            // An open connection closes itself on the same signal.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = accept(&shared, &mut tag, kind, tcp, Opening { open: &open, stop }) => {}
        () = stopped_before_open => {}
    }
}

/// What a connection needs to become open: the flag it raises once it is,
/// and the shutdown signal it then watches itself.
struct Opening<'a> {
    open: &'a AtomicBool,
    stop: watch::Receiver<bool>,
}

/// The TLS handshake if any, then [`serve`].
async fn accept(
    shared: &Arc<Shared>,
    tag: &mut Tag,
    kind: ListenerKind,
    tcp: TcpStream,
    opening: Opening<'_>,
) {
    let opts = &shared.options;
    match kind {
        ListenerKind::Hang => {
            tag.record(Event::NoResponse {
                fault: "tls-hang".into(),
            });
            let mut s = Stream::Plain(tcp);
            let (how, detail) = drain(&mut s, opts.hold_timeout).await;
            tag.end(how, detail);
        }
        ListenerKind::Plain => serve(shared, tag, Stream::Plain(tcp), opening).await,
        ListenerKind::Tls(acceptor) => {
            match tokio::time::timeout(opts.header_timeout, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => serve(shared, tag, Stream::Tls(Box::new(tls)), opening).await,
                Ok(Err(e)) => {
                    tag.record(Event::TlsFailed {
                        error: e.to_string(),
                    });
                    tag.end(EndReason::Error, Some(e.to_string()));
                }
                Err(_) => tag.end(
                    EndReason::Timeout,
                    Some(format!("no TLS handshake within {:?}", opts.header_timeout)),
                ),
            }
        }
    }
}
