//! The state the whole server shares ([`Shared`]): options, the session
//! registry, the unrouted log, the listeners' base URLs, the CA and CRL PEMs.
//! The connection tasks and the control API read it; the server builds it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::options::{Endpoints, Options};
use crate::recorder::Recorder;
use crate::session::Session;

/// Server-wide state, one per running server, behind an `Arc`.
pub(crate) struct Shared {
    pub(crate) options: Options,
    sessions: Mutex<HashMap<String, Session>>,
    next_session: AtomicU64,
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
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(options.max_message_size))
            .max_frame_size(Some(options.max_frame_size));
        Shared {
            unrouted: Recorder::new(options.unrouted_capacity, true),
            options,
            sessions: Mutex::new(HashMap::new()),
            next_session: AtomicU64::new(0),
            base_urls: Arc::new(base_urls),
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

    pub(crate) fn session(&self, id: &str) -> Option<Session> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn create_session(&self) -> Session {
        let n = self.next_session.fetch_add(1, Ordering::Relaxed) + 1;
        let session = Session::new(
            format!("s{n}"),
            self.base_urls.clone(),
            self.options.max_events_per_session,
            self.options.action_timeout,
        );
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(session.id().to_owned(), session.clone());
        session
    }

    pub(crate) fn delete_session(&self, id: &str) -> Option<Session> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }

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
