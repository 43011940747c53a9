//! The adapter protocol, version 1: the messages the runner and an adapter
//! exchange, as Rust types that serialise one to one to the JSON Lines of
//! `docs/adapter-protocol.md`.
//!
//! The crate holds data only: no I/O, no process handling. The runner, the
//! in-process reference adapter and the stdio reference adapter all speak
//! these types, so the in-process path and the process path cannot drift
//! apart.
//!
//! Requests go from the runner to the adapter ([`Request`]); responses and
//! events come back ([`AdapterMessage`]).
//!
//! The facts the messages carry (the methods, the event types, the faces
//! of the API and the profiles) are the `spec` crate's, re-exported here.

pub use spec::{EventType, Face, Method, MethodKind, MethodTarget, Profile, UnknownProfile};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The protocol version this crate implements.
pub const PROTOCOL_VERSION: u32 = 1;

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
        /// Always [`PROTOCOL_VERSION`].
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

fn is_false(b: &bool) -> bool {
    !*b
}

/// Which of a call's callbacks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CallbackKind {
    /// `success`
    Success,
    /// `fail`
    Fail,
    /// `complete`
    Complete,
}

/// A message from the adapter to the runner: a response or an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AdapterMessage {
    /// The answer to a request (or a nested call).
    Response(Response),
    /// Something the implementation did.
    Event(Event),
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The request's id.
    pub id: u64,
    /// `true` with a `result`, `false` with an `error` (a protocol problem,
    /// never an API failure: those go through `fail`).
    pub ok: bool,
    /// The result of a successful request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// What was wrong with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Response {
    /// A successful response.
    pub fn ok(id: u64, result: Value) -> Self {
        Response {
            id,
            ok: true,
            result: Some(result),
            error: None,
        }
    }

    /// A protocol error.
    pub fn error(id: u64, error: impl Into<String>) -> Self {
        Response {
            id,
            ok: false,
            result: None,
            error: Some(error.into()),
        }
    }
}

/// An event reported by the adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Event {
    /// One of a call's `success` / `fail` / `complete` ran.
    Callback {
        /// The id of the call that passed the function.
        call: u64,
        /// Which callback.
        kind: CallbackKind,
        /// Its argument.
        res: Value,
        /// Invoked synchronously, inside the method (a conformance failure
        /// of `order.async`, reported rather than hidden).
        #[serde(default, skip_serializing_if = "is_false")]
        sync: bool,
    },
    /// A listener ran.
    Listener {
        /// `"my"` or a task handle.
        target: String,
        /// The runner's name for the listener function.
        listener: String,
        /// The event type.
        #[serde(rename = "type")]
        event_type: EventType,
        /// Its argument.
        res: Value,
    },
    /// Free text from the adapter.
    Log {
        /// The text.
        text: String,
    },
}

/// The `result` of `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloResult {
    /// The implementation's name.
    pub name: String,
    /// The implementation's version.
    pub version: String,
    /// Always [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// Config keys the adapter cannot honour (names from [`Config::KEYS`]).
    #[serde(default)]
    pub unsupported: Vec<String>,
    /// The face of the API the adapter serves, by its global object's
    /// name; absent means `my`, the default face, so adapters written
    /// before this field keep working. Added within version 1. Written
    /// only when it is not the default, so a `my` adapter's result is as
    /// before.
    #[serde(default, skip_serializing_if = "Face::is_default")]
    pub api: Face,
    /// How many independent instances of the implementation the adapter
    /// holds at once (requests name one with `instance`); absent means 1.
    /// Added within version 1; written only when it is not 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub instances: u32,
    /// How long, in milliseconds, an event the implementation has already
    /// sent can take to reach the runner through the adapter (a page, a
    /// device): a `settle` window shorter than it is widened to it, so
    /// that what is due is recorded before the scenario's next step.
    /// Absent means 0 (every window as the scenario says). Added within
    /// version 1; written only when it is not 0.
    #[serde(default, skip_serializing_if = "is_zero_ms")]
    pub quiet_ms: u64,
}

fn is_zero_ms(n: &u64) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A request or a message from the adapter with the instance of the
/// implementation it is for (`instance`, absent means 0): the envelope of
/// every line to and from an adapter whose `hello` result declared
/// `instances` above 1. Instance 0 is written without the field, so a
/// line for instance 0 is the line of an adapter without instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instanced<T> {
    /// The instance (0 ≤ instance < [`HelloResult::instances`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub instance: u32,
    /// The request or message itself.
    #[serde(flatten)]
    pub message: T,
}

/// Builds the `{ "returned": … }` result of a `call`.
pub fn call_result(task: Option<&str>) -> Value {
    let mut map = Map::new();
    map.insert(
        "returned".into(),
        match task {
            Some(handle) => serde_json::json!({ "task": handle }),
            None => Value::Null,
        },
    );
    Value::Object(map)
}

/// The target name of the global socket API of the `my` face, and the
/// name every scenario gives the global object whatever the face (the
/// runner sends the face's own [`Face::name`]).
pub const TARGET_MY: &str = "my";
/// The nested-call target naming the task the enclosing call returned.
pub const TARGET_RETURNED: &str = "$returned";

/// The key that marks an ArrayBuffer value in JSON: `{ "$binary": "<base64>" }`.
pub const BINARY_KEY: &str = "$binary";

/// The text of an error and every cause below it, joined by `": "`, as the
/// workspace's binaries print errors and as the reference writes the
/// `error` of a response.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        // thiserror's `#[error(transparent)]` and `{0}` messages repeat
        // their source: print each text once.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instanced_lines_round_trip_and_absent_means_instance_0() {
        let line =
            json!({"id": 3, "op": "call", "target": "my", "method": "closeSocket", "instance": 5});
        let request: Instanced<Request> = serde_json::from_value(line.clone()).unwrap();
        assert_eq!(request.instance, 5);
        assert_eq!(request.message.id, 3);
        assert_eq!(serde_json::to_value(&request).unwrap(), line);

        let plain = json!({"id": 4, "op": "reset"});
        let request: Instanced<Request> = serde_json::from_value(plain.clone()).unwrap();
        assert_eq!(request.instance, 0);
        assert_eq!(request.message.op, Op::Reset { config: None });
        assert_eq!(serde_json::to_value(&request).unwrap(), plain);

        let reset = json!({"id": 5, "op": "reset", "config": {"maxTasks": 2}, "instance": 1});
        let request: Instanced<Request> = serde_json::from_value(reset.clone()).unwrap();
        let Op::Reset {
            config: Some(config),
        } = &request.message.op
        else {
            panic!("not a reset with config: {request:?}")
        };
        assert_eq!(config.max_tasks, 2);
        // A config is written whole (its defaults included).
        let written = serde_json::to_value(&request).unwrap();
        assert_eq!(written["instance"], 1);
        assert_eq!(
            serde_json::from_value::<Instanced<Request>>(written).unwrap(),
            request
        );

        let event = json!({"event": "listener", "target": "t1", "listener": "L", "type": "open", "res": {}, "instance": 2});
        let message: Instanced<AdapterMessage> = serde_json::from_value(event.clone()).unwrap();
        assert_eq!(message.instance, 2);
        assert!(matches!(
            message.message,
            AdapterMessage::Event(Event::Listener { .. })
        ));
        assert_eq!(serde_json::to_value(&message).unwrap(), event);
        let response = json!({"id": 9, "ok": true, "result": {}});
        let message: Instanced<AdapterMessage> = serde_json::from_value(response.clone()).unwrap();
        assert_eq!(message.instance, 0);
        assert_eq!(serde_json::to_value(&message).unwrap(), response);
    }

    #[test]
    fn hello_result_instances_default_to_one_and_are_written_only_above_it() {
        let old = json!({"name": "x", "version": "1", "protocol": 1});
        let hello: HelloResult = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(hello.instances, 1);
        assert_eq!(
            serde_json::to_value(&hello).unwrap(),
            json!({"name": "x", "version": "1", "protocol": 1, "unsupported": []})
        );
        let many: HelloResult = serde_json::from_value(
            json!({"name": "x", "version": "1", "protocol": 1, "instances": 64}),
        )
        .unwrap();
        assert_eq!(many.instances, 64);
        assert_eq!(serde_json::to_value(&many).unwrap()["instances"], 64);
    }

    #[test]
    fn call_request_round_trips_with_nested_calls() {
        let line = json!({
            "id": 7, "op": "call", "target": "my", "method": "connectSocket",
            "args": {"url": "wss://x", "multiple": true},
            "then": [{"id": 8, "target": "$returned", "method": "onOpen", "listener": "L1"}],
            "within": {"success": [{"id": 9, "target": "$returned", "method": "onClose", "listener": "C1"}]}
        });
        let request: Request = serde_json::from_value(line.clone()).unwrap();
        let Op::Call(call) = &request.op else {
            panic!("not a call: {request:?}")
        };
        assert_eq!(call.then[0].id, 8);
        assert_eq!(call.within.success[0].call.listener.as_deref(), Some("C1"));
        assert_eq!(serde_json::to_value(&request).unwrap(), line);
        assert_eq!(call.nested_ids(), vec![8, 9]);
    }

    #[test]
    fn hello_takes_defaults_for_absent_config_keys() {
        let request: Request = serde_json::from_value(
            json!({"id": 1, "op": "hello", "protocol": 1, "config": {"maxTasks": 2}}),
        )
        .unwrap();
        let Op::Hello { config, .. } = request.op else {
            panic!("not hello")
        };
        assert_eq!(config.max_tasks, 2);
        assert_eq!(config.connect_timeout_ms, 30_000);
    }

    #[test]
    fn hello_profile_is_optional_and_written_only_when_set() {
        let old = json!({"id": 1, "op": "hello", "protocol": 1, "config": {}});
        let request: Request = serde_json::from_value(old.clone()).unwrap();
        let Op::Hello { profile, .. } = &request.op else {
            panic!("not hello")
        };
        assert_eq!(profile, &None);
        assert!(serde_json::to_value(&request)
            .unwrap()
            .get("profile")
            .is_none());
        let new = json!({"id": 1, "op": "hello", "protocol": 1, "config": {}, "profile": "wechat"});
        let request: Request = serde_json::from_value(new.clone()).unwrap();
        let Op::Hello { profile, .. } = &request.op else {
            panic!("not hello")
        };
        assert_eq!(profile.as_deref(), Some("wechat"));
        assert_eq!(
            serde_json::to_value(&request).unwrap()["profile"],
            json!("wechat")
        );
    }

    #[test]
    fn hello_result_without_api_is_my() {
        let old: HelloResult = serde_json::from_value(
            json!({"name": "x", "version": "1", "protocol": 1, "unsupported": []}),
        )
        .unwrap();
        assert!(old.api.is_default());
        assert_eq!(old.api.name, TARGET_MY);
        assert!(serde_json::to_value(&old).unwrap().get("api").is_none());
        let wx: HelloResult = serde_json::from_value(
            json!({"name": "x", "version": "1", "protocol": 1, "unsupported": [], "api": "wx"}),
        )
        .unwrap();
        assert_eq!(wx.api.name, "wx");
        assert_eq!(serde_json::to_value(&wx).unwrap()["api"], json!("wx"));
        let unknown = serde_json::from_value::<HelloResult>(
            json!({"name": "x", "version": "1", "protocol": 1, "api": "qq"}),
        );
        assert!(unknown
            .unwrap_err()
            .to_string()
            .contains("unknown face `qq`"));
    }

    #[test]
    fn allowed_hosts_is_written_only_when_set() {
        let absent = serde_json::to_value(Config::default()).unwrap();
        assert!(absent.get("allowedHosts").is_none());
        let config: Config =
            serde_json::from_value(json!({"allowedHosts": ["a.test", "127.0.0.1"]})).unwrap();
        assert_eq!(
            config.allowed_hosts,
            Some(vec!["a.test".to_owned(), "127.0.0.1".to_owned()])
        );
        let written = serde_json::to_value(&config).unwrap();
        assert_eq!(written["allowedHosts"], json!(["a.test", "127.0.0.1"]));
    }

    #[test]
    fn unknown_config_keys_are_refused() {
        let result: Result<Config, _> = serde_json::from_value(json!({"maxTask": 2}));
        assert!(result.unwrap_err().to_string().contains("maxTask"));
    }

    #[test]
    fn messages_are_told_apart_by_shape() {
        let response: AdapterMessage =
            serde_json::from_value(json!({"id": 3, "ok": true, "result": {"returned": null}}))
                .unwrap();
        assert!(matches!(
            response,
            AdapterMessage::Response(Response {
                id: 3,
                ok: true,
                ..
            })
        ));
        let listener: AdapterMessage = serde_json::from_value(json!({
            "event": "listener", "target": "t1", "listener": "L1", "type": "close",
            "res": {"code": 1000, "reason": ""}
        }))
        .unwrap();
        assert!(matches!(
            listener,
            AdapterMessage::Event(Event::Listener {
                event_type: EventType::Close,
                ..
            })
        ));
        let callback = Event::Callback {
            call: 4,
            kind: CallbackKind::Fail,
            res: json!({"error": 10, "errorMessage": "x"}),
            sync: false,
        };
        assert_eq!(
            serde_json::to_value(&callback).unwrap(),
            json!({"event": "callback", "call": 4, "kind": "fail", "res": {"error": 10, "errorMessage": "x"}})
        );
    }

    #[test]
    fn call_result_names_the_returned_task() {
        assert_eq!(call_result(Some("t1")), json!({"returned": {"task": "t1"}}));
        assert_eq!(call_result(None), json!({"returned": null}));
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("cannot start")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_chain_names_every_cause_once() {
        let e = Outer(std::io::Error::other("no such file"));
        assert_eq!(error_chain(&e), "cannot start: no such file");
    }
}
