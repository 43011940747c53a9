//! The server's configuration ([`Options`]) and the description of where it
//! listens ([`Endpoints`]): plain data, read by every other layer.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How to start the server. `Options::default()`: every listener on
/// `127.0.0.1:0`, control API off.
#[derive(Debug, Clone)]
pub struct Options {
    /// The address the scenario listeners (`ws`, `wss.*`, `tcp.closed`)
    /// bind (default `127.0.0.1`). The control API always binds
    /// `127.0.0.1`. Set with [`Options::with_public_host`].
    pub bind: IpAddr,
    /// The host the listeners' URLs name instead of `127.0.0.1`, and that
    /// the good certificates name besides `localhost` and `127.0.0.1`
    /// (`None`, the default: loopback only). Set with
    /// [`Options::with_public_host`].
    pub public_host: Option<String>,
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
    /// How long [`Session::act`](crate::Session::act) waits for the connections to carry an action out.
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
    /// How many sessions may be live at once (default [`MAX_SESSIONS`]).
    pub max_sessions: usize,
}

/// The default cap on live sessions. A session costs under a kilobyte
/// before it records anything (its recording is bounded by
/// [`Options::max_events_per_session`]); the runner keeps one per running
/// scenario.
pub const MAX_SESSIONS: usize = 10_000;

impl Default for Options {
    fn default() -> Self {
        Options {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            public_host: None,
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
            max_sessions: MAX_SESSIONS,
        }
    }
}

impl Options {
    /// The same options for a server a device reaches at `host` (an IP
    /// address or a host name): the URLs name `host`, the good
    /// certificates name it too, and the scenario listeners bind the
    /// address `host` is when it is an IP literal (which must be one of
    /// this machine's), or every IPv4 interface (`0.0.0.0`) when it is a
    /// name (docs/decisions.md, "The mock server on an advertised host").
    pub fn with_public_host(mut self, host: &str) -> Options {
        self.bind = match bare_ip(host) {
            Some(ip) => ip,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        self.public_host = Some(host.to_owned());
        self
    }
}

/// `host` as an IP address, if it is one (an IPv6 address with or without
/// brackets).
pub(crate) fn bare_ip(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// Why `host` cannot be a public host: it must be an IP address or a DNS
/// name (letters, digits, `-` and `.`).
pub(crate) fn check_public_host(host: &str) -> Result<(), String> {
    if bare_ip(host).is_some() {
        return Ok(());
    }
    if host.is_empty() {
        return Err("it is empty".into());
    }
    match host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        Some(c) => Err(format!(
            "{c:?} is not allowed: give an IP address or a host name (letters, digits, '-', '.')"
        )),
        None => Ok(()),
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
