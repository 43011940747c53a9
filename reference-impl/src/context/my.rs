//! [`My`]: the global object of one context (`my`, or `wx` under the
//! `wechat` profile) and its `connectSocket`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use adapter_protocol::{Config, Event, EventType, Method};
use tokio::sync::{mpsc, Notify};

use super::calls::{add_listener, close, remove_listener, send};
use super::outbox::SocketOutbox;
use super::state::{Inner, Io, ListenerKey, Shared};
use super::task::SocketTask;
use crate::mutant::Mutant;
use crate::options::{truthy, CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
use crate::seams::{Behaviour, Scope, Seams};
use crate::socket::{self, Start};
use crate::types::{CallId, Caller, Error, ListenerName, ReadyState};
use crate::{tls, validate};

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

impl My {
    /// A new context with this configuration that runs `behaviour`: its
    /// profile, conforming variants of [impl-defined] rules (see
    /// [`Variant`](crate::Variant)) and at most one deliberate bug (see
    /// [`Mutant`]). `Behaviour::default()` is the reference itself.
    pub fn new(config: Config, behaviour: Behaviour) -> Result<My, Error> {
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
