//! The adapter protocol carried over HTTP, for an agent (`agent/agent.js`)
//! inside a runtime the runner cannot start: a mini-program on a phone or
//! in the vendor's IDE simulator, a page, Node.js.
//!
//! [`AgentServer::start`] serves the agent's endpoint (axum) on
//! [`AgentOptions::listen`] with a one-time token; [`AgentServer::accept`]
//! waits for the agent to join and gives the [`AgentAdapter`], the
//! [`Adapter`](crate::Adapter) the runner drives: requests go into a queue
//! the agent long-polls, the agent posts back responses and events in
//! order, and each is checked as a process adapter's lines are. The wire
//! format is in `docs/adapter-protocol.md` ("The agent: the protocol over
//! HTTP"):
//!
//! - `POST join {token}`: the agent joins once; a wrong token is refused
//!   (401) and nothing runs; a second agent is refused (409) while one is
//!   running, and after it (the token is spent);
//! - `POST ping {session}`: the agent measures its round trip (its
//!   `quietMs`);
//! - `POST poll {session, next}`: requests from index `next` on, held
//!   until there are some or [`AgentOptions::hold`] passes;
//! - `POST events {session, seq, messages: [{at, message}]}`: messages
//!   from index `seq` on, each with the platform's timestamp; resent ones
//!   are dropped;
//! - `GET ca.pem?token=`: the mock server's CA, for a host that must trust
//!   it before its agent starts (a browser's certificate store).
//!
//! The agent has gone away when no poll has been open for
//! [`AgentOptions::gone_after`]: every later call fails with
//! [`AdapterError::Gone`], at once.

mod adapter;
mod routes;
mod state;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::Instant;

pub use self::adapter::AgentAdapter;
use self::state::Shared;
use crate::error::AdapterError;

/// The path under which the endpoint is served.
pub const AGENT_PATH: &str = "/agent/v1";

/// How the agent's endpoint is served.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    /// Where to listen (default `127.0.0.1:0`: loopback, an ephemeral port).
    pub listen: SocketAddr,
    /// The host name or address the printed URL names (default: the
    /// address listened on; a device needs the machine's LAN address).
    pub advertise_host: Option<String>,
    /// How long a poll is held open when there is nothing to send
    /// (default 10 s: under every mini-program's request timeout).
    pub hold: Duration,
    /// How long without an open poll before the agent is taken to have
    /// gone away (default 5 s).
    pub gone_after: Duration,
    /// The token (default: 128 random bits, as hex).
    pub token: Option<String>,
}

impl Default for AgentOptions {
    fn default() -> Self {
        AgentOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            advertise_host: None,
            hold: Duration::from_secs(10),
            gone_after: Duration::from_secs(5),
            token: None,
        }
    }
}

/// Why the endpoint could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentServerError {
    /// The address cannot be bound.
    #[error("cannot listen for the agent on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No random token could be made.
    #[error("cannot make a random token: {0}")]
    Token(String),
    /// Not called inside a Tokio runtime.
    #[error("AgentServer::start must be called inside a Tokio runtime")]
    NoRuntime,
}

/// The agent's endpoint, served until the last clone is dropped.
#[derive(Clone)]
pub struct AgentServer {
    inner: Arc<ServerInner>,
}

struct ServerInner {
    shared: Arc<Shared>,
    url: String,
    advertise_host: Option<String>,
    token: String,
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

impl Drop for ServerInner {
    fn drop(&mut self) {
        self.shared.end("the runner stopped serving the agent");
        if let Some(stop) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for AgentServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentServer")
            .field("url", &self.inner.url)
            .finish_non_exhaustive()
    }
}

impl PartialEq for AgentServer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for AgentServer {}

impl AgentServer {
    /// Binds [`AgentOptions::listen`] and serves the endpoint on the
    /// current Tokio runtime.
    ///
    /// # Errors
    ///
    /// The address cannot be bound, no token can be made, or no runtime.
    pub async fn start(options: AgentOptions) -> Result<AgentServer, AgentServerError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(AgentServerError::NoRuntime);
        }
        let token = match options.token.clone() {
            Some(token) => token,
            None => random_hex().map_err(AgentServerError::Token)?,
        };
        let listener =
            TcpListener::bind(options.listen)
                .await
                .map_err(|source| AgentServerError::Bind {
                    addr: options.listen,
                    source,
                })?;
        let bound = listener
            .local_addr()
            .map_err(|source| AgentServerError::Bind {
                addr: options.listen,
                source,
            })?;
        let host = options
            .advertise_host
            .clone()
            .unwrap_or_else(|| host_of(bound.ip()));
        let url = format!("http://{host}:{}{AGENT_PATH}", bound.port());
        let shared = Shared::new(token.clone(), options.hold, options.gone_after);
        let (stop_tx, stop_rx) = oneshot::channel();
        let app = routes::router(Arc::clone(&shared));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await;
        });
        tokio::spawn(state::watch_liveness(Arc::clone(&shared)));
        Ok(AgentServer {
            inner: Arc::new(ServerInner {
                shared,
                url,
                advertise_host: options.advertise_host.clone(),
                token,
                stop: std::sync::Mutex::new(Some(stop_tx)),
            }),
        })
    }

    /// The URL an agent is given (`http://HOST:PORT/agent/v1`).
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// [`AgentOptions::advertise_host`]: the host a device reaches this
    /// machine at, if given (the runner puts the mock server there too).
    pub fn advertise_host(&self) -> Option<&str> {
        self.inner.advertise_host.as_deref()
    }

    /// The one-time token an agent is given.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// Makes the mock server's CA available at `ca.pem` (for a host that
    /// must install it before its agent starts).
    pub fn offer_ca(&self, pem: &str) {
        self.inner.shared.offer_ca(pem);
    }

    /// Waits until an agent joins (at most until `deadline`, or for ever)
    /// and gives the adapter that drives it. There is one per server.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Timeout`] at the deadline, [`AdapterError::Gone`]
    /// when the agent was already taken or the server stopped.
    pub async fn accept(&self, deadline: Option<Instant>) -> Result<AgentAdapter, AdapterError> {
        let joined = self.inner.shared.joined();
        let incoming = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, joined)
                .await
                .map_err(|_| AdapterError::Timeout)??,
            None => joined.await?,
        };
        Ok(AgentAdapter::new(Arc::clone(&self.inner.shared), incoming))
    }

    /// Ends the endpoint for the agent: its next poll is told the run is
    /// over, and whatever waits on it fails.
    pub fn end(&self, reason: &str) {
        self.inner.shared.end(reason);
    }
}

/// An IP address as a URL's host (IPv6 in brackets).
fn host_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// 128 random bits as 32 hex digits.
pub(crate) fn random_hex() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
