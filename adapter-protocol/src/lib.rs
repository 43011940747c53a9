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

use serde_json::{Map, Value};

/// The protocol version this crate implements.
pub const PROTOCOL_VERSION: u32 = 1;

mod message;
mod request;

pub use message::{AdapterMessage, CallbackKind, Event, HelloResult, Instanced, Response};
pub use request::{Call, Config, NestedCall, Op, Request, Within};

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
