//! One JavaScript context: the `my` object with the global socket, the
//! SocketTasks, their listeners and the one ordered event queue. Socket I/O
//! runs in [`socket`] tasks, each handed a [`SocketOutbox`] for this
//! context's queue.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use adapter_protocol::{CallbackKind, Config, Event, EventType, Method};
use serde_json::Value;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use crate::mutant::Mutant;
use crate::options::{truthy, CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
use crate::seams::{Behaviour, ConnectOutcome, Removal, Scope, Seams};
use crate::socket::{self, Command, Outbox, SocketEvent, Start};
use crate::types::{CallId, Caller, Error, ListenerName, ReadyState, SocketId};
use crate::{tls, validate};
use spec::ErrorCode;

/// Whose listeners hear a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ListenerKey {
    /// The listeners on `my` (the global socket).
    My,
    /// The listeners of one SocketTask.
    Task(SocketId),
}

/// Something that happened, waiting on the queue to be dispatched.
#[derive(Debug)]
enum Occurrence {
    /// A call's `success` / `fail` / `complete`.
    Callback(Event),
    /// A socket event; its listeners are resolved when it is dispatched.
    Socket {
        socket: SocketId,
        generation: u64,
        event_type: EventType,
        res: Value,
    },
}

/// The I/O task of a socket and the channel to it.
#[derive(Debug)]
struct Io {
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
    /// The task has posted its last event and reads no more commands.
    done: bool,
}

#[derive(Debug)]
struct SocketEntry {
    /// `"my"` or the task handle, as listener events name it.
    target: String,
    key: ListenerKey,
    state: ReadyState,
    /// Bumped when the I/O task is abandoned: its later occurrences are dropped.
    generation: u64,
    io: Option<Io>,
    /// Passed validation and started a handshake.
    accepted: bool,
    /// The `connectSocket` call whose callbacks wait for the handshake's
    /// outcome, and when they run ([`ConnectOutcome`]).
    connect_call: Option<(Option<Caller>, ConnectOutcome)>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// This context's answers to the rules that can be answered otherwise.
    seams: Seams,
    /// Callbacks run inside the call that decided them (only when
    /// [`Seams::callbacks_inside_call`]): taken before anything else.
    inline: VecDeque<Event>,
    queue: VecDeque<Occurrence>,
    /// The listener events of the occurrence being dispatched, each with
    /// the listeners it was resolved from.
    dispatching: VecDeque<(ListenerKey, Event)>,
    /// The socket event whose listener was taken last, while its dispatch
    /// is the current one (`task.send-in-open`).
    current: Option<(SocketId, EventType)>,
    sockets: HashMap<SocketId, SocketEntry>,
    global: Option<SocketId>,
    listeners: HashMap<ListenerKey, [Vec<ListenerName>; 4]>,
    next_socket: SocketId,
    next_handle: u32,
}

/// What `My`, its tasks and the I/O tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    notify: Notify,
}

fn type_index(event_type: EventType) -> usize {
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
    fn update(&self, change: impl FnOnce(&mut Inner)) {
        change(&mut self.lock());
        self.notify.notify_one();
    }
}

/// The [`Outbox`] of one socket's I/O task: this context's queue, for that
/// socket at that generation. Everything posted after the socket was reset
/// or its I/O abandoned is dropped.
#[derive(Debug)]
pub(crate) struct SocketOutbox {
    shared: Arc<Shared>,
    socket: SocketId,
    generation: u64,
}

impl SocketOutbox {
    /// Runs `change` when the socket is still live at this generation.
    fn if_live(&self, change: impl FnOnce(&mut Inner)) {
        self.shared.update(|inner| {
            if inner.is_live(self.socket, self.generation) {
                change(inner);
            }
        });
    }
}

impl Outbox for SocketOutbox {
    fn post(&self, events: Vec<SocketEvent>) {
        self.if_live(|inner| inner.push_events(self.socket, self.generation, events));
    }

    fn post_callbacks(&self, call: Option<Caller>, outcome: Result<(), ErrorCode>) {
        self.if_live(|inner| inner.push_callbacks(call, outcome));
    }

    fn settle_connect(&self, outcome: Result<(), ErrorCode>) {
        self.if_live(|inner| {
            let call = inner
                .sockets
                .get_mut(&self.socket)
                .and_then(|s| s.connect_call.take());
            if let Some((call, _)) = call {
                inner.push_callbacks(call, outcome);
            }
        });
    }

    fn finish(&self, commands: &mut mpsc::UnboundedReceiver<Command>, events: Vec<SocketEvent>) {
        self.if_live(|inner| {
            if let Some(io) = inner
                .sockets
                .get_mut(&self.socket)
                .and_then(|s| s.io.as_mut())
            {
                io.done = true;
            }
            commands.close();
            while let Ok(command) = commands.try_recv() {
                match command {
                    Command::Send { call, .. } => {
                        inner.push_callbacks(call, Err(ErrorCode::SendFailed))
                    }
                    Command::Close { call, .. } => inner.push_callbacks(call, Ok(())),
                }
            }
            inner.push_events(self.socket, self.generation, events);
        });
    }
}

impl Inner {
    /// Queues socket events of `socket` (at `generation`) in order.
    fn push_events(&mut self, socket: SocketId, generation: u64, events: Vec<SocketEvent>) {
        for (event_type, res) in events {
            self.queue.push_back(Occurrence::Socket {
                socket,
                generation,
                event_type,
                res,
            });
        }
    }

    fn is_live(&self, socket: SocketId, generation: u64) -> bool {
        self.sockets
            .get(&socket)
            .is_some_and(|s| s.generation == generation && s.state != ReadyState::Closed)
    }

    /// `success` or `fail`, then `complete` with the same object (`order.async`:
    /// queued, never run inside the call).
    fn push_callbacks(&mut self, call: Option<Caller>, outcome: Result<(), ErrorCode>) {
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
    fn push_call_result(&mut self, call: Option<Caller>, outcome: Result<(), ErrorCode>) {
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
    fn live_sockets(&self, scope: Scope) -> usize {
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
    fn global_refuses_connect(&self) -> bool {
        self.global
            .and_then(|id| self.sockets.get(&id))
            .is_some_and(|s| self.seams.global_refuses_connect(s.state))
    }

    /// The socket `my.sendSocketMessage` and `my.closeSocket` act on: the
    /// global one (`listeners.scope`).
    fn global_call_target(&self) -> Option<SocketId> {
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
        self.global
    }

    fn new_socket(&mut self, target: Option<String>, state: ReadyState) -> SocketId {
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
            },
        );
        id
    }

    /// Takes the next event: the rest of the current dispatch, else the next
    /// occurrence, resolving a socket event's listeners from a snapshot taken
    /// now (`listeners.during-dispatch`, `connect.listener-in-success`).
    fn take_event(&mut self) -> Option<Event> {
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
                } => {
                    let Some(entry) = self.sockets.get_mut(&socket) else {
                        continue;
                    };
                    // Nothing after onClose; nothing from an abandoned handshake.
                    if entry.generation != generation || entry.state == ReadyState::Closed {
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
                    // wechat: the `wx.onSocket*` listeners hear the newest
                    // connection, a SocketTask too.
                    let followed = self.global == Some(socket) && key != ListenerKey::My;
                    if heard && followed && self.seams.globals_follow_newest_task() {
                        hearers.push((self.seams.global_target().to_owned(), ListenerKey::My));
                    }
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
                }
            }
        }
    }
}

/// One JavaScript context's `my` socket API: the global socket, its
/// listeners, the SocketTasks and one ordered event queue.
///
/// Methods are the JavaScript API in snake case. Every callback and listener
/// call becomes an [`Event`] on the queue, taken with [`My::next_event`] or
/// [`My::try_next_event`]: nothing is delivered inside the call that caused
/// it (`order.async`). A socket's state follows its events as they are
/// taken: it is OPEN once its open event has been taken, CLOSED once its
/// close event has, so the queue must be drained for sockets to progress.
///
/// Must be used inside a tokio runtime: each socket's I/O runs in a spawned
/// task. Dropping `My` ends its sockets as [`My::reset`] does.
#[derive(Debug)]
pub struct My {
    shared: Arc<Shared>,
}

/// A SocketTask, returned by `connect_socket` with `multiple: true`.
///
/// Its methods act on its own socket; its listeners hear only that socket
/// (`listeners.scope`). After [`My::reset`] it is a CLOSED task.
#[derive(Debug, Clone)]
pub struct SocketTask {
    shared: Arc<Shared>,
    socket: SocketId,
    handle: String,
}

impl My {
    /// A new context with this configuration.
    pub fn new(config: Config) -> Result<My, Error> {
        My::with_mutant(config, None)
    }

    /// A new context with this configuration that runs `mutant`, a
    /// deliberate bug (see [`Mutant`]); `None` is [`My::new`], conforming.
    pub fn with_mutant(config: Config, mutant: Option<Mutant>) -> Result<My, Error> {
        My::with_behaviour(config, Behaviour::mutant(mutant))
    }

    /// A new context that runs `behaviour`: conforming variants of
    /// [impl-defined] rules (see [`Variant`](crate::Variant)) and at most
    /// one mutant.
    pub fn with_behaviour(config: Config, behaviour: Behaviour) -> Result<My, Error> {
        let seams = Seams::new(behaviour);
        let tls = tls::client_config(
            &config.ca_certificates_pem,
            seams.accepts_expired_certificate(),
        )?;
        Ok(My {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    config,
                    tls,
                    seams,
                    inline: VecDeque::new(),
                    queue: VecDeque::new(),
                    dispatching: VecDeque::new(),
                    current: None,
                    sockets: HashMap::new(),
                    global: None,
                    listeners: HashMap::new(),
                    next_socket: 1,
                    next_handle: 1,
                }),
                notify: Notify::new(),
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> Config {
        self.shared.lock().config.clone()
    }

    /// The mutant this context runs; `None` when it conforms.
    pub fn mutant(&self) -> Option<Mutant> {
        self.shared.lock().seams.behaviour().mutant
    }

    /// What this context runs: its profile, variants and mutant.
    pub fn behaviour(&self) -> Behaviour {
        self.shared.lock().seams.behaviour().clone()
    }

    /// The face of the API this context serves (its profile's): the name
    /// of the global object, the methods, the payload forms.
    pub fn face(&self) -> adapter_protocol::Face {
        self.shared.lock().seams.face()
    }

    /// `my.connectSocket(options)` (`wx.connectSocket` under the `wechat`
    /// profile). `None`: called with no argument (and so with no
    /// callbacks). Returns a [`SocketTask`] when `multiple` is truthy, and
    /// always under `wechat`, also when validation then fails (that task is
    /// CLOSED).
    pub fn connect_socket(
        &self,
        call: CallId,
        options: Option<ConnectSocketOptions>,
    ) -> Option<SocketTask> {
        let call = options.is_some().then_some(Caller {
            id: call,
            method: Method::ConnectSocket,
        });
        let options = options.unwrap_or_default();
        let multiple = truthy(options.multiple.as_ref());
        let mut inner = self.shared.lock();
        // connect.return: a SocketTask with `multiple` (always under wx).
        let scope = inner.seams.connect_scope(multiple);
        // connect.single.exists: the global socket is not CLOSED.
        let single_exists = || match scope {
            Scope::Global if inner.global_refuses_connect() => {
                Err(inner.seams.code_for_existing_single())
            }
            _ => Ok(()),
        };
        // [connect.check-order]: URL checks first, or connect.single.exists.
        let single_first = inner.seams.single_exists_checked_first();
        let checked = (|| {
            if single_first {
                single_exists()?;
            }
            let plan = validate::connect(&options, &inner.config, &inner.seams)?;
            if !single_first {
                single_exists()?;
            }
            // connect.multiple.limit [connect.multiple.limit.global]
            let limit = inner.seams.socket_limit(&inner.config);
            if limit.is_some_and(|limit| inner.live_sockets(scope) >= limit) {
                return Err(inner.seams.code_for_socket_limit());
            }
            Ok(plan)
        })();
        let handle = (scope == Scope::Task).then(|| {
            let handle = format!("t{}", inner.next_handle);
            inner.next_handle += 1;
            handle
        });
        let state = if checked.is_ok() {
            ReadyState::Connecting
        } else {
            ReadyState::Closed
        };
        let socket = if handle.is_some() || checked.is_ok() {
            Some(inner.new_socket(handle.clone(), state))
        } else {
            None
        };
        match checked {
            Ok(plan) => {
                let socket = socket.expect("a socket is made for a valid connect");
                if scope == Scope::Global || inner.seams.globals_follow_newest_task() {
                    inner.global = Some(socket);
                }
                // connect.success / connect.outcome
                let outcome = inner.seams.connect_outcome(scope);
                if outcome.reported_by_the_call() {
                    inner.push_call_result(call, Ok(()));
                }
                let (commands, receiver) = mpsc::unbounded_channel();
                let outbox = SocketOutbox {
                    shared: Arc::clone(&self.shared),
                    socket,
                    generation: 0,
                };
                let start = Start {
                    plan,
                    config: inner.config.clone(),
                    tls: Arc::clone(&inner.tls),
                    seams: inner.seams.clone(),
                    outcome,
                };
                let task = tokio::spawn(socket::run(outbox, start, receiver));
                if let Some(entry) = inner.sockets.get_mut(&socket) {
                    entry.io = Some(Io {
                        commands,
                        task,
                        done: false,
                    });
                    if !outcome.reported_by_the_call() {
                        entry.connect_call = Some((call, outcome));
                    }
                }
            }
            Err(code) => inner.push_call_result(call, Err(code)),
        }
        drop(inner);
        self.shared.notify.notify_one();
        Some(SocketTask {
            shared: Arc::clone(&self.shared),
            socket: socket?,
            handle: handle?,
        })
    }

    /// `my.sendSocketMessage(options)` on the global socket.
    pub fn send_socket_message(&self, call: CallId, options: Option<SendSocketMessageOptions>) {
        let global = self.shared.lock().global_call_target();
        send(&self.shared, global, call, options);
    }

    /// `my.closeSocket(options)` on the global socket.
    pub fn close_socket(&self, call: CallId, options: Option<CloseSocketOptions>) {
        let global = self.shared.lock().global_call_target();
        close(&self.shared, global, call, options);
    }

    /// `my.onSocketOpen(listener)`.
    pub fn on_socket_open(&self, listener: impl Into<ListenerName>) {
        add_listener(
            &self.shared,
            ListenerKey::My,
            EventType::Open,
            listener.into(),
        );
    }

    /// `my.onSocketMessage(listener)`.
    pub fn on_socket_message(&self, listener: impl Into<ListenerName>) {
        add_listener(
            &self.shared,
            ListenerKey::My,
            EventType::Message,
            listener.into(),
        );
    }

    /// `my.onSocketError(listener)`.
    pub fn on_socket_error(&self, listener: impl Into<ListenerName>) {
        add_listener(
            &self.shared,
            ListenerKey::My,
            EventType::Error,
            listener.into(),
        );
    }

    /// `my.onSocketClose(listener)`.
    pub fn on_socket_close(&self, listener: impl Into<ListenerName>) {
        add_listener(
            &self.shared,
            ListenerKey::My,
            EventType::Close,
            listener.into(),
        );
    }

    /// `my.offSocketOpen(listener)`; `None` removes every open listener.
    pub fn off_socket_open(&self, listener: Option<&str>) {
        remove_listener(&self.shared, ListenerKey::My, EventType::Open, listener);
    }

    /// `my.offSocketMessage(listener)`; `None` removes every message listener.
    pub fn off_socket_message(&self, listener: Option<&str>) {
        remove_listener(&self.shared, ListenerKey::My, EventType::Message, listener);
    }

    /// `my.offSocketError(listener)`; `None` removes every error listener.
    pub fn off_socket_error(&self, listener: Option<&str>) {
        remove_listener(&self.shared, ListenerKey::My, EventType::Error, listener);
    }

    /// `my.offSocketClose(listener)`; `None` removes every close listener.
    pub fn off_socket_close(&self, listener: Option<&str>) {
        remove_listener(&self.shared, ListenerKey::My, EventType::Close, listener);
    }

    /// `my.onSocket<Type>(listener)` for any event type.
    pub(crate) fn listen(&self, event_type: EventType, listener: ListenerName) {
        add_listener(&self.shared, ListenerKey::My, event_type, listener);
    }

    /// `my.offSocket<Type>(listener)` for any event type.
    pub(crate) fn unlisten(&self, event_type: EventType, listener: Option<&str>) {
        remove_listener(&self.shared, ListenerKey::My, event_type, listener);
    }

    /// The state of the global socket; `None` before the first connection.
    pub fn socket_ready_state(&self) -> Option<ReadyState> {
        let inner = self.shared.lock();
        inner.global.map(|id| {
            inner
                .sockets
                .get(&id)
                .map_or(ReadyState::Closed, |s| s.state)
        })
    }

    /// Ends every socket at once without emitting events (their I/O tasks
    /// are aborted and their streams dropped), drops every listener and
    /// task, clears the queue and restarts task handles at `t1`.
    pub fn reset(&self) {
        let mut inner = self.shared.lock();
        for (_, entry) in inner.sockets.drain() {
            if let Some(io) = entry.io {
                io.task.abort();
            }
        }
        inner.global = None;
        inner.listeners.clear();
        inner.queue.clear();
        inner.dispatching.clear();
        inner.current = None;
        inner.next_handle = 1;
    }

    /// Takes the next event, waiting for one.
    pub async fn next_event(&self) -> Event {
        loop {
            let notified = self.shared.notify.notified();
            if let Some(event) = self.try_next_event() {
                return event;
            }
            notified.await;
        }
    }

    /// Takes the next event if one is ready.
    pub fn try_next_event(&self) -> Option<Event> {
        self.shared.lock().take_event()
    }

    /// Takes a callback run inside the call that just returned (`sync:
    /// true`); only a mutant ([`Mutant::CallbackInsideCall`]) makes any.
    pub(crate) fn take_sync_event(&self) -> Option<Event> {
        self.shared.lock().inline.pop_front()
    }

    /// `true` while listener events of the occurrence being dispatched remain
    /// to be taken: a JavaScript host runs them all before anything else.
    pub fn in_dispatch(&self) -> bool {
        !self.shared.lock().dispatching.is_empty()
    }
}

impl Drop for My {
    fn drop(&mut self) {
        self.reset();
    }
}

impl SocketTask {
    /// The task's handle: `"t1"`, `"t2"`, … in creation order since the last reset.
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// The task's state.
    pub fn ready_state(&self) -> ReadyState {
        self.shared
            .lock()
            .sockets
            .get(&self.socket)
            .map_or(ReadyState::Closed, |s| s.state)
    }

    /// `SocketTask.send(options)`.
    pub fn send(&self, call: CallId, options: Option<SendSocketMessageOptions>) {
        send(&self.shared, Some(self.socket), call, options);
    }

    /// `SocketTask.close(options)`.
    pub fn close(&self, call: CallId, options: Option<CloseSocketOptions>) {
        close(&self.shared, Some(self.socket), call, options);
    }

    fn key(&self) -> ListenerKey {
        ListenerKey::Task(self.socket)
    }

    /// `SocketTask.onOpen(listener)`.
    pub fn on_open(&self, listener: impl Into<ListenerName>) {
        add_listener(&self.shared, self.key(), EventType::Open, listener.into());
    }

    /// `SocketTask.onMessage(listener)`.
    pub fn on_message(&self, listener: impl Into<ListenerName>) {
        add_listener(
            &self.shared,
            self.key(),
            EventType::Message,
            listener.into(),
        );
    }

    /// `SocketTask.onError(listener)`.
    pub fn on_error(&self, listener: impl Into<ListenerName>) {
        add_listener(&self.shared, self.key(), EventType::Error, listener.into());
    }

    /// `SocketTask.onClose(listener)`.
    pub fn on_close(&self, listener: impl Into<ListenerName>) {
        add_listener(&self.shared, self.key(), EventType::Close, listener.into());
    }

    /// `SocketTask.offOpen(listener)`; `None` removes every open listener.
    pub fn off_open(&self, listener: Option<&str>) {
        remove_listener(&self.shared, self.key(), EventType::Open, listener);
    }

    /// `SocketTask.offMessage(listener)`; `None` removes every message listener.
    pub fn off_message(&self, listener: Option<&str>) {
        remove_listener(&self.shared, self.key(), EventType::Message, listener);
    }

    /// `SocketTask.offError(listener)`; `None` removes every error listener.
    pub fn off_error(&self, listener: Option<&str>) {
        remove_listener(&self.shared, self.key(), EventType::Error, listener);
    }

    /// `SocketTask.offClose(listener)`; `None` removes every close listener.
    pub fn off_close(&self, listener: Option<&str>) {
        remove_listener(&self.shared, self.key(), EventType::Close, listener);
    }

    /// `SocketTask.on<Type>(listener)` for any event type.
    pub(crate) fn listen(&self, event_type: EventType, listener: ListenerName) {
        add_listener(&self.shared, self.key(), event_type, listener);
    }

    /// `SocketTask.off<Type>(listener)` for any event type.
    pub(crate) fn unlisten(&self, event_type: EventType, listener: Option<&str>) {
        remove_listener(&self.shared, self.key(), event_type, listener);
    }
}

/// listeners.order / listeners.twice: appended, duplicates kept.
fn add_listener(shared: &Shared, key: ListenerKey, event_type: EventType, name: ListenerName) {
    let mut inner = shared.lock();
    let again = inner.seams.adds_listener_again();
    let list = &mut inner.listeners.entry(key).or_default()[type_index(event_type)];
    if again || !list.contains(&name) {
        list.push(name);
    }
}

/// listeners.off-one (every occurrence of the name) / listeners.off-all (`None`).
fn remove_listener(shared: &Shared, key: ListenerKey, event_type: EventType, name: Option<&str>) {
    let mut inner = shared.lock();
    let scope = match key {
        ListenerKey::My => Scope::Global,
        ListenerKey::Task(_) => Scope::Task,
    };
    let removal = inner.seams.removal(scope, event_type, name.is_none());
    // [listeners.during-dispatch]: `live` also takes the removed listeners
    // out of the dispatch under way.
    if inner.seams.removal_is_live() {
        inner.dispatching.retain(|(k, event)| match event {
            Event::Listener {
                listener,
                event_type: t,
                ..
            } if *k == key && *t == event_type => match (removal, name) {
                (Removal::EveryOccurrence, Some(name)) => listener != name,
                (Removal::All, _) => false,
                _ => true,
            },
            _ => true,
        });
    }
    if let Some(lists) = inner.listeners.get_mut(&key) {
        let list = &mut lists[type_index(event_type)];
        match (removal, name) {
            (Removal::EveryOccurrence, Some(name)) => list.retain(|n| n != name),
            (Removal::All, _) => list.clear(),
            (Removal::FirstOnly, _) if !list.is_empty() => {
                list.remove(0);
            }
            _ => {}
        }
    }
}

/// `sendSocketMessage` / `SocketTask.send` on `socket`.
fn send(
    shared: &Shared,
    socket: Option<SocketId>,
    call: CallId,
    options: Option<SendSocketMessageOptions>,
) {
    let call = options.is_some().then_some(Caller {
        id: call,
        method: Method::SendSocketMessage,
    });
    let options = options.unwrap_or_default();
    let mut inner = shared.lock();
    let max = inner.config.max_message_bytes;
    let outcome = (|| {
        let entry = socket.and_then(|id| inner.sockets.get(&id));
        // send.not-open: never connected, CONNECTING, CLOSING or CLOSED.
        let Some(entry) = entry.filter(|e| e.state == ReadyState::Open) else {
            return Err(ErrorCode::NotOpen);
        };
        // task.send-in-open
        let in_open_listener =
            socket.is_some_and(|id| inner.current == Some((id, EventType::Open)));
        if in_open_listener && !inner.seams.sends_inside_open_listener() {
            return Err(ErrorCode::NotOpen);
        }
        // send.invalid / send.too-large
        let message = validate::message(&options, max, &inner.seams)?;
        match &entry.io {
            Some(io) if !io.done => io
                .commands
                .send(Command::Send { message, call })
                .map_err(|_| ErrorCode::SendFailed),
            // The transport is gone although the close event is still queued.
            _ => Err(ErrorCode::SendFailed),
        }
    })();
    // On success the I/O task reports once the frame is written.
    if let Err(code) = outcome {
        inner.push_call_result(call, Err(code));
        drop(inner);
        shared.notify.notify_one();
    }
}

/// `closeSocket` / `SocketTask.close` on `socket`.
fn close(
    shared: &Shared,
    socket: Option<SocketId>,
    call: CallId,
    options: Option<CloseSocketOptions>,
) {
    let call = options.is_some().then_some(Caller {
        id: call,
        method: Method::CloseSocket,
    });
    let options = options.unwrap_or_default();
    let mut inner = shared.lock();
    let seams = inner.seams.clone();
    let Some((id, entry)) = socket.and_then(|id| inner.sockets.get_mut(&id).map(|e| (id, e)))
    else {
        // close.not-open: never existed [close.not-open.code].
        let code = seams.code_for_close_not_open();
        inner.push_call_result(call, Err(code));
        drop(inner);
        shared.notify.notify_one();
        return;
    };
    let outcome = match entry.state {
        // close.not-open: CLOSING or CLOSED [close.not-open.code].
        ReadyState::Closing | ReadyState::Closed => Err(seams.code_for_close_not_open()),
        state => match validate::close_frame(&options, &seams) {
            // close.invalid-code: nothing on the wire.
            Err(code) => Err(code),
            // close.connecting: abandon the handshake; onClose 1006, no onOpen.
            Ok(_) if state == ReadyState::Connecting => {
                entry.state = ReadyState::Closing;
                entry.generation += 1;
                if let Some(io) = entry.io.take() {
                    io.task.abort();
                }
                let generation = entry.generation;
                let abandoned = entry
                    .connect_call
                    .take()
                    .and_then(|(connect, outcome)| Some((connect, outcome.on_abandon()?)));
                if let Some((connect, result)) = abandoned {
                    inner.push_callbacks(connect, result);
                }
                inner.push_call_result(call, Ok(()));
                inner.queue.push_back(Occurrence::Socket {
                    socket: id,
                    generation,
                    event_type: EventType::Close,
                    res: socket::close_payload(1006, ""),
                });
                drop(inner);
                shared.notify.notify_one();
                return;
            }
            // close.open: the I/O task writes the frame, then reports success.
            Ok(frame) => {
                entry.state = ReadyState::Closing;
                match &entry.io {
                    Some(io) if !io.done => {
                        if io.commands.send(Command::Close { frame, call }).is_ok() {
                            return;
                        }
                        Ok(())
                    }
                    // Already ending: its close event is queued.
                    _ => Ok(()),
                }
            }
        },
    };
    inner.push_call_result(call, outcome);
    drop(inner);
    shared.notify.notify_one();
}
