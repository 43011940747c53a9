//! The state one context shares with its tasks and I/O tasks: the
//! sockets, the listeners and the one ordered event queue, and how an
//! event is taken from it (listeners resolved at dispatch).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use adapter_protocol::{CallbackKind, Config, Event, EventType};
use serde_json::Value;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use crate::seams::{ConnectOutcome, Scope, Seams};
use crate::socket::{Command, SocketEvent};
use crate::types::{Caller, ListenerName, ReadyState, SocketId};
use spec::ErrorCode;

/// Whose listeners hear a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ListenerKey {
    /// The listeners on `my` (the global socket).
    My,
    /// The listeners of one SocketTask.
    Task(SocketId),
}

/// Something that happened, waiting on the queue to be dispatched.
#[derive(Debug)]
pub(super) enum Occurrence {
    /// A call's `success` / `fail` / `complete`.
    Callback(Event),
    /// A socket event; its listeners are resolved when it is dispatched.
    Socket {
        socket: SocketId,
        generation: u64,
        event_type: EventType,
        res: Value,
        /// Posted after the socket's close event, and delivered although
        /// the socket is CLOSED (only [`Seams::connect_timer_outlives_failure`]
        /// posts one: it breaks `close.nothing-after`).
        after_close: bool,
    },
}

/// The I/O task of a socket and the channel to it.
#[derive(Debug)]
pub(super) struct Io {
    pub(super) commands: mpsc::UnboundedSender<Command>,
    pub(super) task: JoinHandle<()>,
    /// The task has posted its last event and reads no more commands.
    pub(super) done: bool,
}

#[derive(Debug)]
pub(super) struct SocketEntry {
    /// `"my"` or the task handle, as listener events name it.
    pub(super) target: String,
    pub(super) key: ListenerKey,
    pub(super) state: ReadyState,
    /// Bumped when the I/O task is abandoned: its later occurrences are dropped.
    pub(super) generation: u64,
    pub(super) io: Option<Io>,
    /// Passed validation and started a handshake.
    pub(super) accepted: bool,
    /// The `connectSocket` call whose callbacks wait for the handshake's
    /// outcome, and when they run ([`ConnectOutcome`]).
    pub(super) connect_call: Option<(Option<Caller>, ConnectOutcome)>,
    /// Its handshake failed (it closed while CONNECTING, not by `close`).
    pub(super) handshake_failed: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// This context's answers to the rules that can be answered otherwise.
    pub(super) seams: Seams,
    /// Callbacks run inside the call that decided them (only when
    /// [`Seams::callbacks_inside_call`]): taken before anything else.
    pub(super) inline: VecDeque<Event>,
    pub(super) queue: VecDeque<Occurrence>,
    /// The listener events of the occurrence being dispatched, each with
    /// the listeners it was resolved from.
    pub(super) dispatching: VecDeque<(ListenerKey, Event)>,
    /// The socket event whose listener was taken last, while its dispatch
    /// is the current one (`task.send-in-open`).
    pub(super) current: Option<(SocketId, EventType)>,
    pub(super) sockets: HashMap<SocketId, SocketEntry>,
    pub(super) global: Option<SocketId>,
    pub(super) listeners: HashMap<ListenerKey, [Vec<ListenerName>; 4]>,
    pub(super) next_socket: SocketId,
    pub(super) next_handle: u32,
}

/// What `My`, its tasks and the I/O tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(super) inner: Mutex<Inner>,
    pub(super) notify: Notify,
}

pub(super) fn type_index(event_type: EventType) -> usize {
    match event_type {
        EventType::Open => 0,
        EventType::Message => 1,
        EventType::Error => 2,
        EventType::Close => 3,
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held leaves the data consistent enough
        // for the queue: keep going rather than poison every later call.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `change` on the state, then wakes the reader.
    pub(super) fn update(&self, change: impl FnOnce(&mut Inner)) {
        change(&mut self.lock());
        self.notify.notify_one();
    }
}

impl Inner {
    /// Queues socket events of `socket` (at `generation`) in order.
    pub(super) fn push_events(
        &mut self,
        socket: SocketId,
        generation: u64,
        events: Vec<SocketEvent>,
    ) {
        for (event_type, res) in events {
            self.queue.push_back(Occurrence::Socket {
                socket,
                generation,
                event_type,
                res,
                after_close: false,
            });
        }
    }

    /// Queues socket events of `socket` that are delivered even after its
    /// close event (a mutant's: see [`Occurrence::Socket`]'s `after_close`).
    pub(super) fn push_events_after_close(
        &mut self,
        socket: SocketId,
        generation: u64,
        events: Vec<SocketEvent>,
    ) {
        for (event_type, res) in events {
            self.queue.push_back(Occurrence::Socket {
                socket,
                generation,
                event_type,
                res,
                after_close: true,
            });
        }
    }

    pub(super) fn is_live(&self, socket: SocketId, generation: u64) -> bool {
        self.sockets
            .get(&socket)
            .is_some_and(|s| s.generation == generation && s.state != ReadyState::Closed)
    }

    /// `success` or `fail`, then `complete` with the same object (`order.async`:
    /// queued, never run inside the call).
    pub(super) fn push_callbacks(&mut self, call: Option<Caller>, outcome: Result<(), ErrorCode>) {
        let Some(Caller { id: call, method }) = call else {
            return;
        };
        let kind = match outcome {
            Ok(()) => CallbackKind::Success,
            Err(_) => CallbackKind::Fail,
        };
        let res = self.seams.callback_payload(method, outcome);
        let mut kinds = [kind, CallbackKind::Complete];
        if self.seams.complete_before_outcome() {
            kinds.reverse();
        }
        for kind in kinds {
            self.queue.push_back(Occurrence::Callback(Event::Callback {
                call,
                kind,
                res: res.clone(),
                sync: false,
            }));
        }
    }

    /// The callbacks of a call whose outcome is known inside the call:
    /// queued as [`Inner::push_callbacks`] does.
    pub(super) fn push_call_result(
        &mut self,
        call: Option<Caller>,
        outcome: Result<(), ErrorCode>,
    ) {
        if !self.seams.callbacks_inside_call() {
            return self.push_callbacks(call, outcome);
        }
        // The bug: they run now, before the call returns (`sync: true`).
        let queued = self.queue.len();
        self.push_callbacks(call, outcome);
        for occurrence in self.queue.drain(queued..) {
            if let Occurrence::Callback(Event::Callback {
                call, kind, res, ..
            }) = occurrence
            {
                self.inline.push_back(Event::Callback {
                    call,
                    kind,
                    res,
                    sync: true,
                });
            }
        }
    }

    /// Sockets that count against `maxTasks` for a connect in `scope`:
    /// every one not CLOSED [connect.multiple.limit.global].
    pub(super) fn live_sockets(&self, scope: Scope) -> usize {
        let keeps_place = |s: &SocketEntry| {
            self.seams.closed_task_keeps_place() && s.accepted && s.key != ListenerKey::My
        };
        let counts = |s: &SocketEntry| match scope {
            _ if self.seams.global_counts_against_limit() => true,
            Scope::Global => false,
            Scope::Task => s.key != ListenerKey::My,
        };
        self.sockets
            .values()
            .filter(|s| counts(s))
            .filter(|s| s.state != ReadyState::Closed || keeps_place(s))
            .count()
    }

    /// connect.single.exists: the global socket refuses a new global connect.
    pub(super) fn global_refuses_connect(&self) -> bool {
        self.global
            .and_then(|id| self.sockets.get(&id))
            .is_some_and(|s| {
                self.seams
                    .global_refuses_connect(s.state, s.handshake_failed)
            })
    }

    /// The connection the global calls and listeners act on: the global
    /// socket, which where every connection is a task (`wx`) is the newest
    /// connection, or [`connect.several.global-target=oldest`] the oldest
    /// one not CLOSED.
    pub(super) fn followed_connection(&self) -> Option<SocketId> {
        if self.seams.globals_follow_oldest() {
            let oldest = self
                .sockets
                .iter()
                .filter(|(_, s)| s.state != ReadyState::Closed)
                .map(|(id, _)| *id)
                .min();
            if oldest.is_some() {
                return oldest;
            }
        }
        self.global
    }

    /// The socket `my.sendSocketMessage` and `my.closeSocket` act on: the
    /// global one (`listeners.scope`; [`Inner::followed_connection`]).
    pub(super) fn global_call_target(&self) -> Option<SocketId> {
        let global_closed = self
            .global
            .and_then(|id| self.sockets.get(&id))
            .is_none_or(|s| s.state == ReadyState::Closed);
        if global_closed && self.seams.global_calls_reach_tasks() {
            let newest_task = self
                .sockets
                .iter()
                .filter(|(_, s)| s.key != ListenerKey::My && s.state != ReadyState::Closed)
                .map(|(id, _)| *id)
                .max();
            if newest_task.is_some() {
                return newest_task;
            }
        }
        self.followed_connection()
    }

    pub(super) fn new_socket(&mut self, target: Option<String>, state: ReadyState) -> SocketId {
        let id = self.next_socket;
        self.next_socket += 1;
        let (target, key) = match target {
            Some(handle) => (handle, ListenerKey::Task(id)),
            None => (self.seams.global_target().to_owned(), ListenerKey::My),
        };
        self.sockets.insert(
            id,
            SocketEntry {
                target,
                key,
                state,
                generation: 0,
                io: None,
                accepted: state != ReadyState::Closed,
                connect_call: None,
                handshake_failed: false,
            },
        );
        id
    }

    /// Takes the next event: the rest of the current dispatch, else the next
    /// occurrence, resolving a socket event's listeners from a snapshot taken
    /// now (`listeners.during-dispatch`, `connect.listener-in-success`).
    pub(super) fn take_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.inline.pop_front() {
                return Some(event);
            }
            if let Some((_, event)) = self.dispatching.pop_front() {
                return Some(event);
            }
            self.current = None;
            match self.queue.pop_front()? {
                Occurrence::Callback(event) => return Some(event),
                Occurrence::Socket {
                    socket,
                    generation,
                    event_type,
                    res,
                    after_close,
                } => {
                    // Whom the global listeners follow, before this event
                    // can close it (its onClose still reaches them).
                    let followed = self.followed_connection() == Some(socket);
                    let Some(entry) = self.sockets.get_mut(&socket) else {
                        continue;
                    };
                    // Nothing after onClose; nothing from an abandoned handshake.
                    let closed = entry.state == ReadyState::Closed && !after_close;
                    if entry.generation != generation || closed {
                        continue;
                    }
                    // The outcome of a handshake that failed, while CONNECTING.
                    let handshake_failed = entry.state == ReadyState::Connecting;
                    let mut heard = true;
                    match event_type {
                        EventType::Open if entry.state != ReadyState::Connecting => continue,
                        EventType::Open => entry.state = ReadyState::Open,
                        // connect.failure-close
                        EventType::Close if handshake_failed => {
                            entry.state = ReadyState::Closed;
                            entry.handshake_failed = true;
                            entry.io = None;
                            heard = self.seams.close_follows_failed_handshake();
                        }
                        // A CLOSED socket frees its place (`task.limit`).
                        EventType::Close => {
                            entry.state = ReadyState::Closed;
                            entry.io = None;
                        }
                        // task.api: a task's onError hears its failed handshake.
                        EventType::Error if handshake_failed && entry.key != ListenerKey::My => {
                            heard = self.seams.task_hears_handshake_error();
                        }
                        EventType::Message | EventType::Error => {}
                    }
                    let key = entry.key;
                    let mut hearers = Vec::new();
                    if heard {
                        hearers.push((entry.target.clone(), key));
                    }
                    self.current = Some((socket, event_type));
                    // listeners.scope: a task's events reach its own listeners only.
                    let leaks = heard && key != ListenerKey::My;
                    if leaks && self.seams.my_hears_task_event(event_type) {
                        hearers.push((self.seams.global_target().to_owned(), ListenerKey::My));
                    }
                    // wechat: the `wx.onSocket*` listeners hear the connection
                    // they follow, a SocketTask too (the newest, or
                    // [connect.several.global-target=oldest] the oldest).
                    let followed = followed && key != ListenerKey::My;
                    if heard && followed && self.seams.globals_follow_newest_task() {
                        hearers.push((self.seams.global_target().to_owned(), ListenerKey::My));
                    }
                    let first = self.dispatching.len();
                    for (target, key) in hearers {
                        let names = self
                            .listeners
                            .get(&key)
                            .map(|l| l[type_index(event_type)].clone())
                            .unwrap_or_default();
                        for listener in names {
                            let event = Event::Listener {
                                target: target.clone(),
                                listener,
                                event_type,
                                res: res.clone(),
                            };
                            self.dispatching.push_back((key, event));
                        }
                    }
                    if event_type == EventType::Close && self.seams.close_dispatched_twice() {
                        let again: Vec<_> = self.dispatching.range(first..).cloned().collect();
                        self.dispatching.extend(again);
                    }
                }
            }
        }
    }
}
