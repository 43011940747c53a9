//! The mock server as the executor sees it: one session, its URLs and
//! recording, and the actions a `server` step asks of it.

use std::time::Duration;

use adapter_host::BoxFuture;

use crate::record::trace::ServerEvent;
use crate::scenario::model::ServerAction;
use crate::scenario::template::Endpoints;

/// Whom a server action is for, with connections by recorder id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActTarget {
    /// One connection, by the recorder's number.
    Conn(u32),
    /// A broadcast room.
    Room(String),
    /// Every connection of the session.
    All,
}

/// Why a server action did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActError {
    /// The mock server refused it, for this reason.
    #[error("{0}")]
    Refused(String),
    /// It reached no live connection.
    #[error("the action reached no live connection")]
    NoConnection,
}

/// One mock-server session as the executor sees it.
pub trait ServerSession: Send + Sync {
    /// The session id (part of its URLs).
    fn id(&self) -> String;
    /// The session URL of a listener and behaviour path.
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String>;
    /// A listener's base URL (no session).
    fn base_url(&self, listener: &str) -> Option<String>;
    /// `(listener name, base URL)` for every listener, for normalisation.
    fn listeners(&self) -> Vec<(String, String)>;
    /// What the session recorded so far, projected.
    fn recording(&self) -> Vec<ServerEvent>;
    /// The first event (already recorded or new) for which `pred` holds,
    /// or `None` after `timeout`.
    fn wait_for<'a>(
        &'a self,
        pred: Box<dyn Fn(&ServerEvent) -> bool + Send + Sync + 'a>,
        timeout: Duration,
    ) -> BoxFuture<'a, Option<ServerEvent>>;
    /// Performs an action on the session's connections.
    fn act<'a>(
        &'a self,
        target: ActTarget,
        action: &'a ServerAction,
    ) -> BoxFuture<'a, Result<(), ActError>>;
}

/// A session as the templates' endpoints.
pub(crate) struct SessionEndpoints<'a>(pub(crate) &'a dyn ServerSession);

impl Endpoints for SessionEndpoints<'_> {
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        self.0.session_url(listener, behaviour)
    }
    fn base_url(&self, listener: &str) -> Option<String> {
        self.0.base_url(listener)
    }
    fn session_id(&self) -> String {
        self.0.id()
    }
}
