//! What the runner sends: the configuration of `hello`, the requests
//! and their operations, calls and the calls nested in them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{CallbackKind, Face};

/// The configuration the runner sends with `hello` (`hello.config`).
///
/// Every key is optional on the wire; absent keys take the vendor's
/// defaults (see [`Config::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Config {
    /// PEM bundle of extra trust anchors, trusted in addition to the
    /// implementation's own roots. Never an "accept anything" switch.
    pub ca_certificates_pem: String,
    /// Deadline for TCP connect + TLS + HTTP upgrade; past it, error 6.
    pub connect_timeout_ms: u64,
    /// How long a close handshake waits for the peer's close frame.
    pub close_timeout_ms: u64,
    /// The largest message sent or received (errors 11 and 12).
    pub max_message_bytes: u64,
    /// The limit on sockets not CLOSED at once.
    pub max_tasks: u32,
    /// Only `wss://` URLs may be used (error 8 for `ws://`).
    pub wss_only: bool,
    /// The host names a connect may reach (rule `connect.domain`); `None`
    /// (absent on the wire) means no list. Added within version 1: it is
    /// written only when set, so adapters that predate it never see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
}

impl Default for Config {
    /// The vendor's values: 30 s connect timeout, 5 tasks (the default
    /// face's limit of sockets), no extra CAs, ws allowed, a 16 MiB message
    /// limit and a 5 s close timeout (the last two are reference choices,
    /// see `docs/decisions.md`).
    fn default() -> Self {
        Config {
            ca_certificates_pem: String::new(),
            connect_timeout_ms: 30_000,
            close_timeout_ms: 5_000,
            max_message_bytes: 16 * 1024 * 1024,
            max_tasks: Face::default().limits.max_sockets,
            wss_only: false,
            allowed_hosts: None,
        }
    }
}

impl Config {
    /// The wire names of every config key, in the order of the protocol
    /// document; `hello`'s `unsupported` list names keys from this set.
    pub const KEYS: [&'static str; 7] = [
        "caCertificatesPem",
        "connectTimeoutMs",
        "closeTimeoutMs",
        "maxMessageBytes",
        "maxTasks",
        "wssOnly",
        "allowedHosts",
    ];
}

/// A request from the runner to the adapter: an `id` and an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Unique for the adapter's lifetime.
    pub id: u64,
    /// What to do.
    #[serde(flatten)]
    pub op: Op,
}

/// The operation of a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
// A request is built and sent once: boxing `Call` would only cost every
// user of the type a dereference.
#[allow(clippy::large_enum_variant)]
pub enum Op {
    /// First request, once: set up the implementation under test.
    Hello {
        /// Always [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION).
        protocol: u32,
        /// The configuration.
        config: Config,
        /// The profile the run checks (a [`Profile`] name), so that one
        /// adapter can serve several; absent for the default profile.
        /// Added within version 1: written only when set, and an adapter
        /// that does not know it ignores it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
    },
    /// Invoke one API method.
    Call(Call),
    /// End every socket without events; drop every listener and task.
    Reset {
        /// The config the instance runs with from now on; absent: the one
        /// it had. Added within version 1 for adapters that hold several
        /// instances (each scenario brings its own config); written only
        /// when set, so an adapter that predates it sees `{"op":"reset"}`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config: Option<Config>,
    },
    /// Reply, then exit with status 0.
    Shutdown,
}

/// One API invocation: the body of a `call` request, or a nested call in
/// `then` / `within`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// `"my"`, a task handle (`"t1"`), or `"$returned"` in a nested call.
    pub target: String,
    /// The method name as in JavaScript (`connectSocket`, `send`, `onOpen`, …).
    pub method: String,
    /// The method's object argument without its functions, passed through
    /// as given (wrong types included). `None`: an object that holds only
    /// the callbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// Call the method with no argument at all (and so with no callbacks).
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_argument: bool,
    /// The listener's name for `on*` / `off*` methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Calls made synchronously right after this method returned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<NestedCall>,
    /// Calls made inside this call's callbacks, each time they run.
    #[serde(default, skip_serializing_if = "Within::is_empty")]
    pub within: Within,
}

impl Call {
    /// The ids of every nested call (`then` and `within`), at any depth:
    /// each is answered by a response of its own.
    pub fn nested_ids(&self) -> Vec<u64> {
        let mut ids = Vec::new();
        self.collect_nested_ids(&mut ids);
        ids
    }

    fn collect_nested_ids(&self, ids: &mut Vec<u64>) {
        for nested in self.then.iter().chain(self.within.iter()) {
            ids.push(nested.id);
            nested.call.collect_nested_ids(ids);
        }
    }
}

/// A call made by the adapter itself, synchronously, inside another call's
/// tick: it has its own `id` like any request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NestedCall {
    /// Unique like any other request id.
    pub id: u64,
    /// The call itself.
    #[serde(flatten)]
    pub call: Call,
}

/// Calls to make inside the callbacks of a call.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Within {
    /// Made inside `success`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub success: Vec<NestedCall>,
    /// Made inside `fail`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fail: Vec<NestedCall>,
    /// Made inside `complete`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub complete: Vec<NestedCall>,
    /// On an `on*` call: made inside the listener function the next time it
    /// runs, once (after its `listener` event is written). This is how a
    /// scenario adds or removes a listener while an event is dispatched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listener: Vec<NestedCall>,
}

impl Within {
    /// No nested call in any callback.
    pub fn is_empty(&self) -> bool {
        self.success.is_empty()
            && self.fail.is_empty()
            && self.complete.is_empty()
            && self.listener.is_empty()
    }

    /// Every nested call, callbacks' first, then the listener's.
    pub fn iter(&self) -> impl Iterator<Item = &NestedCall> {
        self.success
            .iter()
            .chain(&self.fail)
            .chain(&self.complete)
            .chain(&self.listener)
    }

    /// The nested calls for one callback kind.
    pub fn for_kind(&self, kind: CallbackKind) -> &[NestedCall] {
        match kind {
            CallbackKind::Success => &self.success,
            CallbackKind::Fail => &self.fail,
            CallbackKind::Complete => &self.complete,
        }
    }
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
