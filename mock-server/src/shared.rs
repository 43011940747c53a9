//! The state the whole server shares ([`Shared`]): options, the session
//! registry, the unrouted log, the listeners' base URLs, the CA and CRL PEMs.
//! The connection tasks and the control API read it; the server builds it.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::error::Error;
use crate::options::{Endpoints, Options};
use crate::recorder::Recorder;
use crate::session::{Registry, Session, SessionConfig};

/// Server-wide state, one per running server, behind an `Arc`.
pub(crate) struct Shared {
    pub(crate) options: Options,
    sessions: Arc<Registry>,
    pub(crate) base_urls: Arc<BTreeMap<String, String>>,
    pub(crate) unrouted: Recorder,
    pub(crate) next_conn: AtomicU32,
    pub(crate) ws_config: WebSocketConfig,
    pub(crate) ca_pem: String,
    pub(crate) crl_pem: String,
    endpoints: Mutex<Option<Endpoints>>,
}

impl Shared {
    /// The state of a server that listens at `base_urls` (by listener name).
    pub(crate) fn new(
        options: Options,
        base_urls: BTreeMap<String, String>,
        ca_pem: String,
        crl_pem: String,
    ) -> Shared {
        let base_urls = Arc::new(base_urls);
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(options.max_message_size))
            .max_frame_size(Some(options.max_frame_size));
        let sessions = Arc::new(Registry::new(
            options.max_sessions,
            SessionConfig {
                base_urls: base_urls.clone(),
                max_events: options.max_events_per_session,
                action_timeout: options.action_timeout,
            },
        ));
        Shared {
            unrouted: Recorder::new(options.unrouted_capacity, true),
            options,
            sessions,
            base_urls,
            next_conn: AtomicU32::new(0),
            ws_config,
            ca_pem,
            crl_pem,
            endpoints: Mutex::new(None),
        }
    }

    /// Records where everything listens, once the control API is bound.
    pub(crate) fn set_endpoints(&self, endpoints: Endpoints) {
        *self.endpoints.lock().unwrap_or_else(|e| e.into_inner()) = Some(endpoints);
    }

    /// The live session with this id.
    pub(crate) fn session(&self, id: &str) -> Option<Session> {
        self.sessions.get(id)
    }

    /// Creates a session, unless [`Options::max_sessions`] are live.
    pub(crate) fn create_session(&self) -> Result<Session, Error> {
        self.sessions.create()
    }

    /// Creates a session that lives until deleted (for the control API,
    /// whose clients hold no handle).
    pub(crate) fn create_held_session(&self) -> Result<Session, Error> {
        let session = self.sessions.create()?;
        self.sessions.hold(&session);
        Ok(session)
    }

    /// Removes a session; see [`Registry::delete`].
    pub(crate) fn delete_session(&self, id: &str) -> Option<Session> {
        self.sessions.delete(id)
    }

    /// Where everything listens (the listeners alone until the server has
    /// recorded its endpoints).
    pub(crate) fn endpoints(&self) -> Endpoints {
        self.endpoints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| Endpoints {
                listeners: (*self.base_urls).clone(),
                control: None,
                ca_pem_path: None,
            })
    }
}
