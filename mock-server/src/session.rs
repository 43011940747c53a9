//! Sessions: a recording, the live connections and their rooms; and the
//! registry of live sessions, which holds each one only weakly and caps
//! their number.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::action::{Action, ActionOutcome, DropMode, Outgoing, Target};
use crate::error::{Error, WaitError};
use crate::recorder::{Event, RecordedEvent, Recorder};

/// A handle on one session: its own connections, rooms and recording.
/// Cheap to clone; every clone is the same session.
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<SessionInner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.inner.id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct SessionInner {
    pub(crate) id: String,
    pub(crate) recorder: Recorder,
    pub(crate) state: Mutex<SessionState>,
    base_urls: Arc<BTreeMap<String, String>>,
    action_timeout: Duration,
    /// Frees the session's place in the registry when the last handle or
    /// connection lets go of it.
    _place: Place,
}

#[derive(Default)]
pub(crate) struct SessionState {
    next_conn: u32,
    conns: BTreeMap<u32, mpsc::Sender<Envelope>>,
    rooms: BTreeMap<String, BTreeSet<u32>>,
}

/// What a connection task is asked to do.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Send(Outgoing),
    Close {
        code: Option<u16>,
        reason: String,
    },
    CloseThenText {
        code: Option<u16>,
        reason: String,
        text: String,
    },
    Drop(DropMode),
}

/// A command on its way to a connection task.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) command: Command,
    /// Answered once the connection carried the command out (wrote the
    /// message or close frame, or dropped the connection); dropped when it
    /// did not.
    pub(crate) ack: Option<oneshot::Sender<()>>,
}

/// How many commands may wait for one connection before more are dropped.
pub(crate) const COMMAND_QUEUE: usize = 4096;

impl SessionInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Gives the next connection number (1-based).
    pub(crate) fn next_conn(&self) -> u32 {
        let mut st = self.lock();
        st.next_conn += 1;
        st.next_conn
    }

    /// Registers an open connection (and its room) so actions reach it.
    pub(crate) fn register(&self, conn: u32, tx: mpsc::Sender<Envelope>, room: Option<&str>) {
        let mut st = self.lock();
        st.conns.insert(conn, tx);
        if let Some(room) = room {
            st.rooms.entry(room.to_owned()).or_default().insert(conn);
        }
    }

    pub(crate) fn unregister(&self, conn: u32) {
        let mut st = self.lock();
        st.conns.remove(&conn);
        st.rooms.retain(|_, members| {
            members.remove(&conn);
            !members.is_empty()
        });
    }

    /// The live members of a room, optionally without one connection.
    pub(crate) fn room_members(
        &self,
        room: &str,
        except: Option<u32>,
    ) -> Vec<mpsc::Sender<Envelope>> {
        let st = self.lock();
        st.rooms
            .get(room)
            .into_iter()
            .flatten()
            .filter(|c| Some(**c) != except)
            .filter_map(|c| st.conns.get(c).cloned())
            .collect()
    }

    fn targets(&self, target: &Target) -> Vec<mpsc::Sender<Envelope>> {
        let st = self.lock();
        match target {
            Target::Conn(n) => st.conns.get(n).cloned().into_iter().collect(),
            Target::Room(r) => st
                .rooms
                .get(r)
                .into_iter()
                .flatten()
                .filter_map(|c| st.conns.get(c).cloned())
                .collect(),
            Target::All => st.conns.values().cloned().collect(),
        }
    }
}

/// What every new session of a server gets.
#[derive(Debug, Clone)]
pub(crate) struct SessionConfig {
    pub(crate) base_urls: Arc<BTreeMap<String, String>>,
    /// Events a session records before its `overflow` event.
    pub(crate) max_events: usize,
    pub(crate) action_timeout: Duration,
}

/// The live sessions of a server, by id. A session lives while a
/// [`Session`] handle or one of its connections holds it, or, for the
/// control API's sessions (which have no handle outside), until deleted.
pub(crate) struct Registry {
    state: Mutex<RegistryState>,
    next_id: AtomicU64,
    limit: usize,
    config: SessionConfig,
}

#[derive(Default)]
struct RegistryState {
    live: HashMap<String, Weak<SessionInner>>,
    /// Sessions kept alive by the registry itself (the control API's).
    held: HashMap<String, Session>,
}

/// A session's place in the registry, freed when the session is dropped.
struct Place {
    registry: Weak<Registry>,
    id: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade() {
            registry.lock().live.remove(&self.id);
        }
    }
}

impl Registry {
    /// An empty registry that admits at most `limit` live sessions.
    pub(crate) fn new(limit: usize, config: SessionConfig) -> Registry {
        Registry {
            state: Mutex::new(RegistryState::default()),
            next_id: AtomicU64::new(0),
            limit,
            config,
        }
    }

    // A session must never be dropped while this guard is held: its place
    // would take the same lock.
    fn lock(&self) -> std::sync::MutexGuard<'_, RegistryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a session with a fresh id (`s1`, `s2`, ...), unless `limit`
    /// sessions are live.
    pub(crate) fn create(self: &Arc<Self>) -> Result<Session, Error> {
        let mut st = self.lock();
        if st.live.len() >= self.limit {
            return Err(Error::TooManySessions { limit: self.limit });
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("s{n}");
        let inner = Arc::new(SessionInner {
            id: id.clone(),
            recorder: Recorder::new(self.config.max_events, false),
            state: Mutex::new(SessionState::default()),
            base_urls: self.config.base_urls.clone(),
            action_timeout: self.config.action_timeout,
            _place: Place {
                registry: Arc::downgrade(self),
                id: id.clone(),
            },
        });
        st.live.insert(id, Arc::downgrade(&inner));
        Ok(Session { inner })
    }

    /// Keeps a session alive until it is deleted.
    pub(crate) fn hold(&self, session: &Session) {
        self.lock()
            .held
            .insert(session.id().to_owned(), session.clone());
    }

    /// The live session with this id.
    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let inner = self.lock().live.get(id).and_then(Weak::upgrade);
        inner.map(|inner| Session { inner })
    }

    /// Removes a session: it no longer routes, its place is free, and its
    /// open connections get a close frame 1001. Returns the session if it
    /// was live.
    pub(crate) fn delete(&self, id: &str) -> Option<Session> {
        let (live, held) = {
            let mut st = self.lock();
            let live = st.live.remove(id).and_then(|w| w.upgrade());
            (live, st.held.remove(id))
        };
        // Dropped here, after the lock: the held handle may be the last one.
        drop(held);
        let session = live.map(|inner| Session { inner })?;
        session.close_open_connections(SESSION_DELETED);
        Some(session)
    }
}

/// The close reason of the 1001 sent to a deleted session's connections.
const SESSION_DELETED: &str = "session deleted";

impl Session {
    /// Asks every open connection to send a close frame 1001 with this
    /// reason, without waiting (recorded as a `close` action to all).
    fn close_open_connections(&self, reason: &str) {
        let targets = self.inner.targets(&Target::All);
        self.inner.recorder.record(
            0,
            Event::Action {
                action: Action::Close {
                    to: Target::All,
                    code: Some(1001),
                    reason: reason.to_owned(),
                },
                queued: targets.len() as u32,
            },
        );
        for tx in targets {
            let _ = tx.try_send(Envelope {
                command: Command::Close {
                    code: Some(1001),
                    reason: reason.to_owned(),
                },
                ack: None,
            });
        }
    }

    /// The session's id, as it appears in paths (`/s/{id}/...`).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The URL of a behaviour on a listener, e.g.
    /// `url("wss.valid", "echo")` gives `wss://127.0.0.1:PORT/s/{id}/echo`.
    /// `behaviour` is the rest of the path (see the crate docs for the scheme).
    ///
    /// # Panics
    ///
    /// When the listener name is unknown; [`Session::try_url`] returns `None` instead.
    pub fn url(&self, listener: &str, behaviour: &str) -> String {
        self.try_url(listener, behaviour).unwrap_or_else(|| {
            panic!(
                "no listener named {listener:?} (known: {:?})",
                self.inner.base_urls.keys()
            )
        })
    }

    /// Like [`Session::url`], or `None` when the listener name is unknown.
    pub fn try_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        let base = self.inner.base_urls.get(listener)?;
        Some(format!(
            "{base}/s/{}/{}",
            self.inner.id,
            behaviour.trim_start_matches('/')
        ))
    }

    /// The URL prefix of the session on every listener (`.../s/{id}`).
    pub fn urls(&self) -> BTreeMap<String, String> {
        self.inner
            .base_urls
            .iter()
            .map(|(k, v)| (k.clone(), format!("{v}/s/{}", self.inner.id)))
            .collect()
    }

    /// A snapshot of the recording, in `seq` order.
    pub fn recording(&self) -> Vec<RecordedEvent> {
        self.inner.recorder.snapshot()
    }

    /// Resolves with the first event, already recorded or still to come, that
    /// matches `predicate`; fails after `timeout`. Never polls.
    pub async fn wait_for<F: Fn(&RecordedEvent) -> bool>(
        &self,
        predicate: F,
        timeout: Duration,
    ) -> Result<RecordedEvent, WaitError> {
        self.inner.recorder.wait_for(predicate, timeout).await
    }

    /// Carries out a server action on the session's live connections and
    /// returns once each of them has done it, or after the action timeout
    /// ([`Options::action_timeout`](crate::Options::action_timeout)).
    /// `reached` counts the connections that carried it out in that time:
    /// wrote the message or the close frame, or dropped the connection. A
    /// connection whose writes are still blocked, that already sent a close
    /// frame (it sends nothing more), that ends first, or whose command queue
    /// is full is not counted; a target with no live connection is not an
    /// error: `reached` is 0.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] for a `textBytes` or `binaryBytes` above
    /// [`MAX_GENERATED_BYTES`](crate::MAX_GENERATED_BYTES); nothing is sent
    /// or recorded then.
    pub async fn act(&self, action: Action) -> Result<ActionOutcome, Error> {
        action.check()?;
        let targets = self.inner.targets(action.target());
        let mut permits = Vec::new();
        for tx in &targets {
            if let Ok(permit) = tx.try_reserve() {
                permits.push(permit);
            }
        }
        let conn = match action.target() {
            Target::Conn(n) => *n,
            _ => 0,
        };
        let command = match &action {
            Action::Send { message, .. } => Command::Send(message.materialize()),
            Action::Close { code, reason, .. } => Command::Close {
                code: *code,
                reason: reason.clone(),
            },
            Action::CloseThenText {
                code, reason, text, ..
            } => Command::CloseThenText {
                code: *code,
                reason: reason.clone(),
                text: text.clone(),
            },
            Action::Drop { mode, .. } => Command::Drop(*mode),
        };
        self.inner.recorder.record(
            conn,
            Event::Action {
                action,
                queued: permits.len() as u32,
            },
        );
        let mut acks = Vec::new();
        for permit in permits {
            let (tx, rx) = oneshot::channel();
            permit.send(Envelope {
                command: command.clone(),
                ack: Some(tx),
            });
            acks.push(rx);
        }
        let deadline = tokio::time::Instant::now() + self.inner.action_timeout;
        let mut reached = 0;
        for ack in acks {
            if let Ok(Ok(())) = tokio::time::timeout_at(deadline, ack).await {
                reached += 1;
            }
        }
        Ok(ActionOutcome { reached })
    }
}
