//! The HTTP control API (axum, loopback only).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::action::Action;
use crate::error::Error;
use crate::shared::Shared;

/// What `POST /sessions` and `GET /sessions/{id}` return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The session id.
    pub id: String,
    /// The session's URL prefix on every listener (`.../s/{id}`); append
    /// `/{behaviour}`.
    pub urls: BTreeMap<String, String>,
}

/// The control API's routes, over the server's shared state.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/endpoints", get(endpoints))
        .route("/ca.pem", get(ca_pem))
        .route("/crl.pem", get(crl_pem))
        .route("/unrouted", get(unrouted))
        .route("/sessions", post(create))
        .route("/sessions/{id}", get(info).delete(delete))
        .route("/sessions/{id}/recording", get(recording))
        .route("/sessions/{id}/actions", post(act))
        .with_state(shared)
}

pub(crate) async fn serve(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    let app = router(shared);
    let _ = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.changed().await;
        })
        .await;
}

fn not_found(id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({"error": format!("no session with id {id:?}")})),
    )
        .into_response()
}

async fn endpoints(State(s): State<Arc<Shared>>) -> Response {
    Json(s.endpoints()).into_response()
}

async fn ca_pem(State(s): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        s.ca_pem.clone(),
    )
        .into_response()
}

async fn crl_pem(State(s): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        s.crl_pem.clone(),
    )
        .into_response()
}

async fn unrouted(State(s): State<Arc<Shared>>) -> Response {
    Json(s.unrouted.snapshot()).into_response()
}

async fn create(State(s): State<Arc<Shared>>) -> Response {
    let session = match s.create_held_session() {
        Ok(session) => session,
        Err(e) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"error": e.to_string()})),
            )
                .into_response()
        }
    };
    (
        StatusCode::CREATED,
        Json(SessionInfo {
            id: session.id().to_owned(),
            urls: session.urls(),
        }),
    )
        .into_response()
}

async fn info(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match s.session(&id) {
        Some(session) => Json(SessionInfo {
            id,
            urls: session.urls(),
        })
        .into_response(),
        None => not_found(&id),
    }
}

async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match s.delete_session(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(&id),
    }
}

async fn recording(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match s.session(&id) {
        Some(session) => Json(session.recording()).into_response(),
        None => not_found(&id),
    }
}

async fn act(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    match s.session(&id) {
        Some(session) => match session.act(action).await {
            Ok(outcome) => Json(outcome).into_response(),
            Err(e @ Error::TooLarge { .. }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({"error": e.to_string()})),
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({"error": e.to_string()})),
            )
                .into_response(),
        },
        None => not_found(&id),
    }
}
