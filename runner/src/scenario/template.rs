//! `{{…}}` templating of call arguments.
//!
//! - `{{<listener>:<behaviour>}}`: the session URL of that listener and
//!   behaviour path, e.g. `{{ws:echo}}`, `{{wss.expired:echo}}`,
//!   `{{ws:broadcast/r1}}`;
//! - `{{<listener>}}`: the listener's base URL, no session path
//!   (`{{tcp.closed}}`);
//! - `{{session}}`: the session id;
//! - `{{bytes:N}}`: `N` bytes of text (`a` repeated);
//! - `{{base64:N}}`: the base64 form of `N` zero bytes;
//! - `{{…|upper-scheme}}`: the URL with its scheme in capitals (`WS://…`).

use std::cell::RefCell;

use base64::Engine as _;
use serde_json::Value;

/// What templates resolve against.
pub trait Endpoints {
    /// The session URL for a listener and a behaviour path.
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String>;
    /// The listener's base URL.
    fn base_url(&self, listener: &str) -> Option<String>;
    /// The session id.
    fn session_id(&self) -> String;
}

/// Expands every `{{…}}` in every string of `value`.
pub fn expand_value(value: &Value, endpoints: &dyn Endpoints) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(expand(s, endpoints)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_value(v, endpoints))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(expand(k, endpoints)?, expand_value(v, endpoints)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Expands every `{{…}}` in `text`.
pub fn expand(text: &str, endpoints: &dyn Endpoints) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("unclosed `{{{{` in `{text}`"));
        };
        out.push_str(&expand_one(after[..end].trim(), endpoints)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks every `{{…}}` in `text` without a server, against the mock
/// server's catalogue: each listener must exist
/// (`mock_server::check_listener`) and each behaviour path must route
/// (`mock_server::check_behaviour`), byte counts must be numbers, filters
/// known, braces closed. On error: the byte offset of the bad `{{` in
/// `text`, and what is wrong.
pub fn check(text: &str) -> Result<(), (usize, String)> {
    let mut offset = 0;
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let at = offset + start;
        let Some(end) = after.find("}}") else {
            return Err((at, format!("unclosed `{{{{` in `{text}`")));
        };
        let template = &rest[start..start + 2 + end + 2];
        let catalogue = Catalogue::default();
        if let Err(e) = expand(template, &catalogue) {
            return Err((at, catalogue.error.into_inner().unwrap_or(e)));
        }
        offset = at + 2 + end + 2;
        rest = &after[end + 2..];
    }
    Ok(())
}

/// [`Endpoints`] that check names against the mock server's catalogue
/// and keep the first precise error.
#[derive(Default)]
struct Catalogue {
    error: RefCell<Option<String>>,
}

impl Catalogue {
    fn listener(&self, listener: &str) -> bool {
        match mock_server::check_listener(listener) {
            Ok(()) => true,
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e.to_string());
                false
            }
        }
    }
}

impl Endpoints for Catalogue {
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        if !self.listener(listener) {
            return None;
        }
        if let Err(e) = mock_server::check_behaviour(behaviour) {
            self.error
                .borrow_mut()
                .get_or_insert(format!("behaviour path `{behaviour}`: {e}"));
            return None;
        }
        Some(format!("ws://127.0.0.1:1/s/check/{behaviour}"))
    }
    fn base_url(&self, listener: &str) -> Option<String> {
        self.listener(listener)
            .then(|| "ws://127.0.0.1:1".to_string())
    }
    fn session_id(&self) -> String {
        "check".into()
    }
}

fn expand_one(expr: &str, endpoints: &dyn Endpoints) -> Result<String, String> {
    let mut parts = expr.split('|').map(str::trim);
    let mut out = expand_base(parts.next().unwrap_or_default(), endpoints)?;
    for filter in parts {
        out = match filter {
            "upper-scheme" => match out.split_once("://") {
                Some((scheme, rest)) => format!("{}://{rest}", scheme.to_ascii_uppercase()),
                None => return Err(format!("`{{{{{expr}}}}}`: `{out}` has no scheme")),
            },
            other => {
                return Err(format!(
                    "`{{{{{expr}}}}}`: unknown filter `{other}` (known: upper-scheme)"
                ))
            }
        };
    }
    Ok(out)
}

fn expand_base(expr: &str, endpoints: &dyn Endpoints) -> Result<String, String> {
    if expr == "session" {
        return Ok(endpoints.session_id());
    }
    let (head, arg) = match expr.split_once(':') {
        Some((h, a)) => (h.trim(), Some(a.trim())),
        None => (expr, None),
    };
    match (head, arg) {
        ("bytes", Some(n)) => Ok("a".repeat(parse_len(n, expr)?)),
        ("base64", Some(n)) => {
            Ok(base64::engine::general_purpose::STANDARD.encode(vec![0u8; parse_len(n, expr)?]))
        }
        (listener, Some(behaviour)) => endpoints
            .session_url(listener, behaviour.trim_start_matches('/'))
            .ok_or_else(|| {
                format!("`{{{{{expr}}}}}`: the mock server has no listener `{listener}`")
            }),
        (listener, None) => endpoints.base_url(listener).ok_or_else(|| {
            format!("`{{{{{expr}}}}}`: the mock server has no listener `{listener}`")
        }),
    }
}

fn parse_len(n: &str, expr: &str) -> Result<usize, String> {
    n.parse()
        .map_err(|_| format!("`{{{{{expr}}}}}`: `{n}` is not a byte count"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) struct Fake;
    impl Endpoints for Fake {
        fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
            let scheme = if listener.starts_with("wss") {
                "wss"
            } else {
                "ws"
            };
            (listener != "nope").then(|| format!("{scheme}://127.0.0.1:1/s/S1/{behaviour}"))
        }
        fn base_url(&self, listener: &str) -> Option<String> {
            (listener != "nope").then(|| "ws://127.0.0.1:2".to_string())
        }
        fn session_id(&self) -> String {
            "S1".into()
        }
    }

    #[test]
    fn listener_and_behaviour_expand_to_the_session_url() {
        assert_eq!(
            expand("{{ws:echo}}", &Fake).unwrap(),
            "ws://127.0.0.1:1/s/S1/echo"
        );
        assert_eq!(
            expand("{{wss.expired:echo}}?x=1", &Fake).unwrap(),
            "wss://127.0.0.1:1/s/S1/echo?x=1"
        );
        assert_eq!(
            expand("{{tcp.closed}}/x", &Fake).unwrap(),
            "ws://127.0.0.1:2/x"
        );
        assert_eq!(expand("id={{session}}", &Fake).unwrap(), "id=S1");
        assert_eq!(
            expand("{{ws:echo|upper-scheme}}", &Fake).unwrap(),
            "WS://127.0.0.1:1/s/S1/echo"
        );
        assert!(expand("{{ws:echo|lower}}", &Fake)
            .unwrap_err()
            .contains("unknown filter"));
    }

    #[test]
    fn byte_templates_make_long_payloads() {
        assert_eq!(expand("{{bytes:5}}", &Fake).unwrap(), "aaaaa");
        assert_eq!(expand("{{base64:3}}", &Fake).unwrap(), "AAAA");
        assert!(expand("{{bytes:x}}", &Fake)
            .unwrap_err()
            .contains("byte count"));
    }

    #[test]
    fn unknown_listeners_and_unclosed_braces_are_errors() {
        assert!(expand("{{nope:echo}}", &Fake)
            .unwrap_err()
            .contains("no listener `nope`"));
        assert!(expand("{{ws:echo", &Fake).unwrap_err().contains("unclosed"));
    }

    #[test]
    fn check_knows_the_mock_servers_listeners_and_behaviours() {
        for good in [
            "{{ws:echo}}",
            "x {{wss.valid:echo/delay-ms=10}} {{session}} {{bytes:3}}",
            "{{tcp.closed}}",
            "{{ws:echo|upper-scheme}}",
            "no template",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        let (at, e) = check("url {{wss.bogus:silent}}").unwrap_err();
        assert_eq!(at, 4);
        assert!(
            e.contains("unknown listener \"wss.bogus\"") && e.contains("wss.valid"),
            "{e}"
        );
        let (at, e) = check("{{ws:echo}}/{{ws:sielnt}}").unwrap_err();
        assert_eq!(at, 12);
        assert!(e.contains("sielnt") && e.contains("silent"), "{e}");
        let (_, e) = check("{{ws:echo").unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
        let (_, e) = check("{{bytes:many}}").unwrap_err();
        assert!(e.contains("byte count"), "{e}");
        let (_, e) = check("{{ws:echo|lower}}").unwrap_err();
        assert!(e.contains("unknown filter"), "{e}");
    }

    #[test]
    fn values_are_expanded_recursively_and_keep_other_types() {
        let v = json!({"url": "{{ws:echo}}", "multiple": true, "data": {"k": ["{{session}}", 1]}});
        assert_eq!(
            expand_value(&v, &Fake).unwrap(),
            json!({"url": "ws://127.0.0.1:1/s/S1/echo", "multiple": true, "data": {"k": ["S1", 1]}})
        );
    }
}
