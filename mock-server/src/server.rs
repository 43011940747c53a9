//! The running server: listeners, sessions, shutdown.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::certs::{server_config, Catalogue};
use crate::conn::{handle, ListenerKind};
use crate::error::{Error, WaitError};
use crate::recorder::{RecordedEvent, Recorder};
use crate::session::Session;

/// How to start the server. `Options::default()`: every listener on
/// `127.0.0.1:0`, control API off.
#[derive(Debug, Clone)]
pub struct Options {
    /// Port of the `ws` listener (0: ephemeral).
    pub ws_port: u16,
    /// Start the HTTP control API.
    pub control: bool,
    /// Port of the control API (0: ephemeral).
    pub control_port: u16,
    /// Write the test CA's PEM to this file at start-up.
    pub ca_out: Option<PathBuf>,
    /// Deadline for the TLS handshake and for the whole request head.
    pub header_timeout: Duration,
    /// How long the server waits for the client's close answer (or FIN).
    pub close_timeout: Duration,
    /// How long a connection that is held (`never-answer`, `stop-reading`,
    /// `close-answer=never`, a faulty 101) is kept at most.
    pub hold_timeout: Duration,
    /// How long [`Session::act`] waits for the connections to carry an action out.
    pub action_timeout: Duration,
    /// Largest message accepted from a client (tungstenite's `max_message_size`).
    pub max_message_size: usize,
    /// Largest frame accepted from a client.
    pub max_frame_size: usize,
    /// How many payload bytes a message event records.
    pub payload_capture: usize,
    /// How many events a session records before a single `overflow` event.
    pub max_events_per_session: usize,
    /// How many events the unrouted log keeps (the newest).
    pub unrouted_capacity: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ws_port: 0,
            control: false,
            control_port: 0,
            ca_out: None,
            header_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            hold_timeout: Duration::from_secs(120),
            action_timeout: Duration::from_secs(5),
            max_message_size: 16 << 20,
            max_frame_size: 16 << 20,
            payload_capture: 4096,
            max_events_per_session: 10_000,
            unrouted_capacity: 1_000,
        }
    }
}

/// Where everything listens. Serialises as
/// `{"listeners": {"ws": "ws://127.0.0.1:PORT", "wss.valid": "wss://...", ...},
/// "control": "http://127.0.0.1:PORT" | null, "caPemPath": "/path" | null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// Base URL of every listener by name.
    pub listeners: BTreeMap<String, String>,
    /// Base URL of the control API, when it runs.
    pub control: Option<String>,
    /// Where the CA PEM was written, if it was.
    pub ca_pem_path: Option<PathBuf>,
}

pub(crate) struct Shared {
    pub(crate) options: Options,
    sessions: Mutex<HashMap<String, Session>>,
    next_session: AtomicU64,
    pub(crate) base_urls: Arc<BTreeMap<String, String>>,
    pub(crate) unrouted: Recorder,
    pub(crate) next_conn: AtomicU32,
    pub(crate) ws_config: WebSocketConfig,
    pub(crate) ca_pem: String,
    pub(crate) crl_pem: String,
    pub(crate) endpoints: Mutex<Option<Endpoints>>,
}

impl Shared {
    pub(crate) fn session(&self, id: &str) -> Option<Session> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn create_session(&self) -> Session {
        let n = self.next_session.fetch_add(1, Ordering::Relaxed) + 1;
        let session = Session::new(
            format!("s{n}"),
            self.base_urls.clone(),
            self.options.max_events_per_session,
            self.options.action_timeout,
        );
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(session.id().to_owned(), session.clone());
        session
    }

    pub(crate) fn delete_session(&self, id: &str) -> Option<Session> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }

    pub(crate) fn endpoints(&self) -> Endpoints {
        self.endpoints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| Endpoints {
                listeners: (*self.base_urls).clone(),
                control: None,
                ca_pem_path: None,
            })
    }
}

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

async fn bind(name: &str, port: u16) -> Result<TcpListener, Error> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
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

impl MockServer {
    /// Generates the certificates, binds every listener and starts serving.
    pub async fn start(options: Options) -> Result<MockServer, Error> {
        let catalogue = Catalogue::generate()?;
        let mut listeners: Vec<(String, TcpListener, ListenerKind, &str)> = Vec::new();
        listeners.push((
            "ws".into(),
            bind("ws", options.ws_port).await?,
            ListenerKind::Plain,
            "ws",
        ));
        for case in &catalogue.cases {
            let name = format!("wss.{}", case.name);
            let acceptor = TlsAcceptor::from(server_config(case)?);
            listeners.push((
                name.clone(),
                bind(&name, 0).await?,
                ListenerKind::Tls(acceptor),
                "wss",
            ));
        }
        listeners.push((
            "wss.hang".into(),
            bind("wss.hang", 0).await?,
            ListenerKind::Hang,
            "wss",
        ));

        let mut addrs = BTreeMap::new();
        let mut base_urls = BTreeMap::new();
        for (name, l, _, scheme) in &listeners {
            let addr = local(name, l)?;
            addrs.insert(name.clone(), addr);
            base_urls.insert(name.clone(), format!("{scheme}://{addr}"));
        }
        // A port with nothing listening: bind, read the port, close.
        let closed = bind("tcp.closed", 0).await?;
        let closed_addr = local("tcp.closed", &closed)?;
        drop(closed);
        addrs.insert("tcp.closed".into(), closed_addr);
        base_urls.insert("tcp.closed".into(), format!("ws://{closed_addr}"));

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

        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(options.max_message_size))
            .max_frame_size(Some(options.max_frame_size));
        let shared = Arc::new(Shared {
            unrouted: Recorder::new(options.unrouted_capacity, true),
            options: options.clone(),
            sessions: Mutex::new(HashMap::new()),
            next_session: AtomicU64::new(0),
            base_urls: Arc::new(base_urls.clone()),
            next_conn: AtomicU32::new(0),
            ws_config,
            ca_pem: catalogue.ca_pem.clone(),
            crl_pem: catalogue.crl_pem.clone(),
            endpoints: Mutex::new(None),
        });
        let (stop, _) = watch::channel(false);
        let mut tasks = Vec::new();
        let control = if options.control {
            let l = bind("control", options.control_port).await?;
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
        *shared.endpoints.lock().unwrap_or_else(|e| e.into_inner()) = Some(endpoints.clone());
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

    /// The socket address of a listener (`ws`, `wss.valid`, ..., `control`).
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

    /// Creates a session with a fresh id.
    pub fn create_session(&self) -> Session {
        self.shared.create_session()
    }

    /// The session with this id, if it exists.
    pub fn session(&self, id: &str) -> Option<Session> {
        self.shared.session(id)
    }

    /// Removes a session: later connections to its paths get 404. Live
    /// connections go on until they end. The handle (if any) keeps its recording.
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

    /// Stops every listener and connection and waits for them to finish.
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
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    conns.spawn(handle(shared.clone(), name.clone(), kind.clone(), tcp, peer));
                }
                // Out of file descriptors and the like: back off briefly
                // rather than spin; the listener stays up.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
    conns.shutdown().await;
}
