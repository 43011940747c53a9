//! The running server ([`MockServer`]): binds the listeners, builds the
//! shared state, runs the accept loops and the control API, shuts down. The
//! top layer: nothing in the crate imports it but `lib.rs`.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::catalogue::{tls_listener, CLOSED_LISTENER, HANG_LISTENER, PLAIN_LISTENER};
use crate::certs::{server_config, Catalogue};
use crate::conn::{handle, ListenerKind};
use crate::error::{Error, WaitError};
use crate::options::{bare_ip, check_public_host, Endpoints, Options};
use crate::recorder::RecordedEvent;
use crate::session::Session;
use crate::shared::Shared;

/// A running mock server. Dropping it, or [`MockServer::shutdown`], stops
/// every listener and connection.
pub struct MockServer {
    shared: Arc<Shared>,
    endpoints: Endpoints,
    addrs: BTreeMap<String, SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

async fn bind(name: &str, ip: IpAddr, port: u16) -> Result<TcpListener, Error> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).await.map_err(|source| Error::Bind {
        listener: name.to_owned(),
        addr,
        source,
    })
}

fn local(name: &str, l: &TcpListener) -> Result<SocketAddr, Error> {
    l.local_addr().map_err(|source| Error::Bind {
        listener: name.to_owned(),
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        source,
    })
}

/// `host` as the host part of a URL: an IPv6 address in brackets.
fn url_host(host: &str) -> String {
    match bare_ip(host) {
        Some(IpAddr::V6(ip)) => format!("[{ip}]"),
        _ => host.to_string(),
    }
}

impl MockServer {
    /// Generates the certificates, binds every listener and starts serving.
    pub async fn start(options: Options) -> Result<MockServer, Error> {
        if let Some(host) = &options.public_host {
            check_public_host(host).map_err(|reason| Error::PublicHost {
                host: host.clone(),
                reason,
            })?;
        }
        let catalogue = Catalogue::generate(options.public_host.as_deref())?;
        let ip = options.bind;
        let mut listeners: Vec<(String, TcpListener, ListenerKind, &str)> = Vec::new();
        listeners.push((
            PLAIN_LISTENER.into(),
            bind(PLAIN_LISTENER, ip, options.ws_port).await?,
            ListenerKind::Plain,
            "ws",
        ));
        for case in &catalogue.cases {
            let name = tls_listener(case.name);
            let acceptor = TlsAcceptor::from(server_config(case)?);
            listeners.push((
                name.clone(),
                bind(&name, ip, 0).await?,
                ListenerKind::Tls(acceptor),
                "wss",
            ));
        }
        listeners.push((
            HANG_LISTENER.into(),
            bind(HANG_LISTENER, ip, 0).await?,
            ListenerKind::Hang,
            "wss",
        ));

        // The URLs name the public host, else the address bound.
        let url_host = |addr: SocketAddr| match &options.public_host {
            Some(host) => url_host(host),
            None => url_host(&addr.ip().to_string()),
        };
        let mut addrs = BTreeMap::new();
        let mut base_urls = BTreeMap::new();
        for (name, l, _, scheme) in &listeners {
            let addr = local(name, l)?;
            addrs.insert(name.clone(), addr);
            base_urls.insert(
                name.clone(),
                format!("{scheme}://{}:{}", url_host(addr), addr.port()),
            );
        }
        // A port with nothing listening: bind, read the port, close.
        let closed = bind(CLOSED_LISTENER, ip, 0).await?;
        let closed_addr = local(CLOSED_LISTENER, &closed)?;
        drop(closed);
        addrs.insert(CLOSED_LISTENER.into(), closed_addr);
        base_urls.insert(
            CLOSED_LISTENER.into(),
            format!("ws://{}:{}", url_host(closed_addr), closed_addr.port()),
        );

        let ca_pem_path = match &options.ca_out {
            Some(path) => {
                std::fs::write(path, &catalogue.ca_pem).map_err(|source| Error::WriteCa {
                    path: path.clone(),
                    source,
                })?;
                Some(path.clone())
            }
            None => None,
        };

        let shared = Arc::new(Shared::new(
            options.clone(),
            base_urls.clone(),
            catalogue.ca_pem.clone(),
            catalogue.crl_pem.clone(),
        ));
        let (stop, _) = watch::channel(false);
        let mut tasks = Vec::new();
        let control = if options.control {
            // The control API is the runner's, never the device's: loopback.
            let l = bind(
                "control",
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                options.control_port,
            )
            .await?;
            let addr = local("control", &l)?;
            addrs.insert("control".into(), addr);
            tasks.push(tokio::spawn(crate::control::serve(
                shared.clone(),
                l,
                stop.subscribe(),
            )));
            Some(format!("http://{addr}"))
        } else {
            None
        };
        for (name, l, kind, _) in listeners {
            tasks.push(tokio::spawn(accept_loop(
                shared.clone(),
                l,
                name.into(),
                kind,
                stop.subscribe(),
            )));
        }
        let endpoints = Endpoints {
            listeners: base_urls,
            control,
            ca_pem_path,
        };
        shared.set_endpoints(endpoints.clone());
        Ok(MockServer {
            shared,
            endpoints,
            addrs,
            stop,
            tasks,
        })
    }

    /// Where everything listens.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The socket address of a listener (`ws`, `wss.valid`, ..., `control`)
    /// as bound: `0.0.0.0:PORT` when [`Options::bind`] is unspecified.
    pub fn addr(&self, listener: &str) -> Option<SocketAddr> {
        self.addrs.get(listener).copied()
    }

    /// The PEM of the test CA that signs the `valid`, `expired`,
    /// `not-yet-valid`, `wrong-host` and `intermediate` chains.
    pub fn ca_pem(&self) -> &str {
        &self.shared.ca_pem
    }

    /// The PEM of the test CA's certificate revocation list, which lists the
    /// `revoked` leaf (and nothing else).
    pub fn crl_pem(&self) -> &str {
        &self.shared.crl_pem
    }

    /// The base URL of a listener, e.g. `"ws"` gives `ws://127.0.0.1:PORT`.
    pub fn base_url(&self, listener: &str) -> Option<String> {
        self.endpoints.listeners.get(listener).cloned()
    }

    /// Creates a session with a fresh id. It lives while this handle (or a
    /// clone) or one of its connections does, or until
    /// [`MockServer::delete_session`]; then its id no longer routes (404)
    /// and its place is free.
    ///
    /// # Panics
    ///
    /// When [`Options::max_sessions`] sessions are live;
    /// [`MockServer::try_create_session`] returns the error instead.
    pub fn create_session(&self) -> Session {
        self.try_create_session().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Creates a session with a fresh id, like [`MockServer::create_session`].
    ///
    /// # Errors
    ///
    /// [`Error::TooManySessions`] when [`Options::max_sessions`] sessions
    /// are live.
    pub fn try_create_session(&self) -> Result<Session, Error> {
        self.shared.create_session()
    }

    /// The session with this id, if it exists.
    pub fn session(&self, id: &str) -> Option<Session> {
        self.shared.session(id)
    }

    /// Removes a session: later connections to its paths get 404 and its
    /// place is free. Its open connections get a close frame 1001 (`session
    /// deleted`) and end with the client's answer. The handle (if any) keeps
    /// its recording.
    pub fn delete_session(&self, id: &str) -> bool {
        self.shared.delete_session(id).is_some()
    }

    /// What connections that reached no session did (bad paths, unknown
    /// sessions, TLS failures, slow or malformed heads): the newest events.
    pub fn unrouted(&self) -> Vec<RecordedEvent> {
        self.shared.unrouted.snapshot()
    }

    /// Like [`Session::wait_for`], over the unrouted log.
    pub async fn wait_for_unrouted<F: Fn(&RecordedEvent) -> bool>(
        &self,
        predicate: F,
        timeout: Duration,
    ) -> Result<RecordedEvent, WaitError> {
        self.shared.unrouted.wait_for(predicate, timeout).await
    }

    /// Stops every listener and connection and waits for them to finish:
    /// connections not open yet end at once, open ones send a close frame
    /// 1001 (`server shutting down`) first; one blocked on a write is
    /// aborted after [`Options::close_timeout`]. (Dropping the server aborts
    /// everything without close frames.)
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    name: Arc<str>,
    kind: ListenerKind,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let conn_stop = stop.clone();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    conns.spawn(handle(shared.clone(), name.clone(), kind.clone(), tcp, peer, conn_stop.clone()));
                }
                // Out of file descriptors and the like: back off briefly
                // rather than spin; the listener stays up.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
    // Connections not open yet end at once; open ones send a close frame
    // 1001 first. One blocked on a write is aborted after the close timeout.
    let all_ended = async { while conns.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(shared.options.close_timeout, all_ended).await;
    conns.shutdown().await;
}
