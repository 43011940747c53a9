//! The vocabulary every layer shares: call and listener names, socket ids
//! and states, and the errors of the implementation's own set-up.

/// The id of an API call that takes `success` / `fail` / `complete`: its
/// callbacks are reported as [`Event::Callback`](crate::Event::Callback)
/// with this id (the adapter uses the request id).
pub type CallId = u64;

/// A pending call's callbacks: its id, and the method it was (whose
/// global twin the `wx` face names in `errMsg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The call's id.
    pub(crate) id: CallId,
    /// `connectSocket`, `sendSocketMessage` or `closeSocket`.
    pub(crate) method: adapter_protocol::Method,
}

/// The name of a listener function (the adapter's `"L1"`): the same name is
/// the same function.
pub type ListenerName = String;

/// A socket's id inside one [`My`](crate::My); never reused, even across a reset.
pub(crate) type SocketId = u64;

/// The state of a socket, as a WebSocket's `readyState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadyState {
    /// The handshake is under way.
    Connecting,
    /// The open event has been dispatched; messages can be sent.
    Open,
    /// A close was asked for; the close event has not been dispatched yet.
    Closing,
    /// The close event has been dispatched, or the socket never started.
    Closed,
}

/// Errors of the reference implementation's own set-up (never API failures:
/// those go through `fail` and `onError`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `caCertificatesPem` could not be read as PEM.
    #[error("caCertificatesPem is not a valid PEM bundle")]
    InvalidCaPem(#[source] rustls_pki_types::pem::Error),
    /// A certificate of `caCertificatesPem` cannot be a trust anchor.
    #[error("caCertificatesPem holds a certificate that cannot be a trust anchor")]
    InvalidCaCertificate(#[source] rustls::Error),
    /// rustls refused the TLS set-up.
    #[error("the TLS client configuration could not be built")]
    Tls(#[source] rustls::Error),
}
