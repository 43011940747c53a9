//! The server side of the opening handshake, by hand: reading the request
//! head, checking it, and writing responses (good or deliberately broken) as
//! raw bytes.

use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::route::Fault;

/// The GUID of RFC 6455 section 1.3.
const WS_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The longest request head the server reads.
pub(crate) const MAX_HEAD: usize = 16 * 1024;

/// `Sec-WebSocket-Accept` for a key (RFC 6455 section 4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.trim().as_bytes());
    h.update(WS_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// A request head, parsed as the server reads it (exported as
/// `RequestHead`; see [`parse_request_head`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    /// The method (`GET`).
    pub method: String,
    /// The request target up to the first `?`.
    pub path: String,
    /// What follows the first `?`, if there is one.
    pub query: Option<String>,
    /// Every header, in order; values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The subprotocols the client offered (`Sec-WebSocket-Protocol`, split
    /// on `,`, trimmed, empty ones dropped).
    pub protocols: Vec<String>,
}

/// Parses a request head exactly as the server does before it answers:
/// `Ok(None)` when more bytes are needed, otherwise the head and how many
/// bytes of `buf` it took. The server reads at most 16 KiB of head.
///
/// # Errors
///
/// What `httparse` found wrong with the bytes, as text.
pub fn parse_request_head(buf: &[u8]) -> Result<Option<(Request, usize)>, String> {
    Request::parse(buf).map_err(|e| e.to_string())
}

impl Request {
    /// Parses a complete head; `Ok(None)` when more bytes are needed.
    pub(crate) fn parse(buf: &[u8]) -> Result<Option<(Request, usize)>, httparse::Error> {
        let mut headers = [httparse::EMPTY_HEADER; 100];
        let mut req = httparse::Request::new(&mut headers);
        let n = match req.parse(buf)? {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial => return Ok(None),
        };
        let target = req.path.unwrap_or("");
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (target.to_owned(), None),
        };
        let headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_owned(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        let protocols = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-protocol"))
            .flat_map(|(_, v)| v.split(','))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        Ok(Some((
            Request {
                method: req.method.unwrap_or("").to_owned(),
                path,
                query,
                headers,
                protocols,
            },
            n,
        )))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The client's key, if any.
    pub(crate) fn key(&self) -> Option<&str> {
        self.header("sec-websocket-key").map(str::trim)
    }

    /// The server's checks of RFC 6455 section 4.2.1, in order: the
    /// client's key, or what is wrong (the server answers that with `400`).
    ///
    /// # Errors
    ///
    /// The first check that failed, as text.
    pub fn check_upgrade(&self) -> Result<&str, String> {
        if self.method != "GET" {
            return Err(format!("method is {}, not GET", self.method));
        }
        let has_token = |name: &str, token: &str| {
            self.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if !has_token("upgrade", "websocket") {
            return Err("no Upgrade: websocket header".into());
        }
        if !has_token("connection", "upgrade") {
            return Err("no Connection: Upgrade header".into());
        }
        let key = self.key().ok_or("no Sec-WebSocket-Key header")?;
        match base64::engine::general_purpose::STANDARD.decode(key) {
            Ok(k) if k.len() == 16 => {}
            _ => {
                return Err(format!(
                    "Sec-WebSocket-Key {key:?} is not 16 bytes in base64"
                ))
            }
        }
        if self.header("sec-websocket-version").map(str::trim) != Some("13") {
            return Err("Sec-WebSocket-Version is not 13".into());
        }
        Ok(key)
    }
}

/// A good 101 response, selecting `protocol` if given, with `connection`
/// as its `Connection` value (default `Upgrade`).
pub(crate) fn switching(key: &str, protocol: Option<&str>, connection: Option<&str>) -> Vec<u8> {
    response_101(
        Some("websocket"),
        Some(connection.unwrap_or("Upgrade")),
        Some(&accept_key(key)),
        protocol,
    )
}

fn response_101(
    upgrade: Option<&str>,
    connection: Option<&str>,
    accept: Option<&str>,
    protocol: Option<&str>,
) -> Vec<u8> {
    let mut s = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    if let Some(u) = upgrade {
        s.push_str(&format!("Upgrade: {u}\r\n"));
    }
    if let Some(c) = connection {
        s.push_str(&format!("Connection: {c}\r\n"));
    }
    if let Some(a) = accept {
        s.push_str(&format!("Sec-WebSocket-Accept: {a}\r\n"));
    }
    if let Some(p) = protocol {
        s.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// A plain-text response that ends the connection (`400`, `404`, a fault's status).
pub(crate) fn plain(status: u16, body: &str) -> Vec<u8> {
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let body = format!("{body}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The subprotocol named by the `protocol-unrequested` fault.
pub const UNREQUESTED_PROTOCOL: &str = "x-unrequested";
/// The subprotocol named by the `protocol-not-offered` fault.
pub const NOT_OFFERED_PROTOCOL: &str = "x-not-offered";
/// What the `not-http` fault writes.
pub const NOT_HTTP: &[u8] = b"SSH-2.0-mock-server this is not HTTP\r\n";

/// The bytes of a faulty response, and the status and subprotocol it carries.
/// `None` for `never-answer`.
pub(crate) fn fault_response(
    fault: Fault,
    req: &Request,
) -> Option<(Vec<u8>, u16, Option<String>)> {
    let key = req.key().unwrap_or("");
    let first = req.protocols.first().map(String::as_str);
    let accept = accept_key(key);
    let wrong = accept_key(&format!("{key}wrong"));
    let (bytes, protocol) = match fault {
        Fault::NeverAnswer => return None,
        Fault::ProtocolUnrequested => (
            response_101(
                Some("websocket"),
                Some("Upgrade"),
                Some(&accept),
                Some(UNREQUESTED_PROTOCOL),
            ),
            Some(UNREQUESTED_PROTOCOL),
        ),
        Fault::ProtocolNotOffered => (
            response_101(
                Some("websocket"),
                Some("Upgrade"),
                Some(&accept),
                Some(NOT_OFFERED_PROTOCOL),
            ),
            Some(NOT_OFFERED_PROTOCOL),
        ),
        Fault::ProtocolMissing => (
            response_101(Some("websocket"), Some("Upgrade"), Some(&accept), None),
            None,
        ),
        Fault::WrongAccept => (
            response_101(Some("websocket"), Some("Upgrade"), Some(&wrong), first),
            first,
        ),
        Fault::MissingAccept => (
            response_101(Some("websocket"), Some("Upgrade"), None, first),
            first,
        ),
        Fault::NoUpgrade => (
            response_101(None, Some("Upgrade"), Some(&accept), first),
            first,
        ),
        Fault::WrongUpgrade => (
            response_101(Some("h2c"), Some("Upgrade"), Some(&accept), first),
            first,
        ),
        Fault::NoConnection => (
            response_101(Some("websocket"), None, Some(&accept), first),
            first,
        ),
        Fault::WrongConnection => (
            response_101(Some("websocket"), Some("keep-alive"), Some(&accept), first),
            first,
        ),
        Fault::Status(code) => {
            return Some((plain(code, &format!("fault status/{code}")), code, None))
        }
        Fault::NotHttp => return Some((NOT_HTTP.to_vec(), 0, None)),
    };
    Some((bytes, 101, protocol.map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_the_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
