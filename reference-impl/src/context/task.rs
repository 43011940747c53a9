//! [`SocketTask`]: one connection's own object, with its own listeners.

use std::sync::Arc;

use adapter_protocol::EventType;

use super::calls::{add_listener, close, remove_listener, send};
use super::state::{ListenerKey, Shared};
use crate::options::{CloseSocketOptions, SendSocketMessageOptions};
use crate::types::{CallId, ListenerName, ReadyState, SocketId};

/// A SocketTask, returned by `connect_socket` with `multiple: true`.
///
/// Its methods act on its own socket; its listeners hear only that socket
/// (`listeners.scope`). After [`My::reset`] it is a CLOSED task.
#[derive(Debug, Clone)]
pub struct SocketTask {
    pub(super) shared: Arc<Shared>,
    pub(super) socket: SocketId,
    pub(super) handle: String,
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
