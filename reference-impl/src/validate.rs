//! Checks made inside the call, before any network traffic: connect
//! arguments, messages to send, close codes.

use std::time::Duration;

use adapter_protocol::{Config, BINARY_KEY};
use base64::Engine as _;
use http::{HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use url::{Host, Url};

use crate::options::{truthy, CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
use crate::seams::{DomainReport, Seams};
use spec::ErrorCode;

/// A checked connect: where to go and the upgrade request to send.
#[derive(Debug)]
pub(crate) struct ConnectPlan {
    /// `wss`.
    pub(crate) secure: bool,
    /// The host to connect to.
    pub(crate) host: Host<String>,
    /// The port to connect to.
    pub(crate) port: u16,
    /// The upgrade request, `data` and `header` applied.
    pub(crate) request: http::Request<()>,
    /// `connect.domain`: the host is not allowed and the refusal is
    /// reported as events with this code ([`DomainReport::Events`]): the
    /// I/O task fails without any traffic.
    pub(crate) refused: Option<ErrorCode>,
    /// `error.6.timeout`: no complete handshake within it gives error 6
    /// (`connectTimeoutMs`, or the `timeout` argument where honoured).
    pub(crate) deadline: Duration,
}

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The handshake's own headers, which `header` cannot override [impl-defined: ignored].
const HANDSHAKE_HEADERS: [&str; 5] = [
    "host",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
];

/// Checks of `connectSocket` that need no state, in the order of
/// behaviour.md's table (3, 4, 5, 8); 2 and the limit are the caller's.
pub(crate) fn connect(
    options: &ConnectSocketOptions,
    config: &Config,
    seams: &Seams,
) -> Result<ConnectPlan, ErrorCode> {
    let url = match &options.url {
        // connect.url.empty: absent or null.
        None | Some(Value::Null) => return Err(ErrorCode::UrlEmpty),
        // connect.url.empty: "", or white space only [connect.url.blank].
        Some(Value::String(s)) if s.is_empty() => return Err(seams.code_for_empty_url()),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(seams.code_for_blank_url()),
        Some(Value::String(s)) => s.trim(),
        // connect.url.format: not a string (alipay-current: 2, wrong type).
        Some(_) => return Err(seams.code_for_wrong_type()),
    };
    // connect.url.format: not an absolute URL [connect.url.relative], or no host.
    let mut url = Url::parse(url).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => seams.code_for_relative_url(),
        _ => ErrorCode::UrlFormat,
    })?;
    let written_scheme = written_scheme(options);
    let host = match url.host() {
        Some(host) if !url.host_str().unwrap_or_default().is_empty() => host.to_owned(),
        _ => return Err(ErrorCode::UrlFormat),
    };
    // connect.url.scheme (the url crate lower-cases the scheme)
    // [connect.url.scheme-case].
    let secure = match url.scheme() {
        _ if seams.scheme_is_case_sensitive() && !matches!(written_scheme, "ws" | "wss") => {
            return Err(seams.code_for_bad_scheme())
        }
        "ws" => false,
        "wss" => true,
        _ => return Err(seams.code_for_bad_scheme()),
    };
    // connect.wss-only [impl-defined: connect.wss-only.code].
    if !secure && seams.refuses_ws(config) {
        return Err(seams.code_for_ws_under_wss_only());
    }
    // The `timeout` argument (alipay-current, wechat): a number of ms.
    let timeout_ms = match &options.timeout {
        _ if !seams.reads_timeout_argument() => None,
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(ms) if ms >= 0.0 && ms.is_finite() => Some(ms as u64),
            _ => return Err(seams.code_for_wrong_type()),
        },
        Some(_) => return Err(seams.code_for_wrong_type()),
    };
    let deadline = seams.connect_deadline(config, timeout_ms);
    // connect.domain [connect.domain.report]
    let refused = match &config.allowed_hosts {
        Some(allowed) if seams.honours_allowed_hosts() && !host_allowed(&host, allowed) => {
            match seams.domain_report() {
                DomainReport::CallFails(code) => return Err(code),
                DomainReport::Events(code) => Some(code),
            }
        }
        _ => None,
    };
    let port = url.port_or_known_default().ok_or(ErrorCode::UrlFormat)?;
    url.set_fragment(None);
    if seams.data_on_query() {
        append_query(&mut url, options.data.as_ref());
    }
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|_| ErrorCode::UrlFormat)?;
    let protocols = options
        .protocols
        .as_ref()
        .filter(|_| seams.honours_protocols_argument());
    apply_headers(&mut request, options.header.as_ref(), protocols, seams)?;
    Ok(ConnectPlan {
        secure,
        host,
        port,
        request,
        refused,
        deadline,
    })
}

/// The scheme as the caller wrote it (the url crate lower-cases it).
fn written_scheme(options: &ConnectSocketOptions) -> &str {
    match &options.url {
        Some(Value::String(s)) => s.trim().split(':').next().unwrap_or_default(),
        _ => "",
    }
}

/// connect.domain: a host name is compared ASCII case-insensitively (an IP
/// address as written in its canonical form, IPv6 without brackets).
fn host_allowed(host: &Host<String>, allowed: &[String]) -> bool {
    let name = match host {
        Host::Domain(name) => name.clone(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    };
    allowed.iter().any(|a| {
        a.trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(&name)
    })
}

/// A query-string value: strings as they are, everything else in its JSON form.
fn query_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// connect.data: the object's entries, in order, percent-encoded, joined
/// with `&` and appended after `?` (or `&` when the URL has a query).
/// A `data` that is not an object adds nothing [impl-defined].
pub(crate) fn append_query(url: &mut Url, data: Option<&Value>) {
    let Some(Value::Object(data)) = data else {
        return;
    };
    if data.is_empty() {
        return;
    }
    let pairs: Vec<String> = data
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, COMPONENT),
                utf8_percent_encode(&query_value(v), COMPONENT)
            )
        })
        .collect();
    let query = match url.query() {
        Some(q) if !q.is_empty() => format!("{q}&{}", pairs.join("&")),
        _ => pairs.join("&"),
    };
    url.set_query(Some(&query));
}

/// connect.header: each entry becomes a request header, its value as a
/// string; names or values HTTP cannot carry are skipped [impl-defined],
/// and so are the headers the face cannot set (`Face::unsettable_headers`).
/// `Sec-WebSocket-Protocol` comes from `protocols` (an array of strings, or
/// one string) when it offers any, else from `header`.
fn apply_headers(
    request: &mut http::Request<()>,
    header: Option<&Value>,
    protocols: Option<&Value>,
    seams: &Seams,
) -> Result<(), ErrorCode> {
    let mut subprotocols = None;
    if let Some(Value::Object(entries)) = header {
        for (name, value) in entries {
            let lower = name.to_ascii_lowercase();
            // connect.header [connect.header.reserved]
            if HANDSHAKE_HEADERS.contains(&lower.as_str()) {
                match seams.code_for_reserved_header() {
                    Some(code) => return Err(code),
                    None => continue,
                }
            }
            // connect.header: a header the face cannot set (`tt`: referer) is dropped.
            if seams.face().unsettable_headers.contains(&lower.as_str()) {
                continue;
            }
            let value = query_value(value);
            if lower == "sec-websocket-protocol" {
                subprotocols = Some(value);
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                request.headers_mut().append(name, value);
            }
        }
    }
    let offered: Option<String> = match protocols {
        Some(Value::Array(items)) => {
            let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    if let Some(value) = offered.or(subprotocols).filter(|v| !v.trim().is_empty()) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            request
                .headers_mut()
                .insert(http::header::SEC_WEBSOCKET_PROTOCOL, value);
        }
    }
    Ok(())
}

/// send.invalid / send.too-large: the message to send, or error 11.
pub(crate) fn message(
    options: &SendSocketMessageOptions,
    max_message_bytes: u64,
    seams: &Seams,
) -> Result<Message, ErrorCode> {
    let base64 = base64::engine::general_purpose::STANDARD;
    // send.invalid [send.invalid.code]
    let invalid = seams.code_for_invalid_send();
    let message = match &options.data {
        Some(Value::String(s))
            if truthy(options.is_buffer.as_ref()) && seams.honours_is_buffer() =>
        {
            Message::Binary(base64.decode(s).map_err(|_| invalid)?.into())
        }
        Some(Value::String(s)) => Message::text(s.clone()),
        // An ArrayBuffer: `{"$binary": "<base64>"}`.
        Some(Value::Object(o)) => match o.get(BINARY_KEY) {
            Some(Value::String(s)) if o.len() == 1 => {
                Message::Binary(base64.decode(s).map_err(|_| invalid)?.into())
            }
            _ => return Err(invalid),
        },
        _ => return Err(invalid),
    };
    if message.len() as u64 > max_message_bytes && seams.checks_send_size() {
        return Err(ErrorCode::SendFailed);
    }
    Ok(message)
}

/// close.invalid-code: `code` 1000 or 3000–4999 (default 1000), `reason` a
/// string of at most 123 UTF-8 bytes (default ""); else error 1.
pub(crate) fn close_frame(
    options: &CloseSocketOptions,
    seams: &Seams,
) -> Result<CloseFrame, ErrorCode> {
    let unchecked = !seams.validates_close_frame();
    // close.invalid-code [close.invalid-code.code]
    let invalid = seams.code_for_invalid_close();
    let code = match &options.code {
        None | Some(Value::Null) => 1000,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && unchecked => f as i64 as u16,
            Some(f) if f.fract() == 0.0 && (f == 1000.0 || (3000.0..=4999.0).contains(&f)) => {
                f as u16
            }
            _ => return Err(invalid),
        },
        Some(_) => return Err(invalid),
    };
    let reason = match &options.reason {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if seams.close_reason_length(s) <= 123 || unchecked => s.clone(),
        Some(_) => return Err(invalid),
    };
    Ok(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(url: &str, data: Value) -> String {
        let mut url = Url::parse(url).unwrap();
        append_query(&mut url, Some(&data));
        url.to_string()
    }

    #[test]
    fn data_is_appended_in_order_with_json_forms() {
        assert_eq!(
            query(
                "ws://h/p",
                json!({"b": "x y&z", "a": 1, "t": true, "o": {"k": [1]}, "n": null})
            ),
            "ws://h/p?b=x%20y%26z&a=1&t=true&o=%7B%22k%22%3A%5B1%5D%7D&n=null"
        );
    }

    #[test]
    fn data_joins_an_existing_query_with_an_ampersand() {
        assert_eq!(query("ws://h/p?q=1", json!({"a": "b"})), "ws://h/p?q=1&a=b");
        assert_eq!(query("ws://h/p?", json!({"a": "b"})), "ws://h/p?a=b");
        assert_eq!(query("ws://h/p", json!({})), "ws://h/p");
    }

    #[test]
    fn close_codes_outside_the_allowed_ranges_are_refused() {
        for (code, ok) in [
            (1000, true),
            (3000, true),
            (4999, true),
            (1001, false),
            (2999, false),
            (5000, false),
        ] {
            let options = CloseSocketOptions {
                code: Some(json!(code)),
                reason: None,
            };
            assert_eq!(
                close_frame(&options, &Seams::default()).is_ok(),
                ok,
                "code {code}"
            );
        }
        let long = CloseSocketOptions {
            code: None,
            reason: Some(json!("é".repeat(62))),
        };
        assert_eq!(
            close_frame(&long, &Seams::default()).unwrap_err(),
            ErrorCode::Unknown
        );
        let fits = CloseSocketOptions {
            code: None,
            reason: Some(json!("x".repeat(123))),
        };
        assert!(close_frame(&fits, &Seams::default()).is_ok());
    }
}
