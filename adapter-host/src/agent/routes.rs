//! The endpoint's HTTP routes (axum). Bodies are JSON whatever their
//! content type (a page sends `text/plain`, which needs no CORS preflight),
//! every answer allows any origin, and a refusal is `{"error": "..."}`
//! with its status.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::state::{Refusal, Shared};
use super::AGENT_PATH;

/// The largest body accepted: a batch of events may carry a message of
/// the default `maxMessageBytes` (16 MiB) as base64.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The endpoint's routes over `shared`.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let routes = Router::new()
        .route("/join", post(join))
        .route("/ping", post(ping))
        .route("/poll", post(poll))
        .route("/events", post(events))
        .route("/ca.pem", get(ca))
        .with_state(shared);
    Router::new()
        .nest(AGENT_PATH, routes)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(allow_any_origin))
        .fallback(not_found)
}

async fn allow_any_origin(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    response
}

async fn not_found(method: Method) -> Response {
    if method == Method::OPTIONS {
        return StatusCode::NO_CONTENT.into_response();
    }
    refuse((404, "no such route of the agent endpoint".into()))
}

fn answer(value: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn refuse((status, error): Refusal) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": error }).to_string(),
    )
        .into_response()
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Refusal> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err((400, "the body must be a JSON object".into())),
        Err(e) => Err((400, format!("the body is not JSON: {e}"))),
    }
}

fn text_field<'a>(
    body: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Result<&'a str, Refusal> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| (400, format!("the body needs a string \"{name}\"")))
}

fn number_field(body: &serde_json::Map<String, Value>, name: &str) -> Result<u64, Refusal> {
    match body.get(name) {
        None => Ok(0),
        Some(value) => value
            .as_u64()
            .ok_or_else(|| (400, format!("\"{name}\" must be an unsigned integer"))),
    }
}

async fn join(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let joined = object(&body).and_then(|body| {
        let token = text_field(&body, "token")?;
        shared.join(token)
    });
    match joined {
        Ok(session) => answer(&json!({ "session": session })),
        Err(refusal) => refuse(refusal),
    }
}

async fn ping(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let pinged = object(&body).and_then(|body| shared.ping(text_field(&body, "session")?));
    match pinged {
        Ok(()) => answer(&json!({})),
        Err(refusal) => refuse(refusal),
    }
}

async fn poll(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let body = match object(&body) {
        Ok(body) => body,
        Err(refusal) => return refuse(refusal),
    };
    let (session, next) = match (text_field(&body, "session"), number_field(&body, "next")) {
        (Ok(session), Ok(next)) => (session.to_owned(), next),
        (Err(refusal), _) | (_, Err(refusal)) => return refuse(refusal),
    };
    match shared.poll(&session, next).await {
        Ok(polled) => {
            let mut value = json!({ "first": polled.first, "requests": polled.requests });
            if let Some(reason) = polled.stop {
                value["stop"] = Value::Bool(true);
                value["reason"] = Value::String(reason);
            }
            answer(&value)
        }
        Err(refusal) => refuse(refusal),
    }
}

async fn events(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let posted = object(&body).and_then(|mut body| {
        let session = text_field(&body, "session")?.to_owned();
        let seq = number_field(&body, "seq")?;
        let Some(Value::Array(batch)) = body.remove("messages") else {
            return Err((400, "the body needs an array \"messages\"".into()));
        };
        let mut messages = Vec::with_capacity(batch.len());
        for entry in batch {
            match entry {
                Value::Object(mut entry) if entry.contains_key("message") => {
                    messages.push(entry.remove("message").unwrap_or_default());
                }
                _ => {
                    return Err((
                        400,
                        "each of \"messages\" must be {\"at\", \"message\"}".into(),
                    ))
                }
            }
        }
        shared.events(&session, seq, messages)
    });
    match posted {
        Ok(()) => answer(&json!({})),
        Err(refusal) => refuse(refusal),
    }
}

async fn ca(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("token").map_or("", String::as_str);
    match shared.ca(token) {
        Ok(pem) => ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response(),
        Err(refusal) => refuse(refusal),
    }
}
