//! Turns a [`Trace`] into the golden form: stable tokens for ports and
//! session ids, payloads projected onto the documented fields, volatile
//! server details dropped.

use std::collections::BTreeMap;

use adapter_protocol::EventType;
use serde_json::{json, Map, Value};
use spec::Payload;

use crate::record::execution::Execution;
use crate::record::trace::{ClientRecord, Message, ServerEventKind, Trace};

/// The documented payload fields, in the order a trace shows them.
pub const DOCUMENTED_FIELDS: [&str; 6] = [
    "error",
    "errorMessage",
    "data",
    "isBuffer",
    "code",
    "reason",
];

/// Strings longer than this are shown as `<N bytes>` (with a prefix).
pub const LONG_STRING: usize = 200;

/// What the normaliser needs to know about the run (recorded with it).
pub use crate::record::execution::NormaliseContext as Context;

impl Context {
    /// Applies the replacements, then masks any remaining loopback port.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut reps = self.replacements.clone();
        reps.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        for (from, to) in &reps {
            if !from.is_empty() {
                out = out.replace(from.as_str(), to);
            }
        }
        mask_ports(&replace_word(&out, &self.session, "<session>"))
    }
}

/// Replaces `word` where it is not part of a longer alphanumeric run.
fn replace_word(text: &str, word: &str, token: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if is_word(before) || is_word(after) {
            out.push_str(word);
        } else {
            out.push_str(token);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

fn mask_ports(text: &str) -> String {
    mask_port_after(&mask_port_after(text, "127.0.0.1:"), "localhost:")
}

fn mask_port_after(text: &str, host: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(host) {
        out.push_str(&rest[..i + host.len()]);
        let after = &rest[i + host.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("<port>");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

impl Execution {
    /// The golden form of the trace.
    pub fn normalised(&self) -> Value {
        normalise(&self.trace, &self.context)
    }
}

/// The golden form of a trace.
pub fn normalise(trace: &Trace, cx: &Context) -> Value {
    // One sub-lane per socket: the order between two sockets' events is not
    // promised, the order within one socket's is.
    let mut client = Map::new();
    for (i, record) in trace.client.iter().enumerate() {
        let socket = trace
            .client_sockets
            .get(i)
            .map(String::as_str)
            .unwrap_or("my");
        let lane = client
            .entry(socket.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(events) = lane {
            events.push(client_entry(record, cx));
        }
    }
    let mut server = Map::new();
    for (index, conn) in trace.connections().iter().enumerate() {
        // A close frame that answers the server's own close: RFC 6455
        // 5.5.1 asks for its code, not its reason.
        let mut server_closed = false;
        let events: Vec<Value> = trace
            .server
            .iter()
            .filter(|e| e.conn == *conn)
            .filter_map(|e| {
                let entry = server_entry(&e.kind, cx, server_closed);
                if matches!(e.kind, ServerEventKind::CloseOut { .. }) {
                    server_closed = true;
                }
                entry
            })
            .collect();
        server.insert(format!("conn{}", index + 1), Value::Array(events));
    }
    json!({ "client": client, "server": server })
}

fn client_entry(record: &ClientRecord, cx: &Context) -> Value {
    let mut entry = Map::new();
    match record {
        ClientRecord::Returned { call, task } => {
            let v = match task {
                None => json!("returned"),
                Some(t) => json!({ "returned": t }),
            };
            entry.insert(call.clone(), v);
        }
        ClientRecord::ProtocolError { call, error } => {
            entry.insert(call.clone(), json!({ "protocolError": cx.scrub(error) }));
        }
        ClientRecord::Listener {
            event_type: EventType::Close,
            res,
            ..
        } => {
            let mut res = project_res(res, cx);
            // No source promises a reason with a close that no close frame
            // carried (1006) or that refused a message (1009).
            if let Value::Object(fields) = &mut res {
                if matches!(
                    fields.get("code").and_then(Value::as_u64),
                    Some(1006 | 1009)
                ) {
                    fields.remove("reason");
                }
            }
            entry.insert(record.label(), res);
        }
        _ => {
            entry.insert(
                record.label(),
                project_res(record.res().unwrap_or(&Value::Null), cx),
            );
        }
    }
    Value::Object(entry)
}

/// A query string as the server decodes it (`+` and `%20` alike): each key
/// with its values, keys sorted, values in the order they came.
pub fn decode_query(query: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        out.entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    out
}

/// [`decode_query`] as trace data: a key's value, or its values when it
/// came more than once.
fn query_value(query: &str, cx: &Context) -> Value {
    Value::Object(
        decode_query(query)
            .into_iter()
            .map(|(key, mut values)| {
                let value = if values.len() == 1 {
                    json!(cx.scrub(&values.remove(0)))
                } else {
                    json!(values.iter().map(|v| cx.scrub(v)).collect::<Vec<_>>())
                };
                (key, value)
            })
            .collect(),
    )
}

/// Projects a callback's or listener's `res` onto the documented fields;
/// any other field goes under `extra`.
pub fn project_res(res: &Value, cx: &Context) -> Value {
    let Value::Object(map) = res else {
        return scrub_value(res, cx);
    };
    let mut out = Map::new();
    let errmsg_payloads = cx.face.payload == Payload::ErrMsg;
    if errmsg_payloads {
        if let Some(errmsg) = map.get(ERRMSG) {
            let (key, value) = errmsg_form(errmsg);
            out.insert(key.to_string(), value);
        }
    }
    for field in DOCUMENTED_FIELDS {
        if let Some(v) = map.get(field) {
            let v = match (field, v) {
                ("errorMessage", Value::String(s)) if !s.is_empty() => json!("<string>"),
                _ => scrub_value(v, cx),
            };
            out.insert(field.to_string(), v);
        }
    }
    let mut extra: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| {
            !(DOCUMENTED_FIELDS.contains(&k.as_str()) || (errmsg_payloads && *k == ERRMSG))
        })
        .collect();
    extra.sort_by(|a, b| a.0.cmp(b.0));
    if !extra.is_empty() {
        let extra: Map<String, Value> = extra
            .into_iter()
            .map(|(k, v)| (k.clone(), scrub_value(v, cx)))
            .collect();
        out.insert("extra".into(), Value::Object(extra));
    }
    Value::Object(out)
}

/// The field of `{errMsg}` payloads (`wx`) that takes the place of
/// `error` and `errorMessage`.
pub const ERRMSG: &str = "errMsg";

/// What a profile checks of an `errMsg` (a face with `{errMsg}` payloads): a callback's
/// `"<method>:ok"` becomes `ok: <method>`, `"<method>:fail <reason>"`
/// becomes `fail: <method>` (never the reason); any other non-empty
/// string (an error event's reason) is `errMsg: <string>`; anything else
/// is kept as it is, so that it differs from every golden.
pub fn errmsg_form(errmsg: &Value) -> (&'static str, Value) {
    let Value::String(text) = errmsg else {
        return (ERRMSG, errmsg.clone());
    };
    if let Some((method, rest)) = text.split_once(':') {
        let is_name = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphanumeric());
        if is_name && rest == "ok" {
            return ("ok", json!(method));
        }
        if is_name && (rest == "fail" || rest.starts_with("fail ")) {
            return ("fail", json!(method));
        }
    }
    if text.is_empty() {
        (ERRMSG, json!(""))
    } else {
        (ERRMSG, json!("<string>"))
    }
}

fn scrub_value(v: &Value, cx: &Context) -> Value {
    match v {
        Value::String(s) => Value::String(shorten(&cx.scrub(s))),
        Value::Array(a) => Value::Array(a.iter().map(|v| scrub_value(v, cx)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), scrub_value(v, cx)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Long strings become `<N bytes: first 16…>`.
pub fn shorten(s: &str) -> String {
    if s.len() <= LONG_STRING {
        return s.to_string();
    }
    let head: String = s.chars().take(16).collect();
    format!("<{} bytes: {head}…>", s.len())
}

fn message(m: &Message, cx: &Context) -> Value {
    if m.binary {
        if m.len > LONG_STRING {
            json!({ "binary": format!("<{} bytes>", m.len) })
        } else {
            json!({ "binary": m.data })
        }
    } else if m.len > LONG_STRING {
        // The recorder may have captured only a prefix: show the real length.
        let head: String = m.data.chars().take(16).collect();
        json!({ "text": format!("<{} bytes: {head}…>", m.len) })
    } else {
        json!({ "text": cx.scrub(&m.data) })
    }
}

fn server_entry(kind: &ServerEventKind, cx: &Context, answers_close: bool) -> Option<Value> {
    Some(match kind {
        ServerEventKind::Handshake {
            path,
            query,
            headers,
            subprotocols,
        } => {
            let mut h = Map::new();
            h.insert("path".into(), json!(cx.scrub(path)));
            if !query.is_empty() {
                h.insert("query".into(), query_value(query, cx));
            }
            // Sorted by name: the order of headers is not part of the contract.
            let mut kept: Vec<(String, Value)> = headers
                .iter()
                .filter(|(name, _)| cx.headers.contains(&name.to_ascii_lowercase()))
                .map(|(name, value)| (name.to_ascii_lowercase(), json!(cx.scrub(value))))
                .collect();
            kept.sort_by(|a, b| a.0.cmp(&b.0));
            let kept: Map<String, Value> = kept.into_iter().collect();
            if !kept.is_empty() {
                h.insert("headers".into(), Value::Object(kept));
            }
            if !subprotocols.is_empty() {
                h.insert("subprotocols".into(), json!(subprotocols));
            }
            json!({ "handshake": h })
        }
        ServerEventKind::HandshakeResponse {
            status,
            subprotocol,
        } => match subprotocol {
            Some(p) => json!({ "response": { "status": status, "subprotocol": p } }),
            None => json!({ "response": status }),
        },
        ServerEventKind::MessageIn(m) => json!({ "in": message(m, cx) }),
        ServerEventKind::MessageOut(m) => json!({ "out": message(m, cx) }),
        ServerEventKind::CloseIn { code, .. } if answers_close => {
            json!({ "closeIn": { "code": code } })
        }
        ServerEventKind::CloseIn { code, reason } => {
            json!({ "closeIn": { "code": code, "reason": cx.scrub(reason) } })
        }
        ServerEventKind::CloseOut { code, reason } => {
            json!({ "closeOut": { "code": code, "reason": cx.scrub(reason) } })
        }
        ServerEventKind::End { how } => json!({ "end": how }),
        ServerEventKind::Other(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::trace::ServerEvent;
    use adapter_protocol::CallbackKind;
    use adapter_protocol::Face;

    fn cx() -> Context {
        Context {
            replacements: vec![("ws://127.0.0.1:4711".into(), "<ws>".into())],
            session: "s42".into(),
            headers: ["x-token".to_string()].into_iter().collect(),
            face: Face::MY,
        }
    }

    #[test]
    fn a_wx_errmsg_shows_ok_or_fail_and_the_method_never_the_reason() {
        let wx = Context {
            face: Face::WX,
            ..cx()
        };
        assert_eq!(
            project_res(&json!({"errMsg": "connectSocket:ok"}), &wx),
            json!({"ok": "connectSocket"})
        );
        assert_eq!(
            project_res(
                &json!({"errMsg": "sendSocketMessage:fail socket is not open", "x": 1}),
                &wx
            ),
            json!({"fail": "sendSocketMessage", "extra": {"x": 1}})
        );
        assert_eq!(
            project_res(&json!({"errMsg": "connect ECONNREFUSED 127.0.0.1:1"}), &wx),
            json!({"errMsg": "<string>"})
        );
        assert_eq!(
            project_res(&json!({"errMsg": "connectSocket:failed"}), &wx),
            json!({"errMsg": "<string>"})
        );
        assert_eq!(
            project_res(&json!({"errMsg": 3}), &wx),
            json!({"errMsg": 3})
        );
        assert_eq!(
            project_res(&json!({"data": {"$binary": "aGk="}}), &wx),
            json!({"data": {"$binary": "aGk="}})
        );
        // Under `my`, an errMsg is an extra field, never compared.
        assert_eq!(
            project_res(&json!({"errMsg": "connectSocket:ok"}), &cx()),
            json!({"extra": {"errMsg": "connectSocket:ok"}})
        );
    }

    #[test]
    fn error_messages_become_a_token_and_unknown_fields_go_under_extra() {
        let res = json!({"errMsg": "x", "errorMessage": "URL empty", "error": 3, "a": 1});
        assert_eq!(
            project_res(&res, &cx()),
            json!({"error": 3, "errorMessage": "<string>", "extra": {"a": 1, "errMsg": "x"}})
        );
    }

    #[test]
    fn an_empty_or_missing_error_message_is_kept_so_the_check_fails() {
        assert_eq!(
            project_res(&json!({"error": 3, "errorMessage": ""}), &cx()),
            json!({"error": 3, "errorMessage": ""})
        );
        assert_eq!(
            project_res(&json!({"error": 3, "errorMessage": 5}), &cx()),
            json!({"error": 3, "errorMessage": 5})
        );
        assert_eq!(
            project_res(&json!({"error": 3}), &cx()),
            json!({"error": 3})
        );
    }

    #[test]
    fn a_query_is_compared_as_the_server_decodes_it() {
        assert_eq!(decode_query("b=a%20b&a=1"), decode_query("a=1&b=a+b"));
        assert_eq!(decode_query("k=1&k=2")["k"], ["1", "2"]);
    }

    #[test]
    fn ports_and_session_ids_become_tokens() {
        let c = cx();
        assert_eq!(
            c.scrub("ws://127.0.0.1:4711/s/s42/echo"),
            "<ws>/s/<session>/echo"
        );
        assert_eq!(c.scrub("id=s42&x=s421&ys42"), "id=<session>&x=s421&ys42");
        assert_eq!(
            c.scrub("wss://127.0.0.1:9999/x and localhost:80"),
            "wss://127.0.0.1:<port>/x and localhost:<port>"
        );
    }

    #[test]
    fn a_trace_has_named_client_events_and_server_events_by_connection() {
        let trace = Trace {
            client: vec![
                ClientRecord::Returned {
                    call: "c1".into(),
                    task: Some("t1".into()),
                },
                ClientRecord::Callback {
                    call: "c1".into(),
                    kind: CallbackKind::Success,
                    res: json!({}),
                    sync: false,
                },
                ClientRecord::Listener {
                    target: "t1".into(),
                    listener: "M".into(),
                    event_type: EventType::Message,
                    res: json!({"data": "a".repeat(300), "isBuffer": false}),
                },
            ],
            client_sockets: vec!["t1".into(), "t1".into(), "t1".into()],
            server: vec![
                ServerEvent {
                    seq: 1,
                    conn: 77,
                    kind: ServerEventKind::Handshake {
                        path: "/s/s42/echo".into(),
                        query: "a=1".into(),
                        headers: vec![
                            ("X-Token".into(), "abc".into()),
                            ("sec-websocket-key".into(), "k".into()),
                        ],
                        subprotocols: vec![],
                    },
                },
                ServerEvent {
                    seq: 2,
                    conn: 77,
                    kind: ServerEventKind::CloseIn {
                        code: Some(1000),
                        reason: String::new(),
                    },
                },
            ],
            logs: vec![],
            ..Trace::default()
        };
        let v = normalise(&trace, &cx());
        assert_eq!(
            v,
            json!({
                "client": {"t1": [
                    {"c1": {"returned": "t1"}},
                    {"c1.success": {}},
                    {"t1.message@M": {"data": format!("<300 bytes: {}…>", "a".repeat(16)), "isBuffer": false}},
                ]},
                "server": {"conn1": [
                    {"handshake": {"path": "/s/<session>/echo", "query": {"a": "1"}, "headers": {"x-token": "abc"}}},
                    {"closeIn": {"code": 1000, "reason": ""}},
                ]}
            })
        );
    }
}
