//! Inline expectations: `expect` items evaluated against the lanes so far.

use serde_json::{json, Value};

use crate::record::trace::{connections, ClientRecord, ServerEvent, ServerEventKind};
use crate::scenario::model::{Expectation, Pattern, ServerExpect};
use crate::verdict::normalise::decode_query;

/// The lanes as recorded so far.
#[derive(Debug, Clone, Copy)]
pub struct Lanes<'a> {
    /// Client lane.
    pub client: &'a [ClientRecord],
    /// Server lane.
    pub server: &'a [ServerEvent],
}

/// Whether `actual` contains `expected`: objects by subset, arrays element
/// by element, numbers by value; the string `<string>` stands for any
/// non-empty string.
pub fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e == "<string>" => !a.is_empty(),
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| subset(ev, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| subset(e, a))
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        (e, a) => e == a,
    }
}

/// Checks one expectation (`settle` is the executor's: it always passes here).
pub fn check(expectation: &Expectation, lanes: Lanes<'_>) -> Result<(), String> {
    match expectation {
        Expectation::Present {
            event,
            listener,
            res,
            count,
        } => {
            let matching: Vec<&ClientRecord> = lanes
                .client
                .iter()
                .filter(|r| r.matches(event, listener.as_deref()))
                .collect();
            let server_count = match event {
                Pattern::Server(kind) => {
                    Some(lanes.server.iter().filter(|e| e.matches(*kind)).count())
                }
                _ => None,
            };
            if let Some(n) = server_count {
                return match count {
                    Some(want) if n != *want as usize => {
                        Err(format!("expected {want} `{event}` events, found {n}"))
                    }
                    None if n == 0 => Err(format!("expected `{event}`, found none")),
                    _ => Ok(()),
                };
            }
            let with_res: Vec<&&ClientRecord> = matching
                .iter()
                .filter(|r| {
                    res.as_ref()
                        .is_none_or(|want| r.res().is_some_and(|got| subset(want, got)))
                })
                .collect();
            let what = describe(event, listener.as_deref(), res.as_ref());
            match count {
                Some(want) if with_res.len() != *want as usize => Err(format!(
                    "expected {want} × {what}, found {}{}",
                    with_res.len(),
                    found_res(&matching)
                )),
                None if with_res.is_empty() => Err(format!(
                    "expected {what}, found none{}",
                    found_res(&matching)
                )),
                _ => Ok(()),
            }
        }
        Expectation::Absent { event, listener } => {
            let hits: Vec<String> = match event {
                Pattern::Server(kind) => lanes
                    .server
                    .iter()
                    .filter(|e| e.matches(*kind))
                    .map(|e| format!("{:?}", e.kind))
                    .collect(),
                _ => lanes
                    .client
                    .iter()
                    .filter(|r| r.matches(event, listener.as_deref()))
                    .map(|r| format!("{} {}", r.label(), r.res().cloned().unwrap_or(Value::Null)))
                    .collect(),
            };
            if hits.is_empty() {
                Ok(())
            } else {
                Err(format!("expected no `{event}`, found: {}", hits.join("; ")))
            }
        }
        Expectation::Order(patterns) => {
            let mut from = 0;
            let mut positions = Vec::new();
            for p in patterns {
                match lanes.client[from..].iter().position(|r| r.matches(p, None)) {
                    Some(i) => {
                        positions.push(from + i + 1);
                        from += i + 1;
                    }
                    None => {
                        let anywhere = lanes.client.iter().position(|r| r.matches(p, None));
                        return Err(match anywhere {
                            Some(i) => format!(
                                "expected order {}: `{p}` is at #{} but not after #{} (matched so far at #{})",
                                list(patterns),
                                i + 1,
                                from,
                                positions.iter().map(usize::to_string).collect::<Vec<_>>().join(", #")
                            ),
                            None => format!("expected order {}: `{p}` never occurred", list(patterns)),
                        });
                    }
                }
            }
            Ok(())
        }
        Expectation::Settle(_) => Ok(()),
        Expectation::Server(expect) => check_server(expect, lanes.server),
    }
}

fn list(patterns: &[Pattern]) -> String {
    patterns
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" < ")
}

fn describe(event: &Pattern, listener: Option<&str>, res: Option<&Value>) -> String {
    let mut s = format!("`{event}`");
    if let Some(l) = listener {
        s.push_str(&format!(" of listener {l}"));
    }
    if let Some(r) = res {
        s.push_str(&format!(" with res ⊇ {r}"));
    }
    s
}

fn found_res(matching: &[&ClientRecord]) -> String {
    if matching.is_empty() {
        return String::new();
    }
    let all: Vec<String> = matching
        .iter()
        .map(|r| r.res().cloned().unwrap_or(Value::Null).to_string())
        .collect();
    format!(" (events of that kind had res: {})", all.join(", "))
}

fn check_server(expect: &ServerExpect, server: &[ServerEvent]) -> Result<(), String> {
    let conns = connections(server);
    if let Some(want) = expect.connections {
        let handshakes = server
            .iter()
            .filter(|e| matches!(e.kind, ServerEventKind::Handshake { .. }))
            .count();
        if handshakes != want as usize {
            return Err(format!(
                "expected {want} connection(s) on the server, saw {handshakes}"
            ));
        }
    }
    let wants_conn = expect.path.is_some()
        || expect.query.is_some()
        || expect.headers.is_some()
        || expect.subprotocols.is_some()
        || expect.received.is_some()
        || expect.close_received.is_some()
        || expect.no_close_received.is_some();
    if !wants_conn {
        return Ok(());
    }
    let n = expect.conn.unwrap_or(1) as usize;
    let Some(conn) = conns.get(n.wrapping_sub(1)) else {
        return Err(format!(
            "expected a connection #{n} on the server, saw {}",
            conns.len()
        ));
    };
    let events: Vec<&ServerEventKind> = server
        .iter()
        .filter(|e| e.conn == *conn)
        .map(|e| &e.kind)
        .collect();
    let handshake = events.iter().find_map(|k| match k {
        ServerEventKind::Handshake {
            path,
            query,
            headers,
            subprotocols,
        } => Some((path, query, headers, subprotocols)),
        _ => None,
    });
    if expect.path.is_some()
        || expect.query.is_some()
        || expect.headers.is_some()
        || expect.subprotocols.is_some()
    {
        let Some((path, query, headers, subprotocols)) = handshake else {
            return Err(format!("connection #{n}: no handshake recorded"));
        };
        if let Some(want) = &expect.path {
            let tail = session_tail(path);
            if want != tail && want != path {
                return Err(format!(
                    "connection #{n}: expected path `{want}`, got `{tail}` ({path})"
                ));
            }
        }
        if let Some(want) = &expect.query {
            if decode_query(want) != decode_query(query) {
                return Err(format!(
                    "connection #{n}: expected query `{want}`, got `{query}`"
                ));
            }
        }
        if let Some(want) = &expect.headers {
            for (name, value) in want {
                let got: Vec<&String> = headers
                    .iter()
                    .filter(|(h, _)| h.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
                    .collect();
                match value {
                    Value::Null if !got.is_empty() => {
                        return Err(format!(
                            "connection #{n}: expected no header `{name}`, got {got:?}"
                        ))
                    }
                    Value::Null => {}
                    _ => {
                        let want_text = match value {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        if !got.iter().any(|g| **g == want_text) {
                            return Err(format!(
                                "connection #{n}: expected header `{name}: {want_text}`, got {got:?}"
                            ));
                        }
                    }
                }
            }
        }
        if let Some(want) = &expect.subprotocols {
            if want != subprotocols {
                return Err(format!(
                    "connection #{n}: expected offered subprotocols {want:?}, got {subprotocols:?}"
                ));
            }
        }
    }
    if let Some(want) = &expect.received {
        let got: Vec<Value> = events
            .iter()
            .filter_map(|k| match k {
                ServerEventKind::MessageIn(m) if m.binary => Some(json!({ "binary": m.data })),
                ServerEventKind::MessageIn(m) => Some(json!(m.data)),
                _ => None,
            })
            .collect();
        if !subset(&Value::Array(want.clone()), &Value::Array(got.clone())) {
            return Err(format!(
                "connection #{n}: expected messages {}, got {}",
                Value::Array(want.clone()),
                crate::verdict::normalise::shorten(&Value::Array(got).to_string())
            ));
        }
    }
    let close_in = events.iter().find_map(|k| match k {
        ServerEventKind::CloseIn { code, reason } => Some((*code, reason.clone())),
        _ => None,
    });
    if let Some(want) = &expect.close_received {
        match &close_in {
            Some((code, reason)) if *code == Some(want.code) && *reason == want.reason => {}
            other => {
                return Err(format!(
                "connection #{n}: expected a close frame {} \"{}\" from the client, got {other:?}",
                want.code, want.reason
            ))
            }
        }
    }
    if expect.no_close_received == Some(true) {
        if let Some(c) = close_in {
            return Err(format!(
                "connection #{n}: expected no close frame from the client, got {c:?}"
            ));
        }
    }
    Ok(())
}

/// The path after `/s/<session>` (the behaviour part), or the whole path.
pub fn session_tail(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/s/") {
        if let Some(i) = rest.find('/') {
            return &rest[i..];
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use adapter_protocol::{CallbackKind, EventType};

    fn p(s: &str) -> Pattern {
        Pattern::try_from(s.to_string()).unwrap()
    }

    fn lane() -> Vec<ClientRecord> {
        vec![
            ClientRecord::Returned {
                call: "c1".into(),
                task: None,
            },
            ClientRecord::Callback {
                call: "c1".into(),
                kind: CallbackKind::Fail,
                res: json!({"error": 3, "errorMessage": "URL empty"}),
                sync: false,
            },
            ClientRecord::Callback {
                call: "c1".into(),
                kind: CallbackKind::Complete,
                res: json!({"error": 3, "errorMessage": "URL empty"}),
                sync: false,
            },
            ClientRecord::Listener {
                target: "my".into(),
                listener: "L".into(),
                event_type: EventType::Close,
                res: json!({"code": 1000, "reason": ""}),
            },
        ]
    }

    fn run(e: Expectation) -> Result<(), String> {
        let client = lane();
        check(
            &e,
            Lanes {
                client: &client,
                server: &[],
            },
        )
    }

    #[test]
    fn present_matches_a_subset_of_res() {
        assert!(run(Expectation::Present {
            event: p("c1.fail"),
            listener: None,
            res: Some(json!({"error": 3, "errorMessage": "<string>"})),
            count: None
        })
        .is_ok());
        let e = run(Expectation::Present {
            event: p("c1.fail"),
            listener: None,
            res: Some(json!({"error": 4})),
            count: None,
        })
        .unwrap_err();
        assert!(e.contains("c1.fail") && e.contains("\"error\":3"), "{e}");
    }

    #[test]
    fn counts_are_exact() {
        assert!(run(Expectation::Present {
            event: p("my.close"),
            listener: Some("L".into()),
            res: None,
            count: Some(1)
        })
        .is_ok());
        assert!(run(Expectation::Present {
            event: p("my.close"),
            listener: None,
            res: None,
            count: Some(2)
        })
        .is_err());
    }

    #[test]
    fn absent_and_order() {
        assert!(run(Expectation::Absent {
            event: p("my.open"),
            listener: None
        })
        .is_ok());
        assert!(run(Expectation::Absent {
            event: p("my.close"),
            listener: None
        })
        .unwrap_err()
        .contains("1000"));
        assert!(run(Expectation::Order(vec![
            p("c1.fail"),
            p("c1.complete"),
            p("my.close")
        ]))
        .is_ok());
        let e = run(Expectation::Order(vec![p("c1.complete"), p("c1.fail")])).unwrap_err();
        assert!(e.contains("not after"), "{e}");
    }

    #[test]
    fn subset_treats_numbers_by_value_and_string_token_as_non_empty() {
        assert!(subset(
            &json!({"code": 1000}),
            &json!({"code": 1000.0, "reason": ""})
        ));
        assert!(!subset(
            &json!({"errorMessage": "<string>"}),
            &json!({"errorMessage": ""})
        ));
        assert!(!subset(&json!([1]), &json!([1, 2])));
    }

    #[test]
    fn server_facts_are_checked_per_connection() {
        let server = vec![ServerEvent {
            seq: 1,
            conn: 9,
            kind: ServerEventKind::Handshake {
                path: "/s/abc/echo".into(),
                query: "a=1".into(),
                headers: vec![("x-token".into(), "abc".into())],
                subprotocols: vec!["chat".into()],
            },
        }];
        let ok = ServerExpect {
            path: Some("/echo".into()),
            query: Some("a=1".into()),
            headers: Some(serde_json::from_value(json!({"X-Token": "abc"})).unwrap()),
            subprotocols: Some(vec!["chat".into()]),
            connections: Some(1),
            ..Default::default()
        };
        assert!(check_server(&ok, &server).is_ok());
        let bad = ServerExpect {
            query: Some("a=2".into()),
            ..Default::default()
        };
        assert!(check_server(&bad, &server).unwrap_err().contains("a=2"));
        let none = ServerExpect {
            conn: Some(2),
            path: Some("/x".into()),
            ..Default::default()
        };
        assert!(check_server(&none, &server).unwrap_err().contains("#2"));
    }
}
